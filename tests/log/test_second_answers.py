"""The exchange log keeps a two-question reply's second answer (`Answer.also`, bot.engine.parts):
its entry, the part of the message it answered (redacted as the question is) and its score."""

from __future__ import annotations

import sqlite3

from bot.log.database import MIGRATIONS
from bot.log.stats import stats
from bot.log.store import SQLiteStore
from bot.log.writer import ExchangeLog

TWO = "复工复产有没有人监督 投诉渠道呢"  # tests/engine/test_parts.py: qiye-tousu and fugong-jiandu


def test_a_two_question_reply_is_logged_with_its_second_answer(tmp_path, engine):
    answer = engine.answer(TWO + " 我电话13812345678")
    assert [a.entry_id for a in answer.also] == ["fugong-jiandu"]
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    log.record(answer, "telegram", engine.knowledge.version, "private", 1001)
    (stored,) = log.store.exchanges()
    assert stored.entry_id == "qiye-tousu"
    (second,) = stored.also
    assert second["id"] == "fugong-jiandu"
    assert second["score"] == round(answer.also[0].score, 4)
    assert second["part"] and "13812345678" not in second["part"]
    assert set(second) == {"id", "part", "score"}
    log.close()


def test_a_one_question_reply_is_logged_with_no_second_answer(tmp_path, engine):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    log.record(engine.answer("复工复产去哪个窗口办理"), "web", engine.knowledge.version)
    (stored,) = log.store.exchanges()
    assert stored.also == []
    log.close()


def test_stats_count_the_second_answer_by_its_entry(tmp_path, engine):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    log.record(engine.answer(TWO), "telegram", engine.knowledge.version)
    numbers = stats(log.store)
    assert dict(numbers.top_entries) == {"qiye-tousu": 1, "fugong-jiandu": 1}
    assert numbers.total == 1  # one question still
    log.close()


def test_a_log_written_before_second_answers_were_kept_upgrades_with_every_row(tmp_path):
    """A schema-3 log (the release before this one), with rows in it, opens migrated: every
    row is read back, with no second answer."""
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:3], start=1):
        old.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    for n in range(3):
        old.execute(
            "INSERT INTO exchanges (id, at, channel, chat_type, user_key, question, status, "
            "entry_id, score, candidates, latency_ms, knowledge_version) VALUES "
            f"('e{n}', '2026-11-0{n + 1}T08:00:00', 'telegram', 'private', 'k', '信用修复', "
            "'answered', 'xinyong', 0.9, '[{\"id\": \"xinyong\", \"score\": 0.9}]', 3.5, 'v1')"
        )
    old.commit()
    old.close()
    store = SQLiteStore(path)
    assert store.schema_version == len(MIGRATIONS) == 4
    rows = list(store.exchanges())
    assert [row.id for row in rows] == ["e0", "e1", "e2"]
    assert all(row.entry_id == "xinyong" and row.also == [] for row in rows)
    assert dict(stats(store).top_entries) == {"xinyong": 3}
    store.close()


def test_a_second_answer_edited_into_nonsense_by_hand_reads_as_none(tmp_path, engine):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    log.record(engine.answer(TWO), "telegram", engine.knowledge.version)
    log.flush()
    log.store.db.execute("UPDATE exchanges SET also = '{not json'")
    log.store.db.commit()
    (stored,) = log.store.exchanges()
    assert stored.also == []
    log.store.db.execute('UPDATE exchanges SET also = \'[1, "x", {"part": "p"}]\'')
    log.store.db.commit()
    assert stats(log.store).top_entries == [("qiye-tousu", 1)]
    log.close()
