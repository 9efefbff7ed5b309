"""A console to test against: a copy of the knowledge, a log with gap traffic, two accounts,
and the console's routes in a Starlette app of their own (as `policybot serve` mounts them)."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from starlette.applications import Starlette

from bot.admin import Admin
from bot.app import Request, Service
from bot.channels.console import routes
from bot.channels.console.auth import Sessions, Throttle
from bot.log.accounts import EDITOR, REVIEWER
from bot.log.store import ExchangeLog
from tests.support.paths import KNOWLEDGE

# Test accounts; a cheap hash keeps logging in fast (deployments keep argon2-cffi's defaults).
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
EDITOR_LOGIN = ("wang", "editor password 1")
REVIEWER_LOGIN = ("li", "reviewer password 1")
# Gap traffic: (question, times asked, by how many users)
TRAFFIC = [
    ("今天天气怎么样", 4),
    ("明天天气如何", 2),
    ("抚远在哪", 3),
    ("3月份招商去了山东哪几个城市", 3),
    ("公积金怎么提取", 2),
]


@dataclass
class ConsoleSite:
    app: Starlette
    admin: Admin
    service: Service
    log: ExchangeLog
    knowledge: Path
    sessions: Sessions

    def close(self) -> None:
        self.admin.close()
        self.log.close()


def console_site(folder: Path, throttle: Throttle | None = None, idle: float = 1800) -> ConsoleSite:
    knowledge = folder / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    db = folder / "data" / "policybot.sqlite3"
    log = ExchangeLog.open(db, salt="test")
    service = Service.open(knowledge, log)
    for question, times in TRAFFIC:
        for user in range(times):
            service.ask(Request(question, "web", user=f"user-{user}"))
    admin = Admin(service, db, ZoneInfo("Asia/Shanghai"), CHEAP)
    admin.accounts.add(*EDITOR_LOGIN[:1], EDITOR, EDITOR_LOGIN[1])
    admin.accounts.add(*REVIEWER_LOGIN[:1], REVIEWER, REVIEWER_LOGIN[1])
    sessions = Sessions(idle=idle)
    app = Starlette(routes=routes(admin, sessions, throttle or Throttle()))
    return ConsoleSite(app, admin, service, log, knowledge, sessions)


def today() -> str:
    return dt.date.today().isoformat()
