"""`serve`: the web server (API, chat widget, demo page, admin console), with Telegram's webhook
and the WeChat 公众号 endpoint on the same port when they are configured."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.channels.cli.common import (
    EXIT_OK,
    CommandError,
    build,
    engine_cache,
    forked,
    log_error,
    open_log,
    worker_count,
)
from bot.ops import logsetup as logs
from bot.settings import ConfigError, Settings

if TYPE_CHECKING:  # the engine and the web server load when serving, not for every command
    from bot.app import Service
    from bot.channels.telegram.routing import Sockets
    from bot.channels.web.server import Share
    from bot.engine.core import Engine


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
    served.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="进程数（默认 1）。大于 1 时多个进程共用一个端口，提供问答 API、聊天窗口和 "
        "Telegram webhook（每个聊天固定由一个进程回答）；管理后台和微信公众号的会话只在一个进程里，"
        "请另开一个单进程的 serve",
    )


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGINT or SIGTERM: the API, the chat widget and demo page, the admin console
    under /admin, and Telegram's webhook and WeChat's /wechat if configured."""
    from bot.admin import Admin
    from bot.app import Service
    from bot.channels import console
    from bot.channels.web import server
    from bot.channels.wechat.server import routes as wechat_routes

    args.workers = worker_count(args.workers)
    webhook_url = settings.telegram_webhook_url
    if webhook_url:
        try:
            settings = settings.with_token()
        except ConfigError as exc:
            raise CommandError(str(exc)) from exc
    if args.workers > 1:
        if settings.wechat.enabled:
            raise CommandError(
                "--workers 大于 1 时不能同时接收微信公众号消息：它的去重只在一个进程里。"
                "请用单进程的 serve 运行这个渠道。"
            )
        return serve_workers(args, settings)
    cache = engine_cache(settings)
    engine = build(settings, ready=True)  # fails before listening, with the knowledge errors listed
    logs.configure(settings.log_format, settings.token if webhook_url else "")
    log = open_log(settings, background=True)  # the event loop never waits for SQLite
    service = Service(settings.knowledge, engine, log, cache)
    if webhook_url:  # Telegram's own start-up runs the heartbeat and the knowledge watcher
        telegram = telegram_on_port(service, webhook_url, settings)
        routes, hooks = telegram.routes(), [telegram.running]
    else:
        routes, hooks = [], [server.upkeep(service, settings.heartbeat, settings.watch_interval)]
    try:  # the admin console, under /admin
        admin = Admin(service, settings.db, settings.timezone)
    except sqlite3.Error as exc:  # a new log held by another process past the 5 s waited (probe20)
        log.close()
        raise log_error(settings, exc) from exc
    routes = [*routes, *console.routes(admin)]
    if settings.wechat.enabled:
        routes = [*routes, *wechat_routes(service, settings.wechat, settings.user_limit)]
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


def telegram_worker(service: Service, settings: Settings, chats: Sockets, me: int):
    """The Telegram channel in worker `me` of `serve --workers`: it answers the chats it owns
    and passes the others' updates to their owners (`bot.channels.telegram.routing`); worker 0
    registers the webhook. Returns the channel and the hook that takes passed-on updates."""
    from bot.channels.telegram.app import build_application
    from bot.channels.telegram.intake import handle_update
    from bot.channels.telegram.routing import Router
    from bot.channels.telegram.shared_port import SharedPort

    # Telegram limits the bot's sends, not each process's: the workers share the send rate.
    shared = replace(settings, send_rate=settings.send_rate / len(chats.paths))
    application = build_application(shared, service)

    async def handle(update: object) -> None:
        await handle_update(application, update)

    router = Router(chats, me, handle)
    url, secret = settings.telegram_webhook_url or "", settings.webhook_secret
    return SharedPort(application, url, secret, router.deliver, primary=me == 0), router.serving


def serve_workers(args: argparse.Namespace, settings: Settings) -> int:
    """`serve --workers N`: N processes answering on one port, each new connection taken by
    the one with the fewest open (`bot.channels.web.balance`), so answers use every core; a
    process answers on one.

    The API, the widget and Telegram's webhook are served: what the API keeps in a process is
    a cache or a limit (the rate limit counts per process, so a client may ask N times the
    configured rate; a 都不是 sent by exchange id to a process that did not offer the list gets
    the fallback without near topics); each Telegram chat is answered by one worker, whichever
    worker Telegram's connection reaches (`bot.channels.telegram.routing`). The admin console's
    sessions and WeChat's retry dedupe would break across processes, so those run in a
    single-process `serve`."""
    from bot.app import settle_heap
    from bot.channels.telegram.routing import Sockets
    from bot.channels.web import server
    from bot.channels.web.balance import Connections

    # Built before listening, so knowledge errors come first, and once: each worker starts
    # with this engine (copy-on-write memory, nothing to build or read again). Saved here, not
    # by a child of its own: the loop below takes any child's exit for a worker's.
    engine = build(settings, aside=False, ready=True)  # (readied once: shared by the workers)
    webhook = settings.telegram_webhook_url
    logs.configure(settings.log_format, settings.token if webhook else "")
    # The log's schema is made here, once: workers making it at the same moment collide, and
    # the loser's log is held until its first retry (with an error line).
    open_log(settings).close()
    listening = server.listen(args.host, args.port)
    connections = Connections(args.workers)  # each worker accepts its share (least open first)
    chats = Sockets(args.workers) if webhook else None  # how workers pass updates to owners
    settle_heap()  # before forking: the workers then share the engine's pages, unscanned

    def worker(me: int) -> int:
        if chats is not None:
            chats.keep(me)
        return serve_one(listening, settings, engine, (connections, me), chats)

    children = forked(args.workers, worker)
    listening.close()
    if chats is not None:
        chats.keep(None)

    running = set(children)

    def stop(signum: int, frame: object) -> None:
        # Only workers not yet waited for: a dead one's pid is gone (or another process's), and
        # failing on it left the workers after it running, unstopped and unwaited.
        for child in running:
            with contextlib.suppress(ProcessLookupError):  # exited, not yet waited for
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    failed = 0
    for _ in children:
        child, status = os.wait()
        running.discard(child)
        connections.gone(children.index(child))  # the others stop waiting for its turn
        failed += os.waitstatus_to_exitcode(status) != 0
    if chats is not None:
        chats.close()
    return EXIT_OK if not failed else 1


def serve_one(
    listening: socket.socket,
    settings: Settings,
    engine: Engine,
    share: Share,
    chats: Sockets | None = None,
) -> int:
    """One worker of `serve --workers`: its own log writer, server and reloads; it accepts
    its `share` of the connections on `listening`, and with Telegram's webhook answers the
    chats it owns, taking their updates from the other workers over `chats`."""
    from bot.app import Service
    from bot.channels import console
    from bot.channels.web import server

    log = open_log(settings, background=True)
    service = Service(settings.knowledge, engine, log, engine_cache(settings))
    routes = console.elsewhere()  # (the console's sessions live in a single-process serve)
    if chats is None:
        hooks = [server.upkeep(service, settings.heartbeat, settings.watch_interval)]
    else:  # Telegram's own start-up runs the heartbeat and the knowledge watcher
        telegram, passed_on = telegram_worker(service, settings, chats, share[1])
        routes, hooks = [*routes, *telegram.routes()], [telegram.running, passed_on]
    try:
        app = server.build_server(service, settings.web, routes, hooks)
        server.serve(app, settings.web, sock=listening, share=share)
    finally:
        log.close()
    return EXIT_OK
