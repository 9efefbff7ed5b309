"""The web server's settings, read from the environment once at start.

Kept apart from `bot.settings.Settings`, which requires a Telegram token: `policybot serve` must
run without one (Telegram is optional on the web server).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.settings import ConfigError, count


@dataclass(frozen=True)
class WebConfig:
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
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ConfigError(
                    "POLICYBOT_WEB_ORIGINS 是逗号分隔的网站地址，如 https://zwfw.example.gov.cn，"
                    f"不能是 “{origin}”"
                )
        if "*" in origins:
            raise ConfigError("POLICYBOT_WEB_ORIGINS 不能是 *：请列出嵌入聊天窗口的网站地址")
        return cls(
            origins=origins,
            rate=count(env, "POLICYBOT_WEB_RATE", "60"),
            max_body=max(1024, count(env, "POLICYBOT_WEB_MAX_BODY", str(16 * 1024))),
            trusted_proxies=env.get("POLICYBOT_TRUSTED_PROXIES", "").strip() or "127.0.0.1",
        )

    def masked(self) -> dict[str, str]:
        return {
            "POLICYBOT_WEB_ORIGINS": ",".join(self.origins) or "(none)",
            "POLICYBOT_WEB_RATE": str(self.rate),
            "POLICYBOT_WEB_MAX_BODY": str(self.max_body),
            "POLICYBOT_TRUSTED_PROXIES": self.trusted_proxies,
        }
