"""Ranking knowledge entries against a question: TF-IDF over n-grams and sounds, then rapidfuzz.

Two stages, each doing what it is best at:

1. Retrieval. Every entry (all its questions pooled) and every question is a sparse TF-IDF
   vector over character unigrams, bigrams and pinyin bigrams (see `bot.engine.features`). A query's
   cosine against every entry is one sparse product over only the query's own features, so cost
   grows with the postings touched, not with the size of the knowledge; the best entries' own
   questions are then compared one by one. Features the knowledge has never seen still count in
   the query's norm: a question about 门票 shares 黑瞎子岛 with the knowledge but not much else.
   The index is built with NumPy from integer feature keys: counting sorts group each feature's
   occurrences, with no Python loop per feature, so 100k entries build in seconds.
2. Re-ranking. For the few best entries, rapidfuzz compares whole strings — as written and as
   sounds — which rewards the same words in the same order, something bags of n-grams miss.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain
from typing import Any, TypeVar

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from bot.engine._arrays import _best, _Lines, _position, _Postings, _Questions, _ranges
from bot.engine._forked import Forked, two_cores
from bot.engine._grouping import _both
from bot.engine._pages import small_pages
from bot.engine._query import Query
from bot.engine._weighing import weighed
from bot.engine.features import (
    CHAR,
    GENERIC_CHARS,
    GENERIC_WEIGHT,
    PAIR,
    SOUND_PAIR,
    WORD,
    Alphabet,
    kind,
    salience,
    spoken,
)
from bot.engine.tuning import Tuning
from bot.engine.vocabulary import Vocabulary
from bot.knowledge.bulk import give_back
from bot.text.kept import kept
from bot.text.words import Words

# The attributes `weighed` makes (bot.engine._weighing), in the order they are pickled.
_WEIGHED: tuple[str, ...] = ("columns", "idf", "unseen_idf", "column_weights", "questions")
_WEIGHED += ("entries", "described", "described_starts", "unused")
# Questions from which an index is weighed by a forked child (`weighed`).
FORKED_FROM = 100_000
# Feature keys whose lookups an index keeps (`Index.look_up`): ~20 MB at most.
LOOKED_UP = 100_000
# Queries an index keeps by text (`Index.query`): a part is often a clause searched already.
QUERIES_KEPT = 512

T = TypeVar("T")


class Index:
    """A search index over the questions of a list of entries (each a list of normalized texts)."""

    # What `weighed` makes (`_WEIGHED`), taken from its parts (`_take`):
    columns: np.ndarray  # the features' keys, in order: a column is a key's place
    idf: np.ndarray
    unseen_idf: float  # a feature's IDF where no entry has it
    column_weights: np.ndarray  # IDF times `scale`
    questions: _Questions
    entries: _Postings
    described: np.ndarray  # what each entry talks about (`_described`)
    described_starts: np.ndarray
    unused: np.ndarray | None

    @small_pages()
    def __init__(
        self,
        entries: list[list[str]],
        contexts: list[str] | None = None,
        tuning: Tuning | None = None,
        words: Words | None = None,
        *,
        meanwhile: Callable[[Index], object] | None = None,
    ) -> None:
        """`entries` holds each entry's questions, `contexts` what else it says (answer, quote),
        both emptied once read; `words` splits a normalized text into words (none: no words).
        `meanwhile(index)` is the caller's work that reads only the index's rows (`texts`,
        `spans`, `starts`, `sounds`): done while a forked child weighs, else once built."""
        self.tuning = tuning or Tuning()
        self.kind_weights = np.zeros(WORD + 1)
        self.kind_weights[[CHAR, PAIR, SOUND_PAIR, WORD]] = [
            self.tuning.char,
            self.tuning.pair,
            self.tuning.sound,
            self.tuning.word,
        ]
        texts = [text for questions in entries for text in questions]
        contexts = contexts or [""] * len(entries)
        vocabulary = Vocabulary(words) if words and self.tuning.word else None
        told: list[_Lines] = []  # (the contexts, once their strings are freed: `_again`)
        again = partial(self._again, told)  # (what a child that failed redoes its work from)
        # (One list of every text, made before the words' child is forked: made after, it wrote
        # each string's reference count, and each page it did was copied: 17k at 100k entries.)
        corpus = texts + contexts
        learning = vocabulary.learning(corpus, again) if vocabulary else None
        # The rows, made once the words' child has forked (it reads none of them), shorten the
        # stretch before it, with the second core idle (~0.09 s at 100k entries).
        self.texts = _Lines(texts)
        asked = len(texts)
        sizes = [len(questions) for questions in entries]
        self.owner = np.repeat(np.arange(len(entries), dtype=np.int32), sizes)
        self.bounds = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        self.starts = self.bounds[:-1]  # where each entry's questions begin (and end, above)
        self.spans = list(zip(self.bounds[:-1].tolist(), self.bounds[1:].tolist(), strict=True))
        self.alphabet, encoded = Alphabet.learn(corpus)
        self.bits = self.alphabet.bits
        self.sounds = _Lines([])  # (its place among the attributes, pickled in this order)
        self.vocabulary = vocabulary  # (here, as ever: attributes are pickled in this order)
        told.append(_Lines(contexts))
        del texts, corpus, entries[:], contexts[:]  # (62 MB of strings at 100k, handed back...)
        if asked >= FORKED_FROM:
            give_back()  # (...before the words' keys come)
        # (The words' keys after the units', never joined: `_pairs`. A list `weighed` empties.)
        found = list(learning(self.bits)) if learning is not None else []
        del learning
        # From `FORKED_FROM` questions the rest is weighed by a child that hands back what the
        # index keeps: its temporaries (keys, grouping, weighing: the build's peak) are its own.
        if asked < FORKED_FROM or not two_cores():  # (the sounds before `weighed` empties it)
            self.sounds = self.alphabet.spoken(*encoded.sounding(asked))
            self._take(weighed(self, encoded, found, asked))
        else:
            work = partial(weighed, self, encoded, found, asked)
            middle = Forked(work, partial(self._redo, again, asked), trim=True, parts=True).result
            del work, found[:]  # (this process's copies: the child reads its own)
            # Only what the sounds read kept of the batch (the child then holds it alone, and cuts
            # it as it goes); freed heap handed back first, the child's too: each write, a copy.
            sounding = encoded.sounding(asked)
            del encoded
            give_back()
            self.sounds = self.alphabet.spoken(*sounding)  # (beside the child)
            del sounding
            give_back()  # (what the sounds freed, before the caller's work: the child's peak)
            if meanwhile is not None:  # (this core is idle till the child is done: ~2 s at 100k)
                meanwhile(self)  # (in the memory freed here since the fork, reused)
                meanwhile = None  # (done: not again below)
            give_back()  # (what this process freed: the texts, the words' keys, the sounds'...)
            self._take(middle())  # (its first part read while the child made the rest)
        self.both = _both(self.entries, self.questions) if self.unused is not None else None
        # A small index's questions without spaces and as sounds, as re-ranking compares them,
        # in lists by entry: it reads ~250 of each per search, its shortlist's (`_Lines.__getitem__`
        # for each was 9% of a long message's answer; gathering them from arrays of strings, 76k
        # instructions a search, callgrind; joining the shortlist's ~12 lists, 27k).
        small = self.both is not None
        self.compact = self._by_entry([t.replace(" ", "") for t in self.texts]) if small else None
        self.heard = self._by_entry(list(self.sounds)) if small else None
        # And each entry's question rows and their count: a search joins its shortlist's (~12).
        own = [np.arange(first, end) for first, end in self.spans] if small else None
        self.entry_rows = (own, np.diff(self.bounds)) if own is not None else None
        if meanwhile is not None:
            meanwhile(self)

    def _by_entry(self, rows: list[str]) -> list[list[str]]:
        """Per entry, its question rows' strings."""
        return [rows[first:end] for first, end in self.spans]

    @classmethod
    def along(cls, work: Callable[[Index], T], *args: Any) -> tuple[Index, T]:
        """`Index(*args)` and `work(index)`, which reads only its rows (see `meanwhile`)."""
        made: list[T] = []
        return cls(*args, meanwhile=lambda index: made.append(work(index))), made[0]

    def _again(self, contexts: list[_Lines]) -> list[str]:
        """The texts an index was given, questions then contexts, for a child that failed."""
        return [*self.texts, *contexts[0]]

    def _redo(self, again: Callable[[], list[str]], asked: int) -> Iterator[tuple]:
        """`weighed` from the texts, for a child that failed (the same alphabet and words)."""
        texts = again()
        keys = self.vocabulary.keys(texts, self.bits) if self.vocabulary else ()
        return weighed(self, self.alphabet.encode(texts), [*keys], asked)

    def _take(self, parts: Iterable[tuple]) -> None:
        """The attributes `_WEIGHED` names, from `weighed`'s parts (by the names here: a child's
        own strings would pickle apart from these)."""
        self.__dict__.update(zip(_WEIGHED, chain.from_iterable(parts), strict=True))

    def scale(self, keys: np.ndarray) -> np.ndarray:
        """Per feature key, its kind's tuning weight times its salience."""
        return self.kind_weights[kind(keys, self.bits)] * salience(keys, self.bits)

    def __getstate__(self) -> dict:
        """What the engine cache keeps (bot.engine.cache): not `look_up`'s keys nor `query`'s."""
        return {n: v for n, v in self.__dict__.items() if n not in ("_looked_up", "_queries")}

    def look_up(self, keys: list[int]) -> list[tuple[int, float, float]]:
        """Per feature key, its column (-1: the knowledge never has it), IDF and `scale`.
        Keys seen before are kept: a query's few dozen keys are mostly the knowledge's own."""
        table = self.__dict__.setdefault("_looked_up", {})
        found = list(map(table.get, keys))
        if None not in found:  # (a scan in C: the common case, every key seen before)
            return found
        missing = [key for key, hit in zip(keys, found, strict=True) if hit is None]
        # A query's new keys are a few (7.5 on average for the Telegram load's distinct
        # messages): one NumPy search finds their columns and the rest is plain Python per key,
        # the very numbers `scale` and the IDF arrays hold. NumPy's nine calls for them were
        # ~33 us a query (speed14: ~5% of a first-seen message's answer).
        columns, idf, kinds, shift = self.columns, self.idf, self.kind_weights, 2 * self.bits
        places = columns.searchsorted(np.fromiter(missing, np.int64, len(missing))).tolist()
        new = {}
        for key, place in zip(missing, places, strict=True):
            column = place if place < len(columns) and columns[place] == key else -1
            weight = float(kinds[key >> shift + 1])  # `kind`, then `salience`
            new[key] = (
                column,
                float(idf[column]) if column >= 0 else self.unseen_idf,
                weight * GENERIC_WEIGHT if key >> shift & 1 else weight,
            )
        if len(table) > LOOKED_UP:
            table.clear()  # (another thread's lookups hold their own results, not the table)
        table.update(new)
        return [hit if hit is not None else new[key] for key, hit in zip(keys, found, strict=True)]

    def holders(self, word: str) -> int:
        """How many entries' questions use `word` (a whole word of the knowledge: 开春即开工),
        read back off its IDF, which counts them (`weighed`); 0 for a word they never use."""
        ids = self.vocabulary.ids if self.vocabulary else {}
        if word not in ids:
            return 0
        key = (
            ids[word] | GENERIC_CHARS.issuperset(word) << 2 * self.bits | WORD << 2 * self.bits + 1
        )
        column, idf, _ = self.look_up([key])[0]
        if column < 0:
            return 0
        return round((len(self.starts) + 1) / math.exp(idf - 1) - 1)

    def query(self, text: str) -> Query:
        """A normalized query's features weighed against this index: made once, it can be
        searched with and asked how much of it an entry explains (`bot.engine.passages`).
        Kept by text (`QUERIES_KEPT`: a bound, not an LRU): the same text weighs the same."""
        queries = self.__dict__.setdefault("_queries", {})
        return kept(queries, text, partial(Query, self, text), QUERIES_KEPT)

    def search(
        self,
        text: str | Query,
        limit: int = 5,
        exclude: int | None = None,
        needs: int | None = None,
    ) -> list[tuple[int, float]]:
        """The best `limit` entries for a normalized query (or its `query`) as (position,
        score) pairs, best first, scores in 0..1; callers know what their positions stand for
        (the engine's entries, passages). `exclude` leaves one indexed question out, to ask how
        the rest would rank it. With `needs` (an entry) a search that did not shortlist it stops
        with no hits (a teach asks whether its entry wins; re-ranking is a third of a search)."""
        query = self.query(text) if isinstance(text, str) else text
        if not len(query.columns):
            return []
        depth = min(max(self.tuning.rerank_depth, limit), len(self.spans))
        if exclude is None:
            shortlist, rows, sizes, cosines = self._cosines(query, partial(_best, count=depth))
        else:
            # Pooled questions would still contain the left-out one: compare question by question.
            cosines = self.questions.every_cosine(query)
            cosines[exclude] = -1.0
            by_entry = np.maximum.reduceat(cosines, self.starts)
            shortlist = _best(by_entry, depth)
            rows, sizes = self._rows(shortlist)
            cosines = cosines[rows]
        if needs is not None and needs not in shortlist:
            return []
        hits = self._rerank(shortlist, rows, sizes, cosines, query, exclude)
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        return hits[:limit]

    def matches(self, entries: list[int], query: Query) -> list[float]:
        """Per entry in `entries`, the score `search` gives it with a query (its `query`) when
        it shortlists the entry, without looking for the best entries (bot.engine.parts)."""
        if not len(query.columns):
            return [0.0] * len(entries)
        picked = np.array(entries, dtype=np.int64)
        _, rows, sizes, cosines = self._cosines(query, lambda _: picked)
        return [score for _, score in self._rerank(picked, rows, sizes, cosines, query, None)]

    def _cosines(
        self, query: Query, shortlist: Callable[[np.ndarray], np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The entries `shortlist` picks by their pooled cosines with a query, their question
        rows, how many each has, and each row's cosine (a question's pooled entry's, if more)."""
        if self.both is not None:
            products = self.both.dot(query.columns, query.weights)
            pooled = products[: len(self.spans)]
            picked = shortlist(pooled)
            rows, sizes = self._rows(picked)
            cosines = np.maximum(products[len(self.spans) + rows], pooled[picked].repeat(sizes))
        else:
            pooled = self.entries.dot(query.columns, query.weights)
            picked = shortlist(pooled)
            rows, sizes = self._rows(picked)
            cosines = self.questions.cosines(rows, query)
            cosines = np.maximum(cosines, pooled[picked].repeat(sizes))
        return picked, rows, sizes, cosines

    def _rows(self, entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The question rows of the given entries, entry by entry, and how many each has."""
        if self.entry_rows is not None and len(entries):
            rows, sizes = self.entry_rows
            return np.concatenate([rows[entry] for entry in entries.tolist()]), sizes[entries]
        return _ranges(self.starts[entries], self.bounds[entries + 1])

    def _rerank(
        self,
        shortlist: np.ndarray,
        rows: np.ndarray,
        sizes: np.ndarray,
        cosines: np.ndarray,
        query: Query,
        exclude: int | None,
    ) -> list[tuple[int, float]]:
        """Blend each shortlisted question's cosine with whole-string similarity, keep each
        entry's best question (`sizes`: how many of `rows` each entry has), and discount what
        the entry cannot explain of the query."""
        share = self.tuning.cosine_share
        # With the cosine alone (passages) there is no need to compare long texts as strings.
        scores = (
            share * cosines + (1 - share) * self._similarity(shortlist, rows, query)
            if share < 1
            else cosines.copy()
        )
        if exclude is not None:
            scores[rows == exclude] = -1.0  # a left-out question cannot be anyone's best
        explained = 1 - self.unexplained(shortlist, query)
        offsets = np.zeros(len(sizes), dtype=np.int64)
        sizes[:-1].cumsum(out=offsets[1:])  # (the method: `np.cumsum` wraps it in Python)
        best = np.maximum.reduceat(scores, offsets)
        hits = zip(shortlist.tolist(), (best * explained).tolist(), strict=True)
        if exclude is None:  # (cosines and similarities are never negative)
            return list(hits)
        # A negative best: the entry's only question is the left-out one.
        return [hit for hit, kept in zip(hits, (best >= 0).tolist(), strict=True) if kept]

    def _similarity(self, shortlist: np.ndarray, picked: np.ndarray, query: Query) -> np.ndarray:
        """Per question row (`picked`: the rows of the `shortlist`'s entries, entry by entry),
        its whole-string similarity with the query, as written or as sounds, whichever is
        closer, in 0..1."""
        if self.compact is not None and self.heard is not None:
            compact: list[str] = []
            sounds: list[str] = []
            for entry in shortlist.tolist():
                compact += self.compact[entry]
                sounds += self.heard[entry]
        else:  # one join and split instead of a Python call per question
            rows = picked.tolist()
            compact = "\n".join(self.texts.picked(rows)).replace(" ", "").split("\n")
            sounds = self.sounds.picked(rows)
        # (Lists: rapidfuzz reads them faster. Not cached on the query: cached_property locks.)
        spelled = cdist([query.text.replace(" ", "")], compact, scorer=fuzz.ratio)
        heard = cdist([spoken(query.text)], sounds, scorer=fuzz.ratio)
        return np.maximum(spelled[0], heard[0]) / 100

    def explained(self, entry: int, text: str | Query) -> float:
        """The share of a normalized query's weight that entry `entry` accounts for."""
        query = self.query(text) if isinstance(text, str) else text
        return float(1 - self.unexplained(np.array([entry]), query)[0])

    def unexplained(self, entries: np.ndarray, query: Query) -> np.ndarray:
        """Per entry, the IDF-weighted share of the query's units that the entry never uses.

        A unit spelled differently but sounding the same as the entry's, next to the same
        neighbour, counts as used: that is what an input-method typo looks like.
        """
        if not query.total or not self.tuning.discount_unexplained:
            return np.zeros(len(entries))
        probes = query.probes  # per unit: its column, the sound pairs' before and after it
        if self.unused is not None:
            # One gather of the cells, C-ordered, so each entry's sum below adds in the same
            # order as ever (a 2-D fancy index came out in Fortran order and summed otherwise).
            # A probe of -1 reads the cell `entry - width` from the end: the last row, none used.
            cells = probes * self.unused.shape[1] + entries[:, None]
            missed = self.unused.ravel().take(cells)
        else:
            first, last = self.described_starts[entries], self.described_starts[entries + 1]
            positions, lengths = _ranges(first, last)
            # Every entry's sorted columns, told apart by the entry's place in the high bits.
            place = np.arange(len(entries), dtype=np.int64)[:, None] << 32
            described = place[:, 0].repeat(lengths) | self.described[positions]
            missed = (_position(described, place | probes) < 0) | (probes < 0)
        # Unexplained: neither the unit nor a sound pair around it is used (thirds and-ed at once).
        alone = np.logical_and.reduce(missed.reshape(len(entries), 3, len(query.units)), axis=1)
        # (`np.add.reduce` is what `.sum` runs, without its Python wrapper.)
        return np.add.reduce(query.unit_weights * alone, axis=1) / query.total
