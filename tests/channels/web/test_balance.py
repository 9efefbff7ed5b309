"""How the workers of `serve --workers` share connections (bot.channels.web.balance): two
acceptors on one socket in one event loop stand for two workers."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.channels.web import balance
from bot.channels.web.balance import Acceptor, Connections
from bot.channels.web.server import listen


class Echo(asyncio.Protocol):
    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


async def clients(port: int, count: int) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """`count` connections opened at once, each answered once (so each has been accepted)."""
    opened = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(count))
    )
    for _, writer in opened:
        writer.write(b"x")
    for reader, _ in opened:
        assert await asyncio.wait_for(reader.readexactly(1), 5) == b"x"
    return opened


async def settle(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.01)


@pytest.fixture
def listening():
    sock = listen("127.0.0.1", 0)
    yield sock
    sock.close()


def test_connections_opened_at_once_split_evenly_and_closing_gives_the_count_back(listening):
    async def scenario() -> None:
        connections = Connections(2)
        # each worker has its own descriptor of the one socket, as forked workers do
        acceptors = [Acceptor(listening.dup(), connections, me, Echo) for me in (0, 1)]
        for acceptor in acceptors:
            acceptor.start()
        opened = await clients(listening.getsockname()[1], 16)
        assert list(connections.open) == [8, 8]
        for _, writer in opened[:5]:
            writer.close()
        await settle(lambda: sum(connections.open) == 11)
        for _, writer in opened[5:]:
            writer.close()
        await settle(lambda: list(connections.open) == [0, 0])
        for acceptor in acceptors:
            acceptor.close()
            acceptor.listening.close()

    asyncio.run(scenario())


def test_a_worker_that_never_takes_its_turn_delays_a_connection_by_patience_only(
    listening, monkeypatch
):
    # Worker 0 has fewer open but never accepts (busy with a long answer, or stopped without
    # its parent noticing yet): worker 1 takes the connections once they waited PATIENCE.
    monkeypatch.setattr(balance, "PATIENCE", 0.2)

    async def scenario() -> None:
        connections = Connections(2)
        connections.open[1] = 3  # worker 1 already has three open; worker 0 none
        acceptor = Acceptor(listening, connections, 1, Echo)
        acceptor.start()
        loop = asyncio.get_running_loop()
        started = loop.time()
        opened = await clients(listening.getsockname()[1], 4)
        waited = loop.time() - started
        assert 0.2 <= waited < 2.0
        assert list(connections.open) == [0, 7]
        # once those are taken, the next connection waits for worker 0's turn again
        started = loop.time()
        opened += await clients(listening.getsockname()[1], 1)
        assert 0.2 <= loop.time() - started < 2.0
        for _, writer in opened:
            writer.close()
        acceptor.close()

    asyncio.run(scenario())


def test_a_stopped_worker_is_not_waited_for(listening, monkeypatch):
    monkeypatch.setattr(balance, "PATIENCE", 5.0)

    async def scenario() -> None:
        connections = Connections(2)
        connections.open[1] = 3
        connections.gone(0)  # its parent saw worker 0 exit
        acceptor = Acceptor(listening, connections, 1, Echo)
        acceptor.start()
        loop = asyncio.get_running_loop()
        started = loop.time()
        opened = await clients(listening.getsockname()[1], 2)
        assert loop.time() - started < 2.0
        assert connections.open[1] == 5
        for _, writer in opened:
            writer.close()
        acceptor.close()

    asyncio.run(scenario())


def test_a_closed_acceptor_takes_no_more_connections(listening):
    async def scenario() -> None:
        connections = Connections(1)
        acceptor = Acceptor(listening, connections, 0, Echo)
        acceptor.start()
        acceptor.close()
        port = listening.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):  # waits in the backlog
            await asyncio.sleep(0.1)
            assert connections.open[0] == 0

    asyncio.run(scenario())
