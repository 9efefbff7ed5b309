"""Usage figures from the exchange log: volume, answer rates, top entries, feedback, latency."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, SMALLTALK
from bot.log.store import HELPFUL, UNHELPFUL, ExchangeStore


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


def local_time(at: str, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """A log timestamp (UTC, ISO) in the deployment's time zone."""
    return dt.datetime.fromisoformat(at).astimezone(zone)


def stats(
    store: ExchangeStore, since: str | None = None, top: int = 10, zone: dt.tzinfo = dt.UTC
) -> Stats:
    """Counts over the log; `per_day` by calendar day in `zone` (the deployment's, so a day
    means what it does to its admins: in Asia/Shanghai a day starts at 16:00 UTC)."""
    exchanges = list(store.exchanges(since))
    votes = Counter(f.kind for f in store.feedback(since))
    latencies = sorted(e.latency_ms for e in exchanges if e.latency_ms is not None)
    per_day: dict[str, Counter] = defaultdict(Counter)
    for exchange in exchanges:
        per_day[local_time(exchange.at, zone).date().isoformat()][exchange.status] += 1
    entries = Counter(e.entry_id for e in exchanges if e.status == ANSWERED and e.entry_id)
    # A reply answering a message's two questions counts once for each entry it gave.
    entries.update(a["id"] for e in exchanges for a in e.also)
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
