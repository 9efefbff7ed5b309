"""The engine's frozen records made and copied through `__dict__` (bot.engine._frozen) are the
same records their dataclass would make, and still frozen."""

import dataclasses

import pytest

from bot.engine._frozen import amended, made
from bot.engine.answerability import Check
from bot.engine.core import Answer
from bot.engine.decision import Candidate
from bot.knowledge.model import Knowledge


def test_made_is_what_the_constructor_makes():
    values = dict(factor=0.5, focus="time", gives=("time",), mismatch=False, uncovered=())
    values.update(weight=1.0, long=True, share=0.6, asked_for=("门票",), unstated=("门票",))
    values.update(restated=("2887",), contradicted=("省重点",))
    record = made(Check, values)
    assert record == Check(**values) and repr(record) == repr(Check(**values))
    assert hash(record) == hash(Check(**values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.factor = 1.0  # type: ignore[misc]


def test_made_checks_the_fields_of_a_kinds_first_record():
    @dataclasses.dataclass(frozen=True)
    class Pair:
        left: int
        right: int = 0

    with pytest.raises(AssertionError):
        made(Pair, {"left": 1})  # every field must be given, defaults too
    with pytest.raises(AssertionError):
        made(Pair, {"left": 1, "rigth": 2})
    assert made(Pair, {"left": 1, "right": 2}) == Pair(1, 2)


def test_a_found_candidate_is_what_the_constructor_makes(knowledge: Knowledge):
    entry = knowledge.entries[0]
    found = Candidate.found(entry, 3, 0.8, None, 0.7)
    assert found == Candidate(entry.id, entry.question, 0.8, None, 0.7, entry, 3)
    assert (found.check, found.match, found.entry, found.position) == (None, 0.7, entry, 3)
    assert repr(found) == repr(Candidate(entry.id, entry.question, 0.8, None, 0.7, entry, 3))


def test_amended_is_what_replace_makes():
    answer = Answer("问", "fallback", "text", score=0.2)
    copy = amended(answer, took_ms=1.5, normalized="问")
    assert copy == dataclasses.replace(answer, took_ms=1.5, normalized="问")
    assert answer.took_ms == 0.0 and copy is not answer
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.status = "answered"  # type: ignore[misc]
    with pytest.raises(AssertionError):
        amended(answer, tookms=1.0)  # not a field


def test_an_answer_given_is_what_the_constructor_makes(knowledge: Knowledge):
    entry = knowledge.entries[0]
    values = dict(question="问", status="answered", answer=entry.answer, entry_id=entry.id)
    values.update(score=0.9, sources=({"document": "d"},), entry=entry)
    given = Answer.given(values)
    assert given == Answer(**values) and repr(given) == repr(Answer(**values))
    assert given.__dict__ == Answer(**values).__dict__  # the defaults too
    with pytest.raises(dataclasses.FrozenInstanceError):
        given.score = 1.0  # type: ignore[misc]
