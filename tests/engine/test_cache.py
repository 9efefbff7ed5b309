"""The engine cache: a large knowledge base starts from its saved engine, never a stale one."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.channels.cli import main
from bot.engine import cache
from bot.engine.cache import EngineCache, build_engine
from bot.engine.core import ANSWERED
from bot.engine.spelled import Spelling
from bot.text.privacy import SaltError, secret_salt
from tests.support.edits import edit

QUESTION = "复工复产去哪个窗口办理"


@pytest.fixture
def cached(monkeypatch):
    """Cache the shipped knowledge although it is small enough to build in a moment."""
    monkeypatch.setattr(cache, "SMALLEST", 0)


def signed(folder):
    return EngineCache(folder, lambda: b"test salt")


def shown(engine) -> dict:
    return {k: v for k, v in engine.answer(QUESTION).to_dict().items() if k != "took_ms"}


def test_the_next_start_loads_the_saved_engine(cached, knowledge_copy, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    first = build_engine(knowledge_copy, signed(folder))
    assert len(list(folder.glob("engine-*.pickle"))) == 1
    monkeypatch.setattr(cache, "load", lambda _: pytest.fail("the YAML was read again"))
    again = build_engine(knowledge_copy, signed(folder))
    assert shown(again) == shown(first) and shown(again)["status"] == ANSWERED


def test_a_server_started_from_the_cache_reads_the_spelling_tables(
    cached, knowledge_copy, tmp_path, monkeypatch
):
    # `Engine.ready` made the pinyin initials' table from every entry's texts: 3.3 s of CPU at
    # 100k entries, for every server's start. The saver makes it once, into the cache.
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, signed(folder))
    monkeypatch.setattr(Spelling, "_make_tables", lambda _: pytest.fail("tables made again"))
    again = build_engine(knowledge_copy, signed(folder))
    again.ready()
    assert again.answer("复工复产 lvse tongdao").status == ANSWERED


def test_a_server_readies_its_engine_before_the_saver_forks(
    cached, knowledge_copy, tmp_path, monkeypatch
):
    # A cold server made the spelling tables twice: in its saver, then in its own `ready`.
    saved = []
    monkeypatch.setattr(
        cache, "save_aside", lambda engine, *_: saved.append(engine.spelling._tables is not None)
    )
    engine = build_engine(knowledge_copy, signed(tmp_path / "cache"), aside=True, ready=True)
    assert saved == [True]
    # Without a cache, readied all the same.
    assert build_engine(knowledge_copy, None, ready=True).spelling._tables is not None
    monkeypatch.setattr(Spelling, "_make_tables", lambda _: pytest.fail("tables made again"))
    engine.ready()


def test_the_saver_makes_the_spelling_tables_before_it_packs_the_entries(
    cached, knowledge_copy, tmp_path, monkeypatch
):
    # Made inside the pickle, beside the packed entries, they raised a 100k saver's peak.
    from bot.knowledge.packed import PackedEntries

    engine = build_engine(knowledge_copy, None)
    engine.spelling._tables = None
    packing = PackedEntries.pack

    def pack(entries):
        assert engine.spelling._tables is not None, "the tables made after the entries packed"
        return packing(entries)

    monkeypatch.setattr(PackedEntries, "pack", pack)
    folder = tmp_path / "cache"
    cache.save(engine, signed(folder), signed(folder).key())
    assert len(list(folder.glob("engine-*.pickle"))) == 1


def test_a_copy_of_the_knowledge_elsewhere_gets_an_engine_of_its_own(
    cached, knowledge_copy, tmp_path
):
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, signed(folder))
    other = shutil.copytree(knowledge_copy, tmp_path / "staging")
    engine = build_engine(other, signed(folder))
    assert engine.knowledge.directory == other
    assert all(other in entry.path.parents for entry in engine.knowledge.entries)


def test_an_edit_builds_a_new_engine_and_replaces_the_old_one(cached, knowledge_copy, tmp_path):
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, signed(folder))
    before = {path.name for path in folder.glob("engine-*")}
    edit(
        knowledge_copy / "faq" / "03-fugong-fuchan.yaml",
        "可到政务服务中心的复工复产专窗",
        "可到复工复产专窗办理",
    )
    engine = build_engine(knowledge_copy, signed(folder))
    after = {path.name for path in folder.glob("engine-*")}
    assert len(after) == 1 and after != before
    assert "可到复工复产专窗办理" in shown(engine)["answer"]


def test_a_damaged_cache_file_is_rebuilt_with_a_warning(cached, knowledge_copy, tmp_path, caplog):
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, signed(folder))
    next(folder.glob("engine-*.pickle")).write_bytes(b"cut short")
    assert shown(build_engine(knowledge_copy, signed(folder)))["status"] == ANSWERED
    assert "unreadable" in caplog.text


def test_a_cache_that_cannot_be_written_costs_only_the_cache(
    cached, knowledge_copy, tmp_path, caplog
):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the folder should be")
    assert shown(build_engine(knowledge_copy, signed(not_a_folder)))["status"] == ANSWERED
    assert "could not save" in caplog.text


def test_small_knowledge_is_built_every_time(knowledge_copy, tmp_path):
    build_engine(knowledge_copy, signed(tmp_path / "cache"))
    assert not (tmp_path / "cache").exists()


class _Payload:
    """A pickle that runs code when loaded: what an attacker would put in the cache folder."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (type(self.marker).touch, (self.marker,))


