"""A term of the knowledge typed with a keypad slip (拿上办 for 马上办, 留近办 for 就近办, 一笔办 for 一次办,
聚色通道 for 绿色通道), read as the term.

A phone's nine-key (九宫格) pinyin keyboard types a syllable as digits (ma and na are both 62, jiu
and liu 548, ci and bi 24) and offers the characters of every syllable of those digits: a thumb
that picks the wrong one writes a character that neither looks nor sounds like the one meant,
so neither the pinyin features nor a homophone's sound (码上办) finds the term. Read as typed,
拿上办有多少项 matched its entry 0.50, under the bar (fresh19/, twenty-second round).

Only a term of three characters or more (the knowledge's own words: bot.text.words' terms) is
read back, and only where one character of it is another of the same keys but another sound (a
homophone is left to the sound features); not where what was typed is a word itself (办公室 is
no slip of a term typed alike), nor where the slipped character at either end makes a word with the
character beyond it (网上报关, 一次保养, 网上操作: 报关, 保养, 操作 are what was meant), nor where
two terms fit. A term of two characters is left alone: over every eval set, two-character slips
were ordinary words (房地产 read 当地产).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.text.sounds import readings
from bot.text.words import in_dictionary

_LETTERS = ("abc", "def", "ghi", "jkl", "mno", "pqrs", "tuv", "wxyz")  # on keys 2..9
_KEYS = {letter: str(digit) for digit, letters in enumerate(_LETTERS, 2) for letter in letters}
SHORTEST, LONGEST = 3, 8  # characters of a term read back
_HAN = re.compile("[\u4e00-\u9fff]")


@lru_cache(maxsize=65536)
def keys(character: str) -> str:
    """The digits a nine-key pinyin keyboard types a character's first reading with (马: 62,
    lü: 58); "" for what has no reading. The reading as typed, not the sound features' fuzzy
    one (`sounds.sound`): with shi heard as si, 74 like qi, 信用监管起什么作用 read 是什么."""
    reading = readings().get(ord(character), "") if _HAN.fullmatch(character) else ""
    return "".join(_KEYS.get(letter, "") for letter in reading) if reading.isalpha() else ""


class Keypad:
    """`Keypad(terms)(message)`: the message with each term typed with a keypad slip written as
    the term, or None if it has none. The tables are made when a message first needs them
    (`ready`): per term's keys, the terms typed so, and where a slip may be looked for (the
    pairs of characters a slip leaves of a term: every term of three characters or more keeps two
    neighbours whole, or its two ends)."""

    def __init__(self, terms: tuple[str, ...]) -> None:
        self.terms = tuple(t for t in terms if SHORTEST <= len(t) <= LONGEST and _HAN.search(t))
        self._tables: tuple[dict, dict, dict] | None = None

    def __getstate__(self) -> dict:
        """Pickled without its tables, which are made again on first need."""
        return {"terms": self.terms, "_tables": None}

    def ready(self) -> None:
        self._made()

    def __call__(self, message: str) -> str | None:
        if not self.terms:
            return None
        typed_by, pairs, ends = self._made()
        found: dict[int, str] = {}  # where a slipped term starts: the term
        for at in range(len(message) - 1):
            for offset, size in pairs.get(message[at : at + 2], ()):
                self._look(message, at - offset, size, typed_by, found)
            if (size := ends.get(message[at] + message[at + 2 : at + 3])) is not None:
                self._look(message, at, size, typed_by, found)
        if not found:
            return None
        read, end = [], 0
        for start in sorted(found):
            if start >= end:
                read.append(message[end:start] + found[start])
                end = start + len(found[start])
        return "".join(read) + message[end:]

    @staticmethod
    def _look(message: str, start: int, size: int, typed_by: dict, found: dict[int, str]) -> None:
        """Keep the term typed at `start` with one slip, if one alone fits there."""
        typed = message[start : start + size]
        if start < 0 or len(typed) < size or start in found:
            return
        terms = typed_by.get(tuple(map(keys, typed)), ())
        if typed in terms or len(terms) != 1:
            return
        (term,) = terms
        slips = [i for i in range(size) if typed[i] != term[i]]
        if len(slips) != 1 or in_dictionary(typed) == (typed,):
            return
        (slip,) = slips
        if readings().get(ord(typed[slip])) == readings().get(ord(term[slip])):
            return  # a homophone (码上办): the sound features read it
        beyond = message[start - 1 : start + 1] if slip == 0 and start else ""
        if slip == size - 1:
            beyond = message[start + slip : start + size + 1]
        if len(beyond) == 2 and in_dictionary(beyond) == (beyond,):
            return
        found[start] = term

    def _made(self) -> tuple[dict, dict, dict]:
        if self._tables is None:
            typed_by: dict[tuple[str, ...], tuple[str, ...]] = {}
            pairs: dict[str, set[tuple[int, int]]] = {}
            ends: dict[str, int] = {}
            for term in self.terms:
                typed = tuple(map(keys, term))
                if "" in typed:
                    continue
                typed_by[typed] = (*typed_by.get(typed, ()), term)
                size = len(term)
                for offset in range(size - 1):
                    pairs.setdefault(term[offset : offset + 2], set()).add((offset, size))
                if size == SHORTEST:
                    ends[term[0] + term[2]] = size
            self._tables = (typed_by, {p: tuple(sorted(s)) for p, s in pairs.items()}, ends)
        return self._tables
