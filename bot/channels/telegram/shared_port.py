"""The Telegram channel on the web server's port (`policybot serve --telegram-webhook-url`), so
Telegram, the API and the widget share one port, one process and one event loop.

The webhook itself (secret checked before the body is read, body limit, each update handled
before Telegram gets its 200) is `bot.channels.telegram.webhook.TelegramWebhook`, served here as
one route of the shared Starlette application. `running` (the command menu, the heartbeat and
the knowledge watcher that tells admins about refused edits) is the same as in `policybot run`,
so the web server runs no watcher of its own while Telegram is on it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlparse

from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.channels.telegram.app import refusal, running
from bot.channels.telegram.webhook import Deliver, TelegramWebhook, token_secret
from bot.channels.web.server import Refused

log = logging.getLogger(__name__)


class SharedPort:
    """The webhook route and the application's lifetime, for the web server."""

    def __init__(
        self,
        application: Application,
        url: str,
        secret: str | None,
        deliver: Deliver | None = None,
        primary: bool = True,
    ) -> None:
        """`deliver` replaces handling each update here (a worker of `serve --workers` passes
        it to its chat's owner); only the `primary` one of several workers registers the
        webhook and the command menu and tells admins about refused edits."""
        self.application = application
        self.url = url
        self.deliver = deliver
        self.primary = primary
        if not secret:  # the same derived secret as `policybot run --webhook-url` uses
            secret = token_secret(application.bot.token)
            log.info("no webhook secret configured: using one derived from the bot token")
        self.secret = secret
        self.path = "/" + (urlparse(url).path or "/").strip("/")

    def routes(self) -> list[BaseRoute]:
        webhook = TelegramWebhook(self.application, self.secret, self.path, self.deliver)
        return [Route(self.path, webhook, methods=["POST"])]

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Start the application, register the webhook with its secret, stop at shutdown. A
        start Telegram refuses (the token, the address) or that cannot reach it stops the
        server in one line, as it stops `run` (`refusal`)."""
        started = False
        try:
            async with running(self.application, self.primary):
                if self.primary:
                    await self.application.bot.set_webhook(
                        self.url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
                    )
                log.info("telegram webhook at %s", self.path)
                started = True
                yield
        except TelegramError as exc:
            said = refusal(exc)
            if said is None or started:
                raise
            raise Refused(said) from None
