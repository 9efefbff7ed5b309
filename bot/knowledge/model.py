"""Loading and checking the knowledge directory: the one place that knows its layout.

    knowledge/
      bot.yaml            the bot's own texts (welcome, help, fallback, small talk)
      synonyms.yaml       groups of words that mean the same thing
      faq/*.yaml          one file per category, each with its entries
      sources/ID.yaml     metadata of a source document; its text is in sources/ID.txt

Loading never half-succeeds: either every file checks out and a `Knowledge` comes back, or the
caller gets every problem found, each with file and line, and keeps what it had.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.knowledge.bulk import paused_gc
from bot.knowledge.fastyaml import read_fast
from bot.knowledge.files import Snapshot, read_snapshot
from bot.knowledge.yamlfile import LineDict, LineList, Problem, line_of, not_utf8, read_yaml

# Ids travel in Telegram button data (64 bytes with the rest), so they are short and ASCII;
# letters of either case, digits, ".", "_" and "-" let imported FAQ ids stay as they were.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_MESSAGE = 4096  # Telegram's limit for one message
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MIN_SIMILAR = 4

ENTRY_FIELDS = {"id", "question", "similar", "answer", "source", "keywords", "related", "review_by"}
ENTRY_REQUIRED = ("id", "question", "answer", "source")
FAQ_FIELDS = {"category", "description", "entries"}
SOURCE_FIELDS = {"document", "quote"}
DOCUMENT_FIELDS = {"title", "publisher", "outlet", "date", "url", "passages"}
TEXT_FIELDS = {"name", "welcome", "help", "fallback", "clarify", "empty", "smalltalk", "thresholds"}
THRESHOLD_FIELDS = ("answer", "margin", "clarify")
TEXT_REQUIRED = ("name", "welcome", "help", "fallback", "clarify", "empty")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    date: str
    publisher: str = ""
    outlet: str = ""
    url: str = ""
    text: str = ""
    answer_from: bool = True  # may the engine quote its passages when no FAQ entry matches?

    @cached_property
    def passages(self) -> list[str]:
        return split_passages(self.text)

    @cached_property
    def comparable_text(self) -> str:
        return comparable(self.text)

    @cached_property
    def figures(self) -> frozenset[str]:
        """Every number the document states, its own date included: answers say which day
        their facts are from."""
        return frozenset(figures(self.text) | figures(self.date))


@dataclass(frozen=True)
class Source:
    document: str
    quote: str


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    question: str
    similar: tuple[str, ...]
    answer: str
    source: Source
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    review_by: dt.date | None = None
    path: Path = Path()
    line: int = 0
    question_lines: tuple[int, ...] = ()  # the line of each of `questions`
    answer_line: int = 0

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.question, *self.similar)


@dataclass(frozen=True)
class SmallTalk:
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Texts:
    name: str
    welcome: str
    help: str
    fallback: str
    clarify: str
    empty: str
    smalltalk: tuple[SmallTalk, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    directory: Path
    version: str
    texts: Texts
    entries: tuple[Entry, ...]
    documents: dict[str, Document]
    synonyms: tuple[tuple[str, ...], ...]
    categories: tuple[str, ...]
    thresholds: dict[str, float] = field(default_factory=dict)  # from bot.yaml, if calibrated
    warnings: tuple[Problem, ...] = ()
    by_id: dict[str, Entry] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_id.update({entry.id: entry for entry in self.entries})

    def in_category(self, category: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.category == category]


class KnowledgeError(Exception):
    """The knowledge does not check out; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class KnowledgeDirMissing(Exception):
    """The knowledge directory itself cannot be read."""


def comparable(text: str) -> str:
    """The form in which a quote must appear in its document: width-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def figures(text: str) -> set[str]:
    """Every number in a text, as written digits (full-width folded, "2,887" as "2887")."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", unicodedata.normalize("NFKC", text))
    return {number.lstrip("0") or "0" for number in NUMBER.findall(text)}


