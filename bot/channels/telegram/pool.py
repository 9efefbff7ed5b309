"""`policybot run --workers N`: long polling in one process, the chats answered in N others.

One process is one core. With the answer cache off, a reply costs the engine ~0.8 ms of CPU and
the channel (reading the update, the log, rendering, sending) ~0.3 ms more, so one process
answers at most ~900-1,000 replies a second however many cores the machine has
(docs/benchmarks.md, Telegram: 899 / 911 / 973 on an idle 2-core machine, two workers 1,240).
Here the polling process only fetches updates and passes each on to the worker that owns its
chat (`chat id mod N`, over the Unix sockets of bot.channels.telegram.routing, as `serve
--workers` does for the webhook); each worker is the whole bot for its chats (engine,
conversations, per-user limit, log writer, sending), forked after the engine is built, so the
engine's memory is shared.

What the single process guarantees still holds:

- exactly once: an update's offset is confirmed (bot.channels.telegram.intake.Poller) only
  when its worker has answered that it handled it;
- per-chat order: the polling process passes one chat's next update on only once its last
  one is handled (ordering.PerChatOrder), and the chat always goes to the same worker;
- the log: every worker records its own exchanges into the same database;
- a worker that dies loses nothing silently: the update it held and its chats' later ones are
  handled by the polling process itself (it holds the engine and a log too), with a warning
  for each (an update whose reply had already been sent gets a second one, as after any crash).

Workers do not stop on SIGINT or SIGTERM: the polling process stops polling, waits for its
updates in progress (which the workers are answering) and only then closes the pipe each worker
watches; a worker stops when that pipe closes, also when the polling process is killed.
"""

from __future__ import annotations

import asyncio
import signal
from functools import partial

import orjson
from telegram.ext import Application

from bot.channels.telegram.app import running
from bot.channels.telegram.intake import Handle, handle_update
from bot.channels.telegram.ordering import PerChatOrder
from bot.channels.telegram.routing import Router, Sockets

# Chats the polling process has in progress at once: the Poller's window is the real bound.
IN_FLIGHT = 1 << 16


def passing_on(app: Application, chats: Sockets) -> Handle:
    """How the polling process handles an update: passed to the worker owning its chat, one
    at a time per chat, and handled here (`app`) when that worker cannot take it."""
    router = Router(chats, None, partial(handle_update, app))
    order = PerChatOrder(IN_FLIGHT)

    async def handle(raw: object) -> None:
        await order.do_process_update(raw, router.deliver(orjson.dumps(raw), raw))

    return handle


async def answer_chats(app: Application, chats: Sockets, me: int, parent: int) -> None:
    """Worker `me`: answer the updates the polling process passes on until the pipe `parent`
    closes (see the module docstring). Its knowledge watcher reloads its own engine."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: None)  # the polling process says when
    stop = asyncio.Event()
    loop.add_reader(parent, stop.set)
    router = Router(chats, me, partial(handle_update, app))
    async with running(app, primary=False), router.serving():
        await stop.wait()
