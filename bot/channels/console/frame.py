"""What every console page shares: the `Console` (templates, security headers), `page()`, the
guard every page but the login stands behind, the upload limit, the periods pages show, and
the redirect after a form.

Every page but the login needs a session; every POST needs the session's CSRF token; every page
that changes knowledge needs the editor role. Those three checks live in `page()`, so no handler
can forget one. Templates are Jinja2 with autoescaping, so no knowledge or user text can become
markup, and the Content-Security-Policy allows only this server's own stylesheet besides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.admin import Admin, Forbidden
from bot.channels.console.auth import COOKIE, Sessions, Throttle, same_token
from bot.log.changes import ACTIONS, FILE_ACTIONS
from bot.log.reports import STATUS_NAMES
from bot.log.stats import local_time
from bot.log.triage import STATES

HERE = Path(__file__).parent
PREFIX = "/admin"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# A HEAD is a GET without the page (Starlette routes it with every GET): an uptime check's
# `curl -I` of the login page got the 403 of a stale login form, and of any page a 401 (probe18).
READING = ("GET", "HEAD")

HEADERS = {
    "content-security-policy": CSP,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
PERIODS = {"7d": "最近 7 天", "30d": "最近 30 天", "90d": "最近 90 天", "365d": "最近一年"}
# The entry's fields as the editor names them (in the change history too).
LABELS = {
    "id": "id",
    "category": "分类",
    "question": "标准问",
    "similar": "相似问",
    "answer": "答案",
    "document": "来源文档",
    "quote": "引文",
    "keywords": "关键词",
    "related": "相关条目",
    "review_by": "复核日期",
}
# Uploads (a sheet to import, a document to add) are refused above this, before being read.
MAX_UPLOAD = 10 * 2**20
# A form sent without a session, or with an ended one's token, is read back to its sender
# (`typed`) if plain (`FORM`, not an upload) and up to this size (an entry's form: a few KB).
FORM = "application/x-www-form-urlencoded"
KEPT_BYTES = 64 * 1024
WHY = {"focus": "问题焦点", "uncovered": "条目没有覆盖的词", "check": "检查细节"}


@dataclass
class Console:
    admin: Admin
    sessions: Sessions
    throttle: Throttle
    secure: bool = False  # Secure cookies even when the request looks like plain HTTP

    def __post_init__(self) -> None:
        # Password checks running at once: each Argon2id check holds 64 MiB and a core for a
        # while, so wrong logins sent together from many addresses queue here instead of
        # taking the server's memory (40 at once peaked at 2.2 GB).
        self.checking = asyncio.Semaphore(2)
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.templates.globals.update(
            STATUS_NAMES=STATUS_NAMES,
            STATES=STATES,
            ACTIONS=ACTIONS,
            FILE_ACTIONS=FILE_ACTIONS,
            PREFIX=PREFIX,
            LABELS=LABELS,
            WHY=WHY,
        )
        self.templates.filters["local"] = self.local

    def local(self, at: str | None) -> str:
        if not at:
            return ""
        return local_time(at, self.admin.zone).strftime("%Y-%m-%d %H:%M")

    def render(self, request: Request, name: str, status: int = 200, **values) -> HTMLResponse:
        session = request.state.session if hasattr(request.state, "session") else None
        html = self.templates.get_template(name).render(
            session=session,
            zone=str(self.admin.zone),
            bot_name=self.admin.knowledge.texts.name,
            **values,
        )
        return HTMLResponse(html, status, headers=HEADERS)

    def refuse(
        self,
        request: Request,
        status: int,
        message: str,
        kept: list[tuple[str, str, str]] | None = None,
    ) -> HTMLResponse:
        """The refusal page; `kept`: what the form sent had typed, shown back to copy (`typed`)."""
        return self.render(request, "refused.html", status, message=message, kept=kept)


Handler = Callable[[Console, Request], Awaitable[Response]]
# A form the console cannot read (its pages and refusals are HTML: the web API's JSON error, in
# English too, was shown to an admin; probe22).
UNREADABLE = "提交的表单无法读取：请回到上一页刷新后重新提交。"


def page(console: Console, handler: Handler, edit: bool = False) -> Callable:
    """`handler` behind the session, CSRF and role checks."""

    async def endpoint(request: Request) -> Response:
        try:
            return await checked(request)
        finally:
            # An upload's spooled temporary file closed now, not by the garbage collector
            # whenever it runs (a 10 MB sheet held its disk until then; probe21).
            await request.close()

    async def checked(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        session = console.sessions.get(token)
        # `policybot admin` removes an account, changes its role or resets its password in
        # another process: a session started before that ends at its next request, or a removed
        # editor kept editing (and a stolen password kept its session) for up to 12 hours.
        if session is not None and session.standing != console.admin.accounts.standing(
            session.account.name
        ):
            console.sessions.end(token)
            session = None
        if session is None:
            if request.method in READING:
                target = quote(
                    request.url.path + (f"?{request.url.query}" if request.url.query else "")
                )
                return see_other(f"/login?next={target}")
            kept = await typed(request)
            return console.refuse(request, 401, "请先登录（会话已过期或不存在）。", kept)
        request.state.session = session
        if request.method == "POST":
            refused = too_large(console, request)
            if refused is not None:
                return refused
            try:
                form = await request.form()
            except HTTPException:  # no boundary, a broken multipart: no browser sends one
                return console.refuse(request, 400, UNREADABLE)
            request.state.form = form
            if not same_token(session.csrf, form.get("csrf")):
                # Also the form of a session that ended, sent after logging in again in
                # another tab: what was typed is shown back as when no session is left.
                message = "表单已失效（安全校验未通过）：请回到上一页刷新后再提交。"
                return console.refuse(request, 403, message, await typed(request))
        if edit and not session.account.can_edit:
            return console.refuse(
                request, 403, "您的账号是“审核”角色，不能修改知识库；请联系编辑。"
            )
        try:
            return await handler(console, request)
        except Forbidden as exc:
            return console.refuse(request, 403, str(exc))

    return endpoint


async def typed(request: Request) -> list[tuple[str, str, str]]:
    """What the entry editor sent without a session, or with the token of one that ended (a
    tab from before logging in again), to show back: (field, label, text) per field filled in.
    A session ends after 30 idle minutes, and every one with a restart: an admin who spent them
    writing an answer lost it behind the login (the editor is never cached, so Back cannot
    bring it back). Only a small plain form is read: anyone may send this request, and an
    upload's bytes are nobody's typing."""
    length = request.headers.get("content-length", "")
    plain = request.headers.get("content-type", "").startswith(FORM)
    entry = request.url.path.startswith(f"{PREFIX}/entries/")
    if not (entry and plain) or not length.isdigit() or int(length) > KEPT_BYTES:
        return []
    form = await request.form()
    return [
        (name, label, text)
        for name, label in LABELS.items()
        if isinstance(text := form.get(name), str) and text.strip()
    ]


def too_large(console: Console, request: Request) -> Response | None:
    """Refuse a body over MAX_UPLOAD (413) before reading it; a multipart body must say its
    length (411), or a client could stream any amount into the form parser's spool files."""
    length = request.headers.get("content-length")
    if length is None:
        if request.headers.get("content-type", "").startswith("multipart/"):
            return console.refuse(request, 411, "上传请求缺少长度（Content-Length）。")
        return None
    if not length.isdigit() or int(length) > MAX_UPLOAD + 64 * 1024:  # the form's other fields
        return too_big(console, request)
    return None


def too_big(console: Console, request: Request) -> Response:
    return console.refuse(
        request, 413, f"上传的文件太大：最多 {MAX_UPLOAD // 2**20} MB。请拆分后再上传。"
    )


def period(request: Request) -> str:
    """The period a page shows (from the query string, or a form's hidden field)."""
    form = getattr(request.state, "form", None)
    value = (form.get("since") if form is not None else None) or request.query_params.get(
        "since", "30d"
    )
    return value if value in PERIODS else "30d"


def see_other(path: str) -> RedirectResponse:
    """After a form: the browser goes to `path` (inside the console) with a GET."""
    return RedirectResponse(PREFIX + path, 303, headers=HEADERS)
