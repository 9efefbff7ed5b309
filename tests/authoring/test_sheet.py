"""An XLSX import reads within bounds: a sheet that unpacks, or iterates, to far more than its
upload (a compressed bomb) is refused with what to do before its cells are read."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from bot.authoring import sheet
from bot.authoring.importer import import_faq
from bot.channels.cli import main


def written(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_compressed_bomb_is_refused_before_it_is_read(tmp_path, monkeypatch):
    # 3 MB of one character in the shared strings compresses to a few KB.
    bomb = written(tmp_path / "bomb.xlsx", [["question", "answer"], ["问", "答"]])
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst><si><t>" + "啊" * 2**20 + "</t></si></sst>")
    assert bomb.stat().st_size < 30_000
    monkeypatch.setattr(sheet, "MAX_UNPACKED", 2**20)
    monkeypatch.setattr(sheet, "load_workbook", lambda *a, **k: pytest.fail("read anyway"))
    with pytest.raises(ValueError, match=r"解压后.*拆"):
        import_faq(bomb, tmp_path / "knowledge")
    assert not (tmp_path / "knowledge").exists()


def test_too_many_rows_are_refused(tmp_path, monkeypatch):
    rows = [["question", "answer"]] + [[f"问题{n}", f"答案{n}"] for n in range(5)]
    monkeypatch.setattr(sheet, "MAX_ROWS", 3)
    with pytest.raises(ValueError, match="3 行"):
        import_faq(written(tmp_path / "rows.xlsx", rows), tmp_path / "knowledge")


def test_a_sheet_padded_to_thousands_of_columns_is_refused(tmp_path, monkeypatch):
    # One cell far to the right makes every row that wide when read.
    rows = [["question", "answer"], ["问题", "答案"], ["问题二", "答案二"]]
    path = written(tmp_path / "wide.xlsx", rows)
    book = load_workbook(path)
    book.active.cell(row=3, column=5000, value="x")
    book.save(path)
    monkeypatch.setattr(sheet, "MAX_CELLS", 10_000)
    with pytest.raises(ValueError, match="单元格"):
        import_faq(path, tmp_path / "knowledge")


def test_a_sheet_within_the_bounds_imports(tmp_path):
    rows = [["question", "answer"], ["复工复产去哪个窗口办理", "政务服务中心一楼专窗。"]]
    report = import_faq(written(tmp_path / "ok.xlsx", rows), tmp_path / "knowledge")
    assert report.summary()


def test_a_hidden_sheet_is_not_the_one_imported(tmp_path):
    # The editor sees 问答 first in Excel; a hidden draft before it is not what they meant.
    book = Workbook()
    draft = book.active
    draft.append(["question", "answer"])
    draft.append(["旧的问题草稿", "作废的答案"])
    draft.sheet_state = "hidden"
    shown = book.create_sheet("问答")
    shown.append(["question", "answer"])
    shown.append(["营业执照在哪里办理", "政务服务中心一楼综合窗口。"])
    book.active = 1
    book.save(tmp_path / "drafts.xlsx")
    assert [row["question"] for row in sheet.xlsx_rows(tmp_path / "drafts.xlsx")] == [
        "营业执照在哪里办理"
    ]


@pytest.mark.parametrize("broken", ["not a zip", "a member longer than the zip says"])
def test_a_broken_xlsx_is_refused_in_one_line(tmp_path, capsys, broken):
    path = written(tmp_path / "broken.xlsx", [["question", "answer"], ["问", "答"]])
    if broken == "not a zip":
        path.write_bytes(b"question,answer\n")
    else:  # the central directory says the sheet is 10 bytes: its CRC then fails mid-read
        data = bytearray(path.read_bytes())
        entry = data.find(b"PK\x01\x02")
        while entry >= 0:
            length = int.from_bytes(data[entry + 28 : entry + 30], "little")
            if data[entry + 46 : entry + 46 + length] == b"xl/worksheets/sheet1.xml":
                data[entry + 24 : entry + 28] = (10).to_bytes(4, "little")
            entry = data.find(b"PK\x01\x02", entry + 4)
        path.write_bytes(bytes(data))
    assert main(["import", "--into", str(tmp_path / "knowledge"), str(path)]) == 2
    assert "XLSX" in capsys.readouterr().err and not (tmp_path / "knowledge").exists()
