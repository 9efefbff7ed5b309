"""Several chats answered at once, each chat's own messages strictly in the order they came.

python-telegram-bot either handles one update at a time, or several with no regard for which
chat they belong to: then two quick messages from one person can be answered in reverse order.
This processor gives the throughput of the second (while one reply travels to Telegram, the
next chat's question is being matched) and the order of the first, per chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatOrder(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` updates at once, never two of the same chat."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # Per chat with updates in progress: its lock and how many updates hold or await it.
        self.chats: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:  # inline queries and the like belong to no chat
            await coroutine
            return
        lock, users = self.chats.setdefault(chat.id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:  # asyncio locks are fair: waiters go in arrival order
                await coroutine
        finally:
            users[0] -= 1
            if not users[0]:
                del self.chats[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
