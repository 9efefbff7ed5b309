"""Heavy admin work runs off the event loop; failed sends are retried within a bound; the
heartbeat survives a failed write."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from telegram import Update

from bot.app import Service
from bot.channels.telegram import handlers
from bot.log.writer import ExchangeLog
from bot.ops import health
from tests.support import updates
from tests.support.paths import KNOWLEDGE
from tests.support.telegram import Bot

BUSY_SECONDS = 1.5


def busy_cluster(exchanges, engine, min_count=1):
    """A stand-in for clustering a large log: pure-Python work holding the interpreter."""
    deadline = time.perf_counter() + BUSY_SECONDS
    total = 0
    while time.perf_counter() < deadline:
        total += sum(range(200))
    return []


@pytest.mark.slow
async def test_a_bystander_is_answered_within_100_ms_while_gaps_runs(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("bot.app.cluster", busy_cluster)  # the seam clusters; handlers call it
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s")
    bot = Bot(Service(KNOWLEDGE, engine, log))
    app = bot.app
    await app.initialize()
    gaps = asyncio.create_task(
        app.process_update(
            Update.de_json(updates.private_text("/gaps", user_id=updates.ADMIN_ID), app.bot)
        )
    )
    await asyncio.sleep(0.2)  # clustering under way
    delays = []
    while not gaps.done():
        question = Update.de_json(updates.private_text("信用修复", user_id=2002), app.bot)
        start = time.perf_counter()
        await app.process_update(question)
        delays.append(time.perf_counter() - start)
        await asyncio.sleep(0.05)
    await gaps
    await app.shutdown()
    log.close()
    delays.sort()
    median, worst = delays[len(delays) // 2], delays[-1]
    print(
        f"bystander replies while /gaps ran: {len(delays)}, median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms"
    )
    # Target: 100 ms. Measured max 33 ms on a quiet machine, 84-144 ms with seven engineers'
    # test suites running beside it; the old code held every reply for the whole 1.5 s. The
    # bounds below tell the two apart on a loaded machine without flaking.
    assert len(delays) >= 5 and median < 0.1 and worst < 0.5


@pytest.mark.slow
async def test_a_reply_survives_a_5xx_and_more_than_three_429s(engine):
    bot = Bot(Service(KNOWLEDGE, engine))
    await bot.app.initialize()
    bot.api.fail_next("sendMessage", 502)
    for _ in range(4):
        bot.api.fail_next("sendMessage", 429, retry_after=1)
    calls = await bot.send(updates.private_text("信用修复"))
    await bot.app.shutdown()
    sent = [p["text"] for m, p in calls if m == "sendMessage"]
    assert len(sent) == 6 and "信用修复" in sent[-1]  # five refused, the sixth delivered
    assert handlers.APOLOGY not in sent


async def test_the_heartbeat_goes_on_after_a_failed_write(tmp_path, monkeypatch, engine, caplog):
    real_beat = health.beat
    failures = [OSError(28, "No space left on device")] * 3

    def flaky(path, service):
        if failures:
            raise failures.pop()
        real_beat(path, service)

    monkeypatch.setattr(health, "beat", flaky)
    path = tmp_path / "bot.health"
    with caplog.at_level(logging.WARNING, logger="bot.ops.health"):
        task = asyncio.create_task(health.heartbeat(path, Service(KNOWLEDGE, engine), 0.01))
        deadline = time.monotonic() + 5
        # Wait for the line, not the file: the file appears in the writing thread before the
        # loop logs it, and a cancel in between would lose the line.
        while not any("written again" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "the heartbeat never came back"
            await asyncio.sleep(0.01)
        assert path.exists()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "No space left" in errors[0].getMessage()
    assert not path.exists()  # stopped on purpose: removed
