"""`policybot serve` as people run it: a real process on 127.0.0.1, asked over HTTP, stopped
with SIGTERM."""

from __future__ import annotations

import signal
import time

import httpx
import pytest

from tests.support.cli import logged_stats, policybot
from tests.support.web import serve_process


@pytest.fixture
def served(tmp_path):
    """`policybot serve` from the repository root with its defaults, but a free port and a
    throwaway log."""
    with serve_process(tmp_path / "log.sqlite3") as (base, process):
        yield base, process, tmp_path


@pytest.mark.slow
def test_serve_answers_logs_and_stops_cleanly(served):
    base, process, tmp_path = served
    response = httpx.post(f"{base}/api/v1/ask", json={"question": "复工复产去哪个窗口办理"})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "answered" and "专窗" in data["answer"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "server" not in response.headers
    page = httpx.get(f"{base}/")
    assert page.status_code == 200 and "widget.js" in page.text
    health = policybot("--db", str(tmp_path / "log.sqlite3"), "health")
    assert health.returncode == 0, health.stdout + health.stderr
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert logged_stats(tmp_path / "log.sqlite3")["total"] == 1


@pytest.mark.slow
def test_serve_picks_up_an_edited_answer(knowledge_copy, tmp_path):
    watching = {"POLICYBOT_WATCH_INTERVAL": "0.2"}
    options = ("--knowledge", str(knowledge_copy))
    with serve_process(tmp_path / "log.sqlite3", watching, options) as (base, _):
        faq = knowledge_copy / "faq" / "03-fugong-fuchan.yaml"
        text = faq.read_text(encoding="utf-8")
        faq.write_text(
            text.replace("抚远市在政务服务中心新增设了", "抚远市政务服务中心新增设了", 1),
            encoding="utf-8",
        )
        deadline = time.monotonic() + 60
        while True:
            answer = httpx.get(f"{base}/api/v1/entries/fugong-zhuanchuang").json()["answer"]
            if answer.startswith("抚远市政务服务中心新增设了"):
                break
            assert time.monotonic() < deadline, answer
            time.sleep(0.3)
