"""Telegram refusing what the bot starts with (its token, the webhook's address) ends `run` in
one line saying what to fix, never with a traceback that prints the token (probe21)."""

from __future__ import annotations

import pytest

from bot.channels.cli import main
from tests.support.botapi import TOKEN, StandIn

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
