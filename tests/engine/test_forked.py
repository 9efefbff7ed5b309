"""A large build on two cores: what a forked child works out is what this process would."""

from __future__ import annotations

import os
import pickle
import select
import threading
import time

import numpy as np
import pytest

from bot.engine import _forked, _pages, prepared, vocabulary
from bot.engine import index as index_module
from bot.engine.core import Engine
from bot.engine.features import spoken
from bot.engine.index import Index
from bot.engine.vocabulary import Vocabulary
from bot.knowledge.model import Knowledge
from bot.text.synonyms import Synonyms
from bot.text.words import Words


def _prepare(knowledge: Knowledge) -> tuple:
    texts, folded, contexts, pid, here = prepared.prepare(
        knowledge.entries, Synonyms(knowledge.synonyms), os.getpid, os.getpid
    )
    assert here == os.getpid()  # (`meanwhile`: by this process, whether halved or not)
    return texts, folded.split("\n"), contexts, pid


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """Every build from here halved, whatever its size; the children forked, as they come."""
    monkeypatch.setattr(prepared, "HALVED_FROM", 0)
    monkeypatch.setattr(vocabulary, "FORKED_FROM", 0)
    monkeypatch.setattr(index_module, "FORKED_FROM", 0)
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        child = real_fork()
        if child:
            children.append(child)
        return child

    monkeypatch.setattr(_forked.os, "fork", fork)
    # Forking waits for a process of one thread; earlier tests on this worker may leave idle
    # daemon threads (a stand-in's keep-alive handlers, a log writer) that would make these
    # tests build in one process, depending on the order xdist gives them. Threads started
    # from here on still count.
    count, before = threading.active_count, threading.active_count() - 1
    monkeypatch.setattr(_forked.threading, "active_count", lambda: count() - before)
    return children


def test_a_forked_half_prepares_the_texts_as_one_process_does(knowledge, forks):
    synonyms = Synonyms(knowledge.synonyms)
    joined, folded, contexts = prepared._prepared(knowledge.entries, synonyms)
    alone = (joined.split("\n"), folded.split("\n"), contexts)
    *halved, made_by = _prepare(knowledge)
    assert len(forks) == 1  # the second half did come from a child...
    assert made_by == forks[0]  # ...and so did `also`'s result
    assert tuple(halved) == alone
    assert len(alone[0]) == sum(len(e.questions) + len(e.keywords) for e in knowledge.entries)
    assert len(alone[1]) == sum(len(e.questions) for e in knowledge.entries)
    assert len(alone[2]) == len(knowledge.entries)


def test_what_is_first_is_done_here_when_halved_and_only_then(forks):
    # (The segmenter's dictionary, which the words' child forked next shares.)
    done: list[int] = []

    def first() -> None:
        done.append(os.getpid())

    def then() -> None:  # (after this process's part: describing's reads of the entries)
        done.append(-os.getpid())

    assert prepared.halves(lambda start, end: (start, end), 4, 4, list, first, then) == (
        [(0, 2), (2, 4)],
        [],
    )
    assert len(forks) == 1 and done == [os.getpid(), -os.getpid()]
    done.clear()
    forks.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prepared, "HALVED_FROM", 10)  # (4 texts: not halved)
        assert prepared.halves(lambda start, end: (start, end), 4, 4, list, first, then) == (
            [(0, 4)],
            [],
        )
    assert forks == [] and done == [-os.getpid()]  # (what is then: done whether halved or not)


def test_a_half_the_child_fails_to_give_is_worked_out_here(forks):
    parent = os.getpid()

    def work(start: int, end: int) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return list(range(start, end))

    # (This process takes half, rounded to even: 3.5 -> 4.)
    assert prepared.halves(work, 7, 7, os.getpid) == ([[0, 1, 2, 3], [4, 5, 6]], parent)
    assert len(forks) == 1


