"""One query's features, weighed against an index: made once per query text, then searched
with (`Index.search`) and asked how much of it an entry explains (`Index.explained`).

A query has a few dozen units. Its feature keys are made and counted in plain Python: NumPy's
cost per call (a microsecond or two) made the array version cost more than the rest of a
search at this size. The arithmetic on weights stays on arrays, the same operations in the same
order as the index's build, so a query weighs exactly what it did (bench/rankings.py).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from bot.engine._arrays import _tf
from bot.engine.features import GENERIC_WEIGHT

if TYPE_CHECKING:
    from bot.engine.index import Index


@lru_cache(maxsize=1024)
def _tf_of(count: int) -> float:
    """`_tf` of one count: the very number the array version gives."""
    return float(_tf(np.array([count]))[0])


class Query:
    """A normalized query's features: columns and L2-normalized weights of those the index
    knows (the unknown still count in the norm), and its units' and sound pairs' columns for
    `Index.unexplained`; re-ranking reads its `text`.

    The keys are made at once; what is looked up and weighed from them, when first read: the
    passages' coverage test (bot.engine.passages) reads the units alone, and most fallbacks
    stop there."""

    def __init__(self, index: Index, text: str) -> None:
        self.text = text
        self.index = index
        unit_keys: list[int] = []
        self.looks: list[tuple[bool, float]] = []  # per unit, its genericness and boost
        # Per unit, its sound and the next unit's as a SOUND_PAIR key (-1 across a segment
        # boundary and after the last unit), and the pairs' keys spelled and heard.
        spelled: list[int] = []
        heard: list[int] = []
        self.pairs: list[int] = []
        for units in index.alphabet.read_one(text):
            keys, lefts, marks, ids, sounding, sounds, looks = zip(*units, strict=True)
            unit_keys += keys
            self.looks += looks
            spelled += [
                a | m & n | b for a, m, n, b in zip(lefts, marks, marks[1:], ids[1:], strict=False)
            ]
            together = [a | b for a, b in zip(sounding, sounds[1:], strict=False)]
            heard += together
            self.pairs += together
            self.pairs.append(-1)
        self.unit_keys = unit_keys
        self.keys = unit_keys + spelled + heard
        if index.vocabulary is not None:
            self.keys += index.vocabulary.query_keys(text, index.bits)
        self._weighed: tuple[np.ndarray, np.ndarray] | None = None
        self._measured: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None = None

    @property
    def columns(self) -> np.ndarray:
        """The columns of the features the index knows, in key order."""
        return (self._weighed or self._weigh())[0]

    @property
    def weights(self) -> np.ndarray:
        """Their TF-IDF weights, L2-normalized over every feature of the query."""
        return (self._weighed or self._weigh())[1]

    def _weigh(self) -> tuple[np.ndarray, np.ndarray]:
        keys = self.keys
        distinct = sorted(set(keys))  # (a `Counter` only for keys seen more than once, below)
        # Per key: its column (-1: unknown to the knowledge), IDF and kind x salience weight.
        found = self.index.look_up(distinct)
        columns, idf, scale = zip(*found, strict=True) if found else ((), (), ())
        # As the build multiplies them: TF x IDF x weight, and TF is 1 for a key seen once
        # (1.0 x IDF is IDF: the product is the same number either way).
        # (`fromiter` with a given length: a quarter fewer instructions than `np.array`.)
        size = len(distinct)
        every = np.fromiter(idf, np.float64, size)
        every *= np.fromiter(scale, np.float64, size)
        if size < len(keys):  # keys seen more than once: their TF
            for key, count in Counter(keys).items():
                if count > 1:
                    n = bisect_left(distinct, key)
                    every[n] = _tf_of(count) * idf[n] * scale[n]
        # Words the knowledge never uses still count in the norm, and so lower every cosine.
        # (`np.dot`: the same sum as `@`, checked bit for bit, at half its call's cost.)
        norm = math.sqrt(float(np.dot(every, every))) or 1.0
        positions = np.fromiter(columns, np.intp, size)
        known = positions >= 0
        self._weighed = positions[known], every[known] / norm
        return self._weighed

    @property
    def units(self) -> np.ndarray:
        """The units' columns (-1: unknown to the knowledge), in reading order."""
        return (self._measured or self._measure())[0]

    @property
    def probes(self) -> np.ndarray:
        """Per unit, its column, then the sound pairs' before it and after it (-1: none), as
        `Index.unexplained` looks them up in one gather."""
        return (self._measured or self._measure())[1]

    @property
    def unit_weights(self) -> np.ndarray:
        """The units' weights: IDF x salience x boost."""
        return (self._measured or self._measure())[2]

    @property
    def total(self) -> float:
        """The units' weights summed."""
        return (self._measured or self._measure())[3]

    def _measure(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        look_up = self.index.look_up
        looked = look_up(self.unit_keys)
        unit_columns = [column for column, _, _ in looked]
        # (-1, no pair, is no feature's key: it looks up as a column of -1.)
        pair_columns = [column for column, _, _ in look_up(self.pairs)]
        size = len(unit_columns)
        probes = unit_columns + [-1, *pair_columns][:size] + [*pair_columns, -1][:size]
        unit_weights = np.fromiter(
            (
                (idf * GENERIC_WEIGHT if generic else idf) * boost
                for (_, idf, _), (generic, boost) in zip(looked, self.looks, strict=True)
            ),
            np.float64,
            size,
        )
        self._measured = (
            np.fromiter(unit_columns, np.intp, size),
            np.fromiter(probes, np.intp, 3 * size),
            unit_weights,
            float(np.add.reduce(unit_weights)),  # (what `.sum` runs, without its wrapper)
        )
        return self._measured
