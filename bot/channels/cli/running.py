"""Commands for running the bot: `run` (Telegram), `doctor` (ready to run?), `health` (alive?)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.channels.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    build,
    engine_cache,
    forked,
    open_log,
    worker_count,
)
from bot.ops import health
from bot.ops import logsetup as logs
from bot.settings import ConfigError, Settings, webhook_url

if TYPE_CHECKING:
    from bot.engine.core import Engine


def register(add) -> None:
    run = add("run", cmd_run, "运行 Telegram 机器人（需要 TELEGRAM_BOT_TOKEN）")
    run.add_argument(
        "--webhook-url", metavar="URL", help="用 webhook 代替长轮询：Telegram 访问的公网地址"
    )
    run.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    run.add_argument("--port", type=int, default=8443, help="webhook 端口（默认 8443）")
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="长轮询时回答的进程数（默认 $POLICYBOT_WORKERS，未设置时为 1：本进程既取更新也回答）。"
        "大于 1 时由 N 个子进程回答（每个聊天固定由一个进程回答），本进程只取更新；"
        "每个进程要有一个空闲的 CPU 核才划算",
    )
    run.add_argument(
        "--secret-token",
        metavar="S",
        help="webhook 密钥（默认 $TELEGRAM_WEBHOOK_SECRET），Telegram 放在请求头里",
    )

    add("doctor", cmd_doctor, "检查令牌、知识库和交流记录是否就绪")
    healthy = add("health", cmd_health, "检查运行中的机器人是否存活（容器 HEALTHCHECK 用）")
    healthy.add_argument("--max-age", type=float, default=health.MAX_AGE, metavar="SECONDS")


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot until SIGINT/SIGTERM: long polling, or a webhook server."""
    # Here, not at the top: `health` and `doctor` share this module and need neither the
    # engine (bot.app) nor python-telegram-bot.
    from bot.app import Service
    from bot.channels.telegram.app import run

    try:
        settings = settings.with_token()
        args.webhook_url = webhook_url(args.webhook_url or "", settings.base_url, "--webhook-url")
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    workers = worker_count(args.workers if args.workers is not None else settings.workers)
    if workers > 1 and args.webhook_url:
        raise CommandError(
            "--workers 只用于长轮询；webhook 请用 policybot serve --workers N "
            "--telegram-webhook-url URL"
        )
    cache = engine_cache(settings)
    # Fails before connecting, with the errors listed; readied before it serves (and before
    # forking workers, which share it).
    engine = build(settings, ready=True)
    logs.configure(settings.log_format, settings.token)
    if workers > 1:
        return run_workers(settings, engine, workers)
    log = open_log(settings, background=True)
    try:
        with refusals():
            run(
                settings,
                Service(settings.knowledge, engine, log, cache),
                webhook_url=args.webhook_url,
                listen=args.listen,
                port=args.port,
            )
    finally:
        log.close()
    return EXIT_OK


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """Telegram refusing what the bot starts with, in one line: a wrong or revoked token ended
    `run` in a traceback whose last line printed the token, outside the log's filter (probe21);
    a webhook address Telegram cannot reach, in setWebhook's traceback; a Bot API it cannot
    connect to (no network, a proxy needed), in a traceback of 100 lines (probe22)."""
    from telegram.error import TelegramError

    from bot.channels.telegram.app import refusal

    try:
        yield
    except TelegramError as exc:
        refused = refusal(exc)
        if refused is None:
            raise
        raise CommandError(refused) from None


def run_workers(settings: Settings, engine: Engine, workers: int) -> int:
    """`run --workers N`: long polling here, each chat answered by one of N forked workers
    (bot.channels.telegram.pool), so answers use every core."""
    from bot.app import Service, settle_heap
    from bot.channels.telegram.app import build_application, run
    from bot.channels.telegram.pool import answer_chats, passing_on
    from bot.channels.telegram.routing import Sockets

    # The log's schema is made here, once: workers making it at the same moment collide.
    open_log(settings).close()
    chats = Sockets(workers)
    # Each worker watches the read end and stops when this process closes the write end.
    watched, alive = os.pipe()
    # The global send rate is shared out: the workers send the replies.
    share = replace(settings, send_rate=settings.send_rate / workers)
    settle_heap()  # before forking: the workers then share the engine's pages, unscanned

    def worker(me: int) -> int:
        os.close(alive)
        chats.keep(me)
        log = open_log(settings, background=True)
        try:
            service = Service(settings.knowledge, engine, log, engine_cache(settings))
            app = build_application(share, service)
            asyncio.run(answer_chats(app, chats, me, watched))
        finally:
            log.close()
        return EXIT_OK

    children = forked(workers, worker)
    os.close(watched)
    chats.keep(None)
    # Here too an engine and a log: this process answers the chats of a worker that died.
    log = open_log(settings, background=True)
    try:
        service = Service(settings.knowledge, engine, log, engine_cache(settings))
        with refusals():
            run(settings, service, handling=lambda app: passing_on(app, chats))
    finally:
        log.close()
        os.close(alive)  # every update is handled: the workers stop
        failed = sum(os.waitstatus_to_exitcode(os.waitpid(c, 0)[1]) != 0 for c in children)
        chats.close()
    return EXIT_OK if not failed else 1


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Check the token, the knowledge and the log database; print the configuration masked."""
    from bot.ops.doctor import diagnose  # the knowledge reader, which `health` does not need

    print("生效的配置：")
    for name, value in settings.masked().items():
        print(f"  {name}={value}")
    print()
    findings = diagnose(settings)
    for finding in findings:
        print(finding)
    return EXIT_OK if all(f.ok for f in findings) else EXIT_PROBLEMS


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """For HEALTHCHECK and monitoring: is the running bot's heartbeat fresh?"""
    ok, message = health.check(settings.heartbeat, args.max_age)
    print(message)
    return EXIT_OK if ok else EXIT_PROBLEMS