def test_a_failure_here_is_raised_and_the_child_reaped(forks):
    parent = os.getpid()

    def work(start: int, end: int) -> np.ndarray:
        if os.getpid() == parent:
            raise ValueError("this half fails")
        return np.zeros(1 << 20)  # more than a pipe holds: the child waits on it

    with pytest.raises(ValueError, match="this half fails"):
        prepared.halves(work, 4, 4, list)
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)  # reaped: no child left behind


def test_arrays_a_child_hands_back_hold_numpys_own_data_types(forks):
    # An unpickled dtype is a new object: an index holding one beside NumPy's own would pickle
    # the type twice, and differ from an index built in one process (the engine cache).
    made = _forked.Forked(lambda: [np.zeros(3), np.arange(3, dtype=np.int32)]).result()
    assert made[0].dtype is np.dtype(np.float64) and made[1].dtype is np.dtype(np.int32)
    assert made[1].tolist() == [0, 1, 2] and len(forks) == 1


def test_what_a_child_hands_back_is_writable_and_pickles_as_made_here(forks):
    # (Read into uninitialized memory: every byte must be the child's, and the words' keys
    # are laid out in place once handed back, `Vocabulary.learning`.)
    made = [np.arange(1 << 18, dtype=np.int64), bytearray(b"abc"), np.ones(5, np.float32)]
    handed = _forked.Forked(lambda: made).result()
    assert pickle.dumps(handed, protocol=5) == pickle.dumps(made, protocol=5)
    handed[0] += 1
    assert handed[0][-1] == 1 << 18 and len(forks) == 1


def test_few_texts_are_prepared_in_this_process(monkeypatch):
    def fork() -> int:
        raise AssertionError("forked for a small build")

    monkeypatch.setattr(_forked.os, "fork", fork)
    few = prepared.HALVED_FROM - 1
    assert prepared.halves(lambda start, end: (start, end), 10, few, os.getpid) == (
        [(0, 10)],
        os.getpid(),
    )


def test_no_fork_while_another_thread_runs(forks):
    # A reload builds in a thread while others answer: a child forked then could inherit a lock
    # no thread of its own will release.
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert prepared.halves(lambda start, end: (start, end), 10, 10, list) == ([(0, 10)], [])
    finally:
        release.set()
        other.join()
    assert forks == []


def test_words_learned_by_a_child_are_those_learned_here(forks):
    # 服务中心 is a term: its inner words (服务, 中心) are the term's own strings when first met
    # as such, and must be in the vocabulary as the same strings (they pickle as one).
    texts = ["服务中心 在哪里 办理", "去 服务 窗口", "中心 服务中心 电话", "办理 营业执照"] * 3
    words = Words(["服务中心"])
    here = Vocabulary(words)
    keys, rows = here.keys(texts, 12, grow=True)
    there = Vocabulary(words)
    forked_keys, forked_rows = there.learning(texts, list)(12)
    assert len(forks) == 1
    assert forked_keys.tolist() == keys.tolist() and forked_rows.tolist() == rows.tolist()
    assert list(there.ids.items()) == list(here.ids.items())
    inner = {id(word) for word in words.inside["服务中心"]}
    assert [id(w) in inner for w in there.ids] == [id(w) in inner for w in here.ids]
    assert any(id(w) in inner for w in here.ids)


_QUESTIONS = [["办理 营业执照 要 多久", "去 服务 窗口"], ["hotline 12345 电话"], ["黑瞎子岛 门票"]]
_CONTEXTS = ["营业执照 当天 办结", "", "门票 免费"]


def _index(words: Words | None) -> Index:
    """An index of `_QUESTIONS` (given as copies: an index empties the lists it is given)."""
    return Index([list(questions) for questions in _QUESTIONS], list(_CONTEXTS), words=words)


