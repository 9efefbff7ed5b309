"""The ceiling for bench/telegram_load.py: the least a python-telegram-bot bot can do per message.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=... POLICYBOT_CONCURRENCY=4 python bench/echo_bot.py

It long-polls like `policybot run`, with the same concurrency and the same HTTP transport
(ECHO_TRANSPORT: `aiohttp`, policybot's, or `httpx`, python-telegram-bot's default), and
answers every text message with its own text: no matching, no log, no rendering. What policybot
does per reply on top of that is what the load benchmark's ratio measures.

ECHO_LEAN=1 runs it on policybot's `ReplyBot`, which does not turn Telegram's echo of each
sent message into a `Message` (plain python-telegram-bot does): the stricter ceiling, since
policybot skips that work too.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.channels.telegram.transport import ReplyBot, default_requests


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text)


def main() -> None:
    token, base_url = os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_BASE_URL"]
    concurrency = int(os.environ.get("POLICYBOT_CONCURRENCY", "4"))
    app = ApplicationBuilder().concurrent_updates(concurrency)
    aiohttp = os.environ.get("ECHO_TRANSPORT", "aiohttp") == "aiohttp"
    calls, polls = default_requests(base_url) if aiohttp else (None, None)  # None: PTB's httpx
    if os.environ.get("ECHO_LEAN"):
        app = app.bot(ReplyBot(token, base_url=base_url, request=calls, get_updates_request=polls))
    else:
        app = app.token(token).base_url(base_url)
        if calls is not None:
            app = app.request(calls).get_updates_request(polls)
    app = app.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
