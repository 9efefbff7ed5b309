"""The build's grouping of feature occurrences (bot.engine._grouping), on small inputs whose
right answer is plain to see."""

from __future__ import annotations

import numpy as np
import pytest

from bot.engine import _arrays, _counting, _grouping
from bot.engine._grouping import _merged, _pairs
from bot.engine.features import _split


def test_grouping_is_the_same_whatever_the_keys_width():
    # One digit, two digits of a counting sort (37 bits: a 100k build's, in halves of 19 and 18
    # bits, the keys spread over both), and keys too wide for two (NumPy's sort).
    rng = np.random.default_rng(3)
    small = rng.integers(0, 50, 2000)
    rows = rng.integers(0, 40, 2000).astype(np.int32)
    expected = sorted({(int(k), int(r)) for k, r in zip(small, rows, strict=True)})
    for offset, spread in ((0, 1), (1 << 30, 1), (1 << 36, (1 << 17) + 1), (1 << 58, 1)):
        majors, places, found_rows, counts = _pairs([small * spread + offset, rows.copy()])
        keys = (majors[places] - offset) // spread
        assert list(zip(keys.tolist(), found_rows.tolist(), strict=True)) == expected
        assert majors.tolist() == sorted(set(majors.tolist()))
        assert counts.sum() == 2000 and found_rows.dtype == places.dtype == np.int32


def _occurrences(seed: int, shuffled: bool) -> tuple[np.ndarray, np.ndarray]:
    """Keys repeated as features recur, and rows in order within a key (as the index's
    occurrences come) unless `shuffled`."""
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 1 << 40, 300)[rng.integers(0, 300, 5000)]
    rows = np.sort(rng.integers(0, 900, 5000)).astype(np.int32)
    if shuffled:
        rng.shuffle(rows)
    return keys, rows


@pytest.mark.parametrize("shuffled", [False, True])
def test_grouping_trusts_no_order_it_is_told_of(shuffled):
    # `ordered`: within a key the rows come in order (as the index's occurrences do), and a
    # pass is spared; where they do not, the check sees it and the result is the same.
    keys, rows = _occurrences(23, shuffled)
    expected = _pairs([keys.copy(), rows.copy()])
    found = _pairs([keys.copy(), rows.copy()], ordered=True)
    for a, b in zip(found, expected, strict=True):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("shuffled", [False, True])
def test_grouping_makes_the_high_digit_again_only_for_another_pass(monkeypatch, shuffled):
    # The last pass sorts by the high digit, and what follows reads where its values begin,
    # never the digit: it is not made again (at 100k entries 124 MB of fresh pages), unless the
    # rows were out of order and every part is sorted again.
    keys, rows = _occurrences(31, shuffled)
    expected = _pairs([keys.copy(), rows.copy()])
    made: list[str] = []
    values = _grouping._values
    for module in (_grouping, _counting):
        monkeypatch.setattr(module, "_values", lambda starts: made.append("") or values(starts))
    found = _pairs([keys, rows], ordered=True)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(found, expected, strict=True))
    # Ordered: the low digit after its pass. Not: that, the high digit for the passes by all
    # three, then the minor and the low digit after theirs.
    assert len(made) == (4 if shuffled else 1)


def test_grouping_takes_parts_as_if_joined():
    rng = np.random.default_rng(29)
    keys, rows = rng.integers(0, 1 << 35, 4000), rng.integers(0, 500, 4000).astype(np.int32)
    expected = _pairs([keys.copy(), rows.copy()])
    found = _pairs([keys[:3000], rows[:3000], keys[3000:], rows[3000:]])
    for a, b in zip(found, expected, strict=True):
        assert a.tobytes() == b.tobytes() and a.flags.owndata
    assert len(keys) == len(rows) == 4000  # (views: read, not cut)


def test_grouping_splits_its_parts_from_their_ends_and_gives_them_back(monkeypatch):
    # Keys wider than one digit, in two parts of their own memory, split 7 items at a time.
    rng = np.random.default_rng(31)
    keys, rows = rng.integers(0, 1 << 35, 3000), rng.integers(0, 500, 3000).astype(np.int32)
    expected = _pairs([keys.copy(), rows.copy()])
    blocks = _arrays._blocks
    monkeypatch.setattr(_grouping, "_blocks", lambda size, step=1: blocks(size, 7))
    given = [keys[:1000].copy(), rows[:1000].copy(), keys[1000:].copy(), rows[1000:].copy()]
    parts = list(given)
    for a, b in zip(_pairs(parts), expected, strict=True):
        assert a.tobytes() == b.tobytes()
    assert parts == [] and [len(part) for part in given] == [0, 0, 0, 0]


def test_grouping_a_block_at_a_time_counts_each_pair_as_a_whole_pass_does(monkeypatch):
    # `_squeezed` moves the distinct pairs to the front block by block: blocks of 7 items,
    # across which runs of a pair continue, give what np.unique does.
    rng = np.random.default_rng(11)
    keys, rows = rng.integers(0, 30, 3000), rng.integers(0, 20, 3000).astype(np.int32)
    expected = np.unique(keys * 64 + rows, return_counts=True)
    monkeypatch.setattr(_grouping, "_SQUEEZED_AT_ONCE", 7)
    majors, places, found_rows, counts = _pairs([keys.copy(), rows.copy()])
    assert (majors[places] * 64 + found_rows).tolist() == expected[0].tolist()
    assert counts.tolist() == expected[1].tolist() and counts.dtype == np.int32


