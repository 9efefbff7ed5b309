"""The exchange log on a real SQLite file: schema, contents, retention, and surviving faults."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from bot.channels.cli import main
from bot.log import writer
from bot.log.database import MIGRATIONS
from bot.log.stats import stats
from bot.log.store import HELPFUL, PICKED, SQLiteStore
from bot.log.triage import IGNORED, IN_PROGRESS, Triage
from bot.log.writer import ExchangeLog
from tests.support.paths import KNOWLEDGE, ROOT


def test_new_database_is_created_migrated_and_in_wal_mode(tmp_path):
    path = tmp_path / "deep" / "dir" / "log.sqlite3"
    store = SQLiteStore(path)
    assert path.is_file()
    assert store.schema_version == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    reopened = SQLiteStore(path)  # migrating again is a no-op
    assert reopened.schema_version == len(MIGRATIONS)
    reopened.close()


def test_a_database_from_before_the_normalized_column_was_dropped_keeps_its_rows(tmp_path):
    """Migration 3 drops `exchanges.normalized` (nothing read it): a version-2 log, with the
    column and rows in it, opens migrated and reads back whole."""
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        old.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    old.execute(
        "INSERT INTO exchanges (id, at, channel, chat_type, user_key, question, normalized, "
        "status, entry_id, score, candidates, latency_ms, knowledge_version) VALUES "
        "('e1', '2026-11-01T08:00:00', 'telegram', 'private', 'k', '信用修复', '信用修复', "
        "'answered', 'xinyong', 0.9, '[{\"id\": \"xinyong\", \"score\": 0.9}]', 3.5, 'v1')"
    )
    old.commit()
    old.close()
    store = SQLiteStore(path)
    assert store.schema_version == len(MIGRATIONS)
    columns = [row[1] for row in store.db.execute("PRAGMA table_info(exchanges)")]
    assert "normalized" not in columns
    (stored,) = store.exchanges()
    assert (stored.id, stored.question, stored.entry_id, stored.chat_type) == (
        "e1",
        "信用修复",
        "xinyong",
        "private",
    )
    assert stored.candidates == [{"id": "xinyong", "score": 0.9}]
    store.close()


def test_a_log_from_a_newer_release_is_refused_in_one_line_and_kept(tmp_path, capsys):
    """A rollback after an upgrade whose migration changed the log: the release before this
    one, started on this one's log (its `normalized` column dropped), answered and lost every
    exchange, one "write failed … kept for retry" line each (probe21). A log whose schema is
    newer than the code knows is refused now, by every command, and left as it was (not moved
    aside as corrupt)."""
    path = tmp_path / "log.sqlite3"
    SQLiteStore(path).close()
    newer = sqlite3.connect(path)
    newer.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    newer.close()
    with pytest.raises(sqlite3.OperationalError, match="更新版本"):
        SQLiteStore(path)
    assert main(["--db", str(path), "ask", "--log", "信用修复"]) == 2
    assert main(["--db", str(path), "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("更新版本") == 2 and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir() if "corrupt" in p.name] == []


def test_an_exchange_is_recorded_with_everything_reviewers_need(tmp_path, engine):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    answer = engine.answer("我电话13812345678，复工复产去哪个窗口办理？")
    exchange_id = log.record(answer, "telegram", engine.knowledge.version, "private", 1001)
    log.feedback(exchange_id, HELPFUL, answer.entry_id, "telegram", 1001)
    (stored,) = log.store.exchanges()
    assert stored.id == exchange_id and len(exchange_id) == 12
    assert stored.question == "我电话[手机号],复工复产去哪个窗口办理?"
    assert stored.status == "answered" and stored.entry_id == "fugong-zhuanchuang"
    assert stored.channel == "telegram" and stored.chat_type == "private"
    assert stored.user_key and "1001" not in stored.user_key
    assert len(stored.candidates) == 5 and stored.candidates[0]["id"] == "fugong-zhuanchuang"
    assert stored.latency_ms > 0 and stored.knowledge_version == engine.knowledge.version
    (vote,) = log.store.feedback()
    assert (vote.exchange_id, vote.kind, vote.entry_id) == (
        exchange_id,
        HELPFUL,
        "fugong-zhuanchuang",
    )
    raw = sqlite3.connect(tmp_path / "log.sqlite3").execute("SELECT * FROM exchanges").fetchall()
    assert "13812345678" not in json.dumps(raw, ensure_ascii=False)
    log.close()


def test_prune_removes_old_exchanges_and_their_feedback(tmp_path, engine):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    for question in ("信用修复", "绿色通道"):
        exchange = log.record(engine.answer(question), "chat", "v1", "cli", "u")
        log.feedback(exchange, PICKED, "qiye-xinyong-xiufu", "chat", "u")
    log.store.db.execute(
        "UPDATE exchanges SET at = '2020-01-01T00:00:00' WHERE question = '信用修复'"
    )
    log.store.db.execute("UPDATE feedback SET at = '2020-01-01T00:00:00' WHERE id = 1")
    log.store.db.commit()
    assert log.store.prune("2021-01-01") == 1
    assert [e.question for e in log.store.exchanges()] == ["绿色通道"]
    assert len(list(log.store.feedback())) == 1
    log.close()


def test_prune_removes_gap_decisions_as_old_as_the_exchanges_it_removes(tmp_path, engine):
    """A reviewer's 忽略 or 处理中 is kept against each question of the cluster, as the user
    typed it (normalized): `prune`, the log's retention, kept those questions for ever after
    their exchanges were gone (probe20)."""
    path = tmp_path / "log.sqlite3"
    log = ExchangeLog.open(path, salt="s")
    triage = Triage(path)
    triage.set(["我叫张三，抚远天气怎么样"], IGNORED, "wang")
    triage.set(["今天下雨吗"], IN_PROGRESS, "wang")
    log.store.db.execute(
        "UPDATE gap_triage SET at = '2020-01-01T00:00:00' WHERE state = ?", (IGNORED,)
    )
    log.store.db.commit()
    log.store.prune("2021-01-01")
    kept = log.store.db.execute("SELECT state FROM gap_triage").fetchall()
    assert kept == [(IN_PROGRESS,)]
    triage.close()
    log.close()


def test_prune_masks_what_today_s_masks_catch_in_the_rows_it_keeps(tmp_path, engine):
    """Rows logged before a mask was added (probe22's: an ID number in groups, a mobile typed
    digit by digit) kept the number until pruned, up to the whole retention period (left by
    probe22). Each prune now masks the rows it keeps, their second answers' parts too, and a
    reviewer's decision on such a question follows it (probe23)."""
    path = tmp_path / "log.sqlite3"
    log = ExchangeLog.open(path, salt="s")
    log.record(engine.answer("信用修复"), "chat", "v1", "cli", "u")
    log.flush()
    old = "身份证230422 1990 0101 1234丢了，电话1 3 8 1 2 3 4 5 6 7 8"
    log.store.db.execute(
        "UPDATE exchanges SET question = ?, also = ?",
        (old, json.dumps([{"id": "fugong-zhuanchuang", "part": old, "score": 0.9}])),
    )
    log.store.db.commit()
    triage = Triage(path)
    triage.set([old], IN_PROGRESS, "wang")
    log.store.prune("2021-01-01")
    kept = next(log.store.exchanges())
    assert kept.question == "身份证[身份证号]丢了,电话[手机号]"
    assert kept.also[0]["part"] == kept.question
    assert triage.state_of([kept.question])[0] == IN_PROGRESS
    assert log.store.db.execute("SELECT COUNT(*) FROM gap_triage").fetchone() == (1,)
    files = [path, path.with_name(path.name + "-wal")]
    assert not [f.name for f in files if f.exists() and b"1990" in f.read_bytes()]
    triage.close()
    log.close()


