"""End to end: the real application and its httpx transport against a Bot API stand-in on
127.0.0.1, fed updates through long polling; assertions on what reached the stand-in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bot.app import Service
from bot.channels.telegram.app import build_application
from bot.log.store import HELPFUL
from bot.log.writer import ExchangeLog
from bot.settings import Settings
from tests.support import updates
from tests.support.botapi import TOKEN, StandIn
from tests.support.cli import started
from tests.support.paths import KNOWLEDGE, ROOT
from tests.support.telegram import polling as taking_updates


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


@pytest.fixture
def service(engine, tmp_path):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="e2e", background=True)  # as `run`
    yield Service(KNOWLEDGE, engine, log)
    log.close()


@pytest.fixture
async def polling(standin, service, tmp_path):
    """The application polling the stand-in, as `policybot run` does, until the test ends."""
    settings = Settings(
        token=TOKEN,
        base_url=standin.base_url,
        admins=frozenset({updates.ADMIN_ID}),
        db=tmp_path / "log.sqlite3",
    )
    async with taking_updates(build_application(settings, service)):
        yield standin.api


async def wait_sent(
    api, count: int, method: str = "sendMessage", timeout: float = 15.0
) -> list[dict]:
    """Like `FakeBotApi.wait_for`, without blocking the event loop the bot runs on."""
    import asyncio

    deadline = time.monotonic() + timeout
    while len(api.sent(method)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{method}: {len(api.sent(method))} of {count}; {[c.method for c in api.calls]}"
            )
        await asyncio.sleep(0.02)
    return api.sent(method)


async def test_a_conversation_through_every_kind_of_update(polling, service):
    api = polling
    api.push(updates.private_text("复工复产去哪个窗口办理"))
    answer = (await wait_sent(api, 1))[0]
    assert "复工复产专窗" in answer["text"] and answer["parse_mode"] == "HTML"

    api.push(updates.group_text("复工复产去哪个窗口办理"))  # not addressed: ignored
    api.push(updates.group_text("@fuyuan_policy_bot 信用修复"))
    api.push(updates.group_text("绿色通到", reply_to_bot=True))
    sent = await wait_sent(api, 3)
    assert "信用修复" in sent[1]["text"] and sent[1]["chat_id"] == updates.GROUP_ID
    assert "绿色通道" in sent[2]["text"]

    message = api._message({**answer, "chat_id": updates.USER_ID})
    vote = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    for data in (
        vote,
        "a:fugong-lvse-tongdao",
        "t",
        "c::qiye-xinyong-xiufu",  # a pick no list offered: answered as stale, not shown
        "q:shenpi-jizhi",
        "a:gone",
    ):
        api.push(updates.callback(data, message))
    await wait_sent(api, 6, "answerCallbackQuery")
    assert len(api.sent("editMessageReplyMarkup")) == 1  # the vote removed its buttons
    assert len(api.sent("editMessageText")) == 2  # topics, browsed answer
    assert "绿色通道" in api.sent()[3]["text"]  # the related question, as a new message

    api.push(updates.inline_query("信用修复"))
    results = (await wait_sent(api, 1, "answerInlineQuery"))[0]["results"]
    assert results and results[0]["id"] == "qiye-xinyong-xiufu"

    api.push(updates.photo())
    api.push(updates.private_text("/start qiye-xinyong-xiufu"))
    sent = await wait_sent(api, 6)
    assert "文字" in sent[4]["text"]
    assert "信用修复" in sent[5]["text"]
    assert len(api.sent()) == 6  # nothing answered twice, the unaddressed group message not at all

    # Every question reached the exchange log, pseudonymously, and so did the feedback.
    service.log.flush()
    logged = list(service.log.store.exchanges())
    assert [e.question for e in logged] == ["复工复产去哪个窗口办理", "信用修复", "绿色通到"]
    assert {e.channel for e in logged} == {"telegram"}
    assert [e.chat_type for e in logged] == ["private", "supergroup", "supergroup"]
    assert all(e.user_key and str(updates.USER_ID) not in e.user_key for e in logged)
    assert logged[0].entry_id == "fugong-zhuanchuang" and logged[0].knowledge_version
    kinds = {(f.kind, f.entry_id) for f in service.log.store.feedback()}
    assert kinds == {(HELPFUL, "fugong-zhuanchuang")}  # not the pick no list offered
    votes = [f for f in service.log.store.feedback() if f.kind == HELPFUL]
    assert votes[0].exchange_id == logged[0].id


@pytest.mark.slow
async def test_faults_retry_and_nothing_is_lost(polling):
    api = polling
    api.fail_next("getUpdates", 500)
    api.fail_next("sendMessage", 429, retry_after=1)
    api.delay["sendMessage"] = 0.2
    questions = ["信用修复", "绿色通到", "复工 窗口", "个人所得税怎么交", "你好"]
    api.push(*(updates.private_text(q, user_id=3000 + n) for n, q in enumerate(questions)))
    delivered = [m for m in await wait_sent(api, len(questions) + 1, timeout=30)]
    # one sendMessage hit the injected 429 and was retried: every question got exactly one reply
    replies_per_chat = {}
    for params in delivered:
        replies_per_chat[params["chat_id"]] = replies_per_chat.get(params["chat_id"], 0) + 1
    assert sorted(replies_per_chat) == sorted(3000 + n for n in range(len(questions)))
    assert sum(replies_per_chat.values()) == len(questions) + 1
    assert (
        len([c for c in api.calls if c.method == "getUpdates"]) >= 2
    )  # polled again after the 500


@pytest.mark.slow
async def test_sixteen_chats_replies_travel_to_telegram_at_once(polling):
    # A reply holds its work slot until the Bot API has answered it: with the default sixteen
    # slots, 32 chats' replies take two round trips, not eight (the default until round 11: 4).
    api = polling
    api.delay["sendMessage"] = 0.3
    started = time.monotonic()
    api.push(*(updates.private_text("信用修复", user_id=50_000 + n) for n in range(32)))
    await wait_sent(api, 32, timeout=30)
    assert time.monotonic() - started < 1.8  # 4 at a time: 8 x 0.3 = 2.4 s at the least


def test_policybot_run_as_a_subprocess_stops_cleanly_on_sigterm(standin, tmp_path):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "POLICYBOT_KNOWLEDGE": str(KNOWLEDGE),
        "POLICYBOT_DB": str(tmp_path / "log.sqlite3"),
    }
    process = started("run", env=env)
    try:
        # A cold start without the engine cache: seconds alone, but minutes on a shared machine
        # at load 20 (it failed at 30 s there); the wait ends as soon as the bot is up.
        standin.api.wait_for("setMyCommands", timeout=120)
        standin.api.push(updates.private_text("复工复产去哪个窗口办理"))
        reply = standin.api.wait_for("sendMessage", timeout=30)[0]
        assert "复工复产专窗" in reply["text"]
        commands = standin.api.sent("setMyCommands")[0]["commands"]
        assert {c["command"] for c in commands} >= {"start", "help", "topics", "about"}
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert TOKEN not in out + err
    assert "stopped" in err


@pytest.mark.slow
def test_run_without_a_token_is_one_line_and_exit_2():
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "TELEGRAM_BOT_TOKEN" in result.stderr


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_webhook_mode_checks_the_secret_and_answers(standin, tmp_path):
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "POLICYBOT_KNOWLEDGE": str(KNOWLEDGE),
        "POLICYBOT_DB": str(tmp_path / "log.sqlite3"),
    }
    command = [
        sys.executable,
        "-m",
        "bot",
        "run",
        "--webhook-url",
        url,
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        "--secret-token",
        "s3cret",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        registered = standin.api.wait_for("setWebhook", timeout=30)[0]
        assert registered["url"] == url and registered["secret_token"] == "s3cret"
        update = updates.private_text("复工复产去哪个窗口办理")
        deadline = time.monotonic() + 30
        while True:  # the server starts listening just after setWebhook
            try:
                forged = httpx.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert forged.status_code == 403
        accepted = httpx.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        )
        assert accepted.status_code == 200
        reply = standin.api.wait_for("sendMessage", timeout=30)[0]
        assert "复工复产专窗" in reply["text"]
        assert len(standin.api.sent()) == 1  # the forged update was not processed
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert TOKEN not in out + err
