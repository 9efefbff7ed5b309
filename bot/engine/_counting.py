"""The counting sorts that group a build's feature occurrences (bot.engine._grouping): stable
passes of SciPy's `coo_tocsr` over int32 parts (the text, a key's low digit, its high one), by
one part at a time, over all the occurrences or kind by kind. Private to that module."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from bot.engine._arrays import _sparsetools


def _passes(
    parts: list[np.ndarray],
    order: list[int],
    sizes: list[int],
    high: bool,
    into: list[np.ndarray] | None = None,
) -> np.ndarray:
    """`_counted` by each part of `order` in turn; where each value of the last begins. With
    `high` the last (the high digit) is not made again, its place left empty: what reads it
    reads where its values begin (at 100k entries 124 MB of fresh pages no one read). `into`:
    where the last pass writes the parts it carries (none of what it reads)."""
    for n, which in enumerate(order, 1):
        last = n == len(order)
        starts = _counted(parts, which, sizes, not high or not last, into if last else None)
    return starts


def _kinds(high: np.ndarray, shift: int) -> list[int]:
    """Where each kind's occurrences begin among occurrences listed kind after kind (a kind
    is the high digit's bits from `shift`: the keys' top two), then their end: a binary
    search for each (`_kind_by_kind` checks what it assumes)."""
    cuts = [0]
    for kind in range(1, 4):
        first, last = cuts[-1], len(high)
        while first < last:
            middle = (first + last) // 2
            if int(high[middle]) >> shift < kind:
                first = middle + 1
            else:
                last = middle
        cuts.append(first)
    return [*dict.fromkeys([*cuts, len(high)])]


def _kind_by_kind(
    parts: list[np.ndarray], order: list[int], sizes: list[int], cuts: list[int], every: list[int]
) -> np.ndarray:
    """`_passes` (the high digit not made again) of the occurrences between each two `cuts`
    apart, the last first, each sorted in its own memory, the last of its passes (`order`
    holds two or more) writing back into the parts', the high digit cut behind it; where each
    value of the high digit begins over all. Where the kinds' high
    digits do not come in increasing ranges, kind after kind (not listed as `_kinds` assumes),
    the high digit is made again and `parts` sorted whole by the passes of `every`.

    At 100k entries the pass over all 25M occurrences held the three parts and the two it
    makes (500 MB: the weighing child's peak, beside this process's ~200 MB the machine's);
    a kind's at most 9M make ~110 MB beside them. A key's kind is its top two bits, so the
    kinds sorted apart and laid end to end are sorted: the same arrays, bitwise."""
    counts = np.zeros(sizes[2], dtype=np.int64)  # (per value of the high digit, over all)
    each: list[np.ndarray] = []
    above = sizes[2]
    for start, end in reversed(list(pairwise(cuts))):
        kind = [part[start:end] for part in parts]
        starts = _passes(kind, order, sizes, True, into=kind[:2])
        del kind
        if parts[2].flags.owndata:
            parts[2].resize(start, refcheck=False)  # (no view of it is left)
        found = np.diff(starts)
        used = np.flatnonzero(found)
        if len(used) and used[-1] >= above:  # (a later kind's digits not all above)
            above = -1
        elif len(used):
            above = int(used[0])
        counts += found
        each.append(starts)
    if above < 0:  # (not kind after kind: sorted within each, so made again and sorted whole)
        parts[2] = np.concatenate([_values(starts) for starts in reversed(each)])
        return _passes(parts, every, sizes, True)
    parts[2] = np.empty(0, dtype=np.int32)  # (its place: nothing reads it, as `_passes` leaves it)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)


def _counted(
    parts: list[np.ndarray],
    which: int,
    sizes: list[int],
    again: bool,
    into: list[np.ndarray] | None = None,
) -> np.ndarray:
    """`parts` (parallel arrays: minor, the major's low digit, its high one) stably sorted by
    `parts[which]` (each value below `sizes[which]`), the list's arrays replaced; returns where
    each value begins. The part sorted by is made again from those offsets (`again`). `into`:
    the arrays the carried parts are written to (else new ones), none of them read here."""
    key = parts[which]
    carried = [part for n, part in enumerate(parts) if n != which]
    parts.clear()  # (each input freed when the pass is done)
    starts = np.empty(sizes[which] + 1, dtype=np.int32)
    made = into if into is not None else [np.empty_like(part) for part in carried]
    _sparsetools().coo_tocsr(sizes[which], 1, len(key), key, *carried, starts, *made)
    del key, carried
    parts.extend(made)
    parts.insert(which, _values(starts) if again else np.empty(0, np.int32))
    return starts


def _values(starts: np.ndarray) -> np.ndarray:
    """A sorted part made again from where each of its values begins."""
    return np.arange(len(starts) - 1, dtype=np.int32).repeat(np.diff(starts))
