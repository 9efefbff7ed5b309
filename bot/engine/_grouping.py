"""Grouping the build's feature occurrences with NumPy: counting sorts of integer keys instead
of a Python loop per feature, a block at a time where the arrays are large (at 100k entries,
25M occurrences). Private to `bot.engine.index`'s build; `bot.engine._arrays` holds what the index
keeps and searches with."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import numpy as np

from bot.engine._arrays import _blocks, _Postings, _Questions, _sparsetools, _tf
from bot.engine._counting import _kind_by_kind, _kinds, _passes, _values
from bot.engine.features import _split
from bot.knowledge.bulk import give_back

# From this many occurrences `_grouped` hands the memory the build freed back to the system
# (`give_back`) once their keys are split into the sort's parts: glibc keeps it for reuse,
# scattered among what stays (~120 MB at 100k entries, 31M occurrences: what the keys' making
# freed and the words' keys, which the sort's passes never reuse), and the passes are the
# weighing child's peak. Below it the call (~5 ms of CPU, ~17 ms of wall whatever the size)
# costs more than the little it gives back.
GIVEN_BACK_FROM = 5_000_000


def _pairs(
    occurrences: list[np.ndarray], ordered: bool = False, trim: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (major, minor) pairs of `occurrences` ([major, minor], neither negative;
    or [major, minor, major, minor, ...], parts taken as if joined) in order: the distinct
    majors in order, then per pair its major's place among them, its minor and how often it
    occurs (each int32, each owning its memory; `minor` holds rows or columns, which fit 31
    bits). `ordered`: within each major, the minors already come in increasing order (the
    grouping's do), which spares a pass over them; checked, not trusted. `trim`: freed memory
    given back once the occurrences are split up (`GIVEN_BACK_FROM`).

    The list is emptied, so that with the caller's own names gone its arrays are freed as soon
    as they are split up (at 100k entries, 25M occurrences: 100-200 MB each), and parts are
    never joined (the words' keys after the units' were a 200 MB copy)."""
    bits = max(int(major.max(initial=0)).bit_length() for major in occurrences[0::2])
    if bits <= 2 * _DIGIT and sum(map(len, occurrences[0::2])) < 2**31:
        distinct, changed, minor = _sorted([], occurrences, bits, ordered, trim)
    else:  # (majors beyond two digits: NumPy's sort)
        major, minor = (np.concatenate(occurrences[n::2]) for n in (0, 1))
        occurrences.clear()
        order = np.lexsort((minor, major))
        major, minor = major[order], minor[order].astype(np.int32)
        changed = _changes(major)
        distinct = major[changed]
        del major, order
    return (distinct, *_squeezed(changed, minor))


# Bits of a counting sort's digit: its buckets' offsets are 2**22 int32 (16 MB) at most. Keys
# wider than one digit are split into two of half their width each: at 100k entries (37-bit
# keys) digits of 19 and 18 bits, whose offsets (2 MB) stay in a core's cache, grouped the 25M
# occurrences in 0.61 s of CPU at the median of 12 runs against 0.79 s by digits of 22 and 15.
_DIGIT = 22


def _digit(bits: int) -> int:
    """The bits of the low digit of keys `bits` wide (the high digit holds the rest)."""
    return bits if bits <= _DIGIT else (bits + 1) // 2


