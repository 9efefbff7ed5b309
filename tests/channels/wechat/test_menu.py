"""The custom menu: built from the categories within WeChat's limits, printed, and set through
the stand-in for WeChat's API."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import httpx
import pytest

from bot.channels.wechat.chat import HELP_KEY, TOPICS_KEY, menu_key
from bot.channels.wechat.menu import MenuError, build_menu, set_menu
from bot.settings import WeChatSettings
from tests.support.paths import KNOWLEDGE, ROOT
from tests.support.servers import serving
from tests.support.wechat import APPID, SECRET, MenuApi, menu_api, menu_problem


def test_the_menu_lists_every_category_within_wechats_limits(knowledge):
    menu = build_menu(knowledge)
    assert menu_problem(menu) is None
    keys = [sub["key"] for button in menu["button"] for sub in button.get("sub_button", [])]
    assert keys == [menu_key(c) for c in knowledge.categories]
    assert menu["button"][-1] == {"type": "click", "name": "使用帮助", "key": HELP_KEY}


def test_many_or_long_categories_still_fit(knowledge):
    many = tuple(f"第{n}个特别特别长的主题名称用来检查菜单名字的字节数限制" for n in range(14))
    menu = build_menu(dataclasses.replace(knowledge, categories=many))
    assert menu_problem(menu) is None
    subs = [sub for button in menu["button"] for sub in button.get("sub_button", [])]
    assert len(subs) == 10 and subs[-1]["key"] == TOPICS_KEY
    assert subs[0]["name"].endswith("…") and len(subs[0]["name"].encode()) <= 60


def test_the_menu_is_set_through_the_api(knowledge):
    api = MenuApi()
    menu = build_menu(knowledge)
    with serving(menu_api(api)) as base:
        settings = WeChatSettings(appid=APPID, secret=SECRET, api_base=base)
        set_menu(menu, settings)
        assert api.menus == [menu]
        # Chinese goes as UTF-8, not \\u escapes, which WeChat would show literally.
        assert "按主题问".encode() in api.bodies[0]
        with pytest.raises(MenuError, match="40125"):
            set_menu(menu, dataclasses.replace(settings, secret="wrong"))
    with pytest.raises(MenuError, match="APPSECRET"):
        set_menu(menu, WeChatSettings(appid=APPID))
    with pytest.raises(MenuError, match="无法调用"):
        closed = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(502)))
        set_menu(menu, WeChatSettings(appid=APPID, secret=SECRET), closed)


@pytest.mark.slow
def test_wechat_menu_prints_and_sets_from_the_command_line():
    api = MenuApi()
    with serving(menu_api(api)) as base:
        env = {
            **os.environ,
            "POLICYBOT_WECHAT_APPID": APPID,
            "POLICYBOT_WECHAT_APPSECRET": SECRET,
            "POLICYBOT_WECHAT_API_BASE_URL": base,
        }
        command = [sys.executable, "-m", "bot", "--knowledge", str(KNOWLEDGE), "wechat-menu"]
        printed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert printed.returncode == 0 and api.menus == []
        menu = json.loads(printed.stdout)
        assert menu_problem(menu) is None
        done = subprocess.run(
            [*command, "--set"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0 and api.menus == [menu]
        env["POLICYBOT_WECHAT_APPSECRET"] = "wrong"
        refused = subprocess.run(
            [*command, "--set"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert refused.returncode == 2 and "40125" in refused.stderr
        assert "wrong" not in refused.stderr


def test_a_failed_call_never_prints_the_access_token(knowledge):
    """menu/create takes the access token in its URL, and httpx names the URL in an HTTP error:
    the message printed at the terminal (and kept in logs) carried the token."""

    def wechat(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/stable_token"):
            return httpx.Response(200, json={"access_token": "ACCESS-TOKEN-1", "expires_in": 7200})
        return httpx.Response(502)

    client = httpx.Client(transport=httpx.MockTransport(wechat))
    with pytest.raises(MenuError) as refused:
        set_menu(build_menu(knowledge), WeChatSettings(appid=APPID, secret=SECRET), client)
    assert "502" in str(refused.value) and "menu/create" in str(refused.value)
    assert "ACCESS-TOKEN-1" not in str(refused.value)
