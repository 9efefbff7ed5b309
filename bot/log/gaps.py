"""Finding the gaps: what people ask that the knowledge does not answer, grouped and counted.

A gap is an exchange that ended in a fallback or a clarify list, or whose answer got a 👎.
Similar questions (the same words in other order, synonyms, homophone typos) fall into one
cluster, and each cluster names the existing entry it comes closest to, so a reviewer can tell
"teach this phrasing to entry X" (close) from "a new entry is needed" (far).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz, process

from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, SMALLTALK, Engine
from bot.engine.features import spoken
from bot.log.store import HELPFUL, UNHELPFUL, Exchange, ExchangeStore

SIMILAR = 60  # rapidfuzz points (0-100) at which two questions share a cluster
EXAMPLES = 5


def since_to_iso(text: str | None, today: dt.datetime | None = None) -> str | None:
    """`7d`, `24h`, `30m`, `2w` ago, or an ISO date, as the log's timestamp format."""
    if not text:
        return None
    now = today or dt.datetime.now(dt.UTC)
    match = re.fullmatch(r"(\d+)\s*([mhdw])", text.strip())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match.group(2)]
        moment = now - dt.timedelta(**{unit: int(match.group(1))})
        return moment.isoformat(timespec="milliseconds")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"时间写法不对: {text!r}（例如 7d、24h、2w 或 2026-11-01）") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="milliseconds")


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
    )


@dataclass
class Stats:
    total: int
    statuses: dict
    top_entries: list[tuple[str, int]]
    helpful: int
    unhelpful: int
    latency_p50: float
    latency_p95: float
    per_day: dict[str, dict]
    channels: dict[str, int] = field(default_factory=dict)  # questions per channel, most first

    def rate(self, status: str) -> float:
        questions = self.total - self.statuses.get(SMALLTALK, 0)
        return self.statuses.get(status, 0) / questions if questions else 0.0

    def to_dict(self) -> dict:
        return {
            "total": self.total,
            "statuses": self.statuses,
            "rates": {s: round(self.rate(s), 4) for s in (ANSWERED, CLARIFY, FALLBACK)},
            "top_entries": [{"id": i, "count": n} for i, n in self.top_entries],
            "feedback": {"helpful": self.helpful, "unhelpful": self.unhelpful},
            "latency_ms": {"p50": self.latency_p50, "p95": self.latency_p95},
            "per_day": self.per_day,
            "channels": self.channels,
        }


def stats(store: ExchangeStore, since: str | None = None, top: int = 10) -> Stats:
    exchanges = list(store.exchanges(since))
    votes = Counter(f.kind for f in store.feedback(since))
    latencies = sorted(e.latency_ms for e in exchanges if e.latency_ms is not None)
    per_day: dict[str, Counter] = defaultdict(Counter)
    for exchange in exchanges:
        per_day[exchange.at[:10]][exchange.status] += 1
    entries = Counter(e.entry_id for e in exchanges if e.status == ANSWERED and e.entry_id)
    return Stats(
        total=len(exchanges),
        statuses=dict(Counter(e.status for e in exchanges)),
        top_entries=entries.most_common(top),
        helpful=votes[HELPFUL],
        unhelpful=votes[UNHELPFUL],
        latency_p50=round(statistics.median(latencies), 3) if latencies else 0.0,
        latency_p95=round(latencies[int(0.95 * (len(latencies) - 1))], 3) if latencies else 0.0,
        per_day={day: dict(counts) for day, counts in sorted(per_day.items())},
        channels=dict(Counter(e.channel for e in exchanges).most_common()),
    )
