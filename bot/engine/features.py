"""What a normalized question is made of, for retrieval: characters, character pairs and sounds.

Chinese has no spaces between words, so we index overlapping character bigrams (Lucene's CJK
approach) plus single characters, which carry meaning on their own in short queries. The most
common typo comes from pinyin input methods — 办事不球人 for 办事不求人 — so every pair of
characters is also indexed by how it sounds: a homophone typo changes the characters but not the
sound, and still matches.

A knowledge base of 100k entries has millions of characters, so texts are handled in batches as
NumPy arrays of integer ids (an `Alphabet` gives each unit and each sound one), never one Python
string per feature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, cast

import numpy as np

from bot.engine._arrays import _blocks, _Lines
from bot.engine._scanning import _CODE_POINTS, _NEWLINE, scanned
from bot.text.sounds import _HEARD, sound

_UNIT_RE = re.compile(r"[a-z0-9.]+|[^\sa-z0-9.]")
_RUN_RE = re.compile(r"[a-z0-9.][a-z0-9.]*")  # (led by a class: `search` skips to the next one)

# Characters that frame a question in everyday speech rather than say what it is about
# ("我们公司现在想知道要去哪里……"). A small knowledge base cannot learn that they are common, so
# they are marked here, once for every deployment; they count for GENERIC_WEIGHT of a topic word.
GENERIC_CHARS = frozenset(
    "我你您他她它们的地得了着过是在有没不也都就还又才很太更想要会能可以该应需让给把被对向从到来"
    "做干弄搞整这那些个种样么什怎咋啥儿多少因为所如果但而且和与及或等知道请问下说看听告诉"
    "现今吗呢吧啊呀嘛哦啦喔呗真的好行一"
)
GENERIC_WEIGHT = 0.25
# A number is a precise fact: 2月 is not 3月, and an entry without the user's number cannot be
# the answer however similar the rest reads.
NUMBER_WEIGHT = 3.0

# Feature kinds, stored in the top bits of a feature key.
CHAR, PAIR, SOUND_PAIR, WORD = 0, 1, 2, 3


def _names(segment: str) -> list[str]:
    """A segment's units: each one Chinese (or other non-Latin) character, or a whole run of Latin
    letters and digits ("12345", "app": one unit each, as a reader takes them); a segment with
    no such run (most) is its characters, by `list`, ~3x faster than the regex's `findall`."""
    return _UNIT_RE.findall(segment) if _RUN_RE.search(segment) else list(segment)


def spoken(text: str) -> str:
    """The whole text as sounds, for comparing strings that are spelled differently."""
    return " ".join(map(_spoken_segment, text.split()))


@lru_cache(maxsize=65536)
def sounded(word: str) -> str:
    """A word's sound as the answerability checks look it up (" ban shi "): asked for every
    word of every message, and words recur, as segments do (below)."""
    return f" {spoken(word)} "


@lru_cache(maxsize=65536)
def _spoken_segment(segment: str) -> str:
    """One segment's sounds: segments (words between spaces) recur across questions."""
    return " ".join(map(sound, _names(segment)))


