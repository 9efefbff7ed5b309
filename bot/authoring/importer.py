"""Importing a department's existing FAQ (CSV, XLSX or JSONL) into knowledge YAML.

Each import becomes a source document of its own (sources/import-….txt holds every imported
answer), so imported entries keep the rule every entry follows: they point back to where their
words came from, and the figures check finds every number in its source. Re-importing the same
file rewrites the same files, so an import can be repeated after the department fixes its sheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import yaml

from bot.authoring.disk import write_whole
from bot.authoring.newknowledge import ensure_knowledge_dir
from bot.knowledge.files import slug
from bot.knowledge.model import ID_PATTERN, check
from bot.text.normalize import normalize

DEFAULT_CATEGORY = "导入问答"
# Headers as departments write them, English or Chinese.
COLUMNS = {
    "id": ("id", "编号", "序号id", "问题编号"),
    "question": ("question", "问题", "标准问", "标准问题"),
    "answer": ("answer", "答案", "回答", "答复"),
    "category": ("category", "分类", "类别", "主题"),
    "similar": ("similar", "相似问", "相似问题", "其他问法"),
    "keywords": ("keywords", "关键词", "关键字"),
}
PROGRESS_EVERY = 1000
TAKEN = "知识库里已有的条目"  # an id of an entry another file holds


@dataclass
class ImportReport:
    entries: int = 0
    files: list[Path] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)
    created: bool = False
    # The questions of entries an earlier import of a file of this name made that this one
    # removed: another department's 常见问题.xlsx replaced the first's without a word (probe18).
    removed: list[str] = field(default_factory=list)
    # Similar questions the earlier import's entries had and this sheet's do not: taught since
    # (the gap review's 教学, `policybot teach`), and written over by the sheet (probe18).
    overwritten: list[str] = field(default_factory=list)
    # (row, earlier row) asking the same with another answer: two entries, between which the
    # bot then answers neither; said, as the console shows no `validate` warnings (probe21).
    repeated: list[tuple[int, int]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"导入 {self.entries} 个条目，写入 {len(self.files)} 个文件"]
        if not self.entries:
            lines[0] = "没有可导入的条目，知识库没有改动"
        if self.created:
            lines.append("（新建了最小的知识库目录：bot.yaml、synonyms.yaml、faq/、sources/）")
        if self.empty:
            lines.append(f"空行（缺问题或答案，已跳过）：第 {', '.join(map(str, self.empty))} 行")
        lines += [f"重复（已跳过）：第 {row} 行，{why}" for row, why in self.duplicates]
        if any(TAKEN in why for _, why in self.duplicates):  # the console's export
            lines.append("已有的条目不能用导入修改：请在管理后台或它的 YAML 文件里修改")
        lines += [f"无法导入：第 {row} 行，{why}" for row, why in self.invalid]
        lines += [
            f"第 {row} 行的问题与第 {earlier} 行相同、答案不同：这样问时机器人分不清用哪个"
            "答案，不会直接回答，请合并成一行，或在问题里写明各自的情况"
            for row, earlier in self.repeated
        ]
        if self.removed:
            shown = "、".join(self.removed[:10]) + ("……" if len(self.removed) > 10 else "")
            lines.append(
                f"同名文件上次导入的 {len(self.removed)} 个条目这次的表里没有，已删除：{shown}"
                "（如果那是另一份表，请把这份改个文件名再导入，并重新导入那一份）"
            )
        if self.overwritten:
            shown = "、".join(self.overwritten[:10]) + ("……" if len(self.overwritten) > 10 else "")
            lines.append(
                f"上次导入后加到这些条目的 {len(self.overwritten)} 个相似问这次的表里没有，"
                f"已被表格覆盖：{shown}（请把它们加进表格的相似问列再导入，或重新教学）"
            )
        return "\n".join(lines)


class _Text(HTMLParser):
    """HTML fragments in answers to plain text: blocks become lines, links keep their URL."""

    BLOCKS: ClassVar = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "ul",
        "ol",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: list[str | None] = []
        self.link_text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.link_text = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.href:
            href = self.href.pop()
            text = "".join(self.link_text).strip()
            if href and href.startswith(("http://", "https://")) and href != text:
                self.parts.append(f"（{href}）")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)
            if self.href:
                self.link_text.append(data)


def to_text(value: str) -> str:
    """Plain text from a cell that may hold HTML; URLs and numbers survive."""
    if re.search(r"<[a-zA-Z/!]", value):
        parser = _Text()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in value.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[|\n]", value or "") if part.strip()]


def _header_map(headers: list[str]) -> dict[str, str]:
    found = {}
    for header in headers:
        name = (header or "").strip().lower()
        for field_name, names in COLUMNS.items():
            if name in names and field_name not in found:
                found[field_name] = header
    return found


class ColumnsError(ValueError):
    """The sheet has no question or no answer column under any name we know, or no row to
    find them in; nothing is imported, and the message lists the headers found and the names
    accepted, or says there is no row."""


REQUIRED_COLUMNS = ("question", "answer")


def _require_columns(headers: list[str]) -> None:
    found = _header_map(headers)
    missing = [name for name in REQUIRED_COLUMNS if name not in found]
    if not missing:
        return
    accepted = "；".join(
        f"{'/'.join(names)}{'（必需）' if name in REQUIRED_COLUMNS else ''}"
        for name, names in COLUMNS.items()
    )
    shown = "、".join(f"“{h}”" for h in headers) or "（没有）"
    raise ColumnsError(
        f"找不到{'和'.join(COLUMNS[name][1] for name in missing)}列，没有导入任何条目。"
        f"文件里的列名：{shown}。可用的列名：{accepted}。"
        # A title row above the header is how department sheets often begin (probe18).
        "列名要在表格的第一行：表头上方如果有标题行，请删掉后再导入"
    )


def _decoded(raw: bytes) -> str:
    """A CSV's text: UTF-8, the GBK Chinese Excel saves, or the UTF-16 of Excel's "Unicode 文本"
    (with its byte order mark), which was "'gb18030' codec can't decode byte 0xff" (probe18)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # Chinese Excel saves CSV in GBK
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError(
            "文件的编码既不是 UTF-8 也不是 GBK：请在 Excel 里另存为“CSV UTF-8”或 XLSX 再导入"
        ) from None


