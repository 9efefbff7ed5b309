"""`bot.ops.logsetup.Sparing`: a warning anyone may cause, said at most once a period."""

from __future__ import annotations

import logging

from bot.ops.logsetup import SparedRequests, Sparing, configure


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


def test_what_uvicorn_says_of_any_clients_bad_request_is_spared(caplog):
    """A malformed request was a WARNING line each, and a WebSocket upgrade (which a proxy
    passes on) two, one of them advising a library the bot has no use for: one client could
    fill the server's log (left by probe20; probe21). Each is said once a period now, the
    advice never."""
    now = [100.0]
    uvicorn = logging.getLogger("uvicorn.error.probe")
    uvicorn.addFilter(SparedRequests(every=60, clock=lambda: now[0]))
    for _ in range(3):
        uvicorn.warning("Invalid HTTP request received.")
        uvicorn.warning("Unsupported upgrade request.")
        uvicorn.warning("No supported WebSocket library detected. Please use ...")
    uvicorn.warning("Exceeded concurrency limit.")  # not a request's own doing: every one said
    uvicorn.warning("Exceeded concurrency limit.")
    now[0] += 61
    uvicorn.warning("Invalid HTTP request received.")
    assert [r.getMessage() for r in caplog.records] == [
        "Invalid HTTP request received.",
        "Unsupported upgrade request.",
        "Exceeded concurrency limit.",
        "Exceeded concurrency limit.",
        "Invalid HTTP request received. (and 2 more like it in the 61 s before, unsaid)",
    ]


def test_configure_spares_uvicorns_per_request_warnings_once():
    root, uvicorn = logging.getLogger(), logging.getLogger("uvicorn.error")
    handlers, filters = root.handlers[:], uvicorn.filters[:]
    try:
        configure()
        configure()  # `serve` after a test's or a worker's set-up: one filter, not two
        assert sum(isinstance(f, SparedRequests) for f in uvicorn.filters) == 1
    finally:
        root.handlers[:], uvicorn.filters[:] = handlers, filters
