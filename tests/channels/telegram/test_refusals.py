"""Telegram refusing what the bot starts with (its token, the webhook's address), or out of reach,
ends `run` and `serve` in one line saying what to fix, never with a traceback that prints the
token (probe21, probe22)."""

from __future__ import annotations

import functools
import os
import socket

import pytest

from bot.channels.cli import main
from bot.channels.telegram import app
from bot.channels.telegram.retries import RetryingLimiter
from tests.support.botapi import TOKEN, StandIn
from tests.support.cli import policybot

WRONG = TOKEN[:-1] + "Z"  # one character off: nearly the real secret


@pytest.fixture
def standin(monkeypatch, tmp_path):
    with StandIn() as standin:
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", standin.base_url)
        monkeypatch.setenv("POLICYBOT_DB", str(tmp_path / "log.sqlite3"))
        monkeypatch.setenv("POLICYBOT_WATCH_INTERVAL", "0")
        yield standin


def test_a_token_telegram_refuses_is_one_line_without_the_token(standin, monkeypatch, capsys):
    """A token typed one character wrong (or revoked) ended `run` in a traceback whose last line
    was InvalidToken's "The token `…` was rejected by the server", outside the log's filter."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", WRONG)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert WRONG not in err and "Traceback" not in err
    assert "TELEGRAM_BOT_TOKEN" in err.splitlines()[-1]


def test_a_webhook_address_telegram_refuses_is_one_line(standin, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    standin.api.faults["setWebhook"] = [
        (
            400,
            {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: bad webhook: "
                "Failed to resolve host: Name or service not known",
            },
        )
    ]
    assert main(["run", "--webhook-url", "https://bot.example.invalid/tg", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "failed to resolve host" in err.splitlines()[-1].lower()


def test_run_checks_its_webhook_address_as_serve_does(monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert main(["run", "--webhook-url", "http://bot.example.gov.cn/tg"]) == 2
    assert "--webhook-url" in capsys.readouterr().err


def test_a_bot_api_out_of_reach_is_one_line(monkeypatch, tmp_path, capsys):
    """No route to Telegram (a firewall, a proxy not set): once the start's retries were spent,
    `run` ended in a traceback of 100 lines (probe22)."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{port}/bot")
    monkeypatch.setenv("POLICYBOT_DB", str(tmp_path / "log.sqlite3"))
    monkeypatch.setenv("POLICYBOT_WATCH_INTERVAL", "0")
    # (the backoff between the start's tries, 15 s in all, is not what is tested)
    monkeypatch.setattr(app, "RetryingLimiter", functools.partial(RetryingLimiter, error_retries=0))
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "连不上 Telegram" in err.splitlines()[-1]


@pytest.mark.slow
def test_serve_refused_by_telegram_says_it_in_one_line(standin, tmp_path):
    """`serve` with Telegram's webhook on its port starts Telegram inside the server's start-up,
    whose failure uvicorn said as Starlette's traceback of it (left by probe21): now the
    refusal's one line, then uvicorn's own."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": WRONG,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.cn/tg",
        "POLICYBOT_DB": str(tmp_path / "log.sqlite3"),
    }
    result = policybot("serve", "--port", "0", env=env)
    assert result.returncode == 3, result.stderr  # uvicorn's for a start that failed
    assert "Traceback" not in result.stderr and WRONG not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert "TELEGRAM_BOT_TOKEN" in errors[0] and "startup failed" in errors[-1]
