"""The Telegram webhook: an ASGI endpoint that only Telegram can use.

Whoever can post to a webhook without a secret can forge any update — an admin's `/stats`
answered into another chat. So there is never a webhook without a secret: `policybot run
--webhook-url` derives one from the bot token when none is configured (`token_secret`) and
registers it with `setWebhook`, and
every request is checked by `authenticate` before a byte of its body is read (constant-time
comparison; a refused request's connection is closed, so an unauthenticated 95 MB POST is
never read into memory), and a body is read only up to `MAX_BODY`.

`authenticate` and `TelegramWebhook` are what any server in front of the bot uses: `policybot
run --webhook-url` serves `TelegramWebhook` with uvicorn; a Starlette site can mount the same
ASGI app on its own port (`Mount("/telegram", app=TelegramWebhook(...))`) or call
`authenticate(request.headers.raw, secret)` itself.

The answer (200) goes back to Telegram only after the update has been handled: an update that
was in progress when the process died is sent again by Telegram, so a `kill -9` loses none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterable

from telegram.ext import Application

from bot.channels.telegram.intake import handle_update
from bot.ops.logsetup import Sparing

log = logging.getLogger(__name__)

SECRET_HEADER = b"x-telegram-bot-api-secret-token"
# Telegram's updates are a few kilobytes; the longest (a 4,096-character message with
# entities, a reply and a keyboard) stays far below this.
MAX_BODY = 1 << 20


def token_secret(token: str) -> str:
    """The webhook secret used when none is configured: derived from the bot token (HMAC), so
    every replica of the bot, and every restart, registers and expects the same one, and it is
    known only to whoever already holds the token. In the alphabet Telegram allows
    (A-Z a-z 0-9 _ -, up to 256 characters)."""
    digest = hmac.new(token.encode(), b"policybot telegram webhook secret", hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def authenticate(headers: Iterable[tuple[bytes, bytes]], secret: str) -> int | None:
    """The HTTP status to refuse a webhook request with, from its headers alone (ASGI's raw
    `(name, value)` byte pairs, lower-case names), or None to accept it: 403 without the
    right secret header, 413 when Content-Length says the body is over `MAX_BODY`."""
    if not secret:
        raise ValueError("a Telegram webhook is never served without a secret token")
    given, length = b"", b"0"
    for name, value in headers:
        if name.lower() == SECRET_HEADER:
            given = value
        elif name.lower() == b"content-length":
            length = value
    if not hmac.compare_digest(given, secret.encode()):
        return 403
    if not length.isdigit() or int(length) > MAX_BODY:
        return 413
    return None


async def read_body(receive: Callable[[], Awaitable[dict]], limit: int = MAX_BODY) -> bytes | None:
    """The request body, or None as soon as it grows past `limit` (chunked bodies have no
    Content-Length to check beforehand)."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


# What the webhook does with an accepted update (its body and what it reads as): returns once
# the update is handled. By default `handle_update` in this process; the workers of `serve
# --workers` pass each to the worker that owns its chat (bot.channels.telegram.routing).
Deliver = Callable[[bytes, object], Awaitable[None]]


class TelegramWebhook:
    """The ASGI app that receives Telegram's updates at `path` and handles each one."""

    def __init__(
        self, app: Application, secret: str, path: str = "/", deliver: Deliver | None = None
    ) -> None:
        if not secret:
            raise ValueError("a Telegram webhook is never served without a secret token")
        self.app, self.secret = app, secret
        self.refusals = Sparing(log)  # anyone may send a request without the secret
        self.path = "/" + path.strip("/")
        self.deliver = deliver or self.handle

    async def handle(self, body: bytes, raw: object) -> None:
        await handle_update(self.app, raw)

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            return
        if "/" + scope["path"].strip("/") != self.path:
            await respond(send, 404)
            return
        if scope["method"] != "POST":
            await respond(send, 405)
            return
        refused = authenticate(scope["headers"], self.secret)
        if refused:
            self.refusals.warning("webhook request refused (%d)", refused)
            await respond(send, refused, close=True)
            return
        body = await read_body(receive)
        if body is None:
            await respond(send, 413, close=True)
            return
        try:
            raw = json.loads(body)
        except ValueError:
            await respond(send, 400)
            return
        await self.deliver(body, raw)
        await respond(send, 200)


async def respond(send, status: int, close: bool = False) -> None:
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"0")]
    if close:  # do not read what is left of a refused request's body
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
