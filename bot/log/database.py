"""The log database's file: its schema and migrations, how it is opened (WAL, private to the
bot's user), and the timestamps every table stores.

The exchange log (bot.log.store, bot.log.writer) and the console's tables (bot.log.accounts,
triage, changes) share one SQLite file; each holds its own connection from `connect`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

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
    # 3: `exchanges.normalized` dropped: nothing read it (the gaps report and triage normalize
    # the redacted question when they need to, with the normalizer of the day), and it cost a
    # normalization on every write. Columns are read by name, so older rows lose nothing else.
    """
    ALTER TABLE exchanges DROP COLUMN normalized;
    """,
    # 4: `exchanges.also`: a reply to a message asking two things answers its other part from
    # another entry (`Answer.also`, bot.engine.parts); the log kept only the main one, so a
    # reviewer never saw the second (probe21, probe22). JSON, as `candidates`: one object per
    # second answer (entry id, the part it answered, redacted, and its score). Older rows: none.
    """
    ALTER TABLE exchanges ADD COLUMN also TEXT NOT NULL DEFAULT '[]';
    """,
]


# How long the console's tables (bot.log.accounts, triage, changes) wait for a lock another
# process holds (an admin's `sqlite3` shell, `prune`): a click may wait; a reply never does.
CONSOLE_WAIT = 5.0


def connect(path: Path, timeout: float | None = None) -> sqlite3.Connection:
    """A connection to the log database (created with its directory, migrated to the latest
    schema), waiting `timeout` seconds for a lock (None: `CONSOLE_WAIT`, read when called);
    the exchange log and the console's tables (bot.log.accounts, triage, changes) each
    hold their own, in WAL mode so that readers never wait for a writer. The file, and the
    WAL and shared-memory files SQLite makes beside it with the same mode, are the bot's
    user's only (0600): questions are redacted, but still people's words."""
    path.parent.mkdir(parents=True, exist_ok=True)
    private(path)
    wait = CONSOLE_WAIT if timeout is None else timeout
    db = sqlite3.connect(path, check_same_thread=False, timeout=wait)
    db.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL loses no committed transaction when the process dies; only a power
    # cut can lose the last ones. A full fsync per exchange would cost far more.
    db.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows (`prune`, the retention) zeroed in the file, not left in free pages: Debian's
    # SQLite does so by default, others may not (probe20, probe21).
    db.execute("PRAGMA secure_delete=ON")
    migrate(db)
    for companion in ("-wal", "-shm"):  # made before this change, perhaps with wider modes
        private(path.with_name(path.name + companion), create=False)
    return db


class NewerLog(sqlite3.OperationalError):
    """A log whose schema a later release made. Rolled back after an upgrade that changed the
    log, a release writing to a schema it did not know lost every exchange, one "kept for
    retry" line each (probe21). An OperationalError, so every command says it in one line and
    none moves the log aside as corrupt; nothing holds writes for it."""


def migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise NewerLog(
            f"交流记录是更新版本的 policybot 写的（结构版本 {version}，这个版本只认识到 "
            f"{len(MIGRATIONS)}）：请运行新版本，或恢复升级前备份的交流记录"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with db:
            db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


# The earliest moment a timestamp can name, before any exchange.
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC).isoformat(timespec="milliseconds")


def ago(span: dt.timedelta, today: dt.datetime | None = None) -> str:
    """The moment `span` before now, as the log's timestamp format."""
    return ((today or dt.datetime.now(dt.UTC)) - span).isoformat(timespec="milliseconds")


def since_to_iso(text: str | None, today: dt.datetime | None = None) -> str | None:
    """`7d`, `24h`, `30m`, `2w` ago, or an ISO date, as the log's timestamp format."""
    if not text:
        return None
    now = today or dt.datetime.now(dt.UTC)
    match = re.fullmatch(r"(\d+)\s*([mhdw])", text.strip())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match.group(2)]
        try:
            return ago(dt.timedelta(**{unit: int(match.group(1))}), now)
        except OverflowError:  # before year 1 (`--since 999999999999d`): the whole log
            return EARLIEST
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"时间写法不对: {text!r}（例如 7d、24h、2w 或 2026-11-01）") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="milliseconds")


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
