"""Hand-written YAML that reads as something else: YAML 1.1 reads a plain `no` as False, `8:30`
as 510 and `2026-11-27` as a date, and ` #` starts a comment. Each is named at `file:line` with
what to do, never taken silently."""

from __future__ import annotations

import pytest

from bot.knowledge.model import check

OLD = "      - 复工复产专窗在哪\n"


def edited(knowledge_copy, old: str, new: str):
    faq = knowledge_copy / "faq" / "03-fugong-fuchan.yaml"
    text = faq.read_text(encoding="utf-8")
    assert old in text
    faq.write_text(text.replace(old, new, 1), encoding="utf-8")
    return faq, text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize("typed", ["no", "8:30", "0x1A", "1_000", "2026-11-27", "~", "on", "1.5"])
def test_a_similar_question_read_as_something_else_is_refused_where_it_is(knowledge_copy, typed):
    faq, line = edited(knowledge_copy, OLD, f"      - {typed}\n")
    _, problems = check(knowledge_copy)
    (error,) = [p for p in problems if p.severity == "error" and p.path == faq]
    assert error.line == line
    assert typed in error.message and "引号" in error.message


def test_an_answer_read_as_a_truth_value_is_refused_with_what_was_typed(knowledge_copy):
    faq, _ = edited(knowledge_copy, "    answer: ", "    answer: yes\n    old_answer: ")
    _, problems = check(knowledge_copy)
    errors = [p for p in problems if p.severity == "error" and p.path == faq]
    assert any("yes" in p.message and "引号" in p.message for p in errors), errors


def test_a_number_read_as_typed_stays_a_question(knowledge_copy):
    # 12345 (the hotline) can be read only one way: the text the admin typed. What `validate`
    # says of it (`validate` found 企业投诉's entry answers it better) is said at its own line.
    faq, line = edited(knowledge_copy, OLD, OLD + "      - 12345\n")
    knowledge, problems = check(knowledge_copy)
    assert not [p for p in problems if p.path == faq and p.severity == "error"]
    (entry,) = [e for e in knowledge.entries if "12345" in e.questions]
    assert entry.question_lines[entry.questions.index("12345")] == line + 1


def test_a_comment_after_a_similar_question_is_a_warning_where_it_is(knowledge_copy):
    faq, line = edited(knowledge_copy, OLD, "      - 复工 #1 窗口在哪\n")
    _, problems = check(knowledge_copy)
    (warning,) = [p for p in problems if p.path == faq and "#" in p.message]
    assert warning.severity == "warning" and warning.line == line
    assert "引号" in warning.message
