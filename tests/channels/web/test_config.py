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


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "a.gov.cn",
        "https://a.gov.cn,*",
        # a page's address, not its site's: a browser's Origin has no path, so none matched and
        # the widget's every question was refused by CORS on that portal (probe20)
        "https://zwfw.example.gov.cn/portal/index.html",
        "https://a.gov.cn?x=1",
    ],
)
def test_bad_origins_are_refused(value):
    with pytest.raises(ConfigError, match="POLICYBOT_WEB_ORIGINS"):
        WebConfig.from_env({"POLICYBOT_WEB_ORIGINS": value})


def test_numbers():
    config = WebConfig.from_env({"POLICYBOT_WEB_RATE": "0", "POLICYBOT_WEB_MAX_BODY": "4096"})
    assert (config.rate, config.max_body) == (0, 4096)
    with pytest.raises(ConfigError, match="POLICYBOT_WEB_RATE"):
        WebConfig.from_env({"POLICYBOT_WEB_RATE": "many"})


@pytest.mark.parametrize("value", ["caddy", "10.0.0.0/33", "10.0.0.1 10.0.0.2", "localhost"])
def test_trusted_proxies_that_match_no_address_are_refused(value):
    """uvicorn compares the peer's address with each name as written: a host name (`caddy`, as
    compose names the proxy), a bad network or a list without commas matched none, so every
    client behind the proxy was one client, sharing one rate limit, without a word (probe20)."""
    with pytest.raises(ConfigError, match="POLICYBOT_TRUSTED_PROXIES"):
        WebConfig.from_env({"POLICYBOT_TRUSTED_PROXIES": value})


@pytest.mark.parametrize("value", ["*", "127.0.0.1", "172.18.0.0/16, 127.0.0.1", "::1,fd00::/8"])
def test_trusted_proxies_as_addresses_and_networks_are_taken(value):
    assert WebConfig.from_env({"POLICYBOT_TRUSTED_PROXIES": value}).trusted_proxies == value
