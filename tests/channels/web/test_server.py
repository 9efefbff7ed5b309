"""The web server: a response's headers and body leave in one `send`; questions without an
Origin go straight to the API's handler and are answered as through Starlette; a client that
goes away, or sends its request too slowly to be a real one, costs nothing lasting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import uvicorn
from uvicorn.server import ServerState

from bot.admin import Admin
from bot.channels import console
from bot.channels.web import connection
from bot.channels.web.connection import Coalesced, HttpProtocol, behind_proxies
from bot.channels.web.guard import SECURITY_HEADERS
from bot.channels.web.server import Direct, build_server
from bot.settings import WebConfig


class Recorded:
    """A transport that records each write (each one a `send` on a socket)."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"info {name}"


async def test_writes_of_one_step_leave_together_at_the_next():
    transport = Recorded()
    coalesced = Coalesced(transport)  # type: ignore[arg-type]
    coalesced.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    coalesced.write(b"{}")
    assert transport.writes == []
    await asyncio.sleep(0)
    assert transport.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    coalesced.write(b"next")  # the next response: its own send
    await asyncio.sleep(0)
    assert transport.writes[1:] == [b"next"]
    assert coalesced.get_extra_info("peername") == "info peername"  # the rest is the transport's


async def test_closing_sends_what_is_pending_first():
    transport = Recorded()
    coalesced = Coalesced(transport)  # type: ignore[arg-type]
    coalesced.write(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
    coalesced.close()
    assert transport.writes == [b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n"]
    assert transport.closed
    await asyncio.sleep(0)  # the scheduled send finds nothing left
    assert len(transport.writes) == 1


# Questions past Starlette (`Direct`) ------------------------------------------------------


def counted(app: Direct) -> list[str]:
    """The paths of the requests that went through Starlette rather than straight through."""
    through: list[str] = []
    starlette = app.app

    async def counting(scope, receive, send):
        if scope["type"] == "http":
            through.append(scope["path"])
        await starlette(scope, receive, send)

    app.app = counting  # type: ignore[assignment]
    return through


def client(app: Direct) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://127.0.0.1")


async def test_a_question_without_origin_goes_straight_and_answers_the_same(service):
    portal = "https://zwfw.example.gov.cn"
    app = build_server(service, WebConfig(rate=0, origins=(portal,)))
    assert isinstance(app, Direct)
    through = counted(app)
    question = {"question": "复工复产去哪个窗口办理"}
    async with client(app) as http:
        direct = await http.post("/api/v1/ask", json=question)
        assert through == []
        browser = await http.post("/api/v1/ask", json=question, headers={"origin": portal})
        assert through == ["/api/v1/ask"]  # a browser's request: CORS sees it
    assert direct.status_code == browser.status_code == 200
    assert browser.headers["access-control-allow-origin"] == portal
    assert "access-control-allow-origin" not in direct.headers
    same = {
        key: value for key, value in direct.json().items() if key not in ("exchange", "took_ms")
    }
    assert same == {k: v for k, v in browser.json().items() if k not in ("exchange", "took_ms")}
    for name, value in SECURITY_HEADERS.items():
        assert direct.headers[name] == browser.headers[name] == value
    assert direct.headers["cache-control"] == "no-store"
    assert direct.headers["content-type"] == browser.headers["content-type"]


async def test_refusals_on_the_direct_path_answer_as_starlettes_handlers(service):
    app = build_server(service, WebConfig(rate=0, max_body=1024))
    through = counted(app)
    async with client(app) as http:
        empty = await http.post("/api/v1/ask", json={"question": "  "})
        large = await http.post("/api/v1/ask", json={"question": "问" * 2000})
        text = await http.post(
            "/api/v1/ask", content=b"question", headers={"content-type": "text/plain"}
        )
        other = await http.get("/api/v1/ask")  # not a POST: Starlette's 405
    assert through == ["/api/v1/ask"]
    assert (empty.status_code, large.status_code, text.status_code) == (422, 413, 400)
    assert empty.json()["error"]["code"] == "invalid"
    assert large.json()["error"]["code"] == "too_large"
    assert text.json()["error"]["code"] == "not_json"
    assert other.status_code == 405 and other.json()["error"]["code"] == "http_error"
    for response in (empty, large, text, other):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


async def test_both_paths_share_one_rate_limit(service):
    portal = "https://zwfw.example.gov.cn"
    app = build_server(service, WebConfig(rate=1, origins=(portal,)))
    async with client(app) as http:
        first = await http.post("/api/v1/ask", json={"question": "营业执照怎么办"})
        second = await http.post(
            "/api/v1/ask", json={"question": "营业执照怎么办"}, headers={"origin": portal}
        )
    assert first.status_code == 200
    assert second.status_code == 429 and "retry-after" in second.headers


# Clients that go away --------------------------------------------------------------------


async def call_and_leave(app, path: str, headers: list[tuple[bytes, bytes]]) -> list[dict]:
    """`app` called with the first bytes of a body, then the client gone (a phone that lost its
    signal, a closed tab): what the app sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"content-length", b"100"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    messages = iter(
        [
            {"type": "http.request", "body": b'{"ques', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_a_client_gone_mid_body_is_no_error(service, tmp_path, caplog):
    """Each client that went away while sending its body (common on a phone) was an ERROR with a
    fifty-line traceback in the server's log, through Starlette or straight, the console's
    login included, so anyone could fill the log and page whoever watches its errors."""
    portal = "https://zwfw.example.gov.cn"
    admin = Admin(service, tmp_path / "console.sqlite3")
    app = build_server(service, WebConfig(rate=0, origins=(portal,)), console.routes(admin))
    json_type = (b"content-type", b"application/json")
    form_type = (b"content-type", b"application/x-www-form-urlencoded")
    for path, headers in (
        ("/api/v1/ask", [json_type]),
        ("/api/v1/ask", [json_type, (b"origin", portal.encode())]),
        ("/admin/login", [form_type]),
    ):
        sent = await call_and_leave(app, path, headers)
        assert sent[0]["status"] == 400  # to nobody, but a complete response
    admin.close()
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


# Clients too slow to be real ---------------------------------------------------------------


@contextlib.asynccontextmanager
async def listening(app) -> AsyncIterator[int]:
    """`app` served on a loopback port by the server's own HTTP protocol; yields the port."""
    config = uvicorn.Config(app, http=HttpProtocol, log_config=None, lifespan="off")
    state = ServerState()
    loop = asyncio.get_running_loop()
    served = await loop.create_server(
        lambda: HttpProtocol(config=config, server_state=state, app_state={}), "127.0.0.1", 0
    )
    try:
        yield served.sockets[0].getsockname()[1]
    finally:
        served.close()
        for connection in list(state.connections):
            connection.shutdown()


async def echo(scope, receive, send) -> None:
    """Answers with the length of the body, once it has all arrived."""
    if scope["type"] != "http":
        return
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size, more = size + len(message.get("body", b"")), message.get("more_body", False)
    body = str(size).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds` (reading whatever it sent)."""
    try:
        while await asyncio.wait_for(reader.read(1024), seconds):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:  # closed while the client still wrote: the kernel's reset
        return True
    return True


async def test_a_connection_too_slow_to_be_a_client_is_closed(monkeypatch):
    """Slowloris: a connection that never sent a request, or sent its headers a line at a time,
    or its body a few bytes at a time, was held open for as long as its sender liked, so a few
    thousand of them took every file descriptor and nobody else could connect. Now a request
    must arrive within READ_SECONDS plus one more for every READ_RATE bytes."""
    monkeypatch.setattr(connection, "READ_SECONDS", 0.5)
    monkeypatch.setattr(connection, "READ_RATE", 2000)
    async with listening(echo) as port:
        idle = await asyncio.open_connection("127.0.0.1", port)
        assert await closed_within(idle[0], 2)

        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /x HTTP/1.1\r\nhost: a\r\n")
        for n in range(20):  # a header every 0.1 s: bytes keep coming, too few of them
            writer.write(b"x-%d: y\r\n" % n)
            await asyncio.sleep(0.1)
            if reader.at_eof():
                break
        assert await closed_within(reader, 1)

        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 100\r\n\r\n")
        writer.write(b"{")  # then nothing: the body never comes
        assert await closed_within(reader, 2)


async def test_a_slow_but_real_client_is_served(monkeypatch):
    """A body arriving at the pace a slow phone keeps takes longer than READ_SECONDS and is
    read whole; a kept-alive connection may wait before its next request."""
    monkeypatch.setattr(connection, "READ_SECONDS", 0.5)
    monkeypatch.setattr(connection, "READ_RATE", 2000)
    async with listening(echo) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(2):
            writer.write(b"POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 4000\r\n\r\n")
            for _ in range(8):  # 500 bytes every 0.1 s: 5,000 a second, over 0.8 s
                writer.write(b"a" * 500)
                await asyncio.sleep(0.1)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
            assert head.startswith(b"HTTP/1.1 200")
            assert await asyncio.wait_for(reader.readexactly(4), 2) == b"4000"
            await asyncio.sleep(0.3)  # within uvicorn's keep-alive
        writer.close()


# Behind a proxy ----------------------------------------------------------------------------


async def client_seen(trusted: str, peer: str, forwarded: bytes) -> str:
    """The client address a handler sees for a request from `peer` with that X-Forwarded-For,
    when POLICYBOT_TRUSTED_PROXIES is `trusted`."""
    seen: list[str] = []

    async def handler(scope, receive, send) -> None:
        seen.append(scope["client"][0])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "headers": [(b"host", b"a"), (b"x-forwarded-for", forwarded)],
        "client": (peer, 40000),
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        pass

    await behind_proxies(handler, trusted)(scope, receive, send)
    return seen[0]


async def test_a_client_cannot_name_itself_through_a_proxy_that_appends():
    """nginx's `$proxy_add_x_forwarded_for` appends the address it sees to what the client sent.
    With POLICYBOT_TRUSTED_PROXIES=* uvicorn took the first address, the client's own words: at
    a limit of 2 a minute, 5 questions of 5 were answered, each naming another address. Now `*`
    trusts one proxy and takes the address it added; a list is read from the right as before."""
    forged = b"10.9.9.1, 203.0.113.7"
    assert await client_seen("*", "172.18.0.5", forged) == "203.0.113.7"
    assert await client_seen("*", "172.18.0.5", b"203.0.113.7") == "203.0.113.7"  # Caddy's way
    assert await client_seen("172.18.0.5", "172.18.0.5", forged) == "203.0.113.7"
    assert await client_seen("172.18.0.5", "198.51.100.1", forged) == "198.51.100.1"


async def test_a_trailing_slash_redirect_stays_on_the_site_whatever_the_host_header(
    service, tmp_path
):
    """Starlette's redirect from /admin/entries/ to /admin/entries named the request's Host
    header as given: with a forged one (or a proxy that passes it on) it sent the browser to
    another site. It is now a path on this site."""
    admin = Admin(service, tmp_path / "console.sqlite3")
    app = build_server(service, WebConfig(rate=0), console.routes(admin))
    async with client(app) as http:
        for path, target in (
            ("/admin/entries/", "/admin/entries"),
            ("/api/v1/topics/?x=1", "/api/v1/topics?x=1"),
        ):
            url = httpx.URL("http://127.0.0.1").copy_with(raw_path=path.encode())
            reply = await http.get(url, headers={"host": "evil.example"})
            assert reply.status_code == 307, path
            assert reply.headers["location"] == target, path
