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
from typing import TYPE_CHECKING

import numpy as np

from bot.engine._arrays import _tf
from bot.engine.features import PAIR, SOUND_PAIR, salience, spoken

if TYPE_CHECKING:
    from bot.engine.index import Index


class Query:
    """A normalized query's features: columns and L2-normalized weights of those the index
    knows (the unknown still count in the norm), its units' and sound pairs' columns for
    `Index.unexplained`, and its text as written and as sounds for re-ranking."""

    def __init__(self, index: Index, text: str) -> None:
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
        size, units_end = len(distinct), len(distinct) + len(units)
        # One lookup for the features, the units and the sound pairs, split afterwards.
        probes = np.array(distinct + unit_keys + pairs, dtype=np.int64)
        found = index.columns_of(probes)
        idf = index.idf_of(found)
        columns, self.units, self.pairs = found[:size], found[size:units_end], found[units_end:]
        counts = np.array([counted[key] for key in distinct], dtype=np.int64)
        weights = _tf(counts) * idf[:size] * index.scale(probes[:size])
        # Words the knowledge never uses still count in the norm, and so lower every cosine.
        norm = math.sqrt(float(weights @ weights)) or 1.0
        known = columns >= 0
        self.columns = columns[known]
        self.weights = weights[known] / norm
        boost = np.array([unit[3] for unit in units], dtype=np.float64)
        self.unit_weights = idf[size:units_end] * salience(probes[size:units_end], bits) * boost
        self.total = float(self.unit_weights.sum())
        self.compact = text.replace(" ", "")
        self.spoken = spoken(text)
