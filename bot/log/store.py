"""The exchange log: every question, what the bot answered, and what users thought of it.

`ExchangeStore` is the small storage interface; `SQLiteStore` implements it on the standard
library's sqlite3 (WAL mode, one commit per exchange, versioned migrations), and a server
database can implement the same five methods later. `ExchangeLog` is what channels call: it
redacts, pseudonymizes, stamps the knowledge version, and never lets a storage problem stop a
reply — failed writes are retried, kept, and reported, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.engine.core import Answer
from bot.text.normalize import normalize
from bot.text.privacy import Pseudonymizer, redact

log = logging.getLogger(__name__)

HELPFUL, UNHELPFUL, PICKED = "helpful", "unhelpful", "picked"

MIGRATIONS = [
    # 1: exchanges and feedback
    """
    CREATE TABLE exchanges (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        channel TEXT NOT NULL,
        chat_type TEXT,
        user_key TEXT,
        question TEXT NOT NULL,
        normalized TEXT NOT NULL,
        status TEXT NOT NULL,
        entry_id TEXT,
        score REAL,
        candidates TEXT NOT NULL DEFAULT '[]',
        latency_ms REAL,
        knowledge_version TEXT
    );
    CREATE INDEX exchanges_at ON exchanges (at);
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        exchange_id TEXT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        entry_id TEXT,
        user_key TEXT
    );
    CREATE INDEX feedback_exchange ON feedback (exchange_id);
    CREATE INDEX feedback_at ON feedback (at);
    """,
    # 2: the admin console (bot.channels.console): accounts, gap triage, knowledge change history
    """
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE gap_triage (
        question TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        action TEXT NOT NULL,
        file TEXT NOT NULL,
        before TEXT,
        after TEXT
    );
    CREATE INDEX changes_entry ON changes (entry_id, id);
    """,
]


def connect(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection to the log database (created with its directory, migrated to the latest
    schema); the exchange log and the console's tables (bot.log.accounts, triage, changes) each
    hold their own, in WAL mode so that readers never wait for a writer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, timeout=timeout)
    db.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL loses no committed transaction when the process dies; only a power
    # cut can lose the last ones. A full fsync per exchange would cost far more.
    db.execute("PRAGMA synchronous=NORMAL")
    migrate(db)
    return db


def migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with db:
            db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def since_to_iso(text: str | None, today: dt.datetime | None = None) -> str | None:
    """`7d`, `24h`, `30m`, `2w` ago, or an ISO date, as the log's timestamp format."""
    if not text:
        return None
    now = today or dt.datetime.now(dt.UTC)
    match = re.fullmatch(r"(\d+)\s*([mhdw])", text.strip())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match.group(2)]
        moment = now - dt.timedelta(**{unit: int(match.group(1))})
        return moment.isoformat(timespec="milliseconds")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"时间写法不对: {text!r}（例如 7d、24h、2w 或 2026-11-01）") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Exchange:
    """One question and its answer, as stored: redacted, pseudonymous."""

    id: str
    at: str
    channel: str
    chat_type: str | None
    user_key: str | None
    question: str
    normalized: str
    status: str
    entry_id: str | None
    score: float
    candidates: list[dict]
    latency_ms: float
    knowledge_version: str


@dataclass(frozen=True)
class Feedback:
    exchange_id: str | None
    at: str
    kind: str
    entry_id: str | None
    user_key: str | None


class ExchangeStore(Protocol):
    def add_exchange(self, exchange: Exchange) -> None: ...
    def add_feedback(self, feedback: Feedback) -> None: ...
    def exchanges(self, since: str | None = None) -> Iterator[Exchange]: ...
    def feedback(self, since: str | None = None) -> Iterator[Feedback]: ...
    def prune(self, before: str) -> int: ...
    def close(self) -> None: ...