def test_prune_leaves_no_text_of_what_it_removed_in_the_log_files(tmp_path, engine):
    """Rows pruned were gone from the database file (secure_delete, on in Debian's SQLite only)
    but not from its WAL file, which SQLite reuses from its start and never shortens: after a
    prune, a checkpoint and a write, every removed question was still there (probe21). A WAL
    that once grew (a busy day) keeps that day's questions past the retention period."""
    path = tmp_path / "log.sqlite3"
    log = ExchangeLog.open(path, salt="s")
    for n in range(40):
        log.record(engine.answer(f"黑瞎子岛门票多少钱 旧问题{n}"), "chat", "v1", "cli", "u")
    log.flush()
    log.store.db.execute("UPDATE exchanges SET at = '2020-01-01T00:00:00'")
    log.store.db.commit()
    log.record(engine.answer("复工复产去哪个窗口办理"), "chat", "v1", "cli", "u")
    log.flush()
    assert log.store.prune("2021-01-01") == 40
    files = [path, path.with_name(path.name + "-wal")]
    assert not [f.name for f in files if f.exists() and "旧问题".encode() in f.read_bytes()]
    assert [e.question for e in log.store.exchanges()] == ["复工复产去哪个窗口办理"]
    log.close()


def test_rows_edited_by_hand_are_read_without_a_traceback(tmp_path, engine):
    """An admin's `sqlite3` UPDATE that left a row's candidates not JSON (or empty, or a number)
    ended `stats` (and the gap review) in a JSONDecodeError traceback (probe20)."""
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    for question in ("信用修复", "黑瞎子岛门票多少钱", "复工", "你好"):
        log.record(engine.answer(question), "chat", "v1", "cli", "u")
    log.flush()
    for rowid, value in enumerate(("not json", "", "3"), start=1):
        log.store.db.execute("UPDATE exchanges SET candidates = ? WHERE rowid = ?", (value, rowid))
    log.store.db.commit()
    read = list(log.store.exchanges())
    assert len(read) == 4 and [e.candidates for e in read[:3]] == [[], [], []]
    log.close()


