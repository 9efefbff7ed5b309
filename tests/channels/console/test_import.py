"""Importing a sheet and adding a policy document from the console, over HTTP: what is served
afterwards, what the change history says, and every refusal (no session, reviewer, bad CSRF
token, too large, a result that would not validate) leaving the files as they were."""

from __future__ import annotations

import pytest

from bot.channels.console import frame
from bot.engine.core import ANSWERED
from tests.support.console import (
    EDITOR_LOGIN,
    REVIEWER_LOGIN,
    SHEET,
    document,
    files_of,
    login,
    sheet,
)


def test_an_editor_imports_a_sheet_the_bot_answers_from_it_and_the_history_says_so(client, site):
    token = login(client)
    page = client.get("/admin/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    reply = sheet(client, token)
    assert reply.status_code == 200, reply.text
    assert 'id="import-report"' in reply.text
    assert "导入 1 个条目" in reply.text and "空行（缺问题或答案，已跳过）：第 3 行" in reply.text
    assert "faq/import-bu-men-wen-da-zheng-zhao-ban-li.yaml" in reply.text
    assert (site.knowledge / "sources" / "import-bu-men-wen-da.txt").is_file()
    answer = site.admin.test("营业执照补办要带什么")
    assert answer.status == ANSWERED
    assert "身份证原件" in site.service.engine.knowledge.by_id[answer.entry_id].answer
    dashboard = client.get("/admin/").text
    assert "导入问答表" in dashboard and "import-bu-men-wen-da" in dashboard
    change = site.admin.recent_changes(1)[0]
    assert change.by == EDITOR_LOGIN[0] and change.action == "imported"
    # An import is not undone with the entries' one-click revert.
    reply = client.post(f"/admin/changes/{change.id}/revert", data={"csrf": token})
    assert reply.status_code == 409


def test_excels_unicode_text_is_imported(client, site):
    """Excel's 另存为 “Unicode 文本” writes a .txt (UTF-16, tabs between the cells): refused as
    请上传 .csv、.xlsx 或 .jsonl 文件 before (probe20)."""
    token = login(client)
    data = SHEET.decode().replace(",", "\t").encode("utf-16")
    reply = sheet(client, token, name="部门问答.txt", data=data)
    assert reply.status_code == 200, reply.text
    assert "导入 1 个条目" in reply.text
    assert site.admin.test("营业执照补办要带什么").status == ANSWERED


def test_a_sheet_with_nothing_to_import_changes_nothing_and_is_no_change(client, site):
    """Every row skipped (here, the answers column emptied): an empty source document was
    written and the history showed an import (probe20)."""
    token = login(client)
    before = files_of(site)
    reply = sheet(client, token, data="问题,答案\n营业执照补办要带什么,\n".encode())
    assert reply.status_code == 200 and "知识库没有改动" in reply.text
    assert files_of(site) == before and site.admin.recent_changes(1) == []


def test_an_editor_adds_a_document_and_sees_its_passages(client, site):
    token = login(client)
    reply = document(client, token, title="若干措施", publisher="抚远市人民政府", date="2024-03-01")
    assert reply.status_code == 200, reply.text
    assert "已添加文档 doc-ying-shang-huan-jing" in reply.text and "《若干措施》" in reply.text
    meta = (site.knowledge / "sources" / "doc-ying-shang-huan-jing.yaml").read_text("utf-8")
    assert "抚远市人民政府" in meta and "2024-03-01" in meta
    assert "doc-ying-shang-huan-jing" in site.service.engine.knowledge.documents
    assert site.admin.recent_changes(1)[0].action == "ingested"
    again = document(client, token, date="2024-03-02")
    assert "已更新文档" in again.text


@pytest.mark.parametrize(
    ("what", "send", "expected"),
    [
        ("no date", lambda c, t: document(c, t), "没有找到发布日期"),
        ("empty text", lambda c, t: document(c, t, data=b"  \n", date="2024-03-01"), "没有文字"),
        ("file type", lambda c, t: document(c, t, name="x.pdf", date="2024-03-01"), "不支持"),
        (
            "private url",
            lambda c, t: c.post(
                "/admin/import/document",
                data={"csrf": t, "url": "http://127.0.0.1:9/x", "date": "2024-03-01"},
                files={"file": ("", b"", "application/octet-stream")},
            ),
            "拒绝访问",
        ),
        (
            "no columns",
            lambda c, t: sheet(c, t, data="甲,乙\n1,2\n".encode()),
            "找不到问题和答案列",
        ),
        ("broken xlsx", lambda c, t: sheet(c, t, name="表.xlsx", data=b"not a zip"), "没有导入"),
        ("sheet type", lambda c, t: sheet(c, t, name="表.pdf"), "不支持的文件"),
        ("no file", lambda c, t: sheet(c, t, name="", data=b""), "请选择"),
    ],
)
def test_a_refused_upload_shows_why_and_changes_nothing(
    refused_client, refused_site, what, send, expected
):
    client, site = refused_client, refused_site
    token = login(client)
    before = files_of(site)
    reply = send(client, token)
    assert reply.status_code == 400, what
    assert expected in reply.text, what
    assert files_of(site) == before
    assert site.admin.recent_changes(1) == []


def test_an_import_that_takes_over_an_answered_question_writes_nothing(client, site):
    """A sheet whose row asked 复工复产去哪个窗口办理 (the README's own question) was imported
    without a word, and the bot then answered it from the sheet's one line instead of 专窗's
    entry: as in the editor and `teach`, such a fight is refused, naming the question."""
    token = login(client)
    before = files_of(site)
    row = "问题,答案,分类\n复工复产去哪个窗口办理,请到政务服务中心办理。,复工\n".encode()
    reply = sheet(client, token, data=row)
    assert reply.status_code == 400 and 'id="import-errors"' in reply.text
    assert "复工复产去哪个窗口办理" in reply.text and "fugong-zhuanchuang" in reply.text
    assert files_of(site) == before
    assert site.admin.test("复工复产去哪个窗口办理").entry_id == "fugong-zhuanchuang"
    assert sheet(client, token).status_code == 200  # a sheet of new questions still imports


def test_an_import_that_would_not_validate_writes_nothing(client, site, monkeypatch):
    """Whatever an importer writes is checked before it is served: here one that writes an
    entry citing a document that does not exist."""
    import bot.admin

    def broken(path, into):
        (into / "faq" / "import-broken.yaml").write_text(
            "category: 坏的\nentries:\n  - id: broken-one\n    question: 坏问题\n"
            "    answer: 坏答案\n    source:\n      document: no-such-doc\n      quote: 坏答案\n",
            encoding="utf-8",
        )

    monkeypatch.setattr(bot.admin, "import_faq", broken)
    token = login(client)
    before = files_of(site)
    version = site.service.engine.knowledge.version
    reply = sheet(client, token)
    assert reply.status_code == 400 and 'id="import-errors"' in reply.text
    assert "faq/import-broken.yaml" in reply.text and "no-such-doc" in reply.text
    assert files_of(site) == before and site.service.engine.knowledge.version == version


def test_uploads_need_a_session_the_editor_role_and_the_csrf_token(client, site):
    before = files_of(site)
    assert sheet(client, "x").status_code == 401
    assert client.get("/admin/import").status_code == 303  # to the login page
    token = login(client, REVIEWER_LOGIN)
    assert 'href="/admin/import"' not in client.get("/admin/").text
    assert client.get("/admin/import").status_code == 403
    assert sheet(client, token).status_code == 403
    assert document(client, token, date="2024-03-01").status_code == 403
    client.cookies.clear()
    token = login(client)
    assert 'href="/admin/import"' in client.get("/admin/").text
    for forged in ("", "forged"):
        reply = sheet(client, forged)
        assert reply.status_code == 403 and "安全校验" in reply.text
        assert document(client, forged, date="2024-03-01").status_code == 403
    assert files_of(site) == before


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, site, monkeypatch):
    monkeypatch.setattr(frame, "MAX_UPLOAD", 1000)
    token = login(client)
    before = files_of(site)
    reply = sheet(client, token, data=SHEET * 1000)
    assert reply.status_code == 413 and "太大" in reply.text
    assert files_of(site) == before


def test_an_uploaded_sheet_is_closed_with_its_request(client, site, monkeypatch):
    """The form parser spools an upload over 1 MB to a temporary file, which the console left to
    the garbage collector to close (a ResourceWarning per upload in the tests; left by probe20):
    a 10 MB sheet held its disk until a collection. It is closed with the request now."""
    from starlette.datastructures import UploadFile

    closed = []
    real = UploadFile.close

    async def close(self):
        closed.append(self.filename)
        await real(self)

    monkeypatch.setattr(UploadFile, "close", close)
    token = login(client)
    assert sheet(client, token).status_code == 200
    assert closed == ["部门问答.csv"]
