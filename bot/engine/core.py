"""The answer engine: a question in, a structured answer out. It knows nothing of any channel.

The decision is deliberately conservative. A wrong answer from a government service is worse than
none, so an entry is stated only when it scores clearly above the rest; close calls offer their
entries to choose from ("您是想问…"), and anything weaker an honest fallback that says where to
turn. How any of it reads for people (the list, the confirm question, a passage's label) is
`bot.channels.render`'s: the engine returns the structure only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from functools import lru_cache, partial
from itertools import accumulate, chain, pairwise
from typing import Any

from bot.engine import _frozen, decision, described, judging, owned, parts
from bot.engine._marks import labelled, questions_marked
from bot.engine._pieces import Pieces
from bot.engine.answer import Answer
from bot.engine.answerability import Check
from bot.engine.decision import (
    ANSWERED,
    CLARIFY,
    CLARIFY_CHOICES,
    FALLBACK,
    SMALLTALK,
    STATUSES,
    Candidate,
    Shares,
    Thresholds,
    decide_status,
)
from bot.engine.index import Index, Tuning
from bot.engine.language import foreign_language
from bot.engine.passages import Passage, Passages
from bot.engine.prepared import prepare
from bot.engine.reading import Reading, fold_message, read
from bot.engine.relayed import unrelayed
from bot.engine.smalltalk import SmallTalkReplies
from bot.engine.spelled import Spelling
from bot.engine.wording import Wording
from bot.knowledge.model import Entry, Knowledge
from bot.text.dictation import punctuated
from bot.text.keypad import Keypad
from bot.text.normalize import normalize, normalize_all
from bot.text.synonyms import Synonyms
from bot.text.words import Words

__all__ = [
    "ANSWERED",
    "CANDIDATES",
    "CLARIFY",
    "CLARIFY_CHOICES",
    "FALLBACK",
    "MAX_QUERY_CHARS",
    "SMALLTALK",
    "STATUSES",
    "Answer",
    "Candidate",
    "Engine",
    "Synonyms",
    "Thresholds",
    "decide_status",
    "foreign_language",
]
CANDIDATES = 5
# Longer input is cut before matching: nobody asks one question in more than this many characters.
MAX_QUERY_CHARS = 200
# Answers kept for questions asked again, word for word: popular questions come in bursts.
ANSWER_CACHE = 4096
# A fallback lists up to this many near topics (`decision.near_topic`), which may still help.
NEAR_TOPICS = 3
# Entries re-checked for whether they answer what is asked, best first by match.
RECHECKED = 8
# A term in quotes is one name: “办事不求人”, “关企协调员”.
_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,12})[”\"」]")


class Engine:
    """Answers questions from one loaded knowledge base; build once, call `answer` many times."""

    def __init__(
        self,
        knowledge: Knowledge,
        thresholds: Thresholds | None = None,
        tuning: Tuning | None = None,
        cache: int = ANSWER_CACHE,
        shares: Shares | None = None,
    ) -> None:
        """`cache`: how many answers to keep for repeated questions (0: none, as benchmarks
        that time the matching itself need)."""
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds(**knowledge.thresholds)
        self.synonyms = Synonyms(knowledge.synonyms)
        self.entries = list(knowledge.entries)
        # Every text in matching form, each question folded and what describing reads of the
        # entries (`said`), before the index holds its arrays; on two cores for a large build.
        texts, folded, contexts, terms, told = prepare(
            self.entries, self.synonyms, self.terms, partial(described.said, self.entries)
        )
        self.words = Words(terms)
        # How a candidate's evidence is weighed (bench/decision_fit.py varies it).
        self.shares = shares or Shares()
        ends = accumulate(len(e.similar) + 1 + len(e.keywords) for e in self.entries)
        by_entry = [texts[start:end] for start, end in pairwise([0, *ends])]
        del texts
        # Per entry, what kinds of answer it gives and the text a question's words may be in,
        # each made when a search first brings the entry up: from the index's rows, while a
        # large index's forked child weighs it (`Index.along`).
        describing = partial(
            described.describe,
            self.entries,
            canonical_all=self.canonical_all,
            by_parts=self.synonyms.joinable,
            folded=[folded],
            told=told,
        )
        del folded  # (`describe` empties its list once read)
        self.index, descriptions = Index.along(describing, by_entry, contexts, tuning, self.words)
        del by_entry, contexts
        self.passages = Passages(knowledge.documents, self.canonical_all)
        self.wording = Wording(self.words, self.index, self.canonical, knowledge.places)
        self.spelling = Spelling(self.index, knowledge.synonyms, self.entries, self.words)
        self.keypad = Keypad(self.words.terms)
        self.descriptions = descriptions
        # Per engine: a reload builds a new engine, so nothing stale can be served.
        self.cache_size = cache
        self._decided = lru_cache(maxsize=cache)(self._decide)
        # The entries' covered text as the checks read it, for entries checked again and again.
        self.pieces = Pieces(len(self.entries))
        self.smalltalk = SmallTalkReplies(knowledge.texts)

    @property
    def thresholds(self) -> Thresholds:
        return self._thresholds

    @thresholds.setter
    def thresholds(self, value: Thresholds) -> None:
        """New thresholds change decisions, so answers cached under the old ones are dropped."""
        self._thresholds = value
        if "_decided" in self.__dict__:
            self._decided.cache_clear()

    def __getstate__(self) -> dict:
        """What `bot.engine.cache` saves: everything but the answers cached in memory."""
        return {name: value for name, value in self.__dict__.items() if name != "_decided"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._decided = lru_cache(maxsize=self.cache_size)(self._decide)

    def ready(self) -> None:
        """Make now what answers would make on first need, for a server about to serve: the
        pinyin and initials tables and syllables (`Spelling.ready`) and, for a knowledge base
        small enough to keep them all, every entry's pieces (bot.engine._pieces). Else the
        first replies pay it: ~0.2 s of CPU for the shipped knowledge (~95 ms before the
        initials' table), ~0.05 ms a reply over the Telegram load's first 2,000
        (docs/benchmarks.md). Answers are the same either way."""
        self.spelling.ready()
        self.keypad.ready()
        if isinstance(self.descriptions, list):  # (all made: a small one's, `described.EAGER`)
            self.pieces.make_all(covered for _, covered, _ in self.descriptions)

    def terms(self) -> list[str]:
        """The knowledge's own words: synonym groups' standard words, entries' keywords and
        what its texts put in quotes (“办事不求人”), in matching form."""
        # (`map` over the texts: a comprehension made a tuple per entry, 0.12 -> 0.09 s at 100k.)
        texts = chain.from_iterable((e.question, *e.similar, e.answer) for e in self.entries)
        quoted = list(chain.from_iterable(map(_QUOTED.findall, texts)))
        heads = [group[0] for group in self.knowledge.synonyms]
        keywords = [word for entry in self.entries for word in entry.keywords]
        return [t for t in self.canonical_all(heads + keywords + quoted) if " " not in t]

    def canonical(self, text: str) -> str:
        """The form everything is matched in: normalized, synonyms made canonical."""
        return self.synonyms(normalize(text))

    def canonical_all(self, texts: list[str]) -> list[str]:
        """`canonical` of many texts in one pass (no synonym spans the newline between them)."""
        return self._synonymous(normalize_all(texts))

    def _synonymous(self, normalized: list[str]) -> list[str]:
        """Normalized texts with synonyms made canonical, in one pass over them all."""
        return self.synonyms("\n".join(normalized)).split("\n") if normalized else []

    def prepare(self, question: str) -> str:
        """A user's question in matching form; overlong input is cut first."""
        return self.canonical(question[:MAX_QUERY_CHARS])

    def answer(self, question: str) -> Answer:
        """Answer one question as any channel would show it."""
        started = time.perf_counter()
        result = self._decided(question)
        took = (time.perf_counter() - started) * 1000
        return _frozen.amended(result, took_ms=took)

    def candidates(self, question: str, limit: int = CANDIDATES) -> tuple[Candidate, ...]:
        """The best-matching entries for a question, whatever the decision would be, each
        scored for how well it matches times how well it answers what is asked."""
        return self._ranked(*self.as_read(question), limit)

    def as_read(self, question: str) -> tuple[str, str]:
        """A user's question as every step reads it: cut to `MAX_QUERY_CHARS`, with the marks
        it dictates written (bot.text.dictation), one typed in pinyin the Chinese it spells
        (bot.engine.spelled); and that folded by `fold_message`. Calibration reads it so too
        (bot.engine.evaluation.calibrate, bench/): whether a close call may be offered as a
        choice (`decision.choosable`) is asked of what the engine reads, not of the letters
        typed (longer than the Chinese they spell) nor of the marks' names (…逗号…)."""
        cut = punctuated(question[:MAX_QUERY_CHARS])
        spelled = self.spelling(cut) or cut
        spelled = self.keypad(spelled) or spelled
        return spelled, fold_message(spelled)

    def read(self, question: str, folded: str) -> Reading:
        """How a message (cut, and folded by `fold_message`) is read: its clauses, what asks and
        its focus, with this knowledge's words (bot.engine.reading)."""
        marked = questions_marked(question, folded)
        return read(folded, self.wording.says, marked, self.wording.knows, labelled(question))

    def _ranked(
        self, question: str, folded: str, limit: int = CANDIDATES, reading: Reading | None = None
    ) -> tuple[Candidate, ...]:
        """`candidates` of a question already cut and folded (`_decide` has folded it), read
        as `read` reads it (`reading`: already read)."""
        reading = reading or self.read(question, folded)
        depth = max(limit, RECHECKED)
        best: dict[int, float] = {}
        done: set[str] = set()
        self._search(reading.searched, depth, best, done)
        if reading.asking != reading.searched and self.index.tuning.asking_clause:
            self._search(reading.asking, depth, best, done)  # background dilutes the match
        if not self.index.tuning.answerability:
            ranked = sorted(best.items(), key=lambda item: -item[1])[:limit]
            return tuple(self._candidate(e, score, None, score) for e, score in ranked)
        judged = judging.judge(self, reading, folded, question)

        def scored() -> list[tuple[float, int, Check, float]]:
            found = []
            for entry, match in best.items():
                verdict = judged(entry)
                found.append((decision.score(match, verdict), entry, verdict, match))
            found.sort(key=lambda item: -item[0])  # stable: ties keep the search's order
            return found

        found = scored()
        others = reading.foreground not in (reading.text, reading.asking)
        status = decide_status([score for score, *_ in found[:limit]], self.thresholds)
        # …精简了多少，有没有具体数字？我是…: the last asking clause says too little, the whole too
        # much. Only if not answered yet (always, it cost ~10% of dev's p99 CPU time), and
        # scored again only if searched (a text searched already adds nothing).
        again = others and self.index.tuning.asking_clause and status != ANSWERED
        if again and self._search(reading.foreground, depth, best, done):
            found = scored()
        return tuple(self._candidate(e, score, v, match) for score, e, v, match in found[:limit])

    def _search(self, text: str, depth: int, best: dict[int, float], done: set[str]) -> bool:
        """Search a part of a message (`searched`); each entry in `best` keeps its better match.
        A text searched as one already `done` is not searched again (想问一下您好，X，谢谢 and its
        asking clause X: 27 of the Telegram load's 2,000 answers): the same matches. Whether
        it was searched."""
        searched = self.searched(text)
        if searched in done:
            return False
        done.add(searched)
        for position, score in self.index.search(searched, depth):
            best[position] = max(score, best.get(position, 0.0))
        return True

    def searched(self, text: str) -> str:
        """A part of a message as the index is searched with it: without who relayed it
        (bot.engine.relayed), in matching form."""
        return self.canonical(unrelayed(text, self.wording.knows, self.wording.places))

    def _candidate(self, position: int, score: float, check: Check | None, match: float):
        return Candidate.found(self.entries[position], position, score, check, match)

    def entry_answer(self, entry: Entry, question: str = "", score: float = 1.0) -> Answer:
        """The answer a user sees for one entry: from a match, a button tap or a deep link."""
        document = self.knowledge.documents.get(entry.source.document)
        source = {
            "document": entry.source.document,
            "title": document.title if document else "",
            "date": document.date if document else "",
            "quote": entry.source.quote,
        }
        return Answer.given(
            {
                "question": question or entry.question,
                "status": ANSWERED,
                "answer": entry.answer,
                "entry_id": entry.id,
                "score": score,
                "sources": (source,),
                "entry": entry,
            }
        )

    def passage_answer(self, passage: Passage, score: float) -> Answer:
        """A passage quoted as an excerpt; its source names the document, date and passage."""
        return Answer("", ANSWERED, passage.text, score=score, sources=(passage.source,))

    def _decide(self, question: str, alone: bool = False) -> Answer:
        """`answer`'s decision; `alone`: for a part of a message (`parts.answers` decides each
        part so), not parted again."""
        # Folded once: smalltalk, the language and the ranking all read the same folded text.
        read, folded = self.as_read(question)
        normalized = self.prepare(read)
        reply = self.smalltalk.reply(folded, normalized)
        if reply is not None:
            return Answer(question, SMALLTALK, reply, normalized=normalized)
        language = foreign_language(folded)
        if language is not None:
            fallback = self.knowledge.texts.fallback  # channels put the language's note first
            return Answer(question, FALLBACK, fallback, normalized=normalized, language=language)
        reading = self.read(read, folded)  # (read once: `parts.apart` reads its clauses)
        candidates = self._ranked(read, folded, reading=reading)
        status, close = decision.decide(candidates, self.thresholds, folded)
        if alone and status != ANSWERED:  # (a part: only an answer is of use, no passage sought)
            return Answer(question, status, "", candidates=candidates)
        if status != ANSWERED and (questions := parts.apart(reading)):
            # Several things asked, the whole not answered: a part answered surely alone is.
            parted = parts.in_parts(
                questions, candidates, self._part, partial(self._stated, question)
            )
            if parted is not None:
                return _frozen.amended(parted, normalized=normalized)
        score = candidates[0].score if candidates else 0.0
        base: dict[str, Any] = dict(question=question, candidates=candidates, normalized=normalized)
        best = candidates[0].entry if candidates else None
        if status == ANSWERED and best is not None:  # the engine's candidates carry their entry
            questions = parts.apart(reading)
            bar = self.thresholds.answer
            if parts.states_both(candidates, bar, questions, read, reading.keywords):
                candidates = (candidates[1], candidates[0], *candidates[2:])
            elif place := owned.owner(candidates, bar, self.index, self.words.inside):
                candidates = (candidates[place], *candidates[:place], *candidates[place + 1 :])
            answer = self.entry_answer(candidates[0].entry or best, question, candidates[0].score)
            also = () if alone else parts.answers(questions, candidates, self._part)
            return _frozen.amended(answer, candidates=candidates, normalized=normalized, also=also)
        if status == FALLBACK:  # (a choice not offered cleared the bar: no passage instead)
            found = self.passages.best(normalized) if score < self.thresholds.clarify else None
            if found is not None:
                for near in candidates[:NEAR_TOPICS]:  # an entry made from that passage says it
                    if decision.near_topic(near) and near.entry and found[0].holds(near.entry):
                        if not decision.gives_what_is_asked(near):  # nor does its passage
                            return _frozen.amended(self._fallback(candidates), **base)
                        answer = self.entry_answer(near.entry, question, near.score)  # curated
                        return _frozen.amended(answer, candidates=candidates, normalized=normalized)
                return _frozen.amended(self.passage_answer(*found), **base)
            return _frozen.amended(self._fallback(candidates), **base)
        # The entries to choose from; one plausible entry is a yes/no confirm (Rasa's two-stage
        # fallback), not a list of one.
        return Answer(status=CLARIFY, answer="", score=score, choices=close, **base)

    def _stated(self, question: str, candidate: Candidate, score: float) -> Answer:
        """A candidate's entry as the answer to `question`, at `score`."""
        return self.entry_answer(self.entries[candidate.position], question, score)

    def _part(self, part: str, others: Sequence[Candidate]) -> Answer | None:
        """A part of a message (`parts.answers`) decided alone, if one of `others` (the whole
        message's candidates not answered yet) may answer it surely (`parts.may_add`: no index
        search); else None, as most parts are not worth a decision."""
        return self._decide(part, alone=True) if parts.may_add(self, part, others) else None

    def declined(self, question: str, offered: tuple[str, ...] = ()) -> Answer:
        """The fallback for a question whose confirm or "您是想问" the user turned down
        (不是 / 都不是): where to turn, and near topics other than the `offered` entry ids."""
        answer = self.answer(question) if question else None
        candidates = answer.candidates if answer else ()
        others = tuple(c for c in candidates if c.id not in offered)
        near_to = self.knowledge.by_id.get(offered[0]) if offered else None
        fallback = self._fallback(others, near_to)
        return _frozen.amended(fallback, question=question, candidates=candidates)

    def _fallback(self, candidates: tuple[Candidate, ...], near_to: Entry | None = None) -> Answer:
        """Where to turn, for the category of entry `near_to` (the one just declined) or else of
        the nearest topic, if that category has its own text; and up to three near topics:
        entries the question matches in part, though none answers it."""
        texts = self.knowledge.texts
        near = tuple(c for c in candidates[:NEAR_TOPICS] if decision.near_topic(c))
        # After 不是 / 都不是 the declined entry's category says what the question was about.
        nearest = near_to if near_to is not None else near[0].entry if near else None
        text = texts.fallback
        if nearest is not None:
            text = texts.fallbacks.get(nearest.category, text)
        score = candidates[0].score if candidates else 0.0
        return Answer("", FALLBACK, text, score=score, candidates=candidates, near=near)
