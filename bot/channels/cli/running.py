"""Commands for running the bot: `run` (Telegram), `doctor` (ready to run?), `health` (alive?)."""

from __future__ import annotations

import argparse

from bot.channels.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    build,
    engine_cache,
    open_log,
)
from bot.ops import health
from bot.ops import logsetup as logs
from bot.settings import ConfigError, Settings


def register(add) -> None:
    run = add("run", cmd_run, "运行 Telegram 机器人（需要 TELEGRAM_BOT_TOKEN）")
    run.add_argument(
        "--webhook-url", metavar="URL", help="用 webhook 代替长轮询：Telegram 访问的公网地址"
    )
    run.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    run.add_argument("--port", type=int, default=8443, help="webhook 端口（默认 8443）")
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
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    cache = engine_cache(settings)
    engine = build(settings)  # fails before connecting, with the errors listed
    logs.configure(settings.log_format, settings.token)
    log = open_log(settings, background=True)
    try:
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