def _delimiter(header: str) -> str:
    """The character that parts `header` into the most column names we know. Excel saves a CSV
    with commas, but a table copied from Excel into Notepad and saved as .csv has tabs, and a
    European Excel's CSV semicolons: such a file was refused as having no 问题 column (probe18)."""
    return max(",\t;", key=lambda d: len(_header_map(next(csv.reader([header], delimiter=d)))))


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows as {column: text}, whatever the file type; cells are strings."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open(encoding="utf-8-sig") as handle:
            for line in handle:
                if line.strip():
                    yield {k: "" if v is None else str(v) for k, v in json.loads(line).items()}
                else:
                    yield {}
    elif suffix in (".csv", ".txt"):  # Excel's 文本文件 and “Unicode 文本” save a .txt (probe20)
        text = _decoded(path.read_bytes())
        lines = text.splitlines(keepends=True)
        yield from csv.DictReader(lines, delimiter=_delimiter(lines[0] if lines else ""))
    elif suffix in (".xlsx", ".xlsm"):
        from bot.authoring.sheet import xlsx_rows  # openpyxl: imported only for a sheet

        yield from xlsx_rows(path)
    else:
        raise ValueError(f"不支持的文件类型 {suffix}：请用 .csv、.txt、.xlsx 或 .jsonl")


try:  # libyaml's emitter where PyYAML was built with it (fast)
    from yaml import CSafeDumper as _BaseDumper
