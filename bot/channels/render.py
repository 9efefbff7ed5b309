"""How an answer reads as plain text: the words every channel shows, whatever its markup."""

from __future__ import annotations

import hashlib

from bot.engine.core import ANSWERED, Answer
from bot.knowledge.model import Entry, Knowledge

RELATED_SHOWN = 3


def category_key(category: str) -> str:
    """A short stable key for a category: survives reloads that reorder categories."""
    return hashlib.sha1(category.encode()).hexdigest()[:8]


def find_category(knowledge: Knowledge, key: str) -> str | None:
    """The category a key from `category_key` stands for, if it still exists."""
    return next((c for c in knowledge.categories if category_key(c) == key), None)


def source_line(source: dict) -> str:
    """《title》 and date: enough for a reader to find the original."""
    title = source.get("title") or source.get("document", "")
    date = source.get("date", "")
    return f"来源：《{title}》" + (f"，{date}" if date else "")


def related(answer: Answer, knowledge: Knowledge) -> list[Entry]:
    """The entries an answered entry points to, as far as they still exist."""
    if answer.status != ANSWERED or answer.entry is None:
        return []
    entries = (knowledge.by_id.get(entry_id) for entry_id in answer.entry.related)
    return [entry for entry in entries if entry is not None][:RELATED_SHOWN]


def as_text(answer: Answer, knowledge: Knowledge) -> str:
    """The answer as a person reads it in a terminal."""
    lines = [answer.answer.strip()]
    if answer.sources:
        lines += ["", *(source_line(source) for source in answer.sources)]
    more = related(answer, knowledge)
    if more:
        lines += ["", "相关问题：", *(f"  · {entry.question}" for entry in more)]
    return "\n".join(lines)