def test_a_forged_cache_file_is_never_unpickled(cached, knowledge_copy, tmp_path, caplog):
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, signed(folder))
    saved = next(folder.glob("engine-*.pickle"))
    marker = tmp_path / "code-ran"
    forged = pickle.dumps(_Payload(marker))
    # Bare; behind a real file's magic and nonce with a tag of zeros; behind its whole header.
    header = saved.read_bytes()[: len(cache._MAGIC) + cache._NONCE + cache._TAG]
    for contents in (forged, header[: -cache._TAG] + b"\0" * cache._TAG + forged, header + forged):
        saved.write_bytes(contents)
        assert shown(build_engine(knowledge_copy, signed(folder)))["status"] == ANSWERED
        assert not marker.exists()
    assert "unreadable" in caplog.text
    # Signed with another salt: not trusted either.
    build_engine(knowledge_copy, EngineCache(folder, lambda: b"another salt"))
    assert "unreadable" in caplog.text


def test_a_cache_file_changed_anywhere_is_not_loaded(cached, knowledge_copy, tmp_path, caplog):
    """The signature covers the arrays as well as the pickle: a changed index array could send
    a C kernel out of bounds."""
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, signed(folder))
    saved = next(folder.glob("engine-*.pickle"))
    original = saved.read_bytes()
    for place in (len(cache._MAGIC), len(cache._MAGIC) + cache._NONCE, len(original) // 2, -1):
        changed = bytearray(original)
        changed[place] ^= 1
        saved.write_bytes(bytes(changed))
        caplog.clear()
        assert shown(build_engine(knowledge_copy, signed(folder)))["status"] == ANSWERED
        assert "signature does not match" in caplog.text
        saved.write_bytes(original)


def test_a_file_of_the_previous_format_is_rebuilt_never_misread(
    cached, knowledge_copy, tmp_path, caplog
):
    """Format 4 kept the table of arrays before the pickle, 5 after it: a file named as this
    code's with 4's magic, its signature valid, is never read as 5."""
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, signed(folder))
    saved = next(folder.glob("engine-*.pickle"))
    assert cache._MAGIC == b"policybot-engine-5\n"
    saved.write_bytes(b"policybot-engine-4\n" + saved.read_bytes()[len(cache._MAGIC) :])
    assert shown(build_engine(knowledge_copy, signed(folder)))["status"] == ANSWERED
    assert "not a cache file of this format" in caplog.text
    assert saved.read_bytes().startswith(cache._MAGIC)  # saved anew


# Builds and saves the engine of a knowledge folder and prints what the file holds after its
# header (magic, random nonce, tag).
_SAVE = """
import sys
import time
from pathlib import Path
from bot.engine import cache
cache.SMALLEST = 0
folder = Path(sys.argv[2])
cache.build_engine(Path(sys.argv[1]), cache.EngineCache(folder, lambda: b"test salt"))
saved = next(folder.glob("engine-*.pickle")).read_bytes()
sys.stdout.write(saved[len(cache._MAGIC) + cache._NONCE + cache._TAG :].hex())
"""


