"""Chinese words, for matching and for telling what a question asks about.

Characters and character pairs find an entry; words say what a question is about: 房价 is one
thing, not 房 and 价. Words come from rjieba (the Rust port of jieba's dictionary and
segmentation), chosen over jieba for start-up and speed (docs/matching.md), and from the
knowledge's own terms: a knowledge base's names (办事不求人, 关企协调员, 黑瞎子岛) are whole
words there whatever a general dictionary says.

Terms are matched by our own longest-match pass before the segmenter sees the rest, rather than
added to the segmenter's dictionary: the dictionary is one per process (it takes most of a
second to load and cannot be pickled with a cached engine), and a knowledge base's words must
not change how another one, loaded later in the same process, is segmented.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache, partial

from bot.text.kept import kept

_lock = threading.Lock()
_segmenter = None


def _jieba():
    """The process's segmenter, loaded on first use (about half a second of CPU)."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                # The package's own segmenter, made when it is imported, with the functions
                # bound to it (rjieba.cut, .cut_for_search, .tag): a `rjieba.Jieba()` of our own
                # would load the same dictionary a second time, 0.15-0.2 s of a start
                # (docs/benchmarks.md). Nothing here adds words to it (see above).
                import rjieba

                segmenter = rjieba
                # Tagging a word the dictionary lacks (小微) loads the tagger's model for such
                # words, 35-55 ms: paid here, at start-up, rather than by the first question
                # with an unknown word to weigh (it was one of the slowest answers at 100k).
                segmenter.tag("小微", True)
                _segmenter = segmenter
    return _segmenter


def load() -> None:
    """Load the dictionary now, so the first question does not pay for it."""
    _jieba()


# Parts of speech (jieba's tag set) of words that never say what a question is about, only how
# it is put: pronouns (各种, 那次, 之类, 这方面), locality words (里面), numerals and measure
# words (一点, 四样), adverbs (想先), time words (过去), prepositions, conjunctions, particles.
FUNCTION_TAGS = frozenset(
    {"r", "f", "m", "mq", "q", "d", "t", "u", "p", "c", "y", "e", "o"}
    | {"uj", "ul", "ud", "uz", "ug", "uv", "zg"}
)


@lru_cache(maxsize=65536)
def part_of_speech(word: str) -> str:
    """A word's part of speech in jieba's tag set ("n", "v", "r"…); for a word the dictionary
    splits, its last part's (a Chinese compound's head is its last part)."""
    tags = _jieba().tag(word, True)
    return tags[-1][1] if tags else "x"


@lru_cache(maxsize=65536)
def in_dictionary(word: str) -> tuple[str, ...]:
    """A word as the segmenter's dictionary has it: itself, or the dictionary words and single
    characters it is made of when it is a guess of the segmenter's model for words it does not
    know (前几天办 → 天办, 有大数据 → 有大: each split across two words)."""
    return tuple(_jieba().cut(word, False))


# Latin letters and digits are units already; words are for the Chinese in between.
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_RUN_OR_LINE = re.compile(r"[\u3400-\u9fff]{2,}|\n")
# Runs of Chinese kept with their words: one question is split several times (the whole message,
# its asking clause, its content words), and a run costs a few calls into the segmenter.
RUNS_KEPT = 8192


