"""The index's own machinery, on small inputs whose right answer is plain to see."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.engine import _arrays, _weighing
from bot.engine._arrays import _best, _Questions
from tests.support.keys import whole_keys


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


def _tied(rng: np.random.Generator, kind: str, size: int) -> np.ndarray:
    """Cosines-like values, with ties across any cut (a rounded spread, a few nonzero among
    zeros) or none (a spread)."""
    values = rng.random(size)
    if kind == "rounded":
        return np.round(values, 2)
    if kind == "mostly zero":
        return np.where(rng.random(size) < 0.001, values, 0.0)
    if kind == "float32":
        return (values**8).astype(np.float32)
    return values


@pytest.mark.parametrize("kind", ["spread", "rounded", "mostly zero", "float32"])
def test_the_best_few_are_the_largest_and_the_first_of_those_tied(kind):
    """`_best` sorts a few values, cuts more at the k-th and narrows a large index's first:
    each way the `count` largest, of values tied at the cut the lowest positions (what a
    stable sort of all of them puts first)."""
    rng = np.random.default_rng(7)
    for size in [
        *rng.integers(2, 1025, 20),
        *rng.integers(1025, 8192, 20),
        *rng.integers(8192, 30000, 20),
    ]:
        count = int(rng.integers(1, min(20, size) + 1))
        values = _tied(rng, kind, int(size))
        expected = (-values).argsort(kind="stable")[:count]
        assert sorted(_best(values, count).tolist()) == sorted(expected.tolist())


_TIES_PICKED = """
import numpy as np
from bot.engine._arrays import _best
rng = np.random.default_rng(3)
for size in (67, 900, 5000, 20000, 100000):
    values = np.round(rng.random(size) ** 4, 2)  # many equal values at any cut
    print(sorted(_best(values, 12).tolist()))