def test_grouped_pairs_split_into_the_questions_and_the_rest():
    keys, rows = np.array([5, 9, 5, 7, 5], dtype=np.int64), np.array([0, 2, 0, 3, 1], np.int32)
    distinct, items, answers = _grouping._grouped([], [keys, rows], 4, asked=2)
    assert distinct.tolist() == [5, 7, 9]
    assert [part.tolist() for part in items] == [[0, 1], [0, 0], [2, 1]]  # rows, columns, counts
    assert [part.tolist() for part in answers] == [[1, 2], [1, 0], [1, 1]]  # columns, rows...


@pytest.mark.parametrize("bits", [37, 50])
def test_grouped_takes_keys_split_as_the_index_splits_them(bits):
    # The units' keys come split into the counting sorts' digits (`Encoded.keys`), the words'
    # whole after them, into the room left: the same as all given whole. Keys too wide for two
    # digits are made whole again, for NumPy's sort.
    rng = np.random.default_rng(37)
    keys = rng.integers(0, 1 << bits, 300)[rng.integers(0, 300, 4000)]
    rows = np.sort(rng.integers(0, 900, 4000)).astype(np.int32)
    expected = _grouping._grouped([], [keys.copy(), rows.copy()], bits, asked=450)
    low = _grouping._digit(bits)
    parts = [np.empty(4000, dtype=np.int32) for _ in range(3)]
    parts[0][:3000] = rows[:3000]
    _split(keys[:3000], low, parts[1:], slice(0, 3000))
    given = [keys[3000:].copy(), rows[3000:].copy()]
    found = _grouping._grouped(parts, given, bits, asked=450)
    assert parts == given == []
    assert found[0].tobytes() == expected[0].tobytes()
    for a, b in zip([*found[1], *found[2]], [*expected[1], *expected[2]], strict=True):
        assert a.tobytes() == b.tobytes()


def _kinds_listed(seed: int, listed: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """37-bit keys of the kinds `listed` (a key's top two bits), each kind's occurrences
    together with rows in order, as `Encoded.keys` and the words' keys list them."""
    rng = np.random.default_rng(seed)
    keys, rows = [], []
    for kind in listed:
        size = int(rng.integers(200, 1500))
        keys.append(rng.integers(0, 1 << 35, 300)[rng.integers(0, 300, size)] | kind << 35)
        rows.append(np.sort(rng.integers(0, 900, size)).astype(np.int32))
    return np.concatenate(keys), np.concatenate(rows)


@pytest.mark.parametrize(
    "listed, apart",
    [([0, 1, 2, 3], True), ([0, 2, 3], True), ([1, 0, 2, 3], None), ([0, 1, 2, 3, 0], False)],
)
def test_grouped_sorts_kind_by_kind_as_it_would_all_at_once(monkeypatch, listed, apart):
    # A large build's occurrences come kind after kind, and each kind is sorted apart: no
    # pass makes arrays longer than the longest kind's (at 100k entries all 25M occurrences'
    # were the weighing child's peak, and the machine's). Kinds not listed in order (never
    # from `Encoded.keys`) are sorted in runs that hold several (1 then 0: one run), or where
    # that leaves them out of order, whole: the same arrays in every case.
    keys, rows = _kinds_listed(41, listed)
    expected = _grouping._grouped([], [keys.copy(), rows.copy()], 37, asked=450)
    words = len(keys) - 700  # (the last kind's given whole, after the rest split)
    parts = [np.empty(len(keys), dtype=np.int32) for _ in range(3)]
    parts[0][:words] = rows[:words]
    _split(keys[:words], _grouping._digit(37), parts[1:], slice(0, words))
    made: list[int | str] = []
    counted = _counting._counted
    monkeypatch.setattr(
        _counting, "_counted", lambda parts, *a: made.append(len(parts[0])) or counted(parts, *a)
    )
    # (Each kind's temporaries, below glibc's mmap threshold, come from its heap: handed back.)
    monkeypatch.setattr(_grouping, "GIVEN_BACK_FROM", 1)
    monkeypatch.setattr(_grouping, "give_back", lambda: made.append("given back"))
    found = _grouping._grouped(parts, [keys[words:].copy(), rows[words:].copy()], 37, asked=450)
    assert found[0].tobytes() == expected[0].tobytes()
    for a, b in zip([*found[1], *found[2]], [*expected[1], *expected[2]], strict=True):
        assert a.tobytes() == b.tobytes()
    assert made[0] == made[-1] == "given back"  # (before the passes, and after them)
    lengths = [length for length in made if isinstance(length, int)]
    if apart:
        assert max(lengths) == max(np.bincount(keys >> 35))
    elif apart is False:
        assert max(lengths) == len(keys)


@pytest.mark.parametrize("large", [False, True])
def test_a_large_grouping_gives_back_what_was_freed_before_its_passes(monkeypatch, large):
    # The grouping's passes are a large build's peak: what glibc kept of the memory freed
    # before them, the occurrences' keys split up among it, is handed back first; a small one
    # is not worth the call.
    calls: list[str] = []
    keys, rows = np.array([5, 9, 5, 7, 5], dtype=np.int64), np.array([0, 2, 0, 3, 1], np.int32)
    monkeypatch.setattr(_grouping, "GIVEN_BACK_FROM", 5 if large else 6)
    monkeypatch.setattr(_grouping, "give_back", lambda: calls.append(f"given back {len(keys)}"))
    passes = _grouping._passes
    monkeypatch.setattr(
        _grouping, "_passes", lambda *a, **k: calls.append("sorted") or passes(*a, **k)
    )
    distinct, _, _ = _grouping._grouped([], [keys, rows], 4, asked=2)
    assert calls == (["given back 0", "sorted"] if large else ["sorted"])  # (keys cut: split)
    assert distinct.tolist() == [5, 7, 9]


def test_items_kept_in_place_a_block_at_a_time_are_the_ones_a_mask_picks(monkeypatch):
    # `_compressed` moves the kept items to the front of the array's own memory, 7 at a time.
    rng = np.random.default_rng(19)
    values, keep = rng.integers(0, 1000, 3000).astype(np.int32), rng.random(3000) < 0.7
    expected = values[keep]
    blocks = _arrays._blocks
    monkeypatch.setattr(_grouping, "_blocks", lambda size, step=1: blocks(size, 7))
    found = _grouping._compressed(values, keep)
    assert found is values and found.tobytes() == expected.tobytes()
    assert _grouping._compressed(np.arange(5), np.zeros(5, dtype=bool)).tolist() == []
    assert _grouping._compressed(expected[::2], expected[::2] > 500).min() > 500  # (a view)


def test_build_steps_a_block_at_a_time_give_what_whole_arrays_do(monkeypatch):
    rng = np.random.default_rng(29)
    pairs = np.unique(rng.integers(0, 40, size=(500, 2)), axis=0)  # by column, then row
    columns, rows = pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.int32)
    owner = np.sort(rng.integers(0, 9, 40)).astype(np.int32)
    counts = rng.integers(0, 400, 500).astype(np.int32)
    expected = (
        np.flatnonzero(_grouping._changes(columns) | _grouping._changes(owner[rows])),
        counts.clip(1, 255).astype(np.uint8),
    )
    blocks = _arrays._blocks
    monkeypatch.setattr(_grouping, "_blocks", lambda size, step=1: blocks(size, 7))
    found = (
        _grouping._owned_starts(columns, rows, owner),
        _grouping._clipped(counts),
    )
    for one, other in zip(found, expected, strict=True):
        assert one.tobytes() == other.tobytes() and one.dtype == other.dtype


