"""The index's own machinery, on small inputs whose right answer is plain to see."""

from __future__ import annotations

import numpy as np
import pytest

from bot.engine import _arrays, _grouping
from bot.engine._arrays import _best, _Questions
from bot.engine._grouping import _merged, _pairs


def test_grouping_is_the_same_whatever_the_keys_width():
    # One digit, two digits of a counting sort, and keys too wide for two (NumPy's sort).
    rng = np.random.default_rng(3)
    small = rng.integers(0, 50, 2000)
    rows = rng.integers(0, 40, 2000).astype(np.int32)
    expected = sorted({(int(k), int(r)) for k, r in zip(small, rows, strict=True)})
    for offset in (0, 1 << 30, 1 << 58):
        majors, places, found_rows, counts = _pairs([small + offset, rows.copy()])
        keys = majors[places] - offset
        assert list(zip(keys.tolist(), found_rows.tolist(), strict=True)) == expected
        assert majors.tolist() == sorted(set(majors.tolist()))
        assert counts.sum() == 2000 and found_rows.dtype == places.dtype == np.int32


@pytest.mark.parametrize("shuffled", [False, True])
def test_grouping_trusts_no_order_it_is_told_of(shuffled):
    # `ordered`: within a key the rows come in order (as the index's occurrences do), and a
    # pass is spared; where they do not, the check sees it and the result is the same.
    rng = np.random.default_rng(23)
    keys = rng.integers(0, 1 << 40, 300)[rng.integers(0, 300, 5000)]
    rows = np.sort(rng.integers(0, 900, 5000)).astype(np.int32)
    if shuffled:
        rng.shuffle(rows)
    expected = _pairs([keys.copy(), rows.copy()])
    found = _pairs([keys.copy(), rows.copy()], ordered=True)
    for a, b in zip(found, expected, strict=True):
        assert a.tobytes() == b.tobytes()


def test_grouping_takes_parts_as_if_joined():
    rng = np.random.default_rng(29)
    keys, rows = rng.integers(0, 1 << 35, 4000), rng.integers(0, 500, 4000).astype(np.int32)
    expected = _pairs([keys.copy(), rows.copy()])
    found = _pairs([keys[:3000], rows[:3000], keys[3000:], rows[3000:]])
    for a, b in zip(found, expected, strict=True):
        assert a.tobytes() == b.tobytes() and a.flags.owndata


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
    distinct, items, answers = _grouping._grouped([keys, rows], asked=2)
    assert distinct.tolist() == [5, 7, 9]
    assert [part.tolist() for part in items] == [[0, 1], [0, 0], [2, 1]]  # rows, columns, counts
    assert [part.tolist() for part in answers] == [[1, 2], [1, 0], [1, 1]]  # columns, rows...


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


