"""Configuration of the running bot, read from the environment once at start."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    token: str
    base_url: str = DEFAULT_BASE_URL
    admins: frozenset[int] = frozenset()
    knowledge: Path = Path("knowledge")
    db: Path = Path("data/policybot.sqlite3")
    watch_interval: float = 2.0  # seconds between looks at the knowledge files; 0: never
    send_rate: float = 30.0  # messages a second the bot sends at most (Telegram's limit); 0: no cap
    concurrency: int = (
        4  # updates handled at once, never two of one chat (bot.channels.telegram.ordering)
    )
    user_limit: int = 20  # messages a user may send a minute before being asked to wait; 0: off
    cache: Path | None = None  # where built engines are kept between starts (bot.engine.cache)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, knowledge: str | None = None
    ) -> Settings:
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN 未设置：先在 Telegram 找 @BotFather 创建机器人，"
                "再 export TELEGRAM_BOT_TOKEN=..."
            )
        db = Path(env.get("POLICYBOT_DB") or "data/policybot.sqlite3")
        return cls(
            token=token,
            base_url=env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_BASE_URL,
            admins=parse_admins(env.get("POLICYBOT_ADMINS", "")),
            knowledge=Path(knowledge or env.get("POLICYBOT_KNOWLEDGE") or "knowledge"),
            db=db,
            watch_interval=parse_interval(env.get("POLICYBOT_WATCH_INTERVAL", "2")),
            send_rate=parse_interval(env.get("POLICYBOT_SEND_RATE", "30"), "POLICYBOT_SEND_RATE"),
            concurrency=max(1, count(env, "POLICYBOT_CONCURRENCY", "4")),
            user_limit=count(env, "POLICYBOT_USER_LIMIT", "20"),
            cache=cache_folder(env.get("POLICYBOT_CACHE"), db),
        )

    def masked(self) -> dict[str, str]:
        """The effective configuration, safe to print or log."""
        return {
            "TELEGRAM_BOT_TOKEN": mask(self.token),
            "TELEGRAM_API_BASE_URL": self.base_url,
            "POLICYBOT_ADMINS": ",".join(map(str, sorted(self.admins))) or "(none)",
            "POLICYBOT_KNOWLEDGE": str(self.knowledge),
            "POLICYBOT_DB": str(self.db),
            "POLICYBOT_WATCH_INTERVAL": f"{self.watch_interval:g}",
            "POLICYBOT_SEND_RATE": f"{self.send_rate:g}",
            "POLICYBOT_CONCURRENCY": str(self.concurrency),
            "POLICYBOT_USER_LIMIT": str(self.user_limit),
            "POLICYBOT_CACHE": str(self.cache or "off"),
        }


def parse_admins(value: str) -> frozenset[int]:
    ids = set()
    for part in value.replace(" ", "").split(","):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(
                f"POLICYBOT_ADMINS 只能是逗号分隔的 Telegram 数字用户 id，不能是 “{part}”"
            )
        ids.add(int(part))
    return frozenset(ids)


def parse_interval(value: str, name: str = "POLICYBOT_WATCH_INTERVAL") -> float:
    """A non-negative number from the environment (0 turns the feature off)."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number < 0:
        raise ConfigError(f"{name} 要写一个不小于 0 的数（0 表示关闭），不能是 “{value}”")
    return number


DEFAULT_TIMEZONE = "Asia/Shanghai"


def timezone(env: Mapping[str, str] = os.environ) -> ZoneInfo:
    """POLICYBOT_TIMEZONE: the zone reports and the console show times in (the log stays UTC)."""
    name = (env.get("POLICYBOT_TIMEZONE") or DEFAULT_TIMEZONE).strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"POLICYBOT_TIMEZONE “{name}” 不是时区名称，例如 Asia/Shanghai、Asia/Harbin"
        ) from exc


def cache_folder(value: str | None, db: Path) -> Path | None:
    """POLICYBOT_CACHE: a folder, "off", or by default `cache/` beside the exchange log."""
    if value and value.strip().lower() == "off":
        return None
    return Path(value.strip()) if value and value.strip() else db.parent / "cache"


def count(env: Mapping[str, str], name: str, default: str) -> int:
    """A whole non-negative number from the environment."""
    return int(parse_interval(env.get(name, default), name))


def mask(secret: str) -> str:
    """Enough of a secret to tell two apart, never enough to use it."""
    if len(secret) <= 8:
        return "***"
    return f"{secret[:4]}…{secret[-2:]}"


WECHAT_API = "https://api.weixin.qq.com"


@dataclass(frozen=True)
class WeChatSettings:
    """The 公众号 server configuration (docs/wechat.md): the console's token, and for safe mode
    its EncodingAESKey with the AppID; the AppSecret only to set the custom menu."""

    token: str = ""
    appid: str = ""
    aes_key: str = ""
    secret: str = ""
    api_base: str = WECHAT_API

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> WeChatSettings:
        """Checked as far as set; the channel is on when `POLICYBOT_WECHAT_TOKEN` is set."""
        token = env.get("POLICYBOT_WECHAT_TOKEN", "").strip()
        if token and not re.fullmatch(r"[A-Za-z0-9]{3,32}", token):
            raise ConfigError(
                "POLICYBOT_WECHAT_TOKEN 要和公众号后台的“令牌(Token)”一致：3–32 位英文字母或数字"
            )
        settings = cls(
            token=token,
            appid=env.get("POLICYBOT_WECHAT_APPID", "").strip(),
            aes_key=env.get("POLICYBOT_WECHAT_AES_KEY", "").strip(),
            secret=env.get("POLICYBOT_WECHAT_APPSECRET", "").strip(),
            api_base=env.get("POLICYBOT_WECHAT_API_BASE_URL", "").strip().rstrip("/") or WECHAT_API,
        )
        if settings.aes_key:
            if not settings.appid:
                raise ConfigError("安全模式要同时设置 POLICYBOT_WECHAT_APPID（公众号后台的 AppID）")
            if not re.fullmatch(r"[A-Za-z0-9]{43}", settings.aes_key):
                raise ConfigError(
                    "POLICYBOT_WECHAT_AES_KEY 要和公众号后台的“消息加解密密钥(EncodingAESKey)”一致：43 位英文字母或数字"
                )
        return settings

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    def masked(self) -> dict[str, str]:
        """The effective configuration, safe to print or log."""
        return {
            "POLICYBOT_WECHAT_TOKEN": mask(self.token) if self.token else "(off)",
            "POLICYBOT_WECHAT_APPID": self.appid or "(none)",
            "POLICYBOT_WECHAT_AES_KEY": mask(self.aes_key) if self.aes_key else "(plaintext mode)",
            "POLICYBOT_WECHAT_APPSECRET": mask(self.secret) if self.secret else "(none)",
            "POLICYBOT_WECHAT_API_BASE_URL": self.api_base,
        }
