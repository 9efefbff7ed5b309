"""The answer engine: a question in, a structured answer out. It knows nothing of any channel.

The decision is deliberately conservative. A wrong answer from a government service is worse than
none, so an entry is stated only when it scores clearly above the rest; close calls become a
"您是想问…" list, and anything weaker an honest fallback that says where to turn.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz

from bot.engine.index import Index, Tuning
from bot.engine.passages import Passage, Passages
from bot.knowledge.model import Entry, Knowledge
from bot.text.normalize import fold, normalize, normalize_all

ANSWERED, CLARIFY, FALLBACK, SMALLTALK = "answered", "clarify", "fallback", "smalltalk"
STATUSES = (ANSWERED, CLARIFY, FALLBACK, SMALLTALK)
CANDIDATES = 5
CLARIFY_CHOICES = 3
# Longer input is cut before matching: nobody asks one question in more than this many characters.
MAX_QUERY_CHARS = 200
# Answers kept for questions asked again, word for word: popular questions come in bursts.
ANSWER_CACHE = 4096


@dataclass(frozen=True)
class Thresholds:
    """Where the decision changes; calibrated on the dev eval set (`policybot eval --calibrate`)."""

    answer: float = 0.50  # the best entry must score at least this to be stated...
    margin: float = 0.04  # ...and beat the runner-up by this much, or the user is asked to choose
    clarify: float = 0.42  # below this nothing is offered: fallback


@dataclass(frozen=True)
class Candidate:
    id: str
    question: str
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    status: str
    answer: str
    entry_id: str | None = None
    score: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    sources: tuple[dict, ...] = ()
    choices: tuple[Candidate, ...] = ()  # what a clarify reply offers to pick from
    normalized: str = ""
    took_ms: float = 0.0
    entry: Entry | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "entry_id": self.entry_id,
            "score": round(self.score, 4),
            "candidates": [
                {"id": c.id, "question": c.question, "score": round(c.score, 4)}
                for c in self.candidates
            ],
            "sources": list(self.sources),
            "took_ms": round(self.took_ms, 3),
        }


class Synonyms:
    """Rewrites every variant of a synonym group to the group's first word, longest match first."""

    def __init__(self, groups: tuple[tuple[str, ...], ...]) -> None:
        self.canonical: dict[str, str] = {}
        for group in groups:
            head = normalize(group[0])
            for word in group:
                key = normalize(word)
                if key:
                    self.canonical[key] = head
        variants = sorted(self.canonical, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, variants))) if variants else None

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda match: self.canonical[match.group(0)], text)


def decide_status(scores: Sequence[float], thresholds: Thresholds) -> str:
    """Answer, clarify or fall back, from the ranked candidates' scores alone (best first)."""
    if not scores or scores[0] < thresholds.clarify:
        return FALLBACK
    runner_up = scores[1] if len(scores) > 1 else 0.0
    best = scores[0]
    if best >= thresholds.answer and best - runner_up >= thresholds.margin:
        return ANSWERED
    return CLARIFY


