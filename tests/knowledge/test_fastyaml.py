"""Large knowledge files read fast for serving: the same data as the line-aware loader, or the
line-aware loader itself wherever the two parsers could disagree, and every problem still at
its line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import shutil
import subprocess
import sys

import pytest
import yaml

from bot.knowledge import fastyaml
from bot.knowledge.bulk import paused_gc
from bot.knowledge.fastyaml import read_fast
from bot.knowledge.model import KnowledgeError, check, load
from bot.knowledge.yamlfile import LineDict, LineList
from tests.support.paths import KNOWLEDGE


@pytest.fixture
def every_file_fast(monkeypatch):
    """Every file counts as large, so the shipped knowledge goes through the fast reader."""
    monkeypatch.setattr(fastyaml, "FAST_FROM", 0)


def without_lines(entry):
    return dataclasses.replace(entry, line=0, question_lines=(), answer_line=0)


def test_plain_files_read_fast_give_what_pyyaml_gives(every_file_fast):
    for path in sorted(KNOWLEDGE.glob("faq/*.yaml")):
        data = path.read_bytes()
        fast = read_fast(data)
        if fast is None:  # a date, a number or an alias: the line-aware loader reads it
            continue
        assert fast == yaml.safe_load(data), path
        assert isinstance(fast, LineDict) and isinstance(fast["entries"], LineList)


@pytest.mark.parametrize(
    "value",
    ["yes", "on", "No", "010", "0x1f", "1e3", "9:30", "2026-01-01", "1_000", "<<", "1.5", "true"],
)
def test_values_yaml_versions_read_differently_go_to_the_line_aware_loader(every_file_fast, value):
    # PyYAML (YAML 1.1) and yaml-rs (YAML 1.2) may read these plain values differently.
    assert (
        read_fast(f"category: 合成\nentries:\n  - id: a\n    question: {value}\n".encode()) is None
    )
    assert read_fast(f"category: 合成\n{value}: x\n".encode()) is None


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [b]\nc: *x\n",  # aliases: the line-aware loader bounds their expansion
        "a: 1\na: 2\n",  # a duplicate key: reported with its line
        "- a\n- b\n",  # not a mapping
        "a: b\n---\nc: d\n",  # two documents
        "a: [b\n",  # broken
        "a: 1\n",  # a number
    ],
)
def test_anything_but_plain_text_goes_to_the_line_aware_loader(every_file_fast, text):
    assert read_fast(text.encode()) is None


def test_text_past_ascii_needs_no_check(every_file_fast):
    """`_plain` skips the check for text at or above `_PAST_ASCII`: sound only while every first
    character PyYAML resolves by is ASCII."""
    assert max(fastyaml._IMPLICIT) < fastyaml._PAST_ASCII
    text = "question: 是\nsimilar: [ｙｅｓ, 〇一〇, Ｎｏ, 是]\nsource: {quote: ｏｎ}\n"
    assert read_fast(text.encode()) == yaml.safe_load(text)
    assert read_fast(b"similar: [x, yes]\n") is None and read_fast(b"a: {b: on}\n") is None


def test_small_files_keep_their_lines():
    assert read_fast(b"category: x\n") is None


def test_serving_load_reads_fast_and_gives_the_same_knowledge(every_file_fast):
    exact, fast = load(KNOWLEDGE), load(KNOWLEDGE, lines=False)
    assert [without_lines(e) for e in fast.entries] == [without_lines(e) for e in exact.entries]
    assert fast.documents == exact.documents and fast.version == exact.version
    assert any(entry.line == 0 for entry in fast.entries)  # some file was read fast


def test_a_problem_in_a_file_read_fast_is_reported_at_its_line(every_file_fast, tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    path = knowledge / "faq" / "01-banshi-buqiuren.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith("question:"))
    lines.insert(at + 1, "    colour: 红")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_fast(path.read_bytes()) is not None  # the unknown field parses fine
    with pytest.raises(KnowledgeError) as failed:
        load(knowledge, lines=False)
    [problem] = [p for p in failed.value.problems if "colour" in p.message]
    assert (problem.path, problem.line) == (path, at + 2)
    _, exact = check(knowledge)
    assert [p for p in exact if "colour" in p.message] == [problem]


def test_the_collector_is_paused_and_always_resumed():
    assert gc.isenabled()
    with pytest.raises(ValueError), paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            pass
        assert not gc.isenabled()  # an inner block leaves it to the outer one
        raise ValueError
    assert gc.isenabled()


# In a process of its own: a server test before may have frozen this one's heap.
_GENERATIONS = """
import gc
from bot.knowledge.bulk import paused_gc
with paused_gc():
    made = [[n] for n in range(1000)]
assert any(item is made for item in gc.get_objects(generation=2))
assert not any(item is made for item in gc.get_objects(generation=0))
frozen = [["settled"]]
gc.freeze()
with paused_gc():
    made = [[n] for n in range(1000)]
