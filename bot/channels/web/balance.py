"""How the workers of `serve --workers N` share the connections of one listening socket.

Left to the event loop, the workers share the socket and whichever wakes first takes every
connection waiting: 16 keep-alive connections opened at once split 14 / 2 and 11 / 5, and the
busier worker's queue set the p99 while the other idled (docs/benchmarks-log.md). libuv's
`UV_TCP_SINGLE_ACCEPT=1` (15 / 1 in one run) and a socket per worker with `SO_REUSEPORT`
(2 / 9, 5 / 10: the kernel spreads by a hash of the addresses) did not fix that.

So each worker accepts for itself, least connections first (what nginx's `least_conn` does
for its upstreams): every worker's count of open connections sits in memory the workers share
(made before forking), and a worker takes a waiting connection only while it has no more open
than the least busy one. A worker that holds back looks again `RETRY` later; a connection is
never left waiting more than `PATIENCE` for the least busy worker (busy with a long answer, or
stopped): after that, whoever is awake takes every connection waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import logging
import multiprocessing
import select
import socket
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)

RETRY = 0.0005  # seconds before a worker that held back looks at the socket again
PATIENCE = 0.1  # seconds a waiting connection may wait for the least busy worker
# Out of file descriptors or memory: stop accepting a moment, as asyncio's own server does.
RESOURCE_ERRORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
GONE = sys.maxsize // 2  # a stopped worker's count: never the least busy


class Connections:
    """Each worker's count of open connections, in shared memory: make it before forking.
    A worker writes only its own slot; the others only read it."""

    def __init__(self, workers: int) -> None:
        self.open = multiprocessing.RawArray(ctypes.c_long, workers)

    def gone(self, worker: int) -> None:
        """A worker stopped (its parent saw it exit): the others no longer wait for it."""
        self.open[worker] = GONE


class Acceptor:
    """Accepts worker `me`'s share of the connections on `listening` and hands each to a
    protocol from `protocol_factory` (uvicorn's, counted so `open` drops when it closes)."""

    def __init__(
        self,
        listening: socket.socket,
        connections: Connections,
        me: int,
        protocol_factory: Callable[[], asyncio.Protocol],
    ) -> None:
        self.listening = listening
        self.open = connections.open
        self.me = me
        self.protocol_factory = protocol_factory
        self.loop = asyncio.get_running_loop()
        self.waiting_since: float | None = None  # first held back while connections waited
        self.later: asyncio.TimerHandle | None = None
        self.tasks: set[asyncio.Task] = set()
        self.closed = False
        listening.setblocking(False)

    def start(self) -> None:
        self.later = None
        if self.closed:
            return
        if self.waiting_since is not None and not select.select([self.listening], [], [], 0)[0]:
            self.waiting_since = None  # what it held back for was taken by another worker
        self.loop.add_reader(self.listening.fileno(), self.ready)

    def close(self) -> None:
        """Stop accepting (shutdown); connections already accepted are uvicorn's to close."""
        self.closed = True
        self.loop.remove_reader(self.listening.fileno())
        if self.later is not None:
            self.later.cancel()

    def pause(self, delay: float) -> None:
        self.loop.remove_reader(self.listening.fileno())
        self.later = self.loop.call_later(delay, self.start)

    def ready(self) -> None:
        """The socket has a connection waiting: take it if this worker has no more open than
        any other; else hold back, unless connections have waited `PATIENCE`, and then take
        every one waiting."""
        open = self.open
        overdue = open[self.me] > min(open)
        if overdue:
            now = self.loop.time()
            if self.waiting_since is None:
                self.waiting_since = now
            if now - self.waiting_since < PATIENCE:
                self.pause(RETRY)
                return
        while True:
            try:
                connection, _ = self.listening.accept()
            except (BlockingIOError, InterruptedError):  # none left, or another worker took it
                self.waiting_since = None
                return
            except OSError as exc:
                if exc.errno not in RESOURCE_ERRORS:
                    raise
                log.error("cannot accept a connection (%s); trying again in a second", exc)
                self.pause(1.0)
                return
            open[self.me] += 1
            task = self.loop.create_task(self.connect(connection))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            if not overdue:  # one per turn: the next may be another worker's
                self.waiting_since = None
                return

    async def connect(self, connection: socket.socket) -> None:
        try:
            connection.setblocking(False)
            if connection.family in (socket.AF_INET, socket.AF_INET6):
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await self.loop.connect_accepted_socket(self.counted, connection)
        except OSError:  # the client went away before the transport was made
            self.open[self.me] -= 1
            with contextlib.suppress(OSError):
                connection.close()

    def counted(self) -> asyncio.Protocol:
        """uvicorn's protocol for the connection, which gives back its count when it ends."""
        protocol = self.protocol_factory()
        lost = protocol.connection_lost

        def connection_lost(exc: Exception | None) -> None:
            self.open[self.me] -= 1
            lost(exc)

        protocol.connection_lost = connection_lost  # type: ignore[method-assign]
        return protocol
