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

The one such value a knowledge file means is an entry's `review_by: 2027-01-31`, which PyYAML
reads as a date. Written plain, it is read here as that date too; but yaml-rs gives the same text
for `"2027-01-31"`, which PyYAML reads as text (and the checks refuse), so a date is taken only
where the file's bytes show it plain (`_Dates`). Without that, a large FAQ file with review dates
took the line-aware loader: 12 s of CPU at 100k entries instead of 2 (docs/benchmarks-log.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

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
# The one key whose values may be dates, and the dates PyYAML reads: its timestamp's date form.
_DATED = "review_by"
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# `review_by:` followed on its line by a plain date alone (a comment allowed after it).
_PLAIN_DATE = re.compile(
    rb"review_by:[ \t]+[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ \t]+#[^\n]*)?[ \t\r]*$", re.MULTILINE
)


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
        return _plain(value, _Dates(data))
    except (_NotPlain, RecursionError, UnicodeDecodeError, yaml_rs.YAMLDecodeError):
        return None


class _Dates:
    """Whether every `review_by` key of a file is followed by a plain date on its line, so that
    each date-like text yaml-rs gives under one was written plain, as PyYAML reads a date.

    A key is spelled in the bytes as itself (escapes aside: a file with a backslash is never
    trusted), so if every `review_by` in the bytes is followed on its line by `: 2027-01-31`
    alone, every key `review_by` is such a spelling: a plain key whose value is a plain scalar
    starting with that date, which is the date or, continued on the next lines, longer text (read
    as text by both). A quoted date, a date on the next line or a `review_by` in a comment fails
    the count.
    Counted once, at the first such date: a file with none pays nothing."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    @functools.cached_property
    def plain(self) -> bool:
        data = self.data
        count = data.count(_DATED.encode())
        return b"\\" not in data and count == len(_PLAIN_DATE.findall(data))


def _text_or_date(key: str, text: str, dates: _Dates) -> str | dt.date:
    """`text`, written plain as `key`'s value, as PyYAML reads it: a review date, or text."""
    date = _date(text) if key == _DATED else None
    if date is None or not dates.plain:
        _check_text(text)
        return text
    return date


@functools.lru_cache(maxsize=4096)  # a file's entries share few dates: 1.8 -> 0.15 µs a value
def _date(text: str) -> dt.date | None:
    """The date PyYAML's constructor makes of `text`, None if it has not a date's form."""
    date = _DATE.fullmatch(text)
    if date is None:
        return None
    try:
        return dt.date(*map(int, date.groups()))
    except ValueError:  # 2027-02-30: PyYAML's error, with its line
        raise _NotPlain(text) from None


def _plain(value: object, dates: _Dates) -> object:
    """`value` with its mappings and lists made `LineDict` and `LineList` (what the checks
    expect), in place of the parser's; `_NotPlain` at anything but text the parsers agree on
    (and the review dates `dates` shows plain)."""
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
                result[key] = _plain(item, dates)
            elif item < _PAST_ASCII and item and item[0] in _IMPLICIT:
                result[key] = _text_or_date(key, item, dates)
        return result
    if isinstance(value, list):
        return LineList(
            [
                item
                if type(item) is str
                and (
                    item >= _PAST_ASCII or not item or item[0] not in _IMPLICIT or _check_text(item)
                )
                else _plain(item, dates)
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
