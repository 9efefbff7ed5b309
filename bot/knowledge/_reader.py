"""Reading a knowledge directory's files into `bot.knowledge.model` types, collecting every
problem with its file and line instead of stopping at the first: bot.yaml, synonyms.yaml and
the source documents here, the FAQ files in `_faq`. Private: callers use
`bot.knowledge.model.load` and `check`."""

from __future__ import annotations

import re
from pathlib import Path

from bot.knowledge._faq import read_faq
from bot.knowledge._fields import Fields
from bot.knowledge.model import (
    DOCUMENT_FIELDS,
    MAX_ANSWER,
    TEXT_DEFAULTS,
    TEXT_FIELDS,
    TEXT_REQUIRED,
    THRESHOLD_FIELDS,
    Document,
    Knowledge,
    SmallTalk,
    Texts,
)
from bot.knowledge.yamlfile import LineDict, LineList, line_of, not_utf8

# A place name as messages write it (the engine reads them folded to simplified characters).
_PLACE = re.compile(r"[\u4e00-\u9fff]+")


class Reader(Fields):
    """Reads one directory, collecting problems instead of stopping at the first."""

    def read(self) -> Knowledge:
        texts, thresholds, max_answer, places = self.read_texts(self.directory / "bot.yaml")
        synonyms = self.read_synonyms(self.directory / "synonyms.yaml")
        documents = self.read_documents(self.directory / "sources")
        entries, categories, by_id = read_faq(self, self.directory / "faq", documents, max_answer)
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
            places=places,
            warnings=warnings,
            by_id=by_id,
        )

    def read_texts(self, path: Path) -> tuple[Texts, dict[str, float], int, tuple[str, ...]]:
        """The bot's texts, and its settings: the thresholds, the answer length limit and the
        city's own names."""
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
        thresholds, max_answer = self.read_thresholds(path, data), self.read_max_answer(path, data)
        return texts, thresholds, max_answer, self.read_places(path, data)

    def read_places(self, path: Path, data: LineDict) -> tuple[str, ...]:
        """`places:` the city's own names, each a word of two Chinese characters or more (one
        character, 市 or 县, would weigh nothing in every message)."""
        places = self.string_list(path, data, "places")
        wrong = [place for place in places if len(place) < 2 or not _PLACE.fullmatch(place)]
        for place in wrong:
            self.problem(
                path,
                data.line_of("places"),
                f"places 里的 “{place}” 要写成两个字以上的汉字地名，"
                "不带空格、字母和标点（如 抚远、抚远市）",
            )
        return tuple(place for place in places if place not in wrong)

    def read_fallbacks(self, path: Path, data: LineDict) -> dict[str, str]:
        """`fallbacks:` maps a category to where its questions should turn."""
        self.fallback_lines: dict[str, int] = {}  # each category's line, for check_fallbacks
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

    def read_max_answer(self, path: Path, data: LineDict) -> int:
        """`max_answer:` the characters past which an answer draws a warning (default 4096)."""
        value = data.get("max_answer", MAX_ANSWER)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(
                path,
                data.line_of("max_answer"),
                f"max_answer 要写一个正整数（答案最多多少个字，默认 {MAX_ANSWER}），不能是 “{value}”",
            )
            return MAX_ANSWER
        return value

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
