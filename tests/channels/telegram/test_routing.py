"""Telegram's webhook across the workers of `serve --workers N` (bot.channels.telegram.routing):
which worker owns an update, passing updates on between workers, and the whole thing end to end
against the Bot API stand-in with a conversation whose messages reach different workers."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import httpx
import pytest

from bot.app import Service
from bot.channels.cli.web import telegram_worker
from bot.channels.telegram.routing import Router, Sockets, chat_of
from bot.settings import Settings
from tests.support import updates
from tests.support.botapi import SECRET_HEADER, TOKEN, WEBHOOK_SECRET, StandIn, webhook_env
from tests.support.flows import LIST, flows_copy, flows_engine, offering
from tests.support.paths import KNOWLEDGE, ROOT
from tests.support.web import free_port


def test_an_update_belongs_to_its_chat_else_its_sender():
    assert chat_of(updates.private_text("你好", user_id=42)) == 42
    assert chat_of(updates.private_text("你好", user_id=42, edited=True)) == 42
    group = updates.group_text("你好", user_id=42)
    assert chat_of(group) == group["message"]["chat"]["id"] != 42
    message = updates.private_text("问题", user_id=7)["message"]
    assert chat_of(updates.callback("pick:1", message, user_id=7)) == 7
    assert chat_of(updates.inline_query("复工", user_id=9)) == 9
    for unowned in ({"update_id": 1}, [], "x", {"update_id": 1, "message": {"chat": {"id": "7"}}}):
        assert chat_of(unowned) is None


def two_workers(standin: StandIn, knowledge: Path, db: Path, port: int, out: int):
    """`policybot serve --workers 2` on `port` with Telegram's webhook, against `standin`."""
    command = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", "2"]
    command += ["--telegram-webhook-url", f"http://127.0.0.1:{port}/telegram"]
    env = webhook_env(standin, knowledge, db)
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.PIPE, text=True
    )


async def test_workers_pass_each_update_to_its_chats_owner():
    handled: dict[int, list[int]] = {0: [], 1: []}
    sockets = Sockets(2)
    try:
        routers = []
        for me in (0, 1):

            async def handle(update: object, me: int = me) -> None:
                await asyncio.sleep(0.01)  # the answer is sent before the passer returns
                handled[me].append(chat_of(update))

            routers.append(Router(sockets, me, handle))
        async with routers[0].serving(), routers[1].serving():
            sent = [updates.private_text("问题", user_id=chat) for chat in range(10, 30)]
            # Every update arrives at worker 0, some twice at once on one connection's worth.
            await asyncio.gather(*(routers[0].deliver(json.dumps(u).encode(), u) for u in sent))
        assert sorted(handled[0]) == list(range(10, 30, 2))
        assert sorted(handled[1]) == list(range(11, 30, 2))
    finally:
        sockets.close()


async def test_an_update_whose_owner_is_gone_is_handled_where_it_arrived():
    handled = []
    sockets = Sockets(2)

    async def handle(update: object) -> None:
        handled.append(chat_of(update))

    try:
        sockets.listening[1].close()  # worker 1 exited
        update = updates.private_text("问题", user_id=11)
        await Router(sockets, 0, handle).deliver(json.dumps(update).encode(), update)
        assert handled == [11]
    finally:
        sockets.close()


