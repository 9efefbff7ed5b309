"""What the engine returns for a question (`Answer`): kept apart from bot.engine.core, which makes
it, so that the engine's module holds the engine."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from bot.engine._frozen import made
from bot.engine.decision import CLARIFY, Candidate
from bot.knowledge.model import Entry


@dataclass(frozen=True)
class Answer:
    """What the engine decided. `answer` is the knowledge's own text: the entry's answer, the
    passage quoted (its document in `sources`), the fallback saying where to turn, or a small
    talk reply; empty for a clarify, which is its `choices`. An answer to a message that asks
    two things may carry the other part's answer, from another entry (`also`). What people read
    is made of these by `bot.channels.render`, whose `as_json` is `to_dict` with that text as
    `answer`."""

    question: str
    status: str
    answer: str
    entry_id: str | None = None
    score: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    sources: tuple[dict, ...] = ()
    choices: tuple[Candidate, ...] = ()  # what a clarify reply offers (one: a yes/no confirm)
    near: tuple[Candidate, ...] = ()  # near topics a fallback still lists
    language: str | None = None  # a question in another language: which one ("en", "ru"…)
    # A message asking two things: the answers to its other parts, by other entries (parts.py).
    also: tuple[Answer, ...] = ()
    # A bare follow-up answered by the entry the conversation was last answered with
    # (bot.engine.followed): that entry's id; None for a message answered as it stands.
    context: str | None = None
    normalized: str = ""
    took_ms: float = 0.0
    entry: Entry | None = field(default=None, compare=False)

    @classmethod
    def given(cls, values: dict[str, Any]) -> Answer:
        """`Answer(**values)`, made through its `__dict__` (bot.engine._frozen): its `__init__`
        sets each of its 15 fields through `object.__setattr__` (25.5k instructions against
        ~10k), and an entry's answer is made for most messages (`Engine.entry_answer`)."""
        return made(cls, _DEFAULTS | values)

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
            "confirm": self.status == CLARIFY and len(self.choices) == 1,
            "choices": [{"id": c.id, "question": c.question} for c in self.choices],
            "near": [{"id": c.id, "question": c.question} for c in self.near],
            "language": self.language,
            "also": [
                {
                    "entry_id": a.entry_id,
                    "question": a.entry.question if a.entry else a.question,
                    "answer": a.answer,
                    "score": round(a.score, 4),
                    "sources": list(a.sources),
                }
                for a in self.also
            ],
            "context": self.context,
            "took_ms": round(self.took_ms, 3),
            # The message as matched: normalized, typed pinyin and initials spelled in the
            # knowledge's words (bsbqr → 办事不求人: bot.engine.initials), synonyms canonical.
            "read_as": self.normalized,
            **self.explanation(),
        }

    def explanation(self) -> dict:
        """Why the best candidate was or was not answered: what the question asks for (its
        focus), what the entry gives, and the question's words the entry does not cover."""
        check = self.candidates[0].check if self.candidates else None
        if check is None:
            return {"focus": None, "uncovered": []}
        found = check.to_dict()
        best = self.candidates[0]
        found.update(match=round(best.match, 4), score=round(best.score, 4))
        return {"focus": found.pop("focus"), "uncovered": found.pop("uncovered"), "check": found}


# Every field's default, for `Answer.given` (`made` takes every field).
_DEFAULTS = {f.name: f.default for f in fields(Answer) if f.default is not MISSING}
