"""Reading YAML files whose values carry their line numbers (bot.knowledge.yamlfile), field by
field, collecting every problem with its file and line instead of stopping at the first.
Private: `Fields` is what the knowledge readers (`_reader`, `_faq`) share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import cast

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
        self._commented: dict[Path, frozenset[int]] = {}  # by `_commented_lines`

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
            typed = data.typed.get(key)
            self.problem(
                path,
                data.line_of(key),
                f"“{key}” 应该是一段文字"
                if typed is None
                else _read_as(key, typed, value, f"{key}: '{typed}'"),
            )
            return ""
        return value.strip()

    def string_list(self, path: Path, data: LineDict, key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        # A list, not a generator: 300k calls at 100k entries.
        if isinstance(value, LineList) and all([isinstance(v, str) for v in value]):
            texts: list[str | None] = [item.strip() for item in value]
        elif isinstance(value, LineList) and not any(isinstance(v, dict | list) for v in value):
            texts = self._typed_items(path, data, key, value)
        else:
            self._not_texts(path, data, key, value)
            return ()
        if key in _SPOKEN and path not in self.fast_files:
            self._comments_in(path, key, value)
        if all(texts):
            return tuple(cast("list[str]", texts))  # all(): no None
        for item, text in zip(value, texts, strict=True):
            if text == "":
                self.problem(path, line_of(item, data.line_of(key)), f"“{key}” 里有空白的一项")
        return tuple(text for text in texts if text)

    def _typed_items(
        self, path: Path, data: LineDict, key: str, value: LineList
    ) -> list[str | None]:
        """`value`'s items as texts, a blank one as "", and None for each YAML read as other
        than text (reported): a number read only as the digits typed (`- 12345`) is that text,
        but `8:30` is 510, `no` False, `1_000` 1000, and the admin meant none of them."""
        texts: list[str | None] = []
        for index, item in enumerate(value):
            line, typed = value.typed.get(index, (data.line_of(key), ""))
            if isinstance(item, str):
                texts.append(item.strip())
            elif item is None and not typed:
                texts.append("")
            elif type(item) is int and typed == str(item):
                texts.append(typed)
            else:
                self.problem(path, line, _read_as(key, typed, item, f"- '{typed}'", "里的 "))
                texts.append(None)
        return texts

    def _comments_in(self, path: Path, key: str, value: LineList) -> None:
        """Warn of a question or keyword with ` #` after it on its line: YAML cut it there as a
        comment (`- 复工 #1 窗口在哪` is 复工), which is legitimate, so not an error."""
        commented = self._commented.get(path)
        if commented is None:
            commented = self._commented[path] = _commented_lines(self.snapshot.contents[path])
        for item in value if commented else ():
            if isinstance(item, str) and line_of(item, 0) in commented and "#" not in item:
                self.problem(
                    path,
                    line_of(item),
                    f"“{key}” 的这一项后面有 “ #”，YAML 把 # 之后当成注释，只读到了 “{item}”："
                    "如果 # 是这一句的一部分，请把整句放进引号里（- '……'）",
                    "warning",
                )


# The lists whose items are what users say (an id in `related` may carry a comment).
_SPOKEN = frozenset({"similar", "keywords", "patterns"})
# What YAML 1.1 makes of plain values that are not text, in the admin's words; bool before int
# (a bool is an int), datetime a date.
_KINDS = ((bool, "真假值"), (int, "数字"), (float, "数字"), (dt.date, "日期"), (type(None), "空值"))


def _read_as(key: str, typed: str, value: object, quoted: str, where: str = "写的 ") -> str:
    kind = next((name for kind, name in _KINDS if isinstance(value, kind)), "别的值")
    return (
        f"“{key}” {where}{typed} 被 YAML 读成了{kind}，不是原样的文字：请把它放进引号里（{quoted}）"
    )


def _commented_lines(contents: bytes) -> frozenset[int]:
    """The numbers of the lines with ` #` (a comment, or a `#` inside quotes) in a file."""
    if b"#" not in contents:
        return frozenset()
    lines = contents.decode("utf-8", "replace").split("\n")
    return frozenset(n for n, line in enumerate(lines, 1) if " #" in line or "\t#" in line)
