"""`policybot run --workers N` (bot.channels.telegram.pool): long polling in one process, each
chat answered by one of N worker processes. End to end against the Bot API stand-in: every
update answered exactly once, each chat's messages in order and by one process (a typed "1"
picks from the list its own worker offered), every exchange logged; a worker killed with
SIGKILL loses no update."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import pytest

from bot.channels.cli import main
from bot.log.store import SQLiteStore
from tests.support import updates
from tests.support.botapi import TOKEN, StandIn
from tests.support.flows import ANSWERED, LIST, flows_copy, flows_engine, offering
from tests.support.paths import ROOT

PLAIN = ANSWERED  # answered outright, in the shipped knowledge and in flows'


def env_of(standin: StandIn, knowledge: Path, db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "POLICYBOT_KNOWLEDGE": str(knowledge),
        "POLICYBOT_DB": str(db),
        "POLICYBOT_SEND_RATE": "0",
        "POLICYBOT_USER_LIMIT": "0",
        "POLICYBOT_WATCH_INTERVAL": "0",
    }


def workers_of(pid: int) -> list[int]:
    """The worker processes of `run --workers`, worker 0 first (forked in that order)."""
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


@pytest.mark.slow
def test_two_workers_answer_every_chat_once_in_order_in_one_process_and_log_it(tmp_path):
    # Each chat asks a question answered with a "您是想问" list, types "1", asks again: the
    # pick is understood only if its worker is the one that offered the list, and only if the
    # list was answered first.
    engine = flows_engine({LIST: 3}, answered=(ANSWERED,))
    first = engine.candidates(LIST)[0].entry.answer.strip()
    thresholds = offering(engine, {LIST: 3}, answered=(ANSWERED,))
    knowledge = flows_copy(tmp_path / "knowledge", thresholds)
    chats = range(30_000, 30_040)
    with StandIn() as standin:
        api = standin.api
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--workers", "2"],
            cwd=ROOT,
            env=env_of(standin, knowledge, tmp_path / "log.sqlite3"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            api.wait_for("setMyCommands", timeout=60)
            workers = workers_of(bot.pid)
            for text in (LIST, "1", ANSWERED):
                api.push(*(updates.private_text(text, user_id=chat) for chat in chats))
            api.wait_for("sendMessage", 3 * len(chats), timeout=60)
            time.sleep(0.5)  # nothing more may arrive
            sent = api.sent()
        finally:
            bot.send_signal(signal.SIGTERM)
            out, err = bot.communicate(timeout=60)
    assert bot.returncode == 0, err
    assert TOKEN not in out + err
    assert len(workers) == 2 and not any(map(alive, workers))  # stopped with the poller
    assert [c.method for c in api.calls].count("setMyCommands") == 1  # the poller's alone
    assert len(sent) == 3 * len(chats)
    for chat in chats:
        offered, picked, asked = [unescape(m["text"]) for m in sent if m["chat_id"] == chat]
        assert "您是想问" in offered, offered
        assert picked.startswith(first), picked
        assert "复工复产专窗" in asked, asked
    store = SQLiteStore(tmp_path / "log.sqlite3")
    try:
        assert len(list(store.exchanges())) == 2 * len(chats)  # the list and the question
    finally:
        store.close()


@pytest.mark.slow
def test_the_chats_of_a_killed_worker_are_answered_by_the_poller(tmp_path):
    with StandIn() as standin:
        api = standin.api
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--workers", "2"],
            cwd=ROOT,
            env=env_of(standin, ROOT / "knowledge", tmp_path / "log.sqlite3"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            api.wait_for("setMyCommands", timeout=60)
            killed = workers_of(bot.pid)[1]  # worker 1: the odd chats
            os.kill(killed, signal.SIGKILL)
            chats = range(40_000, 40_010)
            api.push(*(updates.private_text(PLAIN, user_id=chat) for chat in chats))
            api.wait_for("sendMessage", len(chats), timeout=60)
            time.sleep(0.5)
            sent = api.sent()
        finally:
            bot.send_signal(signal.SIGTERM)
            _, err = bot.communicate(timeout=60)
    assert sorted(m["chat_id"] for m in sent) == list(chats)
    assert all("复工复产专窗" in m["text"] for m in sent)
    assert "worker 1 did not take an update" in err
    assert bot.returncode == 1  # a worker died: the run did not end cleanly


def test_workers_are_for_long_polling_only(capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    code = main(["run", "--workers", "2", "--webhook-url", "https://example.com/telegram"])
    assert code == 2 and "--workers 只用于长轮询" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize(("workers", "said"), [("0", "不能小于 1"), ("30000", "不能多于 64")])
def test_from_one_to_64_workers(capsys, monkeypatch, command, workers, said):
    # 30,000 (a typo) made a socket each before forking: "Too many open files", a traceback.
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    code = main([command, "--workers", workers])
    assert code == 2 and f"--workers {said}" in capsys.readouterr().err
