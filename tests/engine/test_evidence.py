"""The evidence the decision weighs, on invented questions: a count asked by a message that
already states every figure the entry gives (the entry tells the asker nothing new, so it is
weighed as not giving the count: `check.figures_restated`), and words that say how an answer is
wanted, not what about (bot.engine.answerability.FRAMING); a person assigned to the sender's own
company (no entry names one)."""

from __future__ import annotations

import pytest

from bot.engine.answerability import figures, restated
from bot.engine.core import ANSWERED
from bot.engine.focus import COUNT, YES_NO


def test_only_a_count_whose_every_figure_is_restated_is_flagged():
    stated = "全市共保留某类事项120项，其中网上可办45项。（据2022年5月26日报道）"
    assert restated(COUNT, figures("120项和45项里各有多少是收费的"), stated) == ("120", "45")
    # A figure of the answer the question does not state: the answer may give what is asked.
    assert restated(COUNT, figures("120项里网上能办的有多少"), stated) == ()
    # Another focus, or no figure in the question: nothing to compare.
    assert restated(YES_NO, figures("120项和45项是真的吗"), stated) == ()
    assert restated(COUNT, figures("一共保留了多少项"), stated) == ()
    # An answer with no counted figure (the report's date is not one) is never flagged.
    assert restated(COUNT, figures("2022年有多少"), "办事更方便了。（据2022年5月26日报道）") == ()


@pytest.mark.parametrize(
    "question",
    [
        "2887项行政权力事项里面审批类有多少项",  # a part of the total the entry gives whole
        "那100个高频事项里面有多少个是企业办的",
    ],
)
def test_a_part_of_a_total_the_entry_gives_whole_is_not_answered(engine, question):
    answer = engine.answer(question)
    assert answer.status != ANSWERED, answer.to_dict()
    # The entry that gives only the restated total says why it is not stated (`ask --json`).
    assert any(c.check and c.check.restated for c in answer.candidates), answer.to_dict()


def test_the_total_itself_is_still_answered(engine):
    answer = engine.answer("行政权力事项保留了多少项")
    assert (answer.status, answer.entry_id) == (ANSWERED, "fgf-quanli-shixiang")
    assert answer.to_dict()["check"]["figures_restated"] == []


@pytest.mark.parametrize(
    "question, expected",
    [
        ("给大家说说复工复产专窗在哪", "fugong-zhuanchuang"),  # 大家: whom it is for
        ("除了不见面审批，还有类似的改革吗", "fgf-gaige-jucuo"),  # 类似: how it relates
        ("新闻里讲的抚远政务服务中心地址在哪", "zhengwu-zhongxin-dizhi"),  # where it was read
        ("新闻上说抚远减了很多材料，减了多少项", "fgf-cailiao"),
    ],
)
def test_how_an_answer_is_wanted_does_not_count_against_the_entry(engine, question, expected):
    answer = engine.answer(question)
    assert (answer.status, answer.entry_id) == (ANSWERED, expected), answer.to_dict()


@pytest.mark.parametrize("question", ["海关对接我们的关员是谁", "我们厂对应联系的领导是哪位"])
def test_the_person_assigned_to_the_sender_is_no_entry_s_answer(engine, question):
    # The report says companies are paired with a 关员 or a leader, never which one serves whom.
    answer = engine.answer(question)
    assert answer.status != ANSWERED, answer.to_dict()
    assert answer.candidates[0].check and answer.candidates[0].check.mismatch


@pytest.mark.parametrize(
    "question, expected",
    [
        ("抚远的招商引资由谁负责", "zs-lingdao-xiaozu"),
        ("关企协调员是干什么的", "haiguan-xietiaoyuan"),
    ],
)
def test_who_is_in_charge_in_general_is_still_answered(engine, question, expected):
    answer = engine.answer(question)
    assert (answer.status, answer.entry_id) == (ANSWERED, expected), answer.to_dict()
