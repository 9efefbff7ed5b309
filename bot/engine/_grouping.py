"""Grouping the build's feature occurrences with NumPy: sorting packed integer keys instead of
a Python loop per feature, in place where the arrays are large (at 100k entries, 31M
occurrences). Private to `bot.engine.index`'s build; `bot.engine._arrays` holds what the index
keeps and searches with."""

from __future__ import annotations

import numpy as np

from bot.engine._arrays import _blocks


def _pairs(occurrences: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (major, minor) pairs of `occurrences` ([major, minor]) in order, and how
    often each occurs. `minor` holds rows or columns, which fit 31 bits, and comes back as int32.

    The list is emptied, so that with the caller's own names gone its arrays are freed as soon
    as they are packed, and `major`'s memory is reused for the sort: at 100k entries they are
    31M occurrences, and holding them to the end was ~150 MB more of the build's peak. An int64
    `major` is packed in place and then cut (`_squeezed`): no other name may hold it, or a view."""
    major, minor = occurrences
    occurrences.clear()
    bits = int(minor.max(initial=0)).bit_length()
    if int(major.max(initial=0)).bit_length() + bits <= 62:
        packed = major.astype(np.int64, copy=False)
        del major
        packed <<= bits
        packed |= minor
        del minor
        packed.sort()  # one fast sort of plain integers, in place
        packed, counts = _squeezed(packed)
        minor = packed.astype(np.uint32)  # keeps the low bits, without a 64-bit temporary
        minor &= (1 << bits) - 1
        packed >>= bits
        return packed, minor.view(np.int32), counts
    order = np.lexsort((minor, major))
    major, minor = major[order], minor[order]
    first = np.flatnonzero(_changes(major) | _changes(minor))
    return major[first], minor[first].astype(np.int32), np.diff(first, append=len(major))


# Items `_squeezed` reads at a time: its temporaries are a few tens of MB, whatever the size.
_SQUEEZED_AT_ONCE = 1 << 22


def _squeezed(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted values made distinct, and how often each occurs (int32). The distinct values are
    moved to the front of `values`'s own memory a block at a time and the array is cut to them
    (given back: its memory is reused). At 100k entries, 31M occurrences of 25M distinct pairs:
    the positions of the firsts (int64) and the distinct values gathered from them were ~400 MB
    on top of the sorted array, the build's peak."""
    changed = _changes(values)
    counts = np.empty(int(np.count_nonzero(changed)), dtype=np.int32)
    written, last = 0, 0
    for start in range(0, len(values), _SQUEEZED_AT_ONCE):
        firsts = np.flatnonzero(changed[start : start + _SQUEEZED_AT_ONCE])
        if not len(firsts):
            continue
        firsts += start
        found = len(firsts)
        # The block's distinct values go before the block, or where they are: nothing is
        # written where a later block will read.
        values[written : written + found] = values[firsts]
        if written:
            counts[written - 1] = firsts[0] - last
        np.subtract(
            firsts[1:], firsts[:-1], out=counts[written : written + found - 1], casting="unsafe"
        )
        written, last = written + found, int(firsts[-1])
    counts[-1:] = len(values) - last
    del changed
    if values.flags.owndata:
        values.resize(written, refcheck=False)  # (no other name holds it: `_pairs` made it)
        return values, counts
    return values[:written].copy(), counts


def _grouped(occurrences: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """`_pairs` of [keys, rows] (the list emptied), with the keys apart: the distinct keys in
    order, then per pair its key's place among them (int32), its row and its count."""
    keys, rows, counts = _pairs(occurrences)
    changed = _changes(keys)
    distinct = keys[changed]
    del keys
    columns = np.cumsum(changed, dtype=np.int32)  # (a count: no int64 temporary)
    columns -= 1
    return distinct, columns, rows, counts


def _changes(values: np.ndarray) -> np.ndarray:
    """Per item of a sorted array, whether it differs from the one before."""
    changed = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=changed[1:])
    return changed


def _merged(
    first: list[np.ndarray], second: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two lists of (column, entry, value) items, each sorted by (column, entry) with each pair
    once, as one: a value of the second is added to the first's for the same pair (first's +
    second's, as summing them in that order does), or inserted where its pair belongs. Neither
    is sorted again: at 100k entries, sorting both together held ~800 MB at once. Adds into
    the first's values in place. Both lists ([columns, entries, values]) are emptied, so that
    the values, laid out first, are freed before the rest is (~80 MB less at 100k entries)."""
    columns, entries, values = first
    more_columns, more_entries, more_values = second
    first.clear()
    second.clear()
    place = _pack(columns, entries).searchsorted(_pack(more_columns, more_entries))
    same = place < len(columns)
    same[same] = (columns[place[same]] == more_columns[same]) & (
        entries[place[same]] == more_entries[same]
    )
    values[place[same]] += more_values[same]
    new = ~same
    # Where each new item lands: before the first's item at its place, after the new ones
    # before it. One mask serves all three arrays (`np.insert` of each made its own: at 100k
    # entries, a third of the entries' weighing).
    at = place[new]
    del place  # (at 100k entries each is ~16 MB, at the build's peak)
    at += np.arange(len(at))
    kept = np.ones(len(columns) + len(at), dtype=bool)
    kept[at] = False
    pairs = [(values, more_values), (entries, more_entries), (columns, more_columns)]
    del values, more_values, entries, more_entries, columns, more_columns
    merged = []
    while pairs:
        mine, more = pairs.pop(0)
        joined = np.empty(len(kept), dtype=mine.dtype)
        joined[kept] = mine
        joined[at] = more[new]
        merged.append(joined)
        del mine, more
    return merged[2], merged[1], merged[0]


def _pack(columns: np.ndarray, entries: np.ndarray) -> np.ndarray:
    """(column, entry) pairs as one sortable integer each."""
    packed = columns.astype(np.int64)
    packed <<= 32
    packed |= entries
    return packed


def _weighed(
    values: np.ndarray, columns: np.ndarray, owners: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Items' values times their column's weight, L2-normalized per owner (an owner without
    any weight keeps 0s), in place and a block at a time: each whole-length temporary was
    80 MB at 100k entries, at the build's peak. The norms add the same squares in the same
    order as `np.bincount(owners, weights=values**2)` (whose float64 and int64 copies were
    160 MB more): item after item."""
    for block in _blocks(len(values)):
        values[block] *= weights[columns[block]]
    squares = np.zeros(int(owners.max(initial=-1)) + 1)
    for block in _blocks(len(values)):
        np.add.at(squares, owners[block], np.square(values[block]))
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    for block in _blocks(len(values)):
        values[block] /= norms[owners[block]]
    return values
