"""Ranking knowledge entries against a question: TF-IDF over n-grams and sounds, then rapidfuzz.

Two stages, each doing what it is best at:

1. Retrieval. Every question of every entry is a sparse TF-IDF vector over character unigrams,
   bigrams and pinyin bigrams (see `bot.features`). A query's cosine against all of them is one
   sparse product over only the query's own features, so cost grows with the postings touched,
   not with the size of the knowledge. Features the knowledge has never seen still count in the
   query's norm: a question about 门票 shares 黑瞎子岛 with the knowledge but not much else.
2. Re-ranking. For the few best entries, rapidfuzz compares whole strings — as written and as
   sounds — which rewards the same words in the same order, something bags of n-grams miss.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist
from scipy import sparse

from bot.features import features, salience, sound, spoken, units


@dataclass(frozen=True)
class Tuning:
    """The matching knobs; each value was measured on the dev eval set (docs/matching.md)."""

    char: float = 0.6  # weight of single characters...
    pair: float = 1.0  # ...of character bigrams...
    sound: float = 0.7  # ...and of pinyin bigrams
    cosine_share: float = 0.4  # share of the TF-IDF cosine in the score; the rest is rapidfuzz
    discount_unexplained: bool = True  # take off what the entry cannot explain of the query
    rerank_depth: int = 12  # how many entries re-ranking looks at


NUMBER_WEIGHT = 3.0


@dataclass(frozen=True)
class Hit:
    """One entry's best match: its position in the index, the question that matched, the score."""

    entry: int
    question: int
    score: float


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
        self.kind_weights = {"c": self.tuning.char, "b": self.tuning.pair, "p": self.tuning.sound}
        self.texts = [text for questions in entries for text in questions]
        owner = np.repeat(np.arange(len(entries)), [len(questions) for questions in entries])
        self.owner = owner
        self.starts = np.flatnonzero(np.r_[True, np.diff(owner) != 0])
        self.spans = [
            (int(a), int(b))
            for a, b in zip(self.starts, [*self.starts[1:], len(owner)], strict=True)
        ]
        self.compact = [text.replace(" ", "") for text in self.texts]
        self.sounds = [spoken(text) for text in self.texts]
        counts = [Counter(features(text)) for text in self.texts]
        # Each entry's questions taken together: a query may mix words from several of them.
        profiles = [sum(counts[first:last], Counter()) for first, last in self.spans]
        self._weigh(profiles)
        self.questions = self._matrix(counts)
        self.profiles = self._matrix(profiles)
        self.vocabularies = self._vocabularies(entries, contexts or [""] * len(entries))

    def _weigh(self, profiles: list[Counter]) -> None:
        """IDF per feature, counting entries rather than questions: similar questions repeat
        their entry's words, and would otherwise make its most telling words look common."""
        document_frequency = Counter(feature for profile in profiles for feature in profile)
        self.vocabulary = {feature: column for column, feature in enumerate(document_frequency)}
        total = len(profiles) + 1
        self.idf = np.array([math.log(total / (n + 1)) + 1 for n in document_frequency.values()])
        self.unseen_idf = math.log(total) + 1

    def _matrix(self, counts: list[Counter]) -> sparse.csr_matrix:
        """L2-normalized TF-IDF rows, stored transposed: a query touches only its features' rows."""
        rows, columns, values = [], [], []
        for row, counter in enumerate(counts):
            weights = {
                f: self._weight(f, n, self.idf[self.vocabulary[f]]) for f, n in counter.items()
            }
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for feature, weight in weights.items():
                rows.append(self.vocabulary[feature])
                columns.append(row)
                values.append(weight / norm)
        return sparse.csr_matrix(
            (values, (rows, columns)), shape=(len(self.vocabulary), len(counts))
        )

    def _weight(self, feature: str, count: int, idf: float) -> float:
        kind = self.kind_weights[feature[0]]
        return (1 + math.log(count)) * idf * kind * salience(feature)

    @staticmethod
    def _vocabularies(entries: list[list[str]], contexts: list[str]) -> list[set[str]]:
        """What each entry talks about: the units and sound pairs of its questions and answer.

        Units found in most answers (the "据2022年5月26日报道" every answer ends with) say nothing
        about any one entry and are left out of what answers contribute.
        """
        answer_units = [{u for segment in units(text) for u in segment} for text in contexts]
        seen_in = Counter(unit for vocabulary in answer_units for unit in vocabulary)
        boilerplate = {unit for unit, n in seen_in.items() if n > len(contexts) / 2}
        result = []
        for questions, answer in zip(entries, answer_units, strict=True):
            vocabulary = answer - boilerplate
            for text in questions:
                vocabulary.update(unit for segment in units(text) for unit in segment)
                vocabulary.update(f for f in features(text) if f[0] == "p")
            result.append(vocabulary)
        return result

    def _query(self, text: str) -> tuple[list[int], np.ndarray]:
        """The query's known feature columns and their weights, normalized over all its features:
        words the knowledge never uses still count in the norm, and so lower every cosine."""
        known, weights, norm = [], [], 0.0
        for feature, count in Counter(features(text)).items():
            column = self.vocabulary.get(feature)
            weight = self._weight(
                feature, count, self.unseen_idf if column is None else self.idf[column]
            )
            norm += weight * weight
            if column is not None:
                known.append(column)
                weights.append(weight)
        return known, np.array(weights) / (math.sqrt(norm) or 1.0)

    def search(self, text: str, limit: int = 5, exclude: int | None = None) -> list[Hit]:
        """The best `limit` entries for a normalized query, best first, scores in 0..1.
        `exclude` leaves one indexed question out, to ask how the rest would rank it."""
        known, weights = self._query(text)
        if not known:
            return []
        cosines = self.questions[known].T @ weights
        profile = self.profiles[known].T @ weights
        if exclude is not None:
            # Pooled questions would still contain the left-out one: compare question by question.
            profile = np.zeros_like(profile)
            cosines[exclude] = -1.0
        by_entry = np.maximum(np.maximum.reduceat(cosines, self.starts), profile)
        depth = min(max(self.tuning.rerank_depth, limit), len(self.spans))
        shortlist = np.argpartition(-by_entry, depth - 1)[:depth]
        blended = np.maximum(cosines, profile[self.owner])
        hits = self._rerank(shortlist, blended, _Query(text, self))
        hits.sort(key=lambda hit: (-hit.score, hit.entry))
        return hits[:limit]

    def _rerank(self, shortlist: np.ndarray, cosines: np.ndarray, query: _Query) -> list[Hit]:
        """Blend each shortlisted question's cosine with whole-string similarity, keep each
        entry's best question, and discount what the entry cannot explain of the query."""
        spans = [self.spans[entry] for entry in shortlist]
        rows = np.concatenate([np.arange(first, last) for first, last in spans])
        spelled = cdist([query.compact], [self.compact[row] for row in rows], scorer=fuzz.ratio)
        heard = cdist([query.sounds], [self.sounds[row] for row in rows], scorer=fuzz.ratio)
        similarity = np.maximum(spelled[0], heard[0]) / 100
        similarity[cosines[rows] < 0] = -1.0  # a left-out question cannot be anyone's best
        share = self.tuning.cosine_share
        scores = share * cosines[rows] + (1 - share) * similarity
        hits, offset = [], 0
        for entry, (first, last) in zip(shortlist, spans, strict=True):
            best = offset + int(np.argmax(scores[offset : offset + last - first]))
            explained = 1 - self.unexplained(int(entry), query)
            hits.append(Hit(int(entry), int(rows[best]), float(scores[best]) * explained))
            offset += last - first
        return hits

    def explained(self, entry: int, text: str) -> float:
        """The share of a normalized query's weight that entry `entry` accounts for."""
        return 1 - self.unexplained(entry, _Query(text, self))

    def unexplained(self, entry: int, query: _Query) -> float:
        """The IDF-weighted share of the query's units that the entry never uses.

        A unit spelled differently but sounding the same as the entry's, next to the same
        neighbour, counts as used: that is what an input-method typo looks like.
        """
        if not query.total or not self.tuning.discount_unexplained:
            return 0.0
        vocabulary = self.vocabularies[entry]
        pairs = [pair in vocabulary for pair in query.pairs]
        missing = 0.0
        for position, (unit, weight) in enumerate(zip(query.units, query.weights, strict=True)):
            if unit in vocabulary:
                continue
            if (position > 0 and pairs[position - 1]) or (
                position < len(pairs) and pairs[position]
            ):
                continue
            missing += weight
        return missing / query.total

    def unit_weight(self, unit: str) -> float:
        column = self.vocabulary.get("c" + unit)
        idf = self.unseen_idf if column is None else float(self.idf[column])
        # A number is a precise fact: 2月 is not 3月, and an entry without the user's number
        # cannot be the answer however similar the rest reads.
        boost = NUMBER_WEIGHT if unit.replace(".", "").isdigit() and len(unit) <= 6 else 1.0
        return idf * salience("c" + unit) * boost


class _Query:
    """The forms of one query that re-ranking compares, computed once per search."""

    def __init__(self, text: str, index: Index) -> None:
        self.compact = text.replace(" ", "")
        self.sounds = spoken(text)
        self.units = [unit for segment in units(text) for unit in segment]
        self.weights = [index.unit_weight(unit) for unit in self.units]
        self.total = sum(self.weights)
        heard = [sound(unit) for unit in self.units]
        self.pairs = [f"p{a} {b}" for a, b in itertools.pairwise(heard)]
