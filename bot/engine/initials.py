"""Words typed as their pinyin initials (bsbqr for 办事不求人, zwfwzx dh for 政务服务中心 电话, yyzz
for 营业执照), read back as the knowledge's own words, so that the message is read, matched and
checked as the Chinese it stands for (bot.engine.spelled spells what it gives).

Chat users abbreviate long names this way, and some write every word so. Such a run is not
pinyin, so before this it was left as typed: an unknown Latin word, and the message refused (66
in-scope messages of `fresh16/`, 24% answered right).

The table is made from the knowledge's own texts, the entries' questions, similar questions and
keywords, and the words of its synonym groups: each run of words of those texts, of two to
`LONGEST` characters, under the initials of its characters' first readings (行政权力事项 under
xzqlsx, 政务服务 under zwfw), one word of three characters or more under its other readings too
(关企协调员 under gqxty as well as gqxdy). A run of two characters is one only if it is one word
(专窗, not 的会 across two words). Nothing is added from outside the knowledge: an abbreviation whose words no
entry uses (ddjj, jt tq zm y) is read as nothing, and the message as typed.

A run is cut into the fewest pieces the table has (zwfwzx is one piece, 政务服务中心, not zwfw and
zx), each of `PIECE` letters or more: two letters (zc, dh) are taken only as a run of their own,
as so many words share them that only a whole short word typed so is likely meant. Of the
words that share a key (zc: 专窗, 政策), the one taken is the one found in most of the entries the
rest of the message is in (its Chinese, and its runs of three letters or more: fgfc zc is
复工复产 专窗), then the one of fewest words, then the one most entries use.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import islice, product

# Characters of the longest word or run of words looked for (公共服务事项: 6; 最多跑一次: 5).
LONGEST = 8
# Letters of each piece when a run is cut into several, and of a run read alone with nothing else
# to tell which word it is (ldlxqy, bsbqr; not zc).
PIECE = 3
# Latin words people type inside Chinese that are not initials, though their letters may be
# those of a word of the knowledge: English words and the abbreviations of apps, files and
# things (checked against every tuned-on set's Latin words: docs/matching.md). A run that is
# one of these is left as typed.
ENGLISH = frozenset(
    """a an am are as at be by do go he hi if in is it me my no of oh ok on or so to up us we you
    the and for how can not yes bye thx ty pls plz lol omg wow hey hello thanks what app apps
    wifi pdf ppt doc docx xls xlsx excel word wps jpg png gif mp mp3 mp4 usb sim id vip ceo cbd
    gdp gps atm ktv diy nba qq wx vx tv pc ai eu uk usa ip www com http https email online
    """.split()  # noqa: SIM905 (a list literal of 100 strings is harder to read and keep)
)
_HAN = re.compile("[\u4e00-\u9fff]+")
# Entries of a word kept for telling which word is meant: one in more tells none apart (项目,
# 企业), and sets of thousands of entries would make a large knowledge base's table slow to
# make and each message's reading slow (counts stop past it: "most entries" among such is a tie).
MANY = 64
OTHER_READINGS = 16  # keys of a word whose characters read several ways (行, 调, 重…)
# A phrase's place in `Abbreviations.of`: its run's number, shifted, and the words it is made of.
_PLACE = 4
_WORDS = (1 << _PLACE) - 1  # (LONGEST characters are at most LONGEST words)


def _agreement(entries: frozenset[int], around: Counter[int]) -> int:
    """How much the entries of a word hold of the rest of the message: summed over them (the
    most of any one entry told words apart less well: docs/matching.md, nineteenth round)."""
    return sum(around[entry] for entry in entries)


def letters_of(every: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Per character, the initials of its readings (`every`: `bot.text.sounds.every_reading`),
    the first reading's first (调: d, t)."""
    found = {c: tuple(dict.fromkeys(reading[0] for reading in read)) for c, read in every.items()}
    return {c: letters for c, letters in found.items() if all(map(str.isalpha, letters))}


