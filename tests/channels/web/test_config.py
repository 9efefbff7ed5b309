"""The web server's settings from the environment."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, WebConfig


def test_defaults():
    config = WebConfig.from_env({})
    assert config.origins == () and config.rate == 60 and config.max_body == 16 * 1024
    assert config.trusted_proxies == "127.0.0.1"


def test_origins_are_listed_and_trimmed():
    config = WebConfig.from_env({"POLICYBOT_WEB_ORIGINS": " https://a.gov.cn/, http://b.gov.cn ,"})
    assert config.origins == ("https://a.gov.cn", "http://b.gov.cn")
    assert config.masked()["POLICYBOT_WEB_ORIGINS"] == "https://a.gov.cn,http://b.gov.cn"


@pytest.mark.parametrize("value", ["*", "a.gov.cn", "https://a.gov.cn,*"])
def test_bad_origins_are_refused(value):
    with pytest.raises(ConfigError, match="POLICYBOT_WEB_ORIGINS"):
        WebConfig.from_env({"POLICYBOT_WEB_ORIGINS": value})


def test_numbers():
    config = WebConfig.from_env({"POLICYBOT_WEB_RATE": "0", "POLICYBOT_WEB_MAX_BODY": "4096"})
    assert (config.rate, config.max_body) == (0, 4096)
    with pytest.raises(ConfigError, match="POLICYBOT_WEB_RATE"):
        WebConfig.from_env({"POLICYBOT_WEB_RATE": "many"})
