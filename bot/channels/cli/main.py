"""Parsing: the global options, accepted before or after the subcommand, and the dispatch."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bot import __version__
from bot.channels.cli import (
    accounts,
    answering,
    authoring,
    reports,
    running,
    terminal,
    web,
    wechat,
)
from bot.channels.cli.common import EXIT_CRASH, EXIT_OK, EXIT_USAGE, CommandError, Handler
from bot.ops import logsetup as logs
from bot.settings import LOG_FORMATS, Settings

# Each registers its subcommands, in the order `--help` lists them.
COMMAND_MODULES = (answering, terminal, reports, authoring, running, web, wechat, accounts)


def global_options() -> argparse.ArgumentParser:
    """Options every subcommand takes, before or after its name (`policybot --db X health` and
    `policybot health --db X` alike). SUPPRESS keeps an option given before the subcommand from
    being reset by the subcommand's parser when it is not repeated there."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--knowledge",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="知识库目录（默认 $POLICYBOT_KNOWLEDGE 或 ./knowledge）",
    )
    options.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="交流记录数据库（默认 $POLICYBOT_DB 或 ./data/policybot.sqlite3）；"
        "心跳文件和引擎缓存放在它旁边",
    )
    options.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default=argparse.SUPPRESS,
        help="日志格式：text 或 json（每行一个 JSON；默认 $POLICYBOT_LOG_FORMAT 或 text）",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    common = global_options()
    parser = argparse.ArgumentParser(
        prog="policybot",
        description="营商环境政策问答机器人：从 YAML 知识库回答企业的问题。",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"policybot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, parents=[common])
        sub.set_defaults(handler=handler)
        return sub

    for module in COMMAND_MODULES:
        module.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    settings = Settings.resolve_all(vars(args), os.environ)
    json_lines = settings.log_format == "json"
    try:
        if settings.problems and args.command != "doctor":  # doctor lists them all
            raise CommandError(settings.problems[0][1])
        return args.handler(args, settings)
    except CommandError as exc:
        message = f"policybot: {exc}"
        print(logs.fatal_line(message) if json_lines else message, file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `policybot ask --jsonl | head` closing early is not an error
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        if not json_lines:
            raise  # a person reading a terminal gets the usual traceback
        print(logs.fatal_line(f"policybot: {exc!r}", exc, settings.token), file=sys.stderr)
        return EXIT_CRASH
