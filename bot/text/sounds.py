"""How a character sounds, for matching what is spelled differently but sounds the same: its
pinyin without tones, with fuzzy initials and finals folded together as input methods offer."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.util import find_spec

# Fuzzy pinyin, as input methods offer it: speakers from the north-east and elsewhere mix these up,
# and so do their typos.
_FUZZY = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"))

# The sounds of the units a loaded alphabet names (`Alphabet.__setstate__`): an engine from the
# cache answers without reading pypinyin's table (`readings`: 0.06 s of CPU, 9 MB).
_HEARD: dict[str, str] = {}


@lru_cache(maxsize=65536)
def sound(unit: str) -> str:
    """How a unit sounds, toneless and with fuzzy initials and finals folded together."""
    if len(unit) != 1 or unit.isascii():
        return unit
    heard = _HEARD.get(unit)
    if heard is not None:
        return heard
    return fuzzy(readings().get(ord(unit), unit))


def fuzzy(syllable: str) -> str:
    """A toneless syllable with fuzzy initials and finals folded together (zhuan → zuan)."""
    for long, short in _FUZZY:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


# Tone marks as pypinyin's toneless style (`Style.NORMAL`) drops them: ü written v, ê kept.
_MARKED = {
    "a": "āáǎà",
    "e": "ēéěè",
    "i": "īíǐì",
    "o": "ōóǒò",
    "u": "ūúǔù",
    "v": "üǖǘǚǜ",
    "n": "ńňǹ",
    "m": "ḿ",
    "ê": "ếề",
}
_TONELESS = str.maketrans(
    {
        **{toned: plain for plain, marked in _MARKED.items() for toned in marked},
        **dict.fromkeys("\u0300\u0304\u030c"),  # (m̀, m̄, ê̄, ê̌: a letter and a combining mark)
    }
)


@cache
def readings() -> dict[int, str]:
    """Per character pypinyin knows (by code point), its first reading without tones: what
    `lazy_pinyin(character, style=Style.NORMAL)` gives (tests check every character). Read from
    pypinyin's table of single characters alone, when first needed: importing pypinyin loads its
    phrase dictionary too (55 MB resident, held by the process for good), which a character
    alone never reads: a 100k build counted it in its peak, and every built engine in what it
    keeps."""
    return {int(code): toneless(read.split(",", 1)[0]) for code, read in _table().items()}


def every_reading(characters: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Per character of `characters`, all its readings without tones, the first first (调: diao,
    tiao), for what is typed in pinyin (bot.engine.spelled); the table is read again and let go
    of, as only these characters' readings are kept."""
    table = _table()
    found = {}
    for character in characters:
        toned = table.get(str(ord(character)))
        if toned:
            found[character] = tuple(dict.fromkeys(map(toneless, toned.split(","))))
    return found


def _table() -> dict[str, str]:
    """pypinyin's table of single characters: per code point (a string), its toned readings."""
    package = find_spec("pypinyin")  # (finds the package without importing it)
    folders = package.submodule_search_locations if package else None
    if not folders:
        raise ImportError("pypinyin is not installed")
    with open(f"{folders[0]}/pinyin_dict.json", encoding="utf-8") as table:
        return json.load(table)


def toneless(text: str) -> str:
    """Pinyin without its tone marks (fùgōng → fugong, lǜ → lv), as pypinyin's toneless style."""
    return text.translate(_TONELESS)