@dataclass(frozen=True)
class Encoded:
    """A batch of texts as arrays with one item per unit, in reading order."""

    texts: int  # how many texts the batch holds
    units: np.ndarray  # the unit's id in the alphabet
    sounds: np.ndarray  # the id of how it sounds
    text: np.ndarray  # which text of the batch it belongs to
    paired: np.ndarray  # whether the next unit is in the same segment (a pair is indexed)
    generic: np.ndarray  # whether it is one of GENERIC_CHARS
    boost: np.ndarray  # NUMBER_WEIGHT for a short number, else 1

    def head(self, texts: int) -> Encoded:
        """The first `texts` texts of the batch (views, not copies)."""
        end = int(np.searchsorted(self.text, texts))
        parts = (self.units, self.sounds, self.text, self.paired, self.generic, self.boost)
        return Encoded(texts, *(part[:end] for part in parts))

    def sounding(self, texts: int) -> tuple[np.ndarray, np.ndarray]:
        """What `Alphabet.spoken` reads of the first `texts` texts: each unit's sound id (a
        view), and how many units each text has."""
        head = self.head(texts)
        return head.sounds, np.bincount(head.text, minlength=texts)

    def keys(self, bits: int, low: int, room: int = 0) -> list[np.ndarray]:
        """Every feature occurrence as the grouping's counting sorts take it: the text it occurs
        in, its integer key's low `low` bits, the rest (int32 each, with `room` left at their
        end); the units' keys, then the keys of the pairs of units in one segment, spelled and
        heard. A key holds the feature's kind, whether it is generic (a character of
        GENERIC_CHARS, or a pair of them) and one or two ids of `bits` bits each; see `kind`
        and `salience`. Made from the end a block of units at a time, as int64 in one buffer
        then split (at 100k entries an int64 array of all, 250 MB, was written and read again),
        the batch cut behind each block (given back where it owns its memory: no other name may
        hold a view of it) and emptied (the batch beside every key was the build's peak)."""
        units, blocks = len(self.units), _blocks(len(self.units), 1 << 18)  # (2 MB of int64)
        found = [int(np.count_nonzero(self.paired[block])) for block in blocks]
        count = sum(found)
        parts = [np.empty(units + 2 * count + room, dtype=np.int32) for _ in range(3)]
        texts, digits = parts[0], parts[1:]
        buffer = np.empty(max((block.stop - block.start for block in blocks), default=0), np.int64)
        spelled = units + count  # where the block's pairs' keys end, spelled (heard: + count)
        batch = (self.units, self.sounds, self.text, self.paired, self.generic, self.boost)
        for block, pairs in zip(reversed(blocks), reversed(found), strict=True):
            chars = buffer[: block.stop - block.start]
            np.left_shift(self.generic[block], 2 * bits, out=chars, dtype=np.int64)
            chars |= self.units[block]
            _split(chars, low, digits, block)
            texts[block] = self.text[block]
            spelled, heard = spelled - pairs, spelled - pairs + count
            at = np.flatnonzero(self.paired[block]) + block.start
            after = at + 1  # (a unit's pair ends in the unit after it)
            part = buffer[:pairs]
            np.left_shift(self.units[at], bits, out=part, dtype=np.int64)  # (int32 overflows)
            part |= self.units[after]
            part |= (self.generic[at] & self.generic[after]).astype(np.int64) << 2 * bits
            part |= PAIR << 2 * bits + 1
            _split(part, low, digits, slice(spelled, spelled + pairs))
            np.left_shift(self.sounds[at], bits, out=part, dtype=np.int64)
            part |= self.sounds[after]
            part |= SOUND_PAIR << 2 * bits + 1
            _split(part, low, digits, slice(heard, heard + pairs))
            texts[spelled : spelled + pairs] = texts[heard : heard + pairs] = self.text[at]
            for values in batch:  # (the block's first unit ends the pair before it)
                if values.flags.owndata:
                    values.resize(block.start + 1 if block.start else 0, refcheck=False)
        return parts


def _split(keys: np.ndarray, low: int, digits: list[np.ndarray], at: slice) -> None:
    """`keys` (not negative) written at `at` as their low `low` bits and, if `digits` has a
    second array, the rest (int32 each; cast a buffer at a time, no int64 temporary)."""
    np.bitwise_and(keys, (1 << low) - 1, out=digits[0][at], casting="unsafe")
    if len(digits) > 1:
        np.right_shift(keys, low, out=digits[1][at], casting="unsafe")


def kind(keys: np.ndarray, bits: int) -> np.ndarray:
    """CHAR, PAIR, SOUND_PAIR or WORD, per key."""
    return keys >> (2 * bits + 1)


def salience(keys: np.ndarray, bits: int) -> np.ndarray:
    """How much a feature says about the topic: GENERIC_WEIGHT for generic ones, else 1."""
    return np.where((keys >> (2 * bits)) & 1, GENERIC_WEIGHT, 1.0)


