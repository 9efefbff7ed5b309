"""Calls to the Bot API that fail for a moment are tried again, within a bound.

python-telegram-bot's `AIORateLimiter` keeps the bot under Telegram's send rates and retries a
429 ("too many requests", with the wait Telegram asks for) a fixed number of times; it never
retries a 5xx or a dropped connection, so one `502 Bad Gateway` used to lose a reply. This
limiter adds those retries, with exponential backoff, and a bound on the whole wait so a reply
is either sent or given up (and logged) within about a minute.

What is not retried: 4xx answers (the request itself is wrong, or the user blocked the bot) and
timeouts (the request may have reached Telegram; trying again could send the reply twice).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RATE_RETRIES = 8  # 429s retried, each after the wait Telegram asks for
ERROR_RETRIES = 5  # 5xx answers and connection errors retried
FIRST_BACKOFF = 0.5  # seconds before the first retry after an error; doubled each time
WAIT_BUDGET = 60.0  # seconds of backoff one call may spend in all (429 waits not included)
NOT_RETRIED = (BadRequest, Forbidden, InvalidToken, Conflict, TimedOut)


class RetryingLimiter(AIORateLimiter):
    """`AIORateLimiter` (send rates, 429 retries) plus bounded retries of server errors."""

    def __init__(
        self,
        overall_max_rate: float = 30,
        error_retries: int = ERROR_RETRIES,
        first_backoff: float = FIRST_BACKOFF,
        budget: float = WAIT_BUDGET,
    ) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=RATE_RETRIES)
        self.error_retries, self.first_backoff, self.budget = error_retries, first_backoff, budget

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args) -> Any:
        waited, attempt = 0.0, 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NOT_RETRIED:
                raise
            except NetworkError as exc:
                delay = self.first_backoff * 2**attempt
                if attempt == self.error_retries or waited + delay > self.budget:
                    log.error("%s failed %d time(s), given up: %s", endpoint, attempt + 1, exc)
                    raise
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, exc, delay)
                await asyncio.sleep(delay)
                waited += delay
                attempt += 1
