"""`serve`: the web server (API, chat widget, demo page, admin console), with Telegram's webhook
and the WeChat 公众号 endpoint on the same port when they are configured."""

from __future__ import annotations

import argparse

from bot.app import Service
from bot.channels.cli.common import EXIT_OK, CommandError, build, engine_cache, open_log
from bot.ops import logsetup as logs
from bot.settings import ConfigError, Settings


def register(add) -> None:
    served = add(
        "serve",
        cmd_serve,
        "运行网页服务：问答 API、聊天窗口，以及已配置的 Telegram webhook 和微信公众号",
    )
    served.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    served.add_argument("--port", type=int, default=8080, help="端口（默认 8080）")
    served.add_argument(
        "--telegram-webhook-url",
        metavar="URL",
        default=None,
        help="同时在此端口接收 Telegram webhook（默认 $TELEGRAM_WEBHOOK_URL；需要 "
        "TELEGRAM_BOT_TOKEN；TELEGRAM_WEBHOOK_SECRET 未设置时由令牌派生）",
    )


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGINT or SIGTERM: the API, the chat widget and demo page, the admin console
    under /admin, and Telegram's webhook and WeChat's /wechat if configured."""
    from bot.admin import Admin
    from bot.channels import console
    from bot.channels.web import server
    from bot.channels.wechat.server import routes as wechat_routes

    webhook_url = settings.telegram_webhook_url
    if webhook_url:
        try:
            settings = settings.with_token()
        except ConfigError as exc:
            raise CommandError(str(exc)) from exc
    cache = engine_cache(settings)
    engine = build(settings)  # fails before listening, with the knowledge errors listed
    logs.configure(settings.log_format, settings.token if webhook_url else "")
    log = open_log(settings, background=True)  # the event loop never waits for SQLite
    service = Service(settings.knowledge, engine, log, cache)
    if webhook_url:  # Telegram's own start-up runs the heartbeat and the knowledge watcher
        telegram = telegram_on_port(service, webhook_url, settings)
        routes, hooks = telegram.routes(), [telegram.running]
    else:
        routes, hooks = [], [server.upkeep(service, settings.heartbeat, settings.watch_interval)]
    admin = Admin(service, settings.db, settings.timezone)  # the admin console, under /admin
    routes = [*routes, *console.routes(admin)]
    if settings.wechat.enabled:
        routes = [*routes, *wechat_routes(service, settings.wechat)]
    try:
        app = server.build_server(service, settings.web, routes, hooks)
        server.serve(app, settings.web, args.host, args.port)
    finally:
        admin.close()
        log.close()
    return EXIT_OK


def telegram_on_port(service: Service, url: str, settings: Settings):
    """The Telegram channel as a route of the web server (`serve --telegram-webhook-url`)."""
    from bot.channels.telegram.app import build_application
    from bot.channels.telegram.shared_port import SharedPort

    return SharedPort(build_application(settings, service), url, settings.webhook_secret)