"""


@pytest.mark.skipif(
    "avx512f" not in Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else True,
    reason="the CPU has no AVX-512: NumPy takes one SIMD path only",
)
def test_the_pick_among_ties_is_the_same_on_every_simd_path():
    """NumPy's partitions keep different ones of tied values with AVX-512 and without (the
    same knowledge ranked otherwise on another CPU): `_best` must not."""
    picked = [
        subprocess.run(
            [sys.executable, "-c", _TIES_PICKED],
            env={**os.environ, **extra},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for extra in ({}, {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL"})
    ]
    assert picked[0] == picked[1] and picked[0].count("\n") == 5


@pytest.mark.slow
def test_every_product_ranks_as_the_slices_do(monkeypatch):
    # Small indexes search entries and questions in one pass, large ones take SciPy's float32
    # product; forced here on the shipped knowledge, every dev question gets the same decision
    # and top-5 as on the slices' path: with the very same scores from the small index (the
    # same sums in the same order), within float32's precision from SciPy.
    from bot.engine import _arrays
    from bot.engine.core import Engine
    from bot.engine.evaluation import load_cases
    from bot.knowledge.model import load
    from tests.support.paths import KNOWLEDGE

    knowledge = load(KNOWLEDGE)
    questions = [case.question for case in load_cases(KNOWLEDGE / "eval" / "dev.yaml")]
    dense = Engine(knowledge, cache=0)
    monkeypatch.setattr(_arrays, "DENSE_CELLS", 0)
    monkeypatch.setattr(_weighing, "DENSE_CELLS", 0)
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
    keys, rows = whole_keys(encoded, alphabet.bits)
    # Made from the end, the batch is cut behind each block and emptied.
    assert [len(part) for part in (encoded.units, encoded.text, encoded.boost)] == [0, 0, 0]
    blocks = _arrays._blocks
    monkeypatch.setattr(features, "_blocks", lambda size, step=1: blocks(size, 3))
    found = whole_keys(alphabet.encode(texts), alphabet.bits)
    assert found[0].tobytes() == keys.tobytes() and found[1].tobytes() == rows.tobytes()
    # Split into the grouping's digits (any width), with room left after them.
    texts_of, low, high = alphabet.encode(texts).keys(alphabet.bits, 5, room=4)
    assert len(texts_of) == len(low) == len(high) == len(keys) + 4
    assert (high[:-4].astype(np.int64) << 5 | low[:-4]).tolist() == keys.tolist()
    assert texts_of[:-4].tolist() == rows.tolist() and low.dtype == high.dtype == np.int32
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
    sounds = list(alphabet.spoken(*encoded.sounding(encoded.texts)))
    monkeypatch.setattr(features, "_TEXTS_AT_ONCE", 2)
    chunked = Vocabulary(Words())
    keys, rows = chunked.keys(texts, 20, grow=True)
    assert chunked.ids == whole.ids
    assert (
        list(alphabet.spoken(*encoded.sounding(encoded.texts)))
        == sounds
        == [features.spoken(text) for text in texts]
    )
    assert keys.tolist() == expected[0].tolist() and rows.tolist() == expected[1].tolist()
    # A query's unknown words get ids past the vocabulary's end, the same word the same id.
    query, _ = chunked.keys(["黑瞎子岛黑瞎子岛"], 20)  # 瞎子, 黑瞎子, twice
    ids = (query & (1 << 40) - 1).tolist()
    assert min(ids) >= len(chunked.ids) and ids[:2] == ids[2:] and ids[0] != ids[1]


@pytest.mark.parametrize("at_once", [1, 2, 3, 50_000])
def test_sounds_are_laid_out_as_lines_of_each_texts_sounds(monkeypatch, at_once):
    # Written as one text's bytes, not a string per text: texts without units (a newline
    # alone, wherever they fall in a chunk) and sounds beyond ASCII (a stranger sounds as it
    # is written) too, and pickled as `_Lines` of the strings pickles.
    import pickle

    from bot.engine import features
    from bot.engine._arrays import _Lines

    texts = ["", "营业执照 怎么 办理", "", "", "ω 签证", "app 12345", "", "社保", ""]
    alphabet, encoded = features.Alphabet.learn(texts)
    monkeypatch.setattr(features, "_SPOKEN_AT_ONCE", at_once)
    sounds = alphabet.spoken(*encoded.sounding(encoded.texts))
    expected = _Lines([features.spoken(text) for text in texts])
    assert list(sounds) == list(expected) and sounds[4] == features.spoken("ω 签证")
    assert pickle.dumps(sounds) == pickle.dumps(expected)
    none = alphabet.spoken(*encoded.sounding(0))
    assert pickle.dumps(none) == pickle.dumps(_Lines([]))


def test_sounds_hold_little_beside_their_lines(monkeypatch):
    # A large build makes its questions' sounds beside the weighing child's keys, the machine's
    # peak: the bytes and the string they become, not a newline mask as long as both, nor a
    # chunk's int64 temporaries per byte (`_SPOKEN_AT_ONCE` texts at a time).
    import tracemalloc

    from bot.engine import features

    texts = [f"营业执照 怎么 办理 {n % 10} 号 社保 在哪里 办" for n in range(20_000)]
    alphabet, encoded = features.Alphabet.learn(texts)
    sounding = encoded.sounding(encoded.texts)
    monkeypatch.setattr(features, "_SPOKEN_AT_ONCE", 500)
    tracemalloc.start()
    try:
        sounds = alphabet.spoken(*sounding)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert list(sounds) == [features.spoken(text) for text in texts]
    assert peak < 3 * len(sounds.joined)  # (the bytes, the string, where each line ends)


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

    from bot.engine._arrays import _position
    from bot.engine.index import Index
    from bot.text.words import Words

    index = Index(
        [["复工复产 专窗 在哪里", "app 下载 12345"], ["营业执照 怎么 办理"]], words=Words()
    )
    for text in QUERIES:
        query = index.query(text)
        keys, _ = whole_keys(index.alphabet.encode([text]), index.bits)
        words = index.vocabulary.keys([text], index.bits)[0]  # type: ignore[union-attr]
        counted = Counter(keys.tolist() + words.tolist())
        expected = _position(index.columns, np.array(sorted(counted), dtype=np.int64))
        assert query.columns.tolist() == expected[expected >= 0].tolist(), text
        assert len(query.units) == len(index.alphabet.encode([text]).units)


def test_a_lookup_gives_what_the_index_arrays_give():
    # `look_up` works out a new key's column, IDF and scale in Python: they must be the very
    # numbers of the arrays the build weighs with, for known, unknown, generic keys and -1 (no
    # sound pair), or a query would weigh otherwise than its batch (bench/rankings.py).
    from bot.engine._arrays import _position
    from bot.engine.index import Index
    from bot.text.words import Words

    index = Index(
        [["复工复产 专窗 在哪里", "app 下载 12345"], ["营业执照 怎么 办理"]], words=Words()
    )
    keys = [*sorted({key for text in QUERIES for key in index.query(text).keys}), -1]
    probes = np.array(keys, dtype=np.int64)
    columns = _position(index.columns, probes)
    idf = np.where(columns >= 0, index.idf[columns], index.unseen_idf)
    expected = list(zip(columns.tolist(), idf.tolist(), index.scale(probes).tolist(), strict=True))
    assert -1 in columns.tolist() and (columns >= 0).any()
    assert index.look_up(keys) == expected
    assert index.look_up(keys[::-1]) == expected[::-1]  # (from the table, now)


def test_a_small_index_tells_what_entries_leave_unexplained_as_a_large_one(monkeypatch):
    # A small index answers `unexplained` from a full matrix laid out feature by feature (a
    # probe's cells for the shortlist side by side), a large one from each entry's sorted
    # columns: the same shares, bitwise, for units every entry, some or none uses (-1 probes
    # land on the matrix's last row, the first entry's included).
    from bot.engine.index import Index
    from bot.text.words import Words

    texts = [["复工复产 专窗 在哪里", "app 下载 12345"], ["营业执照 怎么 办理"], ["社保 在哪里 办"]]
    small = Index([list(entry) for entry in texts], words=Words())  # (a build empties them)
    monkeypatch.setattr(_weighing, "DENSE_CELLS", 0)
    large = Index(texts, words=Words())
    assert small.unused is not None and large.unused is None
    assert small.unused.shape == (len(small.columns) + 1, 3)
    assert small.unused[-1].all()
    entries, probed = np.array([2, 0, 1, 0]), []
    for text in [*QUERIES, "营业执照 在哪里 没听说过的词"]:
        query = small.query(text)
        probed += query.probes.tolist()
        shares = small.unexplained(entries, query)
        assert shares.tobytes() == large.unexplained(entries, large.query(text)).tobytes()
    assert -1 in probed and max(probed) >= 0


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
    assert "_looked_up" not in loaded.__dict__ and "_queries" not in loaded.__dict__
    for text in ("营业执照在哪办", "复工 窗口", "社保"):
        assert loaded.search(text) == index.search(text)


def test_a_query_asked_again_is_the_one_made_before():
    # A part of a message is often one of its clauses, searched already (bot.engine.parts).
    from bot.engine.index import QUERIES_KEPT, Index
    from bot.text.words import Words

    index = Index([["营业执照 怎么 办理", "执照 去哪办"], ["社保 在哪 交"]], words=Words())
    query = index.query("营业执照 在哪 办")
    hits = index.search(query)
    assert index.query("营业执照 在哪 办") is query and index.search("营业执照 在哪 办") == hits
    for n in range(QUERIES_KEPT):
        index.query(f"社保 {n}")
    assert index.query("营业执照 在哪 办") is not query  # kept up to a bound


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
