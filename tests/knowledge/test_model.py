"""The shipped knowledge is complete and traceable; every kind of broken edit is reported at its
file and line, as an admin would need to find it."""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path

import pytest

from bot.knowledge.model import (
    MIN_SIMILAR,
    Entry,
    KnowledgeDirMissing,
    KnowledgeError,
    Source,
    check,
    comparable,
    figures,
    load,
)
from tests.support.edits import edit, line_number


def test_shipped_knowledge_is_valid_and_clean(knowledge):
    assert 60 <= len(knowledge.entries) <= 120
    assert knowledge.warnings == ()
    assert len(knowledge.categories) >= 8


def test_every_entry_is_sourced_verbatim_and_has_enough_similar_questions(knowledge):
    for entry in knowledge.entries:
        document = knowledge.documents[entry.source.document]
        assert comparable(entry.source.quote) in comparable(document.text), entry.id
        assert len(entry.similar) >= MIN_SIMILAR, entry.id
        assert len(entry.answer) <= 300, entry.id


def test_every_category_asked_reads_the_entries_once(knowledge):
    """`/api/v1/topics` asks each category for its entries: reading every entry for each took
    5 s of CPU at 100k entries in 1,000 categories, the web server's event loop held (probe24)."""
    reads = []

    class Counted(Entry):
        def __getattribute__(self, name):
            if name == "category":
                reads.append(name)
            return super().__getattribute__(name)

    first = knowledge.entries[0]
    fields = {f.name: getattr(first, f.name) for f in dataclasses.fields(Entry)}
    entries = tuple(
        Counted(**{**fields, "id": f"e{n}", "category": f"c{n % 50}"}) for n in range(500)
    )
    many = dataclasses.replace(
        knowledge, entries=entries, categories=tuple(f"c{n}" for n in range(50)), by_id={}
    )
    reads.clear()
    for _ in range(3):
        listed = [many.in_category(category) for category in many.categories]
    assert len(reads) <= len(entries)
    assert listed[7] == [e for e in entries if e.category == "c7"]
    assert many.in_category("none") == []
    listed[0].clear()  # a caller's list is its own
    assert len(many.in_category("c0")) == 10


def test_a_knowledge_pickles_alike_whether_or_not_its_categories_were_asked(knowledge):
    # The grouping by category is made again on need: pickled (a saved engine, bot.engine.cache),
    # it would carry every entry a second time beside the cache's packed block.
    copy = dataclasses.replace(knowledge, by_id={})
    before = pickle.dumps(copy)
    copy.in_category(copy.categories[0])
    assert pickle.dumps(copy) == before
    assert pickle.loads(before).in_category(copy.categories[0]) == copy.in_category(
        copy.categories[0]
    )


def test_headline_figures_are_in_the_knowledge(knowledge):
    answers = " ".join(entry.answer for entry in knowledge.entries)
    for figure in [
        "2887",
        "199",
        "845",
        "233",
        "683",
        "71",
        "612",
        "18项",
        "取消6项",
        "3596",
        "61%",
        "100个高频事项",
        "23.8亿元",
        "41.34亿元",
        "22亿元",
        "55万美元",
        "100万吨",
    ]:
        assert figure in answers, figure


def test_no_phone_number_is_stated_that_the_source_does_not_contain(knowledge):
    source_text = " ".join(d.text for d in knowledge.documents.values())
    texts = knowledge.texts
    everything = " ".join(
        [e.answer for e in knowledge.entries] + [texts.welcome, texts.help, texts.fallback]
    )
    for number in re.findall(r"\d{5,}", everything):
        assert number in source_text, number


def test_source_document_is_clean_and_dated(knowledge):
    document = knowledge.documents["fuyuan-2022-05-26"]
    assert document.date == "2022-05-26"
    assert document.publisher and document.outlet and document.title
    for noise in ("澎湃Logo", "扫码下载", "ICP", "编 辑"):
        assert noise not in document.text
    # Image captions stay: they state facts too (a notary's remote video service).
    assert "“零接触”远程视频公证 供图" in document.text


def only_error(directory: Path):
    knowledge, problems = check(directory)
    errors = [p for p in problems if p.severity == "error"]
    assert knowledge is None
    assert len(errors) == 1, errors
    with pytest.raises(KnowledgeError):
        load(directory)
    return errors[0]


