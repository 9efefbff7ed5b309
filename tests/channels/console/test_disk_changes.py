"""A change made to the knowledge on disk by another hand (`policybot teach` at the terminal, an
editor, a `git pull`) and not yet served when the console saves: the watcher takes up to its
interval to see it, and a large knowledge base's reload longer. The console checked a form's
base, and took the entry it changed, from the served knowledge, so its save wrote over that
change without a word (probe16: a phrasing taught at the terminal, gone after a console save
one second later)."""

from __future__ import annotations

import bot.admin
import bot.authoring.disk
from bot.authoring.teach import teach
from bot.knowledge.model import load
from tests.support.console import SHEET, TAUGHT, edit_form, gap_key, login
from tests.support.edits import another_writer

ENTRY = "fugong-zhuanchuang"
TRIP = "zs-kaocha-shandong"  # the entry `TAUGHT` is taught to
AT_THE_TERMINAL = "复工复产专窗在哪个口子"


def test_a_form_opened_before_a_terminal_teach_is_refused_and_the_phrasing_kept(client, site):
    login(client)
    form = edit_form(client, ENTRY)
    taught = teach(load(site.knowledge), AT_THE_TERMINAL, ENTRY)  # not yet served
    form["similar"] += "\n复工复产窗口在几楼"
    reply = client.post(f"/admin/entries/{ENTRY}", data=form)
    assert reply.status_code == 400 and "被别人修改过" in reply.text
    assert AT_THE_TERMINAL in taught.path.read_text(encoding="utf-8")
    # the refusal served what is on disk: the form opened now shows the phrasing
    assert AT_THE_TERMINAL in edit_form(client, ENTRY)["similar"]


def test_a_console_teach_keeps_a_hand_edit_not_yet_served(client, site):
    token = login(client)
    key = gap_key(client, TAUGHT)
    path = site.service.engine.knowledge.by_id[TRIP].path
    text = path.read_text(encoding="utf-8")
    assert "- 3月去山东考察了哪些城市\n" in text
    hand = "- 3月去山东考察了哪几座城市\n"
    path.write_text(
        text.replace("- 3月去山东考察了哪些城市\n", hand), encoding="utf-8"
    )  # as in vim
    reply = client.post(
        f"/admin/gaps/{key}/teach", data={"csrf": token, "question": TAUGHT, "entry_id": TRIP}
    )
    assert reply.status_code == 303, reply.text[:300]
    saved = path.read_text(encoding="utf-8")
    assert TAUGHT in saved and hand in saved


def test_an_import_puts_in_place_only_what_it_changed(site, monkeypatch):
    """An import is made on a copy of the knowledge and put in place when it validates. It put
    every file of the copy in place and removed every file the copy lacked: a file someone
    wrote meanwhile (a terminal `teach`, a hand-made file, git's own files when the folder is
    a repository) was put back as it was, or removed (probe16)."""
    live = site.knowledge
    taught_path = site.service.engine.knowledge.by_id[ENTRY].path
    real_import = bot.admin.import_faq

    def meanwhile(upload, into):
        teach(load(live), AT_THE_TERMINAL, ENTRY)
        (live / "notes.md").write_text("维护记录\n", encoding="utf-8")
        return real_import(upload, into)

    monkeypatch.setattr(bot.admin, "import_faq", meanwhile)
    report, files = site.admin.import_sheet(site.admin.accounts.get("wang"), "部门问答.csv", SHEET)
    assert report.entries == 1 and files
    assert AT_THE_TERMINAL in taught_path.read_text(encoding="utf-8")
    assert (live / "notes.md").read_text(encoding="utf-8") == "维护记录\n"


def test_a_save_while_a_terminal_holds_the_knowledge_too_long_is_refused_with_the_form(
    client, site, monkeypatch
):
    """A terminal's `teach` or `import` holds the folder's lock while it writes (probe18); a
    console save waits for it, and past `WAIT` says why, the form kept and nothing written."""
    monkeypatch.setattr(bot.authoring.disk, "WAIT", 0.2)
    login(client)
    form = edit_form(client, ENTRY)
    form["similar"] += "\n复工复产窗口在几楼"
    path = site.service.engine.knowledge.by_id[ENTRY].path
    before = path.read_bytes()
    with another_writer(site.knowledge):
        reply = client.post(f"/admin/entries/{ENTRY}", data=form)
    assert reply.status_code == 400 and "正在修改知识库" in reply.text
    assert "复工复产窗口在几楼" in reply.text  # the form as typed
    assert path.read_bytes() == before
    reply = client.post(f"/admin/entries/{ENTRY}", data=form)  # once it is done
    assert reply.status_code == 303 and "复工复产窗口在几楼" in path.read_text(encoding="utf-8")