def unsupported_figures(answer: str, quote: str, document: Document) -> list[str]:
    """Numbers in an answer that neither the quote nor the cited document contains."""
    return sorted(figures(answer) - figures(quote) - document.figures, key=lambda n: (len(n), n))


PASSAGE_CHARS = 300


def split_passages(text: str) -> list[str]:
    """A document's text as passages to answer from: its paragraphs, with short ones (headings)
    joined to what follows and long ones cut at sentence ends near PASSAGE_CHARS."""
    passages: list[str] = []
    pending = ""
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n|\n", text)):
        if not paragraph:
            continue
        paragraph = f"{pending} {paragraph}".strip() if pending else paragraph
        if len(paragraph) < 40:
            pending = paragraph
            continue
        pending = ""
        while len(paragraph) > PASSAGE_CHARS * 1.5:
            cut = max(paragraph.rfind(mark, 0, PASSAGE_CHARS + 1) for mark in "。；！？")
            cut = cut + 1 if cut > 0 else PASSAGE_CHARS
            passages.append(paragraph[:cut].strip())
            paragraph = paragraph[cut:].strip()
        passages.append(paragraph)
    if pending:
        passages.append(pending)
    return passages


def load(directory: Path | str | Snapshot, lines: bool = True) -> Knowledge:
    """Load and check a knowledge directory (or a snapshot of one already read); raise
    `KnowledgeError` listing every error. `lines=False`: see `check`."""
    knowledge, problems = check(directory, lines)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors or knowledge is None:
        raise KnowledgeError(errors)
    return knowledge


def check(
    directory: Path | str | Snapshot, lines: bool = True
) -> tuple[Knowledge | None, list[Problem]]:
    """Every problem in a knowledge directory, and the knowledge if there are no errors.

    `lines=False` is for serving: large files are read fast, without line numbers (entries
    from them have line 0; bot.knowledge.fastyaml), and any file with a problem is read again
    with lines, so every problem still names its line. The garbage collector is paused while
    the millions of objects of a large knowledge base are made (bot.knowledge.bulk)."""
    snapshot = directory if isinstance(directory, Snapshot) else snapshot_of(Path(directory))
    with paused_gc():
        reader = _Reader(snapshot, fast=not lines)
        knowledge = reader.read()
        again = reader.fast_files & {problem.path for problem in reader.problems}
        if again:
            reader = _Reader(snapshot, fast=True, exact=again)
            knowledge = reader.read()
    if any(problem.severity == "error" for problem in reader.problems):
        knowledge = None
    return knowledge, reader.problems


def snapshot_of(directory: Path) -> Snapshot:
    """Every knowledge file read into memory (bot.knowledge.files), or `KnowledgeDirMissing`."""
    if not directory.is_dir():
        raise KnowledgeDirMissing(f"知识库目录不存在或无法读取: {directory}")
    try:
        return read_snapshot(directory)
    except PermissionError as exc:
        raise KnowledgeDirMissing(f"知识库无法读取: {exc}") from exc


