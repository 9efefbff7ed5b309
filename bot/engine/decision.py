"""The decision: from the ranked candidates to an answer, a confirm or "您是想问" list, or the
fallback.

Each candidate is scored on evidence an admin can read back (`ask --json` → `check`, and the
console's test pane): how well the question matches the entry (`match`), the share of the
question's content the entry covers (`coverage`, bot.engine.answerability) and whether the entry
gives the kind of answer asked (focus). The score blends match and coverage, then takes off for a
focus the entry does not give:

    score = (share × match + (1 − share) × coverage) × (FOCUS_MISMATCH if mismatch else 1)

`share` depends on the message. A long message (greeting, who is asking, background, question)
matches no entry's question closely even when the entry answers it, so coverage carries more;
a short question that an entry answers matches one of its questions closely, so there match
carries more, and a short question that only shares topic words with an entry (大豆什么价) is not
lifted by covering them. Shares and thresholds are fitted on `knowledge/eval/dev.yaml` only, by
`python bench/decision_fit.py` (a grid search: docs/matching.md has the run); the thresholds of a
knowledge base live in its `bot.yaml` (`policybot eval --calibrate`).

Judged on eval sets it was not fitted on (`python bench/decision_fit.py --held-out`: each
tuned-on set left out in turn), this blend beat the same blend refit on the other sets, answer
thresholds per message kind (short, long) or per focus, and a small logistic model over the same
evidence (plus margin to the runner-up, the heaviest uncovered word) fitted on ~3,000 questions
from several writers: each answered fewer right or more wrongly on the sets left out
(docs/matching.md; again with fresh6/ by halves, 6,561 questions: the shipped blend 2465 right /
10 wrong / 107 out of scope; per focus 2469 / 10 / 110, 4 rights for 3 traps). A one-candidate
confirm below the answer threshold held the right entry in too few of its confirms (traps sit in
the same band: 39-65% over the bands tried, whatever else agrees), so `clarify` stays at the
answer threshold; so does a confirm *above* it instead of an answer (`bench/decision_fit.py
--trade`: traps answered fall to 3% only where the offers hold the right entry 84% of the time).

Offers at the bar were still mostly traps' (main 1bed7bb: 44 of 66 lists and confirms held the
right entry over the tuned-on sets, and every one that did not was a trap's or an OOD one's):
a fragment or a message quoting a figure that ties entries is not offered a choice
(`choosable`) but gets the fallback, which lists the same entries as near topics (`decide`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.engine import amounts
from bot.engine._frozen import made
from bot.engine.answerability import Check
from bot.knowledge.model import Entry

ANSWERED, CLARIFY, FALLBACK, SMALLTALK = "answered", "clarify", "fallback", "smalltalk"
STATUSES = (ANSWERED, CLARIFY, FALLBACK, SMALLTALK)
CLARIFY_CHOICES = 3

# Fitted on dev.yaml by bench/decision_fit.py (2026-11-26, 307 in-scope + 188 out-of-scope).
SHORT_MATCH_SHARE = 0.8  # the share of match in a short question's score...
LONG_MATCH_SHARE = 0.6  # ...and in a long message's
LONG_MESSAGE = 20  # characters (spaces aside) from which a one-clause message counts as long
# The score is multiplied by this when the entry does not give the kind of answer asked. (A
# further factor per uncovered word cost right answers on the dev set without keeping out more.)
FOCUS_MISMATCH = 0.45
# A choice between near-tied entries is offered only for a message of this many characters or
# more (spaces aside) that quotes no figure (`choosable`); others get the fallback and its near
# topics. Read off the tuned-on sets by quality14 (docs/matching.md, thirteenth round).
OFFER_CHARS = 13
_FIGURE = re.compile(r"\d")
# A fallback lists near topics: entries that match this well before the check of whether they
# answer (黑瞎子岛门票多少钱 → the island's plan), which may still help (`near_topic`).
NEAR_MATCH = 0.3


@dataclass(frozen=True)
class Thresholds:
    """Where the decision changes; calibrated on the dev eval set (`policybot eval --calibrate`)."""

    answer: float = 0.50  # the best entry must score at least this to be stated...
    margin: float = 0.04  # ...and beat the runner-up by this much, or the user is asked to choose
    clarify: float = 0.42  # below this nothing is offered: fallback


@dataclass(frozen=True)
class Shares:
    """How much of the score is match (the rest coverage), for short and long messages."""

    short: float = SHORT_MATCH_SHARE
    long: float = LONG_MATCH_SHARE
    long_message: int = LONG_MESSAGE


@dataclass(frozen=True)
class Candidate:
    """An entry as a possible answer to a question, with its score (the index ranks plain
    positions; this is the one record of a match that leaves the engine)."""

    id: str
    question: str
    score: float
    check: Check | None = field(default=None, compare=False)  # why it does or does not answer
    match: float = field(default=0.0, compare=False)  # the score before that check
    # The entry itself when the engine found it (a channel rebuilding offered choices from ids
    # has only those), so deciding on a candidate needs no lookup by id.
    entry: Entry | None = field(default=None, compare=False, repr=False)
    # Its place in the engine's index (-1 if rebuilt from an id): a part of the message is
    # judged against it without a search (bot.engine.parts.may_add).
    position: int = field(default=-1, compare=False, repr=False)

    @classmethod
    def found(
        cls, entry: Entry, position: int, score: float, check: Check | None, match: float
    ) -> Candidate:
        """The entry at `position` of the engine's index as a candidate, made through its
        `__dict__` (bot.engine._frozen): ~5 an answer, and a frozen dataclass's `__init__`
        sets each field through `object.__setattr__` (13.3k against 7.7k instructions)."""
        values = {
            "id": entry.id,
            "question": entry.question,
            "score": score,
            "check": check,
            "match": match,
            "entry": entry,
            "position": position,
        }
        return made(cls, values)


def share_of(folded: str, clauses: int, shares: Shares) -> tuple[bool, float]:
    """Whether a folded message is long (several clauses, or one of `shares.long_message`
    characters or more, spaces aside), and the share of match in its candidates' scores."""
    long = clauses > 1 or len(folded.replace(" ", "")) >= shares.long_message
    return long, shares.long if long else shares.short


