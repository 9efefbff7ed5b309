"""Configuration, resolved once: command-line flags, then the environment, then defaults.

`Settings.resolve` is the only place that reads `POLICYBOT_*`/`TELEGRAM_*` variables or decides
a default; every command and channel gets the resulting `Settings` and derives nothing itself.
Paths that follow from others (the heartbeat and the engine cache beside the log database) are
derived here too, so `--db X` moves all three together.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_KNOWLEDGE = Path("knowledge")
DEFAULT_DB = Path("data/policybot.sqlite3")
DEFAULT_TIMEZONE = "Asia/Shanghai"
LOG_FORMATS = ("text", "json")
WECHAT = "微信公众号"  # how doctor names the WeChat channel's settings
WEB = "网页服务"  # and the web server's
MISSING_TOKEN = "TELEGRAM_BOT_TOKEN 未设置：先在 Telegram 找 @BotFather 创建机器人，再 export TELEGRAM_BOT_TOKEN=..."


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


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


_ORIGIN = re.compile(r"https?://[^/?#\s]+")


def proxies(value: str) -> str:
    """POLICYBOT_TRUSTED_PROXIES as uvicorn takes it, if every item can match a peer: uvicorn
    compares the peer's address with each name as written, so a host name (`caddy`, as compose
    names the proxy), a bad network or items without commas matched none, and every client
    behind the proxy was one client, sharing one rate limit, without a word (probe20)."""
    for item in value.split(","):
        if item.strip() == "*":
            continue
        try:
            ipaddress.ip_network(item.strip(), strict=False)
        except ValueError:
            raise ConfigError(
                "POLICYBOT_TRUSTED_PROXIES 是逗号分隔的代理 IP 地址或网段（如 127.0.0.1、"
                f"172.18.0.0/16，或 *），不能是 “{item.strip()}”：主机名认不出代理，"
                "经它来的用户会被当成同一个，共用一份限流"
            ) from None
    return value


@dataclass(frozen=True)
class WebConfig:
    """The web server's (`policybot serve`): who may embed the chat window, how fast a client
    may ask, how big a request may be, whose X-Forwarded-For to believe."""

    origins: tuple[str, ...] = ()  # pages on other sites allowed to call the API (CORS)
    rate: int = 60  # API requests one client may make a minute; 0: no limit
    max_body: int = 16 * 1024  # bytes; a question is at most a few hundred characters
    trusted_proxies: str = "127.0.0.1"  # whose X-Forwarded-For names the real client

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> WebConfig:
        origins = tuple(
            origin.strip().rstrip("/")
            for origin in env.get("POLICYBOT_WEB_ORIGINS", "").split(",")
            if origin.strip()
        )
        for origin in origins:
            # A site, not a page on it: a browser's Origin has no path, so with one none
            # matched and the widget's every question was refused on that portal (probe20).
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ConfigError(
                    "POLICYBOT_WEB_ORIGINS 是逗号分隔的网站地址（只写到域名和端口，不带路径），"
                    f"如 https://zwfw.example.gov.cn，不能是 “{origin}”"
                )
        if "*" in origins:
            raise ConfigError("POLICYBOT_WEB_ORIGINS 不能是 *：请列出嵌入聊天窗口的网站地址")
        return cls(
            origins=origins,
            rate=whole(env.get("POLICYBOT_WEB_RATE", "60"), "POLICYBOT_WEB_RATE"),
            max_body=max(
                1024,
                whole(env.get("POLICYBOT_WEB_MAX_BODY", str(16 * 1024)), "POLICYBOT_WEB_MAX_BODY"),
            ),
            trusted_proxies=proxies(
                env.get("POLICYBOT_TRUSTED_PROXIES", "").strip() or "127.0.0.1"
            ),
        )

    def masked(self) -> dict[str, str]:
        return {
            "POLICYBOT_WEB_ORIGINS": ",".join(self.origins) or "(none)",
            "POLICYBOT_WEB_RATE": str(self.rate),
            "POLICYBOT_WEB_MAX_BODY": str(self.max_body),
            "POLICYBOT_TRUSTED_PROXIES": self.trusted_proxies,
        }


@dataclass(frozen=True)
class Settings:
    token: str = ""  # TELEGRAM_BOT_TOKEN; only `run` (and `doctor`) need it
    base_url: str = DEFAULT_BASE_URL
    admins: frozenset[int] = frozenset()
    knowledge: Path = DEFAULT_KNOWLEDGE
    db: Path = DEFAULT_DB
    watch_interval: float = 2.0  # seconds between looks at the knowledge files; 0: never
    send_rate: float = 30.0  # messages a second the bot sends at most (Telegram's limit); 0: no cap
    # Updates handled at once, never two of one chat (telegram.ordering). A reply holds its slot
    # until Telegram has answered the send: at most this many replies per round trip.
    concurrency: int = 16
    workers: int = 1  # `run`'s answering processes (telegram.pool); 1: the polling one answers
    user_limit: int = 20  # messages a user may send a minute before being asked to wait; 0: off
    cache: Path | None = None  # where built engines are kept between starts (bot.engine.cache)
    salt: str | None = None  # POLICYBOT_SALT; None: a salt file kept beside the database
    webhook_secret: str | None = None  # what Telegram must send in each webhook request's header
    log_format: str = "text"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    wechat: WeChatSettings = field(default_factory=WeChatSettings)
    web: WebConfig = field(default_factory=WebConfig)
    # serve's Telegram route (`--telegram-webhook-url` or TELEGRAM_WEBHOOK_URL); None: no Telegram
    telegram_webhook_url: str | None = None
    # Malformed values found while resolving, as (what, message), each replaced by its default:
    # every command but `doctor`, which lists them all, stops on the first.
    problems: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def resolve(
        cls, flags: Mapping[str, object] | None = None, env: Mapping[str, str] = os.environ
    ) -> Settings:
        """Flags (None or absent: not given) over environment over defaults; raises
        `ConfigError` for the first malformed value."""
        settings = cls.resolve_all(flags, env)
        if settings.problems:
            raise ConfigError(settings.problems[0][1])
        return settings

    @classmethod
    def resolve_all(
        cls, flags: Mapping[str, object] | None = None, env: Mapping[str, str] = os.environ
    ) -> Settings:
        """Like `resolve`, but every malformed value is listed in `problems` and replaced by its
        default, so `doctor` can show the whole configuration and everything wrong at once."""
        given = {name: value for name, value in (flags or {}).items() if value is not None}
        problems: list[tuple[str, str]] = []

        def setting(flag: str, variable: str, default: str = "") -> str:
            return str(given.get(flag) or env.get(variable, "").strip() or default)

        def parsed(parse, variable: str, default, what: str = "配置"):
            """`parse(value, variable)` when the variable is set (always, for variable "")."""
            try:
                if variable and variable not in env:
                    return default
                return parse(env.get(variable, "").strip(), variable)
            except ConfigError as exc:
                problems.append((what, str(exc)))
                return default

        db = Path(setting("db", "POLICYBOT_DB", str(DEFAULT_DB)))
        base_url = setting("base_url", "TELEGRAM_API_BASE_URL", DEFAULT_BASE_URL)
        settings = cls(
            token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
            base_url=base_url,
            admins=parsed(lambda value, _: parse_admins(value), "POLICYBOT_ADMINS", frozenset()),
            knowledge=Path(setting("knowledge", "POLICYBOT_KNOWLEDGE", str(DEFAULT_KNOWLEDGE))),
            db=db,
            watch_interval=parsed(number, "POLICYBOT_WATCH_INTERVAL", 2.0),
            send_rate=parsed(number, "POLICYBOT_SEND_RATE", 30.0),
            concurrency=max(1, parsed(whole, "POLICYBOT_CONCURRENCY", 16)),
            workers=parsed(whole, "POLICYBOT_WORKERS", 1),
            user_limit=parsed(whole, "POLICYBOT_USER_LIMIT", 20),
            cache=cache_folder(env.get("POLICYBOT_CACHE"), db),
            salt=env.get("POLICYBOT_SALT") or None,
            webhook_secret=setting("secret_token", "TELEGRAM_WEBHOOK_SECRET") or None,
            log_format=setting("log_format", "POLICYBOT_LOG_FORMAT", "text"),
            timezone=parsed(zone, "POLICYBOT_TIMEZONE", ZoneInfo(DEFAULT_TIMEZONE)),
            web=parsed(lambda _, __: WebConfig.from_env(env), "", WebConfig(), WEB),
            telegram_webhook_url=parsed(
                lambda _, __: webhook_url(
                    setting("telegram_webhook_url", "TELEGRAM_WEBHOOK_URL"),
                    base_url,
                    "TELEGRAM_WEBHOOK_URL",
                ),
                "",
                None,
            ),
            wechat=parsed(lambda _, __: WeChatSettings.from_env(env), "", WeChatSettings(), WECHAT),
        )
        if settings.log_format not in LOG_FORMATS:
            problems.append(
                ("配置", f"日志格式只能是 text 或 json，不能是 “{settings.log_format}”")
            )
            settings = replace(settings, log_format="text")
        return replace(settings, problems=tuple(problems))

    def with_token(self) -> Settings:
        """These settings, checked to have what talking to Telegram needs."""
        if not self.token:
            raise ConfigError(MISSING_TOKEN)
        return self

    @property
    def heartbeat(self) -> Path:
        """The running bot's heartbeat file (bot.ops.health), beside the log database."""
        return self.db.with_name(self.db.name + ".health")

    def masked(self) -> dict[str, str]:
        """The effective configuration, safe to print or log."""
        return {
            "TELEGRAM_BOT_TOKEN": mask(self.token) if self.token else "(none)",
            "TELEGRAM_API_BASE_URL": self.base_url,
            "TELEGRAM_WEBHOOK_SECRET": mask(self.webhook_secret)
            if self.webhook_secret
            else "(none)",
            "POLICYBOT_ADMINS": ",".join(map(str, sorted(self.admins))) or "(none)",
            "POLICYBOT_KNOWLEDGE": str(self.knowledge),
            "POLICYBOT_DB": str(self.db),
            "POLICYBOT_WATCH_INTERVAL": f"{self.watch_interval:g}",
            "POLICYBOT_SEND_RATE": f"{self.send_rate:g}",
            "POLICYBOT_CONCURRENCY": str(self.concurrency),
            "POLICYBOT_WORKERS": str(self.workers),
            "POLICYBOT_USER_LIMIT": str(self.user_limit),
            "POLICYBOT_CACHE": str(self.cache or "off"),
            "POLICYBOT_SALT": mask(self.salt) if self.salt else "(file beside the database)",
            "POLICYBOT_LOG_FORMAT": self.log_format,
            "POLICYBOT_TIMEZONE": str(self.timezone),
            "TELEGRAM_WEBHOOK_URL": self.telegram_webhook_url or "(none)",
            **self.web.masked(),
            **(self.wechat.masked() if self.wechat.enabled else {}),
        }


