"""Validation beyond syntax, each rule on a broken copy of the knowledge, through the CLI."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.channels.cli import main
from bot.knowledge.model import check
from tests.support.edits import edit, line_number
from tests.support.flows import flows_copy

FAQ = "faq/02-fangguanfu.yaml"


def validate(capsys, directory, *extra) -> tuple[int, str]:
    code = main(["--knowledge", str(directory), "validate", *extra])
    return code, capsys.readouterr().out


def test_a_figure_the_source_does_not_contain_is_an_error(capsys, knowledge_copy):
    path = knowledge_copy / FAQ
    edit(path, "抚远市共梳理保留行政权力事项2887项。", "抚远市共梳理保留行政权力事项2888项。")
    code, out = validate(capsys, knowledge_copy)
    assert code == 1
    figure_line = line_number(path, "2888项")  # the text; its `answer: |` key is just above
    assert f"{path}:{figure_line - 1}: error:" in out and "“2888”" in out


def test_figures_anywhere_in_the_cited_document_are_accepted(knowledge_copy):
    # 41.34 is in the article, though not in this entry's quote.
    edit(
        knowledge_copy / FAQ,
        "抚远市共梳理保留行政权力事项2887项。",
        "抚远市共梳理保留行政权力事项2887项（另见41.34亿元）。",
    )
    knowledge, problems = check(knowledge_copy)
    assert knowledge is not None and not problems


def test_full_width_and_thousands_separators_count_as_the_same_figure(knowledge_copy):
    edit(
        knowledge_copy / FAQ,
        "抚远市共梳理保留行政权力事项2887项。",
        "抚远市共梳理保留行政权力事项２,887项。",
    )
    knowledge, problems = check(knowledge_copy)
    assert knowledge is not None and not problems


@pytest.mark.slow
def test_review_by_in_the_past_is_a_warning(capsys, knowledge_copy):
    path = knowledge_copy / FAQ
    yesterday = dt.date.today() - dt.timedelta(days=1)
    edit(
        path,
        "    related: [fgf-chengxiao, fgf-fang]",
        f"    related: [fgf-chengxiao, fgf-fang]\n    review_by: {yesterday}",
    )
    code, out = validate(capsys, knowledge_copy)
    assert code == 0
    assert f"{path}:{line_number(path, 'review_by')}: warning:" in out and "review_by" in out
    assert validate(capsys, knowledge_copy, "--strict")[0] == 1


def test_review_by_in_the_future_is_fine(knowledge_copy):
    future = dt.date.today() + dt.timedelta(days=30)
    edit(
        knowledge_copy / FAQ,
        "    related: [fgf-chengxiao, fgf-fang]",
        f"    related: [fgf-chengxiao, fgf-fang]\n    review_by: {future}",
    )
    assert check(knowledge_copy)[1] == []


@pytest.mark.slow
def test_an_answer_too_long_for_one_message_is_a_warning(capsys, knowledge_copy):
    path = knowledge_copy / FAQ
    edit(
        path,
        "      抚远市共梳理保留行政权力事项2887项。",
        "      抚远市共梳理保留行政权力事项2887项。" + "详见清单。" * 900,
    )
    code, out = validate(capsys, knowledge_copy)
    assert code == 0 and "4096" in out and "warning" in out


@pytest.mark.slow
def test_a_question_the_engine_gives_to_another_entry_is_a_collision(capsys, knowledge_copy):
    path = knowledge_copy / FAQ
    edit(
        path,
        "      - 行政权力事项一共几项\n",
        "      - 行政权力事项一共几项\n      - 公共服务事项一共多少项\n",
    )
    code, out = validate(capsys, knowledge_copy)
    assert code == 0
    assert f"{path}:{line_number(path, '公共服务事项一共多少项')}: warning:" in out
    assert "fgf-gonggong-fuwu" in out
    assert validate(capsys, knowledge_copy, "--strict")[0] == 1


def test_near_duplicate_standard_questions_are_reported(capsys, tmp_path):
    knowledge_copy = flows_copy(tmp_path / "knowledge")  # two entries suffice; smaller to check
    path = knowledge_copy / "faq/03-fugong-fuchan.yaml"
    edit(
        path,
        "    question: 复工复产有没有绿色通道？",
        "    question: 企业复工复产去哪个窗口办理呢？",
    )
    _, out = validate(capsys, knowledge_copy)
    assert "几乎一样" in out and "fugong-zhuanchuang" in out


@pytest.mark.slow
def test_the_shipped_knowledge_passes_strict_validation(capsys):
    from tests.support.paths import KNOWLEDGE

    code, out = validate(capsys, KNOWLEDGE, "--strict")
    assert code == 0, out


def test_figures_in_chinese_numerals_are_checked_as_digits_are(capsys, knowledge_copy):
    path = knowledge_copy / FAQ
    edit(
        path,
        "抚远市共梳理保留行政权力事项2887项。",
        "抚远市共梳理保留行政权力事项两千八百八十七项。",
    )
    knowledge, problems = check(knowledge_copy)
    assert knowledge is not None and not problems  # 两千八百八十七 is the article's 2887
    edit(path, "两千八百八十七项", "两千八百八十八项")
    code, out = validate(capsys, knowledge_copy)
    assert code == 1 and "“2888”" in out


def test_a_fallbacks_category_no_entry_uses_is_a_warning(capsys, tmp_path):
    knowledge_copy = flows_copy(tmp_path / "knowledge")  # it has the 复工复产 category
    path = knowledge_copy / "bot.yaml"
    edit(path, "  复工复产与服务窗口: |", "  复工复产服务窗口: |")
    code, out = validate(capsys, knowledge_copy)
    assert code == 0
    line = line_number(path, "复工复产服务窗口:")
    assert f"{path}:{line}: warning:" in out and "“复工复产服务窗口”" in out


def test_bot_yaml_max_answer_sets_the_answer_length_limit(tmp_path):
    directory = flows_copy(tmp_path / "knowledge")
    assert not [p for p in check(directory)[1] if "超过" in p.message]  # 4096 by default
    with (directory / "bot.yaml").open("a", encoding="utf-8") as file:
        file.write("\nmax_answer: 50\n")
    knowledge, problems = check(directory)
    long = [p for p in problems if "超过 50 字" in p.message]
    assert knowledge is not None and long and {p.severity for p in long} == {"warning"}
    assert len(long) == sum(len(e.answer) > 50 for e in knowledge.entries)


@pytest.mark.parametrize("value", ["0", "-5", "很多", "true", "12.5"])
def test_a_max_answer_that_is_not_a_positive_whole_number_is_an_error(tmp_path, value):
    directory = flows_copy(tmp_path / "knowledge")
    path = directory / "bot.yaml"
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nmax_answer: {value}\n")
    knowledge, problems = check(directory)
    (problem,) = [p for p in problems if "max_answer" in p.message]
    assert knowledge is None and problem.severity == "error"
    assert problem.line == line_number(path, "max_answer:")


@pytest.mark.slow
def test_a_keyword_naming_another_entrys_subject_is_a_warning(capsys, knowledge_copy):
    """政务服务中心 as a keyword of the 复工专窗 entry (few of its questions name it; nearly all of
    the 政务服务中心 entry's do) answered the bare word with the 专窗 at full score."""
    path = knowledge_copy / "faq/03-fugong-fuchan.yaml"
    assert validate(capsys, knowledge_copy, "--strict")[0] == 0
    edit(path, "keywords: [复工复产, 专窗]", "keywords: [复工复产, 专窗, 政务服务中心]")
    code, out = validate(capsys, knowledge_copy, "--strict")
    assert code == 1
    entry_line = line_number(path, "id: fugong-zhuanchuang")
    assert (
        f"{path}:{entry_line}: warning: 关键词 “政务服务中心” 是条目 zhengwu-zhongxin-dizhi" in out
    )
    # A keyword its own entry's questions mostly name is its own, however often others do.
    assert "“复工复产”" not in out and "“专窗”" not in out
