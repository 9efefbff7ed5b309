"""A message's words as the answerability checks weigh them: which clause asks, what each word
carries.

Kept apart from bot.engine.core, which calls it, as the one place where the reading of a text
(bot.engine.reading) meets the knowledge's vocabulary and segmenter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from functools import partial

from bot.engine import answerability, asked
from bot.engine.answerability import content_weight
from bot.engine.features import sounded
from bot.engine.index import Index
from bot.engine.reading import Reading, weight
from bot.text.kept import kept
from bot.text.words import Words, in_dictionary, part_of_speech

# A figure in a question: a year, a month, a count; not 一个 (1个 once normalized), which is "a"
# (有一个方案吗), unless it counts (第一个, 11个). Led by its digit, looking behind from there, so
# the regex engine skips to a digit (most clauses have none): 5.8k -> 2.0k instructions a call.
_FIGURE = re.compile(r"\d(?<!(?<![第\d])1(?=个))\d*(?:\.\d+)?")
# 起来 after a verb (加起来, 怎么搭起来的, 想快点开起来): the verb says what is done, 起来 only that
# it gets going or adds up; left alone by the segmenter, it weighed as a verb no entry uses. (The
# same of 出 is read off the text: 改出啥成效 is 改了啥成效, bot.text.dialect. 到, 完, 成, 好 too:
# fewer right on the tuned-on sets, docs/matching.md.)
COMPLEMENT = "起来"
# Where the sender heard what they ask about (听人说…, 常听人家讲…, 老听别人说…): no more about the
# question than 听说 (FRAMING), but cut 听 / 人 / 说, its 人 weighed as a character of the content
# (0.5) and 常听 as a verb no entry uses, which held an entry that leaves 人 uncovered under one
# that has it somewhere (我是送外卖的听人说抚远政务服务事项有…多少项 → the 一次办 entry, wrong).
_HEARSAY = re.compile(r"(?:经常|常常?|老是?|总是?)?听(?:别人|人家|人)[说讲]")
# Clauses kept with their subject and its words: a message's clauses are read again by its parts
# (bot.engine.parts reads and judges each) and by `read`'s `says`, and short ones (你好, 谢谢)
# recur across messages; 42% of the Telegram load's `content` calls were of a text seen before.
CLAUSES_KEPT = 8192


class Wording:
    """The words of a knowledge base's messages: `words` cuts text, `index` knows which words
    the knowledge uses, `canonical` puts text in matching form, `places` are the city's own
    names (bot.yaml), which frame a question as 我们 or 政府 do: they carry nothing."""

    def __init__(
        self,
        words: Words,
        index: Index,
        canonical: Callable[[str], str],
        places: tuple[str, ...] = (),
    ) -> None:
        self.words, self.index, self.canonical = words, index, canonical
        self.places = places
        self._seen: dict[str, tuple[str, tuple[str, ...]]] = {}

    def __getstate__(self) -> dict:
        """What a cached engine keeps: not the clauses seen while answering."""
        return {name: value for name, value in self.__dict__.items() if name != "_seen"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._seen = {}

    @property
    def known(self):
        return self.index.vocabulary.ids if self.index.vocabulary else {}

    def content_words(self, reading: Reading) -> list[tuple[str, float, str]]:
        """The message's words with how much each carries (clause weight × content weight)
        and how each sounds."""
        known = self.known
        classes, quiet = self.index.tuning.word_classes, self.index.tuning.quiet_background
        # A term of the knowledge typed as it is spelled (四减) is found only where it is spelled:
        # found by its sound elsewhere (si jian, in the 时间 of another entry's answer, by fuzzy
        # pinyin) it is another word, not a typo of the term (a typo, 四简, is no term: sounded).
        terms = self.words.inside  # (a dict by term: only asked whether it holds a word)
        words = []
        for clause in reading.clauses:
            subject, cut = self._read(clause.text)
            words += [
                (
                    word,
                    self.weight(word, known, clause.weight, classes, quiet)
                    if not (word == COMPLEMENT and n and part_of_speech(cut[n - 1]) == "v")
                    else 0.0,
                    "\0" if word in terms else sounded(word),
                )
                for n, word in enumerate(cut)
            ]
            # A figure (2021年, 3月) the entry does not contain asks about another fact; it is
            # matched as written only ("\0" sounds like nothing).
            words += [
                (n, clause.weight * answerability.FIGURE, "\0") for n in _FIGURE.findall(subject)
            ]
        return words

    def says(self, clause: str) -> bool:
        """For `read`: whether a clause says what it is about (has a word that carries)."""
        known = self.known
        return any(self.weight(w, known, 1.0) for w in self._read(clause)[1])

    def knows(self, clause: str) -> bool:
        """For `read`: whether a clause has a word that carries and that the knowledge uses."""
        known = self.known
        words = self._read(clause)[1]
        return any(w in known and self.weight(w, known, 1.0) for w in words)

    def weight(
        self, word: str, known: Container[str], clause: float, classes=True, quiet=True
    ) -> float:
        """`reading.weight` of a word (`known`: the words the knowledge uses), nothing for a
        place of `places`."""
        return 0.0 if word in self.places else weight(word, word in known, clause, classes, quiet)

    def carries(self, word: str, known: bool = True) -> bool:
        """Whether a word weighs anything (`answerability.content_weight`; no place does)."""
        return word not in self.places and content_weight(word, known) > 0

    def content(self, subject: str) -> list[str]:
        """A clause's words as the checks weigh them: a word the knowledge never uses that the
        segmenter only guessed (天办 of 前几天办, 有大 of 有大数据) is the dictionary's words, unless
        none of those says anything (马上半, a typo of the term 马上办: 马上 is an adverb, 半 a
        numeral), when the guess is kept and may sound like the term."""
        known = self.known
        words: list[str] = []
        for word in self.words(subject, search=False):
            parts = in_dictionary(word) if word not in known else (word,)
            if len(parts) > 1 and not any(self.carries(p, p in known) for p in parts):
                parts = (word,)
            words += parts
        return words

    def subject(self, clause: str) -> str:
        """A clause without its question words and where the sender heard it (`_HEARSAY`), in
        matching form."""
        return self.canonical(_HEARSAY.sub(" ", asked.QUESTION_WORDS.sub(" ", clause)))

    def _read(self, clause: str) -> tuple[str, tuple[str, ...]]:
        """A clause's `subject` and that subject's `content`, each made once per clause text
        (`CLAUSES_KEPT`: a bound, not an LRU; another thread's clauses are read as well)."""
        return kept(self._seen, clause, partial(self._made, clause), CLAUSES_KEPT)

    def _made(self, clause: str) -> tuple[str, tuple[str, ...]]:
        subject = self.subject(clause)
        return subject, tuple(self.content(subject))