class Engine:
    """Answers questions from one loaded knowledge base; build once, call `answer` many times."""

    def __init__(
        self,
        knowledge: Knowledge,
        thresholds: Thresholds | None = None,
        tuning: Tuning | None = None,
        cache: int = ANSWER_CACHE,
    ) -> None:
        """`cache`: how many answers to keep for repeated questions (0: none, as benchmarks
        that time the matching itself need)."""
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds(**knowledge.thresholds)
        self.synonyms = Synonyms(knowledge.synonyms)
        self.entries = list(knowledge.entries)
        asked = [(*e.questions, *e.keywords) for e in self.entries]
        texts = iter(self.canonical_all([text for questions in asked for text in questions]))
        self.index = Index(
            [[next(texts) for _ in questions] for questions in asked],
            self.canonical_all([e.answer for e in self.entries]),
            tuning,
        )
        self.passages = Passages(knowledge.documents, self.canonical_all)
        # Per engine: a reload builds a new engine, so nothing stale can be served.
        self.cache_size = cache
        self._decided = lru_cache(maxsize=cache)(self._decide)
        self.smalltalk = {
            fold(pattern).replace(" ", ""): talk.reply
            for talk in knowledge.texts.smalltalk
            for pattern in talk.patterns
        }

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

    def canonical(self, text: str) -> str:
        """The form everything is matched in: normalized, synonyms made canonical."""
        return self.synonyms(normalize(text))

    def canonical_all(self, texts: list[str]) -> list[str]:
        """`canonical` of many texts in one pass (no synonym spans the newline between them)."""
        return self.synonyms("\n".join(normalize_all(texts))).split("\n") if texts else []

    def prepare(self, question: str) -> str:
        """A user's question in matching form; overlong input is cut first."""
        return self.canonical(question[:MAX_QUERY_CHARS])

    def answer(self, question: str) -> Answer:
        """Answer one question as any channel would show it."""
        started = time.perf_counter()
        result = self._decided(question)
        took = (time.perf_counter() - started) * 1000
        return replace(result, took_ms=took)

    def candidates(self, question: str, limit: int = CANDIDATES) -> tuple[Candidate, ...]:
        """The best-matching entries for a question, whatever the decision would be."""
        hits = self.index.search(self.prepare(question), limit)
        return tuple(
            Candidate(self.entries[h.entry].id, self.entries[h.entry].question, h.score)
            for h in hits
        )

    def entry_answer(self, entry: Entry, question: str = "", score: float = 1.0) -> Answer:
        """The answer a user sees for one entry: from a match, a button tap or a deep link."""
        document = self.knowledge.documents.get(entry.source.document)
        source = {
            "document": entry.source.document,
            "title": document.title if document else "",
            "date": document.date if document else "",
            "quote": entry.source.quote,
        }
        return Answer(
            question=question or entry.question,
            status=ANSWERED,
            answer=entry.answer,
            entry_id=entry.id,
            score=score,
            sources=(source,),
            entry=entry,
        )

    def passage_answer(self, passage: Passage, score: float) -> Answer:
        """A passage quoted as an excerpt, labelled with its document and date."""
        document = passage.document
        label = f"以下摘自《{document.title}》" + (f"（{document.date}）" if document.date else "")
        source = {
            "document": document.id,
            "title": document.title,
            "date": document.date,
            "quote": passage.text,
            "passage": passage.number,
        }
        return Answer(
            question="",
            status=ANSWERED,
            answer=f"{label}：\n“{passage.text}”",
            score=score,
            sources=(source,),
        )

    def _decide(self, question: str) -> Answer:
        folded = fold(question[:MAX_QUERY_CHARS])
        normalized = self.prepare(question)
        texts = self.knowledge.texts
        reply = self._smalltalk(folded, normalized)
        if reply is not None:
            return Answer(question, SMALLTALK, reply, normalized=normalized)
        candidates = self.candidates(question)
        status = decide_status([c.score for c in candidates], self.thresholds)
        score = candidates[0].score if candidates else 0.0
        base = {"question": question, "candidates": candidates, "normalized": normalized}
        if status == ANSWERED:
            answer = self.entry_answer(self.knowledge.by_id[candidates[0].id], question, score)
            return replace(answer, candidates=candidates, normalized=normalized)
        if status == FALLBACK:
            found = self.passages.best(normalized)
            if found is not None:
                return replace(self.passage_answer(*found), **base)
            return Answer(status=FALLBACK, answer=texts.fallback, score=score, **base)
        close = tuple(c for c in candidates[:CLARIFY_CHOICES] if c.score >= self.thresholds.clarify)
        lines = [texts.clarify, *(f"{n}. {c.question}" for n, c in enumerate(close, 1))]
        return Answer(status=CLARIFY, answer="\n".join(lines), score=score, choices=close, **base)

    def _smalltalk(self, folded: str, normalized: str) -> str | None:
        """Greetings, thanks and help; only when the message is nothing but that."""
        compact = folded.replace(" ", "")
        if not compact:
            return self.knowledge.texts.empty
        if compact in self.smalltalk:
            return self.smalltalk[compact]
        if normalized or len(compact) > 8 or not self.smalltalk:
            return None
        # Only fillers were typed ("你好啊", "谢谢了"): the closest pattern says which kind.
        best = max(self.smalltalk, key=lambda pattern: fuzz.ratio(compact, pattern))
        return self.smalltalk[best]
