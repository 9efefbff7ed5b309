"""The index's NumPy machinery: sparse vectors stored by feature and by question, and the
array helpers that build them without a Python loop per feature. Private to `bot.engine.index`,
which owns what the numbers mean."""

from __future__ import annotations

import functools
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, overload

import numpy as np

# Above this many entry postings SciPy's sparse kernel beats joining slices (at 10k entries,
# 0.66M postings, the slices were still faster; at 30k, 2M, SciPy was).
SPARSE_FROM = 1_500_000
# Above it, a feature found in more than this share of entries is also kept as a full row: one
# NumPy multiply-add over 100k entries took 35 us, the kernel over its 100k postings 110 us.
FULL_ROW_SHARE = 1 / 3
# Up to this many cells (features x entries) an index is small: it keeps which features each
# entry uses as a full matrix (`Index.unused`, a row per feature; the shipped knowledge: 11k x
# 67 = 0.75M cells, 0.75 MB), and its entry and question vectors in one set of postings by
# feature (`Index.both`).
DENSE_CELLS = 2_000_000


class _Query(Protocol):
    """What `_Questions.cosines` reads of a query (bot.engine._query.Query), read-only."""

    @property
    def columns(self) -> np.ndarray: ...
    @property
    def weights(self) -> np.ndarray: ...