def test_weighing_a_block_at_a_time_is_the_whole_arrays_arithmetic_bitwise(monkeypatch):
    rng = np.random.default_rng(17)
    owners, columns = rng.integers(0, 50, 5000), rng.integers(0, 30, 5000)
    values, weights = rng.random(5000), rng.random(30)
    expected = values * weights[columns]
    norms = np.sqrt(np.bincount(owners, weights=expected**2))
    expected /= np.where(norms == 0, 1.0, norms)[owners]
    blocks = _arrays._blocks
    monkeypatch.setattr(_grouping, "_blocks", lambda size, step=1: blocks(size, 7))
    found = _grouping._weighed(values, columns, owners.astype(np.int32), weights)
    assert found.tobytes() == expected.tobytes()


def test_two_sorted_item_lists_merge_as_adding_them_pair_by_pair():
    rng = np.random.default_rng(5)

    def items(count):
        pairs = np.unique(rng.integers(0, 40, size=(count, 2)), axis=0)
        values = rng.random(len(pairs))
        return pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.int32), values

    first, second = items(300), items(200)
    expected: dict[tuple[int, int], float] = {}
    for columns, entries, values in (first, second):
        for pair in zip(columns.tolist(), entries.tolist(), values.tolist(), strict=True):
            expected[pair[:2]] = expected.get(pair[:2], 0.0) + pair[2]
    columns, entries, values = _merged(list(first), list(second), (40, 40))
    assert list(zip(columns.tolist(), entries.tolist(), strict=True)) == sorted(expected)
    assert values.tolist() == [expected[pair] for pair in sorted(expected)]
    assert (columns.dtype, entries.dtype) == (np.int32, np.int32)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_where_each_column_begins_is_where_counting_its_items_puts_it(dtype):
    # Columns with no item before, between and after the others' (a search finds no match
    # for them: they begin where the next column does), and no item at all.
    rng = np.random.default_rng(31)
    columns = np.sort(rng.choice([2, 3, 3, 7, 8, 8, 8], 200)).astype(dtype)
    for items in (columns, columns[:0]):
        expected = np.concatenate([[0], np.cumsum(np.bincount(items, minlength=12))])
        found = _grouping._starts(items, 12)
        assert found.tolist() == expected.tolist() and found.dtype == np.int64
