"""Ranking knowledge entries against a question: TF-IDF over n-grams and sounds, then rapidfuzz.

Two stages, each doing what it is best at:

1. Retrieval. Every question of every entry is a sparse TF-IDF vector over character unigrams,
   bigrams and pinyin bigrams (see `bot.features`). A query's cosine against all of them is one
   sparse product over only the query's own features, so cost grows with the postings touched,
   not with the size of the knowledge. Features the knowledge has never seen still count in the
   query's norm: a question about 门票 shares 黑瞎子岛 with the knowledge but not much else.
   The index is built with NumPy from integer feature keys: one sort groups every occurrence of
   every feature, with no Python loop per feature, so 100k entries build in seconds.
2. Re-ranking. For the few best entries, rapidfuzz compares whole strings — as written and as
   sounds — which rewards the same words in the same order, something bags of n-grams miss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from bot.features import CHAR, PAIR, SOUND_PAIR, Alphabet, Encoded, kind, salience, spoken


@dataclass(frozen=True)
class Tuning:
    """The matching knobs; each value was measured on the dev eval set (docs/matching.md)."""

    char: float = 0.6  # weight of single characters...
    pair: float = 1.0  # ...of character bigrams...
    sound: float = 0.7  # ...and of pinyin bigrams
    cosine_share: float = 0.4  # share of the TF-IDF cosine in the score; the rest is rapidfuzz
    discount_unexplained: bool = True  # take off what the entry cannot explain of the query
    rerank_depth: int = 12  # how many entries re-ranking looks at


@dataclass(frozen=True)
class Hit:
    """One entry's best match: its position in the index, the question that matched, the score."""

    entry: int
    question: int
    score: float


