"""Reading the FAQ files (`faq/*.yaml`) into entries: each entry's fields, its source and the
quote's place in the document, the figures its answer states, and ids and `related` links
across files. Private: called by `_reader.Reader`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.knowledge._fields import Fields
from bot.knowledge.model import (
    ENTRY_FIELDS,
    ENTRY_REQUIRED,
    FAQ_FIELDS,
    ID_PATTERN,
    MIN_SIMILAR,
    SOURCE_FIELDS,
    Document,
    Entry,
    Source,
    comparable,
    made_as_init_would,
    unsupported_figures,
)
from bot.knowledge.yamlfile import LineDict, LineList, line_of

# A save cut short (a full disk, an editor killed mid-write) leaves an empty file: read as no
# entries, it would take its category's answers out of the running bot without a word.
EMPTY_FAQ = (
    "问答文件是空的（或只有注释），没有 category 和 entries：可能是保存时被中断或磁盘满了，"
    "请从备份或版本记录里恢复；若要删掉这个分类的全部问答，请删除整个文件"
)


def read_faq(
    reader: Fields, directory: Path, documents: dict[str, Document], max_answer: int
) -> tuple[list[Entry], list[str], dict[str, Entry]]:
    """Every entry of faq/*.yaml, the categories in file order, and the entries by id when each
    has an id of its own (else empty, and `Knowledge` makes it); answers longer than `max_answer`
    characters (bot.yaml's setting) draw a warning, ids used twice and `related` ids that no
    entry has a problem each."""
    entries: list[Entry] = []
    categories: list[str] = []
    # Each entry's id and links are noted as it is made: a pass over 100k entries made earlier
    # cost ~0.05 s of CPU, most of it reading their scattered memory back (benchmarks-log.md).
    first: dict[str, Entry] = {}  # the first entry with each id
    repeated: list[Entry] = []  # entries whose id an earlier entry has
    linked: list[Entry] = []  # entries with `related` ids
    files = reader.snapshot.files("faq/*.yaml")
    if not files:
        reader.problem(directory, 1, "faq 目录里没有任何 .yaml 问答文件")
    for path in files:
        said = len(reader.problems)
        data = reader.mapping(path)
        if data is None:
            if len(reader.problems) == said:  # no YAML error: the file is empty or only comments
                reader.problem(path, 1, EMPTY_FAQ)
            continue
        reader.fields(path, data, FAQ_FIELDS, ("category", "entries"), "问答文件")
        category = reader.text_field(path, data, "category")
        if category and category not in categories:
            categories.append(category)
        items = data.get("entries")
        if items is not None and not isinstance(items, LineList):
            reader.problem(path, data.line_of("entries"), "entries 应该是一个列表")
            continue
        for item in items or []:
            entry = read_entry(reader, path, item, category, documents, max_answer)
            if entry is not None:
                entries.append(entry)
                if entry.id and first.setdefault(entry.id, entry) is not entry:
                    repeated.append(entry)
                if entry.related:
                    linked.append(entry)
    _check_references(reader, first, repeated, linked)
    own = not repeated and len(first) == len(entries)  # every entry under an id of its own
    return entries, categories, first if own else {}


def read_entry(
    reader: Fields,
    path: Path,
    item: object,
    category: str,
    documents: dict[str, Document],
    max_answer: int,
) -> Entry | None:
    if not isinstance(item, LineDict):
        reader.problem(path, line_of(item), "每个问答条目都应该以 “- id: ...” 开头")
        return None
    reader.fields(path, item, ENTRY_FIELDS, ENTRY_REQUIRED, "问答条目")
    given_id = item.get("id")
    entry_id = str(given_id or "")
    if entry_id and not ID_PATTERN.match(entry_id):
        reader.problem(
            path,
            item.line_of("id"),
            f"id “{entry_id}” 不合规：只能用英文字母、数字和 . _ -，最多 40 个字符",
        )
    elif not entry_id and given_id is not None and not isinstance(given_id, str | list):
        # `id: 0`, `id: no`: YAML reads a number or a truth value, and the entry would load with
        # no id at all (blank text and empty lists are reported as missing by `fields`).
        reader.problem(
            path,
            item.line_of("id"),
            "id 要写成一段文字（如 fugong-zhuanchuang）：0、no、false 这样的值会被读成数字或真假值，"
            "请换一个 id 或加引号",
        )
    similar = reader.string_list(path, item, "similar")
    if len(similar) < MIN_SIMILAR:
        reader.problem(
            path,
            item.line_of("similar"),
            f"相似问只有 {len(similar)} 个，建议至少 {MIN_SIMILAR} 个，按用户的说法写",
            "warning",
        )
    source = read_source(reader, path, item, documents)
    answer = reader.text_field(path, item, "answer")
    check_answer(reader, path, item, answer, source, documents.get(source.document), max_answer)
    review_by = item.get("review_by")
    # A time of day (`2027-01-31 10:00`) makes a datetime, which cannot be compared to a date.
    if review_by is not None and (
        isinstance(review_by, dt.datetime) or not isinstance(review_by, dt.date)
    ):
        reader.problem(path, item.line_of("review_by"), "review_by 要写成日期，如 2027-01-31")
        review_by = None
    if review_by is not None and review_by < dt.date.today():
        reader.problem(
            path,
            item.line_of("review_by"),
            f"review_by {review_by} 已经过了：请核对这个答案是否仍然准确，再改一个新日期",
            "warning",
        )
    given = item.get("similar")
    raw_similar = given if isinstance(given, LineList) else LineList()
    listed = item.line_of("similar")
    # `line_of` inlined: 400k calls at 100k entries.
    similar_lines = [getattr(v, "line", 0) or listed for v in raw_similar]
    # A question YAML read as a number (`- 12345`, kept as typed) has its line kept aside.
    for index, (line, _) in raw_similar.typed.items():
        similar_lines[index] = line
    if len(raw_similar) != len(similar):  # blank items left out (or the list refused)
        similar_lines = [
            n for v, n in zip(raw_similar, similar_lines, strict=True) if str(v).strip()
        ]
    # Every field, in the order Entry declares them (its __dict__'s order is its pickle's).
    return made_as_init_would(
        Entry,
        {
            "id": entry_id,
            "category": category,
            "question": reader.text_field(path, item, "question"),
            "similar": similar,
            "answer": answer,
            "source": source,
            "keywords": reader.string_list(path, item, "keywords"),
            "related": reader.string_list(path, item, "related"),
            "review_by": review_by,
            "path": path,
            "line": item.line,
            "question_lines": (item.line_of("question"), *similar_lines),
            "answer_line": item.line_of("answer"),
        },
    )


def check_answer(
    reader: Fields,
    path: Path,
    item: LineDict,
    answer: str,
    source: Source,
    document: Document | None,
    max_answer: int,
) -> None:
    """Figures an answer states must be in what it cites; and it should be short enough to read
    in one go. The length is a knowledge rule, not a channel's: each channel splits a long
    answer as it must (Telegram at its 4,096-character message limit)."""
    if len(answer) > max_answer:
        reader.problem(
            path,
            item.line_of("answer"),
            f"答案有 {len(answer)} 个字，超过 {max_answer} 字：太长，发送时会被拆成几条，请精简或拆成几个条目",
            "warning",
        )
    if document is None:
        return
    for figure in unsupported_figures(answer, source.quote, document):
        reader.problem(
            path,
            item.line_of("answer"),
            f"答案里的数字 “{figure}” 在引文和来源文档 “{document.id}” 里都找不到："
            "请核对数字，或在 source.quote 里引用写着它的原文",
        )


def read_source(
    reader: Fields, path: Path, item: LineDict, documents: dict[str, Document]
) -> Source:
    data = item.get("source")
    if data is None:
        return Source("", "")
    if not isinstance(data, LineDict):
        reader.problem(path, item.line_of("source"), "source 要写 document 和 quote 两项")
        return Source("", "")
    reader.fields(path, data, SOURCE_FIELDS, ("document", "quote"), "source ")
    source = made_as_init_would(
        Source,
        {
            "document": reader.text_field(path, data, "document"),
            "quote": reader.text_field(path, data, "quote"),
        },
    )
    document = documents.get(source.document)
    if source.document and document is None:
        known = ", ".join(sorted(documents)) or "无"
        reader.problem(
            path,
            data.line_of("document"),
            f"来源文档 “{source.document}” 不存在；已有的文档: {known}",
        )
    elif document and source.quote and comparable(source.quote) not in document.comparable_text:
        reader.problem(
            path,
            data.line_of("quote"),
            f"引文在文档 “{source.document}” 里找不到原文，请从原文逐字复制",
        )
    return source


def _check_references(
    reader: Fields, first: dict[str, Entry], repeated: list[Entry], linked: list[Entry]
) -> None:
    """An id used again is an error where it is used again; a `related` id no entry has, a
    warning."""
    for entry in repeated:
        other = first[entry.id]
        reader.problem(
            entry.path,
            entry.line,
            f"id “{entry.id}” 重复，已在 {other.path.name}:{other.line} 使用过",
        )
    for entry in linked:
        for related in entry.related:
            if related not in first:
                reader.problem(
                    entry.path,
                    entry.line,
                    f"related 里的 “{related}” 不是已有条目的 id",
                    "warning",
                )
