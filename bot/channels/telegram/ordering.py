"""Several chats answered at once, each chat's own messages strictly in the order they came.

python-telegram-bot either handles one update at a time, or several with no regard for which
chat they belong to: then two quick messages from one person can be answered in reverse order.
This processor gives the throughput of the second (while one reply travels to Telegram, the
next chat's question is being matched) and the order of the first, per chat.

python-telegram-bot takes its own semaphore before calling `do_process_update`, so a slot held
there while waiting for a busy chat would let one chat's burst stall every other chat. Its
semaphore is therefore sized as a bound on the backlog only (`backlog`), and the work slots
(`workers`) are our own, taken after the chat's turn has come (grammY's `sequentialize` does
the same).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.channels.telegram import routing

BACKLOG_PER_WORKER = 64  # updates accepted (waiting or working) per work slot


class PerChatOrder(BaseUpdateProcessor):
    """Up to `workers` updates handled at once, never two of the same chat; a chat waiting
    for its turn holds no work slot."""

    def __init__(self, workers: int, backlog: int | None = None) -> None:
        super().__init__(backlog or workers * BACKLOG_PER_WORKER)
        self.workers = asyncio.Semaphore(workers)
        # Per chat with updates in progress: its lock and how many updates hold or await it.
        self.chats: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = chat_of(update)
        if chat is None:  # inline queries and the like belong to no chat
            async with self.workers:
                await coroutine
            return
        lock, users = self.chats.setdefault(chat, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            # The chat's turn first (asyncio locks are fair: waiters go in arrival order),
            # then a work slot.
            async with lock, self.workers:
                await coroutine
        finally:
            users[0] -= 1
            if not users[0]:
                del self.chats[chat]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def chat_of(update: object) -> int | None:
    """The id of the chat an update belongs to: python-telegram-bot's `Update`, a plain
    question read without it (bot.channels.telegram.intake.PlainQuestion), or the raw update
    the polling process of `run --workers` passes on (bot.channels.telegram.pool)."""
    if isinstance(update, Update):
        return update.effective_chat.id if update.effective_chat is not None else None
    if isinstance(update, dict):
        return routing.chat_of(update)
    return getattr(update, "chat_id", None)