class Words:
    """Splits normalized text into words: the knowledge's terms whole, the rest by rjieba in
    search mode (a long word also yields the words inside it: 服务中心 → 服务, 中心)."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        # Longest first (the pattern takes the first alternative that matches); terms of one
        # length in their own order, not the set's, which differs from process to process (two
        # saves of the same engine differed: bot.engine.cache).
        kept = {t for t in terms if len(t) >= 2 and _CJK_RUN.fullmatch(t)}
        self.terms = tuple(sorted(kept, key=lambda term: (-len(term), term)))
        self.pattern = re.compile("|".join(map(re.escape, self.terms))) if self.terms else None
        # A term is indexed with the dictionary words inside it, as search mode does for its own.
        self.inside = {term: self._cut(term, whole=False) for term in self.terms}
        self._seen: dict[tuple[str, bool], list[str]] = {}

    def __getstate__(self) -> dict:
        """What a cached engine keeps: not the runs seen while answering."""
        return {name: value for name, value in self.__dict__.items() if name != "_seen"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._seen = {}

    def __call__(self, text: str, search: bool = True, keep: bool = True) -> list[str]:
        """The words of two characters or more in a normalized text, in reading order, with
        repeats (counts matter to term frequency). Without `search`, each stretch of text is
        cut once (营业执照, not also 营业 and 执照) and single characters are kept: for telling
        what a question is about. `keep=False` keeps no runs (building an index: its texts'
        runs rarely recur, and a large knowledge base has millions)."""
        if not keep:
            return [word for run in _CJK_RUN.findall(text) for word in self._run(run, search)]
        words: list[str] = []
        for run in _CJK_RUN.findall(text):
            cut: list[str] = kept(
                self._seen, (run, search), partial(self._run, run, search), RUNS_KEPT
            )
            words.extend(cut)
        return words

    def split_all(
        self, texts: list[str], number: dict[str, int] | None = None
    ) -> tuple[list[list[str]], list[int]]:
        """`self(text, keep=False)` of many texts, the way a build wants it: the words of each
        distinct run of Chinese, in order of first occurrence, and per run in the texts which
        of those it is, with -1 after each text's last. Each distinct run is split once, and
        every piece the segmenter must cut goes to it in one call, joined by newlines: it cuts
        each run on its own (a newline is a boundary it never crosses), so the words are the
        same as run by run; at 100k entries, calling it 800k times was a third of the build
        (docs/benchmarks-log.md).

        `number` holds the runs of earlier calls, each with its place ("\\n": -1, as a new one
        starts), and is extended: a run seen before is not split again, and the words given
        are those of the new runs only, numbered on from the earlier ones (a build splits its
        texts a chunk at a time, and at 100k entries most chunks' runs were earlier ones')."""
        # One scan of all the texts, newlines kept to tell where each text ends (so a newline
        # inside a text, which no run of Chinese crosses anyway, becomes a space).
        number = {"\n": -1} if number is None else number
        earlier = len(number)
        joined = "\n".join(text.replace("\n", " ") for text in texts)
        sequence = [number.setdefault(run, len(number) - 1) for run in _RUN_OR_LINE.findall(joined)]
        sequence.append(-1)
        parts = [self._parts(run) for run in list(number)[earlier:]]
        cut = {piece: () for run_parts in parts for piece, _ in run_parts if len(piece) >= 2}
        if cut:
            pieces = list(cut)
            words = iter(_jieba().cut_for_search("\n".join(pieces), True))
            for piece in pieces:
                cut[piece] = tuple(word for word in iter(words.__next__, "\n") if len(word) >= 2)
        runs = []
        for run_parts in parts:
            found: list[str] = []
            for piece, term in run_parts:
                found.extend(cut.get(piece, ()))
                if term:
                    found.append(term)
                    found.extend(self.inside[term])
            runs.append(found)
        return runs, sequence if texts else []

    def _parts(self, run: str) -> list[tuple[str, str]]:
        """A run as the pieces between the knowledge's terms, each with the term after it."""
        if self.pattern is None:
            return [(run, "")]
        parts, start = [], 0
        for match in self.pattern.finditer(run):
            parts.append((run[start : match.start()], match.group(0)))
            start = match.end()
        parts.append((run[start:], ""))
        return parts

    def _run(self, run: str, search: bool) -> list[str]:
        if self.pattern is None:
            return self._cut(run, search)
        words, start = [], 0
        for match in self.pattern.finditer(run):
            words.extend(self._cut(run[start : match.start()], search))
            words.append(match.group(0))
            if search:
                words.extend(self.inside[match.group(0)])
            start = match.end()
        words.extend(self._cut(run[start:], search))
        return words

    @staticmethod
    def _cut(text: str, search: bool = True, whole: bool = True) -> list[str]:
        if not text or (search and len(text) < 2):
            return []
        jieba = _jieba()
        if not search:
            return jieba.cut(text, True)
        return [w for w in jieba.cut_for_search(text, True) if len(w) >= 2 and (whole or w != text)]