def test_a_row_whose_time_or_latency_was_edited_into_nonsense_is_skipped_or_unset(
    tmp_path, engine, caplog
):
    """An admin's `sqlite3` UPDATE that left a row's time not a time (`at = 'garbage'`) or its
    latency not a number ended `stats` in a ValueError or TypeError traceback (left by probe20).
    A row with no time belongs to no period: it is left out of every report, with a warning
    naming it; a latency that is no number is unset."""
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    for question in ("信用修复", "黑瞎子岛门票多少钱", "复工"):
        log.record(engine.answer(question), "chat", "v1", "cli", "u")
    log.flush()
    log.store.db.execute("UPDATE exchanges SET at = 'garbage' WHERE rowid = 1")
    log.store.db.execute("UPDATE exchanges SET latency_ms = 'x' WHERE rowid = 2")
    log.store.db.commit()
    read = list(log.store.exchanges())
    assert [e.question for e in read] == ["黑瞎子岛门票多少钱", "复工"]
    assert read[0].latency_ms is None
    assert "1 row(s) of the exchange log left out" in caplog.text and "'garbage'" in caplog.text
    assert stats(log.store).total == 2
    log.close()


def test_a_locked_database_delays_nothing_for_long_and_loses_nothing(tmp_path, engine, caplog):
    path = tmp_path / "log.sqlite3"
    log = ExchangeLog.open(path, salt="s")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    log.record(engine.answer("信用修复"), "chat", "v1")  # cannot be written now
    assert log.unsaved and "kept for retry" in caplog.text
    blocker.execute("COMMIT")
    blocker.close()
    log.record(engine.answer("绿色通道"), "chat", "v1")
    log.flush()  # the writer retries within milliseconds: both written, in order
    assert not log.unsaved
    assert [e.question for e in log.store.exchanges()] == ["信用修复", "绿色通道"]
    log.close()


def test_a_full_disk_holds_exchanges_until_there_is_room_again(tmp_path, engine, caplog):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    db = log.store.db
    full = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {full}")  # SQLite's own "database or disk is full"
    questions = [f"信用修复第{n}次" for n in range(60)]
    for question in questions:
        log.record(engine.answer(question), "chat", "v1")
    assert log.unsaved and "disk is full" in caplog.text and "kept for retry" in caplog.text
    db.execute("PRAGMA max_page_count = 1073741823")
    log.record(engine.answer("绿色通道"), "chat", "v1")  # the held ones go first, in order
    log.flush()
    assert not log.unsaved
    assert [e.question for e in log.store.exchanges()] == [*questions, "绿色通道"]
    log.close()


