"""Importing FAQ exports: CSV (UTF-8 and GBK), XLSX and JSONL, with the mess real exports have."""

from __future__ import annotations

import pytest

from bot.authoring.editor import Draft, save
from bot.authoring.importer import import_faq, to_text
from bot.channels.cli import main
from bot.engine.core import Engine
from bot.knowledge.model import check, load
from tests.support.faq_rows import ROWS, write_csv, write_jsonl, write_xlsx


@pytest.mark.parametrize("writer", [write_csv, write_xlsx, write_jsonl])
def test_import_into_a_new_directory_works_right_away(tmp_path, writer, capsys):
    source = writer(
        tmp_path
        / f"faq{ {write_csv: '.csv', write_xlsx: '.xlsx', write_jsonl: '.jsonl'}[writer] }",
        ROWS,
    )
    into = tmp_path / "new-knowledge"
    report = import_faq(source, into)
    # The repeated question with another answer is kept as an entry of its own; the repeated
    # id is not.
    assert report.created and report.entries == 4
    assert len(report.empty) == 2  # the blank row and the one without an answer
    assert len(report.duplicates) == 1 and len(report.invalid) == 1

    knowledge, problems = check(into)
    assert knowledge is not None, problems
    assert {p.severity for p in problems} <= {"warning"}
    entries = knowledge.by_id
    assert "SB-001" in entries and "SB-002" in entries  # ids kept unchanged
    first = entries["SB-001"]
    assert (
        first.answer
        == "携带身份证到社保窗口补办，工本费20元。\n详见办事指南（https://rs.example.gov.cn/sbk）。"
    )
    assert first.similar == ("社保卡掉了", "社保卡补办") and first.keywords == ("社保卡",)
    assert entries["SB-002"].similar == ("缴费基数", "社保基数查询")
    assert (
        "0454-1234567" in entries["SB-002"].answer
        and "https://rs.example.gov.cn" in entries["SB-002"].answer
    )
    traditional = next(e for e in knowledge.entries if e.question == "營業執照如何辦理")
    assert traditional.answer.startswith("攜帶身份證")  # kept as written
    assert traditional.category == "导入问答" and traditional.id.startswith("q-")

    assert main(["--knowledge", str(into), "ask", "社保卡掉了咋补"]) == 0
    assert "工本费20元" in capsys.readouterr().out
    assert Engine(knowledge).answer("营业执照如何办理").entry_id == traditional.id


def test_gbk_csv_from_excel(tmp_path):
    source = write_csv(tmp_path / "gbk.csv", ROWS[:2], encoding="gb18030")
    report = import_faq(source, tmp_path / "k")
    assert report.entries == 2
    assert "社保窗口" in load(tmp_path / "k").by_id["SB-001"].answer


@pytest.mark.parametrize("delimiter", ["\t", ";"], ids=["tabs", "semicolons"])
def test_a_csv_with_tabs_or_semicolons_is_read(tmp_path, delimiter):
    """A table copied from Excel into Notepad and saved as .csv has tabs, a European Excel's
    CSV semicolons: refused as having no 问题 column before (probe18)."""
    source = write_csv(tmp_path / "faq.csv", ROWS[:2], delimiter=delimiter)
    report = import_faq(source, tmp_path / "k")
    assert report.entries == 2
    assert load(tmp_path / "k").by_id["SB-001"].similar == ("社保卡掉了", "社保卡补办")


def test_excels_unicode_text_is_read_and_other_bytes_refused_in_words(tmp_path):
    """Excel's 另存为 "Unicode 文本" is UTF-16 with tabs: "'gb18030' codec can't decode byte
    0xff" before (probe18)."""
    source = write_csv(tmp_path / "faq.csv", ROWS[:2], encoding="utf-16", delimiter="\t")
    assert import_faq(source, tmp_path / "k").entries == 2
    source.write_bytes(b"\x81\x30\xff\xff")
    with pytest.raises(ValueError, match="既不是 UTF-8 也不是 GBK"):
        import_faq(source, tmp_path / "k")