def _sorted(
    parts: list[np.ndarray],
    occurrences: list[np.ndarray],
    bits: int,
    ordered: bool,
    trim: bool,
    by_kind: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_pairs`' occurrences (`bits` wide; after those `parts` holds split, [minor, low digit,
    high digit], in the room at their end), both lists emptied, sorted by major then minor: the
    distinct majors, where each new major begins (a mask), and the minors in that order (int32).

    Not by NumPy's sort, which on AMD's Zen 4 runs its AVX-512 path ~5x slower than its own
    AVX2 one (a microcoded store): at 100k entries, sorting 25M packed keys took 2.3 s of CPU.
    Instead, stable counting sorts (SciPy's `coo_tocsr`), least significant part first: by
    minor, by the major's low digit, by its high one (`_counted`). A pass holds the three
    parts and the two it makes, 20 bytes per occurrence (the packed sort's int64 keys and
    their `_squeezed` copies held more). `by_kind`: the occurrences come as `Encoded.keys`
    lists them, kind after kind (a key's top two bits), and each kind is sorted apart
    (`_kind_by_kind`)."""
    majors, minors = occurrences[0::2], occurrences[1::2]
    occurrences.clear()
    low, size = _digit(bits), sum(map(len, majors))
    if not parts:
        parts.extend(np.empty(size, dtype=np.int32) for _ in range(3 if bits > low else 2))
    ends = np.cumsum([len(parts[0]) - size, *map(len, majors)]).tolist()
    for start, _ in reversed(list(pairwise(ends))):  # the last part first
        major, minor = majors.pop(), minors.pop()
        # Each split from its end, cut behind (`_from_the_end`): no whole int64 copy beside.
        for block in _from_the_end(major, minor):
            at = slice(start + block.start, start + block.stop)
            _split(major[block], low, parts[1:], at)
            parts[0][at] = minor[block]
        del major, minor
    if trim:
        give_back()
    if len(parts) < 3:
        parts.append(np.zeros(len(parts[0]), dtype=np.int8))  # (a pass carries two parts)
    sizes = [int(part.max(initial=0)) + 1 for part in parts]  # (read, not assumed from `bits`)
    passes, high = [1, 2][: 1 + (bits > low)], bits > low
    order = passes if ordered else [0, *passes]
    if by_kind and high and bits - low >= 2:
        cuts = _kinds(parts[2], bits - low - 2)
        starts = _kind_by_kind(parts, order, sizes, cuts, [0, *passes])
        if trim:  # (a kind's temporaries below glibc's mmap threshold came from its heap)
            give_back()
    else:
        starts = _passes(parts, order, sizes, high)
    changed = _new_majors(parts, starts, high)
    if ordered and not ((parts[0][1:] >= parts[0][:-1]) | changed[1:]).all():
        if high:  # (sorted by major: by all, stably; the high digit first made again)
            parts[2] = _values(starts)
        starts = _passes(parts, [0, *passes], sizes, high)
        changed = _new_majors(parts, starts, high)
    firsts = np.flatnonzero(changed)
    distinct = parts[1][firsts].astype(np.int64)
    if bits > low:
        distinct |= (starts.searchsorted(firsts, side="right") - 1) << low
    minor, *_ = parts  # (the digits freed here)
    parts.clear()
    return distinct, changed, minor


def _new_majors(parts: list[np.ndarray], starts: np.ndarray, high: bool) -> np.ndarray:
    """Where a new major begins among sorted `parts`: its low digit changes, or (with a high
    digit, `starts` where each of its values begins) its high one."""
    changed = _changes(parts[1])
    if high:
        changed[starts[:-1][starts[:-1] < starts[1:]]] = True
    return changed


# Items `_squeezed` reads at a time: its temporaries are ~8 MB each, whatever the size. At 4M a
# block's pair starts (int64) passed glibc's largest mmap threshold (32 MB): each block's were
# fresh pages (at 100k entries 118k faults against 56k, 0.44 against 0.31 s of wall).
_SQUEEZED_AT_ONCE = 1 << 20


def _squeezed(changed: np.ndarray, minor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of sorted occurrences (`changed`: where a new major begins; `minor`, int32, each one's),
    per distinct pair its major's place, its minor and how often it occurs (int32 each), a
    block at a time: no int64 array per occurrence (at 100k entries, 25M: 200 MB each). The
    pairs' minors are moved to the front of `minor`'s own memory and it is cut to them."""
    first = changed.copy()  # where a new pair begins
    first[1:] |= minor[1:] != minor[:-1]
    size = int(np.count_nonzero(first))
    places, counts = np.empty(size, dtype=np.int32), np.empty(size, dtype=np.int32)
    written, last, majors = 0, 0, -1
    for start in range(0, len(minor), _SQUEEZED_AT_ONCE):
        block = slice(start, start + _SQUEEZED_AT_ONCE)
        firsts = np.flatnonzero(first[block])
        if len(firsts):
            found = len(firsts)
            counted = np.cumsum(changed[block], dtype=np.int32)
            places[written : written + found] = counted[firsts] + majors
            majors += int(counted[-1])
            firsts += start
            # The block's pairs go before the block, or where they are: nothing is written
            # where a later block will read.
            minor[written : written + found] = minor[firsts]
            if written:
                counts[written - 1] = firsts[0] - last
            np.subtract(
                firsts[1:], firsts[:-1], out=counts[written : written + found - 1], casting="unsafe"
            )
            written, last = written + found, int(firsts[-1])
    counts[-1:] = len(minor) - last
    if minor.flags.owndata:
        minor.resize(written, refcheck=False)  # (no other name holds it: `_pairs` made it)
        return places, minor, counts
    return places, minor[:written].copy(), counts


def _grouped(
    parts: list[np.ndarray], occurrences: list[np.ndarray], bits: int, asked: int
) -> tuple[np.ndarray, list[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """`_pairs` of `parts` (occurrences split as `Encoded.keys` splits keys `bits` wide, or
    none) then of `occurrences` ([keys, rows, ...]), both emptied, split by row: the distinct
    keys in order; the questions' pairs (rows below `asked`) as [rows, columns, counts], each
    pair's column its key's place among the keys; the rest's (answers, rows counted from
    `asked`) as (columns, rows, counts). Within a key the rows come in order: each kind of
    feature's occurrences are listed text after text."""
    trim = (len(parts[0]) if parts else sum(map(len, occurrences[1::2]))) >= GIVEN_BACK_FROM
    if parts and _digit(bits) <= _DIGIT:
        distinct, changed, minor = _sorted(parts, occurrences, bits, True, trim, by_kind=True)
        columns, rows, counts = _squeezed(changed, minor)
        del changed, minor
    else:  # (none split, or too wide for two digits: made whole for NumPy's sort, `_pairs`)
        if parts:
            given = len(parts[0]) - sum(map(len, occurrences[1::2]))
            rows, low, high = (part[:given] for part in parts)
            occurrences[:0] = [high.astype(np.int64) << _digit(bits) | low, rows]
            del parts[:], rows, low, high
        distinct, columns, rows, counts = _pairs(occurrences, ordered=True, trim=trim)
    question = rows < asked
    answers = columns[~question], rows[~question] - asked, counts[~question]
    # The questions' pairs in place of every text's (at 100k entries each is ~90 MB).
    items = [_compressed(part, question) for part in (rows, columns, counts)]
    return distinct, items, answers


def _compressed(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """`values[keep]` in `values`'s own memory, which is cut to it (given back): the kept items
    are moved to the front a block at a time, each block read before anything is written where
    a later one will be read. At 100k entries the questions' pairs picked out of every text's
    (~250 MB) beside the ~300 MB they were picked from were the build's peak. Where `values`
    owns its memory no other name may hold a view of it."""
    if not values.flags.owndata:
        return values[keep]
    written = 0
    for block in _blocks(len(values)):
        kept = values[block][keep[block]]
        values[written : written + len(kept)] = kept
        written += len(kept)
    values.resize(written, refcheck=False)
    return values


def _changes(values: np.ndarray) -> np.ndarray:
    """Per item of a sorted array, whether it differs from the one before."""
    changed = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=changed[1:])
    return changed


def _merged(
    first: list[np.ndarray], second: list[np.ndarray], shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two lists of (column, entry, value) items, each sorted by (column, entry) with each pair
    once, of `shape` (columns, entries), as one: a value of the second is added to the first's
    for the same pair (first's + second's, as summing them in that order does), or inserted
    where its pair belongs. Neither is sorted again: SciPy's `csr_plus_csr` merges them column
    by column in one pass (each a matrix by column; the kernel leaves out a sum of 0, which no
    frequency is). Both lists ([columns, entries, values]) are emptied. At 100k entries the
    pairs packed as int64 and placed by a binary search took 0.44 s of wall, 78k faults."""
    (columns, entries, values), (more_columns, more_entries, more_values) = first, second
    first.clear()
    second.clear()
    starts, more_starts = (
        _starts(part, shape[0]).astype(np.int32) for part in (columns, more_columns)
    )
    del columns, more_columns
    size = len(entries) + len(more_entries)
    made = np.empty(shape[0] + 1, np.int32), np.empty(size, np.int32), np.empty(size, values.dtype)
    _sparsetools().csr_plus_csr(
        *shape, starts, entries, values, more_starts, more_entries, more_values, *made
    )
    del starts, entries, values, more_starts, more_entries, more_values
    made_starts, made_entries, made_values = made
    for part in (made_entries, made_values):
        part.resize(int(made_starts[-1]), refcheck=False)  # (in place: pages never written)
    columns = np.arange(shape[0], dtype=np.int32).repeat(np.diff(made_starts))
    return columns, made_entries, made_values


def _starts(columns: np.ndarray, size: int) -> np.ndarray:
    """Where each of `size` columns begins among items ordered by column, then their end
    (int64): a binary search per column, each narrowed from where the last one ended (NumPy's
    `searchsorted` of probes in order), in the columns' own type (no copy of them). Counting
    them (`bincount`, which copies int32 to int64 a block at a time) took 0.12-0.14 s of CPU
    and 40k page faults for the 21M items of a 100k-entry build, this 0.02 s and none."""
    probes = np.arange(size + 1, dtype=columns.dtype)
    return columns.searchsorted(probes).astype(np.int64, copy=False)


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


def _saturated(counts: np.ndarray, owners: np.ndarray, entries: int, k1: float) -> np.ndarray:
    """Term frequency of items' `counts` (`owners`: each one's entry): 1 + log(tf), or with
    `k1` (`Tuning.saturation`) BM25's, which also discounts an entry that says a lot (b = 0.75)
    for the words it happens to repeat."""
    if not k1:
        return _tf(counts)
    lengths = np.bincount(owners, weights=counts, minlength=entries)
    relative = lengths / (lengths[lengths > 0].mean() if (lengths > 0).any() else 1.0)
    tf = counts.astype(np.float64)
    return tf * (k1 + 1) / (tf + k1 * (0.25 + 0.75 * relative[owners]))


def _owned_starts(columns: np.ndarray, rows: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Where each run of items with the same column and the same owner (`owner` per row)
    begins, for items ordered by column, then row: `np.flatnonzero(_changes(columns) |
    _changes(owner[rows]))`, the owners looked up a block at a time (at 100k entries, an owner
    per item was 85 MB more of the build's peak)."""
    starts = _changes(columns)
    for block in _blocks(len(rows)):
        first = max(block.start, 1)
        owners = owner[rows[first - 1 : block.stop]]
        starts[first : block.stop] |= owners[1:] != owners[:-1]
    return np.flatnonzero(starts)


def _clipped(counts: np.ndarray) -> np.ndarray:
    """Counts clipped to 1..255 as uint8, a block at a time (no whole-length int32 copy)."""
    clipped = np.empty(len(counts), dtype=np.uint8)
    for block in _blocks(len(counts)):
        clipped[block] = counts[block].clip(1, 255)
    return clipped


def _from_the_end(*arrays: np.ndarray) -> Iterator[slice]:
    """The blocks (`_blocks`) of equally long arrays, the last first, each array cut behind a
    block once the caller has read it (its memory given back) where it owns its memory: no
    other name may hold a view of it. What the caller makes of them, written into `np.empty`
    arrays (whose pages are only taken as they are written), takes the place of what it read."""
    for block in reversed(_blocks(len(arrays[0]))):
        yield block
        for values in arrays:
            if values.flags.owndata:
                values.resize(block.start, refcheck=False)


def _both(entries: _Postings, questions: _Questions) -> _Postings:
    """The entries' vectors and the questions' in one set of postings by feature (owners:
    entries, then questions after them): a search's two products in one pass. Within a
    feature the entries come first, as in each own postings, so each sum adds the same
    numbers in the same order as its own product does."""
    features, texts = len(entries.starts) - 1, len(questions.starts) - 1
    columns = np.arange(features, dtype=np.int32).repeat(np.diff(entries.starts))
    columns = np.concatenate([columns, questions.columns])
    asked = np.arange(texts, dtype=np.int32).repeat(np.diff(questions.starts))
    owners = np.concatenate([entries.entries, asked + entries.size])
    values = np.concatenate([entries.values, questions.every_value()])
    order = columns.argsort(kind="stable")
    starts, size = _starts(columns[order], features), entries.size + texts
    return _Postings.build(starts, owners[order], values[order], size, gather=True)
