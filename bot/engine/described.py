"""What the answerability checks read of each entry (bot.engine.answerability): the kinds of
answer it gives, the text a question's words may be covered by, its answer and quote as written.
Worked out for a whole knowledge base where that is cheaper at once (what each question asks
for, each answer's matching form and sounds), and per entry when a search first brings it up.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from bot.engine._arrays import _Lines, _ranges
from bot.engine._led import led
from bot.engine.answerability import _REPORTED, asked
from bot.engine.features import spoken
from bot.engine.focus import _COUNTED, _FOCUS, CONTACT, COUNT, given_by_answer, hotline_for
from bot.engine.index import Index
from bot.knowledge.model import Entry
from bot.text.normalize import fold_all


def _marked(pattern: str) -> re.Pattern:
    """`pattern` with the rest of its line, for finding many questions' kinds at once
    (`focus_kinds`), one match per question; led by a class of its first characters
    (bot.engine._led): the same matches, ~2x faster over 500k questions (docs/benchmarks.md)."""
    return re.compile(f"{led(pattern)}[^\n]*")


# The focus patterns, each with the rest of the line (`_marked`).
_MARKED = [_marked(pattern) for _, pattern in _FOCUS]
_NEWLINE = ord("\n")
_BLOCK = 1 << 20  # characters (`focus_codes`)
# Up to this many entries the engine describes every entry at its build (a list), as before
# `Descriptions`: it costs a small knowledge base nothing, and a teach's no-harm check answers
# its probes on a freshly built engine, which would otherwise make them on the spot.
EAGER = 10_000


def focus_kinds(questions: list[str]) -> list[tuple[str, ...]]:
    """Per folded question, the kinds of answer it asks for, in `_FOCUS` order."""
    codes = focus_codes("\n".join(questions), len(questions)).tolist()
    names = {code: _kinds_of(code) for code in set(codes)}
    return [names[code] for code in codes]


def focus_codes(joined: str, count: int) -> np.ndarray:
    """Per folded question of `joined` (`count` of them, joined by newlines), the kinds of answer
    it asks for as bits (bit n: `_FOCUS[n]`). Each pattern runs once over all the questions
    (none matches across a newline, and each match takes the rest of its line, so a question is
    found once), and where each match starts among the newlines says whose question it is. At
    100k entries, searching question by question (5.5M searches) took a tenth of the build;
    marking each question found in a copy of the text and reading the marks with array
    operations took twice as long as this."""
    # Where each question ends, found a block of the text at a time: a large build works this
    # out while its weighing child holds the most it does (the machine's peak), and the whole
    # text's UTF-32 copy was 35 MB of it at 100k entries.
    found = [np.zeros(0, np.int64)]
    for at in range(0, len(joined), _BLOCK):
        block = np.frombuffer(joined[at : at + _BLOCK].encode("utf-32-le"), np.uint32)
        found.append(np.flatnonzero(block == _NEWLINE) + at)
    newlines = np.concatenate(found)
    codes = np.zeros(count, dtype=np.int64)
    for bit, pattern in enumerate(_MARKED):
        starts = np.fromiter((match.start() for match in pattern.finditer(joined)), np.int64)
        codes[newlines.searchsorted(starts)] |= 1 << bit
    return codes


@functools.cache  # a few dozen codes occur, each looked up for every entry described
def _kinds_of(code: int) -> tuple[str, ...]:
    return tuple(name for bit, (name, _) in enumerate(_FOCUS) if code >> bit & 1)


def _asked(texts: Sequence[str], sounds: Sequence[str], numbers) -> tuple[str, str]:
    """`asked` of the given questions joined, from their sounds (`spoken` of texts joined by
    spaces is their own sounds joined, leaving out those with none)."""
    chosen = [texts[n] for n in numbers]
    return asked(" ".join(chosen), " ".join(s for n in numbers if (s := sounds[n])))


# What `check` reads of an entry: the kinds of answer it gives, each with the text of the
# questions that ask for it; its covered text, spelled and as sounds; its answer and quote.
Description = tuple[dict[str, tuple[str, str]], tuple[str, str], str]


class Descriptions:
    """Per entry (by position), its `Description`, made the first time a search brings the
    entry up, and kept. The build works out only what needs all the entries at once (the
    kinds each question asks for, each answer's matching form and sounds); the rest is a few
    joins per entry. At 100k entries, making every entry's description at the build took
    ~2 s of CPU and its strings ~100 MB of the engine and of its cache file
    (docs/benchmarks-log.md), for entries most of which no question ever brings up."""

    def __init__(
        self,
        entries: Sequence[Entry],
        index: Index,
        kinds: np.ndarray,
        shown: np.ndarray,
        hotlines: dict[str, tuple[str, str]],
        tails: Sequence[str],
        heard: Sequence[str],
        covered: list[tuple[str, str]] | None = None,
    ) -> None:
        """`kinds`: per indexed question, the bits of the kinds it asks for; `shown`: per
        entry, those its answer shows it gives; `hotlines`: per answer whose only contact is a
        hotline, its hotline sentences (`hotline_for`) in matching form, as `asked` gives them;
        `tails` and `heard`: per entry, its answer and quote in matching form and as sounds;
        `covered`: per entry, its covered text, when it is not made of the index's rows and the
        tail (`describe`)."""
        self.entries, self.index, self.kinds, self.shown = entries, index, kinds, shown
        self.hotlines = hotlines
        self.tails, self.heard, self.covered = tails, heard, covered
        self._made: dict[int, Description] = {}

    def __getstate__(self) -> dict:
        """What a cached engine keeps: not the descriptions made while answering."""
        return {name: value for name, value in self.__dict__.items() if name != "_made"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _made={})

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, position: int) -> Description:
        made = self._made.get(position)
        if made is None:  # another thread may make it too: the same, and either is kept
            made = self._made[position] = self._make(position)
        return made

    def _make(self, position: int) -> Description:
        entry, (start, end) = self.entries[position], self.index.spans[position]
        # The entry's rows: its questions, then its keywords (which ask for nothing).
        texts, sounds = self.index.texts.run(start, end), self.index.sounds.run(start, end)
        count = len(entry.questions)
        found: dict[str, list[int]] = {}
        for number, code in enumerate(self.kinds[start : start + count].tolist()):
            for name in _kinds_of(code):
                found.setdefault(name, []).append(number)
        gives = {kind: _asked(texts, sounds, numbers) for kind, numbers in found.items()}
        if shown := int(self.shown[position]):
            # What the answer shows it gives, it gives about whatever the entry is about.
            every = _asked(texts, sounds, range(count))
            gives.update(dict.fromkeys(_kinds_of(shown), every))
            # ...but a hotline only about what its sentences name, unless the questions ask.
            if entry.answer in self.hotlines and CONTACT not in found:
                gives[CONTACT] = self.hotlines[entry.answer]
        stated = f"{_REPORTED.sub('', entry.answer)} | {entry.source.quote}"
        if self.covered is not None:
            return gives, self.covered[position], stated
        heard = [sound for sound in sounds if sound]
        if tail_heard := self.heard[position]:
            heard.append(tail_heard)
        spelled = "".join(texts) + self.tails[position]
        return gives, (spelled.replace(" ", ""), f" {' '.join(heard)} "), stated


class Said(NamedTuple):
    """What `describe` reads of the entries (`said`): per entry, how many questions it has;
    their answers and their quotes."""

    questions: np.ndarray
    answers: _Lines
    quotes: _Lines


def said(entries: Sequence[Entry]) -> Said:
    """What `describe` reads of the entries, as a few objects. Reading an entry's strings
    writes their reference counts, and a page written in a process that shares it with a
    forked child is copied: a large build describes its entries while a child weighs the index
    (`Index.along`), and reading them there copied ~100 MB of pages at 100k entries (the
    machine's memory, as the build counts it). Made before the child is forked, these are read
    without: a long string's text is only read. (A large build makes them while it prepares
    the texts, after its half, as the preparing child ends the other: `prepare`'s `meanwhile`.)"""
    questions = np.fromiter((len(entry.questions) for entry in entries), np.int64, len(entries))
    answers, quotes = _Lines([e.answer for e in entries]), _Lines([e.source.quote for e in entries])
    return Said(questions, answers, quotes)


def describe(
    entries: Sequence[Entry],
    index: Index,
    canonical_all: Callable[[list[str]], list[str]],
    by_parts: bool = True,
    folded: list[str] | None = None,
    told: Said | None = None,
) -> list[Description] | Descriptions:
    """Per entry, what kinds of answer it gives (each with the text of the questions that ask
    for it, as `check` reads `gives`), and the text a question's words may be covered by
    (questions, keywords, answer, quote), spelled and as sounds, and its answer and quote as
    written (a figure or title asked for must be there: `mentions`). `canonical_all` puts texts in
    matching form, as the question's words are.

    The questions are folded all at once, and their matching form and sounds come from the
    index, which has them already: at 100k entries, normalizing entry by entry was half of the
    engine's build (docs/benchmarks-log.md). So does the covered text, unless `by_parts` is off
    (a synonym spelled with a space, which could match across two of an entry's texts joined,
    as it cannot across two texts normalized apart).

    `folded`: the entries' questions folded and joined by newlines, when the caller has them
    already (the engine folds its questions in the pass that normalizes them; their
    `focus_codes` are worked out here, which a large build does while its weighing child works
    rather than on the build's longest path), as a list of that one text, emptied once read (at
    100k entries its 17 MB not held through the rest of the build); `told`: `said(entries)`,
    when the caller made it already (see there)."""
    told = told or said(entries)
    # Per index row, the kinds it asks for: an entry's rows are its questions, then keywords.
    kinds = np.zeros(len(index.texts), dtype=np.int64)
    rows, _ = _ranges(index.starts, index.starts + told.questions)
    if folded is None:
        folded = ["\n".join(fold_all([q for entry in entries for q in entry.questions]))]
    kinds[rows] = focus_codes(folded.pop(), len(rows))
    answered = list(told.answers)
    answers = dict.fromkeys(answered, 0)  # one answer may serve many entries
    hotlines: dict[str, str] = {}
    for answer in answers:
        bare = _REPORTED.sub("", answer)
        shown = given_by_answer(bare) | ({COUNT} if _COUNTED.search(bare) else set())
        answers[answer] = sum(1 << bit for bit, (name, _) in enumerate(_FOCUS) if name in shown)
        if CONTACT in shown and (hotline := hotline_for(bare)) is not None:  # (seldom: cheap)
            hotlines[answer] = hotline
    shown_codes = np.array([answers[answer] for answer in answered], dtype=np.int64)
    # A hotline's sentences in matching form, as `check` looks the question's words up in them.
    canonical = canonical_all(list(hotlines.values()))
    hotline_texts = {answer: asked(text) for answer, text in zip(hotlines, canonical, strict=True)}
    if not by_parts:
        texts = [" | ".join([*e.questions, *e.keywords, e.answer, e.source.quote]) for e in entries]
        covered = [(text.replace(" ", ""), f" {spoken(text)} ") for text in canonical_all(texts)]
        made = Descriptions(entries, index, kinds, shown_codes, hotline_texts, (), (), covered)
        return _eager(made)
    # The texts joined normalize as each one apart, joined: no step of normalization crosses
    # the " | " between them. The questions and keywords are the index's rows already.
    tails = canonical_all([f"{a} | {q}" for a, q in zip(answered, told.quotes, strict=True)])
    # One answer and quote may serve many entries: each distinct one is sounded once.
    sounds = {tail: spoken(tail) for tail in dict.fromkeys(tails)}
    return _eager(
        Descriptions(
            entries,
            index,
            kinds,
            shown_codes,
            hotline_texts,
            _Lines(tails),
            _Lines([sounds[t] for t in tails]),
        )
    )


def _eager(made: Descriptions) -> list[Description] | Descriptions:
    """A small knowledge base's descriptions all made now, as a list (see EAGER)."""
    return [made[n] for n in range(len(made))] if len(made) <= EAGER else made
