"""YAML reading that remembers where every value came from.

Admins fix what they can find: every problem we report names a file and a line. PyYAML's plain
loaders throw positions away, so this loader builds dicts, lists and strings that keep theirs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge, located for the person who has to fix it."""

    path: Path
    line: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class LineStr(str):
    line: int = 0


class LineDict(dict):
    line: int = 0  # 0: not known (read by bot.knowledge.fastyaml, which keeps no lines)
    key_lines: Mapping = MappingProxyType({})
    # A value YAML read as other than text (`no`, `8:30`) keeps no line and not what was typed:
    # key -> the text as typed, for the message that names it.
    typed: Mapping = MappingProxyType({})

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    typed: Mapping = MappingProxyType({})  # index -> (line, text as typed), as LineDict's


_RESOLVER = yaml.resolver.Resolver()
_TEXT = "tag:yaml.org,2002:str"


def reads_as_text(value: str) -> bool:
    """Whether the knowledge's reader (PyYAML: YAML 1.1) reads `value`, written plain, as text.
    YAML 1.1 reads some plain values otherwise that YAML 1.2 writers and readers take as text:
    `on`, `no`, `yes` (booleans), `8:30` (510, base 60), `1_000`, `010` (numbers)."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _TEXT


# libyaml's parser where PyYAML was built with it: ten times faster on large imported FAQs.
try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    duplicates: list[tuple[str, int]]


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]: x` has no use here
            raise yaml.constructor.ConstructorError(
                None, None, "字段名只能是文字，不能是列表或字典", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in result:
            loader.duplicates.append((str(key), line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag != _TEXT:
            result.typed = {**result.typed, key: value_node.value}
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    typed = {
        index: (child.start_mark.line + 1, child.value)
        for index, child in enumerate(node.value)
        if isinstance(child, yaml.ScalarNode) and child.tag != _TEXT
    }
    if typed:
        result.typed = typed
    return result


def _string(loader: _Loader, node: yaml.ScalarNode) -> LineStr:
    result = LineStr(loader.construct_scalar(node))
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor("tag:yaml.org,2002:str", _string)


def read_yaml(path: Path, data: bytes) -> tuple[object, list[Problem]]:
    """Parse one file's contents; syntax errors, duplicate keys and runaway aliases come back as
    problems, never raised."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [not_utf8(path, data, exc)]
    loader = _Loader(text)
    loader.duplicates = []
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        # Only an alias (`*name`) can make a document larger than its file: without one, the
        # count is skipped (it is a third of reading a typical FAQ file).
        if "*" in text and _expanded_size(node) > max(
            ALIAS_FACTOR * _distinct_nodes(node), ALIAS_FLOOR
        ):
            line = node.start_mark.line + 1
            return None, [Problem(path, line, "别名（&、* 引用）展开后太大：请不要层层引用")]
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        wide = _wide_indent(text, line)
        if wide:
            return None, [Problem(path, wide, WIDE_INDENT)]
        if exc.context_mark and "end of stream" in (exc.problem or ""):
            # A quote left open runs to the end of the file, where the parser gives up: the
            # mistake is where it opened, hundreds of lines up.
            return None, [Problem(path, exc.context_mark.line + 1, UNCLOSED)]
        lines = text.split("\n")
        sign = _SIGN_FIRST.match(lines[line - 1] if line <= len(lines) else "")
        if sign:
            return None, [Problem(path, line, SIGN_FIRST.format(sign.group(1)))]
        return None, [Problem(path, line, f"YAML 格式错误：{exc.problem}（检查缩进、冒号和引号）")]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [Problem(path, 1, f"YAML 格式错误：{exc}")]
    finally:
        loader.dispose()
    problems = [
        Problem(path, line, f"字段 “{key}” 重复出现，请删掉其中一个")
        for key, line in loader.duplicates
    ]
    return value, problems


# A Chinese input method's full-width space (U+3000) is not indentation to YAML: the line is read
# as text run on from the one before, and the parser fails lines later, where it stops making
# sense (30 lines on in a FAQ file). The first such indent before that point is the mistake,
# when it stands before a list item or a field (`　　- 问题`, `　　question:`): at the start of a
# paragraph of an answer written as a block (`answer: |`), 　　 is the text's own indent, valid.
_WIDE_INDENT = re.compile(
    r"^[ \t]*\u3000[\u3000 \t]*(?:-(?:[ \t]|$)|[^\s:#]+:(?:[ \t]|$))", re.MULTILINE
)
WIDE_INDENT = (
    "行首有全角空格（“　”）：YAML 的缩进只能用半角空格，请把这一行开头的全角空格换成半角空格"
)


UNCLOSED = "引号没有配对：这里开头的引号（' 或 \"）一直没有结束，请在这一句末尾补上同样的引号，或删掉开头的引号"
# A list item or a field's value that starts with one of YAML's signs ([置顶] for 【置顶】, *急*,
# @某某, a quote closed mid-sentence) is read as YAML's own syntax, and libyaml's words for what
# then fails ("did not find expected '-' indicator") tell an admin nothing.
_SIGN_FIRST = re.compile(r"^[ \t]*(?:-[ \t]+|[^\s:#]+:[ \t]+)([\[\]{}*&!@%`|>'\"])")
SIGN_FIRST = (
    "这一项以 “{}” 开头，YAML 把它当成格式符号：请去掉它或换成中文符号（如【】“”），"
    "或把整句放进引号里（- '……'）"
)


def _wide_indent(text: str, failed_at: int) -> int:
    """The line of the first full-width indent at or before line `failed_at`, else 0."""
    found = _WIDE_INDENT.search(text)
    if found is None:
        return 0
    line = text.count("\n", 0, found.start()) + 1
    return line if line <= failed_at else 0


def not_utf8(path: Path, data: bytes, exc: UnicodeDecodeError) -> Problem:
    """The problem for a file that is not UTF-8, at the line of its first bad byte."""
    line = data[: exc.start].count(b"\n") + 1
    return Problem(path, line, f"文件不是 UTF-8 编码，请用 UTF-8 保存 ({exc.reason})")


# Aliases let a small file stand for a huge tree (`a: &a [x, x]`, `b: &b [*a, *a]`, … the
# "billion laughs"): anything that walks the loaded data would then run for ever. A file may
# expand to a few times its own nodes (reusing a block is fine), never to more.
ALIAS_FACTOR = 4
ALIAS_FLOOR = 100_000


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expanded_size(node: yaml.Node) -> float:
    """How many nodes the document has once every alias is expanded (infinite for an alias
    inside its own anchor); counted over the shared graph, each node once with its size
    remembered, so it costs only as much as the file."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if children_done:
            visiting.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(current))
            continue
        if key in sizes:
            continue
        if key in visiting:  # depth-first, so only a node's own descendants come up meanwhile
            return float("inf")
        visiting.add(key)
        stack.append((current, True))
        stack.extend((child, False) for child in _children(current))
    return sizes[id(node)]


def _distinct_nodes(node: yaml.Node) -> int:
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) not in seen:
            seen.add(id(current))
            stack.extend(_children(current))
    return len(seen)


def line_of(value: object, default: int = 1) -> int:
    return getattr(value, "line", default) or default
