"""A console to test against: a copy of the knowledge, a log with gap traffic, two accounts,
and the console's routes in a Starlette app of their own (as `policybot serve` mounts them)."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.admin import Admin
from bot.app import Request, Service
from bot.channels.console import routes
from bot.channels.console.auth import Sessions, Throttle
from bot.log.accounts import EDITOR, REVIEWER
from bot.log.store import HELPFUL, UNHELPFUL, Exchange, Feedback
from bot.log.writer import ExchangeLog
from tests.support.paths import KNOWLEDGE

# Test accounts; a cheap hash keeps logging in fast (deployments keep argon2-cffi's defaults).
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
EDITOR_LOGIN = ("wang", "editor password 1")
REVIEWER_LOGIN = ("li", "reviewer password 1")
DB = Path("data") / "policybot.sqlite3"  # beside the knowledge folder, as in a deployment
# A paraphrase of the 3月 trip entry that the engine refuses until it is taught (kept in step
# with the engine: a question it learns to answer unaided no longer shows teaching at work)
TAUGHT = "领导三月出去拉投资去了哪"
# Gap traffic: (question, times asked, by how many users)
TRAFFIC = [
    ("今天天气怎么样", 4),
    ("明天天气如何", 2),
    ("抚远在哪", 3),
    (TAUGHT, 3),
    ("公积金怎么提取", 2),
]
# Earlier days' traffic for the dashboard: (days ago, question, times)
EARLIER = [
    (1, "复工复产去哪个窗口办理", 5),
    (1, "信用修复怎么办", 2),
    (2, "复工复产去哪个窗口办理", 3),
    (2, "黑瞎子岛门票多少钱", 2),
    (3, "办事不求人是什么", 4),
    (4, "放管服里的放怎么放的", 2),
    (5, "复工复产有绿色通道吗", 3),
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
    db = folder / DB
    log = ExchangeLog.open(db, salt="test")
    service = Service.open(knowledge, log)
    for question, times in TRAFFIC:
        for user in range(times):
            service.ask(Request(question, "web", user=f"user-{user}"))
    earlier(service, log)
    site = opened(service, log, throttle, idle)
    site.admin.accounts.add(*EDITOR_LOGIN[:1], EDITOR, EDITOR_LOGIN[1])
    site.admin.accounts.add(*REVIEWER_LOGIN[:1], REVIEWER, REVIEWER_LOGIN[1])
    return site


def opened(
    service: Service, log: ExchangeLog, throttle: Throttle | None, idle: float
) -> ConsoleSite:
    """The console's routes over `service`, its log and the accounts in that log."""
    db = service.directory.parent / DB
    admin = Admin(service, db, ZoneInfo("Asia/Shanghai"), CHEAP)
    sessions = Sessions(idle=idle)
    app = Starlette(routes=routes(admin, sessions, throttle or Throttle()))
    return ConsoleSite(app, admin, service, log, service.directory, sessions)


class SeededConsole:
    """One console site seeded once, handed out afresh to each test: before each, its folder
    (knowledge and log) is put back as seeded, and a new service, admin and sessions are opened
    over it, sharing the engine built at seeding. Seeding (building the engine, asking the
    traffic) took most of a console test's time. The folder stays at one path because the
    engine's entries name their files by path; a test that edits the knowledge gets a new engine
    from the service's reload, and the shared one is never changed."""

    def __init__(self, folder: Path) -> None:
        self.live = folder / "site"
        self.seeded = folder / "seeded"
        site = console_site(self.live)
        self.engine = site.service.engine
        site.close()
        shutil.copytree(self.live, self.seeded)

    def fresh(self, throttle: Throttle | None = None, idle: float = 1800) -> ConsoleSite:
        """A site as just seeded; close it before asking for the next one."""
        shutil.rmtree(self.live)
        shutil.copytree(self.seeded, self.live)
        log = ExchangeLog.open(self.live / DB, salt="test")
        return opened(Service(self.live / "knowledge", self.engine, log), log, throttle, idle)


def earlier(service: Service, log: ExchangeLog) -> None:
    """Exchanges of the last days, written with their past times, and a few votes."""
    now = dt.datetime.now(dt.UTC)
    for days, question, times in EARLIER:
        answer = service.engine.answer(question)
        for number in range(times):
            at = (now - dt.timedelta(days=days, minutes=number)).isoformat(timespec="milliseconds")
            exchange = Exchange(
                id=f"past-{days}-{number}-{len(question)}",
                at=at,
                channel="web",
                chat_type="private",
                user_key=f"past-user-{number}",
                question=question,
                status=answer.status,
                entry_id=answer.entry_id,
                score=answer.score,
                candidates=[],
                latency_ms=1.0,
                knowledge_version=service.engine.knowledge.version,
            )
            log.store.add_exchange(exchange)
            if answer.entry_id and number < 2:
                kind = HELPFUL if number == 0 else UNHELPFUL
                log.store.add_feedback(Feedback(exchange.id, at, kind, answer.entry_id, None))


def csrf_of(html: str) -> str:
    """The CSRF token a console page's form carries."""
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client: TestClient, who: tuple[str, str] = EDITOR_LOGIN) -> str:
    """Log in; returns the session's CSRF token."""
    form = client.get("/admin/login")
    reply = client.post(
        "/admin/login",
        data={"csrf": csrf_of(form.text), "name": who[0], "password": who[1], "next": "/admin/"},
    )
    assert reply.status_code == 303, reply.text
    return csrf_of(client.get("/admin/").text)


def gap_key(client: TestClient, question: str, tab: str = "open") -> str | None:
    page = client.get(f"/admin/gaps?tab={tab}").text
    for key, body in re.findall(r'<article class="gap" id="gap-(\w+)">(.*?)</article>', page, re.S):
        if question in body:
            return key
    return None


def edit_form(client: TestClient, entry_id: str) -> dict:
    page = client.get(f"/admin/entries/{entry_id}").text
    values = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page))
    values.update(re.findall(r'<input id="f-\w+" name="(\w+)" value="([^"]*)"', page))
    for name, text in re.findall(
        r'<textarea id="f-\w+" name="(\w+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        values[name] = text
    values["document"] = re.search(r'<option value="([^"]+)" selected>', page).group(1)
    return {k: html.unescape(v) for k, v in values.items()}


SHEET = (
    "问题,答案,分类\n营业执照补办要带什么,带身份证原件到政务服务中心综合窗口办理。,证照办理\n,没有问题的一行,\n"
).encode()
POLICY = (
    "关于优化营商环境的若干措施\n\n第一条 企业开办时间压缩至1个工作日以内。\n\n第二条 推行“一网通办”。\n"
).encode()


def files_of(site) -> dict[str, bytes]:
    return {
        str(p.relative_to(site.knowledge)): p.read_bytes()
        for p in sorted(site.knowledge.rglob("*"))
        if p.is_file()
    }


def sheet(client, token, name="部门问答.csv", data=SHEET):
    return client.post(
        "/admin/import/sheet", data={"csrf": token}, files={"file": (name, data, "text/csv")}
    )


def document(client, token, name="营商环境措施.txt", data=POLICY, **fields):
    return client.post(
        "/admin/import/document",
        data={"csrf": token, **fields},
        files={"file": (name, data, "text/plain")},
    )
