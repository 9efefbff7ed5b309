"""How answers read for people: the engine gives structure, `bot.channels.render` the words."""

from __future__ import annotations

import pytest

from bot.app import Request, Service
from bot.channels.render import FOREIGN_NOTES, as_json, as_text, body, listed, text
from bot.engine import language
from bot.engine.core import CLARIFY, FALLBACK, Thresholds
from tests.support.flows import FLOWS


def test_one_plausible_candidate_reads_as_a_yes_no_question(knowledge, engine_with):
    engine = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=0.8))
    answer = engine.answer("您好，我想问一下复工复产去哪个窗口办理")
    assert answer.status == CLARIFY and len(answer.choices) == 1
    assert body(answer, knowledge.texts) == "您是想问「企业复工复产去哪个窗口办理」吗？"
    assert listed(answer, knowledge.texts) == []


def test_a_clarify_list_is_numbered_and_ends_with_none_of_these(knowledge, engine_with):
    engine = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=0.3))
    answer = engine.answer("您好，我想问一下复工复产去哪个窗口办理")
    shown = text(answer, knowledge.texts)
    assert body(answer, knowledge.texts) == knowledge.texts.clarify
    assert shown.startswith(knowledge.texts.clarify + "\n1. 企业复工复产去哪个窗口办理？\n")
    assert shown.endswith(f"\n0. {knowledge.texts.none_of_these}")
    assert shown.count("\n") == len(answer.choices) + 1


def test_near_topics_are_listed_under_their_heading(engine):
    answer = engine.answer("黑瞎子岛门票多少钱")
    texts = engine.knowledge.texts
    assert answer.status == FALLBACK and answer.near
    assert body(answer, texts) == answer.answer  # where to turn, as the knowledge says it
    assert listed(answer, texts) == [texts.near, *(f"· {c.question}" for c in answer.near)]


@pytest.mark.parametrize(
    "question, language, phrase",
    [
        ("How do I register a company here?", "en", "Chinese only"),
        ("Как получить разрешение на строительство?", "ru", "китайском"),
        ("会社の登録はどうすればいいですか", "ja", "中国語"),
        ("회사 등록은 어떻게 하나요", "ko", "중국어"),
    ],
)
def test_a_question_in_another_language_gets_a_note_in_it(engine, question, language, phrase):
    answer = engine.answer(question)
    assert answer.language == language
    shown = text(answer, engine.knowledge.texts)
    assert shown == f"{FOREIGN_NOTES[answer.language]}\n{engine.knowledge.texts.fallback}"
    assert phrase in shown and "只用中文回答" in shown


def test_every_language_told_apart_has_a_note():
    told = {name for name, _ in language._SCRIPTS}
    assert told == set(FOREIGN_NOTES)


def test_the_json_is_the_engines_fields_with_the_text_people_read():
    service = Service.open(FLOWS)
    service.engine.thresholds = Thresholds(answer=1.0, margin=1.0, clarify=0.0)
    turn = service.ask(Request("复工复产怎么办", "ask"))
    data = as_json(turn)
    assert list(data) == list(turn.answer.to_dict())
    assert data["answer"] == text(turn.answer, turn.knowledge.texts) != turn.answer.answer


def test_the_terminals_text_has_no_control_characters(engine):
    """`validate` passes an escape sequence in an answer (a sheet imported, a web page
    ingested), and `ask` printed it as it was: a title set, a screen cleared (probe22)."""
    import dataclasses

    answer = engine.answer("复工复产去哪个窗口办理")
    planted = "\x1b]0;HACKED\x07有专窗。\x1b[H\x1b[J\n第二行\u202e反向"
    shown = as_text(dataclasses.replace(answer, answer=planted), engine.knowledge)
    assert not any(c in shown for c in "\x1b\x07\u202e")
    assert "有专窗。" in shown and "\n第二行" in shown and "来源：" in shown
