"""Creating, editing and deleting entries in the admins' YAML files, checked before they land.

A proposed change is first written into a scratch copy of the knowledge directory and checked
there with the same rules as `policybot validate`, so a bad edit never touches the files the bot
serves from. Each error is tied back to the form field it is about (by the line it is reported
on), for the console to show beside that field. A good change is written with ruamel.yaml's
round-trip mode — comments, key order and block answers stay as the admins wrote them — and
replaces the file in one rename, so the hot-reload watcher never reads half a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.authoring.disk import held, write_whole
from bot.knowledge.model import ID_PATTERN, Entry, Knowledge, check, snapshot_of
from bot.knowledge.yamlfile import LineDict, line_of, read_yaml, reads_as_text

if TYPE_CHECKING:  # imported where used: every `policybot` command imports this module
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

GENERAL = "_general"  # problems not about one field (another file, the whole knowledge)


class EditRefused(Exception):
    """The change was not saved; `errors` maps each form field to what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for messages in errors.values() for m in messages))


@dataclass(frozen=True)
class Saved:
    entry_id: str
    path: Path
    before: dict | None
    after: dict | None


@dataclass
class Draft:
    """An entry as the editor form holds it: plain text fields, lists one item per line."""

    id: str = ""
    category: str = ""
    question: str = ""
    similar: list[str] = field(default_factory=list)
    answer: str = ""
    document: str = ""
    quote: str = ""
    keywords: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    review_by: str = ""

    @classmethod
    def of(cls, entry: Entry) -> Draft:
        return cls(
            id=entry.id,
            category=entry.category,
            question=entry.question,
            similar=list(entry.similar),
            answer=entry.answer,
            document=entry.source.document,
            quote=entry.source.quote,
            keywords=list(entry.keywords),
            related=list(entry.related),
            review_by=entry.review_by.isoformat() if entry.review_by else "",
        )

    @classmethod
    def from_dict(cls, values: dict) -> Draft:
        return cls(**{name: values.get(name, getattr(cls(), name)) for name in cls().__dict__})

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def fingerprint(self) -> str:
        """Identifies this version of the entry, so a save can tell that someone else changed
        it after the form was opened."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def yaml_round_trip() -> YAML:
    """ruamel.yaml set up to write the admins' files back as they were written."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long Chinese lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def split_lines(text: str, commas: bool = True) -> list[str]:
    """A textarea's items: one per line, and with `commas` also split at commas (keywords and
    related ids typed on one line). Questions keep theirs: people write 您好，… in a question."""
    return [
        item.strip() for item in re.split(r"[\n,，、]" if commas else r"\n", text) if item.strip()
    ]


def save(knowledge: Knowledge, draft: Draft, original_id: str | None = None) -> Saved:
    """Create (`original_id` None) or replace an entry; raise `EditRefused` with per-field errors."""
    draft = _tidy(draft)
    errors = _form_errors(knowledge, draft, original_id)
    if errors:
        raise EditRefused(errors)
    directory = knowledge.directory
    before = None
    if original_id is not None:
        entry = knowledge.by_id[original_id]
        path, before = entry.path, Draft.of(entry).to_dict()
    else:
        path = _file_of(knowledge, draft.category)
    from ruamel.yaml.comments import CommentedMap

    with held(directory):  # the file read, changed and written before another writer reads it
        data = _load(path)
        items = data["entries"]
        if original_id is None:
            items.append(_write_into(CommentedMap(), draft))
        else:
            target = next(item for item in items if str(item.get("id")) == original_id)
            _write_into(target, draft)
        _commit(directory, path, _dump(data), draft.id)
    return Saved(draft.id, path, before, draft.to_dict())


