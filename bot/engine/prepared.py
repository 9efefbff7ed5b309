"""The build's first step: every entry's questions, keywords, answer and quote in matching form,
and its questions folded. It is a third of a large build's CPU and each text's result is its
own, so above `HALVED_FROM` texts the second half of the entries (a little less: `SHARE`) is done
in a forked child on the second core while this process does the first: the same results (each
text goes through the same steps whichever process does it), ~a fifth less of a 100k build's
wall time on an idle two-core machine with the words' fork (15.80 → 12.44 s, scale9), at the cost
of the fork and of handing one half's results back (docs/benchmarks.md, Engine at scale). The
kinds of answer each question asks for (`focus_codes` of the folded questions, ~0.9 s of CPU at
100k entries) are not worked out here: their one reader, `describe`, works them out while the
index's weighing child works, when this process has the time. Work the build needs next that
does not depend on the texts (`also`: the engine's terms) is done by the child after its half,
and the segmenter's dictionary is loaded by this process before its own (the words' child,
forked next, shares it: `Vocabulary.learning`), each half cut to match, so that neither is done
alone with the second core idle; what the caller's build reads of the entries next (`meanwhile`:
what describing them reads, `described.said`) is made by this process after its half, while it
waits for the child's (~0.1 s at 100k entries, which came after preparing with that core idle).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, compress, repeat
from typing import TypeVar

from bot.engine._forked import Forked, two_cores
from bot.knowledge.model import Entry
from bot.text.normalize import normalize_all, normalize_and_fold_all
from bot.text.synonyms import Synonyms
from bot.text.words import load

# From this many texts (questions and keywords) a build prepares half of them in a child. Below
# it the fork and the hand-back cost more than half the work: at 20k entries (100k texts) the
# work is ~0.9 s of CPU, the fork of a process holding the knowledge ~10-30 ms.
HALVED_FROM = 100_000
# The share of the entries this process prepares when halved: half, as the child also makes
# `also`'s result (at 100k entries the terms, ~0.14 s beside ~1.5 s for each half) and this
# process loads the segmenter's dictionary (~0.155 s of CPU).
SHARE = 0.50

T = TypeVar("T")
U = TypeVar("U")
V = TypeVar("V")


def prepare(
    entries: Sequence[Entry], synonyms: Synonyms, also: Callable[[], U], meanwhile: Callable[[], V]
) -> tuple[list[str], str, list[str], U, V]:
    """Per entry in order, its questions then keywords in matching form (normalized, synonyms
    made canonical), one list for all the entries; every question (not keyword) folded, joined
    by newlines (as `focus_codes` reads them); per entry, its answer and quote joined by a
    space in matching form; `also()` (in the child, on two cores: see `halves`); and
    `meanwhile()`, done by this process (after its half, on two cores)."""
    # (`similar` and the question: `questions` makes a tuple of them, twice the time at 100k)
    texts = sum(len(entry.similar) + 1 + len(entry.keywords) for entry in entries)
    done: list[V] = []
    parts, made = halves(
        lambda start, end: _prepared(entries[start:end], synonyms),
        len(entries),
        texts,
        also,
        load,
        lambda: done.append(meanwhile()),
    )
    return (
        list(chain.from_iterable(part[0].split("\n") for part in parts if part[0] is not None)),
        "\n".join(part[1] for part in parts if part[1] is not None),
        [text for part in parts for text in part[2]],
        made,
        done[0],
    )


def _prepared(
    entries: Sequence[Entry], synonyms: Synonyms
) -> tuple[str | None, str | None, list[str]]:
    """`prepare` of some entries, its texts joined by newlines (one string is handed back from
    a child faster than a list of them; None: no texts), and so its folded questions."""
    asked = [(*entry.questions, *entry.keywords) for entry in entries]
    normalized, folded = normalize_and_fold_all(list(chain.from_iterable(asked)))
    # No synonym spans the newline between two texts: all are rewritten in one pass.
    canonical = synonyms("\n".join(normalized)) if normalized else None
    del normalized
    questions = chain.from_iterable(
        chain(repeat(True, len(entry.questions)), repeat(False, len(entry.keywords)))
        for entry in entries
    )
    # (None: no entries, whose empty text would read as one more question joining the halves)
    asking = "\n".join(compress(folded, questions)) if entries else None
    del folded
    contexts = normalize_all([f"{entry.answer} {entry.source.quote}" for entry in entries])
    contexts = synonyms("\n".join(contexts)).split("\n") if contexts else []
    return canonical, asking, contexts


def halves(
    work: Callable[[int, int], T],
    size: int,
    texts: int,
    also: Callable[[], U],
    first: Callable[[], object] = lambda: None,
    then: Callable[[], object] = lambda: None,
) -> tuple[list[T], U]:
    """`[work(0, size)]` and `also()`, or for `texts` (what the work is measured in) from
    `HALVED_FROM` on two cores, `[work(0, cut), work(cut, size)]` (`cut`: `SHARE` of `size`)
    with the second part and then `also()` worked out in a forked child (`Forked`: the same
    results, whichever process makes them), and `first()` done by this process before its part
    (only then: what it loads is loaded when first needed otherwise). `then()` is done by this
    process after its work (when halved, while the child ends its part)."""
    if texts < HALVED_FROM or not two_cores():
        alone = [work(0, size)], also()
        then()
        return alone
    cut = round(size * SHARE)
    second = Forked(lambda: (work(cut, size), also()))
    try:
        first()
        mine = work(0, cut)
        then()
    except BaseException:
        second.cancel()
        raise
    rest, made = second.result()
    return [mine, rest], made
