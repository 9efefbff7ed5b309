"""`admin`: the web console's accounts (bot.log.accounts)."""

from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys

from bot.channels.cli.common import EXIT_OK, CommandError, log_error
from bot.log.accounts import REVIEWER, ROLES, AccountError, Accounts
from bot.settings import Settings


def register(add) -> None:
    admin = add("admin", cmd_admin, "管理后台账号（密码从终端或标准输入读取）")
    admin.add_argument("action", choices=("add-user", "list-users", "remove-user"))
    admin.add_argument("name", nargs="?", help="用户名")
    admin.add_argument("--role", choices=tuple(ROLES), default=REVIEWER, help="editor 或 reviewer")
    admin.add_argument("--reset", action="store_true", help="用户已存在时重设角色和密码")


def cmd_admin(args: argparse.Namespace, settings: Settings) -> int:
    """Console accounts: add (or reset), list, remove. Passwords never come from arguments,
    where they would stay in the shell history and in `ps` for everyone to read."""
    if args.action != "list-users" and not args.name:
        raise CommandError(f"请给出用户名：policybot admin {args.action} 名字")
    try:
        accounts = Accounts(settings.db)
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"无法打开数据库 {settings.db}: {exc}") from exc
    try:
        if args.action == "list-users":
            for account in accounts.all():
                print(f"{account.name}\t{account.role}\t{account.created[:19]}")
        elif args.action == "remove-user":
            name = accounts.known(args.name)
            if not accounts.remove(name):
                raise CommandError(f"没有用户 “{args.name}”")
            print(f"已删除用户 {name}")
        else:
            added = accounts.add(args.name, args.role, read_password(), replace=args.reset)
            print(f"已{'重设' if args.reset else '添加'}用户 {added.name}（{ROLES[args.role]}）")
    except AccountError as exc:
        raise CommandError(str(exc)) from exc
    except sqlite3.Error as exc:  # held locked past the 5 s it waits: was a traceback
        raise log_error(settings, exc) from exc
    finally:
        accounts.close()
    return EXIT_OK


def read_password() -> str:
    """Typed twice at a terminal (not echoed), or one line from standard input for scripts."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise CommandError("两次输入的密码不一样")
    return first
