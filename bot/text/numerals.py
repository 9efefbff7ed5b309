"""Chinese numerals as numbers: one reading for the matching form (bot.text.normalize: 一百九十九
→ 199) and for the check that an answer's figures are in its source (bot.knowledge.model)."""

from __future__ import annotations

DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
UNITS = {"十": 10, "百": 100, "千": 1000}


def value(whole: str) -> int:
    """The number a run of digits and units (十, 百, 千) writes: 两千八百八十八 → 2888, 一百零五 →
    105, 十二 → 12. The caller decides what is a number at all (四五百 is a range, 千万 "by all
    means": neither has a value)."""
    total, digit = 0, 0
    for char in whole:
        if char in DIGITS:
            digit = DIGITS[char]
        else:
            total += (digit or 1) * UNITS[char]
            digit = 0
    return total + digit
