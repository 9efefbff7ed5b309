"""Reading a large knowledge file fast, when line numbers are not needed.

PyYAML builds every value in Python, and the line-aware loader (bot.knowledge.yamlfile) one more
object per value: 100k entries (37 MB) take 12–17 s of CPU that way, with the garbage collector
paused. yaml-rs, a YAML parser in Rust, reads the same file in about 1.3 s (docs/benchmarks-log.md).
It keeps no line numbers, so it is used only to load knowledge for serving (`load(...,
lines=False)`); whenever it reports a problem, bot.knowledge.model reads that file again with the
line-aware loader, which names the line.

yaml-rs follows YAML 1.2 and PyYAML YAML 1.1, and they differ on some plain values (`yes`, `on`,
`010`, `1e3`, `9:30`, dates). So this reader gives up — `None`, and the file goes through the
line-aware loader — unless the file is plain: mappings, lists and text, no anchors or aliases, and
no text that PyYAML would have read as anything but text. Then both parsers agree value for value
(tests/knowledge/test_fastyaml.py compares them).
"""

from __future__ import annotations

import yaml
import yaml_rs

from bot.knowledge.yamlfile import LineDict, LineList, reads_as_text

# Smaller files take milliseconds either way, and keep their line numbers.
FAST_FROM = 1_000_000  # bytes
# First characters of the plain values PyYAML reads as something other than text.
_IMPLICIT = frozenset(char for char in yaml.resolver.Resolver.yaml_implicit_resolvers if char)
# All of them ASCII: text at or above this begins with a character none of them is. Comparing
# is one step in C, where `text[0]` of Chinese text makes a new string first (this walk over
# 100k entries 0.24 -> 0.21 s of CPU).
_PAST_ASCII = "\x80"


class _NotPlain(Exception):
    """The file has something the two parsers might read differently."""


def read_fast(data: bytes) -> object | None:
    """A large file's data as `LineDict`/`LineList`/`str` without lines, or None where only the
    line-aware loader may read it (small, not plain, or not valid YAML)."""
    if len(data) < FAST_FROM or b"&" in data or b"*" in data:
        return None  # anchors and aliases: the line-aware loader bounds their expansion
    try:
        value = yaml_rs.loads(data.decode("utf-8"), parse_datetime=False)
        if not isinstance(value, dict):  # several documents come back as a list
            return None
        return _plain(value)
    except (_NotPlain, RecursionError, UnicodeDecodeError, yaml_rs.YAMLDecodeError):
        return None


def _plain(value: object) -> object:
    """`value` with its mappings and lists made `LineDict` and `LineList` (what the checks
    expect), in place of the parser's; `_NotPlain` at anything but text the parsers agree on."""
    # The parser makes plain str, dict and list, never subclasses, so isinstance is exact here.
    # Text is resolved only when its first character could begin a non-text value
    # (`_check_text`), tested inline: a call per value was a third of this walk at 100k entries.
    if isinstance(value, str):
        if value and value[0] in _IMPLICIT:
            _check_text(value)
        return value
    if isinstance(value, dict):
        result = LineDict(value)
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain(key)
            if key and key[0] in _IMPLICIT:
                _check_text(key)
            if type(item) is not str:
                result[key] = _plain(item)
            elif item < _PAST_ASCII and item and item[0] in _IMPLICIT:
                _check_text(item)
        return result
    if isinstance(value, list):
        return LineList(
            [
                item
                if type(item) is str
                and (
                    item >= _PAST_ASCII or not item or item[0] not in _IMPLICIT or _check_text(item)
                )
                else _plain(item)
                for item in value
            ]
        )
    if value is None:
        return None
    raise _NotPlain(value)  # numbers, booleans: YAML 1.1 and 1.2 may disagree


def _check_text(text: str) -> bool:
    """True if PyYAML would read this plain value as text too (a quoted "" is the only way to
    get empty text, and PyYAML agrees on it)."""
    if text and text[0] in _IMPLICIT and not reads_as_text(text):
        raise _NotPlain(text)
    return True
