"""Two questions in one message: each asked apart, the other one's answer added only when sure
(bot.engine.parts; the figures behind its bar are in docs/matching.md, sixteenth round)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine import judging, parts
from bot.engine.answerability import Check
from bot.engine.core import ANSWERED, CLARIFY, Answer, Candidate, Engine
from bot.engine.decision import FOCUS_MISMATCH, LONG_MATCH_SHARE, SHORT_MATCH_SHARE
from bot.engine.evaluation import Case, Report, record_answer
from bot.engine.reading import Clause, Reading

# Asked with the shipped knowledge: 投诉 by qiye-tousu, 监督 by fugong-jiandu.
TWO = "复工复产有没有人监督 投诉渠道呢"


def reading(*clauses: tuple[str, float]) -> Reading:
    return Reading(tuple(Clause(text, weight) for text, weight in clauses), None)


def test_each_question_is_asked_apart_with_the_background_kept():
    message = reading(("我是开饭店的", 0.3), ("中心在哪个位置", 1.0), ("几点上班", 1.0))
    assert parts.apart(message) == ["我是开饭店的，中心在哪个位置", "我是开饭店的，几点上班"]


def test_a_message_asking_one_thing_has_no_parts():
    assert parts.apart(reading(("复工复产", 1.0), ("去哪个窗口办理", 1.0))) == []
    assert parts.apart(reading(("中心在哪", 1.0), ("几点上班", 0.3))) == []  # (background)


def test_a_part_adds_only_a_sure_answer_by_another_candidate():
    whole = (Candidate("a", "", 0.9), Candidate("b", "", 0.6))

    def adds(status: str, entry_id: str | None, score: float) -> bool:
        return parts.adds(Answer("", status, "", entry_id, score), ["a"], whole)

    assert adds(ANSWERED, "b", parts.ALSO_SCORE)
    assert not adds(ANSWERED, "b", parts.ALSO_SCORE - 0.01)  # not sure
    assert not adds(ANSWERED, "a", 1.0)  # said already
    assert not adds(ANSWERED, "c", 1.0)  # not a candidate of the whole
    assert not adds(CLARIFY, None, 1.0)
    tied = (Candidate("b", "", 0.85), Candidate("c", "", 0.85 - parts.ALSO_MARGIN + 0.01))
    assert not parts.adds(Answer("", ANSWERED, "", "b", 0.85, candidates=tied), ["a"], whole)


def test_a_part_without_a_topic_of_its_own_adds_nothing(engine):
    # 开复工了没有 alone ties the 复工 entries (its topic, 市级重点项目, is the other part's).
    answer = engine.answer("市级重点项目有几个，开复工了没有？")
    assert answer.entry_id == "xiangmu-shi-zhongdian" and answer.also == ()


def test_the_engine_answers_both_questions(engine):
    answer = engine.answer(TWO)
    assert answer.status == ANSWERED and answer.entry_id == "qiye-tousu"
    assert [a.entry_id for a in answer.also] == ["fugong-jiandu"]
    assert not answer.also[0].also  # a part is not parted again
    also = answer.to_dict()["also"]
    assert [a["entry_id"] for a in also] == ["fugong-jiandu"]
    assert also[0]["question"] == engine.knowledge.by_id["fugong-jiandu"].question
    assert also[0]["answer"] and also[0]["sources"]


def test_one_question_gets_no_second_answer(engine):
    answer = engine.answer("复工复产去哪个窗口办理")
    assert answer.also == ()
    assert answer.to_dict()["also"] == []


def test_a_second_answer_the_reply_states_already_is_said():
    reply = "全县保留审批事项120项，其中“马上办”30项、减少比例45%。（据2023年1月2日报道）"
    assert parts.said("全县审批事项中，“马上办”事项有30项。（据2023年1月2日报道）", reply)
    assert parts.said("减少比例为45%。", reply)
    assert not parts.said("全县审批事项中，“马上办”事项有31项。", reply)  # another figure
    assert not parts.said("“马上办”30项。（据2023年2月5日报道）", reply)  # another day
    assert not parts.said("“马上办”30项，名单已在门户网站上公布。", reply)  # a fact more
    assert not parts.said("东港码头项目、北湖公园项目等30项集中开工。", reply)  # named ones


def test_a_part_the_main_answer_states_gets_no_second_answer(engine):
    answer = engine.answer("网上办有多少项？一次办有多少项？")  # the 845项 summary states both
    assert answer.entry_id == "fgf-zhengwu-fuwu" and answer.also == ()


def test_eval_counts_second_answers_apart(engine):
    report = Report()
    answer = engine.answer(TWO)
    record_answer(report, Case(TWO, "qiye-tousu"), answer, engine.knowledge.by_id)
    record_answer(report, Case(TWO, "qiye-tousu", ("fugong-jiandu",)), answer, {})
    assert (report.correct, report.also_right, report.also_other) == (2, 1, 1)
    assert "in-scope second answers:  2  (1 by an accepted entry)" in report.summary()


def covering(score: float, coverage: float) -> Candidate:
    return Candidate(f"e{coverage}", "", score, SimpleNamespace(coverage=coverage))


def test_the_runner_up_answers_when_it_states_both_and_the_best_one():
    two = ["保留了多少事项", "材料减少了多少"]  # (two questions: `apart`'s parts)
    assert parts.states_both([covering(0.74, 0.42), covering(0.58, 0.97)], 0.56, two, "")
    assert not parts.states_both([covering(0.74, 0.75), covering(0.58, 0.97)], 0.56, two, "")
    assert not parts.states_both([covering(0.74, 0.42), covering(0.58, 0.9)], 0.56, two, "")
    assert not parts.states_both([covering(0.80, 0.42), covering(0.58, 0.97)], 0.56, two, "")
    assert not parts.states_both(
        [covering(0.74, 0.42), covering(0.55, 0.97)], 0.56, two, ""
    )  # under the bar
    assert not parts.states_both([covering(0.74, 0.42)], 0.56, two, "")
    assert not parts.states_both([covering(0.74, 0.42), covering(0.58, 0.97)], 0.56, [], "")


def test_the_runner_up_answers_a_message_naming_several_things_when_it_covers_more():
    narrow_wide = [covering(0.74, 0.74), covering(0.66, 0.87)]  # 0.13 more: not NARROW / WHOLE
    for named in (
        "保留多少权力事项、公共服务事项",
        "总投资和计划投资多少",
        "總數，還有網上辦的多少",
        "各多少",
    ):
        assert parts.states_both(narrow_wide, 0.56, [], named)
    assert not parts.states_both(narrow_wide, 0.56, [], "政务服务事项的总数是多少")  # one thing
    assert parts.states_both([covering(0.74, 0.80), covering(0.66, 0.86)], 0.56, [], "各多少")
    assert not parts.states_both(narrow_wide, 0.56, ["总数", "多少"], "")  # two questions: WHOLE
    named = "马上办、就近办多少"
    assert not parts.states_both([covering(0.74, 0.83), covering(0.66, 0.87)], 0.56, [], named)
    assert not parts.states_both([covering(0.88, 0.74), covering(0.66, 0.87)], 0.56, [], named)


def test_keywords_typed_name_each_thing_asked(engine):
    narrow_wide = [covering(0.74, 0.74), covering(0.66, 0.87)]
    assert parts.states_both(narrow_wide, 0.56, [], "", keywords=True)
    assert not parts.states_both(narrow_wide, 0.56, [], "")
    # The epidemic measures' entry leaves 施工 uncovered; the building sites' one covers both.
    assert engine.answer("疫情防控措施 施工").entry_id == "xiangmu-fangkong-shigong"


def test_a_list_in_a_clause_that_asks_nothing_names_nothing_asked():
    assert parts.names_several("政务服务事项有多少项，其中马上办、网上办各多少")
    assert parts.names_several("中介服务事项是保留了多少、取消了多少，和政务服务事项一起列一下")
    assert parts.names_several("请问抚远就近办的事项有几项，和政务服务事项总数对一下")
    assert not parts.names_several("在抚远办事遇到有人刁难、损害我们的权益，能打12345吗？")
    assert not parts.names_several("报道里抚远“一次办”是多少项？和网上办别搞混了")
    assert not parts.names_several("政务服务事项的总数是多少")


def test_two_questions_one_summary_entry_states_are_answered_by_it(engine):
    message = "你好，我在做一份材料，抚远放管服以后保留了多少事项，申请材料又减少了多少"
    assert [c.id for c in engine.candidates(message)[:2]] == ["fgf-cailiao", "fgf-chengxiao"]
    answer = engine.answer(message)
    assert answer.entry_id == "fgf-chengxiao"  # every figure of the reform, both asked
    assert [c.id for c in answer.candidates[:2]] == ["fgf-chengxiao", "fgf-cailiao"]
    assert [a.entry_id for a in answer.also] == ["fgf-cailiao"]  # the 材料 figure, by itself


def test_a_message_naming_two_counts_is_answered_by_the_entry_stating_both(engine):
    message = "请问抚远就近办的事项有几项，和政务服务事项总数对一下"
    assert [c.id for c in engine.candidates(message)[:2]] == ["fgf-jiujinban", "fgf-zhengwu-fuwu"]
    assert engine.answer(message).entry_id == "fgf-zhengwu-fuwu"  # 845项, 就近办 among them


def test_one_question_is_answered_by_the_best_entry_whatever_the_runner_up_covers(engine):
    message = "抚远的申请材料减少了多少"
    assert engine.answer(message).entry_id == engine.candidates(message)[0].id


def test_the_index_matches_an_entry_as_a_search_scores_it(engine):
    query = engine.index.query(engine.searched("复工复产有没有人监督"))
    hits = engine.index.search(query, 8)
    assert engine.index.matches([entry for entry, _ in hits], query) == [s for _, s in hits]


def test_a_part_no_other_candidate_may_answer_is_not_decided(engine, monkeypatch):
    # Both parts are the 政务服务中心 entry's (dev): no other candidate comes near ALSO_SCORE.
    message = "我们第一次来抚远办事，政务服务中心在什么地方？几点上班？"
    assert len(parts.apart(engine.read(*engine.as_read(message)))) == 2
    decided = []
    monkeypatch.setattr(engine, "_decide", lambda *asked, **_: decided.append(asked))
    answer = Engine._decide(engine, message)
    assert answer.entry_id == "zhengwu-zhongxin-dizhi" and answer.also == ()
    assert decided == []  # neither part searched again


def test_a_part_another_candidate_may_answer_is_decided(engine):
    answer = Engine._decide(engine, TWO)  # 投诉 by qiye-tousu; 监督 may be fugong-jiandu's
    supervised, complaints = parts.apart(engine.read(*engine.as_read(TWO)))
    assert parts.may_add(engine, supervised, answer.candidates[1:])
    assert not parts.may_add(engine, complaints, answer.candidates[1:])
    assert [a.entry_id for a in answer.also] == ["fugong-jiandu"]


def test_a_part_no_candidate_explains_enough_of_is_not_checked(engine, monkeypatch):
    # 投诉渠道呢: no other candidate explains enough of it to score ALSO_SCORE with any check.
    answer = Engine._decide(engine, TWO)
    _, complaints = parts.apart(engine.read(*engine.as_read(TWO)))
    monkeypatch.setattr(judging, "judge", lambda *_: pytest.fail("a check was made"))
    assert not parts.may_add(engine, complaints, answer.candidates[1:])


@given(
    match=st.floats(0, 1 + 1e-7),
    missing=st.floats(0, 1),
    factor=st.sampled_from([FOCUS_MISMATCH, 1.0]),
    weight=st.sampled_from([SHORT_MATCH_SHARE, LONG_MATCH_SHARE]),
)
def test_a_check_never_scores_above_the_bound_made_before_it(match, missing, factor, weight):
    # A coverage and factor of 1 are a check's most: what cannot reach the bar so cannot with
    # any check (`may_add` judges no entry that cannot).
    check = Check(factor, None, (), False, (("词", missing),), weight=1.0, share=weight)
    assert parts._may_reach(match, weight) or not parts._reaches(match, check)


def test_a_part_is_weighed_once_per_text_as_searched(engine, monkeypatch):
    # Its asking clause is the part without 想问一下您好: the same query once in matching form.
    part = "想问一下您好，抚远的一区两岛一城两港是啥构想，谢谢"
    others = engine.candidates(part)[1:]
    queried = []
    original = engine.index.query
    monkeypatch.setattr(engine.index, "query", lambda text: queried.append(text) or original(text))
    parts.may_add(engine, part, others)
    assert len(queried) == len(set(queried)) == 1


def test_the_first_part_answered_surely_by_a_candidate_answers():
    whole = (Candidate("a", "", 0.5), Candidate("b", "", 0.4))
    sure, unsure = parts.PART_SCORE, parts.PART_SCORE - 0.01
    decided = {
        "one": Answer("", ANSWERED, "", "b", unsure),  # not sure enough
        "two": Answer("", ANSWERED, "", "c", 1.0),  # not a candidate of the whole
        "three": None,  # none of them could answer it (`may_add`)
        "four": Answer("", CLARIFY, "", None, sure),
        "five": Answer("", ANSWERED, "", "b", sure),
        "six": Answer("", ANSWERED, "", "a", 1.0),
    }
    asked = list(decided)
    found = parts.first_answered(asked, whole, lambda part, _: decided[part])
    assert found is decided["five"]
    assert parts.first_answered(asked[:4], whole, lambda part, _: decided[part]) is None


def test_a_message_not_answered_whole_is_answered_by_a_part_answered_surely(engine):
    # The neighbouring county is in no entry: the whole scores 0.22, its first part 0.91.
    answer = engine.answer("帮老板问，抚远行政权力事项保留多少项，跟隔壁县比哪个多")
    assert (answer.status, answer.entry_id) == (ANSWERED, "fgf-quanli-shixiang")
    assert answer.candidates[0].id == "fgf-quanli-shixiang"
    # ...with the other parts' answers, each by its own entry.
    answer = engine.answer("省里的重点项目是哪个，市重点项目有几个")
    assert (answer.status, answer.entry_id) == (ANSWERED, "xiangmu-shi-zhongdian")
    assert [a.entry_id for a in answer.also] == ["xiangmu-sheng-zhongdian"]
    # A message asking one thing is not parted: refused as it was.
    assert engine.answer("抚远行政权力事项跟隔壁县比哪个多").status != ANSWERED
