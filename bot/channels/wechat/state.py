"""Short-lived memory of the WeChat channel: what each user was last offered (besides the
"您是想问" lists that `bot.conversation` keeps), and which messages were already answered.

Both live in the process only and forget on their own: a numbered list is answered within
minutes or not at all, and WeChat's retries of one message come within about 15 seconds.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.channels.wechat.replies import Option
from bot.conversation import NONE, number_of, reply_word

K = TypeVar("K")
V = TypeVar("V")

DECLINE, OUT_OF_RANGE = -1, -2
# A short number on its own is a pick, even when the list it picks from has expired.
PICK = re.compile(r"\d{1,2}")


class Expiring(Generic[K, V]):
    """A dict whose items expire `ttl` seconds after they were set, holding at most `capacity`
    (the oldest go first), so that no flood of users or messages can grow it without bound."""

    def __init__(
        self, ttl: float, capacity: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl, self.capacity, self.clock = ttl, capacity, clock
        self.items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        return self.items[key][1] if key in self else None

    def __contains__(self, key: object) -> bool:
        found = self.items.get(key)  # type: ignore[arg-type]
        if found is None:
            return False
        if found[0] <= self.clock():
            del self.items[key]  # type: ignore[arg-type]
            return False
        return True

    def set(self, key: K, value: V) -> None:
        self.items[key] = (self.clock() + self.ttl, value)
        self.items.move_to_end(key)
        while len(self.items) > self.capacity:
            self.items.popitem(last=False)
        # Items are in order of expiry (one ttl for all): drop the expired ones at the front.
        now = self.clock()
        while self.items and next(iter(self.items.values()))[0] <= now:
            self.items.popitem(last=False)

    def pop(self, key: K) -> None:
        self.items.pop(key, None)

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Offered:
    """What a user was last offered: numbered related questions or topics, and pages of a long
    answer not yet sent."""

    options: tuple[Option, ...] = ()
    pages: list[str] = field(default_factory=list)


def resolve(text: str, count: int) -> int | None:
    """Which of `count` numbered options a message picks (0-based), DECLINE for "0"/"都不是",
    OUT_OF_RANGE for a number that is not on the list, None when it is no pick at all."""
    word = reply_word(text)
    number = number_of(word, longest=count)
    if number is not None:
        if number == 0:
            return DECLINE
        return number - 1 if number <= count else OUT_OF_RANGE
    return DECLINE if word in NONE else None
