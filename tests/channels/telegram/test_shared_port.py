"""The Telegram webhook on the web server's port (`policybot serve --telegram-webhook-url`): a
real process against the Bot API stand-in. The webhook's own refusals are tested in
test_webhook.py."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.support import updates
from tests.support.botapi import SECRET_HEADER, TOKEN, WEBHOOK_SECRET, StandIn, webhook_env
from tests.support.paths import KNOWLEDGE, ROOT
from tests.support.web import free_port


@pytest.mark.slow
def test_serve_takes_the_webhook_and_the_api_on_one_port(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with StandIn() as standin:
        env = webhook_env(standin, KNOWLEDGE, tmp_path / "log.sqlite3")
        command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
        command += ["--telegram-webhook-url", f"{base}/telegram"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            registered = standin.api.wait_for("setWebhook", timeout=60)[0]
            assert registered["url"] == f"{base}/telegram"
            assert registered["secret_token"] == WEBHOOK_SECRET
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
            accepted = httpx.post(
                f"{base}/telegram", json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}
            )
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