def test_questions_built_a_block_at_a_time_are_the_same_bytes(monkeypatch):
    # Weights and norms worked out a block of items (or rows) at a time: blocks of 5 give
    # every array bitwise as one block does.
    rng = np.random.default_rng(13)
    rows = rng.integers(0, 90, 4000).astype(np.int32)
    columns = rng.integers(0, 300, 4000).astype(np.int32)
    pairs = np.unique(rows.astype(np.int64) * 1000 + columns)
    rows, columns = (pairs // 1000).astype(np.int32), (pairs % 1000).astype(np.int32)
    counts = rng.integers(1, 300, len(pairs)).astype(np.int32)
    weights = rng.random(300)

    def built():
        items = [rows.copy(), columns.copy(), counts.copy()]
        return _Questions.build(items, weights, 100)  # (rows 90-99 have no items)

    whole = built()
    blocks = _arrays._blocks
    monkeypatch.setattr(_arrays, "_blocks", lambda size, step=1: blocks(size, 5))
    for name, value in vars(built()).items():
        assert value.tobytes() == getattr(whole, name).tobytes(), name
    assert whole.norms[95] == 1.0 and whole.counts.max() == 255


def test_questions_from_the_groupings_order_are_laid_out_row_by_row():
    # The grouping hands the items over by column, then row; the vectors keep them by row,
    # then column (a counting sort: stable, so no sort within a row is needed).
    rng = np.random.default_rng(19)
    pairs = np.unique(rng.integers(0, 40, 3000) * 1000 + rng.integers(0, 60, 3000))
    columns, rows = (pairs // 1000).astype(np.int32), (pairs % 1000).astype(np.int32)
    counts = rng.integers(1, 9, len(pairs)).astype(np.uint8)
    built = _Questions.build([rows, columns.copy(), counts], np.ones(40), 64)
    order = np.lexsort((columns, rows))
    assert built.columns.tolist() == columns[order].tolist()
    assert built.counts.tolist() == counts[order].tolist()
    assert built.starts.tolist() == [0, *np.cumsum(np.bincount(rows, minlength=64)).tolist()]
    assert (built.columns.dtype, built.starts.dtype) == (np.int32, np.int64)


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
    columns, entries, values = _merged(list(first), list(second))
    assert list(zip(columns.tolist(), entries.tolist(), strict=True)) == sorted(expected)
    assert values.tolist() == [expected[pair] for pair in sorted(expected)]
    assert (columns.dtype, entries.dtype) == (np.int32, np.int32)


@pytest.mark.parametrize("kind", ["spread", "rounded", "mostly zero", "float32"])
def test_the_best_few_are_the_set_argpartition_gives(kind):
    """`_best` narrows a large index's cosines before partitioning them: the same set as
    argpartition over all of them, with values tied across the cut (a rounded spread, a few
    nonzero among zeros) as with none."""
    rng = np.random.default_rng(7)
    for _ in range(60):
        size, count = int(rng.integers(8192, 30000)), int(rng.integers(1, 20))
        values = rng.random(size)
        if kind == "rounded":
            values = np.round(values, 2)
        elif kind == "mostly zero":
            values = np.where(rng.random(size) < 0.001, values, 0.0)
        elif kind == "float32":
            values = (values**8).astype(np.float32)
        expected = (-values).argpartition(count - 1)[:count]
        assert set(_best(values, count).tolist()) == set(expected.tolist())


@pytest.mark.slow
def test_every_product_ranks_as_the_slices_do(monkeypatch):
    # Small indexes search entries and questions in one pass, large ones take SciPy's float32
    # product; forced here on the shipped knowledge, every dev question gets the same decision
    # and top-5 as on the slices' path: with the very same scores from the small index (the
    # same sums in the same order), within float32's precision from SciPy.
    from bot.engine import _arrays, index
    from bot.engine.core import Engine
    from bot.engine.evaluation import load_cases
    from bot.knowledge.model import load
    from tests.support.paths import KNOWLEDGE

    knowledge = load(KNOWLEDGE)
    questions = [case.question for case in load_cases(KNOWLEDGE / "eval" / "dev.yaml")]
    dense = Engine(knowledge, cache=0)
    monkeypatch.setattr(_arrays, "DENSE_CELLS", 0)
    monkeypatch.setattr(index, "DENSE_CELLS", 0)
    slices = Engine(knowledge, cache=0)
    monkeypatch.setattr(_arrays, "SPARSE_FROM", 0)
    product = Engine(knowledge, cache=0)
    assert dense.index.both is not None and dense.index.unused is not None
    assert slices.index.entries.rows is None and slices.index.both is None
    assert product.index.entries.rows is not None
    for question in questions:
        a, b, c = slices.answer(question), dense.answer(question), product.answer(question)
        assert [(x.id, x.score, x.match) for x in a.candidates] == [
            (x.id, x.score, x.match) for x in b.candidates
        ]
        assert (a.status, [x.id for x in a.candidates]) == (c.status, [x.id for x in c.candidates])
        assert np.allclose(
            [x.score for x in a.candidates], [x.score for x in c.candidates], atol=1e-6
        )


def test_unit_keys_made_a_block_at_a_time_are_the_same(monkeypatch):
    from bot.engine import features

    texts = ["营业执照怎么办理", "", "我们想知道 社保 在哪里办", "app 12345", "营业执照去哪办"]
    alphabet, encoded = features.Alphabet.learn(texts)
    keys, rows = encoded.keys(alphabet.bits)
    blocks = _arrays._blocks
    monkeypatch.setattr(features, "_blocks", lambda size, step=1: blocks(size, 3))
    found = encoded.keys(alphabet.bits)
    assert found[0].tobytes() == keys.tobytes() and found[1].tobytes() == rows.tobytes()
    # The units, then the pairs inside a segment spelled, then heard, each with its text.
    units = sum(len(t.replace(" ", "")) for t in texts) - len("app12345") + 2
    pairs = units - sum(len(t.split()) for t in texts)
    assert len(keys) == units + 2 * pairs and rows[:units].tolist() == sorted(rows[:units])
    assert rows[units : units + pairs].tolist() == rows[units + pairs :].tolist()


def test_words_and_sounds_read_in_chunks_are_the_same_as_in_one_go(monkeypatch):
    from bot.engine import features
    from bot.engine.vocabulary import Vocabulary
    from bot.text.words import Words

    texts = [
        "营业执照怎么办理",
        "",
        "我们想知道 社保 在哪里办",
        "app 12345",
        "营业执照去哪办",
        "签证ω办",
    ]
    whole = Vocabulary(Words())
    expected = whole.keys(texts, 20, grow=True)
    alphabet, encoded = features.Alphabet.learn(texts)
    sounds = alphabet.spoken(encoded)
    monkeypatch.setattr(features, "_TEXTS_AT_ONCE", 2)
    chunked = Vocabulary(Words())
    keys, rows = chunked.keys(texts, 20, grow=True)
    assert chunked.ids == whole.ids
    assert alphabet.spoken(encoded) == sounds == [features.spoken(text) for text in texts]
    assert keys.tolist() == expected[0].tolist() and rows.tolist() == expected[1].tolist()
    # A query's unknown words get ids past the vocabulary's end, the same word the same id.
    query, _ = chunked.keys(["黑瞎子岛黑瞎子岛"], 20)  # 瞎子, 黑瞎子, twice
    ids = (query & (1 << 40) - 1).tolist()
    assert min(ids) >= len(chunked.ids) and ids[:2] == ids[2:] and ids[0] != ids[1]


def test_a_query_is_encoded_unit_by_unit_exactly_as_a_batch_is():
    # `read_one` (a query, in plain Python) and `encode` (the knowledge, in arrays) must give
    # the same units, or a query would miss features it shares with the knowledge. Units the
    # alphabet knows, and strangers: characters, Latin runs and sounds it has never seen, each
    # repeated.
    from bot.engine.features import Alphabet

    alphabet, _ = Alphabet.learn(["复工复产 专窗 在哪里", "app 下载 12345", "营业执照 怎么 办理"])
    for text in QUERIES:
        batch, read = alphabet.encode([text]), alphabet.read_one(text)
        units = [unit for segment in read for unit in segment]
        found = (
            [u.unit for u in units],
            [u.sound for u in units],
            *zip(*(u.looks for u in units), strict=True),
        )
        for part, values in zip(("units", "sounds", "generic", "boost"), found, strict=False):
            assert list(values) == getattr(batch, part).tolist(), (text, part)
        paired = [n + 1 < len(segment) for segment in read for n in range(len(segment))]
        assert paired == batch.paired.tolist()


QUERIES = [
    "复工复产 去哪个 窗口 办理",
    "app 下载 abc 12345 abc 1.5 亿",
    "黑瞎子岛 门票 多少钱 门票 𠀀 㐀 é",
    "在",
    "",
    "zzz 复 zzz",
]


def test_a_query_has_the_features_a_batch_of_it_has():
    # The query's keys are made in Python (bot.engine._query); counted, they must be the
    # batch encoding's, words included, or its weights would differ from the build's.
    from collections import Counter

    from bot.engine.index import Index
    from bot.text.words import Words

    index = Index(
        [["复工复产 专窗 在哪里", "app 下载 12345"], ["营业执照 怎么 办理"]], words=Words()
    )
    for text in QUERIES:
        query = index.query(text)
        keys, _ = index.alphabet.encode([text]).keys(index.bits)
        words = index.vocabulary.keys([text], index.bits)[0]  # type: ignore[union-attr]
        counted = Counter(keys.tolist() + words.tolist())
        expected = index.columns_of(np.array(sorted(counted), dtype=np.int64))
        assert query.columns.tolist() == expected[expected >= 0].tolist(), text
        assert len(query.units) == len(index.alphabet.encode([text]).units)


def test_a_build_splits_many_texts_into_the_words_each_gives_alone():
    from bot.text.words import Words

    words = Words(["办事不求人", "黑瞎子岛"])
    texts = [
        "营业执照怎么办理",
        "",
        "办事不求人 黑瞎子岛门票 办事不求人好",
        "app 12345",
        "岛",
        "复工\n专窗",
    ]
    runs, sequence = words.split_all(texts)
    found: list[list[str]] = [[]]
    for number in sequence:
        found[-1].extend(runs[number]) if number >= 0 else found.append([])
    assert found[:-1] == [words(text, keep=False) for text in texts]
    assert words.split_all([]) == ([], [])
    # In chunks, runs seen in an earlier chunk are numbered as then and not given again.
    known = {"\n": -1}
    runs, _ = words.split_all(texts[:3], known)
    more, sequence = words.split_all(texts[2:], known)
    assert len(more) < len(words.split_all(texts[2:])[0])  # the third text's runs: not again
    found = [[]]
    for number in sequence:
        found[-1].extend((runs + more)[number]) if number >= 0 else found.append([])
    assert found[:-1] == [words(text, keep=False) for text in texts[2:]]


def test_a_small_index_pickled_and_loaded_searches_the_same():
    # The engine cache pickles indexes; a small one's per-feature slices are left out of the
    # file and cut again on loading, and its lookup table starts empty.
    import pickle

    from bot.engine.index import Index
    from bot.text.words import Words

    texts = [["营业执照 怎么 办理", "执照 去哪办"], ["复工复产 专窗 在哪里"], ["社保 在哪 交"]]
    index = Index(texts, words=Words())
    index.search("营业执照在哪办")
    loaded = pickle.loads(pickle.dumps(index))
    assert loaded.both is not None and loaded.both.gather
    assert "_looked_up" not in loaded.__dict__
    for text in ("营业执照在哪办", "复工 窗口", "社保"):
        assert loaded.search(text) == index.search(text)


def test_a_loaded_alphabet_tells_the_sounds_of_its_units_as_pypinyin_does():
    # An engine from the cache answers without importing pypinyin: its alphabet's units' sounds
    # are known (bot.engine.features._HEARD), and must be exactly what `sound` works out.
    import pickle

    from bot.engine import features

    alphabet, _ = features.Alphabet.learn(["复工复产 专窗 在哪里", "app 下载 12345 长 重 行"])
    features._HEARD.clear()
    pickle.loads(pickle.dumps(alphabet))
    assert set(features._HEARD) >= set("复工产专窗在哪里下载长重行")
    known = dict(features._HEARD)
    features._HEARD.clear()  # worked out by pypinyin again
    assert all(features.sound.__wrapped__(unit) == heard for unit, heard in known.items())


def test_lines_pick_the_texts_a_search_reads():
    from bot.engine._arrays import _Lines

    texts = ["fu gong", "", "chuang kou", "复工复产"]
    lines = _Lines(texts)
    assert lines.picked([3, 0, 1, 3]) == [texts[3], texts[0], texts[1], texts[3]]
    assert lines.picked([]) == [] and [lines[n] for n in range(4)] == texts
    # A run of rows (an entry's), with or without a newline inside a text.
    for made in (texts, ["a\nb", "c", ""]):
        each = _Lines(made)
        runs = [
            (first, last) for first in range(len(made) + 1) for last in range(first, len(made) + 1)
        ]
        assert all(each.run(a, b) == made[a:b] == each[a:b] for a, b in runs)


def test_a_left_out_question_is_compared_with_every_other_as_one_by_one(engine):
    # `policybot validate` and a teach's no-harm check compare each indexed question with every
    # other (`every_cosine`, weights worked out once): bitwise the cosines of `cosines`, which
    # works each item out as a search does, so their verdicts are the same either way.
    import pickle

    index = engine.index
    every = np.arange(len(index.texts))
    for row in range(0, len(index.texts), 29):
        query = index.query(index.texts[row])
        assert np.array_equal(
            index.questions.every_cosine(query), index.questions.cosines(every, query)
        )
    assert "_every" not in pickle.loads(pickle.dumps(index.questions)).__dict__
