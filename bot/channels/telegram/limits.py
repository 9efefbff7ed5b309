"""A per-user limit on incoming messages, so one flooding user cannot starve everyone else."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

OK, NOTIFY, DROP = "ok", "notify", "drop"


class UserLimiter:
    """At most `limit` messages per user in any `window` seconds (a limit of 0: no limit).

    The first message over the limit gets one polite notice (`NOTIFY`); the rest are dropped
    silently (`DROP`) until the user is under the limit again.
    """

    def __init__(
        self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.seen: dict[int, deque[float]] = defaultdict(deque)
        self.notified: set[int] = set()

    def check(self, user_id: int) -> str:
        if not self.limit:
            return OK
        now = self.clock()
        times = self.seen[user_id]
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self.notified.discard(user_id)
            return OK
        if user_id in self.notified:
            return DROP
        self.notified.add(user_id)
        return NOTIFY
