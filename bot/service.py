"""The running service's state that every channel shares: the knowledge in use and its counters.

Reloading builds a complete new engine first and swaps it in with one assignment, so a question
is always answered by one whole knowledge version, and a broken edit never replaces a good one.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Answer, Engine
from bot.knowledge import KnowledgeDirMissing, KnowledgeError, load
from bot.yamlfile import Problem


@dataclass
class Service:
    """The engine in use, how to reload it, and what it has done since start."""

    directory: Path
    engine: Engine
    started: float = field(default_factory=time.monotonic)
    served: Counter = field(default_factory=Counter)

    @classmethod
    def open(cls, directory: Path | str) -> Service:
        """Load the knowledge; raises like `bot.knowledge.load` when it cannot."""
        directory = Path(directory)
        return cls(directory, Engine(load(directory)))

    def answer(self, question: str) -> Answer:
        answer = self.engine.answer(question)
        self.served[answer.status] += 1
        return answer

    def reload(self) -> list[Problem]:
        """Re-read the knowledge; on any error keep serving the old one and return the errors."""
        try:
            engine = Engine(load(self.directory))
        except KnowledgeError as exc:
            return exc.problems
        except (KnowledgeDirMissing, OSError) as exc:
            return [Problem(self.directory, 0, str(exc))]
        self.engine = engine
        return []

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started
