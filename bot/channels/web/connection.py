"""What happens on a connection before the application sees a request: writes of one step of
the event loop joined into one `send`, a pace a request must arrive at, and the client a
trusted proxy names. `policybot serve` runs uvicorn with `HttpProtocol` and `behind_proxies`.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class Coalesced:
    """A connection's transport whose writes made in one step of the event loop leave as one
    `send`. uvicorn writes a response's status line and headers with one `write` and its body
    with another; on a socket each is a system call, a packet and a wake-up of the client, and
    under load the headers' `send` alone was 14% of the server's samples (py-spy,
    docs/benchmarks-log.md "The reply path, sixth pass"). Both writes happen in the same step (the
    ASGI `send`s do not wait in between), so what is written is sent at the start of the
    loop's next step, joined; closing sends what is pending first."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(data)

    def flush(self) -> None:
        if not self.pending:
            return
        data = self.pending[0] if len(self.pending) == 1 else b"".join(self.pending)
        self.pending.clear()
        if not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def __getattr__(self, name: str) -> object:  # everything else is the transport's own
        return getattr(self.transport, name)


# A request must arrive at the pace of a real client, however slow its network: within
# READ_SECONDS of the connection (or of its first byte, on a kept-alive connection), plus one
# second for every READ_RATE bytes received (Apache's mod_reqtimeout defaults). A 10 MB upload
# to the console may take nearly six hours at that rate; a slowloris connection is closed in seconds.
READ_SECONDS = 20.0
READ_RATE = 500


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol (httptools) on a `Coalesced` transport, closing a connection
    whose request does not arrive at `READ_RATE`'s pace. uvicorn waits as long as a client
    likes for a request's first bytes, its headers and its body: connections that never sent a
    request, or sent it a line every few seconds, were held until every file descriptor was
    taken and nobody else could connect (its keep-alive timeout starts only after a response)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(Coalesced(transport))  # type: ignore[arg-type]
        self.read_timer: asyncio.TimerHandle | None = None
        self.read_since: float | None = None  # when the request being read began; None: none
        self.read_bytes = 0
        self.awaiting()

    def awaiting(self) -> None:
        """A request is awaited or has begun: time it, unless it already is (the first)."""
        if self.read_since is None:
            self.read_since, self.read_bytes = self.loop.time(), 0
        if self.read_timer is None:
            self.read_timer = self.loop.call_at(self.read_since + READ_SECONDS, self.check_pace)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.awaiting()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self.read_bytes += len(data)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.read_since = None  # read whole: a timer still set lapses (one per connection)

    def check_pace(self) -> None:
        self.read_timer = None
        if self.read_since is None or self.transport.is_closing():
            return
        due = self.read_since + READ_SECONDS + self.read_bytes / READ_RATE
        if self.loop.time() < due:
            self.read_timer = self.loop.call_at(due, self.check_pace)
        else:  # a handler waiting for the body sees the client gone (`gone`)
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.read_timer is not None:
            self.read_timer.cancel()
        super().connection_lost(exc)


def behind_proxies(app: ASGIApp, trusted: str) -> ASGIApp:
    """`app` seeing the client that a trusted proxy names in X-Forwarded-For (and the scheme
    in X-Forwarded-Proto), by uvicorn's middleware: a list of proxies is read from the right,
    skipping them. With `*` (whoever connects is the proxy) only the last address counts, the
    one that proxy added: uvicorn took the first, which is the client's own if the proxy
    appends (nginx's `$proxy_add_x_forwarded_for`), and a client evaded the rate limit and
    the console's login throttle by naming another address each time."""
    # uvicorn types ASGI apps its own way; the callable is the same.
    proxied = cast(ASGIApp, ProxyHeadersMiddleware(cast(Any, app), trusted_hosts=trusted))
    return LastHop(proxied) if trusted.strip() == "*" else proxied


class LastHop:
    """Cuts X-Forwarded-For to its last address (of its last line, the one uvicorn reads)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = scope["headers"]
            last = max(
                (n for n, (name, _) in enumerate(headers) if name == b"x-forwarded-for"),
                default=None,
            )
            if last is not None and b"," in headers[last][1]:
                cut = (b"x-forwarded-for", headers[last][1].rsplit(b",", 1)[1].strip())
                scope = {**scope, "headers": [*headers[:last], cut, *headers[last + 1 :]]}
        await self.app(scope, receive, send)
