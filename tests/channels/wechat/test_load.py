"""A burst: 2,000 messages from 200 users at once, each answered well within WeChat's 5 s."""

from __future__ import annotations

import asyncio
import statistics

import pytest

from bot.app import Service
from bot.channels.wechat.server import build_app
from bot.log.store import ExchangeLog
from bot.settings import WeChatSettings
from tests.support.servers import serving
from tests.support.wechat import AES_KEY, APPID, TOKEN, WeChatStandIn, openid

USERS = 200
MESSAGES = 10  # per user, each sent when the reply to the one before has come
PICK_EVERY = 5  # every fifth message is "1": a pick from what the last reply offered


@pytest.mark.slow
@pytest.mark.parametrize("aes_key", [None, AES_KEY], ids=["plaintext", "safe"])
async def test_a_burst_from_200_users_is_answered_in_time_and_logged_whole(
    engine, knowledge, tmp_path, aes_key
):
    questions = [q for entry in knowledge.entries for q in (entry.question, *entry.similar)]
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="test")
    settings = WeChatSettings(token=TOKEN, appid=APPID, aes_key=AES_KEY)
    with serving(build_app(Service(tmp_path, engine, log), settings)) as base:
        async with WeChatStandIn(f"{base}/wechat", aes_key=aes_key, tries=1) as wechat:

            async def user(number: int) -> list:
                sent = []
                for turn in range(MESSAGES):
                    text = (
                        "1"
                        if turn % PICK_EVERY == PICK_EVERY - 1
                        else questions[(number * MESSAGES + turn) % len(questions)]
                    )
                    sent.append(await wechat.text(openid(number), text))
                return sent

            results = await asyncio.gather(*(user(n) for n in range(USERS)))
    deliveries = [d for sent in results for d in sent]
    seconds = sorted(d.seconds for d in deliveries)
    print(
        f"\n{len(deliveries)} messages: p50 {statistics.median(seconds) * 1000:.0f} ms, "
        f"p95 {seconds[int(0.95 * len(seconds))] * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms"
    )
    assert len(deliveries) == USERS * MESSAGES
    assert all(d.status == 200 and d.reply and d.content for d in deliveries)
    assert all(d.timeouts == 0 and d.seconds < 5 for d in deliveries)
    for number, sent in enumerate(results):  # no reply went to the wrong user
        assert {d.reply["ToUserName"] for d in sent} == {openid(number)}
    logged = list(log.store.exchanges())
    log.close()
    assert len(logged) == USERS * (MESSAGES - MESSAGES // PICK_EVERY)
    assert {e.channel for e in logged} == {"wechat"}
