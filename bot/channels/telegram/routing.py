"""Telegram's webhook across the workers of `serve --workers N`: every chat answered by one
worker, its owner.

Telegram spreads a bot's updates over up to 40 webhook connections with no regard for chats,
and `serve --workers` hands each connection to one worker (bot.channels.web.balance), so two
messages of one chat can reach two processes. What a chat needs kept together lives in one
process: the list it was last offered (bot.conversation), its per-chat order
(ordering.PerChatOrder) and its sender's limit (bot.channels.limits.UserLimiter, keyed by user: a private
chat's id is its user's). So every update belongs to the worker `chat id mod N` (`owner`); a
worker that receives another's update passes its body on over the owner's Unix socket, made
by the parent before forking, and answers Telegram only once the owner has handled it. A
`kill -9` of either worker therefore loses no update: Telegram has no 200 for it yet and sends
it again. Keeping the conversations in the log's SQLite instead was not done: the per-chat
order would still be per process, and every message would read and write the database on
the event loop.

A passed-on update costs one Unix-socket round trip (docs/benchmarks-log.md has the figures). If
the owner cannot be reached (it exited), the worker that has the update handles it itself:
the chat may lose its open list, but its question is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

log = logging.getLogger(__name__)

HEADER = 4  # bytes of a passed-on body's length, big-endian, before the body
HANDLED = b"\x00"  # the owner's answer once it has handled the update


def chat_of(update: object) -> int | None:
    """The chat an update belongs to (a message's, a tapped button's message's), else its
    sender (an inline query), else None (handled wherever it arrives)."""
    if not isinstance(update, dict):
        return None
    for kind, value in update.items():
        if kind == "update_id" or not isinstance(value, dict):
            continue
        message = value.get("message")
        for chat in (value.get("chat"), message.get("chat") if isinstance(message, dict) else None):
            if isinstance(chat, dict) and type(chat.get("id")) is int:
                return chat["id"]
        sender = value.get("from")
        if isinstance(sender, dict) and type(sender.get("id")) is int:
            return sender["id"]
    return None


class Sockets:
    """One listening Unix socket per worker, made by the parent before forking (so a worker
    can pass an update to another that is still starting: the connection waits in the
    backlog), in a private directory removed by `close`."""

    def __init__(self, workers: int) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="policybot-chats-")
        self.paths = [str(Path(self.folder.name) / f"{n}.sock") for n in range(workers)]
        self.listening = []
        for path in self.paths:
            listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listening.bind(path)
            listening.listen(1024)
            self.listening.append(listening)

    def keep(self, me: int | None) -> None:
        """In a forked process: close every listening socket but worker `me`'s (all of them
        for a process that owns no chat). A copy left open in any process would keep a dead
        worker's socket accepting connections that nobody answers: the update passed to it
        would wait forever instead of being refused and handled where it is."""
        for worker, listening in enumerate(self.listening):
            if worker != me:
                listening.close()

    def close(self) -> None:
        for listening in self.listening:
            listening.close()
        self.folder.cleanup()


class Router:
    """Worker `me`'s side: `deliver` handles its own chats' updates with `handle` and passes
    the others' to their owners; `serving` answers the updates passed to it. With `me` None
    (the polling process of `run --workers`, bot.channels.telegram.pool) every chat's update
    is passed on, and only those of no chat, or of a worker that cannot be reached, are
    handled here."""

    def __init__(
        self, sockets: Sockets, me: int | None, handle: Callable[[object], Awaitable[None]]
    ) -> None:
        self.paths = sockets.paths
        self.sockets = sockets
        self.me = me
        self.handle = handle
        # Open connections to each owner not in use: one update at a time on each.
        self.idle: list[list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = [
            [] for _ in self.paths
        ]

    def owner(self, update: object) -> int | None:
        chat = chat_of(update)
        return self.me if chat is None else chat % len(self.paths)

    async def deliver(self, body: bytes, update: object) -> None:
        """Handle `update` (read from `body`) here or in its owner; return once handled."""
        owner = self.owner(update)
        if owner is not None and owner != self.me:
            try:
                await self.pass_on(owner, body)
                return
            except (OSError, asyncio.IncompleteReadError) as exc:
                log.warning("worker %d did not take an update (%s); handled here", owner, exc)
        await self.handle(update)

    async def pass_on(self, owner: int, body: bytes) -> None:
        idle = self.idle[owner]
        reader, writer = (
            idle.pop() if idle else await asyncio.open_unix_connection(self.paths[owner])
        )
        try:
            writer.write(len(body).to_bytes(HEADER, "big") + body)
            if await reader.readexactly(1) != HANDLED:
                raise OSError("unexpected answer")
        except BaseException:  # a connection in an unknown state is not used again
            writer.close()
            raise
        idle.append((reader, writer))

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Updates passed on over one connection, one at a time, each acknowledged once handled."""
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(HEADER), "big")
                await self.handle(json.loads(await reader.readexactly(size)))
                writer.write(HANDLED)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the other worker closed the connection (it is stopping)
        finally:
            writer.close()

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[None]:
        """Take the updates other workers pass on while the server runs (a worker's only)."""
        assert self.me is not None
        server = await asyncio.start_unix_server(self.answer, sock=self.sockets.listening[self.me])
        try:
            yield
        finally:
            server.close()
            for idle in self.idle:
                for _, writer in idle:
                    writer.close()
