"""Describing entries at the build: what each of many questions asks for, found at once."""

from __future__ import annotations

import re

from bot.engine.described import _marked


def test_a_pattern_looked_for_from_its_first_characters_finds_what_it_found():
    text = "\n".join(
        ["ab", "cb", "xb", "b", "yzq", "xz", "zzb", "", "aab", "bb b", "c", "xaz", "ybz"]
    )
    patterns = [r"(?<!a)b|c", r"(?:x|y)z", r"(?<=a)b", r"z+b|q", r"a*b", r"[a-c]b|y", r"\bb"]
    for pattern in [*patterns, r"ab|(?:xa|yb)z"]:
        plain = re.compile(f"(?:{pattern})[^\n]*")
        found = [(m.start(), m.end()) for m in _marked(pattern).finditer(text)]
        assert found == [(m.start(), m.end()) for m in plain.finditer(text)], pattern
    # A look-behind first or a group: looked for from a class of first characters.
    assert _marked(r"(?<!a)b|c").pattern.startswith("[bc]")
    assert _marked(r"ab|(?:xa|yb)z").pattern.startswith("[axy]")
