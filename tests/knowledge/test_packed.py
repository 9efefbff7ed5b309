"""Packed entries (a saved engine's): the same entries, made one by one when first read."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle

from bot.knowledge.model import Entry
from bot.knowledge.packed import PackedEntries


def test_packed_entries_are_the_entries_they_were_packed_from(knowledge):
    entries = list(knowledge.entries)
    # Every kind of field a knowledge file can give, including a review date and no keywords.
    entries[0] = dataclasses.replace(entries[0], review_by=dt.date(2027, 1, 31), keywords=())
    packed = pickle.loads(pickle.dumps(PackedEntries.pack(entries), protocol=5))
    assert len(packed) == len(entries) and packed._made == [None] * len(entries)
    assert packed[3] == entries[3] and packed[3] is packed[3]  # made once, then kept
    assert packed[-1] == entries[-1] and packed[1:4] == tuple(entries[1:4])
    assert packed == entries and entries == packed and tuple(entries) == packed
    for made, entry in zip(packed, entries, strict=True):
        assert type(made) is Entry and vars(made) == vars(entry)
        assert vars(made.source) == vars(entry.source)
        assert made.questions == entry.questions and hash(made) == hash(entry)
    assert packed != entries[:-1]


def test_packed_entries_by_id(knowledge):
    entries = list(knowledge.entries)
    by_id = PackedEntries.pack(entries).by_id
    assert by_id == knowledge.by_id and list(by_id) == [entry.id for entry in entries]
    assert by_id.get(entries[5].id) == entries[5] and by_id.get("no-such-entry") is None
    assert entries[2].id in by_id and "no-such-entry" not in by_id and 5 not in by_id
    # Found by a binary search of the ids in their order: each one, and nothing beside them.
    packed = pickle.loads(pickle.dumps(by_id.entries, protocol=5))
    assert [packed.position(entry.id) for entry in entries] == list(range(len(entries)))
    near = {"", "~", "0"} | {entry.id[:-1] for entry in entries} | {f"{e.id}0" for e in entries}
    assert all(packed.position(entry_id) is None for entry_id in near - set(by_id))


def test_packed_entries_copy_and_pickle_at_any_protocol(knowledge):
    packed = PackedEntries.pack(knowledge.entries)
    assert copy.deepcopy(packed) == packed
    assert pickle.loads(pickle.dumps(packed, protocol=4)) == knowledge.entries
