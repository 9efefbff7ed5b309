"""The Telegram webhook on the web server's port (`policybot serve --telegram-webhook-url`):
a real process against the Bot API stand-in, and the route's refusals in process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from starlette.applications import Starlette

from bot.channels.telegram.webhook import SECRET_HEADER, TelegramWebhook
from tests.support import updates
from tests.support.botapi import TOKEN, StandIn
from tests.support.paths import KNOWLEDGE, ROOT
from tests.support.web import free_port

SECRET = "0123456789abcdef0123"


@pytest.mark.slow
def test_serve_takes_the_webhook_and_the_api_on_one_port(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with StandIn() as standin:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": standin.base_url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "POLICYBOT_KNOWLEDGE": str(KNOWLEDGE),
            "POLICYBOT_DB": str(tmp_path / "log.sqlite3"),
        }
        command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
        command += ["--telegram-webhook-url", f"{base}/telegram"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            registered = standin.api.wait_for("setWebhook", timeout=60)[0]
            assert registered["url"] == f"{base}/telegram"
            assert registered["secret_token"] == SECRET
            update = updates.private_text("复工复产去哪个窗口办理")
            deadline = time.monotonic() + 30
            while True:  # the port opens just after the webhook is registered
                try:
                    forged = httpx.post(
                        f"{base}/telegram", json=update, headers={SECRET_HEADER: "x"}
                    )
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            assert forged.status_code == 403
            accepted = httpx.post(f"{base}/telegram", json=update, headers={SECRET_HEADER: SECRET})
            assert accepted.status_code == 200
            reply = standin.api.wait_for("sendMessage", timeout=30)[0]
            assert "复工复产专窗" in reply["text"]
            assert len(standin.api.sent()) == 1  # the forged update was never processed
            web = httpx.post(f"{base}/api/v1/ask", json={"question": "复工复产去哪个窗口办理"})
            assert web.json()["entry_id"] == "fugong-zhuanchuang"
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert TOKEN not in out + err


def test_serve_refuses_a_webhook_without_a_secret(tmp_path):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "POLICYBOT_DB": str(tmp_path / "log.sqlite3"),
        "TELEGRAM_WEBHOOK_SECRET": "short",
    }
    command = [
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--telegram-webhook-url",
        "https://x.example/t",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in result.stderr


class Queue:
    def __init__(self) -> None:
        self.items = []

    async def put(self, item) -> None:
        self.items.append(item)


class FakeApplication:
    bot = None

    def __init__(self) -> None:
        self.update_queue = Queue()


@pytest.mark.parametrize(
    ("headers", "content", "status"),
    [
        ({}, b"{}", 403),
        ({SECRET_HEADER: SECRET[:-1]}, b"{}", 403),
        ({SECRET_HEADER: SECRET, "content-length": str(2 * 1024 * 1024)}, b"", 413),
        ({SECRET_HEADER: SECRET}, b"not json", 400),
    ],
)
async def test_the_route_refuses_before_queueing(headers, content, status):
    app = FakeApplication()
    webhook = TelegramWebhook(app, "https://bot.example.gov.cn/telegram", SECRET)
    transport = httpx.ASGITransport(Starlette(routes=webhook.routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/telegram", content=content, headers=headers)
    assert response.status_code == status
    assert app.update_queue.items == []
