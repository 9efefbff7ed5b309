"""Settings read from the environment: the WeChat channel's."""

from __future__ import annotations

import pytest

from bot.settings import WECHAT_API, ConfigError, WeChatSettings
from tests.support.wechat import AES_KEY, APPID


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
