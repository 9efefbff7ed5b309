"""The web server's transport: a response's headers and body leave in one `send`."""

from __future__ import annotations

import asyncio

from bot.channels.web.server import Coalesced


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
