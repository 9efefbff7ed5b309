"""The exchange log's writer: batched off the caller's thread, nothing dropped silently, and
a deleted, read-only or corrupt database noticed, said, and survived."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from bot.log import writer
from bot.log.store import HELPFUL, UNHELPFUL, SQLiteStore
from bot.log.writer import ExchangeLog
from bot.ops.doctor import check_database
from tests.support.paths import KNOWLEDGE, ROOT


def questions(log: ExchangeLog) -> list[str]:
    log.flush()
    return [e.question for e in log.store.exchanges()]


def test_a_lone_surrogate_is_stored_and_held_writes_survive_it(tmp_path, engine, caplog):
    path = tmp_path / "log.sqlite3"
    log = ExchangeLog.open(path, salt="s")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    held = [f"信用修复{n}" for n in range(6)]
    for question in held:
        log.record(engine.answer(question), "chat", "v1")
    log.record(engine.answer("abc\udcff信用修复"), "chat", "v1")  # undecodable terminal input
    assert len(log.unsaved) == 7
    blocker.execute("COMMIT")
    blocker.close()
    assert questions(log) == [*held, "abc\ufffd信用修复"]
    log.close()


def test_flush_waits_for_a_try_begun_after_it(tmp_path, engine, monkeypatch):
    """A try that failed before `flush` was called, but was counted after, is no try of
    flush's: the lone-surrogate and read-only tests above failed now and then under load
    ("database is locked": the lock released, then flush returned on the try made while it
    was held, and the rows were still unsaved)."""
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s", background=True)
    in_flight, failed = threading.Event(), threading.Event()
    real_write = log.store.write

    def locked_once(rows):
        if not in_flight.is_set():
            in_flight.set()
            failed.wait()  # the try fails as the lock is released: flush is called then
            raise sqlite3.OperationalError("database is locked")
        real_write(rows)

    monkeypatch.setattr(log.store, "write", locked_once)
    log.record(engine.answer("信用修复"), "web", "v1")
    in_flight.wait()
    threading.Timer(0.1, failed.set).start()
    log.flush()
    assert not log.unsaved
    assert [e.question for e in log.store.exchanges()] == ["信用修复"]
    log.close()


def test_a_write_that_can_never_be_stored_is_dropped_alone_and_said(
    tmp_path, engine, caplog, monkeypatch
):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s", background=True)
    real = writer.redact

    def poisoned(text):
        if "毒" in text:
            raise ValueError("cannot redact")
        return real(text)

    monkeypatch.setattr(writer, "redact", poisoned)
    for question in ("信用修复", "毒", "绿色通道"):
        log.record(engine.answer(question), "chat", "v1")
    assert questions(log) == ["信用修复", "绿色通道"]
    assert "could not be stored and was let go" in caplog.text
    log.close()


@pytest.mark.slow
@pytest.mark.parametrize("ask", [["ask", "--log", "abc\udcff"], ["ask", "--jsonl", "--log"]])
def test_ask_log_takes_invalid_utf8(tmp_path, ask):
    db = tmp_path / "log.sqlite3"
    command = [sys.executable, "-m", "bot", "--knowledge", str(KNOWLEDGE), "--db", str(db), *ask]
    result = subprocess.run(
        [os.fsencode(part.encode("utf-8", "surrogateescape")) for part in command],
        cwd=ROOT,
        input=b"\xe4\xbf\xa1\xe7\x94\xa8\xe4\xbf\xae\xe5\xa4\x8d\xff\xfe\n",
        capture_output=True,
        env={**os.environ, "POLICYBOT_SALT": "s"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    (stored,) = SQLiteStore(db).exchanges()
    assert "\ufffd" in stored.question


def counted_transactions(log: ExchangeLog, monkeypatch) -> list[int]:
    """The size of each transaction the log's store writes from now on."""
    transactions: list[int] = []
    real_write = log.store.write

    def counted(rows):
        transactions.append(len(rows))
        real_write(rows)

    monkeypatch.setattr(log.store, "write", counted)
    return transactions


def test_background_writes_return_at_once_and_commit_in_batches(tmp_path, engine, monkeypatch):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s", background=True)
    transactions = counted_transactions(log, monkeypatch)
    answer = engine.answer("信用修复")
    started = time.perf_counter()
    for n in range(1000):
        log.record(answer, "telegram", "v1", "private", n)
    handed_over = time.perf_counter() - started
    log.flush()
    assert len(list(log.store.exchanges())) == 1000
    print(f"1000 records handed over in {handed_over * 1000:.1f} ms, {len(transactions)} commits")
    assert max(transactions) <= writer.BATCH and len(transactions) < 500
    log.close()


