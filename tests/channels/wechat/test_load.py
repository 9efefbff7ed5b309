"""`policybot serve` with the WeChat channel: a burst of 2,000 messages from 200 users at once,
in safe mode, each answered well within WeChat's 5 s, nothing lost; and a start refused on a
malformed setting."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys

import pytest

from tests.support.cli import logged_stats
from tests.support.paths import ROOT
from tests.support.web import free_port, serve_process
from tests.support.wechat import AES_KEY, APPID, TOKEN, WeChatStandIn, openid

USERS = 200
MESSAGES = 10  # per user, all users starting at once
PICK_EVERY = 5  # every fifth message is "1": a pick from what the last reply offered
# Seconds a user takes to read a reply and type the next message: a few, for people. Without
# any pause 200 users keep 200 messages waiting at every instant; bench/wechat_load.py
# measures that worst case.
THINK = (2.0, 5.0)


@pytest.fixture
def served(tmp_path):
    """`policybot serve` with the WeChat channel on, on a free port, with a throwaway log."""
    wechat = {
        "POLICYBOT_WECHAT_TOKEN": TOKEN,
        "POLICYBOT_WECHAT_APPID": APPID,
        "POLICYBOT_WECHAT_AES_KEY": AES_KEY,
    }
    with serve_process(tmp_path / "log.sqlite3", wechat) as (base, process):
        yield base, process, tmp_path / "log.sqlite3"


async def burst(url: str, aes_key: str | None, questions: list[str]) -> list[list]:
    pauses = random.Random(17)
    async with WeChatStandIn(url, aes_key=aes_key, tries=1) as wechat:

        async def user(number: int) -> list:
            sent = []
            for turn in range(MESSAGES):
                if turn:
                    await asyncio.sleep(pauses.uniform(*THINK))
                text = (
                    "1"
                    if turn % PICK_EVERY == PICK_EVERY - 1
                    else questions[(number * MESSAGES + turn) % len(questions)]
                )
                sent.append(await wechat.text(openid(number), text))
            return sent

        return await asyncio.gather(*(user(n) for n in range(USERS)))


@pytest.mark.slow
async def test_a_burst_from_200_users_is_answered_in_time_and_logged_whole(served, knowledge):
    base, process, db = served
    questions = [q for entry in knowledge.entries for q in entry.questions]
    # Safe mode: the heavier of the two, and the one the docs recommend.
    results = await burst(f"{base}/wechat", AES_KEY, questions)
    deliveries = [d for sent in results for d in sent]
    seconds = sorted(d.seconds for d in deliveries)
    print(
        f"\n{len(deliveries)} messages, p50 {statistics.median(seconds) * 1000:.0f} ms, "
        f"p95 {seconds[int(0.95 * len(seconds))] * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms"
    )
    assert len(deliveries) == USERS * MESSAGES
    assert all(d.status == 200 and d.reply and d.content for d in deliveries)
    assert all(d.timeouts == 0 and d.seconds < 5 for d in deliveries)
    for number, sent in enumerate(results):  # no reply went to the wrong user
        assert {d.reply["ToUserName"] for d in sent} == {openid(number)}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    # Every question logged once, as wechat; the picks are not questions.
    assert logged_stats(db, "--since", "1d")["channels"] == {
        "wechat": USERS * (MESSAGES - MESSAGES // PICK_EVERY)
    }


@pytest.mark.slow
def test_serve_refuses_to_start_with_a_malformed_wechat_setting(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("POLICYBOT_")}
    env |= {
        "POLICYBOT_DB": str(tmp_path / "log.sqlite3"),
        "POLICYBOT_WECHAT_TOKEN": TOKEN,
        "POLICYBOT_WECHAT_AES_KEY": AES_KEY,  # without the AppID it belongs to
    }
    command = [sys.executable, "-m", "bot", "serve", "--port", str(free_port())]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "POLICYBOT_WECHAT_APPID" in result.stderr
    assert AES_KEY not in result.stderr
