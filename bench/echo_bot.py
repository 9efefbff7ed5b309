"""The ceiling for bench/telegram_load.py: the least a python-telegram-bot bot can do per message.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=... POLICYBOT_CONCURRENCY=4 python bench/echo_bot.py

It long-polls like `policybot run`, with the same concurrency and the same HTTP transport
(ECHO_TRANSPORT: `aiohttp`, policybot's, or `httpx`, python-telegram-bot's default), and
answers every text message with its own text: no matching, no log, no rendering. What policybot
does per reply on top of that is what the load benchmark's ratio measures.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.channels.telegram.transport import default_requests


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text)


def main() -> None:
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .concurrent_updates(int(os.environ.get("POLICYBOT_CONCURRENCY", "4")))
    )
    if os.environ.get("ECHO_TRANSPORT", "aiohttp") == "aiohttp":
        calls, polls = default_requests()
        app = app.request(calls).get_updates_request(polls)
    app = app.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
