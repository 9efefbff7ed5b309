"""The dev eval set holds the engine to its targets, so a regression fails CI."""

from __future__ import annotations

from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, Answer, Candidate
from bot.engine.evaluation import Case, Report, evaluate, load_cases, record, record_answer
from bot.text.normalize import normalize
from tests.support.floors import DEV_OUT_OF_SCOPE_CEILING, DEV_RIGHT_FLOOR, DEV_WRONG_CEILING
from tests.support.paths import KNOWLEDGE

DEV = KNOWLEDGE / "eval" / "dev.yaml"


def test_dev_set_size_and_ids(knowledge):
    cases = load_cases(DEV)
    in_scope = [c for c in cases if c.expected]
    assert len(in_scope) >= 150
    assert len(cases) - len(in_scope) >= 40
    assert {id for c in in_scope for id in c.accepted} <= set(knowledge.by_id)


def test_dev_questions_are_not_copies_of_similar_questions(knowledge):
    written = {normalize(q) for entry in knowledge.entries for q in entry.questions}
    copies = [c.question for c in load_cases(DEV) if normalize(c.question) in written]
    assert copies == []


def test_dev_targets(engine):
    report = evaluate(engine, load_cases(DEV))
    assert report.accuracy >= DEV_RIGHT_FLOOR, report.summary()
    assert report.false_answer_rate <= DEV_OUT_OF_SCOPE_CEILING, report.summary()
    assert report.wrong <= DEV_WRONG_CEILING, report.summary()


def test_homophone_probe(engine):
    report = evaluate(engine, load_cases(KNOWLEDGE / "eval" / "homophones.yaml"))
    assert report.accuracy >= 0.9, report.summary()
    assert report.wrong == 0, report.summary()


def test_an_item_may_accept_further_entries_that_state_the_same_fact(tmp_path):
    path = tmp_path / "eval.yaml"
    path.write_text(
        "in_scope:\n  - [网上办多少项, fgf-wangshangban, fgf-zhengwu-fuwu]\n  - [马上办多少项, fgf-mashangban]\n",
        encoding="utf-8",
    )
    both, one = load_cases(path)
    assert both.accepted == ("fgf-wangshangban", "fgf-zhengwu-fuwu")
    assert one.accepted == ("fgf-mashangban",) and Case("x", None).accepted == ()
    report = Report()
    record(report, both, ANSWERED, "fgf-zhengwu-fuwu", (), 0.7)
    record(report, one, ANSWERED, "fgf-zhengwu-fuwu", (), 0.7)
    assert (report.correct, report.wrong) == (1, 1)


def test_a_trap_offered_a_confirm_is_reported_apart_from_answers():
    report = Report()
    trap = Case("黑瞎子岛门票多少钱", None)
    offered = (Candidate("heixiazi-dao", "黑瞎子岛怎么规划", 0.5),)
    record(report, trap, CLARIFY, None, offered, 0.5, offered)
    record(report, trap, ANSWERED, "heixiazi-dao", offered, 0.7)
    assert (report.false_answers, report.out_of_scope_clarified) == (1, 1)
    assert report.clarify_right_rate == 0.0  # a confirm for a trap never holds the right entry
    assert "out-of-scope offered:       50.0%  (1 confirms and lists)" in report.summary()


def test_a_passage_answer_is_wrong_but_shown_apart_when_it_quotes_the_right_source(knowledge):
    entry = knowledge.by_id["fgf-fang"]
    passage = {"document": entry.source.document, "quote": f"前文。{entry.source.quote}后文。"}
    answer = Answer("激发活力", ANSWERED, passage["quote"], sources=(passage,))
    report = Report()
    record_answer(report, Case("激发活力", "fgf-fang"), answer, knowledge.by_id)
    record_answer(report, Case("激发活力", "fgf-sijian"), answer, knowledge.by_id)
    assert (report.wrong, report.passages, report.passages_right) == (2, 2, 1)
    assert "in-scope passage answers: 2  (1 quoting the right entry's source)" in report.summary()
    assert "passage" not in Report(out_of_scope=1).summary()


def test_a_refusal_listing_the_right_entry_as_a_near_topic_is_shown_apart():
    near = (Candidate("fgf-sijian", "四减", 0.4), Candidate("fgf-fang", "放", 0.3))
    refused = Answer("四减", FALLBACK, "", near=near)
    report = Report()
    for expected in ("fgf-sijian", "fgf-fang", "fgf-cailiao"):
        record_answer(report, Case("四减", expected), refused, {})
    assert (report.correct, report.near, report.near_first) == (0, 2, 1)
    assert "in-scope refused, right entry a near topic: 2  (1 listed first)" in report.summary()