@pytest.mark.slow
def test_two_workers_answer_each_chat_in_one_process(tmp_path):
    # Each chat asks a question answered with a "您是想问" list through one connection, then
    # types "1" through the other: the two workers each hold one of the connections, so for
    # every chat one of the two messages arrives at the worker that does not own it. The pick
    # is understood only if both reached the same conversation.
    engine = flows_engine({LIST: 3})
    first = engine.candidates(LIST)[0].entry.answer.strip()
    knowledge = flows_copy(tmp_path / "knowledge", offering(engine, {LIST: 3}))
    port, chats = free_port(), range(20_000, 20_012)
    base = f"http://127.0.0.1:{port}"
    with StandIn() as standin:
        process = two_workers(standin, knowledge, tmp_path / "log.sqlite3", port, subprocess.PIPE)
        try:
            standin.api.wait_for("setWebhook", timeout=60)
            headers = {SECRET_HEADER: WEBHOOK_SECRET}
            clients = [httpx.Client(base_url=base, headers=headers) for _ in range(2)]
            deadline = time.monotonic() + 30
            while True:  # both connections open before the first update: one per worker
                try:
                    for client in clients:
                        client.get("/healthz")
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            for step, text in enumerate((LIST, "1")):
                for chat in chats:
                    client = clients[(chat + step) % 2]
                    answer = client.post("/telegram", json=updates.private_text(text, chat))
                    assert answer.status_code == 200
            for client in clients:
                client.close()
            sent = standin.api.sent()
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert TOKEN not in out + err
    assert [c.method for c in standin.api.calls].count("setWebhook") == 1
    assert len(sent) == 2 * len(chats)  # Telegram has its 200 only once the reply is sent
    for chat in chats:
        offered, picked = [unescape(m["text"]) for m in sent if m["chat_id"] == chat]
        assert "您是想问" in offered, offered
        assert picked.startswith(first), picked


async def test_an_update_whose_owner_dies_while_handling_it_is_handled_where_it_arrived():
    # A `kill -9` of the owner mid-update: the connection closes without the owner's answer.
    # Telegram has no 200 yet either way; the worker holding the update answers it, so the
    # update is answered (twice if the owner had already sent its reply, as after any crash
    # that Telegram's resend follows).
    handled = []
    sockets = Sockets(2)

    async def handle(update: object) -> None:
        handled.append(chat_of(update))

    async def dies(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(4)
        writer.close()

    try:
        owner = await asyncio.start_unix_server(dies, sock=sockets.listening[1])
        update = updates.private_text("问题", user_id=11)
        await Router(sockets, 0, handle).deliver(json.dumps(update).encode(), update)
        assert handled == [11]
        owner.close()
    finally:
        sockets.close()


@pytest.mark.slow
def test_a_killed_workers_chats_are_answered_by_the_other(tmp_path):
    # Every process but the owner closes its copy of the owner's listening socket: a copy left
    # open accepted connections for the dead worker that nobody answered, and the update hung.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with StandIn() as standin:
        db = tmp_path / "log.sqlite3"
        process = two_workers(standin, ROOT / "knowledge", db, port, subprocess.DEVNULL)
        try:
            standin.api.wait_for("setWebhook", timeout=60)
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
            first, killed = map(int, children.split())
            os.kill(killed, signal.SIGKILL)  # worker 1: the odd chats
            headers = {SECRET_HEADER: WEBHOOK_SECRET}
            with httpx.Client(base_url=base, headers=headers, timeout=20) as client:
                for chat in (20_001, 20_002):
                    update = updates.private_text("复工复产去哪个窗口办理", chat)
                    assert client.post("/telegram", json=update).status_code == 200
            sent = standin.api.sent()
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
    assert sorted(m["chat_id"] for m in sent) == [20_001, 20_002]
    assert "worker 1 did not take an update" in err
    # Stopped, the parent still tells the live worker and waits for it (it once failed on the
    # dead one's pid and left the rest running), then says a worker failed.
    assert process.returncode == 1 and "Traceback" not in err, err
    assert not Path(f"/proc/{first}").exists()


def test_the_workers_share_the_bots_send_rate(engine):
    """Telegram caps what the bot sends, whichever process sends it: three webhook workers
    each send at most a third of `POLICYBOT_SEND_RATE`."""
    sockets = Sockets(3)
    try:
        settings = Settings(token=TOKEN, send_rate=30.0)
        channel, _ = telegram_worker(Service(KNOWLEDGE, engine), settings, sockets, 1)
        limiter = channel.application.bot.rate_limiter
        assert limiter._base_limiter.max_rate == 10.0
    finally:
        sockets.close()