class SQLiteStore:
    """The exchange log in one SQLite file (created with its directory if missing)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()  # one connection, shared by the bot's threads
        # A short busy timeout: a reply must not wait long for a locked log; `ExchangeLog`
        # retries and keeps what still fails.
        self.db = connect(self.path, timeout=0.2)

    def migrate(self) -> None:
        migrate(self.db)

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def add_exchange(self, exchange: Exchange) -> None:
        row = {
            **exchange.__dict__,
            "candidates": json.dumps(exchange.candidates, ensure_ascii=False),
        }
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self.lock, self.db:
            self.db.execute(f"INSERT OR IGNORE INTO exchanges ({columns}) VALUES ({marks})", row)

    def add_feedback(self, feedback: Feedback) -> None:
        with self.lock, self.db:
            self.db.execute(
                "INSERT INTO feedback (exchange_id, at, kind, entry_id, user_key) "
                "VALUES (:exchange_id, :at, :kind, :entry_id, :user_key)",
                feedback.__dict__,
            )

    def exchanges(self, since: str | None = None) -> Iterator[Exchange]:
        with self.lock:
            rows = self.db.execute(
                "SELECT * FROM exchanges WHERE at >= ? ORDER BY at", (since or "",)
            ).fetchall()
        names = list(Exchange.__dataclass_fields__)
        for row in rows:
            values = dict(zip(names, row, strict=True))
            values["candidates"] = json.loads(values["candidates"])
            yield Exchange(**values)

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
        with self.lock, self.db:
            self.db.execute("DELETE FROM feedback WHERE at < ?", (before,))
            return self.db.execute("DELETE FROM exchanges WHERE at < ?", (before,)).rowcount

    def close(self) -> None:
        with self.lock:
            self.db.close()


# Writes held in memory while the log cannot be written (~1 KB each).
MAX_UNSAVED = 10_000


@dataclass
class ExchangeLog:
    """What channels call to record exchanges and feedback."""

    store: ExchangeStore
    users: Pseudonymizer
    retries: int = 3
    unsaved: list = field(default_factory=list)  # writes that failed, retried with the next one

    @classmethod
    def open(cls, path: Path | str, salt: str | None = None) -> ExchangeLog:
        path = Path(path)
        return cls(SQLiteStore(path), Pseudonymizer.for_database(path, salt))

    def record(
        self,
        answer: Answer,
        channel: str,
        knowledge_version: str,
        chat_type: str | None = None,
        user_id: object = None,
    ) -> str:
        """Store one exchange; returns its id (for feedback buttons) even if storing failed."""
        question = redact(answer.question)
        exchange = Exchange(
            id=secrets.token_hex(6),
            at=now(),
            channel=channel,
            chat_type=chat_type,
            user_key=self.users.key(channel, user_id),
            question=question,
            normalized=normalize(question),
            status=answer.status,
            entry_id=answer.entry_id,
            score=round(answer.score, 4),
            candidates=[{"id": c.id, "score": round(c.score, 4)} for c in answer.candidates],
            latency_ms=round(answer.took_ms, 3),
            knowledge_version=knowledge_version,
        )
        self._write(self.store.add_exchange, exchange)
        return exchange.id

    def feedback(
        self,
        exchange_id: str | None,
        kind: str,
        entry_id: str | None,
        channel: str,
        user_id: object = None,
    ) -> None:
        item = Feedback(
            exchange_id or None, now(), kind, entry_id, self.users.key(channel, user_id)
        )
        self._write(self.store.add_feedback, item)

    def _write(self, write, item) -> None:
        self._drain([*self.unsaved, (write, item)])

    def flush(self) -> None:
        """Try once more to store writes that failed earlier."""
        self._drain(self.unsaved)

    def _drain(self, pending: list) -> None:
        """Write with a few quick retries (a locked database usually frees within
        milliseconds); keep what still fails, to try again before the next write.

        With writes already waiting, the store is known to be failing (a full disk, say):
        each new write then tries once, so replies are not slowed down while it lasts.
        """
        self.unsaved = []
        attempts = self.retries if len(pending) == 1 else 1
        for position, (write, item) in enumerate(pending):
            for attempt in range(attempts):
                try:
                    write(item)
                    break
                except sqlite3.Error as exc:
                    if attempt == attempts - 1:
                        self._keep(pending[position:], exc)
                        return
                    time.sleep(0.01 * (attempt + 1))

    def _keep(self, unsaved: list, error: Exception) -> None:
        """Hold failed writes for the next try, within MAX_UNSAVED; say what is held and what,
        past that, had to be let go."""
        dropped = max(0, len(unsaved) - MAX_UNSAVED)
        self.unsaved = unsaved[dropped:]
        log.error(
            "exchange log write failed (%s); %d write(s) kept for retry", error, len(self.unsaved)
        )
        if dropped:
            log.error("exchange log: %d oldest unsaved write(s) dropped to bound memory", dropped)

    def close(self) -> None:
        self.flush()
        if self.unsaved:
            log.error("exchange log closed with %d unsaved write(s)", len(self.unsaved))
        self.store.close()
