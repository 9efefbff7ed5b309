"""The console's reviewing pages (dashboard, test pane, gaps and their downloads) and the route
table of the whole console: which URL is which page, behind which of `page()`'s checks."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router, request_response

from bot.admin import Admin, EditRefused, TeachRefused
from bot.channels.console.auth import Sessions, Throttle
from bot.channels.console.editing import (
    add_document,
    entries,
    entry,
    import_sheet,
    imports,
    new_entry,
    revert,
    save_entry,
)
from bot.channels.console.frame import (
    HEADERS,
    HERE,
    PERIODS,
    PREFIX,
    WHY,
    Console,
    page,
    period,
    see_other,
)
from bot.channels.console.login import login, logout
from bot.channels.render import as_text
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, SMALLTALK
from bot.log.reports import advice, chart
from bot.log.store import HELPFUL, UNHELPFUL
from bot.log.triage import DONE, IGNORED, IN_PROGRESS, NEW, STATES

TABS = {"open": (NEW, IN_PROGRESS), IGNORED: (IGNORED,), DONE: (DONE,)}


# -- dashboard -------------------------------------------------------------------------------


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


def back_to_gaps(request: Request, done: str) -> Response:
    """The gaps page again, for the same period, saying what was done."""
    return see_other(f"/gaps?since={period(request)}&done={quote(done)}")


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
    return back_to_gaps(request, f"“{gap.cluster.representative}” 已标为{STATES[state]}")


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
    return back_to_gaps(
        request, f"已把 “{question}” 加为 {entry_id} 的相似问，机器人现在就会这样回答"
    )


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


# What /admin says in a `serve --workers N`, which has no console (its sessions live in one
# process): the web API's JSON 404 had been all an admin opening the console there got (probe22).
ELSEWHERE = (
    "管理后台不在多进程的 policybot serve 里（--workers 大于 1）：请另开一个单进程的 "
    "policybot serve（不带 --workers），在代理里把 /admin 转给它（见 docs/web.md）。\n"
)


def elsewhere() -> list[BaseRoute]:
    """/admin and every page under it in a server without the console: where the console is."""

    async def endpoint(request: Request) -> Response:
        return PlainTextResponse(ELSEWHERE, 404)

    return [Route(PREFIX, endpoint), Route(PREFIX + "/{rest:path}", endpoint)]


async def no_page(console: Console, request: Request) -> Response:
    return console.refuse(request, 404, "没有这个页面：请从上面的菜单进入。")


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
            app=Router(
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
                        "/changes/{change_id:int}/revert",
                        guarded(revert, edit=True),
                        methods=["POST"],
                    ),
                    Route("/export.xlsx", guarded(export_xlsx)),
                    Route("/import", guarded(imports, edit=True)),
                    Route("/import/sheet", guarded(import_sheet, edit=True), methods=["POST"]),
                    Route("/import/document", guarded(add_document, edit=True), methods=["POST"]),
                ],
                # A console address mistyped, or a bookmark of one gone, gets the console's
                # page behind its login, not the web API's JSON (probe22); after the router's
                # redirect of a trailing slash (/admin/entries/), which it tries first.
                default=request_response(guarded(no_page)),
            ),
        ),
        Route(PREFIX, lambda request: RedirectResponse(PREFIX + "/", 307)),
    ]