class Unit(NamedTuple):
    """One unit of a query as `Alphabet.read_one` reads it: its CHAR key, and the parts of the
    keys of the pairs it starts or ends, so that a query's keys take one `|` or two each (the
    key of the pair of units a, b spelled is `a.spelled | a.marked & b.marked | b.unit`, heard
    `a.heard | b.sound`, as `Encoded.keys` makes them)."""

    key: int
    spelled: int  # PAIR's kind and the unit's id, in place
    marked: int  # genericness, in place
    unit: int  # id
    heard: int  # SOUND_PAIR's kind and the unit's sound id, in place
    sound: int  # sound id
    looks: tuple[bool, float]  # genericness and boost


_Units = tuple[Unit, ...]


class Alphabet:
    """Integer ids for the units and the sounds of a corpus.

    Ids are dense, so a pair of them fits a 64-bit key with room to spare. A text from outside
    the corpus (a user's question) may hold units the corpus never uses: they get ids past the
    alphabet's end, which no indexed feature has.
    """

    @classmethod
    def learn(cls, texts: list[str]) -> tuple[Alphabet, Encoded]:
        """The alphabet of a corpus, and the corpus encoded in it (from one scan of the text)."""
        alphabet = cls()
        scan = alphabet._scan(texts, grow=True)
        alphabet._name(scan[0])
        return alphabet, alphabet._encode(scan, len(texts))

    def __init__(self) -> None:
        self.runs: dict[str, int] = {}
        self._known: dict[str, Unit] = {}

    def __getstate__(self) -> dict:
        """What a cached engine keeps: not the units looked up while answering."""
        return {name: value for name, value in self.__dict__.items() if name != "_known"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._known = {}
        # A unit's sound is the same whatever the knowledge: what this alphabet has worked out
        # serves every later `sound` call (above).
        codes = np.flatnonzero(self.rank[:_CODE_POINTS] >= 0)
        heard = self.sound_names[self.sound_of[self.rank[codes]]].tolist()
        _HEARD.update(zip(map(chr, codes.tolist()), heard, strict=True))

    def _name(self, codes: np.ndarray) -> None:
        present = np.zeros(_CODE_POINTS + len(self.runs), dtype=bool)
        present[codes] = True
        # int32, as are the ids and sound ids looked up in them: at 100k entries a batch holds
        # ~25M units, and each int64 array of them was 100 MB more of the build's peak.
        self.rank = np.cumsum(present, dtype=np.int32) - 1
        self.rank[~present] = -1
        found = np.flatnonzero(present)
        split = int(found.searchsorted(_CODE_POINTS))  # characters, then runs
        chars = list(map(chr, found[:split].tolist()))
        run_names = list(self.runs)
        runs = [run_names[code] for code in (found[split:] - _CODE_POINTS).tolist()]
        self.size = len(chars) + len(runs)
        self.sound_ids: dict[str, int] = {}
        # A run of Latin letters and digits sounds as spelled (`sound`) and is never generic: so
        # told without `sound`'s cache, which 100k runs (numbered questions) churned at 100k.
        heard = [*map(sound, chars), *runs]
        self.sound_of = np.array(
            [self.sound_ids.setdefault(name, len(self.sound_ids)) for name in heard],
            dtype=np.int32,
        )
        self.sound_names = np.array(list(self.sound_ids), dtype=object)
        self.generic = np.array([c in GENERIC_CHARS for c in chars] + [False] * len(runs), bool)
        self.boost = np.array([_boost(name) for name in chars + runs], dtype=np.float32)
        self.bits = (max(self.size, len(self.sound_ids)) + _STRANGERS).bit_length()

    def _scan(
        self, texts: list[str], grow: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """Per unit: its code point, or for a run of Latin letters and digits the alphabet's
        code for it (-1 when unknown); the text and the segment it is in. And the unknown runs."""
        return scanned(self.runs, texts, grow)

    def encode(self, texts: list[str]) -> Encoded:
        """Normalized texts as ids of this alphabet."""
        return self._encode(self._scan(texts, grow=False), len(texts))

    def read_one(self, text: str) -> list[_Units]:
        """One normalized query's units, segment by segment, as `encode` gives them, each with
        the parts of its feature keys (`Unit`), in plain Python: a query has a few dozen units,
        too few for NumPy's cost per call to pay for itself (the array passes of `encode` cost
        more than the rest of a search). The same tables, the same ids: tests check that both
        agree. A unit the alphabet knows is worked out once and kept for later queries."""
        read: list[_Units] = []
        strangers: dict[str, int] = {}
        heard: dict[str, int] = {}
        known = self._known
        for segment in text.split():
            names = _names(segment)
            found = tuple(map(known.get, names))
            if None in found:
                found = tuple(
                    self._look_up(name, strangers, heard) if unit is None else unit
                    for name, unit in zip(names, found, strict=True)
                )
            read.append(cast(_Units, found))  # (no None left)
        return read

    def _look_up(self, name: str, strangers: dict[str, int], heard: dict[str, int]) -> Unit:
        """A unit as `_encode` gives it; kept for the next query if the alphabet knows the unit
        (a stranger's ids depend on the query)."""
        if _RUN_RE.fullmatch(name):
            run = self.runs.get(name)
            rank = -1 if run is None else int(self.rank[_CODE_POINTS + run])
        else:
            rank = int(self.rank[ord(name)])
        if rank >= 0:
            found = self._unit(
                rank, int(self.sound_of[rank]), bool(self.generic[rank]), float(self.boost[rank])
            )
            self._known[name] = found
            return found
        syllable = self._sound_id(sound(name), heard)
        own = _stranger(strangers, name, self.size)
        return self._unit(own, syllable, name in GENERIC_CHARS, _boost(name))

    def _unit(self, unit: int, sound: int, generic: bool, boost: float) -> Unit:
        """A unit with the parts of its keys, laid out as `Encoded.keys` lays them out."""
        bits, high = self.bits, 2 * self.bits
        marked = generic << high
        spelled, heard = PAIR << high + 1 | unit << bits, SOUND_PAIR << high + 1 | sound << bits
        return Unit(marked | unit, spelled, marked, unit, heard, sound, (generic, boost))

    def _encode(self, scan: tuple, texts: int) -> Encoded:
        codes, text, segment, unknown_runs = scan
        ids = np.where(codes >= 0, self.rank[codes], -1)
        paired = np.zeros(len(codes), dtype=bool)
        paired[:-1] = segment[:-1] == segment[1:]
        known = ids >= 0
        if known.all():
            sounds, generic, boost = self.sound_of[ids], self.generic[ids], self.boost[ids]
            return Encoded(texts, ids, sounds, text, paired, generic, boost)
        some = np.where(known, ids, 0)
        sounds, generic, boost = self.sound_of[some], self.generic[some], self.boost[some]
        runs = iter(unknown_runs)
        names = [chr(code) if code >= 0 else next(runs) for code in codes[~known].tolist()]
        local: dict[str, int] = {}
        heard: dict[str, int] = {}
        ids[~known] = [_stranger(local, name, self.size) for name in names]
        sounds[~known] = [self._sound_id(sound(name), heard) for name in names]
        generic[~known] = [name in GENERIC_CHARS for name in names]
        boost[~known] = [_boost(name) for name in names]
        return Encoded(texts, ids, sounds, text, paired, generic, boost)

    def _sound_id(self, syllable: str, strangers: dict[str, int]) -> int:
        known = self.sound_ids.get(syllable)
        return known if known is not None else _stranger(strangers, syllable, len(self.sound_ids))

    def spoken(self, sounds: np.ndarray, lengths: np.ndarray) -> _Lines:
        """Texts of this corpus (per unit in reading order its sound id, as a batch holds them;
        per text how many units it has: `Encoded.sounding`) as `spoken` gives each, a chunk of
        texts at a time (`_SPOKEN_AT_ONCE`; 100k entries' questions at once held ~450 MB:
        benchmarks-log.md): each unit's sound and the space after it copied as bytes from a
        table of every sound, one gather a chunk, into the lines `_Lines` keeps (a string per
        text, then joined, was ~60 MB more of the build's peak beside the weighing child at
        100k entries), with where each line ends found chunk by chunk (not by a newline mask
        as long as all of them): at 100k entries 67 MB traced at the most for 24 MB of lines,
        beside the weighing child's keys (was 114 MB: docs/benchmarks.md)."""
        spelled = [name.encode() for name in self.sound_names.tolist()]
        sizes = np.fromiter(map(len, spelled), np.int64, len(spelled)) + 1  # (with its space)
        firsts = np.cumsum(sizes) - sizes
        table = np.frombuffer(b" ".join(spelled) + b" ", dtype=np.uint8)
        # A text without units sounds like "": a newline alone.
        silent = lengths == 0
        size = int(np.bincount(sounds, minlength=len(sizes)) @ sizes + np.count_nonzero(silent))
        joined, written = np.empty(size, dtype=np.uint8), 0
        line_ends = np.empty(len(lengths), dtype=np.int64)  # (in bytes, after each newline)
        ends = np.zeros(len(lengths) + 1, dtype=np.int64)  # where each text's units end
        np.cumsum(lengths, out=ends[1:])
        for first in range(0, len(lengths), _SPOKEN_AT_ONCE):
            last = min(first + _SPOKEN_AT_ONCE, len(lengths))
            heard = sounds[ends[first] : ends[last]]
            bytes_end = np.cumsum(sizes[heard])  # (where each unit's bytes end)
            at = np.repeat(firsts[heard] - bytes_end + sizes[heard], sizes[heard])
            at += np.arange(len(at))  # (each byte: where it is in `table` minus where it goes)
            spelt = table[at]
            del at
            # Each text's line ends after its last unit's bytes (a silent text's: after those
            # of the units before it), the last unit's space made a newline or one inserted.
            ended = np.concatenate([[0], bytes_end])[ends[first + 1 : last + 1] - ends[first]]
            spoke = ~silent[first:last]
            spelt[ended[spoke] - 1] = _NEWLINE
            spelt = np.insert(spelt, ended[~spoke], _NEWLINE)
            joined[written : written + len(spelt)] = spelt
            line_ends[first:last] = np.flatnonzero(spelt == _NEWLINE) + (written + 1)
            written += len(spelt)
        return _Lines.utf8(joined, line_ends)


# Units a batch may hold that the alphabet does not know (a query: 200 at most, MAX_QUERY_CHARS);
# more share ids, which can only blur how much such units weigh, never match an indexed feature.
# Few, so a small knowledge base's keys fit 30 bits (shipped: 25 with this, 37 with 2**16), the
# one-digit integers CPython counts, sorts and looks up fastest (a slow answer: −1.1% instructions).
_STRANGERS = 2**10


def _stranger(seen: dict[str, int], name: str, start: int) -> int:
    """An id past `start` for something the alphabet does not know; the same name, the same id."""
    return start + seen.setdefault(name, len(seen) % _STRANGERS)


def _boost(unit: str) -> float:
    return NUMBER_WEIGHT if unit.replace(".", "").isdigit() and len(unit) <= 6 else 1.0


# Texts handled at a time where building makes Python objects per unit or word (their sounds,
# their words), so that a large knowledge base's temporaries stay bounded.
_TEXTS_AT_ONCE = 50_000
# Texts `Alphabet.spoken` lays out at a time: its temporaries are int64 per byte of a chunk's
# sounds (~3 MB each at 100k entries; 50k texts' were ~45 MB beside the weighing child's keys).
_SPOKEN_AT_ONCE = 8192