class _Reader:
    """Reads one directory, collecting problems instead of stopping at the first."""

    def __init__(
        self, snapshot: Snapshot, fast: bool = False, exact: set[Path] = frozenset()
    ) -> None:
        """`fast`: read large files without line numbers, except those in `exact`."""
        self.snapshot = snapshot
        self.directory = snapshot.directory
        self.problems: list[Problem] = list(snapshot.problems)
        self.fast, self.exact = fast, exact
        self.fast_files: set[Path] = set()  # the files read without line numbers

    def problem(self, path: Path, line: int, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(path, line, message, severity))

    def yaml(self, path: Path) -> object:
        contents = self.snapshot.contents[path]
        if self.fast and path not in self.exact:
            data = read_fast(contents)
            if data is not None:
                self.fast_files.add(path)
                return data
        data, problems = read_yaml(path, contents)
        self.problems.extend(problems)
        return data

    def fields(self, path: Path, data: LineDict, allowed: set[str], required, what: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    path,
                    data.line_of(key),
                    f"{what}里有未知字段 “{key}”；可用的字段: {', '.join(sorted(allowed))}",
                )
        for key in required:
            value = data.get(key)
            if value is None or value == [] or (isinstance(value, str) and not value.strip()):
                self.problem(path, data.line, f"{what}缺少必填字段 “{key}”")

    def read(self) -> Knowledge:
        texts, thresholds = self.read_texts(self.directory / "bot.yaml")
        synonyms = self.read_synonyms(self.directory / "synonyms.yaml")
        documents = self.read_documents(self.directory / "sources")
        entries, categories = self.read_faq(self.directory / "faq", documents)
        self.check_references(entries)
        warnings = tuple(p for p in self.problems if p.severity == "warning")
        return Knowledge(
            directory=self.directory,
            version=self.snapshot.version,
            texts=texts,
            entries=tuple(entries),
            documents=documents,
            synonyms=synonyms,
            categories=tuple(categories),
            thresholds=thresholds,
            warnings=warnings,
        )

    def mapping(self, path: Path) -> LineDict | None:
        if path not in self.snapshot.contents:
            if not self.snapshot.refused(path):  # a refused file has said why already
                self.problem(path, 1, "缺少这个文件")
            return None
        data = self.yaml(path)
        if data is None:
            return None
        if not isinstance(data, LineDict):
            self.problem(path, line_of(data), "文件的最外层应该是 “字段: 值” 的形式")
            return None
        return data

    def text_field(self, path: Path, data: LineDict, key: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(path, data.line_of(key), f"“{key}” 应该是一段文字")
            return ""
        return value.strip()

    def string_list(self, path: Path, data: LineDict, key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, LineList) or not all(isinstance(v, str | int) for v in value):
            self.problem(path, data.line_of(key), f"“{key}” 应该是一个列表，每行以 “- ” 开头")
            return ()
        for item in value:
            if not str(item).strip():
                self.problem(path, line_of(item, data.line_of(key)), f"“{key}” 里有空白的一项")
        return tuple(str(item).strip() for item in value if str(item).strip())

    def read_texts(self, path: Path) -> tuple[Texts, dict[str, float]]:
        data = self.mapping(path) or LineDict()
        if data:
            self.fields(path, data, TEXT_FIELDS, TEXT_REQUIRED, "bot.yaml ")
        smalltalk = []
        items = data.get("smalltalk")
        if items is not None and not isinstance(items, LineList):
            self.problem(path, data.line_of("smalltalk"), "smalltalk 应该是一个列表")
            items = None
        for item in items or []:
            if not isinstance(item, LineDict) or not item.get("patterns") or not item.get("reply"):
                self.problem(path, line_of(item), "smalltalk 的每一项都要有 patterns 和 reply")
                continue
            patterns = self.string_list(path, item, "patterns")
            smalltalk.append(SmallTalk(patterns, self.text_field(path, item, "reply")))
        texts = Texts(
            **{key: self.text_field(path, data, key) for key in TEXT_REQUIRED},
            smalltalk=tuple(smalltalk),
        )
        return texts, self.read_thresholds(path, data)

    def read_thresholds(self, path: Path, data: LineDict) -> dict[str, float]:
        value = data.get("thresholds")
        if value is None:
            return {}
        valid = (
            isinstance(value, LineDict)
            and set(value) == set(THRESHOLD_FIELDS)
            and all(isinstance(v, int | float) and 0 <= v <= 1 for v in value.values())
        )
        if not valid:
            self.problem(
                path,
                data.line_of("thresholds"),
                "thresholds 要写 answer、margin、clarify 三项，都是 0 到 1 之间的数"
                "（用 policybot eval --calibrate 生成）",
            )
            return {}
        return {key: float(value[key]) for key in THRESHOLD_FIELDS}

    def read_synonyms(self, path: Path) -> tuple[tuple[str, ...], ...]:
        data = self.mapping(path)
        if data is None:
            return ()
        self.fields(path, data, {"groups"}, (), "synonyms.yaml ")
        if "groups" not in data:
            self.problem(
                path, data.line, "synonyms.yaml 缺少 “groups:”（没有同义词就写 groups: []）"
            )
        groups = data.get("groups")
        if not isinstance(groups, LineList):
            if groups is not None:
                self.problem(path, data.line_of("groups"), "groups 应该是一个列表")
            return ()
        seen: dict[str, int] = {}
        result = []
        for group in groups:
            line = line_of(group, data.line_of("groups"))
            words = (
                [w.strip() for w in group if isinstance(w, str)]
                if isinstance(group, LineList)
                else []
            )
            if not isinstance(group, LineList) or len(words) != len(group) or len(words) < 2:
                self.problem(
                    path, line, "同义词组要写成 [词1, 词2, ...]，至少两个词，第一个是标准说法"
                )
                continue
            if not all(words):
                self.problem(path, line, "同义词组里有空白的词")
                continue
            for word in words:
                if word in seen:
                    self.problem(path, line, f"“{word}” 已经出现在第 {seen[word]} 行的同义词组里")
                seen[word] = line
            result.append(tuple(words))
        return tuple(result)

    def read_documents(self, directory: Path) -> dict[str, Document]:
        documents = {}
        for path in self.snapshot.files("sources/*.yaml"):
            data = self.mapping(path)
            if data is None:
                continue
            self.fields(path, data, DOCUMENT_FIELDS, ("title", "date"), "来源文档信息")
            text_path = path.with_suffix(".txt")
            text = self.document_text(path, text_path)
            if text is None:
                continue
            documents[path.stem] = Document(
                id=path.stem,
                title=self.text_field(path, data, "title"),
                date=str(data.get("date") or ""),
                publisher=self.text_field(path, data, "publisher"),
                outlet=self.text_field(path, data, "outlet"),
                url=self.text_field(path, data, "url"),
                text=text,
                answer_from=data.get("passages", True) is not False,
            )
        return documents

    def document_text(self, path: Path, text_path: Path) -> str | None:
        """A source document's text, or None when it is missing or unreadable (and said so)."""
        data = self.snapshot.contents.get(text_path)
        if data is None:
            if not self.snapshot.refused(text_path):
                self.problem(path, 1, f"缺少正文文件 {text_path.name}")
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems.append(not_utf8(text_path, data, exc))
            return None

    def read_faq(
        self, directory: Path, documents: dict[str, Document]
    ) -> tuple[list[Entry], list[str]]:
        entries: list[Entry] = []
        categories: list[str] = []
        files = self.snapshot.files("faq/*.yaml")
        if not files:
            self.problem(directory, 1, "faq 目录里没有任何 .yaml 问答文件")
        for path in files:
            data = self.mapping(path)
            if data is None:
                continue
            self.fields(path, data, FAQ_FIELDS, ("category", "entries"), "问答文件")
            category = self.text_field(path, data, "category")
            if category and category not in categories:
                categories.append(category)
            items = data.get("entries")
            if items is not None and not isinstance(items, LineList):
                self.problem(path, data.line_of("entries"), "entries 应该是一个列表")
                continue
            for item in items or []:
                entry = self.read_entry(path, item, category, documents)
                if entry is not None:
                    entries.append(entry)
        return entries, categories

    def read_entry(
        self, path: Path, item: object, category: str, documents: dict[str, Document]
    ) -> Entry | None:
        if not isinstance(item, LineDict):
            self.problem(path, line_of(item), "每个问答条目都应该以 “- id: ...” 开头")
            return None
        self.fields(path, item, ENTRY_FIELDS, ENTRY_REQUIRED, "问答条目")
        entry_id = str(item.get("id") or "")
        if entry_id and not ID_PATTERN.match(entry_id):
            self.problem(
                path,
                item.line_of("id"),
                f"id “{entry_id}” 不合规：只能用英文字母、数字和 . _ -，最多 40 个字符",
            )
        similar = self.string_list(path, item, "similar")
        if len(similar) < MIN_SIMILAR:
            self.problem(
                path,
                item.line_of("similar"),
                f"相似问只有 {len(similar)} 个，建议至少 {MIN_SIMILAR} 个，按用户的说法写",
                "warning",
            )
        source = self.read_source(path, item, documents)
        answer = self.text_field(path, item, "answer")
        self.check_answer(path, item, answer, source, documents.get(source.document))
        review_by = item.get("review_by")
        # A time of day (`2027-01-31 10:00`) makes a datetime, which cannot be compared to a date.
        if review_by is not None and (
            isinstance(review_by, dt.datetime) or not isinstance(review_by, dt.date)
        ):
            self.problem(path, item.line_of("review_by"), "review_by 要写成日期，如 2027-01-31")
            review_by = None
        if review_by is not None and review_by < dt.date.today():
            self.problem(
                path,
                item.line_of("review_by"),
                f"review_by {review_by} 已经过了：请核对这个答案是否仍然准确，再改一个新日期",
                "warning",
            )
        raw_similar = item.get("similar") if isinstance(item.get("similar"), LineList) else []
        similar_lines = [line_of(v, item.line_of("similar")) for v in raw_similar if str(v).strip()]
        return Entry(
            id=entry_id,
            category=category,
            question=self.text_field(path, item, "question"),
            similar=similar,
            answer=answer,
            source=source,
            keywords=self.string_list(path, item, "keywords"),
            related=self.string_list(path, item, "related"),
            review_by=review_by,
            path=path,
            line=item.line,
            question_lines=(item.line_of("question"), *similar_lines),
            answer_line=item.line_of("answer"),
        )

    def check_answer(
        self, path: Path, item: LineDict, answer: str, source: Source, document: Document | None
    ) -> None:
        """Figures an answer states must be in what it cites; and it must fit one message."""
        line = item.line_of("answer")
        if len(answer) > MAX_MESSAGE:
            self.problem(
                path,
                line,
                f"答案有 {len(answer)} 个字，超过 Telegram 一条消息的 {MAX_MESSAGE} 字，会被拆成几条",
                "warning",
            )
        if document is None:
            return
        for figure in unsupported_figures(answer, source.quote, document):
            self.problem(
                path,
                line,
                f"答案里的数字 “{figure}” 在引文和来源文档 “{document.id}” 里都找不到："
                "请核对数字，或在 source.quote 里引用写着它的原文",
            )

    def read_source(self, path: Path, item: LineDict, documents: dict[str, Document]) -> Source:
        data = item.get("source")
        if data is None:
            return Source("", "")
        line = item.line_of("source")
        if not isinstance(data, LineDict):
            self.problem(path, line, "source 要写 document 和 quote 两项")
            return Source("", "")
        self.fields(path, data, SOURCE_FIELDS, ("document", "quote"), "source ")
        source = Source(
            self.text_field(path, data, "document"), self.text_field(path, data, "quote")
        )
        document = documents.get(source.document)
        if source.document and document is None:
            known = ", ".join(sorted(documents)) or "无"
            self.problem(
                path,
                data.line_of("document"),
                f"来源文档 “{source.document}” 不存在；已有的文档: {known}",
            )
        elif document and source.quote and comparable(source.quote) not in document.comparable_text:
            self.problem(
                path,
                data.line_of("quote"),
                f"引文在文档 “{source.document}” 里找不到原文，请从原文逐字复制",
            )
        return source

    def check_references(self, entries: list[Entry]) -> None:
        first: dict[str, Entry] = {}
        for entry in entries:
            if not entry.id:
                continue
            if entry.id in first:
                other = first[entry.id]
                self.problem(
                    entry.path,
                    entry.line,
                    f"id “{entry.id}” 重复，已在 {other.path.name}:{other.line} 使用过",
                )
            else:
                first[entry.id] = entry
        for entry in entries:
            for related in entry.related:
                if related not in first:
                    self.problem(
                        entry.path,
                        entry.line,
                        f"related 里的 “{related}” 不是已有条目的 id",
                        "warning",
                    )
