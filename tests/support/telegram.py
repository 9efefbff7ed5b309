"""The Telegram application on an offline transport, for handler tests in PTB's offline style."""

from __future__ import annotations

import asyncio
import contextlib

from telegram.ext import Application

from bot.app import Service
from bot.channels.limits import UserLimiter
from bot.channels.telegram.app import build_application, serve
from bot.channels.telegram.intake import handle_update
from bot.settings import Settings
from tests.support import updates
from tests.support.botapi import TOKEN, FakeBotApi, OfflineRequest


class Bot:
    """An initialized application on an offline transport, and the fake API behind it."""

    def __init__(self, service: Service, limiter: UserLimiter | None = None) -> None:
        self.api = FakeBotApi()
        self.service = service
        settings = Settings(
            token=TOKEN, admins=frozenset({updates.ADMIN_ID}), knowledge=service.directory
        )
        self.app = build_application(settings, service, OfflineRequest(self.api), limiter)

    async def send(self, update: dict) -> list[dict]:
        """Handle one update as it comes in from Telegram (the per-user limit first, then the
        handlers); return the calls it caused, as (method, params) pairs."""
        before = len(self.api.calls)
        await handle_update(self.app, update)
        return [(c.method, c.params) for c in self.api.calls[before:]]

    def last_message(self) -> dict:
        """The last message the bot sent, as the API returned it (for tapping its buttons)."""
        params = self.api.sent()[-1]
        return self.api._message(params)


@contextlib.asynccontextmanager
async def polling(app: Application):
    """The application taking updates by long polling, as `policybot run` does (command menu,
    heartbeat, knowledge watcher included), until the block ends."""
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(app, stop))
    try:
        yield app
    finally:
        stop.set()
        await serving
