"""Amounts a message quotes (总投资是23.8亿吗, 0.41亿是哪的投资, 12.8亿 说的是哪些项目): the entry that
states the amount is what the message is about, and one that states another is not.

Folding turns a decimal point into a space, as it does every mark, so the reading sees 0.41亿 as
the figures 0 and 41, and 41 is found in the 36 projects' 41.34亿元; 23.8亿 becomes two clauses,
and a message typed without a comma before it (我是米厂老板11个项目总投资是23.8亿吗) loses the first
with the sender's introduction, so only 8亿 was left to match the 36 projects' 12.8亿元. Read from
the message as typed, with its decimals, an amount of money is a thing asked for
(bot.engine.asked's kind): an entry whose answer or quote does not state it, as written, gives
something else (`mentioned.mentions`), and is weighed as not giving what is asked.

Only an amount before 亿 or 万 (23.8亿, 4.5亿元, 55万美元): the report states each one in one place
(the 11 projects' 23.8亿元, the 市重点 projects' 0.41亿元), while a count (845项, 36个项目) is
quoted as the whole a part is asked of (845项里就近办有几项) and a decimal without a unit may be a
day (4.7集中开工: 4月7日).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from bot.text.nfkc import nfkc

if TYPE_CHECKING:
    from bot.engine.answerability import Check

# How `asked_for`'s things write an amount quoted (bot.engine.mentioned.MARKED).
AMOUNT = "额:"
# An amount of money as typed (full-width forms made ASCII): digits, a decimal point, 亿 or 万.
_AMOUNT = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)\s*[亿万]")


def quoted(text: str) -> tuple[str, ...]:
    """The amounts a message (as typed, before folding) quotes, each as a thing asked for."""
    if "亿" not in text and "万" not in text:
        return ()  # (most messages have neither: NFKC and the pattern cost ~3.7 us a message)
    return tuple(dict.fromkeys(AMOUNT + figure for figure in _AMOUNT.findall(nfkc(text))))


# A figure as an entry's answer or quote writes it (the digits of 41.34亿元, 36项, 2022年).
_STATED = re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)?")


def states(amount: str, stated: str) -> bool:
    """Whether an entry's answer and quote (`stated`, as written) state an amount quoted: the
    same digits, not a longer figure's (0.41 is not in 10.41, nor 3.8 in 23.8), or a whole
    number that is a decimal figure rounded (41亿 for 41.34亿元: a sender rounds what they
    recall), not cut (23亿 is not 23.8亿元, which rounds to 24)."""
    whole = "." not in amount
    for figure in _STATED.findall(stated):
        if figure == amount or (whole and "." in figure and _rounded(figure) == int(amount)):
            return True
    return False


def _rounded(figure: str) -> int:
    """A decimal figure rounded to a whole number, halves up (23.5 → 24), as a person does."""
    return int(Decimal(figure).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def told(check: Check | None) -> bool:
    """Whether a candidate's check found the message quoting amounts its entry states, every
    one: a fragment that is only an amount (23.8亿) matches the entry's questions too little to
    be a near topic, yet names its entry better than any phrasing would."""
    if check is None:
        return False
    amounts = [thing for thing in check.asked_for if thing.startswith(AMOUNT)]
    return bool(amounts) and not any(thing in check.unstated for thing in amounts)
