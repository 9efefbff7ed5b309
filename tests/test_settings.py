"""Configuration is resolved once: flags over the environment over defaults, with the paths
that follow from the database (heartbeat, engine cache) moving with it."""

from __future__ import annotations

import json

import pytest

from bot.channels.cli import main
from bot.settings import WECHAT_API, ConfigError, Settings, WeChatSettings, mask
from tests.support.botapi import TOKEN
from tests.support.wechat import AES_KEY, APPID


def test_settings_from_the_environment():
    settings = Settings.resolve(
        {"knowledge": "/k"},
        {
            "TELEGRAM_BOT_TOKEN": " 123:abc ",
            "POLICYBOT_ADMINS": "11, 22,,33",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "POLICYBOT_DB": "/var/lib/x.sqlite3",
            "POLICYBOT_WATCH_INTERVAL": "0",
            "POLICYBOT_USER_LIMIT": "0",
        },
    )
    assert settings.token == "123:abc" and settings.admins == frozenset({11, 22, 33})
    assert settings.base_url == "http://127.0.0.1:8081/bot" and str(settings.knowledge) == "/k"
    assert settings.watch_interval == 0 and settings.user_limit == 0
    assert str(settings.cache) == "/var/lib/cache"  # beside the log unless told otherwise
    assert Settings.resolve({}, {"POLICYBOT_CACHE": "off"}).cache is None
    defaults = Settings.resolve({}, {})
    assert defaults.user_limit == 20 and defaults.base_url == "https://api.telegram.org/bot"
    assert (str(defaults.knowledge), str(defaults.db)) == ("knowledge", "data/policybot.sqlite3")
    for bad in (
        {"POLICYBOT_ADMINS": "alice"},
        {"POLICYBOT_WATCH_INTERVAL": "soon"},
        {"POLICYBOT_USER_LIMIT": "-1"},
        {"POLICYBOT_LOG_FORMAT": "xml"},
    ):
        with pytest.raises(ConfigError):
            Settings.resolve({}, {"TELEGRAM_BOT_TOKEN": "t", **bad})
    with pytest.raises(ConfigError):
        Settings.resolve({}, {"TELEGRAM_BOT_TOKEN": ""}).with_token()


def test_flags_win_over_the_environment_and_the_database_carries_its_neighbours():
    env = {"POLICYBOT_DB": "/env/log.sqlite3", "POLICYBOT_KNOWLEDGE": "/env/k"}
    settings = Settings.resolve({"db": "/flag/log.sqlite3", "knowledge": None}, env)
    assert str(settings.db) == "/flag/log.sqlite3" and str(settings.knowledge) == "/env/k"
    assert str(settings.heartbeat) == "/flag/log.sqlite3.health"
    assert str(settings.cache) == "/flag/cache"
    assert (
        Settings.resolve({"secret_token": "s"}, {"TELEGRAM_WEBHOOK_SECRET": "e"}).webhook_secret
        == "s"
    )
    assert Settings.resolve({}, {"POLICYBOT_LOG_FORMAT": "json"}).log_format == "json"


def test_every_malformed_value_is_listed_for_doctor():
    settings = Settings.resolve_all({}, {"POLICYBOT_ADMINS": "x", "POLICYBOT_SEND_RATE": "fast"})
    assert len(settings.problems) == 2 and settings.send_rate == 30.0
    assert {what for what, _ in settings.problems} == {"配置"}


def test_masking_never_reveals_a_usable_secret():
    assert mask(TOKEN) == "1234…yz" and TOKEN not in mask(TOKEN)
    assert mask("short") == "***"
    # A WeChat token may be 3-32 letters or digits: 6 of a 12-character one shown by `doctor`
    # (pasted into a ticket) left 62**6 guesses, each checked offline against one signed URL.
    assert mask("policybot012") == mask("abcdefghijklmnopqrstuvwxyz") == "***"
    masked = Settings(token=TOKEN, webhook_secret=TOKEN, salt=TOKEN).masked()
    assert TOKEN not in json.dumps(masked)


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "{db}", "--log-format", "json", "stats"],
        ["stats", "--db", "{db}", "--log-format", "json"],
        ["--log-format=json", "stats", "--db={db}"],
    ],
)
def test_global_options_go_before_or_after_the_command(argv, tmp_path, capsys):
    db = tmp_path / "log.sqlite3"
    assert main(["--db", str(db), "ask", "--log", "复工复产去哪个窗口办理"]) == 0
    capsys.readouterr()
    assert main([part.format(db=db) for part in argv]) == 0
    assert "1" in capsys.readouterr().out


