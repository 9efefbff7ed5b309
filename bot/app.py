"""The running service's state that every channel shares: the knowledge in use and the log.

Reloading builds a complete new engine first and swaps it in with one assignment, so a question
is always answered by one whole knowledge version, and a broken edit never replaces a good one.
The files are read once into memory and that copy is what gets checked and served; if any file
changed while it was read (an editor saving in several writes), the new version is not swapped
in at all, and the next look at the files tries again.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.cache import EngineCache, build_engine
from bot.engine.core import Answer, Engine
from bot.knowledge.model import KnowledgeDirMissing, KnowledgeError, snapshot_of
from bot.knowledge.yamlfile import Problem
from bot.log.store import ExchangeLog

CHANGED_WHILE_READING = "读取时知识文件正在被修改，这次没有换用；文件保存完后会自动重试"


@dataclass
class Service:
    """The engine in use, how to reload it, and where exchanges are recorded."""

    directory: Path
    engine: Engine
    log: ExchangeLog | None = None
    cache: EngineCache | None = None  # built engines kept between starts (bot.engine.cache)
    started: float = field(default_factory=time.monotonic)
    started_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    )

    @classmethod
    def open(
        cls,
        directory: Path | str,
        log: ExchangeLog | None = None,
        cache: EngineCache | None = None,
    ) -> Service:
        """Load the knowledge; raises like `bot.knowledge.load` when it cannot."""
        directory = Path(directory)
        return cls(directory, build_engine(directory, cache), log, cache)

    def ask(
        self,
        question: str,
        channel: str,
        chat_type: str | None = None,
        user_id: object = None,
    ) -> tuple[Answer, str | None]:
        """Answer a question and record the exchange; returns the answer and the exchange id."""
        engine = self.engine  # one version for the whole exchange, even if a reload lands now
        answer = engine.answer(question)
        if self.log is None:
            return answer, None
        version = engine.knowledge.version
        return answer, self.log.record(answer, channel, version, chat_type, user_id)

    def reload(self) -> list[Problem]:
        """Re-read the knowledge; on any error keep serving the old one and return the errors.
        A version whose files changed while they were read is not served either: it comes
        back as one problem saying so (`CHANGED_WHILE_READING`), and is tried again later."""
        try:
            snapshot = snapshot_of(self.directory)
            engine = build_engine(snapshot, self.cache)
        except KnowledgeError as exc:
            return exc.problems
        except (KnowledgeDirMissing, OSError) as exc:
            return [Problem(self.directory, 0, str(exc))]
        if not snapshot.unchanged():
            return [Problem(self.directory, 0, CHANGED_WHILE_READING)]
        self.engine = engine
        return []

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started