def keys(phrase: str, letters: dict[str, tuple[str, ...]], others: bool = True) -> list[str]:
    """A word's initials (办事不求人: bsbqr) by its characters' first readings, then, with
    `others`, as they may be read otherwise (协调: xd, then xt; at most OTHER_READINGS keys); none
    if a character has no reading (`letters`: `letters_of`)."""
    if not all(c in letters for c in phrase):
        return []
    if not others:
        return ["".join(letters[c][0] for c in phrase)]
    every = product(*(letters[c] for c in phrase))
    return ["".join(key) for key in islice(every, OTHER_READINGS)]


class Abbreviations:
    """Per key of initials, the knowledge's words and runs of words of those initials, each with
    the entries whose texts have it: `Abbreviations.of(...)`, then `read`."""

    def __init__(self, table: dict[str, dict[str, tuple[int, frozenset[int], int]]]) -> None:
        # key → {text: (words it is made of, entries, entries whose own texts have it)}
        self.table = table
        self.found = {text: found[1] for held in table.values() for text, found in held.items()}

    @classmethod
    def of(
        cls,
        texts: Iterable[tuple[int, Sequence[str]]],
        normalized: Callable[[list[str]], list[str]],
        words: Callable[[str], list[str]],
        groups: Iterable[Sequence[str]],
        letters: dict[str, tuple[str, ...]],
    ) -> Abbreviations:
        """The table of the texts (per entry, its texts), in matching form by `normalized`
        (`normalize_all`), cut into words by `words` (`Words(text, search=False)`), and of the
        synonym groups' words (each found where any word of its group is), by the initials of
        their characters' readings (`letters_of`)."""
        # Each distinct run of Chinese once, with the entries it is in: most recur, across an
        # entry's similar questions and across entries. (An entry's texts are searched as one.)
        typed: dict[str, set[int]] = defaultdict(set)
        for entry, entry_texts in texts:
            for run in _HAN.findall("\n".join(entry_texts)):
                typed[run].add(entry)
        # In matching form (電話 is 电话; 请问 and 吗 are no part of a word), run by run.
        where_run: dict[str, set[int]] = defaultdict(set)
        for run, normal in zip(typed, normalized(list(typed)), strict=True):
            for part in _HAN.findall(normal):
                where_run[part] |= typed[run]
        # Each stage's temporaries let go as soon as the next has what it needs: held to the end,
        # they were most of the making's peak at 100k entries (213 -> 135 MB of growth), and the
        # table, made among them, kept 82 MB where made in their freed memory it keeps 46.
        del typed
        # Per phrase, where it is: each run it is in, in order, with the words it is made of
        # there (`_PLACE`); then its entries, those of its runs in that order till there are
        # more than MANY. (Noting where, then uniting, with the texts searched entry by entry:
        # the table's making 7.5% fewer instructions than uniting as found: docs/benchmarks.md.)
        places: dict[str, list[int]] = defaultdict(list)
        for number, cut in enumerate(map(words, where_run)):
            place = number << _PLACE
            for start, first in enumerate(cut):
                if len(first) > LONGEST:
                    continue
                if len(first) >= 2:
                    places[first].append(place | 1)
                phrase = first
                for end in range(start + 1, len(cut)):
                    phrase += cut[end]
                    if len(phrase) > LONGEST:
                        break
                    if len(phrase) > 2:  # (not two characters of two words: 的会)
                        places[phrase].append(place | end - start + 1)
        entries_of = list(where_run.values())
        held: dict[str, tuple[int, set[int]]] = {}
        for phrase, spots in places.items():
            found: set[int] = set()
            for place in spots:
                found |= entries_of[place >> _PLACE]
                if len(found) > MANY:
                    break
            held[phrase] = (min(place & _WORDS for place in spots), found)
        del places, entries_of, where_run
        # A synonym's entries are its group's, but among words of the same initials and entries
        # the one the texts have is taken (绿色通道, not the group's typo 绿色通到).
        own = {phrase: len(entries) for phrase, (_, entries) in held.items()}
        for group in groups:
            where = set().union(*(held[w][1] for w in group if w in held))
            for word in group:
                if 2 <= len(word) <= LONGEST and _HAN.fullmatch(word):
                    held.setdefault(word, (1, set()))[1].update(where)
        table: dict[str, dict[str, tuple[int, frozenset[int], int]]] = {}
        for phrase in sorted(held):  # (an order that is the same from process to process)
            size, entries = held[phrase]
            kept = frozenset(entries) if len(entries) <= MANY else frozenset()
            # Other readings of one word of three characters or more only (关企协调员): of a run
            # of words or a short word they found more wrong words than right (一趟不 for ycb
            # beside 一次办, 这种 for zc beside 专窗).
            for key in keys(phrase, letters, size == 1 and len(phrase) >= PIECE):
                table.setdefault(key, {})[phrase] = (size, kept, own.get(phrase, 0))
        return cls(table)

    def read(self, runs: list[str], context: str) -> list[str | None]:
        """Per run of Latin letters (lower case), the knowledge's words its letters are the
        initials of, or None; `context` is the message's Chinese, whose words tell which word
        of shared initials is meant."""
        cuts = [self._cut(run) for run in runs]
        around: Counter[int] = Counter()
        for phrase in _HAN.findall(context):
            for start in range(len(phrase)):
                for end in range(start + 2, min(len(phrase), start + LONGEST) + 1):
                    around.update(self.found.get(phrase[start:end], ()))
        for cut in cuts:
            for key in cut or ():
                if len(key) >= PIECE:  # (each word it may be: its pick is not swayed by itself)
                    around.update(frozenset().union(*(f[1] for f in self.table[key].values())))
        read: list[str | None] = []
        for cut in cuts:
            words = [self._pick(key, around) for key in cut or ()]
            read.append("".join(w or "" for w in words) if cut is not None and all(words) else None)
        return read

    def _pick(self, key: str, around: Counter[int]) -> str | None:
        """The word of these initials most in the entries `around` counts, then of fewest
        words, then in most entries' texts (then first in code-point order); None for a key of
        `PIECE` letters or more that two words of the entries' texts share as much, found in
        entries that neither holds the other's (szdxm: 省重点项目 and 市重点项目, when nothing else
        in the message tells which; not 新壹城 and 新一城, the same name in the same entry)."""
        held = self.table[key]
        ranked = sorted(
            held,
            key=lambda t: (-_agreement(held[t][1], around), held[t][0], -held[t][2], t),
        )
        if len(key) >= PIECE and len(ranked) > 1:
            first, second = (
                (_agreement(held[t][1], around), held[t][0], held[t][2] > 0) for t in ranked[:2]
            )
            one, other = (held[t][1] for t in ranked[:2])
            if first == second and first[2] and not (one <= other or other <= one):
                return None
        return ranked[0]

    def _cut(self, run: str) -> list[str] | None:
        """A run's letters as the fewest keys of the table, each of `PIECE` letters or more (a
        run of two letters: itself), the keys of most entries first; None if it cannot be."""
        size = len(run)
        if run in ENGLISH or size < 2:
            return None
        if size < PIECE:
            return [run] if run in self.table else None
        best: list[tuple[int, int, list[str]] | None] = [(0, 0, [])] + [None] * size
        for start in range(size):
            here = best[start]
            if here is None:
                continue
            for end in range(start + PIECE, min(size, start + LONGEST) + 1):
                held = self.table.get(run[start:end])
                if held is None:
                    continue
                most = max(own for _, _, own in held.values())
                offer = (here[0] + 1, here[1] - most, [*here[2], run[start:end]])
                there = best[end]
                if there is None or offer[:2] < there[:2]:
                    best[end] = offer
        whole = best[size]
        return whole[2] if whole is not None else None
