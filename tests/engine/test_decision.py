"""When a close call is offered as a choice (bot.engine.decision.choosable), and what else it gets."""

from __future__ import annotations

from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, Thresholds
from bot.engine.decision import OFFER_CHARS, Candidate, choosable, decide
from bot.engine.reading import fold_message

TIED = (Candidate("a", "甲", 0.70), Candidate("b", "乙", 0.69), Candidate("c", "丙", 0.40))
CLOSE = Thresholds(answer=0.56, margin=0.02, clarify=0.56)


def test_a_message_that_says_enough_and_quotes_no_figure_may_be_offered_a_choice():
    assert choosable(fold_message("您好，我们想了解一下园区的招商政策有哪些"))
    assert choosable("一" * OFFER_CHARS) and not choosable("一" * (OFFER_CHARS - 1))
    assert not choosable(fold_message("园区 招商 电话"))  # a fragment: a topic and a word
    # A figure quoted (the report's 12个项目, a date) picks a fact; what it asks is past it.
    assert not choosable(fold_message("您好，听说今年的12个项目已经开工了，施工方是哪家"))
    assert not choosable(fold_message("我想问一下5月3日那天开会来了哪些单位的人"))


def test_a_close_call_is_a_choice_only_for_a_choosable_message():
    long = fold_message("您好，我们想了解一下园区的招商政策有哪些")
    assert decide(TIED, CLOSE, long) == (CLARIFY, TIED[:2])
    assert decide(TIED, CLOSE, fold_message("园区 招商 电话")) == (FALLBACK, ())
    clear = (Candidate("a", "甲", 0.9), *TIED[1:])
    # A clear lead is answered, fragment or not.
    assert decide(clear, CLOSE, fold_message("园区 招商 电话")) == (ANSWERED, ())


def test_a_fragment_that_ties_entries_gets_them_as_near_topics_not_a_passage(engine_with):
    # Strict thresholds make every close call a choice; a fragment gets the fallback instead,
    # listing the same entries, and no passage stands in for the choice it was not offered.
    engine = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=0.3))
    answer = engine.answer("复工复产去哪个窗口办理")
    assert answer.status == FALLBACK and answer.choices == () and not answer.sources
    assert answer.near[0].id == "fugong-zhuanchuang"
    # (The passage this fragment matches best, and the 专窗 entry made from it, would answer it.)
    assert engine.answer("复工复产绿色通道").status == FALLBACK
    longer = engine.answer("您好，我想问一下复工复产去哪个窗口办理")
    assert longer.status == CLARIFY and longer.choices[0].id == "fugong-zhuanchuang"
