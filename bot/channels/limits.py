"""A per-user limit on incoming messages, so one flooding user cannot starve everyone else
(Telegram's updates, WeChat's messages; the web API limits per client address instead)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable

OK, NOTIFY, DROP = "ok", "notify", "drop"
SLOW_DOWN = "您发消息太快了，请稍等一分钟再问。"  # the one notice of `NOTIFY`


class UserLimiter:
    """At most `limit` updates per user in any `window` seconds (a limit of 0: no limit).

    The first update over the limit gets one polite notice (`NOTIFY`); the rest are dropped
    silently (`DROP`) until the user is under the limit again. Users quiet for a whole window
    are forgotten (one sweep per window), so memory follows the users of the last minute or
    two, not everyone who ever wrote.
    """

    def __init__(
        self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.seen: dict[Hashable, deque[float]] = {}
        self.notified: set[Hashable] = set()
        self.swept = clock()

    def check(self, user_id: Hashable) -> str:
        if not self.limit:
            return OK
        now = self.clock()
        if now - self.swept >= self.window:
            self.sweep(now)
        times = self.seen.get(user_id)
        if times is None:
            times = self.seen[user_id] = deque()
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

    def sweep(self, now: float) -> None:
        """Forget every user with nothing inside the window (their next update starts afresh)."""
        horizon = now - self.window
        quiet = [user for user, times in self.seen.items() if not times or times[-1] <= horizon]
        for user in quiet:
            del self.seen[user]
            self.notified.discard(user)
        self.swept = now
