"""bench/tails.py says what a benchmark's slowest answers were: each answer's searches of the
engine's index (not the passages' own) counted while in use, and the slowest 1% told apart."""

from __future__ import annotations

import importlib

from bot.engine.core import Engine
from bot.engine.index import Index
from tests.support.paths import ROOT


def test_searches_are_counted_per_answer_and_the_engine_is_left_as_it_was(
    engine: Engine, monkeypatch
):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    tails = importlib.import_module("tails")
    long = "您好，我们是做旅游开发的，项目马上落地，证照和工商登记这块我们两眼一抹黑，政府会派专人帮忙吗"
    with tails.counting(engine) as taken:
        engine.candidates("复工复产去哪个窗口办理")  # (not cached, as answers are)
        short = taken()
        engine.candidates(long)
        several = taken()
        assert taken() == 0  # each call restarts the count
    assert short == 1 and several >= 2  # a long message searches its asking clause too
    assert engine.index.search.__func__ is Index.search  # the class's method again


def test_the_slowest_percent_is_told_by_searches_and_fallbacks(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    tails = importlib.import_module("tails")
    cpu = [float(n) for n in range(300)]  # the three slowest: 297, 298, 299
    searches = [1] * 297 + [2, 3, 2]
    fallbacks = [False] * 298 + [True, True]
    tail = tails.slowest(cpu, searches, fallbacks)
    assert tail == {"answers": 3, "2 searches": 2, "3 searches": 1, "fallbacks": 2}
    assert tails.said(tail) == "slowest 1%: answers 3, 2 searches 2, 3 searches 1, fallbacks 2"
    assert tails.slowest([1.0], [1], [False])["answers"] == 1  # at least one answer