@pytest.mark.parametrize("encoding", ["utf-16", "gb18030"], ids=["unicode-text", "tab-text"])
def test_excels_text_files_are_read(tmp_path, encoding, capsys):
    """Excel's 另存为 “Unicode 文本” and “文本文件（制表符分隔）” write a .txt, tabs between the
    cells: refused as 不支持的文件类型 .txt before (probe20)."""
    source = write_csv(tmp_path / "常见问题.txt", ROWS[:2], encoding=encoding, delimiter="\t")
    assert main(["import", str(source), "--into", str(tmp_path / "k")]) == 0
    assert "社保窗口" in load(tmp_path / "k").by_id["SB-001"].answer


def test_a_sheet_with_nothing_to_import_changes_nothing(tmp_path):
    """The console's export (编号 kept) imported back after editing it in Excel, or a sheet whose
    every row is skipped: 导入 0 个条目，写入 0 个文件 was said while an empty source document was
    written (listed among the documents from then on), and an earlier import of a file of that
    name was removed whole (probe20). Now nothing is written, and the report says so and why."""
    into = tmp_path / "k"
    source = write_csv(tmp_path / "faq.csv", ROWS[:2])
    import_faq(source, into)
    before = {p: p.read_bytes() for p in into.rglob("*") if p.is_file()}
    write_csv(source, [[*row[:2], "", *row[3:]] for row in ROWS[:2]])  # answers lost
    report = import_faq(source, into)
    assert report.entries == 0 and not report.files and not report.removed
    assert {p: p.read_bytes() for p in into.rglob("*") if p.is_file()} == before
    assert "知识库没有改动" in report.summary()
    exported = write_csv(tmp_path / "导出.csv", ROWS[:2])  # the other file's ids: all taken
    report = import_faq(exported, into)
    assert report.entries == 0 and len(report.duplicates) == 2
    assert {p: p.read_bytes() for p in into.rglob("*") if p.is_file()} == before
    assert "在管理后台或它的 YAML 文件里修改" in report.summary()


