"""The exchange log: every question, what the bot answered, and what users thought of it.

`ExchangeStore` is the small storage interface; `SQLiteStore` implements it on the standard
library's sqlite3 (WAL mode, versioned migrations, files readable by the bot's user only), and
a server database can implement the same methods later. `ExchangeLog` is what channels call: it
redacts, pseudonymizes, stamps the knowledge version, and never lets a storage problem stop a
reply or go unsaid:

- Writes go to one writer thread, which commits them in batches (up to `BATCH` rows per
  transaction). With `background=True` (the servers: Telegram, web, WeChat) `record` returns at
  once and the event loop never waits for SQLite; otherwise (the terminal commands) it returns
  once its row is committed.
- A write that fails (a locked, full, read-only, deleted or corrupt database) is held and
  retried with backoff, with one error line when the trouble starts and one when it ends; past
  `MAX_UNSAVED` held writes the oldest are let go, and each time that is said too. A row that
  can never be stored (it breaks an encoding) is dropped alone, with an error line.
- A database file deleted or replaced under the running bot is noticed and opened anew; a
  database that cannot be read at start (a corrupt header) is moved aside and a new one begun.

What a `kill -9` can lose: with `background=True`, the rows handed to the writer and not yet
committed (the writer commits as soon as rows arrive, so normally the last few milliseconds of
traffic; at most `MAX_UNSAVED`); otherwise at most the exchange being written.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.engine.core import Answer
from bot.text.normalize import normalize, valid_text
from bot.text.privacy import Pseudonymizer, redact

log = logging.getLogger(__name__)

HELPFUL, UNHELPFUL, PICKED = "helpful", "unhelpful", "picked"
VOTES = (HELPFUL, UNHELPFUL)

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
    hold their own, in WAL mode so that readers never wait for a writer. The file, and the
    WAL and shared-memory files SQLite makes beside it with the same mode, are the bot's
    user's only (0600): questions are redacted, but still people's words."""
    path.parent.mkdir(parents=True, exist_ok=True)
    private(path)
    db = sqlite3.connect(path, check_same_thread=False, timeout=timeout)
    db.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL loses no committed transaction when the process dies; only a power
    # cut can lose the last ones. A full fsync per exchange would cost far more.
    db.execute("PRAGMA synchronous=NORMAL")
    migrate(db)
    for companion in ("-wal", "-shm"):  # made before this change, perhaps with wider modes
        private(path.with_name(path.name + companion), create=False)
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
    def exchanges(
        self,
        since: str | None = None,
        statuses: tuple[str, ...] | None = None,
        voted: str | None = None,
    ) -> Iterator[Exchange]: ...
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
            "candidates": json.dumps(exchange.candidates, ensure_ascii=False),
        }
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        self.db.execute(f"INSERT OR IGNORE INTO exchanges ({columns}) VALUES ({marks})", row)

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
        names = list(Exchange.__dataclass_fields__)
        # Named columns, not *: a migration that adds or reorders columns cannot shift values
        # into the wrong fields.
        query = f"SELECT {', '.join(names)} FROM exchanges WHERE at >= ?"
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


def private(path: Path, create: bool = True) -> None:
    """Make a log file readable and writable by the bot's user only (created so if missing);
    a file made read-only stays read-only."""
    if create and not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        os.chmod(path, path.stat().st_mode & 0o600)
    except FileNotFoundError:
        pass
    except PermissionError:
        log.warning("could not restrict %s to its owner (mode %o)", path, path.stat().st_mode)


def file_identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


BATCH = 50  # rows per transaction: half the CPU of one commit per row (bench/log_write.py)
MAX_UNSAVED = 10_000  # writes held in memory while the log cannot be written (~1 KB each)
RETRY_DELAYS = (0.01, 0.05, 0.2, 1.0, 2.0)  # seconds between tries while writes fail