def score(match: float, check: Check) -> float:
    """A candidate's score from its evidence (the formula in the module's docstring)."""
    return (check.share * match + (1 - check.share) * check.coverage) * check.factor


def decide_status(scores: Sequence[float], thresholds: Thresholds) -> str:
    """Answer, clarify or fall back, from the ranked candidates' scores alone (best first)."""
    if not scores or scores[0] < thresholds.clarify:
        return FALLBACK
    runner_up = scores[1] if len(scores) > 1 else 0.0
    best = scores[0]
    if best >= thresholds.answer and best - runner_up >= thresholds.margin:
        return ANSWERED
    return CLARIFY


def choosable(folded: str) -> bool:
    """Whether a folded message says enough for a choice between the entries it ties to be
    offered. A fragment (省重点 总投资, 复工专窗 窗口号) names the topic the tied entries share and
    nothing that tells them apart, and a message quoting a figure of the report (36个项目…完成投资
    多少, 845项里…多少项) has picked its fact and asks past what the tied entries state of it: on
    the tuned-on sets most such offers were traps', while a longer message without a figure that
    ties two entries was nearly always asking one of them. The fallback still lists the entries
    as near topics, one tap away."""
    compact = folded.replace(" ", "")
    return len(compact) >= OFFER_CHARS and not _FIGURE.search(compact)


def decide(
    candidates: Sequence[Candidate], thresholds: Thresholds, folded: str
) -> tuple[str, tuple[Candidate, ...]]:
    """The status of a reply to a folded message and, for a clarify, the entries it offers: a
    clarify for a message that is not `choosable` is the fallback."""
    status = decide_status([c.score for c in candidates], thresholds)
    if status != CLARIFY:
        return status, ()
    return (CLARIFY, offered(candidates, thresholds)) if choosable(folded) else (FALLBACK, ())


def offered(candidates: Sequence[Candidate], thresholds: Thresholds) -> tuple[Candidate, ...]:
    """What a clarify reply offers: the best few plausible candidates (one: a yes/no confirm)."""
    return tuple(c for c in candidates[:CLARIFY_CHOICES] if c.score >= thresholds.clarify)


def gives_what_is_asked(candidate: Candidate) -> bool:
    """Whether the check found the entry gives what is asked: no focus it lacks, no thing asked
    for it never states, no count the message already restates (bot.engine.answerability)."""
    return candidate.check is None or candidate.check.factor == 1


def near_topic(candidate: Candidate) -> bool:
    """Whether a candidate is a near topic: it matches NEAR_MATCH, or states every amount the
    message quotes (a fragment, 23.8亿, matches its entry's questions little: bot.engine.amounts).
    A passage found for a message is answered by such an entry made from it."""
    return candidate.match >= NEAR_MATCH or amounts.told(candidate.check)
