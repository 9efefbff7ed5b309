"""The Telegram webhook as routes of the shared web server (`policybot serve`), so Telegram,
the API and the widget share one port and one event loop.

This is python-telegram-bot's "custom webhook" pattern: the `Application` is initialized and
started without `run_webhook`, and each update posted by Telegram is put on its update queue.
The handler answers 200 once the update is queued, before it is processed, as PTB's own
webhook server does, so a slow answer never makes Telegram resend.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram import handlers
from bot.channels.telegram.app import COMMANDS

log = logging.getLogger(__name__)

# Telegram's updates are a few KB; a megabyte leaves room for long messages and entities.
MAX_UPDATE = 1024 * 1024
SECRET_HEADER = "x-telegram-bot-api-secret-token"


class TelegramWebhook:
    """Routes and lifetime of the Telegram application behind a webhook URL."""

    def __init__(self, application: Application, url: str, secret: str) -> None:
        self.application = application
        self.url = url
        self.secret = secret.encode()
        self.path = urlparse(url).path or "/"

    def routes(self) -> list[BaseRoute]:
        return [Route(self.path, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        # The secret is checked in constant time before a byte of the body is read.
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return Response(status_code=403)
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > MAX_UPDATE:
            return Response(status_code=413)
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed webhook update")
            return Response(status_code=400)
        await self.application.update_queue.put(update)
        return Response()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Initialize, register the commands and the webhook, process updates; then stop."""
        app = self.application
        await app.initialize()
        try:
            await app.bot.set_my_commands(COMMANDS)
            await app.bot.set_webhook(
                self.url, secret_token=self.secret.decode(), allowed_updates=Update.ALL_TYPES
            )
            await app.start()
            log.info("telegram webhook at %s", self.path)
            try:
                yield
            finally:
                await app.stop()
        finally:
            await app.shutdown()

    async def refused(self, problems: list) -> None:
        """Tell the admins in Telegram when a knowledge edit is refused."""
        data = self.application.bot_data
        await handlers.notify_admins(
            self.application.bot, data["settings"], data["service"], problems
        )
