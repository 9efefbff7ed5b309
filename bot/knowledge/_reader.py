"""Reading a knowledge directory's files into `bot.knowledge.model` types, collecting every
problem with its file and line instead of stopping at the first. Private: callers use
`bot.knowledge.model.load` and `check`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.knowledge.fastyaml import read_fast
from bot.knowledge.files import Snapshot
from bot.knowledge.model import (
    DOCUMENT_FIELDS,
    ENTRY_FIELDS,
    ENTRY_REQUIRED,
    FAQ_FIELDS,
    ID_PATTERN,
    MAX_MESSAGE,
    MIN_SIMILAR,
    SOURCE_FIELDS,
    TEXT_DEFAULTS,
    TEXT_FIELDS,
    TEXT_REQUIRED,
    THRESHOLD_FIELDS,
    Document,
    Entry,
    Knowledge,
    SmallTalk,
    Source,
    Texts,
    comparable,
    unsupported_figures,
)
from bot.knowledge.yamlfile import LineDict, LineList, Problem, line_of, not_utf8, read_yaml


class Reader:
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
        self.fallback_lines: dict[str, int] = {}  # each `fallbacks:` category's line in bot.yaml

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
        self.check_fallbacks(categories)
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
        optional = {key: self.text_field(path, data, key) for key in TEXT_DEFAULTS}
        texts = Texts(
            **{key: self.text_field(path, data, key) for key in TEXT_REQUIRED},
            smalltalk=tuple(smalltalk),
            **{key: value for key, value in optional.items() if value},
            fallbacks=self.read_fallbacks(path, data),
        )
        if "{question}" not in texts.confirm:
            self.problem(
                path, data.line_of("confirm"), "confirm 里要有 {question}，代表被确认的问题"
            )
        return texts, self.read_thresholds(path, data)

    def read_fallbacks(self, path: Path, data: LineDict) -> dict[str, str]:
        """`fallbacks:` maps a category to where its questions should turn."""
        value = data.get("fallbacks")
        if value is None:
            return {}
        if not isinstance(value, LineDict) or not all(
            isinstance(text, str) and text.strip() for text in value.values()
        ):
            self.problem(
                path, data.line_of("fallbacks"), "fallbacks 要写成 “分类: 兜底说明” 的形式"
            )
            return {}
        self.fallback_lines = {str(category): value.line_of(category) for category in value}
        return {str(category): text.strip() for category, text in value.items()}

    def check_fallbacks(self, categories: list[str]) -> None:
        """A `fallbacks:` category no entry has is never shown: most often a category renamed
        in faq/ but not in bot.yaml, whose questions then get the general fallback."""
        for category, line in self.fallback_lines.items():
            if category not in categories:
                self.problem(
                    self.directory / "bot.yaml",
                    line,
                    f"fallbacks 里的分类 “{category}” 没有任何条目使用，这段兜底说明不会显示；"
                    f"现有分类: {'、'.join(categories)}",
                    "warning",
                )

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
