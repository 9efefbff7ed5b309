"""A term one or two entries own, left unsaid by the best entry, hands the answer to a close
runner-up that states it (bot.engine.owned; the figures are in docs/matching.md, twenty-first
round)."""

from __future__ import annotations

from types import SimpleNamespace

from bot.engine import owned
from bot.engine.answerability import Check
from bot.engine.core import Candidate


def candidate(entry_id: str, score: float, *uncovered: str) -> Candidate:
    check = Check(1.0, None, (), False, tuple((word, 0.3) for word in uncovered), weight=1.0)
    return Candidate(entry_id, "", score, check)


# An index whose questions use 开春即开工 in one entry and 复工 in five.
INDEX = SimpleNamespace(holders={"开春即开工": 1, "复工": 5, "门票": 0}.get)
TERMS = {"开春即开工", "复工", "门票"}


def test_a_close_runner_up_stating_an_owned_term_answers():
    best, runner = candidate("a", 0.70, "开春即开工"), candidate("b", 0.60)
    assert owned.owner([best, runner], 0.56, INDEX, TERMS) == 1
    third = candidate("c", 0.65)  # (the first such of the next two)
    assert owned.owner([best, candidate("b", 0.66, "开春即开工"), third], 0.56, INDEX, TERMS) == 2


def test_the_best_answers_otherwise():
    best = candidate("a", 0.70, "开春即开工")
    assert owned.owner([best, candidate("b", 0.49)], 0.5, INDEX, TERMS) == 0  # under the bar
    far = candidate("b", 0.70 - owned.CLOSE - 0.01)
    assert owned.owner([best, far], 0.3, INDEX, TERMS) == 0  # not close
    assert owned.owner([best, candidate("b", 0.6, "开春即开工")], 0.5, INDEX, TERMS) == 0
    common, unknown = candidate("a", 0.7, "复工"), candidate("a", 0.7, "门票")
    for left in (common, unknown):  # five entries' term; a term no entry's questions use
        assert owned.owner([left, candidate("b", 0.6)], 0.5, INDEX, TERMS) == 0
    fourth = [best, candidate("b", 0.6, "开春即开工"), candidate("c", 0.6, "开春即开工")]
    assert owned.owner([*fourth, candidate("d", 0.69)], 0.5, INDEX, TERMS) == 0
    assert owned.owner([candidate("a", 0.7), candidate("b", 0.69)], 0.5, INDEX, TERMS) == 0


def test_the_index_counts_the_entries_whose_questions_use_a_word(engine):
    holders = engine.index.holders
    assert holders("开春即开工") == 1  # xiangmu-kaichun-kaigong's alone
    assert holders("复工复产") > 2
    assert holders("门票") == 0


def test_the_engine_answers_the_entry_that_owns_the_term(engine):
    # The 4月7日 entry won on the rest of the wording (wrong before: fresh16, fresh15).
    for typed in (
        "回复 建材老李：你说抚远开春即开工，是4月7号那批项目吧",
        "喂，我是做暑期调研的，想问抚远开春即开工的部署，和4月7日集中开工有关系吗",
    ):
        assert engine.answer(typed).entry_id == "xiangmu-kaichun-kaigong"
