"""A large knowledge base's entries as one block of bytes, each entry made when first read.

A saved engine (bot.engine.cache) holds its knowledge's entries. Unpickling 100k `Entry`
objects, their `Source`s and about a million strings took ~0.8 s of CPU, most of a start with
the engine cache (docs/benchmarks.md), while a start reads a handful of them before its first
answer. So the cache keeps them packed: each entry pickled on its own, all in one block that
loads (or is mapped) at once, and `PackedEntries` unpickles an entry the first time it is read,
then keeps it. It stands where the knowledge's tuple of entries and the engine's list of them
stood, and `by_id` where the dict by id did: the same entries, equal to the tuple they came from.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import SupportsIndex, overload

import numpy as np

from bot.knowledge.model import Entry, Source, made_as_init_would

# An entry's fields in the order they are packed; its source goes as (document, quote), its
# file as a number in the list of files (one `Path` each, not one per entry).
_FIELDS = tuple(f.name for f in fields(Entry))
_ID, _SOURCE, _PATH = _FIELDS.index("id"), _FIELDS.index("source"), _FIELDS.index("path")
_SOURCE_FIELDS = tuple(f.name for f in fields(Source))
# Every field at once, in one call each (a getattr per field was a fifth of packing 100k).
_VALUES, _SOURCE_VALUES = attrgetter(*_FIELDS), attrgetter(*_SOURCE_FIELDS)


class PackedEntries(Sequence[Entry]):
    """Entries by position, made on first read from `block`, where entry n is the pickled tuple
    of its fields from `ends[n - 1]` (0 for the first) to `ends[n]`."""

    def __init__(
        self,
        block: bytes | memoryview,
        ends: np.ndarray,
        ids: str,
        paths: tuple[Path, ...],
        starts: np.ndarray,
        order: np.ndarray,
    ) -> None:
        """`ids`: every entry's id, in order, each followed by a newline (`ID_PATTERN` has
        none), entry n's from `starts[n]` to `starts[n + 1] - 1`; `order`: the positions of
        the entries in the order of their ids; `paths`: the files the entries are from."""
        self.block, self.ends, self.ids, self.paths = block, ends, ids, paths
        self.starts, self.order = starts, order
        # Read an item at a time while searching: a memoryview gives plain ints, ~5x faster
        # to index than the arrays themselves.
        self._starts, self._order = starts.data, order.data
        self._made: list[Entry | None] = [None] * len(ends)

    @classmethod
    def pack(cls, entries: Sequence[Entry]) -> PackedEntries:
        paths: dict[Path, int] = {}
        pieces, ids = [], []
        for entry in entries:
            values = list(_VALUES(entry))
            values[_SOURCE] = _SOURCE_VALUES(entry.source)
            values[_PATH] = paths.setdefault(entry.path, len(paths))
            pieces.append(pickle.dumps(tuple(values), protocol=5))
            ids.append(values[_ID])  # here, not in a pass over the entries again (~0.03 s at 100k)
        ends = np.cumsum([len(piece) for piece in pieces], dtype=np.int64)
        starts = np.cumsum([0] + [len(entry_id) + 1 for entry_id in ids], dtype=np.int64)
        order = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
        joined = "\n".join(ids) + "\n" if ids else ""
        return cls(b"".join(pieces), ends, joined, tuple(paths), starts, order)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple:
        # Protocol 5 sends the block out of band: a saved engine maps it instead of copying it.
        block = pickle.PickleBuffer(self.block) if int(protocol) >= 5 else bytes(self.block)
        return type(self), (block, self.ends, self.ids, self.paths, self.starts, self.order)

    def __len__(self) -> int:
        return len(self.ends)

    @overload
    def __getitem__(self, position: int) -> Entry: ...

    @overload
    def __getitem__(self, position: slice) -> tuple[Entry, ...]: ...

    def __getitem__(self, position: int | slice) -> Entry | tuple[Entry, ...]:
        if isinstance(position, slice):
            return tuple(self[n] for n in range(*position.indices(len(self))))
        made = self._made[position]
        if made is None:  # another thread may make it too: an equal entry, either one kept
            made = self._made[position] = self._make(position % len(self))
        return made

    def _make(self, position: int) -> Entry:
        start = int(self.ends[position - 1]) if position else 0
        values = pickle.loads(self.block[start : int(self.ends[position])])
        made = dict(zip(_FIELDS, values, strict=True))
        # Without the dataclasses' per-field checks: a third of the time to make an entry,
        # which a first answer pays for each it reads.
        source = dict(zip(_SOURCE_FIELDS, values[_SOURCE], strict=True))
        made["source"] = made_as_init_would(Source, source)
        made["path"] = self.paths[values[_PATH]]
        return made_as_init_would(Entry, made)

    def __iter__(self) -> Iterator[Entry]:
        return (self[n] for n in range(len(self)))

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same entries (the tuple or list it was packed from)."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # as a list's

    def position(self, entry_id: str) -> int | None:
        """Where the entry with this id is, without making any entry: a binary search of the
        ids in their order, ~10 µs. A dict of the ids, made on the first look-up, took 0.065 s
        of CPU at 100k entries, a start's first answer paying for it (docs/benchmarks.md)."""
        order, starts, ids = self._order, self._starts, self.ids
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            n = order[middle]
            found = ids[starts[n] : starts[n + 1] - 1]
            if found < entry_id:
                low = middle + 1
            elif found > entry_id:
                high = middle
            else:
                return n
        return None

    @property
    def by_id(self) -> ById:
        return ById(self)


class ById(Mapping[str, Entry]):
    """The entries of a `PackedEntries` by id, as `Knowledge.by_id`."""

    def __init__(self, entries: PackedEntries) -> None:
        self.entries = entries

    def __getitem__(self, entry_id: str) -> Entry:
        position = self.entries.position(entry_id) if isinstance(entry_id, str) else None
        if position is None:
            raise KeyError(entry_id)
        return self.entries[position]

    def __contains__(self, entry_id: object) -> bool:
        return isinstance(entry_id, str) and self.entries.position(entry_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries.ids.split("\n")[:-1])

    def __len__(self) -> int:
        return len(self.entries)
