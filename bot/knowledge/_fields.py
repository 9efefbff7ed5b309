"""Reading YAML files whose values carry their line numbers (bot.knowledge.yamlfile), field by
field, collecting every problem with its file and line instead of stopping at the first.
Private: `Fields` is what the knowledge readers (`_reader`, `_faq`) share."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from bot.knowledge.fastyaml import read_fast
from bot.knowledge.files import Snapshot
from bot.knowledge.yamlfile import LineDict, LineList, Problem, line_of, read_yaml


class Fields:
    """One snapshot's files read field by field; the problems found so far in `problems`."""

    def __init__(
        self, snapshot: Snapshot, fast: bool = False, exact: Collection[Path] = ()
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
        # One set comparison for the usual case, with nothing unknown (100k entries: 200k calls).
        for key in () if data.keys() <= allowed else data:
            if key not in allowed:
                self.problem(
                    path,
                    data.line_of(key),
                    f"{what}里有未知字段 “{key}”；可用的字段: {', '.join(sorted(allowed))}",
                )
        for key in required:
            value = data.get(key)
            if (not value.strip()) if isinstance(value, str) else (value is None or value == []):
                self.problem(path, data.line, f"{what}缺少必填字段 “{key}”")

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

    def _not_texts(self, path: Path, data: LineDict, key: str, value: object) -> None:
        """The problem with a field that should be a list of texts and is not: an item with an
        ASCII colon and a space (`- 注意: 问题`) is read by YAML as a mapping, and telling the
        admin to write a list, which they did, would send them to the wrong fix."""
        items = value if isinstance(value, LineList) else ()
        colon = next((item for item in items if isinstance(item, dict)), None)
        if colon is None:
            self.problem(path, data.line_of(key), f"“{key}” 应该是一个列表，每行以 “- ” 开头")
            return
        self.problem(
            path,
            line_of(colon, data.line_of(key)),
            f"“{key}” 里这一项有英文冒号加空格（“: ”），YAML 把它读成了 “字段: 值”："
            "请改用中文冒号（“：”），或把整句放进引号里",
        )

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
        # Lists, not generators, and a number's text has no spaces to strip: 300k calls at 100k.
        if not isinstance(value, LineList) or not all([isinstance(v, (str, int)) for v in value]):
            self._not_texts(path, data, key, value)
            return ()
        texts = [item.strip() if isinstance(item, str) else str(item) for item in value]
        if all(texts):
            return tuple(texts)
        for item, text in zip(value, texts, strict=True):
            if not text:
                self.problem(path, line_of(item, data.line_of(key)), f"“{key}” 里有空白的一项")
        return tuple(text for text in texts if text)