def delete(knowledge: Knowledge, entry_id: str) -> Saved:
    """Remove an entry (undoing its creation); refused if the knowledge would not validate."""
    entry = knowledge.by_id.get(entry_id)
    if entry is None:
        raise EditRefused({GENERAL: [f"没有 id 为 “{entry_id}” 的条目"]})
    from ruamel.yaml.comments import CommentedSeq

    with held(knowledge.directory):
        data = _load(entry.path)
        data["entries"] = CommentedSeq(i for i in data["entries"] if str(i.get("id")) != entry_id)
        _commit(knowledge.directory, entry.path, _dump(data), None)
    return Saved(entry_id, entry.path, Draft.of(entry).to_dict(), None)


def _tidy(draft: Draft) -> Draft:
    values = draft.to_dict()
    for name, value in values.items():
        if isinstance(value, list):
            values[name] = [" ".join(str(v).split()) for v in value if str(v).strip()]
        elif name != "answer":
            values[name] = " ".join(str(value).split())
    values["answer"] = values["answer"].strip().replace("\r\n", "\n")
    return Draft(**values)


def _form_errors(knowledge: Knowledge, draft: Draft, original_id: str | None) -> dict:
    """What can be told from the form alone, before any file is written."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not ID_PATTERN.match(draft.id):
        add("id", "id 只能用英文字母、数字和 . _ -，以字母或数字开头，最多 40 个字符")
    elif draft.id != original_id and draft.id in knowledge.by_id:
        add("id", f"id “{draft.id}” 已被另一个条目使用")
    renamed = original_id is not None and draft.id != original_id
    linking = [e.id for e in knowledge.entries if renamed and original_id in e.related]
    if linking:
        # Renamed, those entries' related questions would lose their link to it without a word.
        add(
            "id",
            f"条目 {'、'.join(linking)} 的相关问题链接到 “{original_id}”：改了 id，这些链接就断了。"
            "id 只是编号，用户看不到，请保留原来的 id",
        )
    # Only ids the form adds: one already in the entry (a hand edit's) is `validate`'s warning.
    had = knowledge.by_id[original_id].related if original_id in knowledge.by_id else ()
    for missing in [r for r in draft.related if r not in knowledge.by_id and r not in had]:
        add("related", f"相关条目 “{missing}” 不存在：请核对 id（在“条目”列表里可以查到）")
    for name, label in (
        ("question", "标准问"),
        ("answer", "答案"),
        ("document", "来源文档"),
        ("quote", "引文"),
    ):
        if not getattr(draft, name):
            add(name, f"{label}不能为空")
    if draft.document and draft.document not in knowledge.documents:
        add("document", f"来源文档 “{draft.document}” 不存在")
    if original_id is None and draft.category not in knowledge.categories:
        add("category", "请选择一个已有的分类")
    if original_id is not None and original_id not in knowledge.by_id:
        add(GENERAL, f"条目 “{original_id}” 已不存在（可能刚被别人删除）")
    if draft.review_by:
        try:
            dt.date.fromisoformat(draft.review_by)
        except ValueError:
            add("review_by", "复核日期要写成 2027-01-31 这样的日期")
    return errors


def _file_of(knowledge: Knowledge, category: str) -> Path:
    """The FAQ file a new entry of this category goes to: the one its entries are in."""
    for entry in knowledge.entries:
        if entry.category == category:
            return entry.path
    raise EditRefused({"category": [f"分类 “{category}” 还没有条目文件"]})


def _load(path: Path) -> CommentedMap:
    return yaml_round_trip().load(path.read_text(encoding="utf-8"))


def _dump(data: CommentedMap) -> str:
    buffer = io.StringIO()
    yaml_round_trip().dump(data, buffer)
    return buffer.getvalue()


def _flow(items: list[str]) -> CommentedSeq:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _as_read(draft: Draft) -> Draft:
    """The draft with each text the knowledge's reader would not read back as typed quoted:
    ruamel.yaml writes YAML 1.2, which needs no quotes around on, no, 8:30 or 1_000, and
    PyYAML (YAML 1.1) read those as True, False, 510 and 1000, so a keyword 8:30 saved in the
    console served, and showed there, as 510."""
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    def written(text: str) -> str:
        return text if not text or reads_as_text(text) else SingleQuotedScalarString(text)

    values: dict = {
        name: [written(v) for v in value] if isinstance(value, list) else written(value)
        for name, value in draft.to_dict().items()
    }
    return Draft(**values)


def _write_into(target: CommentedMap, draft: Draft) -> CommentedMap:
    """Set the entry's values, touching only what changed so comments on the rest stay."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    draft = _as_read(draft)

    def put(key: str, value: object, keep_if_equal: object = None) -> None:
        if value in (None, "", []):
            target.pop(key, None)
        elif keep_if_equal is None or keep_if_equal != value:
            target[key] = value

    def text(key: str) -> str:
        value = target.get(key)
        return " ".join(str(value).split()) if value is not None else ""

    put("id", draft.id, text("id"))
    put("question", draft.question, text("question"))
    old = target.get("similar")
    old_similar = [str(s) for s in old or []]
    if old_similar != draft.similar:
        if isinstance(old, CommentedSeq) and draft.similar[: len(old_similar)] == old_similar:
            old.extend(draft.similar[len(old_similar) :])  # appended: comments stay in place
        else:
            put("similar", CommentedSeq(draft.similar) if draft.similar else [])
    if str(target.get("answer") or "").strip() != draft.answer:
        put("answer", LiteralScalarString(draft.answer + "\n"))
    source = target.get("source")
    if not isinstance(source, CommentedMap):
        source = CommentedMap()
        target["source"] = source
    if str(source.get("document") or "") != draft.document:
        source["document"] = draft.document
    if " ".join(str(source.get("quote") or "").split()) != draft.quote:
        source["quote"] = draft.quote
    for key in ("keywords", "related"):
        value = getattr(draft, key)
        if [str(v) for v in target.get(key) or []] != value:
            put(key, _flow(value) if value else [])
    review = dt.date.fromisoformat(draft.review_by) if draft.review_by else None
    if target.get("review_by") != review:
        put("review_by", review)
    return target