def test_background_rows_arriving_apart_share_a_transaction(tmp_path, engine, monkeypatch):
    """A server's answers come a few milliseconds apart: the writer gathers them for
    `linger` seconds after the first instead of committing each alone."""
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s", background=True)
    log.linger = 0.5
    transactions = counted_transactions(log, monkeypatch)
    answer = engine.answer("信用修复")
    for n in range(5):
        log.record(answer, "web", "v1", "private", n)
        time.sleep(0.01)
    log.flush()
    assert transactions == [5]
    log.close()


def test_one_vote_per_user_per_answer_the_last_one_counts(tmp_path):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    for kind in (HELPFUL, UNHELPFUL, HELPFUL, UNHELPFUL):
        log.feedback("ex1", kind, "entry", "telegram", 1)
    log.feedback("ex1", HELPFUL, "entry", "telegram", 2)
    log.feedback(None, HELPFUL, "entry", "telegram", 1)  # a browsed answer: its own vote
    votes = sorted((f.exchange_id or "", f.kind) for f in log.store.feedback())
    assert votes == [("", HELPFUL), ("ex1", HELPFUL), ("ex1", UNHELPFUL)]
    log.close()


def test_the_database_and_its_wal_files_are_the_owners_only(tmp_path, engine):
    path = tmp_path / "log.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)  # made by something else, too open
    log = ExchangeLog.open(path, salt="s")
    log.record(engine.answer("信用修复"), "chat", "v1")
    files = [path, path.with_name("log.sqlite3-wal"), path.with_name("log.sqlite3-shm")]
    assert {oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {"0o600"}
    log.close()


def test_a_deleted_database_is_noticed_and_begun_anew(tmp_path, engine, caplog):
    path = tmp_path / "log.sqlite3"
    log = ExchangeLog.open(path, salt="s", background=True)
    log.record(engine.answer("信用修复"), "chat", "v1")
    log.flush()
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    log.record(engine.answer("绿色通道"), "chat", "v1")
    log.flush()
    assert "deleted or replaced" in caplog.text
    assert [e.question for e in SQLiteStore(path).exchanges()] == ["绿色通道"]
    log.close()


def test_a_corrupt_database_is_moved_aside_and_the_log_goes_on(tmp_path, engine, caplog):
    path = tmp_path / "log.sqlite3"
    path.write_bytes(b"this is not a database, just a damaged header" * 100)
    log = ExchangeLog.open(path, salt="s")
    log.record(engine.answer("信用修复"), "chat", "v1")
    assert questions(log) == ["信用修复"]
    (aside,) = tmp_path.glob("log.sqlite3.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not a database")
    assert "is corrupt" in caplog.text
    log.close()


@contextmanager
def read_only(path):
    """The file made read-only, for root too (root ignores permission bits)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        path.chmod(0o600)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("cannot make a file read-only for root here (no chattr +i)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_database_is_said_held_and_written_when_it_can_be(tmp_path, engine, caplog):
    path = tmp_path / "log.sqlite3"
    ExchangeLog.open(path, salt="s").close()
    with read_only(path):
        finding = check_database(path)
        assert not finding.ok and "不可写" in finding.detail, finding
        log = ExchangeLog.open(path, salt="s")
        log.record(engine.answer("信用修复"), "chat", "v1")  # answered all the same
        assert log.unsaved and "readonly" in caplog.text
    assert questions(log) == ["信用修复"]  # writable again: the held write goes in
    log.close()


def test_doctor_reports_a_corrupt_database(tmp_path):
    path = tmp_path / "log.sqlite3"
    path.write_bytes(b"not a database" * 300)
    finding = check_database(path)
    assert not finding.ok and "可写" not in finding.detail


def test_timestamps_made_in_the_writer_read_as_the_log_s_own():
    stamps = writer.Stamps()
    moments = [1795734000.0, 1795734000.0004999, 1795734000.9995, 1795734000.9999996]
    moments += [1795734000 + n * 0.0137 for n in range(2000)]  # many in one second, then the next
    for at in moments:
        expected = dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="milliseconds")
        assert stamps(at) == expected


def test_exchange_ids_are_distinct_hex_as_before(tmp_path, engine):
    ids = writer.Ids()
    made = [ids() for _ in range(3000)]  # several draws of the pool
    assert len(set(made)) == 3000 and all(re.fullmatch(r"[0-9a-f]{12}", i) for i in made)


def test_a_user_s_pseudonym_is_the_same_remembered_or_not(tmp_path, engine, monkeypatch):
    monkeypatch.setattr(writer, "KEYS_KEPT", 2)  # forgotten and made again along the way
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    users = [1001, 1002, 1001, 1003, 1001, "session:x", None]
    for user in users:
        log.record(engine.answer("信用修复"), "telegram", "v1", "private", user)
    log.flush()
    keys = [e.user_key for e in log.store.exchanges()]
    assert keys == [log.users.key("telegram", user) for user in users]
    log.close()
