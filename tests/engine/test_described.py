"""Describing entries at the build: what each of many questions asks for, found at once."""

from __future__ import annotations

import re

from bot.engine import described
from bot.engine.described import _marked, describe
from bot.engine.evaluation import load_cases
from bot.engine.focus import _FOCUS, _FOCUS_RE
from bot.text.normalize import fold, fold_all
from tests.support.paths import KNOWLEDGE


def test_a_pattern_looked_for_from_its_first_characters_finds_what_it_found():
    text = "\n".join(
        ["ab", "cb", "xb", "b", "yzq", "xz", "zzb", "", "aab", "bb b", "c", "xaz", "ybz"]
    )
    patterns = [r"(?<!a)b|c", r"(?:x|y)z", r"(?<=a)b", r"z+b|q", r"a*b", r"[a-c]b|y", r"\bb"]
    for pattern in [*patterns, r"ab|(?:xa|yb)z"]:
        plain = re.compile(f"(?:{pattern})[^\n]*")
        found = [(m.start(), m.end()) for m in _marked(pattern).finditer(text)]
        assert found == [(m.start(), m.end()) for m in plain.finditer(text)], pattern
    # A look-behind first or a group: looked for from a class of first characters.
    assert _marked(r"(?<!a)b|c").pattern.startswith("[bc]")
    assert _marked(r"ab|(?:xa|yb)z").pattern.startswith("[axy]")


def test_the_kinds_asked_are_found_a_block_of_the_text_at_a_time_as_in_the_whole(
    engine, monkeypatch
):
    questions = fold_all([q for entry in engine.entries for q in entry.questions])
    joined = "\n".join(questions)
    whole = described.focus_codes(joined, len(questions))
    assert whole.any()
    monkeypatch.setattr(described, "_BLOCK", 7)  # (a block ends inside questions, on newlines)
    assert described.focus_codes(joined, len(questions)).tolist() == whole.tolist()
    assert described.focus_codes("", 0).tolist() == []


def test_describing_reads_the_folded_questions_it_is_given_and_lets_them_go(engine):
    # (The engine's build folds its questions as it normalizes them: `prepared.prepare`.)
    folded = ["\n".join(fold_all([q for entry in engine.entries for q in entry.questions]))]
    made = describe(engine.entries, engine.index, engine.canonical_all, folded=folded)
    assert folded == []  # (not held through the rest of a build)
    assert list(made) == list(describe(engine.entries, engine.index, engine.canonical_all))
    assert list(made) == list(engine.descriptions)


def test_the_focus_patterns_led_by_their_first_characters_match_the_same_texts(knowledge):
    # focus_of asks each pattern only whether it matches: led (bot.engine._led), the answer is
    # the same on every dev question and every shipped question and answer, folded or not.
    texts = [case.question for case in load_cases(KNOWLEDGE / "eval" / "dev.yaml")]
    texts += [text for entry in knowledge.entries for text in (*entry.questions, entry.answer)]
    texts += [fold(text) for text in texts]
    for (name, pattern), (_, led) in zip(_FOCUS, _FOCUS_RE, strict=True):
        plain = re.compile(pattern)
        for text in texts:
            assert bool(led.search(text)) == bool(plain.search(text)), (name, text)
    assert _FOCUS_RE[0][1].pattern.startswith("[")  # (comparison starts with a group: led)
