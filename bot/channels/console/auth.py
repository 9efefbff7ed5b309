"""Sessions, CSRF tokens and login throttling for the console.

Sessions live in the server's memory: the console is one process, a restart only means logging
in again, and nothing about a session ever reaches a disk or a log. The cookie holds a random
token and nothing else; it is HttpOnly (no script can read it), SameSite=Strict (no other site
can make the browser send it) and Secure whenever the request came over TLS (directly or through
the proxy's X-Forwarded-Proto). Every form carries the session's CSRF token besides, because
SameSite alone does not cover older browsers or a sibling subdomain.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.channels.web.guard import network
from bot.log.accounts import Account

COOKIE = "policybot_admin"
LOGIN_COOKIE = "policybot_login"  # the login form's CSRF token, before there is a session


@dataclass
class Session:
    account: Account
    standing: str  # the account's at login (`Accounts.standing`): the session ends when it changes
    csrf: str
    created: float
    seen: float


@dataclass
class Sessions:
    idle: float = 30 * 60  # seconds without a request before a session ends
    lifetime: float = 12 * 3600  # and at most this long after logging in, however busy
    clock: Callable[[], float] = time.monotonic
    active: dict[str, Session] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, account: Account, standing: str) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(account, standing, secrets.token_urlsafe(32), now, now)
        with self.lock:
            self.active[token] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The live session for a cookie, touched; None if unknown, idle too long or too old."""
        if not token:
            return None
        now = self.clock()
        with self.lock:
            session = self.active.get(token)
            if session is None:
                return None
            if now - session.seen > self.idle or now - session.created > self.lifetime:
                del self.active[token]
                return None
            session.seen = now
            return session

    def end(self, token: str | None) -> None:
        with self.lock:
            self.active.pop(token or "", None)


def same_token(expected: str, given: object) -> bool:
    """Compare secrets in constant time, so timing does not reveal how much of a guess was right.
    `given` is what a form sent: anything but a non-empty string (a file, nothing) is no match."""
    return (
        isinstance(given, str)
        and bool(given)
        and hmac.compare_digest(expected.encode(), given.encode())
    )


@dataclass
class Throttle:
    """At most `attempts` failed logins per client address and per account name in `window`
    seconds; then that address or name waits until its oldest failure is out of the window.
    Counting names as well stops a guesser who changes address; counting addresses stops one
    who tries many names. An IPv6 address counts as its /64, as in the API's rate limit: one
    subscriber holds the whole network, and counted per address had 2^64 of them. An attempt
    counts as a failure from the moment its check starts (a right password takes it back):
    counted only once the check ended, 40 logins sent at once were all checked, where 5 should
    have been."""

    attempts: int = 5
    window: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    failures: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attempt(self, address: str, name: str) -> float:
        """Seconds until this address and name may try again, counting nothing; or 0, and
        this attempt is counted as failed until `succeeded`."""
        now = self.clock()
        longest = 0.0
        keys = (f"ip:{network(address)}", f"name:{name}")
        with self.lock:
            for key in keys:
                times = self.failures.get(key)
                if not times:
                    continue
                while times and now - times[0] > self.window:
                    times.popleft()
                if len(times) >= self.attempts:
                    longest = max(longest, self.window - (now - times[0]))
                if not times:
                    del self.failures[key]  # memory stays bounded by recent failures
            if longest == 0.0:
                for key in keys:
                    self.failures[key].append(now)
        return longest

    def succeeded(self, address: str, name: str) -> None:
        """The attempt's password was right: the name starts afresh, the address gets its
        attempt back."""
        with self.lock:
            self.failures.pop(f"name:{name}", None)
            times = self.failures.get(f"ip:{network(address)}")
            if times:
                times.pop()
