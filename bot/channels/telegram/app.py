"""Building and running the Telegram application: long polling or a webhook server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from urllib.parse import urlparse

import uvicorn
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.app import Service, settle_heap
from bot.channels.batching import Batched
from bot.channels.limits import UserLimiter
from bot.channels.telegram import buttons, handlers, transport
from bot.channels.telegram.intake import Handle, Poller
from bot.channels.telegram.ordering import PerChatOrder
from bot.channels.telegram.retries import RetryingLimiter
from bot.channels.telegram.webhook import TelegramWebhook, token_secret
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
    (tests pass an offline one), aiohttp by default (bot.channels.telegram.transport)."""
    if request is not None:
        calls, polls = request, request
    else:
        calls, polls = transport.default_requests(settings.base_url)
    bot = transport.ReplyBot(
        settings.token,
        base_url=settings.base_url,
        request=calls,
        get_updates_request=polls,
        rate_limiter=RetryingLimiter(overall_max_rate=settings.send_rate),
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
    )
    app = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(PerChatOrder(settings.concurrency))
        .updater(None)  # updates come in through bot.channels.telegram.intake
        .build()
    )
    conversations = Conversations(service)
    app.bot_data.update(
        service=service,
        conversations=conversations,
        # questions ready in the same turn of the event loop answered together (the caches)
        answers=Batched(conversations.reply),
        settings=settings,
        limiter=limiter or UserLimiter(settings.user_limit),
    )
    add_handlers(app)
    return app


def add_handlers(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
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
    app.add_handler(CallbackQueryHandler(buttons.button))
    app.add_handler(InlineQueryHandler(handlers.inline))
    app.add_error_handler(handlers.on_error)


async def startup(app: Application, primary: bool = True) -> None:
    """Register the command menu users see next to the text box; start watching the knowledge.
    Of several workers on one webhook, every one watches (each reloads its own engine) but
    only the `primary` one registers the menu and tells admins about a refused edit."""
    if primary:
        await app.bot.set_my_commands(COMMANDS)
    settings: Settings = app.bot_data["settings"]
    service = app.bot_data["service"]
    tasks = [heartbeat(settings.heartbeat, service)]
    if settings.watch_interval > 0:
        notice = refused_notice(app) if primary else None
        tasks.append(Watcher(service, settings.watch_interval, notice).run())
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


def refusal(exc: BaseException) -> str | None:
    """What the operator must fix, in one line, when Telegram refuses what the bot starts with
    or cannot be reached once the start's retries are spent (`run` and `serve` say it instead
    of a traceback; probe21, probe22); None for any other failure. No line names the token."""
    if isinstance(exc, InvalidToken):
        return (
            "Telegram 不认这个 TELEGRAM_BOT_TOKEN：写错了，或已在 BotFather 撤销；"
            "请从 BotFather 重新复制"
        )
    if isinstance(exc, BadRequest):  # the start's calls (setWebhook, deleteWebhook)
        return f"Telegram 拒绝了启动时的请求：{exc.message}"
    if isinstance(exc, NetworkError):  # TimedOut among them
        return (
            f"连不上 Telegram 的 Bot API（{exc.message}）：请检查服务器的网络和防火墙；"
            "只能经代理访问时设置 HTTPS_PROXY，本地 Bot API 服务器设置 TELEGRAM_API_BASE_URL"
        )
    return None


@contextlib.asynccontextmanager
async def running(app: Application, primary: bool = True):
    """The application started with its background tasks (command menu, heartbeat, knowledge
    watcher; `startup`), and stopped cleanly on the way out."""
    try:
        await app.initialize()
    except Exception:
        # A start refused (a wrong token) leaves the bot's HTTP sessions open: the application
        # never counted as started, so its shutdown closes nothing ("Unclosed client session"
        # errors after the refusal; probe21).
        await app.bot.shutdown()
        raise
    async with app:
        await app.start()
        await startup(app, primary)
        try:
            yield app
        finally:
            await cleanup(app)
            await app.stop()


async def serve(
    app: Application,
    stop: asyncio.Event,
    webhook_url: str | None = None,
    listen: str = "0.0.0.0",
    port: int = 8443,
    secret_token: str | None = None,
    handle: Handle | None = None,
) -> None:
    """Take updates until `stop` is set: long polling, or a webhook server that only Telegram
    can use (without a configured secret, one derived from the token is registered). `handle`
    replaces handling each polled update here (`run --workers`: bot.channels.telegram.pool)."""
    async with running(app):
        if not webhook_url:
            log.info("long polling")
            await app.bot.delete_webhook()  # polling and a registered webhook exclude each other
            await Poller(app, handle=handle).run(stop)
            return
        if not secret_token:
            secret_token = token_secret(app.bot.token)
            log.info("no webhook secret configured: using one derived from the bot token")
        path = urlparse(webhook_url).path or "/"
        await app.bot.set_webhook(
            webhook_url, secret_token=secret_token, allowed_updates=Update.ALL_TYPES
        )
        config = uvicorn.Config(
            TelegramWebhook(app, secret_token, path),
            host=listen,
            port=port,
            lifespan="off",
            log_config=None,  # keep the bot's own logging (text or JSON lines)
            access_log=False,
        )
        server = uvicorn.Server(config)
        log.info("webhook mode on %s:%d", listen, port)
        serving = asyncio.create_task(server.serve())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        stopping.cancel()
        await serving


def run(
    settings: Settings,
    service: Service,
    webhook_url: str | None = None,
    listen: str = "0.0.0.0",
    port: int = 8443,
    handling: Callable[[Application], Handle] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly; `handling(app)`, when given, is what
    the poller does with each update (`serve`'s `handle`)."""
    knowledge = service.knowledge
    log.info("knowledge %s: %d entries", knowledge.version, len(knowledge.entries))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        app = build_application(settings, service)
        handle = handling(app) if handling is not None else None
        await serve(app, stop, webhook_url, listen, port, settings.webhook_secret, handle)

    settle_heap()  # the loaded knowledge and engine stay out of the collector's full passes
    asyncio.run(main())
    log.info("stopped")
