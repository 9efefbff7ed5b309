"""A message typed wholly in pinyin (fugong fuchan zhuanchuang, guanqi xietiaoyuan), spelled back
in the knowledge's own words (复工复产专窗, 关企协调员), so that it is read, matched and checked as
the Chinese it stands for.

Without this such a message has no Chinese in it and was told apart as English: the fallback
with the note that the bot answers in Chinese, no candidate at all (33 of the 42 in-scope
messages of fresh11/'s even half whose right entry was not ranked first).

The syllables are cut out of the Latin as input methods cut them, a space (or a digit) always
between two of them; then the message is covered with as few pieces as it can be: a word of the
knowledge that sounds as typed (its exact toneless pinyin, or failing that the same sound with
fuzzy initials and finals, `bot.text.sounds`), else a character of the knowledge that does, else
a character the knowledge never uses (门票 typed as menpiao is a word no entry has, and weighs
as one in the checks, as it would typed in Chinese). Among words or characters that sound alike,
the one more entries use (lower IDF) is taken: 求人 rather than the homophone typo 球人 that a
similar question spells.

A message with a Latin word that is neither pinyin nor a word's initials (English: hello,
where is…) is left as it is. In a message with Chinese, pinyin words (抚远 fugong zhuanchuang 在哪)
are spelled only where the knowledge's words alone spell them (`Spelling._within`).
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterator, Sequence
from functools import cache, partial
from itertools import islice, product
from typing import TYPE_CHECKING

from bot.engine.initials import PIECE, Abbreviations, letters_of
from bot.engine.reading import fold_message
from bot.text.normalize import normalize_all
from bot.text.sounds import every_reading, fuzzy, readings, toneless

if TYPE_CHECKING:
    from bot.engine.index import Index
    from bot.knowledge.model import Entry
    from bot.text.words import Words

# A piece of a folded message: a run of Latin letters, or of digits (2yue is 2 and yue).
_PIECE = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
_NOT_TYPED = re.compile(r"[^a-z0-9. ]")
_VOWEL = re.compile("[aeiouv]")
_SYLLABLE = re.compile("[a-z]")
_HAN = re.compile("[\u3400-\u9fff]")
_CHINESE_WORD = re.compile("[\u4e00-\u9fff]{2,}")  # (what the tables key: 马上办, not 马 or APP)
# Words typed in pinyin within Chinese, and the spaces between them: at least two syllables and
# four letters are looked at (not ban, app).
_LATIN_WORD = re.compile("[A-Za-z]+(?: +[A-Za-z]+)*")
# A tone typed as a number after its syllable (fu4gong1): not a figure (2yue, 11ge).
_TONE_NUMBER = re.compile(r"(?<=[a-z])[1-5](?![\d.])")
# Letters typed one by one between spaces (b s b q r): a word's initials, read as if together.
_SPACED_LETTERS = re.compile(r"(?<![A-Za-z])[A-Za-z](?: [A-Za-z](?![A-Za-z])){2,}")
# A run of Latin letters left within Chinese once pinyin is spelled, which may be initials: not
# one that is pinyin (taobao), nor one with digits at either end (a code: CZ6201, mp3, 4S店).
_LATIN_RUN = re.compile("(?<![A-Za-z0-9])[A-Za-z]+(?![A-Za-z0-9])")
ACRONYM = 3  # capitals of an acronym at most
# What a piece costs: the message is read as the fewest words, a character counting as more
# than a word (fugong is 复工, not 复 and 工) and a character the knowledge never has as more still.
WORD, FUZZY_WORD, CHARACTER, STRANGER = 1.0, 1.5, 2.0, 4.0
LONGEST = 8  # syllables of the longest word looked for
OTHER_READINGS = 16  # of a word whose characters read several ways (行, 调, 重…)
# Particles the knowledge's texts never keep (normalization takes them out): typed alone, le ma
# is 了吗, not a character of the knowledge that sounds as ma (马 of 马上办).
_PARTICLES = {"ma": "吗", "ne": "呢"}


class Spelling:
    """`Spelling(index, synonyms, entries, words)(message)`: the Chinese a message typed in
    pinyin or its initials spells, or None. The tables are made from the index's words and
    characters, the other words of the knowledge's synonym groups (`synonyms`) and, for
    initials, the entries' texts cut by `words` (bot.engine.initials), when a message first
    needs them (or a server asks for them before it serves: `ready`, ~0.17 s of CPU for the
    shipped knowledge, 0.06 s of it the pinyin tables; 3.3 s at 100k entries, nearly all of it
    the initials' table). They are pickled with it, made first if need be, so that the engine
    cache holds them (`__getstate__`)."""

    def __init__(
        self,
        index: Index,
        synonyms: tuple[tuple[str, ...], ...],
        entries: Sequence[Entry],
        words: Words,
    ) -> None:
        self.index, self.synonyms, self.entries, self.words = index, synonyms, entries, words
        self._tables: tuple[dict, dict, dict, Abbreviations] | None = None
        self._pickled: bytes | None = None  # the tables, as an unpickled one holds them

    def __getstate__(self) -> dict:
        """Pickled with its tables, made now if need be (so a pickle is the same whatever it
        was asked), as one block of bytes unpickled on first need (`tables`): a server started
        from the engine cache (bot.engine.cache) reads them, ~0.15 s of CPU at 100k entries,
        instead of making them, 3.3 s, and its saver, a forked child, is what makes them; `ask`,
        which needs them only for a message with Latin letters, does not even read them. The
        block is as trusted as the pickle it is in (the cache's is signed)."""
        state = {name: value for name, value in self.__dict__.items() if name != "_tables"}
        state["_pickled"] = self._pickled or pickle.dumps(self.tables(), protocol=5)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._tables = None

    def __call__(self, message: str) -> str | None:
        if not message.isascii():
            if _HAN.search(message):
                return self._within(message)
            # Tone marks as an input method shows them; full-width punctuation (？) is folded.
            message = toneless(message.lower())
        folded = _TONE_NUMBER.sub("", fold_message(_together(message)))  # fu4gong1: tones
        if not folded or _NOT_TYPED.search(folded):
            return None
        tables = self.tables()
        # Per piece in order, its syllables (a number: itself), or None where its letters are not
        # pinyin and may be initials (bsbqr: 办事不求人), read together (`Abbreviations.read`).
        typed = [piece for word in folded.split() for piece in _PIECE.findall(word)]
        cuts = [[piece] if piece[0].isdigit() else syllabify(piece) for piece in typed]
        abbreviated = iter(
            tables[3].read([p for p, cut in zip(typed, cuts, strict=True) if cut is None], "")
        )
        pieces: list[str] = []  # per syllable, in order; a number or a word given as it is
        said = 0  # syllables, and letters of initials of three or more
        for piece, cut in zip(typed, cuts, strict=True):
            if cut is None:
                word = next(abbreviated)
                if word is None:
                    return None
                cut, said = [word], said + (len(piece) if len(piece) >= PIECE else 1)
            else:
                said += sum(part.isalpha() for part in cut)
            pieces += cut
        if said < 2:
            return None  # one syllable (an, e) or two initials (zc) say too little
        return self._spell(pieces, tables)

    def _within(self, message: str) -> str | None:
        """A message in Chinese with words of it typed in pinyin (抚远 fugong zhuanchuang 在哪), each
        spelled as the knowledge's words when it is nothing but those (not 淘宝 typed taobao, nor
        English: app, hello), or None; at once for a message with no run of Latin letters."""
        if not _LATIN_WORD.search(message):
            return None
        tables = self.tables()

        def words(typed: list[str]) -> str | None:
            cut = [syllabify(letters.lower()) for letters in typed]
            syllables = [s for each in cut if each is not None for s in each]
            if None in cut or len(syllables) < 2 or len("".join(typed)) < 4:
                return None
            return self._spell(syllables, tables, words_only=True)

        def spelled(typed: re.Match) -> str:
            # Its words together (guanqi xietiaoyuan: 关企协调员), else one by one (hello fugong).
            run = typed.group(0).split()
            return words(run) or " ".join(words([one]) or one for one in run)

        within = _LATIN_WORD.sub(spelled, _together(message))
        # What is left of Latin letters may be initials, told apart by the message's Chinese.
        runs = [run.group(0) for run in _LATIN_RUN.finditer(within)]
        if runs:
            read = iter(tables[3].read([_initials(run) for run in runs], message))
            within = _LATIN_RUN.sub(lambda run: next(read) or run.group(0), within)
        return within if within != message else None

    def _spell(
        self,
        syllables: list[str],
        tables: tuple[dict, dict, dict, Abbreviations],
        words_only: bool = False,
    ) -> str | None:
        """The cheapest cover of the syllables with words and characters (`WORD`…); with
        `words_only`, with the knowledge's words alone, or None."""
        exact, heard, characters, _ = tables
        size = len(syllables)
        # best[i]: (cost, summed IDF, text) of the first i syllables.
        best: list[tuple[float, float, str] | None] = [(0.0, 0.0, "")] + [None] * size

        def offer(end: int, cost: float, rank: float, text: str) -> None:
            held = best[end]
            if held is None or (cost, rank) < held[:2]:
                best[end] = (cost, rank, text)

        for start in range(size):
            here = best[start]
            if here is None:
                continue
            cost, rank, text = here
            first = syllables[start]
            if not _SYLLABLE.match(first):  # a number, a word found by its initials
                offer(start + 1, cost, rank, text + first)
                continue
            for end in range(start + 2, min(size, start + LONGEST) + 1):
                typed = tuple(syllables[start:end])
                if not _SYLLABLE.match(typed[-1]):
                    break
                found = exact.get(typed)
                price = WORD
                if found is None:
                    found, price = heard.get(tuple(map(_heard, typed))), FUZZY_WORD
                if found is not None:
                    offer(end, cost + price, rank + found[0], text + found[1])
            if words_only:
                continue
            if first in _PARTICLES:
                offer(start + 1, cost + CHARACTER, rank, text + _PARTICLES[first])
            elif (found := characters.get(first)) is not None:
                offer(start + 1, cost + CHARACTER, rank + found[0], text + found[1])
            else:
                offer(start + 1, cost + STRANGER, rank, text + _strangers().get(first, first))
        whole = best[size]  # (never None but with `words_only`: a syllable has a character)
        return whole[2] if whole is not None else None

    def tables(self) -> tuple[dict, dict, dict, Abbreviations]:
        """The tables `_spell` reads, made (or unpickled: `__getstate__`) on first need."""
        if self._tables is None and self._pickled is not None:
            self._tables, self._pickled = pickle.loads(self._pickled), None
        return self._tables or self._make_tables()

    def ready(self) -> None:
        """Make now what a first message with pinyin in it would: the tables, the syllables
        (`syllabify`'s, ~8 ms) and the characters of sounds the knowledge lacks (~16 ms)."""
        self.tables()
        _syllables()
        _strangers()

    def _make_tables(self) -> tuple[dict, dict, dict, Abbreviations]:
        """Per exact pinyin and per fuzzy sound, the knowledge's word of that sound that most
        entries use; per syllable, its character that most entries use: (IDF, text); and the
        knowledge's words by their initials (`Abbreviations`)."""
        index = self.index
        exact: dict[tuple[str, ...], tuple[float, str]] = {}
        heard: dict[tuple[str, ...], tuple[float, str]] = {}
        characters: dict[str, tuple[float, str]] = {}
        vocabulary = index.vocabulary
        known = [chr(c) for c in range(0x4E00, 0xA000) if index.alphabet.rank[c] >= 0]
        # Every reading of each character of the knowledge's texts and synonyms, read once.
        every = every_reading({*known, *(c for group in self.synonyms for w in group for c in w)})
        if vocabulary is not None:
            weighed = list(_weighed(index, vocabulary.ids))
            # A synonym group's other words (电话 of 热线's group) are the knowledge's words too,
            # the ones users say: indexed texts hold only the first, so without them dianhua was
            # spelled as the commonest characters of its sounds (点化), and the contact asked for
            # was lost (招商小分队 dianhua answered as if asking about the team). Each weighs as
            # its group's first word, which it is read as.
            first = dict(weighed)
            weighed += [
                (word, first[group[0]])
                for group in self.synonyms
                if group[0] in first
                for word in group[1:]
                if _CHINESE_WORD.fullmatch(word)
            ]
            for word, idf in weighed:
                spelled = tuple(map(_reading, word))
                _keep(exact, spelled, idf, word)
                _keep(heard, tuple(_heard(s) for s in spelled), idf, word)
                # Read otherwise (协调 typed xietiao: 调 reads diao first), as a near sound.
                for other in _readings_of(word, every):
                    _keep(heard, tuple(_heard(s) for s in other), idf, word)
        for character, idf in zip(known, _unit_idf(index, known), strict=True):
            _keep(characters, _reading(character), idf, character)
        texts = ((entry.question, *entry.similar, *entry.keywords) for entry in self.entries)
        abbreviations = Abbreviations.of(
            enumerate(texts),
            normalize_all,
            partial(self.words, search=False, keep=False),
            self.synonyms,
            letters_of(every),
        )
        self._tables = (exact, heard, characters, abbreviations)
        return self._tables


def _together(message: str) -> str:
    """A message with letters typed one by one between spaces (b s b q r) put together."""
    return _SPACED_LETTERS.sub(lambda letters: letters.group(0).replace(" ", ""), message)


def _initials(run: str) -> str:
    """A run of Latin letters within Chinese as `Abbreviations.read` takes it: in lower case;
    nothing (no key has it) if it is pinyin (taobao, ka: a word no entry has, not initials), or
    two or three capitals (GSP认证, GB/T, APP: within Chinese, an acronym; YYZZ, BSBQR are read)."""
    if 1 < len(run) <= ACRONYM and run.isupper():
        return ""
    return "" if syllabify(run.lower()) is not None else run.lower()


def _keep(table: dict, key, idf: float, text: str) -> None:
    """Keep `text` under `key` if no text there is used by more entries (ties: the first)."""
    if key not in table or idf < table[key][0]:
        table[key] = (idf, text)


def _weighed(index: Index, ids: dict[str, int]) -> Iterator[tuple[str, float]]:
    """The knowledge's words of two or more Chinese characters, each with its IDF."""
    vocabulary = index.vocabulary
    assert vocabulary is not None
    mask = (1 << 2 * index.bits) - 1
    for word, number in ids.items():
        if not _CHINESE_WORD.fullmatch(word):
            continue
        # The word's own key among those of its parts (search mode cuts 马上办 into 马上 too).
        keys = [k for k in vocabulary.query_keys(word, index.bits) if k & mask == number]
        if keys:
            yield word, index.look_up(keys[:1])[0][1]


def _unit_idf(index: Index, characters: list[str]) -> list[float]:
    """The IDF of each of the knowledge's characters as a unit feature."""
    read = index.alphabet.read_one(" ".join(characters))
    return [idf for _, idf, _ in index.look_up([unit.key for units in read for unit in units])]


def _readings_of(word: str, every: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """A word's other readings, each character read as it may be (at most OTHER_READINGS)."""
    return list(islice(product(*(every.get(c, (c,)) for c in word)), 1, OTHER_READINGS + 1))


def _reading(character: str) -> str:
    """A character's first toneless reading, as typed (zh, ing unfolded)."""
    return readings().get(ord(character), character)


def _heard(syllable: str) -> str:
    """A syllable as `sound` folds it, and lü as lu: without the v, 绿色 is typed luse too."""
    return fuzzy(syllable).replace("v", "u")


def syllabify(letters: str) -> list[str] | None:
    """A run of Latin letters as pinyin syllables, the fewest it can be cut into (xian is one,
    not xi an); None if it is not pinyin."""
    syllables = _syllables()
    size = len(letters)
    best: list[list[str] | None] = [[]] + [None] * size
    for start in range(size):
        here = best[start]
        if here is None:
            continue
        for end in range(min(size, start + 6), start, -1):  # (the longest: zhuang, chuang)
            held = best[end]
            if letters[start:end] in syllables and (held is None or len(held) > len(here) + 1):
                best[end] = [*here, letters[start:end]]
    return best[size]


@cache
def _syllables() -> frozenset[str]:
    """Every toneless syllable with a vowel (not m, n, ng, hm, which English words are full of)."""
    return frozenset(r for r in readings().values() if r.isascii() and _VOWEL.search(r))


@cache
def _strangers() -> dict[str, str]:
    """Per syllable, the first character (by code point) read so: one the knowledge may not have."""
    found: dict[str, str] = {}
    for code, reading in sorted(readings().items()):
        if 0x4E00 <= code < 0xA000:
            found.setdefault(reading, chr(code))
    return found
