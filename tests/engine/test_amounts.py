from __future__ import annotations

from bot.engine.amounts import AMOUNT, quoted, states, told
from bot.engine.core import Engine
from bot.engine.mentioned import MARKED, mentions


def never(word: str, sound: str) -> bool:
    return False


def test_an_amount_is_read_as_typed_with_its_decimals():
    assert quoted("听说有批项目总投资是56.7亿吗") == (AMOUNT + "56.7",)
    assert quoted("0.35亿和1.2亿元分别是哪的") == (AMOUNT + "0.35", AMOUNT + "1.2")
    assert quoted("７．５亿是什么") == (AMOUNT + "7.5",)  # full-width, as a phone may type it
    assert quoted("引进外资30万美元的目标") == (AMOUNT + "30",)
    assert quoted("12.8亿 12.8亿") == (AMOUNT + "12.8",)  # once


def test_counts_days_and_other_figures_are_not_amounts():
    assert quoted("845项里就近办几项") == ()  # a whole a part is asked of
    assert quoted("4.7开工的项目有哪些") == ()  # a day, 4月7日
    assert quoted("减少比例是61.5%吗") == ()


def test_an_entry_states_an_amount_as_written_not_inside_a_longer_figure():
    assert states("0.35", "市重点项目完成投资0.35亿元。")
    assert not states("0.35", "总投资10.35亿元。")
    assert not states("3.5", "总投资23.5亿元。")
    assert not states("23.5", "总投资23.56亿元。")
    assert states("23", "总投资23亿元。")
    # A whole number quoted is a decimal figure rounded (a sender rounds), not cut.
    assert states("41", "总投资41.34亿元。") and states("24", "总投资23.8亿元。")
    assert not states("23", "总投资23.8亿元。") and not states("41", "总投资40.4亿元。")
    assert not states("4", "总投资41.34亿元。") and not states("23", "2023年")
    assert states("30", "目标30万美元。")
    assert AMOUNT in MARKED  # looked for as stated, not as a word
    assert mentions(AMOUNT + "0.35", "完成投资0.35亿元 | …", never)
    assert not mentions(AMOUNT + "0.35", "总投资40.35亿元 | …", never)


def test_the_entry_stating_the_amount_quoted_is_the_one_about_it(engine: Engine):
    # Folded, 0.41亿 is 0 and 41, and 41 is in the 36 projects' 41.34亿元: they matched it too.
    found = {c.id: c.check for c in engine.candidates("0.41亿元说的是哪部分项目")}
    assert found["xiangmu-36"] is not None and found["xiangmu-36"].unstated == (AMOUNT + "0.41",)
    assert found["xiangmu-shi-zhongdian"] is not None
    assert found["xiangmu-shi-zhongdian"].unstated == ()
    assert engine.candidates("0.41亿元说的是哪部分项目")[0].id == "xiangmu-shi-zhongdian"


def test_an_amount_alone_is_answered_by_the_entry_stating_it(engine: Engine):
    # It matches the entry's questions too little for a near topic (a passage was quoted).
    answer = engine.answer("4.5亿元")
    assert (answer.status, answer.entry_id) == ("answered", "xiangmu-11-touzi")
    check = answer.candidates[0].check
    assert told(check) and check is not None and AMOUNT + "4.5" in check.asked_for
    assert not told(None)
