"""The running service's state that every channel shares: the knowledge in use and the log.

Reloading builds a complete new engine first and swaps it in with one assignment, so a question
is always answered by one whole knowledge version, and a broken edit never replaces a good one.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.cache import build_engine
from bot.engine.core import Answer, Engine
from bot.knowledge.model import KnowledgeDirMissing, KnowledgeError
from bot.knowledge.yamlfile import Problem
from bot.log.store import ExchangeLog


@dataclass
class Service:
    """The engine in use, how to reload it, and where exchanges are recorded."""

    directory: Path
    engine: Engine
    log: ExchangeLog | None = None
    cache: Path | None = None  # where built engines are kept between starts (bot.engine.cache)
    started: float = field(default_factory=time.monotonic)
    started_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    )

    @classmethod
    def open(
        cls, directory: Path | str, log: ExchangeLog | None = None, cache: Path | None = None
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
        """Re-read the knowledge; on any error keep serving the old one and return the errors."""
        try:
            engine = build_engine(self.directory, self.cache)
        except KnowledgeError as exc:
            return exc.problems
        except (KnowledgeDirMissing, OSError) as exc:
            return [Problem(self.directory, 0, str(exc))]
        self.engine = engine
        return []

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started
