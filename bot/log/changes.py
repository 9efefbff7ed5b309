"""Every change made to the knowledge from the console: who, when, and the entry before and after.

Kept in the log database rather than in git because the console runs where no git may exist and
its users are not programmers; each row holds both versions of the entry as JSON, so a change can
be shown side by side and undone with one click (the undo is itself a change, recorded the same
way).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.log.database import connect, now

CREATED, EDITED, TAUGHT, REVERTED, DELETED = "created", "edited", "taught", "reverted", "deleted"
# Whole files at once: recorded with their report (no entry before/after), not undone here.
IMPORTED, INGESTED = "imported", "ingested"
ACTIONS = {
    CREATED: "新建",
    EDITED: "修改",
    TAUGHT: "加相似问",
    REVERTED: "撤销",
    DELETED: "删除",
    IMPORTED: "导入问答表",
    INGESTED: "添加文档",
}
FILE_ACTIONS = (IMPORTED, INGESTED)


@dataclass(frozen=True)
class Change:
    id: int
    at: str
    by: str
    entry_id: str
    action: str
    file: str
    before: dict | None
    after: dict | None


class Changes:
    def __init__(self, path: Path | str) -> None:
        self.db = connect(Path(path))
        self.lock = threading.Lock()

    def record(
        self,
        by: str,
        entry_id: str,
        action: str,
        file: str,
        before: dict | None,
        after: dict | None,
    ) -> int:
        with self.lock, self.db:
            cursor = self.db.execute(
                "INSERT INTO changes (at, by, entry_id, action, file, before, after) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (now(), by, entry_id, action, file, _dump(before), _dump(after)),
            )
        assert cursor.lastrowid is not None  # an INSERT into a rowid table always sets it
        return cursor.lastrowid

    def get(self, change_id: int) -> Change | None:
        if not 0 < change_id < 2**63:  # no row's id; and past SQLite's integers, an OverflowError
            return None
        rows = self._select("WHERE id = ?", (change_id,))
        return rows[0] if rows else None

    def of_entry(self, entry_id: str) -> list[Change]:
        """An entry's history, newest first."""
        return self._select("WHERE entry_id = ? ORDER BY id DESC", (entry_id,))

    def latest(self, limit: int = 50) -> list[Change]:
        return self._select("ORDER BY id DESC LIMIT ?", (limit,))

    def _select(self, where: str, values: tuple) -> list[Change]:
        with self.lock:
            rows = self.db.execute(
                "SELECT id, at, by, entry_id, action, file, before, after FROM changes " + where,
                values,
            ).fetchall()
        return [
            Change(number, at, by, entry_id, action, file, _load(before), _load(after))
            for number, at, by, entry_id, action, file, before, after in rows
        ]

    def close(self) -> None:
        with self.lock:
            self.db.close()


def _dump(entry: dict | None) -> str | None:
    return None if entry is None else json.dumps(entry, ensure_ascii=False, default=str)


def _load(text: str | None) -> dict | None:
    return None if text is None else json.loads(text)
