"""What a normalized question is made of, for retrieval: characters, character pairs and sounds.

Chinese has no spaces between words, so we index overlapping character bigrams (Lucene's CJK
approach) plus single characters, which carry meaning on their own in short queries. The most
common typo comes from pinyin input methods — 办事不球人 for 办事不求人 — so every pair of
characters is also indexed by how it sounds: a homophone typo changes the characters but not the
sound, and still matches.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# A unit is one Chinese (or other non-Latin) character, or a whole run of Latin letters and digits:
# "12345" and "app" are single units, as a reader would take them.
_UNIT_RE = re.compile(r"[a-z0-9.]+|[^\sa-z0-9.]")

# Fuzzy pinyin, as input methods offer it: speakers from the north-east and elsewhere mix these up,
# and so do their typos.
_FUZZY = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"))


# Characters that frame a question in everyday speech rather than say what it is about
# ("我们公司现在想知道要去哪里……"). A small knowledge base cannot learn that they are common, so
# they are marked here, once for every deployment; they count for GENERIC_WEIGHT of a topic word.
GENERIC_CHARS = frozenset(
    "我你您他她它们的地得了着过是在有没不也都就还又才很太更想要会能可以该应需让给把被对向从到来"
    "做干弄搞整这那些个种样么什怎咋啥儿多少因为所如果但而且和与及或等知道请问下说看听告诉"
    "现今吗呢吧啊呀嘛哦啦喔呗真的好行一"
)
GENERIC_WEIGHT = 0.25


@lru_cache(maxsize=65536)
def salience(feature: str) -> float:
    """How much a feature says about the topic: less when it is made of generic characters."""
    chars = feature[1:].replace(" ", "") if feature[0] != "p" else ""
    if chars and all(ch in GENERIC_CHARS for ch in chars):
        return GENERIC_WEIGHT
    return 1.0


def units(text: str) -> list[list[str]]:
    """The units of each space-separated segment; pairs never span a segment boundary."""
    return [_UNIT_RE.findall(segment) for segment in text.split()]


@lru_cache(maxsize=65536)
def sound(unit: str) -> str:
    """How a unit sounds, toneless and with fuzzy initials and finals folded together."""
    if len(unit) != 1 or unit.isascii():
        return unit
    syllable = lazy_pinyin(unit, style=Style.NORMAL, errors="default")[0]
    for long, short in _FUZZY:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


def features(text: str) -> list[str]:
    """Every feature of a normalized text, one item per occurrence (term frequency counts)."""
    result: list[str] = []
    for segment in units(text):
        sounds = [sound(unit) for unit in segment]
        result.extend("c" + unit for unit in segment)
        result.extend("b" + a + b for a, b in itertools.pairwise(segment))
        result.extend("p" + a + " " + b for a, b in itertools.pairwise(sounds))
    return result


def spoken(text: str) -> str:
    """The whole text as sounds, for comparing strings that are spelled differently."""
    return " ".join(sound(unit) for segment in units(text) for unit in segment)