# The ports Telegram's own Bot API sends webhooks to (its setWebhook documentation).
WEBHOOK_PORTS = (443, 80, 88, 8443)


def webhook_url(value: str, base_url: str, name: str) -> str | None:
    """A webhook URL Telegram will take, or None for none. An http one passed `doctor` and
    stopped `serve` at its start with a traceback from setWebhook (probe20). Telegram's servers
    send to HTTPS on four ports; a local Bot API server (TELEGRAM_API_BASE_URL elsewhere) to
    any http(s) address."""
    if not value:
        return None
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        port = -1
    official = base_url == DEFAULT_BASE_URL
    if (
        parts.scheme not in (("https",) if official else ("https", "http"))
        or not parts.hostname
        or port == -1
        or (official and port is not None and port not in WEBHOOK_PORTS)
    ):
        raise ConfigError(
            f"{name} “{value}” Telegram 不会接受：要写完整的 https:// 地址，端口只能是 "
            "443、80、88 或 8443（本地 Bot API 服务器除外）"
        )
    return value


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


def number(value: str, name: str) -> float:
    """A non-negative number (0 turns the feature off)."""
    try:
        result = float(value)
    except ValueError:
        result = -1.0
    if result < 0:
        raise ConfigError(f"{name} 要写一个不小于 0 的数（0 表示关闭），不能是 “{value}”")
    return result


def whole(value: str, name: str) -> int:
    """A whole non-negative number."""
    return int(number(value, name))


def zone(value: str, name: str = "POLICYBOT_TIMEZONE") -> ZoneInfo:
    """The zone reports and the console show times in (the log stays UTC)."""
    try:
        return ZoneInfo(value.strip() or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{name} “{value}” 不是时区名称，例如 Asia/Shanghai、Asia/Harbin"
        ) from exc


def cache_folder(value: str | None, db: Path) -> Path | None:
    """POLICYBOT_CACHE: a folder, "off", or by default `cache/` beside the exchange log."""
    if value and value.strip().lower() == "off":
        return None
    return Path(value.strip()) if value and value.strip() else db.parent / "cache"


def mask(secret: str) -> str:
    """Enough of a secret to tell two apart, never enough to use it: the 6 characters shown are
    at most a fifth of it (a Telegram token, a 32-character WeChat token); of a shorter secret,
    which a WeChat token may be (3-32 characters), they would leave too few to guess."""
    if len(secret) < 30:
        return "***"
    return f"{secret[:4]}…{secret[-2:]}"