FAQ = "faq/03-fugong-fuchan.yaml"


def test_yaml_syntax_error_names_file_and_line(knowledge_copy):
    path = knowledge_copy / FAQ
    edit(
        path,
        "    question: 企业复工复产去哪个窗口办理？",
        "    question: [企业复工复产去哪个窗口办理？",
    )
    error = only_error(knowledge_copy)
    assert error.path == path
    assert "YAML" in error.message
    assert abs(error.line - line_number(path, "[企业复工复产")) <= 1


def test_unknown_field_is_reported_at_its_line(knowledge_copy):
    path = knowledge_copy / FAQ
    edit(path, "    keywords: [复工复产, 专窗]", "    keyword: [复工复产]")
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, "keyword: [复工复产]"))
    assert "keyword" in error.message and "未知字段" in error.message


def test_missing_field_is_reported_at_its_entry(knowledge_copy):
    path = knowledge_copy / FAQ
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    question: 企业复工复产去哪个窗口办理？\n", ""), encoding="utf-8"
    )
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, "id: fugong-zhuanchuang"))
    assert "question" in error.message and "缺少" in error.message


def test_duplicate_id_names_both_places(knowledge_copy):
    path = knowledge_copy / FAQ
    edit(path, "  - id: fugong-lvse-tongdao", "  - id: fugong-zhuanchuang")
    error = only_error(knowledge_copy)
    lines = [
        n
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "id: fugong-zhuanchuang" in line
    ]
    assert (error.path, error.line) == (path, lines[1])
    assert f"03-fugong-fuchan.yaml:{lines[0]}" in error.message


def test_empty_answer_is_an_error(knowledge_copy):
    path = knowledge_copy / FAQ
    text = path.read_text(encoding="utf-8")
    start = text.index("    answer: |\n      抚远市在政务服务中心新增设了")
    end = text.index("    source:", start)
    path.write_text(text[:start] + '    answer: "  "\n' + text[end:], encoding="utf-8")
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, "id: fugong-zhuanchuang"))
    assert "answer" in error.message


def test_quote_not_in_document_is_reported_at_the_quote(knowledge_copy):
    path = knowledge_copy / FAQ
    edit(
        path,
        "quote: 抚远市在政务服务中心新增设企业复工复产专窗",
        "quote: 抚远市在政务服务中心新增设企业复工复产专窗24小时",
    )
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, "专窗24小时"))
    assert "引文" in error.message


def test_unknown_document_is_reported(knowledge_copy):
    path = knowledge_copy / FAQ
    edit(path, "document: fuyuan-2022-05-26", "document: fuyuan-2099")
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, "fuyuan-2099"))


def test_malformed_synonym_group(knowledge_copy):
    path = knowledge_copy / "synonyms.yaml"
    edit(path, "  - [热线, 电话, 热线电话, 服务电话, 座机]", "  - [热线]")
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, "  - [热线]"))
    assert "同义词组" in error.message


def test_word_in_two_synonym_groups(knowledge_copy):
    path = knowledge_copy / "synonyms.yaml"
    edit(
        path,
        "  - [热线, 电话, 热线电话, 服务电话, 座机]",
        "  - [热线, 电话, 热线电话, 服务电话, 座机, 投诉]",
    )
    error = only_error(knowledge_copy)
    assert error.path == path and "投诉" in error.message


def test_duplicate_key_in_a_mapping(knowledge_copy):
    path = knowledge_copy / FAQ
    edit(
        path,
        "    question: 企业复工复产去哪个窗口办理？",
        "    question: 企业复工复产去哪个窗口办理？\n    question: 复工去哪",
    )
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, "question: 复工去哪"))


def test_bad_id_format(knowledge_copy):
    path = knowledge_copy / FAQ
    edit(path, "  - id: fugong-zhuanchuang", "  - id: 复工专窗")
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, "id: 复工专窗"))


@pytest.mark.parametrize("written", ["0", "no", "false", "{}"])
def test_an_id_yaml_reads_as_no_text_is_an_error(knowledge_copy, written):
    path = knowledge_copy / FAQ
    edit(path, "  - id: fugong-zhuanchuang", f"  - id: {written}")
    error = only_error(knowledge_copy)
    assert (error.path, error.line) == (path, line_number(path, f"id: {written}"))
    assert "id 要写成一段文字" in error.message


