"""Building and running the Telegram application: long polling or a webhook server."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.app import Service
from bot.channels.telegram import handlers
from bot.channels.telegram.limits import UserLimiter
from bot.channels.telegram.ordering import PerChatOrder
from bot.channels.telegram.retries import RetryingLimiter
from bot.conversation import Conversations
from bot.ops.health import heartbeat
from bot.ops.watch import Watcher
from bot.settings import Settings

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "开始，浏览主题"),
    BotCommand("topics", "按主题浏览问题"),
    BotCommand("help", "使用说明"),
    BotCommand("about", "知识来源和日期"),
]
NOT_TEXT = (
    filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.Sticker.ALL
    | filters.Document.ALL
    | filters.LOCATION
    | filters.CONTACT
    | filters.ANIMATION
)


def build_application(
    settings: Settings,
    service: Service,
    request: BaseRequest | None = None,
    limiter: UserLimiter | None = None,
) -> Application:
    """The application with every handler registered; `request` replaces the HTTP transport
    (tests pass an offline one)."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .rate_limiter(RetryingLimiter(overall_max_rate=settings.send_rate))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(PerChatOrder(settings.concurrency))
        .post_init(startup)
        .post_shutdown(cleanup)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    app.bot_data.update(
        service=service,
        conversations=Conversations(service),
        settings=settings,
        limiter=limiter or UserLimiter(settings.user_limit),
    )
    add_handlers(app)
    return app


def add_handlers(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    app.add_handler(TypeHandler(Update, handlers.limit_users), group=-1)
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler("help", handlers.help_command))
    app.add_handler(CommandHandler("topics", handlers.topics))
    app.add_handler(CommandHandler("about", handlers.about))
    app.add_handler(CommandHandler("reload", handlers.reload))
    app.add_handler(CommandHandler("stats", handlers.stats))
    app.add_handler(CommandHandler("gaps", handlers.gaps))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT, handlers.question))
    app.add_handler(MessageHandler(groups & filters.TEXT, handlers.group_question))
    app.add_handler(MessageHandler(private & NOT_TEXT, handlers.not_text))
    app.add_handler(CallbackQueryHandler(handlers.button))
    app.add_handler(InlineQueryHandler(handlers.inline))
    app.add_error_handler(handlers.on_error)


async def startup(app: Application) -> None:
    """Register the command menu users see next to the text box; start watching the knowledge."""
    await app.bot.set_my_commands(COMMANDS)
    settings: Settings = app.bot_data["settings"]
    service = app.bot_data["service"]
    tasks = [heartbeat(settings.heartbeat, service)]
    if settings.watch_interval > 0:
        tasks.append(Watcher(service, settings.watch_interval, refused_notice(app)).run())
    app.bot_data["background"] = [asyncio.create_task(task) for task in tasks]


async def cleanup(app: Application) -> None:
    for task in app.bot_data.pop("background", []):
        task.cancel()
    await asyncio.sleep(0)  # let them run their `finally` (the heartbeat removes its file)


def refused_notice(app: Application):
    """What the watcher does with a refused edit: tell every admin, once per edit."""

    async def notify(problems: list) -> None:
        await handlers.notify_admins(
            app.bot, app.bot_data["settings"], app.bot_data["service"], problems
        )

    return notify


def run(
    settings: Settings,
    service: Service,
    webhook_url: str | None = None,
    listen: str = "0.0.0.0",
    port: int = 8443,
) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly (python-telegram-bot handles both)."""
    app = build_application(settings, service)
    knowledge = service.knowledge
    log.info("knowledge %s: %d entries", knowledge.version, len(knowledge.entries))
    if webhook_url:
        log.info("webhook mode on %s:%d", listen, port)
        app.run_webhook(
            listen=listen,
            port=port,
            url_path=urlparse(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        log.info("long polling")
        app.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=5)
    log.info("stopped")