@dataclass
class ExchangeLog:
    """What channels call to record exchanges and feedback (see the module docstring)."""

    store: ExchangeStore | None
    users: Pseudonymizer
    path: Path | None = None  # the SQLite file, to reopen it when it is deleted or replaced
    background: bool = False
    pending: deque = field(default_factory=deque)  # (kind, values) not yet committed
    dropped: int = 0  # writes let go, in all (each time said in the log)
    failing: bool = False
    closed: bool = False

    def __post_init__(self) -> None:
        self.changed = threading.Condition()
        self.attempts = 0  # write attempts made, for `flush` to know one was tried
        self.writer = threading.Thread(target=self._run, name="exchange-log", daemon=True)
        self.writer.start()

    @classmethod
    def open(
        cls, path: Path | str, salt: str | None = None, background: bool = False
    ) -> ExchangeLog:
        path = Path(path)
        users = Pseudonymizer.for_database(path, salt)
        try:
            store = open_store(path)
        except (sqlite3.Error, OSError) as exc:
            log.error("exchange log %s cannot be opened (%s); writes are held", path, exc)
            store = None
        return cls(store, users, path, background)

    @property
    def unsaved(self) -> list:
        """Writes not yet committed (held after a failure, or still queued)."""
        with self.changed:
            return list(self.pending)

    def record(
        self,
        answer: Answer,
        channel: str,
        knowledge_version: str,
        chat_type: str | None = None,
        user_id: object = None,
    ) -> str:
        """Store one exchange; returns its id (for feedback buttons) even if storing failed."""
        exchange_id = secrets.token_hex(6)
        values = (exchange_id, now(), answer, channel, knowledge_version, chat_type, user_id)
        self._submit("exchange", values)
        return exchange_id

    def feedback(
        self,
        exchange_id: str | None,
        kind: str,
        entry_id: str | None,
        channel: str,
        user_id: object = None,
    ) -> None:
        self._submit("feedback", (exchange_id or None, now(), kind, entry_id, channel, user_id))

    def _submit(self, kind: str, values: tuple) -> None:
        with self.changed:
            self.pending.append((kind, values))
            if len(self.pending) > MAX_UNSAVED:
                self.pending.popleft()
                self.dropped += 1
                if self.dropped in (1, 10, 100) or not self.dropped % 1000:
                    log.error(
                        "exchange log: oldest unsaved write(s) dropped to bound memory "
                        "(%d so far, %d held)",
                        self.dropped,
                        len(self.pending),
                    )
            self.changed.notify_all()
            wait = not self.background and not self.failing  # a failing store: no wait
        if wait:
            self.flush()

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every write submitted so far is committed, or has failed once more (then
        it stays held; the failure is in the log)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.changed:
            attempts = self.attempts
            while self.pending and (not self.failing or self.attempts == attempts):
                left = None if deadline is None else deadline - time.monotonic()
                if (left is not None and left <= 0) or not self.writer.is_alive():
                    return
                self.changed.wait(left)

    def close(self) -> None:
        self.flush(timeout=5.0)
        with self.changed:
            self.closed = True
            self.changed.notify_all()
            held = len(self.pending)
        self.writer.join(timeout=5.0)
        if held:
            log.error("exchange log closed with %d unsaved write(s), now lost", held)
        if self.store is not None:
            self.store.close()

    # The writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while True:
            with self.changed:
                while not self.pending and not self.closed:
                    self.changed.wait()
                if self.closed:
                    return
                batch = [self.pending[n] for n in range(min(BATCH, len(self.pending)))]
            done, error = self._write(batch)
            with self.changed:
                self.attempts += 1
                for _ in range(done):
                    self.pending.popleft()
                if error is None and self.failing:
                    log.warning("exchange log writable again; held writes stored")
                elif error is not None and not self.failing:
                    log.error(
                        "exchange log write failed (%s); %d write(s) kept for retry",
                        error,
                        len(self.pending),
                    )
                self.failing = error is not None
                failures = failures + 1 if self.failing else 0
                self.changed.notify_all()
                if self.failing:  # wait before trying again, unless closing
                    delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
                    self.changed.wait_for(lambda: self.closed, timeout=delay)

    def _write(self, batch: list) -> tuple[int, Exception | None]:
        """Commit `batch`: how many of its writes are done with (stored, or dropped because
        they can never be stored), and the store's error if it failed."""
        try:
            self._check_file()
            self.store.write([self._row(kind, values) for kind, values in batch])
            return len(batch), None
        except (sqlite3.Error, OSError) as exc:
            if "readonly" in str(exc) and self.path is not None and self.store is not None:
                # SQLite opened the file read-only and stays so: open it again next time, in
                # case it has been made writable meanwhile
                self.store.close()
                self.store = None
            return 0, exc
        except Exception:  # a write that fails whatever the store's state: find it, drop it
            pass
        for position, (kind, values) in enumerate(batch):
            try:
                self.store.write([self._row(kind, values)])
            except (sqlite3.Error, OSError) as exc:
                return position, exc
            except Exception:
                log.exception("exchange log: a %s could not be stored and was let go", kind)
                with self.changed:
                    self.dropped += 1
        return len(batch), None

    def _check_file(self) -> None:
        """Open the database again when it could not be opened, or was deleted or replaced."""
        if self.store is not None and (self.path is None or not self.store.replaced()):
            return
        if self.path is None:
            raise sqlite3.OperationalError("the exchange log has no store")
        if self.store is not None:
            log.error("exchange log %s was deleted or replaced; opening it anew", self.path)
            self.store.close()
            self.store = None
        self.store = open_store(self.path)

    def _row(self, kind: str, values: tuple) -> Exchange | Feedback:
        if kind == "feedback":
            exchange_id, at, feedback_kind, entry_id, channel, user_id = values
            return Feedback(
                exchange_id, at, feedback_kind, entry_id, self.users.key(channel, user_id)
            )
        exchange_id, at, answer, channel, version, chat_type, user_id = values
        question = redact(valid_text(answer.question))
        return Exchange(
            id=exchange_id,
            at=at,
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
            knowledge_version=valid_text(version),
        )


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
