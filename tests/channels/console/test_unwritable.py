"""A knowledge folder the console cannot write (mounted read-only, as deploy/compose.yaml mounts
it for the polling bot; owned by another user; a full disk): every change is refused on its own
page, saying what to ask for, and nothing changes. Each was a 500 with the web API's JSON
error ("服务暂时出了问题…拨打 12345") in place of the page."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from tests.support.console import (
    POLICY,
    SHEET,
    TAUGHT,
    document,
    edit_form,
    files_of,
    gap_key,
    login,
    sheet,
)

READ_ONLY = "知识库文件夹是只读的"
ENTRY = "fugong-zhuanchuang"
TRIP = "zs-kaocha-shandong"  # the entry `TAUGHT` is taught to


def refuse_writes(site, monkeypatch, code: int) -> None:
    """Writes into the knowledge folder fail with `code` (tests run as root, whom file modes do
    not stop, so a read-only mount or a full disk is played by the writes themselves)."""
    folder = site.knowledge.resolve()

    def refusing(write):
        def refused(path, *args, **kwargs):
            if path.resolve().is_relative_to(folder):
                raise OSError(code, os.strerror(code), str(path))
            return write(path, *args, **kwargs)

        return refused

    monkeypatch.setattr(Path, "write_text", refusing(Path.write_text))
    monkeypatch.setattr(Path, "write_bytes", refusing(Path.write_bytes))


@pytest.fixture
def read_only(site, monkeypatch):
    """The knowledge folder as on a read-only mount."""
    refuse_writes(site, monkeypatch, errno.EROFS)


def refusal(reply) -> str:
    assert reply.status_code in (400, 409), (reply.status_code, reply.text[:300])
    assert "<html" in reply.text.lower()
    return reply.text


def test_an_edit_is_refused_on_its_page_and_the_form_kept(client, site, read_only, caplog):
    login(client)
    before = files_of(site)
    form = edit_form(client, ENTRY)
    form["answer"] += "（新的说明）"
    page = refusal(client.post(f"/admin/entries/{ENTRY}", data=form))
    assert READ_ONLY in page and "（新的说明）" in page
    assert files_of(site) == before and site.admin.history(ENTRY) == []
    assert "（新的说明）" not in site.service.engine.knowledge.by_id[ENTRY].answer
    assert any("Read-only file system" in r.getMessage() for r in caplog.records)


def test_teaching_a_gap_is_refused_and_the_gap_stays_open(client, site, read_only):
    token = login(client)
    key = gap_key(client, TAUGHT)
    reply = client.post(
        f"/admin/gaps/{key}/teach", data={"csrf": token, "question": TAUGHT, "entry_id": TRIP}
    )
    assert READ_ONLY in reply.text
    assert gap_key(client, TAUGHT) == key
    assert site.service.engine.answer(TAUGHT).entry_id != TRIP


def test_a_revert_an_import_and_a_document_are_refused_on_a_full_disk(client, site, monkeypatch):
    token = login(client)
    form = edit_form(client, ENTRY)
    form["answer"] += "（先改一次）"
    assert client.post(f"/admin/entries/{ENTRY}", data=form).status_code == 303
    change = re.search(
        r'action="/admin/changes/(\d+)/revert"', client.get(f"/admin/entries/{ENTRY}").text
    )
    refuse_writes(site, monkeypatch, errno.ENOSPC)
    before = files_of(site)
    reverted = client.post(f"/admin/changes/{change.group(1)}/revert", data={"csrf": token})
    assert "磁盘已满" in refusal(reverted)
    assert "磁盘已满" in refusal(sheet(client, token, data=SHEET))
    assert "磁盘已满" in refusal(document(client, token, data=POLICY, date="2024-03-01"))
    assert files_of(site) == before
