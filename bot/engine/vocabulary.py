"""Word features: integer ids for the words of a corpus, as keys beside the unit ones
(bot.engine.features), for the index (bot.engine.index)."""

from __future__ import annotations

from itertools import chain

import numpy as np

from bot.engine import features
from bot.engine._arrays import _ranges
from bot.engine.features import GENERIC_CHARS, WORD, _stranger
from bot.text.words import Words

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
            return self._learn(texts, bits)
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

    def _learn(self, texts: list[str], bits: int) -> tuple[np.ndarray, np.ndarray]:
        """`keys` of a corpus, learning its words: ids and keys are made once per distinct run
        of Chinese (`Words.split_all`), then laid out per occurrence with array operations.
        Ids are given in order of first occurrence, as one pass over every word would."""
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
            run_keys = np.concatenate([run_keys, self._keys(ids, words, bits)])
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
    def _keys(ids: list[int], words: list[str], bits: int) -> np.ndarray:
        keys = np.array(ids, dtype=np.int64)
        keys |= np.fromiter(map(GENERIC_CHARS.issuperset, words), bool, len(words)) << 2 * bits
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
