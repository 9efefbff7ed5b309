"""The scan an alphabet learns from and encodes, a block of texts at a time (bot.engine._scanning)."""

from __future__ import annotations

import numpy as np

from bot.engine import _scanning
from bot.engine.features import Alphabet

# Latin runs (one unit each, learned or not), spaces, empty texts, a newline inside a text (which
# counts as the start of another, as it did when every text was scanned joined), a block's last
# text ending in a run.
TEXTS = ["办事 app2 不求人", "", "v1.2版本", "abc", "第 12 号\n窗口", "", "qq", "黑瞎子岛 门票 ab"]


def _whole(monkeypatch, texts: list[str], runs: dict[str, int], grow: bool) -> tuple:
    with monkeypatch.context() as patch:
        patch.setattr(_scanning, "_SCANNED_AT_ONCE", len(texts) + 1)
        return _scanning.scanned(runs, texts, grow)


def _same(one: tuple, other: tuple) -> bool:
    arrays = zip(one[:3], other[:3], strict=True)
    return all(a.dtype == b.dtype and a.tolist() == b.tolist() for a, b in arrays) and (
        one[3] == other[3]
    )


def test_a_scan_by_blocks_gives_what_one_scan_of_every_text_gives(monkeypatch):
    texts = TEXTS * 3
    whole_runs: dict[str, int] = {}
    whole = _whole(monkeypatch, texts, whole_runs, grow=True)
    for size in (1, 2, 3, 7):
        monkeypatch.setattr(_scanning, "_SCANNED_AT_ONCE", size)
        runs: dict[str, int] = {}
        assert _same(_scanning.scanned(runs, texts, grow=True), whole), size
        assert runs == whole_runs  # (the same ids, in order of first sight)
        asked = ["app2 zz 办", "", "qq yy\nab", "v1.2"]
        known = dict(runs)
        expected = _whole(monkeypatch, asked, known, grow=False)
        assert _same(_scanning.scanned(runs, asked, grow=False), expected), size
        assert expected[3] == ["zz", "yy"] and runs == known  # (not learned)
    # (The last text's number counts the newlines inside texts as ends of texts, as ever.)
    assert whole[1].max() == len(texts) - 1 + sum(text.count("\n") for text in texts)


def test_a_scan_of_nothing_is_empty():
    for texts in ([], [""], ["", ""]):
        codes, text, segment, unknown = _scanning.scanned({}, texts, grow=True)
        assert len(codes) == len(text) == len(segment) == 0 and unknown == []
        assert codes.dtype == text.dtype == segment.dtype == np.int32


def test_an_alphabet_learned_by_blocks_encodes_as_before(monkeypatch):
    texts = TEXTS * 5
    monkeypatch.setattr(_scanning, "_SCANNED_AT_ONCE", len(texts) + 1)
    alphabet, encoded = Alphabet.learn(texts)
    monkeypatch.setattr(_scanning, "_SCANNED_AT_ONCE", 3)
    blocked, by_blocks = Alphabet.learn(texts)
    assert blocked.runs == alphabet.runs and blocked.rank.tolist() == alphabet.rank.tolist()
    for name in ("units", "sounds", "text", "paired", "generic", "boost"):
        assert getattr(by_blocks, name).tolist() == getattr(encoded, name).tolist(), name
