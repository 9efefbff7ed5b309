"""What reviewers decided about gap clusters, so a triaged cluster does not come back.

A decision is stored against each question of the cluster (its normalized text), not against
the cluster: clusters are recomputed from the log every time and may merge or split as new
questions arrive, but a question keeps its text. A cluster takes the latest decision made about
any of its questions, so an ignored 天气 cluster stays ignored when next week's weather
questions join it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from bot.log.database import connect, now
from bot.log.gaps import Cluster
from bot.text.normalize import normalize

NEW, IN_PROGRESS, DONE, IGNORED = "new", "in_progress", "done", "ignored"
STATES = {NEW: "待处理", IN_PROGRESS: "处理中", DONE: "已完成", IGNORED: "已忽略"}


class Triage:
    def __init__(self, path: Path | str) -> None:
        self.db = connect(Path(path))
        self.lock = threading.Lock()

    def set(self, questions: list[str], state: str, by: str) -> None:
        """Record a decision for every question of a cluster; `new` forgets earlier ones."""
        if state not in STATES:
            raise ValueError(f"unknown gap state {state!r}")
        keys = sorted({normalize(q) for q in questions if normalize(q)})
        with self.lock, self.db:
            if state == NEW:
                self.db.executemany(
                    "DELETE FROM gap_triage WHERE question = ?", [(k,) for k in keys]
                )
                return
            self.db.executemany(
                "INSERT INTO gap_triage (question, state, by, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (question) DO UPDATE SET state = excluded.state, by = excluded.by, "
                "at = excluded.at",
                [(key, state, by, now()) for key in keys],
            )

    def state_of(self, questions: list[str]) -> tuple[str, str | None, str | None]:
        """The latest decision about any of these questions: state, by whom, when."""
        keys = sorted({normalize(q) for q in questions})
        if not keys:
            return NEW, None, None
        marks = ", ".join("?" * len(keys))
        with self.lock:
            row = self.db.execute(
                f"SELECT state, by, at FROM gap_triage WHERE question IN ({marks}) "
                "ORDER BY at DESC LIMIT 1",
                keys,
            ).fetchone()
        return (row[0], row[1], row[2]) if row else (NEW, None, None)

    def untriaged(self, clusters: list[Cluster]) -> list[Cluster]:
        """The clusters still to look at: neither done nor ignored."""
        return [c for c in clusters if self.state_of(c.questions)[0] in (NEW, IN_PROGRESS)]

    def close(self) -> None:
        with self.lock:
            self.db.close()
