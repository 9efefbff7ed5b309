"""The webhook only Telegram can use: a secret always (derived from the token and registered when none is
configured), checked before the body is read, bodies capped, the update answered before 200."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.channels.telegram.webhook import (
    MAX_BODY,
    SECRET_HEADER,
    TelegramWebhook,
    authenticate,
    token_secret,
)
from tests.support import updates
from tests.support.botapi import TOKEN, StandIn
from tests.support.paths import KNOWLEDGE, ROOT


def test_authenticate_refuses_before_the_body_and_never_runs_without_a_secret():
    ok = [(SECRET_HEADER, b"s3cret"), (b"content-length", b"120")]
    assert authenticate(ok, "s3cret") is None
    assert authenticate([(b"content-length", b"120")], "s3cret") == 403
    assert authenticate([(SECRET_HEADER, b"s3creT"), (b"content-length", b"1")], "s3cret") == 403
    too_big = str(MAX_BODY + 1).encode()
    assert authenticate([(SECRET_HEADER, b"s3cret"), (b"content-length", too_big)], "s3cret") == 413
    with pytest.raises(ValueError):
        authenticate(ok, "")


async def test_forgeries_anyone_may_send_are_said_at_most_once_a_minute(caplog):
    """Each request without the secret was a WARNING line: at the 1,000 a second one client
    sends, gigabytes a day of the server's log (probe20)."""
    webhook = TelegramWebhook(None, "s3cret", "/telegram")  # (no update reaches the app)
    scope = {"type": "http", "path": "/telegram", "method": "POST", "headers": []}
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    for _ in range(30):
        await webhook(scope, None, send)
    statuses = [m["status"] for m in sent if m["type"] == "http.response.start"]
    assert statuses == [403] * 30
    assert len([r for r in caplog.records if "refused" in r.getMessage()]) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resident_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def post(url: str, update: dict, secret: str | None) -> int:
    headers = {SECRET_HEADER.decode(): secret} if secret is not None else {}
    return httpx.post(url, json=update, headers=headers, timeout=30).status_code


@pytest.mark.slow
def test_webhook_without_a_configured_secret_derives_one_and_refuses_forgeries(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    with StandIn() as standin:
        api = standin.api
        env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_WEBHOOK_SECRET"} | {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": standin.base_url,
            "POLICYBOT_KNOWLEDGE": str(KNOWLEDGE),
            "POLICYBOT_DB": str(tmp_path / "log.sqlite3"),
            "POLICYBOT_ADMINS": str(updates.ADMIN_ID),
        }
        command = [sys.executable, "-m", "bot", "run", "--webhook-url", url]
        command += ["--listen", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            registered = api.wait_for("setWebhook", timeout=60)[0]
            secret = registered["secret_token"]
            assert registered["url"] == url and secret == token_secret(TOKEN)
            assert len(secret) >= 32 and secret.replace("-", "").replace("_", "").isalnum()
            forged = updates.private_text("/stats", user_id=updates.ADMIN_ID)
            forged["message"]["chat"] = updates.private_chat(updates.USER_ID)
            deadline = time.monotonic() + 30
            while True:  # the server listens just after setWebhook
                try:
                    assert post(url, forged, None) == 403
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            assert post(url, forged, "wrong") == 403

            # An unauthenticated 95 MB body is never read into memory.
            before = resident_kb(process.pid)

            def body():
                for _ in range(95):
                    yield b"x" * (1 << 20)

            try:
                status = httpx.post(url, content=body(), timeout=30).status_code
            except httpx.HTTPError:
                status = 403  # the server closed the connection after refusing it
            growth_mb = (resident_kb(process.pid) - before) / 1024
            print(f"95 MB unauthenticated POST: {status}, server memory +{growth_mb:.1f} MB")
            assert status == 403 and growth_mb < 10

            big = {"update_id": 1, "padding": "x" * (MAX_BODY + 10)}
            assert post(url, big, secret) == 413
            assert api.sent() == []  # nothing forged or oversized was handled

            assert post(url, updates.private_text("复工复产去哪个窗口办理"), secret) == 200
            # answered before Telegram was told the update arrived
            (reply,) = api.sent()
            assert "复工复产专窗" in reply["text"]
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert secret not in out + err and TOKEN not in out + err