def test_few_similar_questions_and_dangling_related_are_warnings(knowledge_copy):
    path = knowledge_copy / "faq/05-shenpi.yaml"
    # The first entry keeps one similar question, however many the shipped one has.
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"(    similar:\n      - [^\n]*\n)(      - [^\n]*\n)+", r"\1", text, count=1),
        encoding="utf-8",
    )
    edit(
        path,
        "related: [shenpi-shigong-xuke, qiye-sanweiyiti]",
        "related: [shenpi-shigong-xuke, no-such-entry]",
    )
    knowledge, problems = check(knowledge_copy)
    assert knowledge is not None
    assert {p.severity for p in problems} == {"warning"}
    messages = " ".join(p.message for p in problems)
    assert "相似问" in messages and "no-such-entry" in messages


def test_missing_directory_is_its_own_error(tmp_path):
    with pytest.raises(KnowledgeDirMissing):
        check(tmp_path / "nope")


def test_version_changes_with_any_edit(knowledge_copy, knowledge):
    before = check(knowledge_copy)[0].version
    assert before == knowledge.version
    edit(knowledge_copy / "bot.yaml", "name: 抚远营商环境政策问答", "name: 抚远政策问答")
    assert check(knowledge_copy)[0].version != before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("两千八百八十八项", {"2888"}),
        ("减少比例为百分之六十一", {"61"}),  # not 100 and 61
        ("总投资二十三点八亿元", {"23.8"}),
        ("梳理保留中介服务事项十八项，取消六项", {"18", "6"}),
        ("约六亿元", {"6"}),
        ("二〇二二年五月二十六日", {"2022", "5", "26"}),
        ("一千零五", {"1005"}),
        ("十分钟", {"10"}),
        ("２,８８７人，第①批", {"2887", "1"}),  # folded by NFKC before anything is looked for
        ("办理说明。", set()),
        # Words that only look like numbers: no figure, so none is wrongly required of the
        # source, and none in the source lets a wrong one pass.
        ("为老百姓办事，千方百计", set()),
        ("十分重要，千万不要", set()),
        ("一区两岛一城两港，一对一，三位一体，一次办", set()),
        ("五一前后，七八个人，三四十家", set()),
    ],
)
def test_figures_read_chinese_numerals_and_skip_words_that_look_like_them(text, expected):
    assert figures(text) == expected


def test_a_wrong_figure_in_chinese_numerals_is_an_error(knowledge_copy):
    path = knowledge_copy / "faq/02-fangguanfu.yaml"
    edit(
        path,
        "抚远市梳理保留中介服务事项18项，取消6项。",
        "抚远市梳理保留中介服务事项十八项，取消六项。",
    )
    assert check(knowledge_copy)[0] is not None
    edit(path, "取消六项", "取消九项")  # 9 is nowhere in the article
    knowledge, problems = check(knowledge_copy)
    assert knowledge is None and any("“9”" in p.message for p in problems)


def test_an_entry_read_is_one_its_dataclass_would_make(knowledge):
    """Entries are made without Entry's __init__ (bot.knowledge.model.made_as_init_would): with
    every field, in declaration order (a cached engine's bytes depend on it)."""
    entry = knowledge.entries[0]
    assert list(vars(entry)) == [f.name for f in dataclasses.fields(Entry)]
    assert entry == Entry(**vars(entry))
    assert list(vars(entry.source)) == [f.name for f in dataclasses.fields(Source)]
    assert entry.source == Source(**vars(entry.source))


def test_the_entries_by_id_are_each_entry_under_its_id(knowledge):
    for loaded in (knowledge, load(knowledge.directory, lines=False)):
        assert list(loaded.by_id.items()) == [(entry.id, entry) for entry in loaded.entries]
    fewer = dataclasses.replace(knowledge, entries=knowledge.entries[:3], by_id={})
    assert list(fewer.by_id) == [entry.id for entry in knowledge.entries[:3]]


def test_each_question_has_the_line_it_is_written_on(knowledge):
    for entry in knowledge.entries:
        lines = entry.path.read_text(encoding="utf-8").splitlines()
        assert len(entry.question_lines) == len(entry.questions), entry.id
        for question, line in zip(entry.questions, entry.question_lines, strict=True):
            assert question in lines[line - 1], (entry.id, question, line)