assert gc.get_freeze_count() and not any(item is frozen for item in gc.get_objects())
"""


def test_what_a_paused_block_made_is_left_in_the_oldest_generation():
    """So that the first collection after a large build does not scan all of it (bot.knowledge.
    bulk); where something is frozen (a server's settled heap), it stays frozen."""
    subprocess.run([sys.executable, "-c", _GENERATIONS], check=True)


def test_a_load_leaves_the_collector_on():
    load(KNOWLEDGE, lines=False)
    assert gc.isenabled()


def test_freed_memory_is_given_back_where_the_c_library_can(monkeypatch):
    import ctypes

    from bot.knowledge.bulk import give_back

    give_back()  # glibc here: malloc_trim runs

    def cannot_load(_):
        raise OSError("no such library")

    # The symbols cannot be looked up; a C library without malloc_trim (musl).
    for library in (cannot_load, lambda _: object()):
        monkeypatch.setattr(ctypes, "CDLL", library)
        give_back()


ENTRY = "  - id: a{n}\n    question: 问{n}\n    answer: |\n      答{n}\n"


@pytest.mark.parametrize(
    ("review", "fast"),
    [
        ("review_by: 2027-01-31", True),  # PyYAML's date, read fast as that date
        ("review_by: 2027-01-31   # 复核", True),
        ("review_by: 2027-01-31\r", True),  # a file saved with CRLF line ends
        ("review_by: 2027-01-31\n      过后再看", True),  # continued: text in both
        ("review_by: 2027-1-31", False),  # text, which the checks refuse
        ('review_by: "2027-01-31"', False),  # quoted: text, which the checks refuse
        ("review_by: '2027-01-31'", False),
        ("review_by:\n      2027-01-31", False),  # plain, but not on the key's line
        ("review_by: !!str 2027-01-31", False),
        ("review_by: 2027-01-31 10:00:00", False),  # PyYAML's datetime
        ("review_by: 2027-02-30", False),  # PyYAML's error, with its line
        ("review_by: 2027-01-31  # 原为 review_by: 2026-01-31", False),  # a key in a comment
        ('"review_by": 2027-01-31', False),
    ],
)
def test_review_dates_read_fast_only_where_written_plain(every_file_fast, review, fast):
    """Each case after a plain review date, before one, and alone, each also beside an answer
    that quotes a plain review date as text: read fast, a file gives what PyYAML gives (never a
    date where PyYAML reads text), and the `fast` cases are read fast wherever they are."""
    plain = "review_by: 2028-06-30"
    quoting = "    answer: |\n      review_by: 2027-01-31\n"
    for reviews in ([plain, review], [review, plain], [review]):
        text = "category: 合成\nentries:\n" + "".join(
            ENTRY.format(n=n) + f"    {written}\n" for n, written in enumerate(reviews)
        )
        for data in (text, text.replace("    answer: |\n      答0\n", quoting)):
            read = read_fast(data.encode())
            if fast:
                assert read is not None, data
            if read is not None:
                assert read == yaml.safe_load(data), data


def test_a_backslash_anywhere_keeps_review_dates_to_the_line_aware_loader(every_file_fast):
    # An escape can spell a key without its bytes (`"review\x5fby": "2027-01-31"`, text).
    text = 'category: 合成\nentries:\n  - id: a\n    review_by: 2027-01-31\n    answer: "a\\tb"\n'
    assert yaml.safe_load(text)["entries"][0]["review_by"] == dt.date(2027, 1, 31)
    assert read_fast(text.encode()) is None
    assert read_fast(text.replace('"a\\tb"', "ab").encode()) == yaml.safe_load(
        text.replace('"a\\tb"', "ab")
    )


def test_a_large_faq_file_with_review_dates_loads_fast_and_the_same(every_file_fast, tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    path = knowledge / "faq" / "05-shenpi.yaml"
    future, past = dt.date.today() + dt.timedelta(days=30), dt.date.today() - dt.timedelta(1)
    text = path.read_text(encoding="utf-8").replace(
        "    question:", f"    review_by: {future}\n    question:"
    )
    path.write_text(text, encoding="utf-8")
    exact, fast = load(knowledge), load(knowledge, lines=False)
    assert [without_lines(e) for e in fast.entries] == [without_lines(e) for e in exact.entries]
    assert {e.review_by for e in fast.entries if e.path == path} == {future}
    assert all(e.line == 0 for e in fast.entries if e.path == path)  # read fast
    # A date past (a warning) or quoted (an error): reported at its line, as the exact check does.
    for written in (str(past), f'"{future}"'):
        path.write_text(text.replace(str(future), written, 1), encoding="utf-8")
        assert check(knowledge, lines=False)[1] == check(knowledge)[1] != []