def test_a_malformed_setting_stops_a_command_in_one_line(capsys, monkeypatch):
    monkeypatch.setenv("POLICYBOT_CONCURRENCY", "many")
    assert main(["ask", "你好"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "POLICYBOT_CONCURRENCY" in err


def test_db_moves_the_heartbeat_that_health_reads(tmp_path, engine, capsys):
    """`policybot --db X health` once always failed: `run` wrote its heartbeat beside the
    default database whatever --db said."""
    from bot.app import Service
    from bot.ops.health import beat

    db = tmp_path / "elsewhere" / "log.sqlite3"
    db.parent.mkdir()
    beat(Settings.resolve({"db": str(db)}, {}).heartbeat, Service(tmp_path, engine))
    assert main(["--db", str(db), "health"]) == 0
    assert main(["health", "--db", str(tmp_path / "other.sqlite3")]) == 1


def test_wechat_is_off_without_a_token_and_checked_when_set():
    assert not WeChatSettings.from_env({}).enabled
    settings = WeChatSettings.from_env(
        {
            "POLICYBOT_WECHAT_TOKEN": "policybot",
            "POLICYBOT_WECHAT_APPID": APPID,
            "POLICYBOT_WECHAT_AES_KEY": AES_KEY,
            "POLICYBOT_WECHAT_APPSECRET": "0123456789abcdef0123456789abcdef",
        }
    )
    assert settings.enabled and settings.api_base == WECHAT_API
    shown = " ".join(settings.masked().values())
    assert AES_KEY not in shown and "0123456789abcdef0123456789abcdef" not in shown


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"POLICYBOT_WECHAT_TOKEN": "a b"}, "TOKEN"),
        ({"POLICYBOT_WECHAT_TOKEN": "tok", "POLICYBOT_WECHAT_AES_KEY": AES_KEY}, "APPID"),
        (
            {
                "POLICYBOT_WECHAT_TOKEN": "tok",
                "POLICYBOT_WECHAT_APPID": APPID,
                "POLICYBOT_WECHAT_AES_KEY": AES_KEY[:-1],
            },
            "AES_KEY",
        ),
    ],
)
def test_wechat_settings_that_cannot_work_are_refused(env, complaint):
    with pytest.raises(ConfigError, match=complaint):
        WeChatSettings.from_env(env)


def test_wechat_settings_are_resolved_with_the_rest():
    settings = Settings.resolve_all({}, {"POLICYBOT_WECHAT_TOKEN": "a b"})
    assert not settings.wechat.enabled
    ((what, message),) = settings.problems
    assert what == "微信公众号" and "POLICYBOT_WECHAT_TOKEN" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://bot.example.gov.cn/tg",  # Telegram refuses any but HTTPS
        "https://bot.example.gov.cn:8080/tg",  # ... and ports other than 443, 80, 88, 8443
        "bot.example.gov.cn/tg",  # no scheme
        "https:///tg",  # no host
    ],
)
def test_a_webhook_url_telegram_would_refuse_is_named_before_the_start(url):
    """An http webhook URL passed `doctor` and stopped `serve` at its start in a traceback from
    Telegram's setWebhook (left by probe20): Telegram takes HTTPS only, on four ports."""
    settings = Settings.resolve_all({}, {"TELEGRAM_WEBHOOK_URL": url})
    ((_, message),) = settings.problems
    assert "TELEGRAM_WEBHOOK_URL" in message and url in message
    assert settings.telegram_webhook_url is None


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://bot.example.gov.cn/tg", ""),
        ("https://bot.example.gov.cn:8443/tg", ""),
        # A local Bot API server (`--local`) takes HTTP and any port.
        ("http://127.0.0.1:8080/tg", "http://127.0.0.1:8081/bot"),
    ],
)
def test_a_webhook_url_telegram_takes_is_kept(url, base):
    env = {"TELEGRAM_WEBHOOK_URL": url, **({"TELEGRAM_API_BASE_URL": base} if base else {})}
    settings = Settings.resolve_all({}, env)
    assert not settings.problems and settings.telegram_webhook_url == url
