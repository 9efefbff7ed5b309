"""One query's features, weighed against an index: made once per query text, then searched
with (`Index.search`) and asked how much of it an entry explains (`Index.explained`).

A query has a few dozen units. Its feature keys are made and counted in plain Python: NumPy's
cost per call (a microsecond or two) made the array version cost more than the rest of a
search at this size. The arithmetic on weights stays on arrays, the same operations in the same
order as the index's build, so a query weighs exactly what it did (bench/rankings.py).
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from bot.engine._arrays import _tf
from bot.engine.features import GENERIC_WEIGHT, PAIR, SOUND_PAIR, spoken

if TYPE_CHECKING:
    from bot.engine.index import Index


@lru_cache(maxsize=1024)
def _tf_of(count: int) -> float:
    """`_tf` of one count: the very number the array version gives."""
    return float(_tf(np.array([count]))[0])


class Query:
    """A normalized query's features: columns and L2-normalized weights of those the index
    knows (the unknown still count in the norm), its units' and sound pairs' columns for
    `Index.unexplained`, and its text as written and as sounds for re-ranking."""

    def __init__(self, index: Index, text: str) -> None:
        self.text = text
        bits, high = index.bits, 2 * index.bits
        units, paired = index.alphabet.read_one(text)
        unit_keys = [generic << high | unit for unit, _, generic, _ in units]
        # Per unit, its sound and the next unit's as a SOUND_PAIR key (-1 across a segment
        # boundary and after the last unit), and the pairs' keys spelled and heard.
        spelled_kind, heard_kind = PAIR << high + 1, SOUND_PAIR << high + 1
        spelled, heard, pairs = [], [], []
        for (unit, sound, generic, _), (after, sounded, also, _), together in zip(
            units, units[1:], paired, strict=False
        ):
            if together:
                spelled.append(spelled_kind | (generic & also) << high | unit << bits | after)
                heard.append(heard_kind | sound << bits | sounded)
            pairs.append(heard[-1] if together else -1)
        counted = Counter(unit_keys)
        counted.update(spelled)
        counted.update(heard)
        if index.vocabulary is not None:
            counted.update(index.vocabulary.query_keys(text, bits))
        distinct = sorted(counted)
        # Per key: its column (-1: unknown to the knowledge), IDF and kind x salience weight.
        found = index.look_up(distinct)
        table = dict(zip(distinct, found, strict=True))
        # As the build multiplies them: TF x IDF x weight, and TF is 1 for a key seen once.
        weights = [
            (idf if count == 1 else _tf_of(count) * idf) * scale
            for (_, idf, scale), count in zip(
                found, map(counted.__getitem__, distinct), strict=True
            )
        ]
        # Words the knowledge never uses still count in the norm, and so lower every cosine.
        every = np.array(weights, dtype=np.float64)  # (a given dtype: half the cost)
        norm = math.sqrt(float(every @ every)) or 1.0
        known = [n for n, (column, _, _) in enumerate(found) if column >= 0]
        self.columns = np.array([found[n][0] for n in known], dtype=np.intp)
        self.weights = every[known] / norm
        # The units' and sound pairs' columns, and the units' weights (IDF x salience x boost).
        looked = [table[key] for key in unit_keys]
        unit_columns = [column for column, _, _ in looked]
        pair_columns = [table[key][0] if key >= 0 else -1 for key in pairs]
        self.units = np.array(unit_columns, dtype=np.intp)
        # Per unit, its column, then the sound pairs' before it and after it (-1: none), as
        # `Index.unexplained` looks them up in one gather.
        size = len(unit_columns)
        self.probes = np.array(
            unit_columns + [-1, *pair_columns][:size] + [*pair_columns, -1][:size], dtype=np.intp
        )
        self.unit_weights = np.array(
            [
                (idf * GENERIC_WEIGHT if generic else idf) * boost
                for (_, idf, _), (_, _, generic, boost) in zip(looked, units, strict=True)
            ],
            dtype=np.float64,
        )
        self.total = float(self.unit_weights.sum())

    @cached_property
    def compact(self) -> str:
        """The text without spaces, as re-ranking compares it (not passages: made when read)."""
        return self.text.replace(" ", "")

    @cached_property
    def spoken(self) -> str:
        """The text as sounds, as re-ranking compares it."""
        return spoken(self.text)