@pytest.mark.parametrize("text", ["问题,答案\n", ""], ids=["header-only", "empty"])
def test_a_sheet_without_rows_says_so(tmp_path, text):
    """A sheet with its column names and no rows was told 找不到问题和答案列 … 文件里的列名：（没有）,
    its 问题 and 答案 in plain sight (probe20)."""
    (tmp_path / "表.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="没有数据行"):
        import_faq(tmp_path / "表.csv", tmp_path / "k")
    assert not (tmp_path / "k").exists()


def test_reimport_updates_instead_of_duplicating(tmp_path):
    into = tmp_path / "k"
    source = write_csv(tmp_path / "faq.csv", ROWS[:3])
    import_faq(source, into)
    generated = {e.id for e in load(into).entries}
    write_csv(source, [[*ROWS[0][:2], "新的答案，工本费10元。", *ROWS[0][3:]], ROWS[2]])
    report = import_faq(source, into)
    assert report.entries == 2 and not report.duplicates
    # said, or another department's sheet of the same name replaced the first without a word
    assert report.removed == ["社保缴费基数怎么查"]
    assert "上次导入的 1 个条目这次的表里没有，已删除：社保缴费基数怎么查" in report.summary()
    assert not import_faq(source, into).removed
    knowledge = load(into)
    assert {e.id for e in knowledge.entries} == {
        "SB-001",
        *(i for i in generated if i.startswith("q-")),
    }
    assert knowledge.by_id["SB-001"].answer == "新的答案，工本费10元。"
    assert len(knowledge.documents) == 1


def test_a_reimport_names_the_phrasings_taught_since_that_it_writes_over(tmp_path):
    """A department imports its updated sheet again: the phrasings taught to its entries since
    (the gap review's 教学) were written over without a word (probe18)."""
    into = tmp_path / "k"
    source = write_csv(tmp_path / "faq.csv", ROWS[:2])
    import_faq(source, into)
    knowledge = load(into)
    draft = Draft.of(knowledge.by_id["SB-001"])
    draft.similar.append("社保卡弄丢了咋整")
    save(knowledge, draft, "SB-001")
    report = import_faq(source, into)
    assert report.overwritten == ["社保卡弄丢了咋整"] and not report.removed
    assert "1 个相似问这次的表里没有，已被表格覆盖：社保卡弄丢了咋整" in report.summary()
    assert not import_faq(source, into).overwritten


def test_import_next_to_existing_knowledge_refuses_taken_ids(tmp_path, knowledge_copy):
    source = write_csv(
        tmp_path / "more.csv", [["fugong-zhuanchuang", "抢占已有编号", "答案", "", "", ""], ROWS[0]]
    )
    before = len(load(knowledge_copy).entries)
    report = import_faq(source, knowledge_copy)
    assert report.entries == 1 and "已有" in report.duplicates[0][1]
    knowledge = load(knowledge_copy)
    assert "SB-001" in knowledge.by_id and len(knowledge.entries) == before + 1


@pytest.mark.slow
def test_thousands_of_rows_with_progress(tmp_path, capsys):
    rows = [
        [
            f"FAQ-{n:05d}",
            f"第{n}号事项怎么办理",
            f"<p>第{n}号事项请到{n % 40 + 1}号窗口办理。</p>",
            f"分类{n % 7}",
            "",
            "",
        ]
        for n in range(3000)
    ]
    source = write_csv(tmp_path / "big.csv", rows)
    assert main(["import", str(source), "--into", str(tmp_path / "big")]) == 0
    captured = capsys.readouterr()
    assert "已读取 1000 行" in captured.err and "导入 3000 个条目" in captured.out
    knowledge = load(tmp_path / "big")
    assert len(knowledge.entries) == 3000 and len(knowledge.categories) == 7


def test_html_to_text():
    assert to_text("<div>甲<br>乙</div><script>x()</script>&nbsp;丙&amp;丁") == "甲\n乙\n丙&丁"
    assert to_text("<a href='https://a.cn'>https://a.cn</a>") == "https://a.cn"
    assert to_text("  plain   text \r\n second ") == "plain text\nsecond"


def test_unsupported_file_type(tmp_path, capsys):
    source = tmp_path / "faq.doc"
    source.write_text("x")
    assert main(["import", str(source), "--into", str(tmp_path / "k")]) == 2
    assert "不支持" in capsys.readouterr().err


def test_unknown_headers_import_nothing_and_exit_1(tmp_path, capsys):
    sheet = tmp_path / "faq.csv"
    sheet.write_text("标题,内容,备注\n社保卡丢了怎么补办,到窗口补办,\n", encoding="utf-8")
    code = main(["import", str(sheet), "--into", str(tmp_path / "k")])
    err = capsys.readouterr().err
    assert code == 1
    assert "“标题”、“内容”、“备注”" in err  # the headers found
    assert "question/问题" in err and "answer/答案" in err  # the names accepted
    assert not (tmp_path / "k").exists()  # nothing written


def test_a_sheet_without_rows_is_not_a_silent_success(tmp_path, capsys):
    sheet = tmp_path / "empty.csv"
    sheet.write_text("", encoding="utf-8")
    assert main(["import", str(sheet), "--into", str(tmp_path / "k")]) == 1


def test_a_repeated_question_is_dropped_only_with_the_same_answer(tmp_path):
    rows = [
        ["", "营业执照怎么办", "到政务服务中心办理。", "", "", ""],
        ["", "营业执照怎么办", "个体户可以网上办理。", "", "", ""],
        ["", "营业执照怎么办？", "到政务服务中心办理。", "", "", ""],
    ]
    report = import_faq(write_csv(tmp_path / "faq.csv", rows), tmp_path / "k")
    assert report.entries == 2 and [row for row, _ in report.duplicates] == [4]
    answers = {e.answer for e in load(tmp_path / "k").entries}
    assert answers == {"到政务服务中心办理。", "个体户可以网上办理。"}


def test_a_question_repeated_with_another_answer_is_kept_and_named(tmp_path):
    """Two rows asking the same with different answers (a sheet's 一般1个工作日 and 三个工作日,
    two departments' rows pasted together) are two entries, by design, and the bot then
    answers that question with neither: its near topics listed it twice. The import said only
    导入 2 个条目, and the console, which shows no `validate` warnings, nothing else (probe21).
    The report names the rows now, and what to do."""
    rows = [
        ["", "企业开户要多久？", "一般1个工作日内办结。", "", "", ""],
        ["", "企业开户要多久", "三个工作日。", "", "", ""],
    ]
    report = import_faq(write_csv(tmp_path / "faq.csv", rows), tmp_path / "k")
    assert report.entries == 2 and report.repeated == [(3, 2)]
    assert "第 3 行的问题与第 2 行相同、答案不同" in report.summary()