except ImportError:
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Multi-line answers as readable `|` blocks."""


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def import_faq(
    path: Path, into: Path, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Read `path`, write its entries as YAML under `into`, and report what was skipped; raise
    `ColumnsError`, before anything is written, when the sheet's columns are not recognised."""
    rows = read_rows(path)
    first = next(rows, None)
    if first is None:  # its column names, if any, are not read without a row (probe20)
        raise ColumnsError("表格里没有数据行（是空文件，或只有列名）：没有导入任何条目")
    _require_columns(list(first))
    rows = itertools.chain([first], rows)
    report = ImportReport(created=ensure_knowledge_dir(into))
    document = f"import-{slug(path.stem)}"
    own_files = set((into / "faq").glob(f"{document}-*.yaml"))
    existing, _ = check(into) if not report.created else (None, [])
    taken = {e.id for e in existing.entries if e.path not in own_files} if existing else set()
    earlier = {e.id: e for e in existing.entries if e.path in own_files} if existing else {}
    seen_ids: dict[str, int] = {}
    seen_questions: dict[str, int] = {}
    seen_answers: dict[tuple[str, str], int] = {}
    categories: dict[str, list[dict]] = {}
    answers: list[str] = []
    headers: dict[str, str] | None = None
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        if progress and number % PROGRESS_EVERY == 0:
            progress(number)
        if headers is None or not set(headers.values()) <= set(row):
            headers = _header_map(list(row))
        cell = {name: to_text(str(row.get(header) or "")) for name, header in headers.items()}
        question, answer = cell.get("question", ""), cell.get("answer", "")
        if not question or not answer:
            report.empty.append(number)
            continue
        key = normalize(question)
        said = (key, normalize(answer))
        if said in seen_answers:
            report.duplicates.append((number, f"问题和答案都与第 {seen_answers[said]} 行相同"))
            continue
        # The same question with another answer is another entry (a sheet may answer one
        # question for several cases), so its generated id takes the answer in too.
        named = key if key not in seen_questions else "\n".join(said)
        entry_id = cell.get("id") or f"q-{hashlib.sha1(named.encode()).hexdigest()[:10]}"
        if not ID_PATTERN.match(entry_id):
            report.invalid.append(
                (number, f"id “{entry_id}” 只能用英文字母、数字和 . _ -，最多 40 个字符")
            )
            continue
        if entry_id in seen_ids or entry_id in taken:
            where = f"第 {seen_ids[entry_id]} 行" if entry_id in seen_ids else TAKEN
            report.duplicates.append((number, f"id {entry_id} 与{where}重复"))
            continue
        seen_ids[entry_id], seen_answers[said] = number, number
        if key in seen_questions:
            report.repeated.append((number, seen_questions[key]))
        seen_questions.setdefault(key, number)
        entry: dict[str, object] = {
            "id": entry_id,
            "question": question,
            "similar": _split_list(cell.get("similar", "")),
        }
        entry["answer"] = answer
        entry["source"] = {"document": document, "quote": answer}
        keywords = _split_list(cell.get("keywords", ""))
        if keywords:
            entry["keywords"] = keywords
        categories.setdefault(cell.get("category") or DEFAULT_CATEGORY, []).append(entry)
        answers.append(answer)
        report.entries += 1
    if not report.entries:  # every row skipped: a broken sheet, or the console's export
        return report  # (its ids all taken): written, it removed an earlier import (probe20)
    # The source first: entries written before it would quote answers it does not hold yet.
    _write_source(into / "sources", document, path, answers)
    for category, entries in categories.items():
        target = into / "faq" / f"{document}-{slug(category)}.yaml"
        header = f"# 从 {path.name} 导入：{category}\n"
        body = yaml.dump(
            {"category": category, "entries": entries},
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            width=4096,
        )
        write_whole(target, header + body)
        report.files.append(target)
    # Last, the files of categories gone from the sheet since the last import.
    for stale in own_files - set(report.files):
        stale.unlink()
    report.removed = [e.question for id_, e in earlier.items() if id_ not in seen_ids]
    phrasings = {
        str(e["id"]): {e["question"], *e["similar"]} for group in categories.values() for e in group
    }
    report.overwritten = [
        q
        for id_, e in earlier.items()
        if id_ in phrasings
        for q in e.similar
        if q not in phrasings[id_]
    ]
    return report


def _write_source(folder: Path, document: str, path: Path, answers: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_whole(folder / f"{document}.txt", "\n\n".join(answers) + "\n")
    # The entries already answer with these texts: no need to quote them as passages too.
    meta = {
        "title": f"导入的问答：{path.name}",
        "date": dt.date.today().isoformat(),
        "passages": False,
    }
    write_whole(
        folder / f"{document}.yaml",
        "# 由 policybot import 生成；重新导入同一文件会覆盖它。\n"
        + yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False),
    )


def print_progress(rows: int) -> None:
    print(
        f"\r已读取 {rows} 行……",
        end="" if sys.stderr.isatty() else "\n",
        file=sys.stderr,
        flush=True,
    )
