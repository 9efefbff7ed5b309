"""The console's pages: server-rendered HTML forms over `bot.admin.Admin`, no scripts at all.

Every page but the login needs a session; every POST needs the session's CSRF token; every page
that changes knowledge needs the editor role. Those three checks live in `page()`, so no handler
can forget one. Templates are Jinja2 with autoescaping, so no knowledge or user text can become
markup, and the Content-Security-Policy allows only this server's own stylesheet besides.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot.admin import Admin, EditRefused, Forbidden, TeachRefused
from bot.authoring.editor import GENERAL, Draft, split_lines
from bot.channels.console.auth import COOKIE, LOGIN_COOKIE, Sessions, Throttle, same_token
from bot.channels.render import as_text
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, SMALLTALK
from bot.log.changes import ACTIONS, FILE_ACTIONS
from bot.log.reports import STATUS_NAMES, advice, chart
from bot.log.stats import local_time
from bot.log.store import HELPFUL, UNHELPFUL
from bot.log.triage import DONE, IGNORED, IN_PROGRESS, NEW, STATES

HERE = Path(__file__).parent
PREFIX = "/admin"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
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
WHY = {"focus": "问题焦点", "uncovered": "条目没有覆盖的词", "check": "检查细节"}
TABS = {"open": (NEW, IN_PROGRESS), IGNORED: (IGNORED,), DONE: (DONE,)}


@dataclass
class Console:
    admin: Admin
    sessions: Sessions
    throttle: Throttle
    secure: bool = False  # Secure cookies even when the request looks like plain HTTP

    def __post_init__(self) -> None:
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

    def refuse(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.render(request, "refused.html", status, message=message)


Handler = Callable[[Console, Request], Awaitable[Response]]


def page(console: Console, handler: Handler, edit: bool = False) -> Callable:
    """`handler` behind the session, CSRF and role checks."""

    async def endpoint(request: Request) -> Response:
        session = console.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            if request.method == "GET":
                target = quote(
                    request.url.path + (f"?{request.url.query}" if request.url.query else "")
                )
                return RedirectResponse(f"{PREFIX}/login?next={target}", 303, headers=HEADERS)
            return console.refuse(request, 401, "请先登录（会话已过期或不存在）。")
        request.state.session = session
        if request.method == "POST":
            refused = too_large(console, request)
            if refused is not None:
                return refused
            form = await request.form()
            request.state.form = form
            if not same_token(session.csrf, form.get("csrf")):
                return console.refuse(
                    request, 403, "表单已失效（安全校验未通过）：请回到上一页刷新后再提交。"
                )
        if edit and not session.account.can_edit:
            return console.refuse(
                request, 403, "您的账号是“审核”角色，不能修改知识库；请联系编辑。"
            )
        try:
            return await handler(console, request)
        except Forbidden as exc:
            return console.refuse(request, 403, str(exc))

    return endpoint


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


# -- login -----------------------------------------------------------------------------------


def client(request: Request) -> str:
    return request.client.host if request.client else "?"


def is_secure(console: Console, request: Request) -> bool:
    return console.secure or request.url.scheme == "https"


def safe_next(target: str | None) -> str:
    """Only a path inside the console: a login link must not send anyone elsewhere."""
    if (
        target
        and target.startswith(PREFIX + "/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return PREFIX + "/"


async def login_form(
    console: Console, request: Request, error: str = "", status: int = 200, target: str = ""
) -> Response:
    """The login form, with a fresh token in a cookie and the form: a login CSRF defence."""
    token = secrets.token_urlsafe(32)
    target = safe_next(target or request.query_params.get("next"))
    response = console.render(request, "login.html", status, csrf=token, error=error, next=target)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_secure(console, request),
        path=PREFIX,
    )
    return response


async def login(console: Console, request: Request) -> Response:
    if request.method == "GET":
        return await login_form(console, request)
    form = await request.form()
    target = str(form.get("next", ""))
    if not same_token(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
        return await login_form(console, request, "登录表单已失效，请重新输入。", 403, target)
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    wait = console.throttle.wait(client(request), name)
    if wait > 0:
        minutes = int(wait // 60) + 1
        response = await login_form(
            console, request, f"失败次数太多，请 {minutes} 分钟后再试。", 429, target
        )
        response.headers["retry-after"] = str(int(wait) + 1)
        return response
    account = await run_in_threadpool(console.admin.accounts.verify, name, password)
    if account is None:
        console.throttle.failed(client(request), name)
        return await login_form(console, request, "用户名或密码不对。", 401, target)
    console.throttle.succeeded(name)
    token, _ = console.sessions.start(account)
    response = RedirectResponse(safe_next(target), 303, headers=HEADERS)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_secure(console, request),
        path=PREFIX,
    )
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


async def logout(console: Console, request: Request) -> Response:
    console.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse(f"{PREFIX}/login", 303, headers=HEADERS)
    response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
    return response


# -- dashboard -------------------------------------------------------------------------------


def period(request: Request) -> str:
    """The period a page shows (from the query string, or a form's hidden field)."""
    form = getattr(request.state, "form", None)
    value = (form.get("since") if form is not None else None) or request.query_params.get(
        "since", "30d"
    )
    return value if value in PERIODS else "30d"


async def dashboard(console: Console, request: Request) -> Response:
    since = period(request)
    numbers = await run_in_threadpool(console.admin.dashboard, since)
    votes = await run_in_threadpool(console.admin.votes, since)
    knowledge = console.admin.knowledge
    top = [
        (
            entry_id,
            count,
            knowledge.by_id[entry_id].question if entry_id in knowledge.by_id else "（已删除）",
        )
        for entry_id, count in numbers.top_entries
    ]
    rated = sorted(votes.items(), key=lambda item: (-item[1][UNHELPFUL], -item[1][HELPFUL]))
    return console.render(
        request,
        "dashboard.html",
        since=since,
        periods=PERIODS,
        stats=numbers,
        rates={s: numbers.rate(s) for s in (ANSWERED, CLARIFY, FALLBACK)},
        smalltalk=numbers.statuses.get(SMALLTALK, 0),
        chart=chart(numbers.per_day),
        top=top,
        votes=[(e, v[HELPFUL], v[UNHELPFUL], knowledge.by_id.get(e)) for e, v in rated[:20]],
        changes=console.admin.recent_changes(10),
    )


# -- test pane -------------------------------------------------------------------------------


async def test_pane(console: Console, request: Request) -> Response:
    question = str(request.state.form.get("question", "")) if request.method == "POST" else ""
    answer = console.admin.test(question) if question.strip() else None
    details = answer.to_dict() if answer else {}
    # The engine's explanation of its decision, when it gives one: what the question asks for,
    # and the words of it the best entry does not cover.
    why = {k: details[k] for k in WHY if details.get(k) not in (None, [], {}, "")}
    return console.render(
        request,
        "test.html",
        question=question,
        answer=answer,
        shown=as_text(answer, console.admin.knowledge) if answer else "",
        why=why,
        thresholds=console.admin.service.engine.thresholds,
    )


# -- gaps ------------------------------------------------------------------------------------


async def gaps(console: Console, request: Request, message: str = "", error: str = "") -> Response:
    tab = request.query_params.get("tab", "open")
    tab = tab if tab in TABS else "open"
    since = period(request)
    found = await run_in_threadpool(console.admin.gaps, since, TABS[tab])
    knowledge = console.admin.knowledge
    return console.render(
        request,
        "gaps.html",
        status=400 if error else 200,
        tab=tab,
        since=since,
        periods=PERIODS,
        gaps=found,
        advice=advice,
        entries=knowledge.by_id,
        message=message or request.query_params.get("done", ""),
        error=error,
    )


async def gap_state(console: Console, request: Request) -> Response:
    key = request.path_params["key"]
    state = str(request.state.form.get("state", ""))
    if state not in STATES:
        return console.refuse(request, 400, "未知的状态。")
    try:
        gap = await run_in_threadpool(
            console.admin.set_gap_state, request.state.session.account, key, state, period(request)
        )
    except KeyError:
        return console.refuse(request, 404, "这个缺口已不存在（可能记录已被清理）：请刷新。")
    done = quote(f"“{gap.cluster.representative}” 已标为{STATES[state]}")
    return RedirectResponse(
        f"{PREFIX}/gaps?since={period(request)}&done={done}", 303, headers=HEADERS
    )


async def gap_teach(console: Console, request: Request) -> Response:
    form = request.state.form
    question = str(form.get("question", "")).strip()
    entry_id = str(form.get("entry_id", "")).strip()
    try:
        await run_in_threadpool(
            console.admin.teach,
            request.state.session.account,
            question,
            entry_id,
            request.path_params["key"],
            period(request),
        )
    except (TeachRefused, EditRefused) as exc:
        return await gaps(console, request, error=f"未添加 “{question}” → {entry_id}：{exc}")
    except KeyError:
        return console.refuse(request, 404, "这个缺口已不存在：请刷新。")
    done = quote(f"已把 “{question}” 加为 {entry_id} 的相似问，机器人现在就会这样回答")
    return RedirectResponse(
        f"{PREFIX}/gaps?since={period(request)}&done={done}", 303, headers=HEADERS
    )


# -- entries ---------------------------------------------------------------------------------


async def entries(console: Console, request: Request) -> Response:
    knowledge = console.admin.knowledge
    wanted = request.query_params.get("q", "").strip()
    shown = [
        e
        for e in knowledge.entries
        if not wanted
        or wanted in e.id
        or any(wanted in q for q in e.questions)
        or wanted in e.answer
    ]
    return console.render(
        request, "entries.html", entries=shown, q=wanted, categories=knowledge.categories
    )


def draft_from(form) -> Draft:
    return Draft(
        id=str(form.get("id", "")),
        category=str(form.get("category", "")),
        question=str(form.get("question", "")),
        similar=split_lines(str(form.get("similar", ""))),
        answer=str(form.get("answer", "")),
        document=str(form.get("document", "")),
        quote=str(form.get("quote", "")),
        keywords=split_lines(str(form.get("keywords", ""))),
        related=split_lines(str(form.get("related", ""))),
        review_by=str(form.get("review_by", "")),
    )


def editor_page(
    console: Console, request: Request, draft: Draft, original: str | None, **values
) -> Response:
    knowledge = console.admin.knowledge
    return console.render(
        request,
        "entry.html",
        values.pop("status", 200),
        draft=draft,
        original=original,
        base=values.pop("base", draft.fingerprint() if original else ""),
        categories=knowledge.categories,
        documents=sorted(knowledge.documents.values(), key=lambda d: d.id),
        history=console.admin.history(original) if original else [],
        errors=values.pop("errors", {}),
        general=GENERAL,
        **values,
    )


async def entry(console: Console, request: Request) -> Response:
    entry_id = request.path_params["entry_id"]
    draft = console.admin.draft(entry_id)
    if draft is None:
        return console.refuse(request, 404, f"没有 id 为 “{entry_id}” 的条目。")
    return editor_page(console, request, draft, entry_id, saved=request.query_params.get("saved"))


async def new_entry(console: Console, request: Request) -> Response:
    """A blank entry, or one drafted from a gap cluster (its questions as the phrasings)."""
    knowledge = console.admin.knowledge
    draft = Draft(category=knowledge.categories[0] if knowledge.categories else "")
    key = request.query_params.get("gap", "")
    if key:
        found = {
            g.key: g
            for g in await run_in_threadpool(
                console.admin.gaps, period(request), (NEW, IN_PROGRESS)
            )
        }
        if key in found:
            item = found[key].cluster
            draft.question = item.representative
            draft.similar = [q for q in item.examples if q != item.representative]
            nearest = knowledge.by_id.get(item.nearest.get("id", ""))
            if nearest is not None:
                draft.category = nearest.category
                draft.document = nearest.source.document
    return editor_page(console, request, draft, None, gap=key, since=period(request))


async def save_entry(console: Console, request: Request) -> Response:
    form = request.state.form
    original = request.path_params.get("entry_id")
    draft = draft_from(form)
    if original is not None:
        draft.category = (
            console.admin.knowledge.by_id[original].category
            if original in console.admin.knowledge.by_id
            else draft.category
        )
    account = request.state.session.account
    try:
        saved = await run_in_threadpool(
            console.admin.save, account, draft, original, str(form.get("base", ""))
        )
    except EditRefused as exc:
        return editor_page(
            console,
            request,
            draft,
            original,
            status=400,
            errors=exc.errors,
            base=str(form.get("base", "")),
            gap=str(form.get("gap", "")),
            since=period(request),
        )
    gap = str(form.get("gap", ""))
    if gap:
        # KeyError: the cluster changed meanwhile; the entry is saved all the same.
        with contextlib.suppress(KeyError):
            await run_in_threadpool(
                console.admin.set_gap_state, account, gap, DONE, period(request)
            )
    return RedirectResponse(f"{PREFIX}/entries/{saved.entry_id}?saved=1", 303, headers=HEADERS)


async def revert(console: Console, request: Request) -> Response:
    change_id = request.path_params["change_id"]
    try:
        saved = await run_in_threadpool(
            console.admin.revert, request.state.session.account, change_id
        )
    except EditRefused as exc:
        return console.refuse(request, 409, f"无法撤销：{exc}")
    if saved.after is None:
        return RedirectResponse(f"{PREFIX}/entries?deleted={saved.entry_id}", 303, headers=HEADERS)
    return RedirectResponse(f"{PREFIX}/entries/{saved.entry_id}?saved=1", 303, headers=HEADERS)


# -- importing a sheet, adding a document -------------------------------------------------


async def imports(console: Console, request: Request, status: int = 200, **values) -> Response:
    return console.render(request, "import.html", status, max_mb=MAX_UPLOAD // 2**20, **values)


async def uploaded(request: Request) -> tuple[str, bytes | None]:
    """The form's file: its name and bytes (None when no file was chosen)."""
    upload = request.state.form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return "", None
    return upload.filename, await upload.read()


async def import_sheet(console: Console, request: Request) -> Response:
    name, data = await uploaded(request)
    if data is not None and len(data) > MAX_UPLOAD:
        return too_big(console, request)
    if data is None:
        return await imports(console, request, 400, sheet_errors=["请选择要导入的问答表文件。"])
    try:
        report, files = await run_in_threadpool(
            console.admin.import_sheet, request.state.session.account, name, data
        )
    except EditRefused as exc:
        return await imports(console, request, 400, sheet_name=name, sheet_errors=all_of(exc))
    return await imports(console, request, sheet_name=name, report=report, files=files)


async def add_document(console: Console, request: Request) -> Response:
    form = request.state.form
    url = str(form.get("url", "")).strip()
    name, data = await uploaded(request)
    if data is not None and len(data) > MAX_UPLOAD:
        return too_big(console, request)
    if data is None and not url:
        return await imports(console, request, 400, document_errors=["请选择文件，或填写网址。"])
    fields = {k: str(form.get(k, "")).strip() for k in ("title", "publisher", "date")}
    try:
        done, files = await run_in_threadpool(
            console.admin.add_document,
            request.state.session.account,
            name,
            None if url else data,
            url,
            **fields,
        )
    except EditRefused as exc:
        return await imports(
            console, request, 400, fields={**fields, "url": url}, document_errors=all_of(exc)
        )
    return await imports(console, request, document=done, files=files)


def all_of(refusal: EditRefused) -> list[str]:
    return [message for messages in refusal.errors.values() for message in messages]


# -- downloads -------------------------------------------------------------------------------


async def export_xlsx(console: Console, request: Request) -> Response:
    data = await run_in_threadpool(console.admin.export)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media, headers=_named("知识库", "xlsx"))


def _named(name: str, suffix: str) -> dict:
    filename = quote(f"{name}-{dt.date.today().isoformat()}.{suffix}")
    return {**HEADERS, "content-disposition": f"attachment; filename*=UTF-8''{filename}"}


async def gaps_csv(console: Console, request: Request) -> Response:
    data = await run_in_threadpool(console.admin.gaps_csv, period(request))
    return Response(data, media_type="text/csv; charset=utf-8", headers=_named("问答缺口", "csv"))


async def gaps_html(console: Console, request: Request) -> Response:
    data = await run_in_threadpool(console.admin.gaps_html, period(request))
    return Response(data, media_type="text/html; charset=utf-8", headers=_named("问答缺口", "html"))


async def stylesheet(request: Request) -> Response:
    return FileResponse(
        HERE / "static" / "console.css",
        media_type="text/css",
        headers={"cache-control": "max-age=3600"},
    )


def routes(
    admin: Admin,
    sessions: Sessions | None = None,
    throttle: Throttle | None = None,
    secure: bool = False,
) -> list[BaseRoute]:
    """The console, mounted at /admin of `policybot serve`."""
    console = Console(admin, sessions or Sessions(), throttle or Throttle(), secure)

    def open_page(handler):
        async def endpoint(request: Request) -> Response:
            return await handler(console, request)

        return endpoint

    def guarded(handler, edit=False):
        return page(console, handler, edit)

    return [
        Mount(
            PREFIX,
            routes=[
                Route("/login", open_page(login), methods=["GET", "POST"]),
                Route("/logout", open_page(logout), methods=["POST"]),
                Route("/static/console.css", stylesheet),
                Route("/", guarded(dashboard)),
                Route("/test", guarded(test_pane), methods=["GET", "POST"]),
                Route("/gaps", guarded(gaps)),
                Route("/gaps.csv", guarded(gaps_csv)),
                Route("/gaps.html", guarded(gaps_html)),
                Route("/gaps/{key}/state", guarded(gap_state), methods=["POST"]),
                Route("/gaps/{key}/teach", guarded(gap_teach, edit=True), methods=["POST"]),
                Route("/entries", guarded(entries)),
                Route("/entries/new", guarded(new_entry)),
                Route("/entries/new", guarded(save_entry, edit=True), methods=["POST"]),
                Route("/entries/{entry_id}", guarded(entry)),
                Route("/entries/{entry_id}", guarded(save_entry, edit=True), methods=["POST"]),
                Route(
                    "/changes/{change_id:int}/revert", guarded(revert, edit=True), methods=["POST"]
                ),
                Route("/export.xlsx", guarded(export_xlsx)),
                Route("/import", guarded(imports, edit=True)),
                Route("/import/sheet", guarded(import_sheet, edit=True), methods=["POST"]),
                Route("/import/document", guarded(add_document, edit=True), methods=["POST"]),
            ],
        ),
        Route(PREFIX, lambda request: RedirectResponse(PREFIX + "/", 307)),
    ]
