"""`bot.ops.logsetup.Sparing`: a warning anyone may cause, said at most once a period."""

from __future__ import annotations

import logging

from bot.ops.logsetup import Sparing


def test_a_repeated_warning_is_said_once_a_period_with_how_many_went_unsaid(caplog):
    now = [100.0]
    sparing = Sparing(logging.getLogger("probe"), every=60, clock=lambda: now[0])
    for _ in range(5):
        sparing.warning("refused a %s request: %s", "GET", "bad signature")
    now[0] += 61
    sparing.warning("refused a %s request: %s", "POST", "bad signature")
    now[0] += 61
    sparing.warning("refused a %s request: %s", "GET", "old timestamp")
    assert [r.getMessage() for r in caplog.records] == [
        "refused a GET request: bad signature",
        "refused a POST request: bad signature (and 4 more like it in the 61 s before, unsaid)",
        "refused a GET request: old timestamp",
    ]
