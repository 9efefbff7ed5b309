"""The pages that change the knowledge (the editor role's): the entry list and editor, undoing a
change, importing a sheet and adding a document. Each write goes through `bot.admin.Admin`,
which validates, records who changed what, and reloads the bot."""

from __future__ import annotations

import contextlib

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from bot.admin import EditRefused
from bot.authoring.editor import GENERAL, Draft, split_lines
from bot.channels.console.frame import MAX_UPLOAD, Console, period, see_other, too_big
from bot.log.triage import DONE, IN_PROGRESS, NEW
from bot.text.privacy import unmasked

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
        similar=split_lines(str(form.get("similar", "")), commas=False),
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
            # Without the masks the gap page shows, as `teach` stores a phrasing.
            draft.question = unmasked(item.representative)
            draft.similar = [unmasked(q) for q in item.examples if q != item.representative]
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
    return see_other(f"/entries/{saved.entry_id}?saved=1")


async def revert(console: Console, request: Request) -> Response:
    change_id = request.path_params["change_id"]
    try:
        saved = await run_in_threadpool(
            console.admin.revert, request.state.session.account, change_id
        )
    except EditRefused as exc:
        return console.refuse(request, 409, f"无法撤销：{exc}")
    if saved.after is None:
        return see_other(f"/entries?deleted={saved.entry_id}")
    return see_other(f"/entries/{saved.entry_id}?saved=1")


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