def _commit(directory: Path, path: Path, text: str, entry_id: str | None) -> None:
    """Check the knowledge with the changed file in its place (in memory); write it for real
    only if it passes."""
    data = text.encode("utf-8")
    _, problems = check(snapshot_of(directory).replaced(path, data))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise EditRefused(_by_field(errors, path, entry_id, directory, data))
    write_whole(path, text)


def _by_field(
    problems: list, path: Path, entry_id: str | None, directory: Path, data: bytes
) -> dict:
    """Each problem under the form field whose line it was reported on."""
    lines = _field_lines(path, entry_id, data)
    errors: dict[str, list[str]] = {}
    for problem in problems:
        name = lines.get(problem.line) if problem.path == path else None
        if name is None:
            name = GENERAL
            where = (
                problem.path.relative_to(directory)
                if problem.path.is_relative_to(directory)
                else problem.path
            )
            message = f"{where}:{problem.line}: {problem.message}"
        else:
            message = problem.message
        errors.setdefault(name, []).append(message)
    return errors


def _field_lines(path: Path, entry_id: str | None, contents: bytes) -> dict[int, str]:
    """Line number → form field, for the entry `entry_id` in the file's new contents."""
    data, _ = read_yaml(path, contents)
    if not isinstance(data, LineDict) or entry_id is None:
        return {}
    item = next(
        (
            i
            for i in data.get("entries") or []
            if isinstance(i, LineDict) and str(i.get("id")) == entry_id
        ),
        None,
    )
    if item is None:
        return {}
    lines = {item.line: "id"}
    for key in ("id", "question", "answer", "keywords", "related", "review_by", "similar"):
        if key in item.key_lines:
            lines[item.line_of(key)] = key
    for value in item.get("similar") or []:
        lines[line_of(value, item.line_of("similar"))] = "similar"
    source = item.get("source")
    if isinstance(source, LineDict):
        lines[source.line_of("document")] = "document"
        lines[source.line_of("quote")] = "quote"
    return lines
