"""The exchange log's storage: the rows (`Exchange`, `Feedback`), the small `ExchangeStore`
interface, and `SQLiteStore`, its implementation on the standard library's sqlite3 (WAL mode,
versioned migrations in bot.log.database, files readable by the bot's user only). A server
database can implement the same methods later. What channels call is `ExchangeLog`
(bot.log.writer), which redacts, pseudonymizes and writes off the reply path.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import orjson

from bot.log.database import connect, file_identity, migrate
from bot.text.normalize import normalize
from bot.text.privacy import redact

log = logging.getLogger(__name__)

HELPFUL, UNHELPFUL, PICKED = "helpful", "unhelpful", "picked"
VOTES = (HELPFUL, UNHELPFUL)


@dataclass(frozen=True, kw_only=True)
class Exchange:
    """One question and its answer, as stored: redacted, pseudonymous. Built by name only, so
    a column added or dropped cannot shift values into the wrong fields."""

    id: str
    at: str
    channel: str
    chat_type: str | None
    user_key: str | None
    question: str
    status: str
    entry_id: str | None
    score: float
    candidates: list[dict]
    latency_ms: float | None
    knowledge_version: str
    # The answers to a two-question message's other part (`Answer.also`): {"id", "part" (the
    # part it answered, redacted), "score"} each; none for most replies and for older rows.
    also: list[dict] = field(default_factory=list)


# Every field of an exchange by name, so a column added to `Exchange` is stored without more.
INSERT_EXCHANGE = "INSERT OR IGNORE INTO exchanges ({}) VALUES ({})".format(
    ", ".join(Exchange.__dataclass_fields__),
    ", ".join(f":{name}" for name in Exchange.__dataclass_fields__),
)


def listed_json(items: list) -> str:
    """A row's list (its candidates, its second answers) as JSON text, by orjson: 1.5 µs where
    the standard library took 16 µs of the writer thread's ~45-80 µs per row
    (docs/benchmarks-log.md). What orjson refuses goes the standard library's way; `json.loads`
    reads both back the same."""
    try:
        return orjson.dumps(items).decode()
    except TypeError:
        return json.dumps(items, ensure_ascii=False)


# Named columns, not *: a migration that adds or reorders columns cannot shift values into the
# wrong fields.
SELECT_EXCHANGE = "SELECT {} FROM exchanges".format(", ".join(Exchange.__dataclass_fields__))
_AT = list(Exchange.__dataclass_fields__).index("at")


def decoded(row: tuple) -> Exchange:
    """An exchange from its row, as `SELECT_EXCHANGE` reads it. A latency that is no number
    (an admin's `sqlite3` UPDATE) is unset: `stats` sorted it among numbers, a TypeError."""
    fields = dict(zip(Exchange.__dataclass_fields__, row, strict=True))
    fields["candidates"] = _listed(fields["candidates"])
    # Only what reads as a second answer (an entry id at least): `stats` counts them by it.
    fields["also"] = [
        a for a in _listed(fields["also"]) if isinstance(a, dict) and isinstance(a.get("id"), str)
    ]
    if not isinstance(fields["latency_ms"], int | float):
        fields["latency_ms"] = None
    return Exchange(**fields)


def _timed(at: object) -> bool:
    """Does a row's time read as one? A row edited to `at = 'garbage'` belongs to no period,
    and every report that places rows by day ended in a ValueError traceback (probe20)."""
    try:
        dt.datetime.fromisoformat(str(at))
    except ValueError:
        return False
    return True


def _listed(text: str) -> list:
    """A row's candidates, or its second answers; none when they no longer read as a list: a
    row an admin's `sqlite3` UPDATE left otherwise ended `stats` and the gap review in a
    traceback (probe20)."""
    try:
        found = json.loads(text)
    except ValueError:
        return []
    return found if isinstance(found, list) else []


def _masked_part(part: object) -> object:
    """A second answer (`Exchange.also`) with the part it answered masked as today."""
    if isinstance(part, dict) and isinstance(part.get("part"), str):
        return {**part, "part": redact(part["part"])}
    return part


@dataclass(frozen=True)
class Feedback:
    exchange_id: str | None
    at: str
    kind: str
    entry_id: str | None
    user_key: str | None


class ExchangeStore(Protocol):
    """What the writer (bot.log.writer) and the readers (stats, gaps) need of a storage."""

    def write(self, items: list[Exchange | Feedback]) -> None: ...
    def exchanges(
        self,
        since: str | None = None,
        statuses: tuple[str, ...] | None = None,
        voted: str | None = None,
    ) -> Iterator[Exchange]: ...
    def feedback(self, since: str | None = None) -> Iterator[Feedback]: ...
    def exchange(self, exchange_id: str) -> Exchange | None: ...
    def prune(self, before: str) -> int: ...
    def replaced(self) -> bool: ...
    def close(self) -> None: ...


class SQLiteStore:
    """The exchange log in one SQLite file (created with its directory if missing)."""

    def __init__(self, path: Path | str, wait: float = 0.2) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()  # one connection, shared by the bot's threads
        # A short busy timeout by default: a reply must not wait long for a locked log;
        # `ExchangeLog` retries and keeps what still fails.
        self.db = connect(self.path, timeout=wait)
        self.identity = file_identity(self.path)

    def replaced(self) -> bool:
        """Was the file deleted or replaced since it was opened? (Writes would then go to a
        file nobody can see any more.)"""
        return file_identity(self.path) != self.identity

    def migrate(self) -> None:
        migrate(self.db)

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def add_exchange(self, exchange: Exchange) -> None:
        self.write([exchange])

    def add_feedback(self, feedback: Feedback) -> None:
        self.write([feedback])

    def write(self, items: list[Exchange | Feedback]) -> None:
        """Store exchanges and feedback in one transaction, in order."""
        with self.lock, self.db:
            for item in items:
                if isinstance(item, Exchange):
                    self._insert_exchange(item)
                else:
                    self._insert_feedback(item)

    def _insert_exchange(self, exchange: Exchange) -> None:
        row = {
            **exchange.__dict__,
            "candidates": listed_json(exchange.candidates),
            "also": listed_json(exchange.also),
        }
        self.db.execute(INSERT_EXCHANGE, row)

    def _insert_feedback(self, feedback: Feedback) -> None:
        if feedback.kind in VOTES:  # one vote per user per answer: the last one counts
            self.db.execute(
                "DELETE FROM feedback WHERE kind IN (?, ?) AND exchange_id IS ? "
                "AND entry_id IS ? AND user_key IS ?",
                (*VOTES, feedback.exchange_id, feedback.entry_id, feedback.user_key),
            )
        self.db.execute(
            "INSERT INTO feedback (exchange_id, at, kind, entry_id, user_key) "
            "VALUES (:exchange_id, :at, :kind, :entry_id, :user_key)",
            feedback.__dict__,
        )

    def exchanges(
        self,
        since: str | None = None,
        statuses: tuple[str, ...] | None = None,
        voted: str | None = None,
    ) -> Iterator[Exchange]:
        """Exchanges since an ISO time, in time order; with `statuses`, only those with one of
        them or (with `voted`) with feedback of that kind: the gaps report reads its tenth of a
        large log without decoding the rest."""
        query = SELECT_EXCHANGE + " WHERE at >= ?"
        values = [since or ""]
        if statuses is not None:
            marks = ", ".join("?" * len(statuses))
            query += f" AND (status IN ({marks})"
            values += statuses
            if voted is not None:
                query += " OR id IN (SELECT exchange_id FROM feedback WHERE kind = ?)"
                values.append(voted)
            query += ")"
        with self.lock:
            rows = self.db.execute(query + " ORDER BY at", values).fetchall()
        timed = [row for row in rows if _timed(row[_AT])]
        if len(timed) < len(rows):
            first = next(row for row in rows if not _timed(row[_AT]))
            log.warning(
                "%d row(s) of the exchange log left out: their time is not a time "
                "(first: id %r, at %r); correct or delete them with sqlite3",
                len(rows) - len(timed),
                first[0],
                first[_AT],
            )
        for row in timed:
            yield decoded(row)

    def exchange(self, exchange_id: str) -> Exchange | None:
        """One exchange by id (a vote or a pick names it), None when there is none."""
        with self.lock:
            row = self.db.execute(SELECT_EXCHANGE + " WHERE id = ?", (exchange_id,)).fetchone()
        return None if row is None else decoded(row)

    def feedback(self, since: str | None = None) -> Iterator[Feedback]:
        with self.lock:
            rows = self.db.execute(
                "SELECT exchange_id, at, kind, entry_id, user_key FROM feedback "
                "WHERE at >= ? ORDER BY at",
                (since or "",),
            ).fetchall()
        for row in rows:
            yield Feedback(*row)

    def prune(self, before: str) -> int:
        """Delete what is older than `before`, and mask what is kept as today's masks would."""
        remasked = self._remasked(before)  # read outside the write: the bot's writes go on
        with self.lock, self.db:
            self.db.execute("DELETE FROM feedback WHERE at < ?", (before,))
            # Reviewers' decisions hold the users' questions too (bot.log.triage): kept for ever,
            # they outlived the retention (probe20). A cluster decided on that long ago and still
            # asked shows as a gap again.
            self.db.execute("DELETE FROM gap_triage WHERE at < ?", (before,))
            removed = self.db.execute("DELETE FROM exchanges WHERE at < ?", (before,)).rowcount
            for exchange_id, column, was, now in remasked:
                self.db.execute(
                    f"UPDATE exchanges SET {column} = ? WHERE id = ?", (now, exchange_id)
                )
                if column != "question":
                    continue
                old, new = normalize(was), normalize(now)
                if old != new:
                    # the reviewer's decision on it, kept by its normalized text (bot.log.triage)
                    self.db.execute(
                        "UPDATE OR REPLACE gap_triage SET question = ? WHERE question = ?",
                        (new, old),
                    )
        # The removed text is gone from the database file (`secure_delete`, bot.log.database)
        # but not from the WAL file, which SQLite reuses from its start and never shortens: a
        # WAL that once grew kept old questions past the retention (probe21). Emptied here,
        # once every reader lets it (the bot's are brief); else the next prune does it.
        with self.lock:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def _remasked(self, before: str) -> list[tuple[str, str, str, str]]:
        """(id, column, text, masked text) for each question, and each row's second answers,
        that today's masks change (`redact` leaves masked text as it is): a mask an upgrade
        added (probe22's ID numbers in groups, digits typed one by one, other countries'
        numbers) spared the rows logged before it until they were pruned, up to the whole
        retention period (probe23). A few µs a row: seconds for a million."""
        found = []
        with self.lock:
            rows = self.db.execute(
                "SELECT id, question, also FROM exchanges WHERE at >= ?", (before,)
            )
            for exchange_id, question, also in rows:
                masked_question = redact(question)
                if masked_question != question:
                    found.append((exchange_id, "question", question, masked_question))
                parts = _listed(also)
                masked = [_masked_part(part) for part in parts]
                if masked != parts:
                    found.append((exchange_id, "also", also, listed_json(masked)))
        return found

    def close(self) -> None:
        with self.lock:
            self.db.close()


def open_store(path: Path) -> SQLiteStore:
    """The SQLite log at `path`. One that cannot be read (a corrupt header: "file is not a
    database") is moved aside to `<name>.corrupt-<time>`, with an error line, and a new one
    begun; other failures (a read-only folder, a full disk) raise."""
    try:
        return SQLiteStore(path)
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as exc:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            source = path.with_name(path.name + suffix)
            if source.exists():
                source.replace(aside.with_name(aside.name + suffix))
        log.error("exchange log %s is corrupt (%s): moved to %s, a new log begun", path, exc, aside)
        return SQLiteStore(path)
