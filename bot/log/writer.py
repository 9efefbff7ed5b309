"""The exchange log: every question, what the bot answered, and what users thought of it.

`ExchangeLog` is what channels call (storage is bot.log.store's `ExchangeStore`): it redacts,
pseudonymizes, stamps the knowledge version, and never lets a storage problem stop a reply or
go unsaid:

- Writes go to one writer thread, which commits them in batches (up to `BATCH` rows per
  transaction). With `background=True` (the servers: Telegram, web, WeChat) `record` returns at
  once and the event loop never waits for SQLite, and the writer, woken by a row, gathers the
  rows of the next `LINGER` seconds into the same transaction; otherwise (the terminal
  commands) `record` returns once its row is committed.
- A write that fails (a locked, full, read-only, deleted or corrupt database) is held and
  retried with backoff, with one error line when the trouble starts and one when it ends; past
  `MAX_UNSAVED` held writes the oldest are let go, and each time that is said too. A row that
  can never be stored (it breaks an encoding) is dropped alone, with an error line.
- A database file deleted or replaced under the running bot is noticed and opened anew; a
  database that cannot be read at start (a corrupt header) is moved aside and a new one begun.

What a `kill -9` can lose: with `background=True`, the rows handed to the writer and not yet
committed (the writer commits `LINGER` seconds after a row arrives, so normally the last
20-odd milliseconds of traffic; at most `MAX_UNSAVED`), always the newest, never a row from
the middle, and nothing once the writer has caught up; otherwise at most the exchange being written. Both are tested
by killing a process with SIGKILL (tests/log/test_store.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.core import CLARIFY, Answer
from bot.log.database import NewerLog
from bot.log.store import Exchange, ExchangeStore, Feedback, open_store
from bot.text.normalize import valid_text
from bot.text.privacy import Pseudonymizer, redact

log = logging.getLogger(__name__)

BATCH = 50  # rows per transaction: half the CPU of one commit per row (bench/log_write.py)
# How long the background writer gathers rows after the first one arrives, before committing
# them in one transaction. Under web load, rows came a millisecond or two apart and each woke
# the writer for a transaction of its own: 0.3 ms of CPU a row, against 0.05 ms in batches
# (docs/benchmarks-log.md). It is also how much more of the newest traffic a `kill -9` can lose.
LINGER = 0.02
MAX_UNSAVED = 10_000  # writes held in memory while the log cannot be written (~1 KB each)
RETRY_DELAYS = (0.01, 0.05, 0.2, 1.0, 2.0)  # seconds between tries while writes fail
CLOSE_SECONDS = 5.0  # how long a closing log keeps trying to store held writes
KEYS_KEPT = 10_000  # pseudonyms of recent users kept by the writer (one HMAC per user, not per row)


class Ids:
    """Exchange ids, 12 hex digits from the operating system's random source, as
    `secrets.token_hex(6)` makes them, but drawn 4 KB at a time: one system call per 682 ids.
    The id is made on the reply path (a button needs it), where a system call and the
    `SystemRandom` machinery cost 7 µs hot and 30-40 µs cold under load (docs/benchmarks.md)."""

    SIZE = 6

    def __init__(self) -> None:
        self.lock = threading.Lock()  # channels answering from several threads (WeChat)
        self.pool = b""
        self.used = 0

    def __call__(self) -> str:
        with self.lock:
            if self.used + self.SIZE > len(self.pool):
                self.pool, self.used = os.urandom(4096 - 4096 % self.SIZE), 0
            start = self.used
            self.used += self.SIZE
            return self.pool[start : self.used].hex()


class Stamps:
    """A `time.time()` as the log's timestamps read (`bot.log.database.now`: ISO 8601, UTC,
    milliseconds), made in the writer thread. On the reply path `now()` cost 13 µs hot and
    50-70 µs cold under load, mostly `isoformat`; here the second's text is made once and
    only the milliseconds per row."""

    def __init__(self) -> None:
        self.second: int | None = None
        self.prefix = ""

    def __call__(self, at: float) -> str:
        second, micros = divmod(round(at * 1_000_000), 1_000_000)  # as datetime rounds
        if second != self.second:
            moment = dt.datetime.fromtimestamp(second, dt.UTC)
            self.second, self.prefix = second, moment.isoformat().removesuffix("+00:00")
        return f"{self.prefix}.{micros // 1000:03d}+00:00"


@dataclass
class ExchangeLog:
    """What channels call to record exchanges and feedback (see the module docstring)."""

    store: ExchangeStore | None
    users: Pseudonymizer
    path: Path | None = None  # the SQLite file, to reopen it when it is deleted or replaced
    background: bool = False
    linger: float = LINGER  # seconds (background only): see LINGER
    pending: deque = field(default_factory=deque)  # (kind, values) not yet committed
    dropped: int = 0  # writes let go, in all (each time said in the log)
    failing: bool = False
    closed: bool = False

    def __post_init__(self) -> None:
        self.changed = threading.Condition()
        # The writer thread is waiting for rows: only then does a new row need to wake it.
        # Waking it for every row under load cost the event loop 7% of a Telegram reply (the
        # woken thread takes the core, and the GIL, from the loop); while it is busy writing,
        # rows queue up and go in its next batch without any signal.
        self.idle = False
        # Write attempts begun and ended, for `flush` to wait for one begun after its call: a
        # try that failed while the log was locked, counted just after the lock was released
        # and flush called, is no answer to that flush (the writer tests failed so under load).
        self.begun = 0
        self.attempts = 0
        self.ids = Ids()
        self.stamps = Stamps()  # the writer thread's alone
        self.keys: dict[tuple[str, object], str | None] = {}  # (channel, user): pseudonym
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
        except NewerLog:
            raise
        except (sqlite3.Error, OSError) as exc:
            log.error("exchange log %s cannot be opened (%s); writes are held", path, exc)
            store = None
        return cls(store, users, path, background)

    @property
    def unsaved(self) -> list:
        """Writes not yet committed (held after a failure, or still queued)."""
        with self.changed:
            return list(self.pending)

    def offered_by(self, exchange_id: str) -> tuple[str, ...] | None:
        """The entries a recorded exchange offered to pick from (none for an answer), or None
        when no exchange of that id was recorded: a vote or a pick naming it is refused. One
        still queued offers its list; one read back from the store, every entry it ranked (the
        log keeps the ranking, not the list cut from it)."""
        with self.changed:
            for kind, values in self.pending:
                if kind == "exchange" and values[0] == exchange_id:
                    return tuple(c.id for c in values[2].choices)
        if self.store is None:
            return None
        try:
            found = self.store.exchange(exchange_id)
        except sqlite3.Error as exc:  # nothing to check against: refused, not an error page
            log.error("exchange log: exchange %s cannot be read (%s)", exchange_id, exc)
            return None
        if found is None:
            return None
        return tuple(c["id"] for c in found.candidates) if found.status == CLARIFY else ()

    def record(
        self,
        answer: Answer,
        channel: str,
        knowledge_version: str,
        chat_type: str | None = None,
        user_id: object = None,
    ) -> str:
        """Store one exchange; returns its id (for feedback buttons) even if storing failed."""
        exchange_id = self.ids()
        values = (exchange_id, time.time(), answer, channel, knowledge_version, chat_type, user_id)
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
        values = (exchange_id or None, time.time(), kind, entry_id, channel, user_id)
        self._submit("feedback", values)

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
            if self.idle or not self.background:
                self.changed.notify_all()
            wait = not self.background and not self.failing  # a failing store: no wait
        if wait:
            self.flush()

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every write submitted so far is committed, or a try begun after this call
        has failed (then it stays held; the failure is in the log)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.changed:
            tried = self.begun + 1  # the try that begins next, once ended
            while self.pending and (not self.failing or self.attempts < tried):
                left = None if deadline is None else deadline - time.monotonic()
                if (left is not None and left <= 0) or not self.writer.is_alive():
                    return
                self.changed.wait(left)

    def close(self) -> None:
        """Stop, after retrying held writes for up to `CLOSE_SECONDS`: a log locked for a
        second by another process lost `ask --log`'s exchange, which one more try at the end
        could not store (probe16). What is still held then is lost, and said so."""
        deadline = time.monotonic() + CLOSE_SECONDS
        while self.unsaved and self.writer.is_alive() and time.monotonic() < deadline:
            self.flush(timeout=deadline - time.monotonic())
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
                woken = False
                while not self.pending and not self.closed:
                    self.idle = True
                    self.changed.wait()
                    self.idle = False
                    woken = True
                if woken and self.background:  # the rows of the next moment join this one
                    self.changed.wait_for(lambda: self.closed, timeout=self.linger)
                if self.closed:
                    return
                batch = [self.pending[n] for n in range(min(BATCH, len(self.pending)))]
                self.begun += 1
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
            store = self._open()
        except (sqlite3.Error, OSError) as exc:
            return 0, exc
        try:
            store.write([self._row(kind, values) for kind, values in batch])
            return len(batch), None
        except (sqlite3.Error, OSError) as exc:
            if "readonly" in str(exc) and self.path is not None:
                # SQLite opened the file read-only and stays so: open it again next time, in
                # case it has been made writable meanwhile
                store.close()
                self.store = None
            return 0, exc
        except Exception:  # a write that fails whatever the store's state: find it, drop it
            pass
        for position, (kind, values) in enumerate(batch):
            try:
                store.write([self._row(kind, values)])
            except (sqlite3.Error, OSError) as exc:
                return position, exc
            except Exception:
                log.exception("exchange log: a %s could not be stored and was let go", kind)
                with self.changed:
                    self.dropped += 1
        return len(batch), None

    def _key(self, channel: str, user_id: object) -> str | None:
        """The user's pseudonym, remembered: people ask several questions in a row."""
        try:
            return self.keys[channel, user_id]
        except KeyError:
            if len(self.keys) >= KEYS_KEPT:
                self.keys.clear()
            key = self.keys[channel, user_id] = self.users.key(channel, user_id)
            return key
        except TypeError:  # a user id that cannot be a dictionary key
            return self.users.key(channel, user_id)

    def _open(self) -> ExchangeStore:
        """The store to write to: the database opened again when it could not be opened, or
        was deleted or replaced."""
        if self.store is not None and (self.path is None or not self.store.replaced()):
            return self.store
        if self.path is None:
            raise sqlite3.OperationalError("the exchange log has no store")
        if self.store is not None:
            log.error("exchange log %s was deleted or replaced; opening it anew", self.path)
            self.store.close()
            self.store = None
        self.store = open_store(self.path)
        return self.store

    def _row(self, kind: str, values: tuple) -> Exchange | Feedback:
        if kind == "feedback":
            exchange_id, at, feedback_kind, entry_id, channel, user_id = values
            return Feedback(
                exchange_id, self.stamps(at), feedback_kind, entry_id, self._key(channel, user_id)
            )
        exchange_id, at, answer, channel, version, chat_type, user_id = values
        question = redact(valid_text(answer.question))
        return Exchange(
            id=exchange_id,
            at=self.stamps(at),
            channel=channel,
            chat_type=chat_type,
            user_key=self._key(channel, user_id),
            question=question,
            status=answer.status,
            entry_id=answer.entry_id,
            score=round(answer.score, 4),
            candidates=_candidates(answer),
            latency_ms=round(answer.took_ms, 3),
            knowledge_version=valid_text(version),
            also=[
                {
                    "id": a.entry_id,
                    "part": redact(valid_text(a.question)),
                    "score": round(a.score, 4),
                }
                for a in answer.also
            ],
        )


def _candidates(answer: Answer) -> list[dict]:
    """An exchange's candidates as logged; the one a bare follow-up was read against (the
    entry the conversation was last answered with: `Answer.context`) says so."""
    found = [{"id": c.id, "score": round(c.score, 4)} for c in answer.candidates]
    if answer.context is not None:
        for candidate in found:
            if candidate["id"] == answer.context:
                candidate["context"] = True
    return found
