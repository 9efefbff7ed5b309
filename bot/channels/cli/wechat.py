"""`wechat-menu`: the 公众号's custom menu, built from the knowledge's categories."""

from __future__ import annotations

import argparse
import sys

from bot.channels.cli.common import EXIT_OK, CommandError, load_knowledge
from bot.settings import Settings


def register(add) -> None:
    menu = add("wechat-menu", cmd_wechat_menu, "输出（或用 --set 设置）公众号的自定义菜单")
    menu.add_argument(
        "--set",
        action="store_true",
        help="调用微信接口设置菜单（需要 POLICYBOT_WECHAT_APPID 和 POLICYBOT_WECHAT_APPSECRET）",
    )


def cmd_wechat_menu(args: argparse.Namespace, settings: Settings) -> int:
    """Print the menu; `--set` also installs it through WeChat's API."""
    from bot.channels.wechat.menu import MenuError, build_menu, menu_json, set_menu

    menu = build_menu(load_knowledge(settings))
    print(menu_json(menu))
    if not args.set:
        return EXIT_OK
    try:
        set_menu(menu, settings.wechat)
    except MenuError as exc:
        raise CommandError(str(exc)) from exc
    print("已设置公众号自定义菜单（微信客户端可能要几分钟后才显示新菜单）。", file=sys.stderr)
    return EXIT_OK
