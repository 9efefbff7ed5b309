"""Word features: integer ids for the words of a corpus, as keys beside the unit ones
(bot.engine.features), for the index (bot.engine.index)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain

import numpy as np

from bot.engine import features
from bot.engine._arrays import _blocks, _ranges
from bot.engine._forked import Forked, two_cores
from bot.engine.features import GENERIC_CHARS, WORD, _stranger
from bot.text.words import Words, load

# From this many texts a build's words are learned by a forked child (`Vocabulary.learning`):
# below it, the fork and the hand-back cost more than the overlap gives back.
FORKED_FROM = 100_000
# Where `_learn` marks a generic word's key, above any id, before `bits` is known.
_MARKED = 62

# Distinct runs of Chinese a build keeps split from one chunk of texts to the next (`_learn`):
# a run recurs across chunks (怎么办理), and the segmenter need not cut it again.
_RUNS_KEPT = 250_000


class Vocabulary:
    """Integer ids for the words of a corpus, and word features as keys beside the unit ones.

    A WORD key holds its kind, whether the word is generic (made only of GENERIC_CHARS: 我们,
    知道) and the word's id in the bits two unit ids take in a pair key.
    """

    def __init__(self, words: Words) -> None:
        self.words = words
        self.ids: dict[str, int] = {}

    def keys(
        self, texts: list[str], bits: int, grow: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every word occurrence of the texts as a key, with the text it occurs in. A word the
        vocabulary does not know gets an id past its end (with `grow`, it is learned).

        Texts are split a chunk at a time: each word found is a string of its own, and at 100k
        entries all of them at once held more memory than the whole index (docs/benchmarks-log.md).
        """
        if grow:
            return self._laid_out(self._learn(texts), bits)
        strangers: dict[str, int] = {}
        found = [self.words(text) for text in texts]
        words = list(chain.from_iterable(found))
        ids = [
            known
            if (known := self.ids.get(word)) is not None
            # A word the knowledge never uses: an id past the vocabulary's end.
            else _stranger(strangers, word, len(self.ids))
            for word in words
        ]
        keys = self._keys(ids, words, bits)
        return keys, np.repeat(np.arange(len(texts), dtype=np.int32), list(map(len, found)))

    def learning(
        self, texts: list[str], again: Callable[[], list[str]]
    ) -> Callable[[int], tuple[np.ndarray, np.ndarray]]:
        """`keys(texts, bits, grow=True)` begun before `bits` is known (a build learns its
        alphabet meanwhile): what this gives, called with `bits`, gives the keys. From
        `FORKED_FROM` texts on two cores the words are learned by a forked child while this
        process learns the alphabet (at 100k entries, ~1.5 s of a build's time on the second
        core): the same ids and keys, whichever process makes them (`Forked`). If the child
        fails they are learned here from `again()`, the same texts: this process keeps none
        of `texts` for it (at 100k entries the build frees 62 MB of their strings before the
        keys are taken)."""
        if len(texts) < FORKED_FROM or not two_cores():
            learned = [self._learn(texts)]  # (popped: the caller alone holds the keys)
            return lambda bits: self._laid_out(learned.pop(), bits)
        load()  # the segmenter loaded here: the child shares it, and takes no lock for it
        forked = Forked(
            lambda: (self._learn(texts), *self._handed()),
            lambda: (self._learn(again()), *self._handed()),
        )

        def keys(bits: int) -> tuple[np.ndarray, np.ndarray]:
            learned, words, inside = forked.result()
            for number, (term, place) in inside:
                words[number] = self.words.inside[term][place]
            self.ids = dict(zip(words, range(len(words)), strict=True))
            return self._laid_out(learned, bits)

        return keys

    def _handed(self) -> tuple[list[str], list[tuple[int, tuple[str, int]]]]:
        """The words learned, in id order, as a child hands them back: with which of them
        are a term's inner word (`Words.inside`) itself, as the first of them met was, so
        that this process's vocabulary holds the same strings, and pickles to the same bytes."""
        inside = {
            id(word): (term, place)
            for term, words in self.words.inside.items()
            for place, word in enumerate(words)
        }
        words = list(self.ids)
        return words, [(n, inside[id(word)]) for n, word in enumerate(words) if id(word) in inside]

    @staticmethod
    def _laid_out(
        learned: tuple[np.ndarray, np.ndarray], bits: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """`_learn`'s keys laid out as `_keys` lays them out for `bits`, in place."""
        keys, rows = learned
        for block in _blocks(len(keys)):
            part = keys[block]
            generic = part >> _MARKED
            part ^= generic << _MARKED
            generic <<= 2 * bits
            part |= generic
            part |= WORD << 2 * bits + 1
        return keys, rows

    def _learn(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """`keys` of a corpus, learning its words, each key as its id with genericness in bit
        `_MARKED` (`_laid_out` moves it where `bits` puts it): ids and keys are made once per
        distinct run of Chinese (`Words.split_all`), then laid out per occurrence with array
        operations. Ids are given in order of first occurrence, as one pass over every word
        would."""
        parts: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        known: dict[str, int] = {"\n": -1}  # the runs split so far, each with its place
        run_keys = np.zeros(0, dtype=np.int64)  # their words' keys, run after run
        run_starts = np.zeros(1, dtype=np.int64)  # where each run's begin in `run_keys`
        for first in range(0, len(texts), features._TEXTS_AT_ONCE):
            if len(known) > _RUNS_KEPT:  # (a bound on the strings held, not on the work)
                known, run_keys, run_starts = {"\n": -1}, run_keys[:0], run_starts[:1]
            chunk = texts[first : first + features._TEXTS_AT_ONCE]
            runs, sequence = self.words.split_all(chunk, known)
            words = list(chain.from_iterable(runs))
            ids = [self.ids.setdefault(word, len(self.ids)) for word in words]
            run_keys = np.concatenate([run_keys, self._keys(ids, words, _MARKED // 2, False)])
            lengths = np.fromiter(map(len, runs), np.int64, len(runs))
            run_starts = np.concatenate([run_starts, run_starts[-1] + np.cumsum(lengths)])
            occurrences = np.array(sequence, dtype=np.int64)
            ends = occurrences < 0  # where a text ends
            text = np.cumsum(ends, dtype=np.int32)[~ends] + first
            occurrences = occurrences[~ends]
            positions, counts = _ranges(run_starts[occurrences], run_starts[occurrences + 1])
            parts.append(run_keys[positions])
            rows.append(text.repeat(counts))
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        return np.concatenate(parts), np.concatenate(rows)

    @staticmethod
    def _keys(ids: list[int], words: list[str], bits: int, kind: bool = True) -> np.ndarray:
        keys = np.array(ids, dtype=np.int64)
        keys |= np.fromiter(map(GENERIC_CHARS.issuperset, words), bool, len(words)) << 2 * bits
        if kind:
            keys |= WORD << 2 * bits + 1
        return keys

    def query_keys(self, text: str, bits: int) -> list[int]:
        """`keys([text], bits)[0]` for one query, as plain integers (see `Alphabet.read_one`)."""
        strangers: dict[str, int] = {}
        known, size, kind_bits = self.ids, len(self.ids), WORD << 2 * bits + 1
        return [
            (found if (found := known.get(word)) is not None else _stranger(strangers, word, size))
            | GENERIC_CHARS.issuperset(word) << 2 * bits
            | kind_bits
            for word in self.words(text)
        ]
