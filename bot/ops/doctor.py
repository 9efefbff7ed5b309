"""`policybot doctor`: is everything in place to run? One line per check, secrets masked.

Checks the token against the Bot API (`getMe` through `TELEGRAM_API_BASE_URL`) when one is set
(without it only Telegram is off: `serve`'s widget, WeChat and console need none), that the
knowledge validates, that the exchange log can be written, that its salt file can be used, and
that the engine cache's folder can be written.
Error texts from the network carry request URLs, which carry the token: every line printed here
goes through `mask`.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.engine.cache import SMALLEST
from bot.knowledge.model import KnowledgeDirMissing, check, snapshot_of
from bot.log.store import SQLiteStore
from bot.settings import WECHAT, Settings, WeChatSettings, mask
from bot.text.privacy import SaltError, salt_path, secret_salt

TIMEOUT = 10.0
SALT = "密钥"
CACHE = "引擎缓存"
NO_TELEGRAM = (
    "未设置 TELEGRAM_BOT_TOKEN，Telegram 渠道关闭（policybot serve 的网页、微信和管理后台不需要它；"
    "policybot run 需要：先在 Telegram 找 @BotFather 创建机器人，再 export TELEGRAM_BOT_TOKEN=...）"
)


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    detail: str
    off: bool = False  # a channel not configured: no failure, but said

    def __str__(self) -> str:
        mark = "OFF " if self.off else "OK  " if self.ok else "FAIL"
        return f"{mark} {self.what}: {self.detail}"


def check_token(token: str, base_url: str) -> Finding:
    # Imported here: every `policybot` command imports this module (bot.channels.cli.running),
    # and httpx was ~0.18 s of CPU of each start (bot/authoring/ingest.py does the same).
    import httpx

    try:
        response = httpx.get(f"{base_url}{token}/getMe", timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return Finding(False, "Bot API", f"无法连接 {base_url}: {exc.__class__.__name__}")
    if response.status_code in (401, 404):
        return Finding(False, "Bot API", "令牌被拒绝（401/404）：请检查 TELEGRAM_BOT_TOKEN")
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code != 200 or not data.get("ok"):
        return Finding(False, "Bot API", f"getMe 返回 HTTP {response.status_code}")
    return Finding(True, "Bot API", f"令牌有效，机器人 @{data['result'].get('username', '?')}")


def check_knowledge(directory: Path) -> Finding:
    try:
        knowledge, problems = check(directory)
    except KnowledgeDirMissing as exc:
        return Finding(False, "知识库", str(exc))
    errors = [p for p in problems if p.severity == "error"]
    if knowledge is None:
        return Finding(False, "知识库", f"{len(errors)} 个错误，第一个：{errors[0]}")
    return Finding(True, "知识库", f"{len(knowledge.entries)} 个条目，版本 {knowledge.version}")


def check_database(path: Path) -> Finding:
    """Can the log be read whole and written? A read-only file opens and takes the write lock
    without complaint, so a real write (rolled back) is the test; `quick_check` finds damaged
    pages that opening does not."""
    try:
        store = SQLiteStore(path)
    except (OSError, sqlite3.Error) as exc:
        return Finding(False, "交流记录", f"{path} 无法打开：{exc}")
    try:
        damage = store.db.execute("PRAGMA quick_check").fetchone()[0]
        if damage != "ok":
            return Finding(False, "交流记录", f"{path} 已损坏：{damage}")
        store.db.execute("BEGIN IMMEDIATE")
        try:
            store.db.execute("CREATE TABLE doctor_probe (x)")  # written to the file itself
        finally:
            store.db.execute("ROLLBACK")
        version = store.schema_version
    except sqlite3.Error as exc:
        return Finding(False, "交流记录", f"{path} 不可写：{exc}")
    finally:
        store.close()
    return Finding(True, "交流记录", f"{path} 可写，schema 版本 {version}")


def check_salt(db: Path, env_salt: str | None) -> Finding:
    """The secret that keys user pseudonyms and signs the engine cache: every command that logs
    refuses an empty salt file, and doctor said all was well (probe20)."""
    if env_salt:
        return Finding(True, SALT, "POLICYBOT_SALT 已设置")
    try:
        secret_salt(db, env_salt)  # (narrows the file to its owner if it can)
        salt_file = salt_path(db)
        others = salt_file.stat().st_mode & 0o077
    except (SaltError, OSError) as exc:
        return Finding(False, SALT, str(exc))
    if others:
        return Finding(False, SALT, f"{salt_file} 其他用户可读：请用它的属主执行 chmod 600")
    return Finding(True, SALT, f"{salt_file} 只有属主可读")


def check_cache(folder: Path | None, knowledge: Path) -> Finding:
    """Where built engines are kept (POLICYBOT_CACHE). A folder the bot cannot write costs each
    start of a large knowledge base its whole build (half a minute at 100k entries), with only a
    warning in the bot's log; doctor said nothing of it (left by probe21). Knowledge under the
    size the cache starts at is never cached, so there it is no failure."""
    if folder is None:
        return Finding(True, CACHE, "POLICYBOT_CACHE=off：每次启动都重新构建引擎", off=True)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # as a save makes it
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        problem = f"{folder} 不可写（{exc.strerror or exc}）"
        try:
            small = snapshot_of(knowledge).size < SMALLEST
        except KnowledgeDirMissing:  # (said by the knowledge's own line)
            small = False
        if small:
            return Finding(True, CACHE, f"{problem}；知识库不到 {SMALLEST // 10**6} MB，不用缓存")
        return Finding(
            False,
            CACHE,
            f"{problem}：每次启动都要重新构建引擎。请让运行机器人的用户能写这个文件夹，"
            "或用 POLICYBOT_CACHE 换一个",
        )
    return Finding(True, CACHE, f"{folder} 可写")


def check_wechat(wechat: WeChatSettings) -> Finding:
    """The WeChat channel, when configured (no network: WeChat's servers call us, and the
    console's 提交 is the real test of the URL and token)."""
    mode = f"安全模式（AppID {wechat.appid}）" if wechat.aes_key else "明文模式"
    return Finding(True, WECHAT, f"/wechat 已配置，{mode}")


def diagnose(settings: Settings) -> list[Finding]:
    """Every check's finding, for settings resolved once (bot.settings); the malformed
    settings come first, and nothing printed contains the token."""
    findings = [Finding(False, what, problem) for what, problem in settings.problems]
    if not settings.token:
        findings.append(Finding(True, "Telegram", NO_TELEGRAM, off=True))
    else:
        findings.append(check_token(settings.token, settings.base_url))
    findings.append(check_knowledge(settings.knowledge))
    findings.append(check_database(settings.db))
    findings.append(check_salt(settings.db, settings.salt))
    findings.append(check_cache(settings.cache, settings.knowledge))
    if settings.wechat.enabled:
        findings.append(check_wechat(settings.wechat))
    if settings.token:
        secret = settings.token
        findings = [Finding(f.ok, f.what, f.detail.replace(secret, mask(secret))) for f in findings]
    return findings
