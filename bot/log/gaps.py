"""Finding the gaps: what people ask that the knowledge does not answer, grouped and counted.

A gap is an exchange that ended in a fallback or a clarify list, or whose answer got a 👎.
Similar questions (the same words in other order, synonyms, homophone typos) fall into one
cluster, and each cluster names the existing entry it comes closest to, so a reviewer can tell
"teach this phrasing to entry X" (close) from "a new entry is needed" (far).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz, process

from bot.engine.core import CLARIFY, FALLBACK, MAX_QUERY_CHARS, Engine
from bot.engine.features import GENERIC_CHARS, sound
from bot.log.store import HELPFUL, UNHELPFUL, Exchange, ExchangeStore

SIMILAR = 60  # rapidfuzz points (0-100) at which two questions share a cluster
EXAMPLES = 5


@dataclass
class Cluster:
    representative: str
    count: int
    users: int
    first_seen: str
    last_seen: str
    examples: list[str]
    nearest: dict
    statuses: dict = field(default_factory=dict)
    questions: list[str] = field(default_factory=list)  # every distinct phrasing in the cluster

    def to_dict(self) -> dict:
        return asdict(self)


def gap_exchanges(store: ExchangeStore, since: str | None = None) -> list[Exchange]:
    """Fallbacks, clarify lists, and answers someone marked 👎 (and nobody 👍 after)."""
    votes: dict[str, str] = {}
    for item in store.feedback(since):
        if item.exchange_id and item.kind in (HELPFUL, UNHELPFUL):
            votes[item.exchange_id] = item.kind
    return [
        exchange
        for exchange in store.exchanges(since, (FALLBACK, CLARIFY), UNHELPFUL)
        if exchange.status in (FALLBACK, CLARIFY) or votes.get(exchange.id) == UNHELPFUL
    ]


# Words that frame a question rather than say what it is about: two questions that share only
# these (个税怎么办, 公积金怎么办) are about different things and never share a cluster.
FRAME_WORDS = sorted(
    [
        "怎么办理",
        "怎么办",
        "怎么样",
        "怎么弄",
        "怎么",
        "咋办",
        "如何",
        "在哪里",
        "在哪儿",
        "在哪",
        "哪里",
        "哪儿",
        "哪个",
        "多少钱",
        "多少",
        "多久",
        "多长时间",
        "什么时候",
        "什么",
        "需要",
        "办理",
        "可以",
        "能不能",
        "是否",
        "有没有",
        "要不要",
    ],
    key=len,
    reverse=True,
)
_FRAME_RE = re.compile("|".join(map(re.escape, FRAME_WORDS)))
# Candidates scored per question at most: leaders sharing its rarest content words come first,
# and a question that shares none of those with a leader is not like it.
CANDIDATES = 32
SCORED = 8  # of which scored with rapidfuzz: those sharing most content words with it
# A leader with more than this many times the question's content words is about more than the
# question (a long message touching several subjects) and does not take it, however much of
# the question it contains: token-set similarity is 100 for any question whose words are a
# subset of the leader's, so one such message, sent twice, gathered every short question
# sharing a few of its words.
BROADER = 2


@dataclass(frozen=True)
class _Shape:
    text: str  # what rapidfuzz compares: canonical text as overlapping pairs, then its sound
    content: frozenset[str]  # content characters, pairs and pairs' sounds: what a cluster shares


def _shape(canonical: str) -> _Shape:
    text = canonical.replace(" ", "")
    sounds = {char: sound(char) for char in set(text)}
    pairs = " ".join(text[i : i + 2] for i in range(max(1, len(text) - 1)))
    content: set[str] = set()
    for segment in _FRAME_RE.sub(" ", canonical).split():
        if len(segment) == 1:
            if segment not in GENERIC_CHARS:
                content.add(segment)
            continue
        kept = [
            segment[n : n + 2]
            for n in range(len(segment) - 1)
            if segment[n] not in GENERIC_CHARS or segment[n + 1] not in GENERIC_CHARS
        ]
        content.update(kept)  # two characters, never equal to a sound pair
        content.update(f"{sounds[pair[0]]} {sounds[pair[1]]}" for pair in kept)
    return _Shape(f"{pairs} | {' '.join(map(sounds.__getitem__, text))}", frozenset(content))


def cluster(exchanges: list[Exchange], engine: Engine, min_count: int = 1) -> list[Cluster]:
    """Group similar questions, largest group first (then most recent).

    Leader clustering: distinct questions are taken largest group first, and each joins the
    most similar leader (rapidfuzz token-set ratio over pairs and sounds, at least SIMILAR)
    among the leaders that share a content word with it and are not much broader than it
    (`BROADER`), or leads a cluster of its own. An
    inverted index from content words to leaders finds those candidates, so the cost grows
    with the questions, not with their square (100k logged exchanges: bench/gaps_scale.py)."""
    by_question: dict[str, list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        by_question[exchange.question[:MAX_QUERY_CHARS]].append(exchange)
    questions = list(by_question)
    by_canonical: dict[str, list[Exchange]] = defaultdict(list)
    for question, canonical in zip(questions, engine.canonical_all(questions), strict=True):
        by_canonical[canonical].extend(by_question[question])
    order = sorted(by_canonical, key=lambda text: (-len(by_canonical[text]), text))
    shapes = [_shape(text) for text in order]
    leaders: list[int] = []  # indexes into order / shapes
    leading: dict[object, list[int]] = defaultdict(list)  # content word -> leaders with it
    members: dict[int, list[Exchange]] = {}
    for number, shape in enumerate(shapes):
        leader = _closest(shape, shapes, leading)
        if leader is None:
            leader = number
            leaders.append(number)
            for word in shape.content:
                leading[word].append(number)
            if not shape.content:
                leading[None].append(number)  # nothing but frame words: only like its kind
        members.setdefault(leader, []).extend(by_canonical[order[number]])
    clusters = [_summarize(group, engine) for group in members.values() if len(group) >= min_count]
    clusters.sort(key=lambda c: c.last_seen, reverse=True)
    clusters.sort(key=lambda c: c.count, reverse=True)  # stable: ties stay most recent first
    return clusters


def _closest(shape: _Shape, shapes: list[_Shape], leading: dict) -> int | None:
    """The most similar leader that shares a content word with `shape`, if any is similar."""
    postings = [leading[word] for word in shape.content or [None] if word in leading]
    postings.sort(key=len)  # rarest words first: they say most about what a question is about
    # Enough of them for CANDIDATES leaders (counting repeats), united in one call.
    enough = bisect.bisect_left(list(itertools.accumulate(map(len, postings))), CANDIDATES)
    candidates = set().union(*postings[: enough + 1])
    if not candidates:
        return None
    # Only the leaders sharing most content words are scored: set intersections cost little,
    # rapidfuzz over the whole shape more.
    content = shape.content
    broadest = BROADER * len(content)
    chosen = heapq.nlargest(
        SCORED,
        (leader for leader in candidates if len(shapes[leader].content) <= broadest),
        key=lambda leader: len(content & shapes[leader].content),
    )
    if not chosen:
        return None
    match = process.extractOne(
        shape.text,
        [shapes[leader].text for leader in chosen],
        scorer=fuzz.token_set_ratio,
        score_cutoff=SIMILAR,
    )
    return chosen[match[2]] if match else None


def _summarize(group: list[Exchange], engine: Engine) -> Cluster:
    phrasings = Counter(exchange.question for exchange in group)
    representative = phrasings.most_common(1)[0][0]
    return Cluster(
        representative=representative,
        count=len(group),
        users=len({e.user_key for e in group if e.user_key}),
        first_seen=min(e.at for e in group),
        last_seen=max(e.at for e in group),
        examples=[text for text, _ in phrasings.most_common(EXAMPLES)],
        nearest=_nearest(representative, group, engine),
        statuses=dict(Counter(e.status for e in group)),
        questions=sorted(phrasings),
    )


def _nearest(representative: str, group: list[Exchange], engine: Engine) -> dict:
    """The entry the representative question comes closest to. An exchange answered by this
    same knowledge version already logged its candidates, exactly what the engine would find
    again; only questions from other versions are searched anew (a millisecond each, which
    thousands of clusters would add up to seconds)."""
    version = engine.knowledge.version
    for exchange in group:
        if (
            exchange.question == representative
            and exchange.knowledge_version == version
            and exchange.candidates
        ):
            best = exchange.candidates[0]
            return {"id": best["id"], "score": round(best["score"], 3)}
    found = engine.candidates(representative, 1)
    return {"id": found[0].id, "score": round(found[0].score, 3)} if found else {}
