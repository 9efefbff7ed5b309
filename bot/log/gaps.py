"""Finding the gaps: what people ask that the knowledge does not answer, grouped and counted.

A gap is an exchange that ended in a fallback or a clarify list, or whose answer got a 👎.
Similar questions (the same words in other order, synonyms, homophone typos) fall into one
cluster, and each cluster names the existing entry it comes closest to, so a reviewer can tell
"teach this phrasing to entry X" (close) from "a new entry is needed" (far).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz, process

from bot.engine.core import CLARIFY, FALLBACK, Engine
from bot.engine.features import spoken
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
        for exchange in store.exchanges(since)
        if exchange.status in (FALLBACK, CLARIFY) or votes.get(exchange.id) == UNHELPFUL
    ]


def _shape(engine: Engine, question: str) -> str:
    """What clustering compares: canonical text as overlapping pairs, then its sound."""
    text = engine.prepare(question).replace(" ", "")
    pairs = " ".join(text[i : i + 2] for i in range(max(1, len(text) - 1)))
    return f"{pairs} | {spoken(text)}"


def cluster(exchanges: list[Exchange], engine: Engine, min_count: int = 1) -> list[Cluster]:
    """Group similar questions, largest group first (then most recent)."""
    by_shape: dict[str, list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        by_shape[_shape(engine, exchange.question)].append(exchange)
    leaders: list[str] = []
    members: dict[str, list[Exchange]] = {}
    for shape in sorted(by_shape, key=lambda s: (-len(by_shape[s]), s)):
        match = process.extractOne(
            shape, leaders, scorer=fuzz.token_set_ratio, score_cutoff=SIMILAR
        )
        leader = match[0] if match else shape
        if not match:
            leaders.append(shape)
        members.setdefault(leader, []).extend(by_shape[shape])
    clusters = [_summarize(group, engine) for group in members.values() if len(group) >= min_count]
    clusters.sort(key=lambda c: c.last_seen, reverse=True)
    clusters.sort(key=lambda c: c.count, reverse=True)  # stable: ties stay most recent first
    return clusters


def _summarize(group: list[Exchange], engine: Engine) -> Cluster:
    phrasings = Counter(exchange.question for exchange in group)
    representative = phrasings.most_common(1)[0][0]
    nearest = engine.candidates(representative, 1)
    return Cluster(
        representative=representative,
        count=len(group),
        users=len({e.user_key for e in group if e.user_key}),
        first_seen=min(e.at for e in group),
        last_seen=max(e.at for e in group),
        examples=[text for text, _ in phrasings.most_common(EXAMPLES)],
        nearest={"id": nearest[0].id, "score": round(nearest[0].score, 3)} if nearest else {},
        statuses=dict(Counter(e.status for e in group)),
        questions=sorted(phrasings),
    )