def _alone(words: Words | None) -> bytes:
    """An index of `_QUESTIONS` built in this process alone, pickled. (Built twice: the first
    index a process builds pickles otherwise, sharing the strings its caches hold then.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "FORKED_FROM", len(_CONTEXTS) * 10)
        patch.setattr(vocabulary, "FORKED_FROM", len(_CONTEXTS) * 10)
        _index(words)
        return pickle.dumps(_index(words))


@pytest.mark.parametrize("words", [None, Words(["服务中心"])])
def test_an_index_weighed_by_a_child_is_the_index_weighed_here(forks, words):
    alone = _alone(words)
    forked = _index(words)
    assert len(forks) == 1 + (words is not None)  # weighed by a child (its words by another)
    texts = [text for questions in _QUESTIONS for text in questions]
    assert list(forked.sounds) == [spoken(text) for text in texts]
    assert forked.search("营业执照 多久")[0][0] == 0
    # The same attributes, in the same order, to the byte: the engine cache pickles them so.
    assert pickle.dumps(forked) == alone


@pytest.mark.parametrize("words", [None, Words(["服务中心"])])
def test_what_a_child_fails_to_weigh_is_weighed_here_from_the_texts(forks, monkeypatch, words):
    alone = _alone(words)

    def fails(result: object, pipe: object) -> None:
        raise RuntimeError("the child fails")

    monkeypatch.setattr(_forked, "_send", fails)  # (the children run it; this process never does)
    assert pickle.dumps(_index(words)) == alone
    assert len(forks) == 1 + (words is not None)


def _rows_seen(index: Index) -> tuple:
    """What work along an index reads of it (its rows), and whether it was weighed by then."""
    return list(index.texts), list(index.sounds), list(index.spans), "questions" in vars(index)


@pytest.mark.parametrize("words", [None, Words(["服务中心"])])
def test_work_along_an_index_reads_its_rows_while_a_child_weighs_it(forks, words):
    alone = _alone(words)
    given = ([list(questions) for questions in _QUESTIONS], list(_CONTEXTS), None, words)
    index, seen = Index.along(_rows_seen, *given)
    assert seen[3] is False  # (done before the child's result was taken: while it weighed)
    assert pickle.dumps(index) == alone
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "FORKED_FROM", len(_CONTEXTS) * 10)
        given = ([list(questions) for questions in _QUESTIONS], list(_CONTEXTS), None, words)
        assert Index.along(_rows_seen, *given)[1] == (*seen[:3], True)  # (here: once built)


def test_an_engine_describes_its_entries_alike_while_its_index_is_weighed(knowledge, forks):
    forked = Engine(knowledge, cache=0)
    assert len(forks) == 4  # (preparing, words, weighing; the passages' index weighed too)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "FORKED_FROM", 10**9)
        alone = Engine(knowledge, cache=0)
    assert forked.descriptions == alone.descriptions


@pytest.mark.parametrize("forked", [False, True])
def test_an_index_lets_go_of_the_texts_it_was_given(monkeypatch, forked):
    # The texts' strings are freed before the grouping (a large build's peak): the lists given
    # are emptied, and nothing the build keeps (the children's fallbacks among it) holds them.
    import sys

    monkeypatch.setattr(vocabulary, "FORKED_FROM", 0 if forked else 10**9)
    monkeypatch.setattr(index_module, "FORKED_FROM", 0 if forked else 10**9)
    question, answer = "".join(["营业执照 怎么 办理", "?"]), "".join(["去 政务 大厅", "。"])
    held = sys.getrefcount(question), sys.getrefcount(answer)
    entries, contexts = [[question, "执照 去哪办"], ["社保 在哪 交"]], [answer, "窗口"]
    index = Index(entries, contexts, words=Words())
    assert entries == contexts == []
    assert (sys.getrefcount(question), sys.getrefcount(answer)) == held
    assert index.texts[0] == question and index.search("营业执照在哪办")[0][0] == 0


def test_each_array_handed_back_is_freed_once_written():
    # The child held all it hands back (234 MB at 100k entries) till the end while this
    # process read it: each array is let go as soon as its bytes are on the pipe.
    import weakref

    handed: list = [(np.arange(1000), {"ones": np.ones(2000)})]
    alive = [weakref.ref(handed[0][0]), weakref.ref(handed[0][1]["ones"])]
    seen: list[list[bool]] = []

    class Pipe:
        def write(self, data: object) -> None:
            seen.append([ref() is not None for ref in alive])

    _forked._send(handed, Pipe())  # type: ignore[arg-type]
    assert handed == [] and seen[-1] == [False, True]  # (the first freed before the last)
    assert [ref() for ref in alive] == [None, None]


@pytest.mark.parametrize("trim", [False, True])
def test_a_child_trims_before_it_hands_back_only_when_asked(forks, monkeypatch, trim):
    # (The weighing child's freed heap, ~200 MB at 100k entries, beside what this process reads.)
    read, write = os.pipe()

    def trimmed() -> None:
        os.write(write, b"trimmed")

    monkeypatch.setattr(_forked, "give_back", trimmed)
    assert _forked.Forked(lambda: 7, trim=trim).result() == 7
    os.write(write, b".")
    assert os.read(read, 64) == (b"trimmed." if trim else b".")
    os.close(read)
    os.close(write)


def test_parts_are_handed_back_each_while_the_next_is_made(forks, monkeypatch):
    # (At 100k entries the question vectors, 109 MB, go while the child weighs the entries.)
    read, write = os.pipe()
    made, making = os.pipe()
    send = _forked._send

    def sent(handed: list, pipe: object) -> None:
        # The first part's writer waits till the second is made (at most 5 s: if the child
        # made it only once the first was sent, it is a second late).
        select.select([made], [], [], 5)
        send(handed, pipe)  # type: ignore[arg-type]
        os.write(write, b"sent ")

    def parts():
        os.write(write, b"made ")
        yield [np.arange(3)]
        os.write(write, b"made ")
        os.write(making, b".")
        yield {"two": 2}

    monkeypatch.setattr(_forked, "_send", sent)
    started = time.monotonic()
    handed = _forked.Forked(parts, parts=True).result()
    assert [handed[0][0].tolist(), handed[1]] == [[0, 1, 2], {"two": 2}]
    assert os.read(read, 64) == b"made made sent sent " and time.monotonic() - started < 4
    for end in (read, write, made, making):
        os.close(end)


def test_a_child_that_fails_after_a_part_has_its_work_done_here(forks):
    def parts():
        yield 1
        raise RuntimeError("the child fails")

    assert _forked.Forked(parts, lambda: [1, 2], parts=True).result() == [1, 2]


@pytest.mark.parametrize("words", [None, Words(["服务中心"])])
def test_an_index_whose_child_fails_after_its_first_part_is_weighed_here(forks, monkeypatch, words):
    alone, send = _alone(words), _forked._send

    def once(handed: list, pipe: object) -> None:
        send(handed, pipe)  # type: ignore[arg-type]
        monkeypatch.setattr(_forked, "_send", None)  # (the second part fails: not callable)

    monkeypatch.setattr(_forked, "_send", once)  # (the children run it; this process never does)
    assert pickle.dumps(_index(words)) == alone


@pytest.mark.skipif(_pages.ADVISE is None, reason="this NumPy has no huge-page switch")
@pytest.mark.parametrize("forked", [False, True])
def test_an_index_is_built_without_numpy_huge_page_advice(monkeypatch, forks, forked):
    # (A 2 MB block a virtual machine handed back to its host costs its faults when first
    # written: bot.engine._pages.) Off while building, whether weighed here or by a child,
    # and as it was once built.
    if not forked:
        monkeypatch.setattr(index_module, "FORKED_FROM", 10**9)
    advise = _pages.ADVISE
    was = advise(True)
    try:
        given = ([list(questions) for questions in _QUESTIONS], list(_CONTEXTS))
        _, during = Index.along(lambda index: advise(False), *given)
        after = advise(True)
    finally:
        advise(was)
    assert (during, after) == (False, True)
    assert len(forks) == forked
