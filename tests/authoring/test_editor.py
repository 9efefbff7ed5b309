"""The entry editor: checked in a scratch copy, errors by field, comments and layout kept."""

from __future__ import annotations

import dataclasses

import pytest

from bot.authoring.editor import GENERAL, Draft, EditRefused, delete, save, split_lines
from bot.authoring.teach import TeachRefused, check_no_harm, teach
from bot.engine.core import Engine
from bot.knowledge.model import check, load

FAQ = "faq/03-fugong-fuchan.yaml"
ENTRY = "fugong-zhuanchuang"


def test_an_edit_changes_only_its_lines(knowledge_copy):
    path = knowledge_copy / FAQ
    before = path.read_text(encoding="utf-8").splitlines()
    knowledge = load(knowledge_copy)
    draft = Draft.of(knowledge.by_id[ENTRY])
    draft.answer = draft.answer.replace("复工复产绿色通道", "复工复产绿色通道（全程帮办）")
    saved = save(knowledge, draft, ENTRY)
    after = path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    assert [a for a, b in zip(after, before, strict=True) if a != b] == ["      " + draft.answer]
    assert after[0].startswith("#")
    assert saved.before["answer"] != saved.after["answer"]
    assert load(knowledge_copy).by_id[ENTRY].answer == draft.answer


def test_what_an_admin_types_is_what_the_bot_reads_back(knowledge_copy):
    """ruamel.yaml writes YAML 1.2, where on, no, 8:30 and 1_000 are text and need no quotes;
    the knowledge is read by PyYAML, YAML 1.1, which read them back as True, False, 510 and
    1000: a keyword 8:30 saved in the console came back, and showed there, as 510."""
    typed = ["8:30", "on", "no", "Yes", "1_000", "0451", "null", "~", "1.5", "2022-05-26"]
    knowledge = load(knowledge_copy)
    draft = Draft.of(knowledge.by_id[ENTRY])
    draft.keywords = [*draft.keywords, *typed]
    draft.similar = [*draft.similar, *typed]
    draft.related = []
    save(knowledge, draft, ENTRY)
    entry = load(knowledge_copy).by_id[ENTRY]
    assert list(entry.keywords[-len(typed) :]) == typed
    assert list(entry.similar[-len(typed) :]) == typed


def test_a_wrong_figure_is_refused_by_the_answer_field_and_nothing_is_written(knowledge_copy):
    path = knowledge_copy / FAQ
    original = path.read_text(encoding="utf-8")
    knowledge = load(knowledge_copy)
    draft = Draft.of(knowledge.by_id[ENTRY])
    draft.answer = "政务服务中心设有 8 个复工复产专窗。"
    with pytest.raises(EditRefused) as refused:
        save(knowledge, draft, ENTRY)
    assert list(refused.value.errors) == ["answer"]
    assert "“8”" in refused.value.errors["answer"][0]
    assert path.read_text(encoding="utf-8") == original


def test_a_quote_not_in_the_document_is_refused_by_the_quote_field(knowledge_copy):
    knowledge = load(knowledge_copy)
    draft = dataclasses.replace(Draft.of(knowledge.by_id[ENTRY]), quote="这句话原文里没有")
    with pytest.raises(EditRefused) as refused:
        save(knowledge, draft, ENTRY)
    assert list(refused.value.errors) == ["quote"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"id": "坏 id"}, "id"),
        ({"id": "fugong-lvse-tongdao"}, "id"),
        ({"question": " "}, "question"),
        ({"document": "no-such-doc"}, "document"),
        ({"review_by": "明年"}, "review_by"),
    ],
)
def test_form_errors_name_their_field(knowledge_copy, change, field):
    knowledge = load(knowledge_copy)
    draft = dataclasses.replace(Draft.of(knowledge.by_id[ENTRY]), **change)
    with pytest.raises(EditRefused) as refused:
        save(knowledge, draft, ENTRY)
    assert field in refused.value.errors


def test_create_then_delete_an_entry(knowledge_copy):
    knowledge = load(knowledge_copy)
    source = knowledge.by_id[ENTRY]
    draft = Draft(
        id="fugong-test-new",
        category=source.category,
        question="复工复产专窗几点上班？",
        similar=split_lines("专窗上班时间\n专窗几点开门"),
        answer="专窗每天 8 点半开门。",
        document=source.source.document,
        quote=source.source.quote,
        keywords=split_lines("专窗，上班时间"),
    )
    with pytest.raises(EditRefused) as refused:  # a time the source never gives: an error
        save(knowledge, draft, None)
    assert "answer" in refused.value.errors
    draft.answer = "源文件没有写专窗的办公时间，请到政务服务中心咨询。"
    saved = save(knowledge, draft, None)
    assert saved.before is None and saved.path == source.path
    created = load(knowledge_copy).by_id["fugong-test-new"]
    assert created.keywords == ("专窗", "上班时间")
    delete(load(knowledge_copy), "fugong-test-new")
    assert "fugong-test-new" not in load(knowledge_copy).by_id
    assert check(knowledge_copy)[0] is not None


def test_a_new_entry_needs_a_known_category(knowledge_copy):
    with pytest.raises(EditRefused) as refused:
        save(load(knowledge_copy), Draft(id="x-1", category="没有这个分类"), None)
    assert "category" in refused.value.errors and GENERAL not in refused.value.errors


def test_teaching_the_city_name_to_the_march_trip_entry_is_refused(knowledge_copy):
    before = (knowledge_copy / "faq/08-zhaoshang-yinzi.yaml").read_text(encoding="utf-8")
    with pytest.raises(TeachRefused) as refused:
        teach(load(knowledge_copy), "抚远在哪", "zs-kaocha-shandong")
    assert "并没有回答这个问题" in str(refused.value) and "抚远" in str(refused.value)
    assert (knowledge_copy / "faq/08-zhaoshang-yinzi.yaml").read_text(encoding="utf-8") == before


@pytest.mark.slow
@pytest.mark.parametrize(
    "question, harmed",
    [("绿色通道", "本应是 fugong-lvse-tongdao"), ("复工复产咨询电话", "复工复产咨询电话")],
)
def test_teaching_what_would_take_other_entries_questions_is_refused(engine, question, harmed):
    # check_no_harm on its own: `teach` would already refuse these as closer to another entry.
    with pytest.raises(TeachRefused, match="错答") as refused:
        check_no_harm(engine, question, engine.knowledge.by_id[ENTRY])
    assert harmed in str(refused.value)


@pytest.mark.slow
def test_a_taught_question_is_answered_and_recorded_before_and_after(knowledge_copy):
    taught = teach(load(knowledge_copy), "抚远去山东哪些城市招商", "zs-kaocha-shandong")
    assert taught.after["similar"][-1] == "抚远去山东哪些城市招商"
    assert taught.before["similar"] == taught.after["similar"][:-1]
    assert (
        Engine(load(knowledge_copy)).answer("抚远去山东哪些城市招商").entry_id
        == "zs-kaocha-shandong"
    )
