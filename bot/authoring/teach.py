"""Teaching an entry a new phrasing: the one-command path from a gap report to better answers.

The question is added to the entry's similar questions in its YAML file with ruamel.yaml's
round-trip mode, so the admins' comments, ordering and block answers stay exactly as they were.
It is refused when the engine already matches the question better to another entry (teaching it
here would make the two entries fight), and undone if the knowledge no longer validates.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from bot.engine.core import Engine
from bot.knowledge.model import Knowledge, check


class TeachRefused(Exception):
    """The question was not added; the message says why and what to do instead."""


@dataclass(frozen=True)
class Taught:
    path: Path
    entry_id: str
    question: str


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long Chinese lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def teach(knowledge: Knowledge, question: str, entry_id: str) -> Taught:
    """Add `question` to entry `entry_id`'s similar questions, or raise `TeachRefused`."""
    question = " ".join(question.split())
    entry = knowledge.by_id.get(entry_id)
    if entry is None:
        raise TeachRefused(f"没有 id 为 “{entry_id}” 的条目")
    if not question:
        raise TeachRefused("问题是空的")
    engine = Engine(knowledge)
    prepared = engine.prepare(question)
    if any(engine.prepare(q) == prepared for q in entry.questions):
        raise TeachRefused(f"条目 {entry_id} 已经有这个问法了")
    ranked = engine.candidates(question, len(knowledge.entries))
    own = next((c.score for c in ranked if c.id == entry_id), 0.0)
    best = ranked[0] if ranked else None
    if best is not None and best.id != entry_id and best.score > own:
        raise TeachRefused(
            f"这个问题更接近条目 {best.id}「{best.question}」（{best.score:.2f}，"
            f"而 {entry_id} 只有 {own:.2f}）。加到 {entry_id} 会让两个条目互相抢答；"
            f"如果它确实属于 {entry_id}，请先调整 {best.id} 的相似问，或换一个更明确的问法。"
        )
    _append_similar(entry.path, entry_id, question, knowledge.directory)
    return Taught(entry.path, entry_id, question)


def _append_similar(path: Path, entry_id: str, question: str, directory: Path) -> None:
    yaml = _yaml()
    original = path.read_text(encoding="utf-8")
    data = yaml.load(original)
    target = next(item for item in data["entries"] if item.get("id") == entry_id)
    target["similar"].append(question)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    _, problems = check(directory)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        path.write_text(original, encoding="utf-8")
        raise TeachRefused("加入后知识库无法通过检查，已撤销：\n" + "\n".join(map(str, errors)))
