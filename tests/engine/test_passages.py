"""Passages: the shortcut that settles most fallbacks before searching gives what the search
would have."""

from __future__ import annotations

import numpy as np

from bot.engine import passages
from bot.engine.evaluation import load_cases
from tests.support.paths import KNOWLEDGE


def test_the_coverage_shortcut_changes_no_result(engine, monkeypatch):
    items = engine.passages.items
    questions = [case.question for case in load_cases(KNOWLEDGE / "eval" / "dev.yaml")]
    # The passages' own phrases: some cover enough to be searched, some are quoted.
    questions += [part for item in items for part in item.text.split("，")[:3]]
    prepared = [engine.prepare(question) for question in questions]
    shortcut = [engine.passages.best(text) for text in prepared]
    monkeypatch.setattr(passages, "_SHORT_OF", float("inf"))  # never take the shortcut
    assert [engine.passages.best(text) for text in prepared] == shortcut
    index, everyone = engine.passages.index, np.arange(len(items))
    stopped = [
        index.unexplained(everyone, index.query(text)).min() > 1 - passages.COVERAGE
        for text in prepared
        if text
    ]
    assert any(stopped) and not all(stopped)  # both ways were taken
