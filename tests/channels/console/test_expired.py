"""A save sent after the session ended (30 idle minutes writing a long answer; the server
restarted, which ends every session): the text typed was lost behind 请先登录, and the editor
page, never cached, could not bring it back. The refusal now shows what was typed, to copy
into the form after logging in again; nothing is saved."""

from __future__ import annotations

import html
import re

from tests.support.console import edit_form, files_of, login

ENTRY = "fugong-zhuanchuang"


def kept(page: str) -> dict[str, str]:
    """The fields the refusal shows: label -> text, as the browser shows them."""
    found = re.findall(
        r'<label for="kept-(\w+)">[^<]*</label>\s*<textarea id="kept-\1"[^>]*>(.*?)</textarea>',
        page,
        re.S,
    )
    return {name: html.unescape(text) for name, text in found}


def test_a_save_after_the_session_ended_shows_what_was_typed(client, site):
    login(client)
    form = edit_form(client, ENTRY)
    form["answer"] += "\n（这是花了半小时写的补充说明 <b>不是标签</b>）"
    before = files_of(site)
    site.sessions.active.clear()  # idle too long, or the server restarted
    reply = client.post(f"/admin/entries/{ENTRY}", data=form)
    assert reply.status_code == 401
    shown = kept(reply.text)
    assert shown["answer"] == form["answer"]
    assert shown["question"] == form["question"] and "csrf" not in shown
    assert "<b>不是标签</b>" not in reply.text  # shown as text, never as markup
    assert "readonly" in reply.text and "登录" in reply.text
    assert files_of(site) == before


def test_an_upload_after_the_session_ended_is_refused_unread(client, site):
    reply = client.post(
        "/admin/import/sheet",
        data={"csrf": "x"},
        files={"file": ("问答.csv", "问题,答案\n什么,这个\n".encode(), "text/csv")},
    )
    assert reply.status_code == 401 and kept(reply.text) == {}


def test_a_form_from_before_logging_in_again_shows_what_was_typed(client, site):
    """The session ended while writing; the admin logged in again in another tab and came back
    to save: the form carries the old session's token (403), and the text was lost again."""
    login(client)
    form = edit_form(client, ENTRY)
    form["answer"] += "\n（又写了一段）"
    login(client)  # another tab: a new session in the same browser
    reply = client.post(f"/admin/entries/{ENTRY}", data=form)
    assert reply.status_code == 403
    assert kept(reply.text)["answer"] == form["answer"]
