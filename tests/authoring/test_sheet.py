"""An XLSX import reads within bounds: a sheet that unpacks, or iterates, to far more than its
upload (a compressed bomb) is refused with what to do before its cells are read."""

from __future__ import annotations

import datetime as dt
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


def test_merged_cells_are_read_as_the_editor_sees_them(tmp_path):
    """A category merged down its rows and one answer merged down two phrasings (probe18): the
    rows under a merged cell were imported under the default category, or skipped as empty."""
    path = written(
        tmp_path / "merged.xlsx",
        [
            ["分类", "问题", "答案"],
            ["冷库", "冷库在哪里", "冷库在通江路88号。"],
            [None, "冷库怎么收费", "冷库每吨每天收费3元。"],
            [None, "冷库收费标准是多少", None],
            ["码头", "码头几点开门", "码头早上6点开门。"],
        ],
    )
    book = load_workbook(path)
    book.active.merge_cells("A2:A4")
    book.active.merge_cells("C3:C4")
    book.active.merge_cells("D1:XFD1")  # a range far wider than the sheet costs nothing
    book.save(path)
    rows = [{h: v for h, v in row.items() if h} for row in sheet.xlsx_rows(path)]
    assert rows == [
        {"分类": "冷库", "问题": "冷库在哪里", "答案": "冷库在通江路88号。"},
        {"分类": "冷库", "问题": "冷库怎么收费", "答案": "冷库每吨每天收费3元。"},
        {"分类": "冷库", "问题": "冷库收费标准是多少", "答案": "冷库每吨每天收费3元。"},
        {"分类": "码头", "问题": "码头几点开门", "答案": "码头早上6点开门。"},
    ]
    report = import_faq(path, tmp_path / "knowledge")
    assert report.entries == 4 and not report.empty
    assert sorted(p.name for p in report.files) == [
        "import-merged-leng-ku.yaml",
        "import-merged-ma-tou.yaml",
    ]


def test_merged_ranges_are_found_across_the_pieces_the_sheet_is_read_in(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet, "PIECE", 97)  # a tag cut between pieces, over and over
    path = tmp_path / "book.xlsx"
    tags = "".join(f'<x:mergeCell ref="A{n}:B{n}"/>' for n in range(1, 2001, 2))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sheet.xml", f"<worksheet><x:mergeCells>{tags}</x:mergeCells></worksheet>")
    assert sheet._merged_ranges(path, "sheet.xml") == [(n, n, 1, 2) for n in range(1, 2001, 2)]


def test_a_title_row_above_the_header_is_named_with_what_to_do(tmp_path):
    path = written(
        tmp_path / "titled.xlsx",
        [
            ["抚远市政务服务常见问题汇总", None, None],
            ["分类", "问题", "答案"],
            ["冷库", "冷库在哪里", "在通江路。"],
        ],
    )
    book = load_workbook(path)
    book.active.merge_cells("A1:C1")
    book.save(path)
    with pytest.raises(ValueError, match=r"“抚远市政务服务常见问题汇总”.*标题行，请删掉"):
        import_faq(path, tmp_path / "knowledge")


def test_numbers_dates_and_times_are_read_as_the_editor_sees_them(tmp_path):
    """An answer Excel shows as 61% was imported as 0.61 (a wrong figure for anyone asking the
    share), a date as 2024-06-30 00:00:00, a time as 08:30:00 and a whole number typed in a
    decimal format as 1234.0 (probe20)."""
    book = Workbook()
    rows = [
        ("减少比例是多少", 0.61, "0%"),
        ("办结率是多少", 0.9876, "0.0%"),
        ("年报截止日期", dt.datetime(2024, 6, 30), "yyyy年m月d日"),
        ("几点开门", dt.time(8, 30), "h:mm"),
        ("费用多少", 1234.0, "0.00"),
        ("热线", 4541234567, "General"),
    ]
    book.active.append(["问题", "答案"])
    for number, (question, answer, shown) in enumerate(rows, start=2):
        book.active.append([question, answer])
        book.active.cell(number, 2).number_format = shown
    book.save(tmp_path / "表.xlsx")
    answers = [row["答案"] for row in sheet.xlsx_rows(tmp_path / "表.xlsx")]
    assert answers == ["61%", "98.8%", "2024-06-30", "08:30", "1234", "4541234567"]
