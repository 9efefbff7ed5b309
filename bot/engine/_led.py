"""Patterns led by a class of their first characters, so the regex engine skips to where a match
may start.

Python's regex engine looks for where a match may start by its first characters only when the
pattern starts with a plain character or class, or every alternative starts with a plain
character; a pattern with a look-behind first (多少钱 not after 投资) or a group (开放时间…) is
tried at every position of the text, ~0.05–1 µs a position for the focus patterns. `led` gives
the same pattern checked only where one of its first characters is: the same match starts (the
build's `described.focus_codes` takes the rest of the line from there), and the same answer to
whether a text has a match (`focus.focus_of`, ~15 searches a message: ~10x less time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re._constants import (  # the parsed form of a pattern
    ASSERT,
    ASSERT_NOT,
    AT,
    BRANCH,
    IN,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    RANGE,
    SUBPATTERN,
)
from re._parser import parse


def led(pattern: str) -> str:
    """`pattern` as a class of its first characters and then, looked ahead for from there, the
    pattern itself (matching only that first character); the pattern in a group where it is
    simple (starts with a plain character or class already) or its first characters are not
    simple to tell. Not for a pattern with a back-reference (是不是, 在不在: a verb, 不 and the
    verb again): `re` refuses one to a group inside the same look-behind, where it would sit."""
    items = parse(pattern)
    first = items.data[0][0] if items.data else None
    simple = first in (LITERAL, IN) or (
        first is BRANCH and all(b.data and b.data[0][0] is LITERAL for b in items.data[0][1][1])
    )
    chars = None if simple or items.getwidth()[0] < 1 else _first_chars(items)
    if chars is None:
        return f"(?:{pattern})"
    return f"[{chars}](?<=(?=(?:{pattern}))[{chars}])"


def _first_chars(items: Iterable[tuple]) -> str | None:
    """A character class of every character a match of the parsed pattern `items` can start
    with, or None where that is not simple to tell (then no class is needed: see `led`)."""
    for op, value in items:
        if op in (ASSERT, ASSERT_NOT, AT):  # looks around, takes no character
            continue
        if op is LITERAL:
            return re.escape(chr(value))
        if op is IN and all(kind in (LITERAL, RANGE) for kind, _ in value):
            return "".join(
                re.escape(chr(v))
                if kind is LITERAL
                else f"{re.escape(chr(v[0]))}-{re.escape(chr(v[1]))}"
                for kind, v in value
            )
        if op is BRANCH:
            firsts = [_first_chars(branch) for branch in value[1]]
            return None if None in firsts else "".join(dict.fromkeys(firsts))  # type: ignore[arg-type]
        if op is SUBPATTERN and not (value[1] or value[2]):  # a group, no flags changed
            return _first_chars(value[3])
        if op in (MAX_REPEAT, MIN_REPEAT) and value[0] >= 1:
            return _first_chars(value[2])
        return None
    return None
