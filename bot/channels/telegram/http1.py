"""A small HTTP/1.1 client for the Bot API's JSON calls: keep-alive connections to its host, one
request at a time on each, the answer read by its `Content-Length` (or its chunks).

Every reply is one `sendMessage` POST. On aiohttp's client one such request cost ~540k CPU
instructions (callgrind, a JSON body like a reply's to a local server, four at a time), most of
it machinery a JSON POST to one host does not use: request and response objects, cookie
filtering, tracing hooks, header multidicts, a timer rescheduled per chunk read, tasks. Here the
same request cost ~220k (docs/benchmarks.md, Telegram). Uploads (multipart forms) still go
through aiohttp (bot.channels.telegram.transport).

What a connection does not survive is said, not guessed: a connection the server closed while
idle is dropped before use; one lost, timed out or cancelled during a request is closed and
the error raised (bot.channels.telegram.transport turns it into python-telegram-bot's
`NetworkError` or `TimedOut`, which the rate limiter retries, as it did aiohttp's). A POST is
never sent a second time here: the server may have acted on it.
"""

from __future__ import annotations

import asyncio
import ssl
from functools import lru_cache
from urllib.parse import urlsplit

IDLE_KEPT = 256  # idle connections kept per host (the bot has at most its concurrency in use)
MAX_HEAD = 64 * 1024  # bytes of status line and headers read before giving up on an answer


class ProtocolError(ConnectionError):
    """The server's answer was not HTTP/1.x this client can read."""


@lru_cache(maxsize=64)
def _target(url: str) -> tuple[tuple[str, int, bool], bytes]:
    """(host, port, TLS?) and the request head before its length, for a URL."""
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProtocolError(f"not an http(s) URL: {parts.scheme}://{parts.hostname}")
    port = parts.port or (443 if tls else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rpartition("@")[2]
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    return (parts.hostname, port, tls), head.encode("ascii")


class _Connection(asyncio.Protocol):
    """One keep-alive connection: `request` writes a request and waits for its whole answer."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self.lost = False
        self.to_eof = False  # an answer without a length: it ends when the connection does

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.answer is None or self.answer.done():
            # Bytes no request asked for (a body longer than its Content-Length, the rest
            # late): read as the next request's answer they would be the wrong answer to it.
            self.close()
            return
        self.buffer += data
        try:
            self._read()
        except (ValueError, ProtocolError) as exc:
            self.answer.set_exception(ProtocolError(f"unreadable answer: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.answer is not None and not self.answer.done():
            if self.to_eof:
                status, start = self._head()[:2]
                self.answer.set_result((status, bytes(self.buffer[start:]), False))
            else:
                self.answer.set_exception(
                    ConnectionResetError("the Bot API closed the connection before answering")
                )

    def close(self) -> None:
        self.lost = True
        if self.transport is not None:
            self.transport.close()

    async def request(self, head: bytes, body: bytes) -> tuple[int, bytes, bool]:
        """Send one request; its status, body and whether the connection may be used again."""
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self.buffer.clear()
        self.to_eof = False
        self.transport.write(b"%sContent-Length: %d\r\n\r\n%s" % (head, len(body), body))
        return await self.answer

    def _head(self) -> tuple[int, int, dict[bytes, bytes], bool]:
        """The answer's status, where its body starts, its headers (names lower-case) and
        whether it is HTTP/1.1; (0, -1, ...) while the head is incomplete."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                raise ProtocolError("no end of headers")
            return 0, -1, {}, False
        lines = bytes(self.buffer[:end]).split(b"\r\n")
        version, _, rest = lines[0].partition(b" ")
        if not version.startswith(b"HTTP/1."):
            raise ProtocolError("not HTTP/1.x")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return int(rest[:3]), end + 4, headers, version == b"HTTP/1.1"

    def _read(self) -> None:
        """Settle `answer` once the whole answer is in the buffer."""
        assert self.answer is not None
        status, start, headers, http11 = self._head()
        if start < 0:
            return
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            del self.buffer[:start]
            self._read()
            return
        keep = http11 and headers.get(b"connection", b"").lower() != b"close"
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            read = _chunks(self.buffer, start)
            if read is not None:  # bytes past the answer's end: the same as late ones
                self.answer.set_result((status, read[0], keep and read[1] == len(self.buffer)))
        elif b"content-length" in headers:
            end = start + int(headers[b"content-length"])
            if len(self.buffer) >= end:
                body = bytes(self.buffer[start:end])
                self.answer.set_result((status, body, keep and end == len(self.buffer)))
        else:
            self.to_eof = True  # read until the server closes (connection_lost)


def _chunks(buffer: bytearray, at: int) -> tuple[bytes, int] | None:
    """A chunked body starting at `at` and where it ends (its trailers included), or None until
    its last chunk has arrived."""
    body = bytearray()
    while True:
        end = buffer.find(b"\r\n", at)
        if end < 0:
            return None
        size = int(bytes(buffer[at:end]).split(b";")[0], 16)
        if size == 0:
            last = buffer.find(b"\r\n\r\n", end)
            return (bytes(body), last + 4) if last >= 0 else None
        if len(buffer) < end + 2 + size + 2:
            return None
        body += buffer[end + 2 : end + 2 + size]
        at = end + 2 + size + 2


class JsonClient:
    """POSTs of JSON bodies over kept-alive connections (see the module docstring). Belongs to
    the event loop it is first used in, as an aiohttp session does."""

    def __init__(self) -> None:
        self.idle: dict[tuple[str, int, bool], list[_Connection]] = {}
        self.tls: ssl.SSLContext | None = None

    async def post(
        self, url: str, body: bytes, connect: float | None, answer: float | None
    ) -> tuple[int, bytes]:
        """POST `body` to `url`; the status and body of the answer. `connect`: seconds to open a
        connection when none is idle; `answer`: seconds from sending to the whole answer. Raises
        `TimeoutError` or `ConnectionError` (a `ProtocolError` included) or `OSError`."""
        where, head = _target(url)
        connection = self._idle(where) or await self._connect(where, connect)
        try:
            async with asyncio.timeout(answer):
                status, payload, keep = await connection.request(head, body)
        except BaseException:  # its state is unknown (half an answer read): never reused
            connection.close()
            raise
        kept = self.idle.setdefault(where, [])
        if keep and not connection.lost and len(kept) < IDLE_KEPT:
            kept.append(connection)
        else:
            connection.close()
        return status, payload

    def _idle(self, where: tuple[str, int, bool]) -> _Connection | None:
        kept = self.idle.get(where)
        while kept:
            connection = kept.pop()
            if not connection.lost:  # the server closes idle connections when it likes
                return connection
        return None

    async def _connect(self, where: tuple[str, int, bool], seconds: float | None) -> _Connection:
        host, port, tls = where
        if tls and self.tls is None:
            self.tls = ssl.create_default_context()
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(seconds):
            _, connection = await loop.create_connection(
                _Connection, host, port, ssl=self.tls if tls else None
            )
        return connection

    def close(self) -> None:
        for kept in self.idle.values():
            for connection in kept:
                connection.close()
        self.idle.clear()