@pytest.mark.slow
def test_two_saves_of_the_same_engine_are_the_same_bytes(knowledge_copy, tmp_path):
    """Whatever the processes' string hashing (PYTHONHASHSEED): no set or dict order of one
    process in the file, so a cache can be checked byte for byte."""
    saved = []
    for seed in ("1", "2"):
        folder = tmp_path / f"cache-{seed}"
        done = subprocess.run(
            [sys.executable, "-c", _SAVE, str(knowledge_copy), str(folder)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        saved.append(done.stdout)
    assert saved[0] and saved[0] == saved[1]


def test_the_pickle_is_read_from_the_mapping_in_place(tmp_path):
    """The unpickler reads the file's pickle through a reader over the mapping (no copy of it
    first); lines too, which only protocol 0's opcodes read."""
    import mmap

    value = {"问题": ["复工复产", 3, 4.5], "none": None}
    for protocol in (0, 5):
        path = tmp_path / f"p{protocol}"
        path.write_bytes(b"head" + pickle.dumps(value, protocol=protocol) + b"tail")
        with path.open("rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        reader = cache._Reader(data, 4, len(data) - 4)
        assert pickle.Unpickler(reader).load() == value
        assert reader.read() == b"" and reader.readline() == b""


def test_the_cache_folder_and_files_are_private(cached, knowledge_copy, tmp_path):
    folder = tmp_path / "cache"
    build_engine(knowledge_copy, signed(folder))
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o600}


def test_an_empty_salt_file_is_an_error(cached, knowledge_copy, tmp_path, capsys):
    db = tmp_path / "data" / "log.sqlite3"
    db.parent.mkdir()
    salt = db.with_name(db.name + ".salt")
    salt.write_text("\n")
    with pytest.raises(SaltError):
        secret_salt(db)
    with pytest.raises(SaltError):
        build_engine(knowledge_copy, EngineCache.keyed_by_salt(tmp_path / "cache", db, None))
    code = main(["--knowledge", str(knowledge_copy), "--db", str(db), "ask", "--log", "复工"])
    assert code == 2 and "是空的" in capsys.readouterr().err


def test_an_index_comes_back_from_pickle_with_the_same_texts_and_sounds():
    import pickle

    from bot.engine.index import Index

    for entries in ([["复工复产 专窗", ""], ["app 12345"]], [[]]):
        index = Index(entries)
        loaded = pickle.loads(pickle.dumps(index))
        assert (list(loaded.texts), list(loaded.sounds)) == (list(index.texts), list(index.sounds))


def test_the_code_fingerprint_covers_the_knowledge_model_and_text_tools(tmp_path, monkeypatch):
    # A saved engine holds the knowledge's entries and the text tools' objects too: a change to
    # their code must make it rebuilt, not read with the old meaning.
    import bot

    root = tmp_path / "bot"
    shutil.copytree(bot.__path__[0], root, ignore=shutil.ignore_patterns("__pycache__", "channels"))
    monkeypatch.setattr(cache, "__file__", str(root / "engine" / "cache.py"))
    prints = []
    for package in ("knowledge", "text", "engine"):
        cache.code_fingerprint.cache_clear()
        before = cache.code_fingerprint()
        with (root / package / "__init__.py").open("a") as handle:
            handle.write("# changed\n")
        cache.code_fingerprint.cache_clear()
        prints.append(cache.code_fingerprint() != before)
    cache.code_fingerprint.cache_clear()
    assert prints == [True, True, True]


def test_a_saved_engine_reads_its_entries_when_first_needed(cached, knowledge_copy, tmp_path):
    # Making 100k entries was most of a start with the cache (bot.knowledge.packed).
    folder = tmp_path / "cache"
    built = build_engine(knowledge_copy, signed(folder))
    loaded = build_engine(knowledge_copy, signed(folder))
    entries = loaded.knowledge.entries
    assert loaded.entries is entries
    assert entries._made == [None] * len(built.entries)  # none made yet
    assert shown(loaded) == shown(built)
    assert 0 < sum(made is not None for made in entries._made) < len(built.entries)
    assert loaded.knowledge == built.knowledge and entries == built.entries
    entry = built.entries[7]
    assert loaded.knowledge.by_id[entry.id] == entry and loaded.knowledge.in_category(
        entry.category
    ) == built.knowledge.in_category(entry.category)


# Builds the engine of a knowledge folder with its save left to a child (`aside`), noting the
# process that saves, then answers and exits.
_ASIDE = """
import os, sys
from pathlib import Path
from bot.engine import cache
from bot.engine._forked import fork_safe
cache.SMALLEST = 0
saving = cache.save
def noted(*args):
    Path(sys.argv[3]).write_text(str(os.getpid()))
    saving(*args)
cache.save = noted
forks = fork_safe()
engine = cache.build_engine(Path(sys.argv[1]), cache.EngineCache(Path(sys.argv[2]), lambda: b"test salt"), aside=True)
print(engine.answer("复工复产去哪个窗口办理").status, os.getpid(), forks)
"""


def _started_then_saved(script: str, knowledge: Path, folder: Path, saver: Path) -> list[str]:
    """What a start run as `script` printed, once its engine cache is saved (or a minute on)."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(knowledge), str(folder), str(saver)],
        stdout=subprocess.PIPE,  # (closed by the saver at once: no wait for it here)
        text=True,
        check=True,
    )
    deadline = time.monotonic() + 60
    while not list(folder.glob("engine-*.pickle")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return done.stdout.split()


def test_a_start_answers_without_waiting_for_its_engine_to_be_saved(
    cached, knowledge_copy, tmp_path, monkeypatch
):
    folder, saver = tmp_path / "cache", tmp_path / "saver"
    status, pid, forks = _started_then_saved(_ASIDE, knowledge_copy, folder, saver)
    assert status == ANSWERED
    assert (saver.read_text() != pid) == (forks == "True")  # a child saved, where one could
    monkeypatch.setattr(cache, "load", lambda _: pytest.fail("the YAML was read again"))
    assert shown(build_engine(knowledge_copy, signed(folder)))["status"] == ANSWERED


# The same on one core (the affinity as `taskset -c 0` sets it), noting the saver's niceness too.
_ONE_CORE = """
import os, sys
from pathlib import Path
from bot.engine import cache
cache.SMALLEST = 0
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
saving = cache.save
def noted(*args):
    Path(sys.argv[3]).write_text(f"{os.getpid()} {os.nice(0)}")
    saving(*args)
cache.save = noted
engine = cache.build_engine(Path(sys.argv[1]), cache.EngineCache(Path(sys.argv[2]), lambda: b"test salt"), aside=True)
print(engine.answer("复工复产去哪个窗口办理").status, os.getpid(), os.nice(0))
"""


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity to set")
def test_on_one_core_a_start_still_answers_before_its_engine_is_saved(
    cached, knowledge_copy, tmp_path
):
    # On one core the save (~1.6 s of CPU at 100k entries, the spelling tables' 3.3 s besides
    # for `ask`) was made in process before the answer; now by a child beside it, niced so that
    # the bot it shares the core with comes first.
    folder, saver = tmp_path / "cache", tmp_path / "saver"
    status, pid, niceness = _started_then_saved(_ONE_CORE, knowledge_copy, folder, saver)
    assert status == ANSWERED
    saved_by, saved_at = saver.read_text().split()
    assert saved_by != pid
    assert int(saved_at) == min(int(niceness) + cache.SAVER_NICENESS, 19)


_KILLED = """
import os, sys
from pathlib import Path
from bot.engine import cache
cache.SMALLEST = 0
cache.os.replace = lambda *_: os._exit(9)  # the saver killed with its file written, not renamed
cache.build_engine(Path(sys.argv[1]), cache.EngineCache(Path(sys.argv[2]), lambda: b"test salt"))
"""


def test_a_saver_killed_midway_leaves_a_part_file_never_read_and_later_removed(
    cached, knowledge_copy, tmp_path, caplog
):
    folder = tmp_path / "cache"
    killed = subprocess.run([sys.executable, "-c", _KILLED, str(knowledge_copy), str(folder)])
    assert killed.returncode == 9
    [left] = folder.iterdir()
    assert left.suffix == ".part"
    os.utime(left, (time.time() - cache.STALE - 1,) * 2)
    writing = folder / "tmp-another-saver.part"  # recent: its saver may still be at work
    writing.write_bytes(b"")
    assert shown(build_engine(knowledge_copy, signed(folder)))["status"] == ANSWERED
    assert "unreadable" not in caplog.text  # built anew, the part file never read
    assert {path.suffix for path in folder.iterdir()} == {".pickle", ".part"}
    assert not left.exists() and writing.exists()