@dataclass(frozen=True)
class _Postings:
    """Entry vectors stored by feature: per feature column, the entries that have it."""

    starts: np.ndarray
    entries: np.ndarray
    values: np.ndarray
    size: int

    # Above `SPARSE_FROM` postings (else None): summed in float32 by SciPy's kernel (`dot`),
    # `starts` int32, with the commonest features (`FULL_ROW_SHARE`) as full rows by column.
    rows: dict[int, np.ndarray] | None = None
    # A small index's product gathers a query's postings by position (`dot`).
    gather: bool = False

    @classmethod
    def build(
        cls,
        starts: np.ndarray,
        entries: np.ndarray,
        values: np.ndarray,
        size: int,
        gather: bool = False,
    ):
        """From items already ordered by column (`starts`: where each column's begin, int64),
        of `size` entries."""
        shape = (len(starts) - 1, size)
        entries, values = entries.astype(np.int32, copy=False), values.astype(np.float32)
        if len(entries) < SPARSE_FROM:
            return cls(starts, entries, values, shape[1], gather=gather)
        # The kernel wants offsets of the entries' type (they fit 31 bits below 2**31 postings).
        starts, rows = starts.astype(np.int32), {}
        for column in np.flatnonzero(np.diff(starts) > FULL_ROW_SHARE * shape[1]).tolist():
            row = rows[column] = np.zeros(shape[1], dtype=np.float32)
            row[entries[starts[column] : starts[column + 1]]] = values[
                starts[column] : starts[column + 1]
            ]
        return cls(starts, entries, values, shape[1], rows)

    def dot(self, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Per entry, the sum over `columns` of its value times the column's weight."""
        if self.rows is not None:
            return self._wide_dot(columns, weights, self.rows)
        if self.gather:
            # A small index's query reads a few thousand postings: finding their positions and
            # gathering them is a dozen NumPy calls, where joining each column's slice was two
            # per column (~70 columns: 84 -> 41 us for a long message, the same sums). (`take`:
            # 12% fewer instructions than indexing with the positions, the same values.)
            positions, lengths = _ranges(self.starts[columns], self.starts[columns + 1])
            entries, values = self.entries.take(positions), self.values.take(positions)
        else:
            # Joining each column's slice (a view) is one pass over the postings; gathering by
            # computed positions is three, and at 10k entries a query reads ~50k of them.
            first, last = self.starts[columns].tolist(), self.starts[columns + 1].tolist()
            bounds = list(zip(first, last, strict=True))
            entries = np.concatenate([self.entries[a:b] for a, b in bounds])
            values = np.concatenate([self.values[a:b] for a, b in bounds])
            lengths = np.array([b - a for a, b in bounds])
        return np.bincount(entries, weights=values * weights.repeat(lengths), minlength=self.size)

    def _wide_dot(
        self, columns: np.ndarray, weights: np.ndarray, rows: dict[int, np.ndarray]
    ) -> np.ndarray:
        """`dot` of a large index: SciPy's float32 sparse kernel, one call per feature over
        its own slice, a tight C loop 2-4x faster than joining slices at 100k entries. It is
        what SciPy's `matrix[columns].T @ weights` runs, the same sums in the same order,
        without copying the selected rows first (as much time as the sums at 100k entries) or
        the checks around it. A full row adds the same float32 products in the same order
        (x + 0 is x), so every sum is bitwise what the kernel alone gives. Sums in float32
        differ from `dot`'s float64 ones by ~1e-7, and rankings stay the same."""
        csc_matvec = _sparsetools().csc_matvec
        sums = np.zeros(self.size, dtype=np.float32)
        product = np.empty_like(sums)
        weights, starts = weights.astype(np.float32), self.starts
        for n, column in enumerate(columns.tolist()):
            row = rows.get(column)
            if row is not None:
                sums += np.multiply(row, weights[n], out=product)
            else:
                bounds = starts[column : column + 2]
                csc_matvec(
                    self.size, 1, bounds, self.entries, self.values, weights[n : n + 1], sums
                )
        return sums


@functools.cache
def _sparsetools():
    """SciPy's C kernels for sparse matrices (`csc_matvec`, `coo_tocsr`), from their extension
    module alone: importing it the usual way imports all of `scipy.sparse` first (0.29 s of
    CPU, ~6% of a 100k-entry start from the engine cache) for a few C functions (loading the
    module alone takes ~0.5 ms). The module's own import where SciPy is laid out otherwise."""
    import sys
    from importlib import import_module
    from importlib.machinery import PathFinder
    from importlib.util import find_spec, module_from_spec

    name = "scipy.sparse._sparsetools"
    scipy = find_spec("scipy")  # (finds the package without importing it)
    if name not in sys.modules and scipy and scipy.submodule_search_locations:
        folders = [f"{folder}/sparse" for folder in scipy.submodule_search_locations]
        spec = PathFinder.find_spec("_sparsetools", folders)
        if spec is not None and spec.loader is not None:
            spec.name = name  # (its C init only needs NumPy's API)
            module = module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[name] = module  # what `import scipy.sparse` would find later
    return import_module(name)  # (the module above, without importing its package)


@dataclass(frozen=True)
class _Questions:
    """Question vectors stored by question: per question its columns and L2-normalized
    weights, so any few questions can be compared with a query without touching the rest.

    The weights are kept as what makes them (each item's count, each column's weight, each
    question's norm) and worked out for the questions a search compares: at 100k entries,
    20M items' float32 weights were 80 MB of the engine and of its cache file, their counts are
    20 MB. Worked out in the same float32 steps as the build's, each is bitwise the same."""

    starts: np.ndarray
    columns: np.ndarray
    counts: np.ndarray  # uint8, clipped to 255
    weights: np.ndarray  # float32, per column
    norms: np.ndarray  # float32, per question

    @classmethod
    def build(cls, items: list[np.ndarray], weights, size: int):
        """From (row, column, count) items given as [rows, columns, counts], each row's items
        in increasing column order (the grouping's order, by column then row, is), a list
        this empties so that each array is freed once laid out (at 100k entries each is ~80
        MB); `weights` per column, before TF."""
        rows, columns, counts = items
        items.clear()
        counts = counts.clip(1, 255).astype(np.uint8, copy=False)
        # The items by row: SciPy's stable counting sort (COO to CSR), one pass over them
        # where sorting them packed as int64 took 1.5 s of CPU at 100k entries (21M items).
        # Stable, so each row's columns stay in increasing order, as the sort left them.
        index = np.int32 if len(rows) < 2**31 and size < 2**31 else np.int64
        rows, columns = rows.astype(index, copy=False), columns.astype(index, copy=False)
        starts = np.empty(size + 1, dtype=index)
        by_row, ordered = np.empty_like(columns), np.empty_like(counts)
        _sparsetools().coo_tocsr(
            size, len(weights), len(rows), rows, columns, counts, starts, by_row, ordered
        )
        del rows, columns
        counts, columns, starts = ordered, by_row, starts.astype(np.int64)
        weights = weights.astype(np.float32)  # (computed in the precision they are stored in)
        norms = _norms(counts, columns, weights, starts)
        return cls(
            starts, columns.astype(np.int32, copy=False), counts, weights, norms.astype(np.float32)
        )

    def values(self, positions: np.ndarray, owners: np.ndarray) -> np.ndarray:
        """The weights of the items at `positions` (of the questions `owners`): TF x column
        weight / norm, each step in float32 as the build took it."""
        values = _tf(self.counts[positions]).astype(np.float32)
        values *= self.weights[self.columns[positions]]
        values /= self.norms[owners]
        return values

    def every_value(self) -> np.ndarray:
        """Every item's weight, question by question."""
        return self.values(np.arange(len(self.columns)), self._owners())

    def _owners(self) -> np.ndarray:
        """Every item's question."""
        return np.arange(len(self.starts) - 1).repeat(np.diff(self.starts))

    def every_cosine(self, query: _Query) -> np.ndarray:
        """`cosines` of every question: what a leave-one-out search compares (`policybot
        validate` and a teach's no-harm check make one per question). Only the items in the
        query's columns are read (a twentieth of them, found through an order of the items by
        column made once), taken in question order and summed as `cosines` sums them, where
        the rest added exactly 0.0: bitwise the same cosines at a tenth of the CPU."""
        values, owners, columns, by_column, column_starts = self._every
        found = query.columns
        positions, _ = _ranges(column_starts[found], column_starts[found + 1])
        items = np.sort(by_column[positions])
        weights = np.zeros(len(self.weights))
        weights[found] = query.weights
        products = weights[columns[items]] * values[items]
        return np.bincount(owners[items], weights=products, minlength=len(self.starts) - 1)

    @functools.cached_property
    def _every(self) -> tuple[np.ndarray, ...]:
        """Every item's weight, question and column, the items in column order and where each
        column's begin in it; made when first asked for."""
        columns = self.columns.astype(np.intp)
        by_column = columns.argsort(kind="stable")
        column_starts = columns[by_column].searchsorted(np.arange(len(self.weights) + 1))
        return self.every_value(), self._owners(), columns, by_column, column_starts

    def __getstate__(self) -> dict:
        """What the engine cache keeps: not `_every`, made again when needed."""
        return {name: value for name, value in self.__dict__.items() if name != "_every"}

    def cosines(self, rows: np.ndarray, query: _Query) -> np.ndarray:
        """Per row in `rows`, its cosine with the query. Only the items in the query's columns
        are weighed: the rest would add exactly 0.0 to each sum, so the sums are bitwise the
        same without gathering their column weights and question norms (random reads in
        arrays of millions at 100k entries, most of this step's time)."""
        positions, lengths = _ranges(self.starts[rows], self.starts[rows + 1])
        columns = self.columns[positions]
        found = np.minimum(query.columns.searchsorted(columns), len(query.columns) - 1)
        shared = np.flatnonzero(query.columns[found] == columns)
        owner = np.arange(len(rows)).repeat(lengths)[shared]
        products = query.weights[found[shared]] * self.values(positions[shared], rows[owner])
        return np.bincount(owner, weights=products, minlength=len(rows))


def _norms(
    counts: np.ndarray, columns: np.ndarray, weights: np.ndarray, starts: np.ndarray
) -> np.ndarray:
    """Per row (`starts`: where each begins among the items), the L2 norm of its items' values,
    1 for an empty row: TF of `counts` (each looked up, 1..255: the very float32 `_tf` casts to)
    times its column's float32 `weights`, squared in float32, summed by NumPy's `reduceat` in
    float64, as `values` works them out. 8,192 whole rows at a time (at 100k entries ~1.4 MB
    of temporaries a block, reused from the heap: 131k rows' 22 MB were mapped fresh each time,
    48k page faults, 0.21-0.26 s of CPU against 0.10 s; every value's 84 MB, more still)."""
    norms, tf = np.ones(len(starts) - 1), _tf(np.arange(256).clip(1)).astype(np.float32)
    filled = np.flatnonzero(starts[1:] > starts[:-1])
    for block in _blocks(len(filled), 1 << 13):
        rows = filled[block]
        first, last = starts[rows[0]], starts[rows[-1] + 1]
        values = tf[counts[first:last]]
        values *= weights[columns[first:last]]
        found = np.add.reduceat(np.square(values, out=values), starts[rows] - first, dtype=float)
        norms[rows] = np.sqrt(found)
    return norms


def _blocks(size: int, step: int = 1 << 22) -> list[slice]:
    """`range(size)` as slices of `step` items: a build's per-item steps over tens of millions
    of items, a block at a time, hold a few tens of MB of temporaries instead of hundreds."""
    return [slice(start, min(start + step, size)) for start in range(0, size, step)]


class _Lines(Sequence[str]):
    """Many short texts kept as one string and where each begins, each cut out when read (a
    search reads a few dozen). At 100k entries the index's 500k questions and as many sounds
    as Python strings held ~110 MB, and unpickling them took 0.38 s of CPU (docs/benchmarks-log.md).
    Each text is followed by a newline, so a run of them (an entry's questions, as the build
    reads them) is one cut and one split, when no text holds a newline itself."""

    def __init__(self, texts: list[str]) -> None:
        self.joined = "\n".join(texts) + "\n" if texts else ""
        ends = np.fromiter(map(len, texts), np.int64, len(texts))
        ends += 1  # each text's newline
        self.starts = array("q", bytes(8))  # 0, then where each text's successor begins
        self.starts.frombytes(np.cumsum(ends).tobytes())
        self.splits = self.joined.count("\n") == len(texts)

    @classmethod
    def utf8(cls, joined: np.ndarray, ends: np.ndarray) -> _Lines:
        """UTF-8 text as bytes, each line ended by a newline, as `_Lines` of its lines keeps it
        (pickled alike), without a string per line (`Alphabet.spoken`); `ends`: where each
        line ends in bytes, after its newline (int64; adjusted in place to characters)."""
        lines = cls.__new__(cls)
        lines.joined = str(joined, "utf-8")  # type: ignore[call-overload]
        if len(lines.joined) < len(joined):  # (a character's bytes after its first: not one)
            firsts = np.concatenate([[0], ends[:-1]])
            ends -= np.add.reduceat((joined & 0xC0) == 0x80, firsts, dtype=np.int64).cumsum()
        lines.starts = array("q", bytes(8))  # (0, then as `__init__` has them)
        lines.starts.frombytes(ends.data.cast("B"))
        lines.splits = True  # (each newline ends a line)
        return lines

    def __len__(self) -> int:
        return len(self.starts) - 1

    @overload
    def __getitem__(self, at: int) -> str: ...
    @overload
    def __getitem__(self, at: slice) -> list[str]: ...
    def __getitem__(self, at: int | slice) -> str | list[str]:
        joined, starts = self.joined, self.starts
        if isinstance(at, slice):
            first, last, step = at.indices(len(self))
            if step == 1:
                return self.run(first, last)
            return [joined[starts[n] : starts[n + 1] - 1] for n in range(first, last, step)]
        if at < 0:
            at += len(self)
        if not 0 <= at < len(self):
            raise IndexError(at)
        return joined[starts[at] : starts[at + 1] - 1]

    def __iter__(self) -> Iterator[str]:
        if self.splits:  # one split, not a call per text
            return iter(self.joined[:-1].split("\n") if self.joined else [])
        return (self[n] for n in range(len(self)))

    def run(self, first: int, last: int) -> list[str]:
        """`self[first:last]` for 0 <= first <= last <= len(self), without a slice's checks:
        an entry's rows, as the engine reads them for each entry a search first brings up."""
        joined, starts = self.joined, self.starts
        if self.splits:
            return joined[starts[first] : starts[last] - 1].split("\n") if last > first else []
        return [joined[starts[n] : starts[n + 1] - 1] for n in range(first, last)]

    def picked(self, rows: list[int]) -> list[str]:
        """The texts at `rows`: what a search reads, at a fifth of the cost of `self[row]` each."""
        joined, starts = self.joined, self.starts
        return [joined[starts[row] : starts[row + 1] - 1] for row in rows]


def _tf(counts: np.ndarray) -> np.ndarray:
    """Sublinear term frequency, in float64 whatever integer type the counts are stored in."""
    values = np.log(counts, dtype=np.float64)
    values += 1  # in place: at 100k entries the build's arrays of counts are ~20M long
    return values


def _ranges(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All positions from each `first` up to its `last`, as one array, and each range's length."""
    lengths = last - first
    offsets = (first - lengths.cumsum() + lengths).repeat(lengths)
    return offsets + np.arange(len(offsets)), lengths


def _position(sorted_values: np.ndarray, probes: np.ndarray) -> np.ndarray:
    """Per probe, where it is among the sorted values, or -1 where it is not."""
    if not len(sorted_values):
        return np.full(probes.shape, -1)
    position = np.minimum(sorted_values.searchsorted(probes), len(sorted_values) - 1)
    return np.where(sorted_values[position] == probes, position, -1)


# From this many values `_best` narrows them first: NumPy's argpartition over all of 100k
# entries' cosines was 3.2M instructions a search (callgrind), narrowed first 0.5M.
NARROWED_FROM = 8192
_BLOCK = 64
# Up to this many values a stable sort is the quicker way to the best few (timeit: 67, the
# shipped entries, 1.3 against 5.6 us a cut at the k-th; 2000, 32 against 24 us).
SORTED_UP_TO = 1024


def _best(values: np.ndarray, count: int) -> np.ndarray:
    """The positions of the `count` largest values, in no order; of values tied at the cut,
    the lowest positions. (NumPy's argpartition picks among ties by its SIMD path: AVX-512
    and AVX2 keep different ones, and the same knowledge would rank otherwise on another CPU.)
    The `count`-th largest of the groups' maxima is a floor the `count` largest values all
    reach, so only the values at or above it are looked at."""
    if len(values) < NARROWED_FROM or count < 1 or count >= len(values) // _BLOCK:
        return _first_best(values, count)
    # Group n holds the values at n, n + groups, n + 2 groups...: the maxima are of rows laid
    # one under another, which NumPy takes a whole row at a time (the few last are in none).
    groups = len(values) // _BLOCK
    maxima = np.maximum.reduce(values[: groups * _BLOCK].reshape(_BLOCK, groups), axis=0)
    near = np.flatnonzero(values >= np.partition(maxima, groups - count)[groups - count])
    # (In position order: the lowest of the near ones tied at the cut are the lowest of all.)
    return near[_first_best(values[near], count)]


def _first_best(values: np.ndarray, count: int) -> np.ndarray:
    """`_best` over every value: a few are sorted (stable: equal values keep their order),
    more are cut at the `count`-th largest, those above it taken with the first equal to it."""
    if len(values) <= SORTED_UP_TO:
        return (-values).argsort(kind="stable")[:count]
    cut = len(values) - count
    kth = np.partition(values, cut)[cut]
    above = np.flatnonzero(values > kth)
    return np.concatenate((above, np.flatnonzero(values == kth)[: count - len(above)]))
