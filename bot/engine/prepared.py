"""The build's first step: every entry's questions, keywords, answer and quote in matching form,
and the kinds of answer each question asks for. It is a third of a large build's CPU and each
text's result is its own, so above `HALVED_FROM` texts the second half of the entries is done
in a forked child on the second core while this process does the first half: the same results
(each text goes through the same steps whichever process does it), ~a fifth less of a 100k
build's wall time on an idle two-core machine with the words' fork (15.80 → 12.44 s, scale9),
at the cost of the fork and of handing one half's results back (docs/benchmarks.md, Engine at
scale).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, compress, repeat
from typing import TypeVar

import numpy as np

from bot.engine._forked import Forked, two_cores
from bot.engine.described import focus_codes
from bot.knowledge.model import Entry
from bot.text.normalize import normalize_all, normalize_and_fold_all
from bot.text.synonyms import Synonyms

# From this many texts (questions and keywords) a build prepares half of them in a child. Below
# it the fork and the hand-back cost more than half the work: at 20k entries (100k texts) the
# work is ~0.9 s of CPU, the fork of a process holding the knowledge ~10-30 ms.
HALVED_FROM = 100_000

T = TypeVar("T")


def prepare(
    entries: Sequence[Entry], synonyms: Synonyms
) -> tuple[list[str], np.ndarray, list[str]]:
    """Per entry in order, its questions then keywords in matching form (normalized, synonyms
    made canonical), one list for all the entries; per question (not keyword), `focus_codes`
    of it folded; per entry, its answer and quote joined by a space in matching form."""
    # (`similar` and the question: `questions` makes a tuple of them, twice the time at 100k)
    texts = sum(len(entry.similar) + 1 + len(entry.keywords) for entry in entries)
    parts = halves(lambda start, end: _prepared(entries[start:end], synonyms), len(entries), texts)
    return (
        list(chain.from_iterable(part[0].split("\n") for part in parts if part[0] is not None)),
        np.concatenate([part[1] for part in parts]),
        [text for part in parts for text in part[2]],
    )


def _prepared(
    entries: Sequence[Entry], synonyms: Synonyms
) -> tuple[str | None, np.ndarray, list[str]]:
    """`prepare` of some entries, its texts joined by newlines (one string is handed back from
    a child faster than a list of them; None: no texts)."""
    asked = [(*entry.questions, *entry.keywords) for entry in entries]
    normalized, folded = normalize_and_fold_all(list(chain.from_iterable(asked)))
    # No synonym spans the newline between two texts: all are rewritten in one pass.
    canonical = synonyms("\n".join(normalized)) if normalized else None
    del normalized
    questions = chain.from_iterable(
        chain(repeat(True, len(entry.questions)), repeat(False, len(entry.keywords)))
        for entry in entries
    )
    codes = focus_codes(list(compress(folded, questions)))
    del folded
    contexts = normalize_all([f"{entry.answer} {entry.source.quote}" for entry in entries])
    contexts = synonyms("\n".join(contexts)).split("\n") if contexts else []
    return canonical, codes, contexts


def halves(work: Callable[[int, int], T], size: int, texts: int) -> list[T]:
    """`[work(0, size)]`, or for `texts` (what the work is measured in) from `HALVED_FROM` on
    two cores, `[work(0, half), work(half, size)]` with the second half worked out in a forked
    child (`Forked`: the same result, whichever process makes it)."""
    if texts < HALVED_FROM or not two_cores():
        return [work(0, size)]
    half = size // 2
    second = Forked(lambda: work(half, size))
    try:
        first = work(0, half)
    except BaseException:
        second.cancel()
        raise
    return [first, second.result()]
