"""The Bot API's JSON calls on bot.channels.telegram.http1: what it sends, the answers it reads
(by length, in chunks, to the end of the connection), when it keeps a connection and when not,
and the errors python-telegram-bot sees (through bot.channels.telegram.transport)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.http1 import JsonClient, ProtocolError
from bot.channels.telegram.transport import AiohttpRequest

OK = b'{"ok":true,"result":true}'


def answer(body: bytes = OK, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


class Server:
    """A local server answering each request with the next of `answers` (bytes written as they
    are; None: close the connection without answering; "hang": never answer; "close" after an
    answer: close the connection once it is written); it records each request's head and body,
    and how many connections it accepted."""

    def __init__(self, *answers: bytes | str | None) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[bytes, bytes]] = []
        self.connections = 0

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot123:abc/sendMessage"

    async def __aexit__(self, *exc) -> None:
        self.server.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                self.requests.append((head, await reader.readexactly(length)))
                reply = self.answers.pop(0)
                if reply == "hang":
                    await asyncio.sleep(10)
                if not isinstance(reply, bytes):
                    break
                writer.write(reply)
                await writer.drain()
                if b"Content-Length" not in reply and b"chunked" not in reply:
                    break  # an answer read to the end of the connection
                if self.answers and self.answers[0] == "close":
                    self.answers.pop(0)
                    break
        writer.close()


async def test_requests_share_a_kept_alive_connection_and_say_what_they_carry():
    client = JsonClient()
    server = Server(answer(), answer(b'{"ok":true,"result":2}'))
    async with server as url:
        assert await client.post(url, b'{"chat_id":1}', 1.0, 1.0) == (200, OK)
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, b'{"ok":true,"result":2}')
    client.close()
    assert server.connections == 1
    head, body = server.requests[0]
    assert head.startswith(b"POST /bot123:abc/sendMessage HTTP/1.1\r\n")
    assert b"\r\nHost: 127.0.0.1:" in head and b"\r\nContent-Type: application/json\r\n" in head
    assert b"\r\nContent-Length: 13\r\n" in head and body == b'{"chat_id":1}'


async def test_a_chunked_answer_is_read_whole_and_an_interim_answer_skipped():
    chunked = b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"ok"\r\n4\r\n:1}\n\r\n0\r\n\r\n'
    client = JsonClient()
    server = Server(b"HTTP/1.1 100 Continue\r\n\r\n" + chunked, answer())
    async with server as url:
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, b'{"ok":1}\n')
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, OK)
    client.close()
    assert server.connections == 1


async def test_an_answer_without_a_length_ends_with_its_connection_which_is_not_kept():
    client = JsonClient()
    server = Server(b"HTTP/1.1 400 Bad Request\r\n\r\n" + OK, answer())
    async with server as url:
        assert await client.post(url, b"{}", 1.0, 1.0) == (400, OK)
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, OK)
    client.close()
    assert server.connections == 2


async def test_connection_close_and_http_1_0_are_not_kept():
    client = JsonClient()
    closing = answer(extra=b"Connection: close\r\n")
    old = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(OK), OK)
    server = Server(closing, old, answer())
    async with server as url:
        for _ in range(3):
            assert await client.post(url, b"{}", 1.0, 1.0) == (200, OK)
    client.close()
    assert server.connections == 3


async def test_a_connection_the_server_closed_while_idle_is_not_used():
    client = JsonClient()
    server = Server(answer(), "close", answer())
    async with server as url:
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, OK)
        await asyncio.sleep(0.1)  # the server's close arrives while the connection is idle
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, OK)
    client.close()
    assert server.connections == 2 and len(server.requests) == 2


async def test_a_connection_lost_before_the_answer_is_an_error_never_a_second_send():
    client = JsonClient()
    server = Server(None, answer())
    async with server as url:
        with pytest.raises(ConnectionError):
            await client.post(url, b"{}", 1.0, 1.0)
    client.close()
    assert len(server.requests) == 1


async def test_an_unreadable_answer_is_a_protocol_error():
    client = JsonClient()
    async with Server(b"SPDY/9 what\r\n\r\n") as url:
        with pytest.raises(ProtocolError):
            await client.post(url, b"{}", 1.0, 1.0)
    client.close()


async def test_python_telegram_bot_sees_its_own_errors():
    request = AiohttpRequest(read_timeout=0.2, write_timeout=0.0)
    await request.initialize()
    data = RequestData([RequestParameter("chat_id", 1, None)])
    try:
        async with Server("hang") as url:
            with pytest.raises(TimedOut):
                await request.do_request(url, "POST", data)
        async with Server(None) as url:
            with pytest.raises(NetworkError):
                await request.do_request(url, "POST", data)
        async with Server(answer()) as url:
            assert await request.do_request(url, "POST", data) == (200, OK)
    finally:
        await request.shutdown()


async def test_https_urls_go_over_tls_checked_against_the_host_name(tmp_path):
    # A certificate for "localhost" only, trusted by the client: 127.0.0.1 by address fails.
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip("openssl could not make a certificate")
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    client = JsonClient()
    client.tls = ssl.create_default_context(cafile=str(cert))
    server = Server(answer(), answer())
    tls = await asyncio.start_server(server.serve, "127.0.0.1", 0, ssl=served)
    url = f"https://localhost:{tls.sockets[0].getsockname()[1]}/bot1:a/getMe"
    try:
        assert await client.post(url, b"{}", 5, 5) == (200, OK)
        with pytest.raises(ssl.SSLCertVerificationError):
            await client.post(url.replace("localhost", "127.0.0.1"), b"{}", 5, 5)
    finally:
        tls.close()
        client.close()


async def test_bytes_past_an_answer_put_its_connection_out_of_use():
    # A body longer than its Content-Length leaves the connection out of step: the surplus,
    # read as the next request's answer, would be the wrong answer to it (here a whole one).
    stray = answer(b'{"ok":true,"result":"stray"}')
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        late = connections == 1  # the surplus a while after the answer, or with it
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(2)
                writer.write(answer() if late else answer() + stray)
                await writer.drain()
                if late:
                    await asyncio.sleep(0.1)
                    writer.write(stray)
                    await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/bot1:a/sendMessage"
    client = JsonClient()
    try:
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, OK)
        await asyncio.sleep(0.2)  # the surplus arrives while the connection is idle
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, OK)
        assert await client.post(url, b"{}", 1.0, 1.0) == (200, OK)
        assert connections == 3
    finally:
        server.close()
        client.close()