def test_held_writes_are_bounded_and_what_is_let_go_is_reported(
    tmp_path, engine, caplog, monkeypatch
):
    monkeypatch.setattr(writer, "MAX_UNSAVED", 5)
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    answer = engine.answer("信用修复")
    log.store.close()  # every write now fails
    for _ in range(8):
        log.record(answer, "chat", "v1")
    assert len(log.unsaved) == 5
    assert "oldest unsaved write(s) dropped" in caplog.text


def ask_with_log(db, *, stdin=subprocess.PIPE):
    env = {**os.environ, "POLICYBOT_SALT": "s"}
    command = [
        sys.executable,
        "-m",
        "bot",
        "--knowledge",
        str(KNOWLEDGE),
        "--db",
        str(db),
        "ask",
        "--jsonl",
        "--log",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=stdin, stdout=subprocess.PIPE, text=True
    )


@pytest.mark.slow
def test_no_exchange_is_lost_on_a_normal_stop(tmp_path):
    db = tmp_path / "log.sqlite3"
    process = ask_with_log(db)
    questions = [f"信用修复 {n}" for n in range(40)]
    out, _ = process.communicate("\n".join(questions) + "\n", timeout=60)
    assert process.returncode == 0 and len(out.splitlines()) == 40
    assert len(list(SQLiteStore(db).exchanges())) == 40


@pytest.mark.slow
def test_kill_9_loses_at_most_the_exchange_in_flight(tmp_path):
    db = tmp_path / "log.sqlite3"
    process = ask_with_log(db)
    answered = 0
    for n in range(30):
        process.stdin.write(f"复工复产去哪个窗口办理 {n}\n")
        process.stdin.flush()
        process.stdout.readline()  # printed only after its exchange was committed
        answered += 1
    process.stdin.write("信用修复\n")  # in flight when the process dies
    process.stdin.flush()
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    store = SQLiteStore(db)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = len(list(store.exchanges()))
    assert answered <= stored <= answered + 1
    store.close()


# What the servers' background writer can lose to a `kill -9`: rows not yet committed, always
# the newest, never one from the middle; once the writer has caught up, nothing.
BACKGROUND_WRITER = """
import sys, time
from bot.engine.core import Answer
from bot.log.writer import ExchangeLog
log = ExchangeLog.open(sys.argv[1], "s", background=True)
for n in range(int(sys.argv[2])):
    log.record(Answer(question=f"q{n}", status="fallback", answer=""), "web", "v1")
    if n % 100 == 99:
        print(n + 1, flush=True)
time.sleep(60)
"""


def background_writer(db, count: int) -> subprocess.Popen:
    command = [sys.executable, "-c", BACKGROUND_WRITER, str(db), str(count)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def stored_questions(db) -> list[str]:
    store = SQLiteStore(db)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    questions = [e.question for e in store.exchanges()]
    store.close()
    return questions


@pytest.mark.slow
def test_kill_9_of_a_server_that_caught_up_loses_nothing(tmp_path):
    db = tmp_path / "log.sqlite3"
    process = background_writer(db, 300)
    assert process.stdout.readline().strip() == "100"
    process.stdout.readline(), process.stdout.readline()
    deadline = time.monotonic() + 10  # committed LINGER (20 ms) after they arrive
    while len(stored_questions(db)) < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert stored_questions(db) == [f"q{n}" for n in range(300)]


@pytest.mark.slow
def test_kill_9_mid_burst_loses_only_the_newest_rows(tmp_path):
    db = tmp_path / "log.sqlite3"
    process = background_writer(db, 1_000_000)
    for _ in range(20):  # 2,000 exchanges handed to the writer, more on the way
        process.stdout.readline()
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    stored = stored_questions(db)
    assert stored == [f"q{n}" for n in range(len(stored))]  # a prefix: no hole, no duplicate
