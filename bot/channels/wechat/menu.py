"""The 公众号's custom menu (自定义菜单), built from the knowledge's categories.

WeChat allows at most 3 buttons in the bar, each with at most 5 sub-buttons; a button's name at
most 16 bytes (4 Chinese characters), a sub-button's at most 60, a CLICK key at most 128. Each
category becomes a CLICK sub-button whose key the channel turns into that topic's questions
(bot.channels.wechat.chat); the third button is "使用帮助".
"""

from __future__ import annotations

import json

import httpx

from bot.channels.wechat.chat import HELP_KEY, TOPICS_KEY, menu_key
from bot.knowledge.model import Knowledge
from bot.settings import WeChatSettings

BAR = ("按主题问", "更多主题")  # the two topic buttons; the third is help
SUBS = 5
SUB_NAME_BYTES = 60
TIMEOUT = 10.0


class MenuError(Exception):
    """WeChat refused a request; the message says what it said and what to check."""


def short(name: str, limit: int = SUB_NAME_BYTES) -> str:
    """A name within `limit` bytes of UTF-8, cut with "…" when it is longer."""
    if len(name.encode()) <= limit:
        return name
    room = limit - len("…".encode())
    return name.encode()[:room].decode(errors="ignore") + "…"


def build_menu(knowledge: Knowledge) -> dict:
    """The menu JSON for WeChat's `menu/create`: the categories in order, in two buttons of
    five; with more than ten, the last place lists all topics instead."""
    items = [(short(c), menu_key(c)) for c in knowledge.categories]
    room = SUBS * len(BAR)
    if len(items) > room:
        items = [*items[: room - 1], ("全部主题", TOPICS_KEY)]
    buttons = [
        {
            "name": name,
            "sub_button": [
                {"type": "click", "name": label, "key": key}
                for label, key in items[start : start + SUBS]
            ],
        }
        for name, start in zip(BAR, range(0, len(items), SUBS), strict=False)
    ]
    buttons.append({"type": "click", "name": "使用帮助", "key": HELP_KEY})
    return {"button": buttons}


def menu_json(menu: dict) -> str:
    # WeChat shows \\uXXXX escapes literally in menu names: send the characters themselves.
    return json.dumps(menu, ensure_ascii=False, indent=2)


def set_menu(menu: dict, settings: WeChatSettings, client: httpx.Client | None = None) -> None:
    """Replace the account's custom menu (needs the AppID and AppSecret, and this machine's
    IP address in the console's IP whitelist)."""
    if not settings.appid or not settings.secret:
        raise MenuError(
            "设置菜单需要 POLICYBOT_WECHAT_APPID 和 POLICYBOT_WECHAT_APPSECRET（公众号后台“基本配置”）"
        )
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT)
    try:
        # stable_token, unlike the older `token`, does not invalidate the access token that
        # other systems of the same account may be using.
        token = call(
            client,
            f"{settings.api_base}/cgi-bin/stable_token",
            {"grant_type": "client_credential", "appid": settings.appid, "secret": settings.secret},
        )["access_token"]
        call(
            client,
            f"{settings.api_base}/cgi-bin/menu/create",
            menu,
            {"access_token": token},
        )
    finally:
        if own:
            client.close()


def call(client: httpx.Client, url: str, body: dict, params: dict | None = None) -> dict:
    """POST JSON to WeChat's API; its errors come back as `errcode` in a 200 response."""
    try:
        response = client.post(
            url,
            params=params,
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        response.raise_for_status()
        answer = response.json()
    except httpx.HTTPStatusError as exc:
        # Only the status: httpx's message names the whole URL, and menu/create's carries the
        # access token, which would then be printed at the terminal and kept in logs.
        raise MenuError(f"无法调用微信接口 {url}：HTTP {exc.response.status_code}") from exc
    except (httpx.HTTPError, ValueError) as exc:
        raise MenuError(f"无法调用微信接口 {url}：{exc}") from exc
    if answer.get("errcode"):
        hint = HINTS.get(answer["errcode"], "")
        raise MenuError(f"微信接口返回错误 {answer['errcode']}：{answer.get('errmsg', '')}{hint}")
    return answer


HINTS = {
    40125: "（AppSecret 不对：检查 POLICYBOT_WECHAT_APPSECRET）",
    40013: "（AppID 不对：检查 POLICYBOT_WECHAT_APPID）",
    40164: "（本机 IP 不在公众号后台的“IP白名单”里）",
    48001: "（这个公众号没有自定义菜单接口权限：需要认证的服务号或订阅号）",
}