@dataclass(frozen=True)
class _Postings:
    """A sparse matrix stored by feature column: per column, the rows that have it, and weights."""

    starts: np.ndarray
    rows: np.ndarray
    values: np.ndarray
    size: int

    @classmethod
    def build(cls, columns: np.ndarray, rows: np.ndarray, values: np.ndarray, shape: tuple):
        """From entries already ordered by column."""
        counts = np.bincount(columns, minlength=shape[0])
        starts = np.concatenate([[0], np.cumsum(counts)])
        return cls(starts, rows.astype(np.int32), values.astype(np.float32), shape[1])

    def dot(self, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Per row, the sum over `columns` of its value times the column's weight."""
        first, last = self.starts[columns], self.starts[columns + 1]
        lengths = last - first
        # The positions of every posting of every column, as one array.
        offsets = np.repeat(first - np.cumsum(lengths) + lengths, lengths)
        positions = offsets + np.arange(int(lengths.sum()))
        return np.bincount(
            self.rows[positions],
            weights=self.values[positions] * np.repeat(weights, lengths),
            minlength=self.size,
        )


def _pairs(major: np.ndarray, minor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (major, minor) pairs in order, and how often each occurs."""
    bits = int(minor.max(initial=0)).bit_length()
    if int(major.max(initial=0)).bit_length() + bits <= 62:
        packed = np.sort((major << bits) | minor)  # one fast sort of plain integers
        first = np.flatnonzero(np.diff(packed, prepend=-1))
        counts = np.diff(first, append=len(packed))
        return packed[first] >> bits, packed[first] & ((1 << bits) - 1), counts
    order = np.lexsort((minor, major))
    major, minor = major[order], minor[order]
    changed = np.ones(len(major), dtype=bool)
    changed[1:] = (major[1:] != major[:-1]) | (minor[1:] != minor[:-1])
    first = np.flatnonzero(changed)
    return major[first], minor[first], np.diff(first, append=len(major))


def _runs(values: np.ndarray) -> np.ndarray:
    """For sorted values, the position of each value's first occurrence."""
    return np.flatnonzero(np.diff(values, prepend=-1))


class Index:
    """A search index over the questions of a list of entries (each a list of normalized texts)."""

    def __init__(
        self,
        entries: list[list[str]],
        contexts: list[str] | None = None,
        tuning: Tuning | None = None,
    ) -> None:
        """`entries` holds each entry's questions; `contexts` what else it says (its answer)."""
        self.tuning = tuning or Tuning()
        self.kind_weights = np.zeros(SOUND_PAIR + 1)
        self.kind_weights[[CHAR, PAIR, SOUND_PAIR]] = [
            self.tuning.char,
            self.tuning.pair,
            self.tuning.sound,
        ]
        self.texts = [text for questions in entries for text in questions]
        contexts = contexts or [""] * len(entries)
        self.owner = np.repeat(np.arange(len(entries)), [len(questions) for questions in entries])
        self.starts = np.flatnonzero(np.r_[True, np.diff(self.owner) != 0])
        self.spans = [
            (int(a), int(b))
            for a, b in zip(self.starts, [*self.starts[1:], len(self.owner)], strict=True)
        ]
        self.alphabet = Alphabet(self.texts + contexts)
        self.bits = self.alphabet.bits
        encoded = self.alphabet.encode(self.texts)
        self.sounds = self.alphabet.spoken(encoded)
        keys, rows = encoded.keys(self.bits)
        keys, rows, counts = _pairs(keys, rows)
        entry = self.owner[rows]
        # Each entry's questions taken together: a query may mix words from several of them.
        profile = np.flatnonzero(np.diff(keys, prepend=-1) | np.diff(entry, prepend=-1))
        profile_keys, profile_entries = keys[profile], entry[profile]
        profile_counts = np.add.reduceat(counts, profile) if len(profile) else counts
        self._weigh(profile_keys, len(entries))
        self.questions = self._matrix(keys, rows, counts, len(self.texts))
        self.profiles = self._matrix(profile_keys, profile_entries, profile_counts, len(entries))
        self._describe(profile_keys, profile_entries, contexts)

    def _weigh(self, profile_keys: np.ndarray, entries: int) -> None:
        """IDF per feature, counting entries rather than questions: similar questions repeat
        their entry's words, and would otherwise make its most telling words look common."""
        first = _runs(profile_keys)
        self.columns = profile_keys[first]
        document_frequency = np.diff(first, append=len(profile_keys))
        self.idf = np.log((entries + 1) / (document_frequency + 1)) + 1
        self.unseen_idf = float(np.log(entries + 1) + 1)

    def weight(self, keys: np.ndarray, counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
        """TF-IDF of features, scaled by their kind's tuning weight and their salience."""
        scale = self.kind_weights[kind(keys, self.bits)] * salience(keys, self.bits)
        return (1 + np.log(counts)) * idf * scale

    def columns_of(self, keys: np.ndarray) -> np.ndarray:
        """Per feature key, its column, or -1 for a feature the knowledge never has."""
        if not len(self.columns):
            return np.full(len(keys), -1)
        position = np.minimum(np.searchsorted(self.columns, keys), len(self.columns) - 1)
        return np.where(self.columns[position] == keys, position, -1)

    def idf_of(self, columns: np.ndarray) -> np.ndarray:
        return np.where(columns >= 0, self.idf[columns], self.unseen_idf)

    def _matrix(
        self, keys: np.ndarray, rows: np.ndarray, counts: np.ndarray, size: int
    ) -> _Postings:
        """L2-normalized TF-IDF rows, stored by feature: a query touches only its features."""
        columns = np.searchsorted(self.columns, keys)
        weights = self.weight(keys, counts, self.idf[columns])
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=size))
        norms[norms == 0] = 1.0
        return _Postings.build(columns, rows, weights / norms[rows], (len(self.columns), size))

    def _describe(self, keys: np.ndarray, entries: np.ndarray, contexts: list[str]) -> None:
        """What each entry talks about: the units and sound pairs of its questions and answer,
        as sorted feature keys per entry.

        Units found in most answers (the "据2022年5月26日报道" every answer ends with) say nothing
        about any one entry and are left out of what answers contribute.
        """
        spoken = kind(keys, self.bits) != PAIR
        answers = self.alphabet.encode(contexts)
        answer_keys, _ = answers.keys(self.bits)
        answer_keys = answer_keys[: len(answers.units)]  # the units, not their pairs
        answer_entries, answer_keys, _ = _pairs(answers.text, answer_keys)
        common, seen_in = np.unique(answer_keys, return_counts=True)
        boilerplate = common[seen_in > len(contexts) / 2]
        own = ~np.isin(answer_keys, boilerplate)
        entry, described, _ = _pairs(
            np.concatenate([entries[spoken], answer_entries[own]]),
            np.concatenate([keys[spoken], answer_keys[own]]),
        )
        counts = np.bincount(entry, minlength=len(contexts))
        self.described = described
        self.described_starts = np.concatenate([[0], np.cumsum(counts)])

    def _query(self, text: str) -> _Query:
        return _Query(self, self.alphabet.encode([text]), text)

    def search(self, text: str, limit: int = 5, exclude: int | None = None) -> list[Hit]:
        """The best `limit` entries for a normalized query, best first, scores in 0..1.
        `exclude` leaves one indexed question out, to ask how the rest would rank it."""
        query = self._query(text)
        if not len(query.columns):
            return []
        cosines = self.questions.dot(query.columns, query.weights)
        profile = self.profiles.dot(query.columns, query.weights)
        if exclude is not None:
            # Pooled questions would still contain the left-out one: compare question by question.
            profile = np.zeros_like(profile)
            cosines[exclude] = -1.0
        by_entry = np.maximum(np.maximum.reduceat(cosines, self.starts), profile)
        depth = min(max(self.tuning.rerank_depth, limit), len(self.spans))
        shortlist = np.argpartition(-by_entry, depth - 1)[:depth]
        blended = np.maximum(cosines, profile[self.owner])
        hits = self._rerank(shortlist, blended, query, text)
        hits.sort(key=lambda hit: (-hit.score, hit.entry))
        return hits[:limit]

    def _rerank(
        self, shortlist: np.ndarray, cosines: np.ndarray, query: _Query, text: str
    ) -> list[Hit]:
        """Blend each shortlisted question's cosine with whole-string similarity, keep each
        entry's best question, and discount what the entry cannot explain of the query."""
        spans = [self.spans[entry] for entry in shortlist]
        rows = np.concatenate([np.arange(first, last) for first, last in spans])
        compact = [self.texts[row].replace(" ", "") for row in rows]
        spelled = cdist([text.replace(" ", "")], compact, scorer=fuzz.ratio)
        heard = cdist([query.spoken], [self.sounds[row] for row in rows], scorer=fuzz.ratio)
        similarity = np.maximum(spelled[0], heard[0]) / 100
        similarity[cosines[rows] < 0] = -1.0  # a left-out question cannot be anyone's best
        share = self.tuning.cosine_share
        scores = share * cosines[rows] + (1 - share) * similarity
        explained = 1 - self.unexplained(shortlist, query)
        hits, offset = [], 0
        for position, (entry, (first, last)) in enumerate(zip(shortlist, spans, strict=True)):
            best = offset + int(np.argmax(scores[offset : offset + last - first]))
            hits.append(Hit(int(entry), int(rows[best]), float(scores[best] * explained[position])))
            offset += last - first
        return hits

    def explained(self, entry: int, text: str) -> float:
        """The share of a normalized query's weight that entry `entry` accounts for."""
        return float(1 - self.unexplained(np.array([entry]), self._query(text))[0])

    def unexplained(self, entries: np.ndarray, query: _Query) -> np.ndarray:
        """Per entry, the IDF-weighted share of the query's units that the entry never uses.

        A unit spelled differently but sounding the same as the entry's, next to the same
        neighbour, counts as used: that is what an input-method typo looks like.
        """
        if not query.total or not self.tuning.discount_unexplained:
            return np.zeros(len(entries))
        missing = np.empty(len(entries))
        for position, entry in enumerate(entries):
            described = self.described[
                self.described_starts[entry] : self.described_starts[entry + 1]
            ]
            used = _contains(described, query.units)
            heard = _contains(described, query.pairs)
            used[1:] |= heard
            used[:-1] |= heard
            missing[position] = query.unit_weights[~used].sum()
        return missing / query.total


def _contains(sorted_values: np.ndarray, probes: np.ndarray) -> np.ndarray:
    """Per probe, whether it is among the sorted values."""
    if not len(sorted_values):
        return np.zeros(len(probes), dtype=bool)
    position = np.minimum(np.searchsorted(sorted_values, probes), len(sorted_values) - 1)
    return sorted_values[position] == probes


class _Query:
    """One query's features, weighed against an index, computed once per search."""

    def __init__(self, index: Index, encoded: Encoded, text: str) -> None:
        every, _ = encoded.keys(index.bits)
        keys, counts = np.unique(every, return_counts=True)
        columns = index.columns_of(keys)
        weights = index.weight(keys, counts, index.idf_of(columns))
        # Words the knowledge never uses still count in the norm, and so lower every cosine.
        norm = float(np.sqrt((weights * weights).sum())) or 1.0
        self.columns = columns[columns >= 0]
        self.weights = weights[columns >= 0] / norm
        self.units = every[: len(encoded.units)]
        self.pairs = encoded.sound_pairs(index.bits)
        idf = index.idf_of(index.columns_of(self.units))
        self.unit_weights = idf * salience(self.units, index.bits) * encoded.boost
        self.total = float(self.unit_weights.sum())
        self.spoken = spoken(text)
