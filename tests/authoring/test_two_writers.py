"""Two writers of one knowledge folder at once, in two processes: the console's server and a
terminal's `policybot teach` or `import`. Each reads a file, checks the whole knowledge with its
change (0.2 s for the shipped 67 entries, longer for a larger knowledge base) and renames the
file over the old one, so a change the other wrote in between was lost without a word (probe18:
two processes saving two entries of one file 15 times each reported 26 saves and kept 14).

Threads stand in for the processes: the lock is on the folder's open file, which two threads
open apart just as two processes do."""

from __future__ import annotations

import errno
import os
import threading
import time

import pytest

import bot.authoring.disk as disk
import bot.authoring.editor as editor
from bot.authoring.disk import Busy, held
from bot.authoring.editor import Draft
from bot.authoring.teach import TeachRefused, teach
from bot.channels.cli import main
from bot.knowledge.model import load
from tests.support.edits import another_writer

FIRST, SECOND = "fugong-zhuanchuang", "fugong-zixun-dianhua"  # two entries of one file


def added(knowledge, entry_id: str, question: str) -> Draft:
    draft = Draft.of(knowledge.by_id[entry_id])
    draft.similar.append(question)
    return draft


def test_a_save_made_while_another_writer_checks_its_own_is_kept(knowledge_copy, monkeypatch):
    assert load(knowledge_copy).by_id[FIRST].path == load(knowledge_copy).by_id[SECOND].path
    real_check = editor.check
    other = threading.Thread(
        target=lambda: editor.save(
            (k := load(knowledge_copy)), added(k, SECOND, "复工复产专线电话号码多少"), SECOND
        )
    )

    def check_meanwhile(snapshot):
        # The other writer saves while this one checks the file it has read: with the lock
        # it waits (the join times out), without it, it writes and is then overwritten.
        if not other.is_alive() and other.ident is None:
            other.start()
            other.join(timeout=1.0)
        return real_check(snapshot)

    monkeypatch.setattr(editor, "check", check_meanwhile)
    knowledge = load(knowledge_copy)
    editor.save(knowledge, added(knowledge, FIRST, "复工复产专窗开在哪里"), FIRST)
    other.join()
    after = load(knowledge_copy)
    assert "复工复产专窗开在哪里" in after.by_id[FIRST].similar
    assert "复工复产专线电话号码多少" in after.by_id[SECOND].similar


def test_one_thread_may_hold_the_lock_again(knowledge_copy):
    with held(knowledge_copy), held(knowledge_copy):
        knowledge = load(knowledge_copy)
        editor.save(knowledge, added(knowledge, FIRST, "复工复产专窗开在哪里"), FIRST)
    assert "复工复产专窗开在哪里" in load(knowledge_copy).by_id[FIRST].similar


def test_a_writer_held_up_too_long_is_refused_with_the_reason(knowledge_copy, monkeypatch):
    monkeypatch.setattr(disk, "WAIT", 0.2)
    with another_writer(knowledge_copy):
        started = time.monotonic()
        with pytest.raises(Busy, match="正在修改知识库"), held(knowledge_copy):
            pass
        assert 0.2 <= time.monotonic() - started < 2
        with pytest.raises(TeachRefused, match="正在修改知识库"):
            teach(load(knowledge_copy), "复工复产专窗开在哪里", FIRST)
    assert "复工复产专窗开在哪里" not in load(knowledge_copy).by_id[FIRST].similar


def test_an_import_at_the_terminal_waits_then_says_why(
    knowledge_copy, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(disk, "WAIT", 0.2)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("question,answer\n冷库在哪里,冷库在通江路。\n", encoding="utf-8")
    before = sorted(knowledge_copy.rglob("*"))
    with another_writer(knowledge_copy):
        code = main(["import", str(sheet), "--into", str(knowledge_copy)])
    err = capsys.readouterr().err
    assert code == 2 and "未导入" in err and "正在修改知识库" in err, err
    assert sorted(knowledge_copy.rglob("*")) == before


def test_a_folder_that_keeps_no_locks_is_written_unlocked(knowledge_copy, monkeypatch, caplog):
    """Some network mounts refuse `flock` (ENOLCK): refusing every change there would be worse
    than the two writers' old race."""

    def no_locks(*args):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(disk.fcntl, "flock", no_locks)
    knowledge = load(knowledge_copy)
    editor.save(knowledge, added(knowledge, FIRST, "复工复产专窗开在哪里"), FIRST)
    assert "复工复产专窗开在哪里" in load(knowledge_copy).by_id[FIRST].similar
    assert "cannot be locked" in caplog.text
