"""Questions that reach an event loop together are answered together, then replied to together.

A channel's event loop interleaves two kinds of work: matching a question (the engine: a few
milliseconds over several megabytes of arrays and tables) and everything around it (reading
the update or request, rendering, the log, the HTTP round trip: a few hundred microseconds of
Python over a different few megabytes). Done one question at a time, each evicts the other from
the CPU's caches, and both run cold: in process, the Telegram channel's own work per reply took
1.6-1.9x its tight-loop time with an answer between replies (as much with 8 MB of memory
touched instead of an answer), and in one of two processes the engine 1.3x its time answering
alone (docs/benchmarks.md, Telegram: the "unexplained" part of a cache-off reply).

`Batched` wraps the blocking call (`Conversations.reply`, `Service.ask`): a task that calls it
joins the current batch and waits; the batch runs in the next turn of the loop, every call of it
one after the other, by which time every other task that was ready in the same turn has joined
it. Under load, replies come back and new questions arrive while a batch is being answered, so
batches of several form by themselves; a lone question waits one turn of the loop. Each call
keeps its own result or exception, and calls run in the order they were made (a chat's turns
stay in order: the channels never have two of one chat in flight).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batched(Generic[T, R]):
    """`await batched(argument)` is `function(argument)`, run together with the other calls made
    in the same turn of the event loop (see the module docstring)."""

    def __init__(self, function: Callable[[T], R]) -> None:
        self.function = function
        self.waiting: list[tuple[T, asyncio.Future[R]]] = []

    async def __call__(self, argument: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        if not self.waiting:
            loop.call_soon(self.run)
        self.waiting.append((argument, future))
        return await future

    def run(self) -> None:
        waiting, self.waiting = self.waiting, []
        for argument, future in waiting:
            if future.cancelled():  # its task was cancelled while waiting: nobody wants it
                continue
            try:
                result = self.function(argument)
            except Exception as exc:  # the caller's to handle, as if it had called directly
                future.set_exception(exc)
            else:
                future.set_result(result)
