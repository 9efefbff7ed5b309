"""Operations: doctor, configuration and masking, JSON logs, the heartbeat, packaging, the unit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from bot import __version__
from bot.ops import doctor as checks
from bot.ops import health
from bot.ops.doctor import diagnose
from bot.settings import Settings, mask
from tests.support import updates
from tests.support.botapi import TOKEN, FakeBotApi, StandIn
from tests.support.paths import DEPLOY, KNOWLEDGE, NOTICE, ROOT


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


def doctor(env: dict, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(KNOWLEDGE), "--db", str(db), "doctor"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_doctor_all_well(standin, tmp_path):
    result = doctor(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": standin.base_url},
        tmp_path / "log.sqlite3",
    )
    assert result.returncode == 0, result.stdout
    assert "OK   Bot API" in result.stdout and "@fuyuan_policy_bot" in result.stdout
    assert "OK   知识库" in result.stdout and "OK   交流记录" in result.stdout
    assert f"TELEGRAM_BOT_TOKEN={mask(TOKEN)}" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.slow
def test_doctor_shows_the_wechat_channel_masked(tmp_path):
    key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    env = {
        "POLICYBOT_WECHAT_TOKEN": "policybot0token",
        "POLICYBOT_WECHAT_APPID": "wx5823bf96d3bd56c7",
        "POLICYBOT_WECHAT_AES_KEY": key,
    }
    result = doctor(env, tmp_path / "log.sqlite3")
    assert "OK   微信公众号: /wechat 已配置，安全模式" in result.stdout
    assert key not in result.stdout and "policybot0token" not in result.stdout
    broken = doctor({**env, "POLICYBOT_WECHAT_AES_KEY": "short"}, tmp_path / "log.sqlite3")
    assert broken.returncode != 0 and "FAIL 微信公众号" in broken.stdout


@pytest.mark.slow
def test_doctor_rejected_token_unwritable_db_and_broken_knowledge(tmp_path, knowledge_copy):
    with StandIn(FakeBotApi(token="999:other-token-entirely-different")) as server:
        db_dir = tmp_path / "readonly"
        db_dir.mkdir()
        db_dir.chmod(0o500)
        (knowledge_copy / "synonyms.yaml").write_text("groups: [[孤单]]\n", encoding="utf-8")
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot",
                "--knowledge",
                str(knowledge_copy),
                "--db",
                str(db_dir / "sub" / "log.sqlite3"),
                "doctor",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": server.base_url,
            },
        )
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert result.returncode == 1
    assert len(fails) == 3 if os.geteuid() != 0 else len(fails) >= 2  # root can write anywhere
    assert "令牌被拒绝" in result.stdout and "synonyms.yaml:1" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_doctor_without_a_token_says_so_in_one_line_and_passes(tmp_path):
    """A web-only deployment (`serve`: the widget, WeChat, the console; Telegram is blocked
    where the bot's users are) needs no token: doctor said FAIL and exited 1 for it, so the
    deployment guide's first check could never pass there."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    flags = {"knowledge": str(KNOWLEDGE), "db": str(tmp_path / "log.sqlite3")}
    settings = Settings.resolve_all(flags, env)
    findings = diagnose(settings)
    assert all(f.ok for f in findings)
    off = [str(f) for f in findings if "TELEGRAM_BOT_TOKEN" in f.detail]
    assert len(off) == 1 and off[0].startswith("OFF  Telegram") and "policybot run" in off[0]
    assert settings.masked()["TELEGRAM_BOT_TOKEN"] == "(none)"


def test_doctor_fails_on_a_salt_file_every_command_refuses(tmp_path):
    """An empty salt file (a botched restore, a full disk) stops `serve`, `run` and `ask --log`
    in one line, and doctor said every check was OK (probe20); a salt file others may read
    (restored with `cp` under umask 022) lets them reverse the user keys: it is narrowed to
    the owner when the log opens, as the log's own files are."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
    db = tmp_path / "log.sqlite3"
    flags = {"knowledge": str(KNOWLEDGE), "db": str(db)}
    salt = tmp_path / "log.sqlite3.salt"
    salt.write_text("")
    findings = [str(f) for f in diagnose(Settings.resolve_all(flags, env)) if not f.ok]
    assert len(findings) == 1 and findings[0].startswith("FAIL 密钥") and "是空的" in findings[0]
    salt.write_text("restored-salt\n")
    salt.chmod(0o644)
    assert all(f.ok for f in diagnose(Settings.resolve_all(flags, env)))
    assert salt.stat().st_mode & 0o777 == 0o600


def test_doctor_names_an_engine_cache_folder_it_cannot_write(tmp_path, monkeypatch):
    """A cache folder the bot cannot write costs each start of a large knowledge base its whole
    build, with a warning in the bot's log only; doctor said nothing (left by probe21). A path
    under a file stands for any folder that cannot be written (the tests run as root, whom
    modes do not stop)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "POLICYBOT_"))}
    (tmp_path / "a-file").write_text("")
    flags = {"knowledge": str(KNOWLEDGE), "db": str(tmp_path / "log.sqlite3")}

    def cache_line(cache: str) -> str:
        findings = diagnose(Settings.resolve_all(flags, {**env, "POLICYBOT_CACHE": cache}))
        return next(str(f) for f in findings if f.what == "引擎缓存")

    assert cache_line(str(tmp_path / "cache")) == f"OK   引擎缓存: {tmp_path / 'cache'} 可写"
    assert cache_line("off").startswith("OFF  引擎缓存")
    unwritable = str(tmp_path / "a-file" / "cache")
    small = cache_line(unwritable)  # the shipped knowledge is never cached: said, no failure
    assert small.startswith("OK   引擎缓存") and "不可写" in small and "不用缓存" in small
    monkeypatch.setattr(checks, "SMALLEST", 1)  # a knowledge base large enough to be cached
    large = cache_line(unwritable)
    assert large.startswith("FAIL 引擎缓存") and "POLICYBOT_CACHE" in large


@pytest.mark.slow
def test_run_with_json_logs_heartbeat_and_clean_stop(standin, tmp_path):
    db = tmp_path / "data" / "log.sqlite3"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "POLICYBOT_KNOWLEDGE": str(KNOWLEDGE),
        "POLICYBOT_DB": str(db),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--log-format", "json", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    health = [sys.executable, "-m", "bot", "--db", str(db), "health"]
    try:
        standin.api.wait_for("setMyCommands", timeout=30)
        standin.api.push(updates.private_text("复工复产去哪个窗口办理", user_id=73541))
        standin.api.wait_for("sendMessage", timeout=30)
        deadline = time.monotonic() + 30
        while subprocess.run(health, env=env, capture_output=True, timeout=60).returncode != 0:
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert TOKEN not in err and "73541" not in err
    stopped = subprocess.run(health, env=env, capture_output=True, text=True, timeout=60)
    assert stopped.returncode == 1  # the heartbeat is removed on a clean stop


def test_a_heartbeat_the_disk_refuses_leaves_the_last_one_and_nothing_else(tmp_path, monkeypatch):
    # (Its scratch file was left beside it, half written, on a full disk.)
    path = tmp_path / "bot.health"
    service = SimpleNamespace(knowledge=SimpleNamespace(version="v1", entries=[]), uptime=1)
    health.beat(path, service)
    beaten, written = path.read_text(encoding="utf-8"), Path.write_text

    def full(self, data, *args, **kwargs):  # half of it written, then the disk is full
        written(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError, match="No space left"):
        health.beat(path, service)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["bot.health"]
    assert path.read_text(encoding="utf-8") == beaten


HEAVY = ("bot.engine", "numpy", "telegram")  # what the light commands must not import


@pytest.mark.parametrize("alive", [True, False])
def test_health_and_version_do_not_import_the_engine(tmp_path, alive):
    """`policybot health` is the container's check every 30 s, on the cores that answer: it
    reads a file, and the engine, NumPy and python-telegram-bot stay out of it (as of
    `--version` and `--help`). `-X importtime` lists every module the process imported."""
    db = tmp_path / "log.sqlite3"
    if alive:  # a fresh heartbeat, as the running bot writes it
        service = SimpleNamespace(knowledge=SimpleNamespace(version="v1", entries=[]), uptime=1)
        health.beat(Path(f"{db}.health"), service)
    for argv, code, output in (
        (["health"], 0 if alive else 1, "alive" if alive else "no heartbeat"),
        (["--version"], 0, f"policybot {__version__}"),
        (["--help"], 0, "policybot"),
    ):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "bot", "--db", str(db), *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == code and output in done.stdout, (argv, done.stdout)
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert "bot.channels.cli" in imported
        assert not {m for m in imported if m.startswith(HEAVY)}


@pytest.mark.slow
def test_wheel_installs_and_runs_in_a_clean_virtual_environment(tmp_path):
    """What the image does: build a wheel, install it (and its dependencies) in a fresh venv."""
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("policybot-*.whl")
    venv = tmp_path / "venv"
    # The venv gets no pip of its own and nothing is compiled at install (the processes below
    # compile what they import): a third of this test's CPU went to both.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    outside = tmp_path / "elsewhere"  # not the repository: only the installed package is used
    outside.mkdir()
    version = subprocess.run(
        [str(venv / "bin" / "policybot"), "--version"],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.stdout.strip() == f"policybot {__version__}"
    answer = subprocess.run(
        [
            str(venv / "bin" / "policybot"),
            "--knowledge",
            str(KNOWLEDGE),
            "ask",
            "复工复产去哪个窗口办理",
        ],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert answer.returncode == 0 and "复工复产专窗" in answer.stdout
    copy = shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    notice = NOTICE
    ingested = subprocess.run(
        [str(venv / "bin" / "policybot"), "--knowledge", str(copy), "ingest", str(notice)],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ingested.returncode == 0, ingested.stderr  # HTML extraction's whole dependency chain


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
@pytest.mark.parametrize(
    "units",
    [
        ["policybot.service"],
        ["policybot-web.service"],
        ["policybot-prune.service", "policybot-prune.timer"],
    ],
)
def test_systemd_units_verify(tmp_path, units):
    # verify also checks that ExecStart exists: point it at this environment's policybot.
    here = Path(sys.executable).parent / "policybot"
    for name in units:
        text = (
            (DEPLOY / name)
            .read_text(encoding="utf-8")
            .replace("/opt/policybot/.venv/bin/policybot", str(here))
        )
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in units)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_files_point_at_what_exists():
    for name in ("compose.yaml", "compose.web.yaml"):
        compose = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
        service = compose["services"]["policybot"]
        assert (
            ROOT / "deploy" / service["build"]["context"] / service["build"]["dockerfile"]
        ).is_file()
        # Only the web server, which serves the admin console, may write the knowledge.
        mode = (
            "../knowledge:/knowledge"
            if name == "compose.web.yaml"
            else "../knowledge:/knowledge:ro"
        )
        assert mode in service["volumes"]
        assert (DEPLOY / "policybot.env.example").is_file() and service[
            "env_file"
        ] == "policybot.env"
    caddy = yaml.safe_load((DEPLOY / "compose.web.yaml").read_text())["services"]["caddy"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert (
        "USER policybot" in dockerfile
        and "HEALTHCHECK" in dockerfile
        and 'CMD ["policybot", "health"]' in dockerfile
    )


def test_every_variable_the_program_reads_is_in_the_example_env():
    example = (DEPLOY / "policybot.env.example").read_text(encoding="utf-8")
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot").rglob("*.py"))
    import re

    used = set(re.findall(r'"((?:TELEGRAM|POLICYBOT)_[A-Z_]+)"', sources))
    assert used and all(name in example for name in used), used - {n for n in used if n in example}


def test_the_caddyfile_lets_the_consoles_uploads_through():
    """Caddy's body limit was 1 MB for every path, and the console takes sheets and documents up
    to 10 MB (and says so on its import page): behind the shipped Caddyfile, a 2 MB sheet got
    Caddy's bare 413. Each `request_body` names the paths it limits (`@name` matchers)."""
    import re

    from bot.channels.console.frame import MAX_UPLOAD

    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    code = "\n".join(line.split("#")[0] for line in caddyfile.splitlines())
    matchers = dict(re.findall(r"^\s*@(\w+)\s+(.+?)\s*$", code, re.M))
    units = {"KB": 10**3, "MB": 10**6, "KIB": 2**10, "MIB": 2**20}
    limits = {}
    for matcher, size, unit in re.findall(
        r"request_body\s+@?(\S*)\s*\{\s*max_size\s+(\d+)\s*(\w+)", code
    ):
        limits[matcher] = int(size) * units[unit.upper()]
    assert matchers and limits and set(limits) <= set(matchers), (matchers, limits)

    def limit_for(path: str) -> int:
        found = []
        for name, size in limits.items():
            rule = matchers[name]
            prefix = rule.removeprefix("not ").removeprefix("path ").rstrip("*")
            if path.startswith(prefix) != rule.startswith("not "):
                found.append(size)
        assert len(found) == 1, (path, found)  # exactly one limit applies
        return found[0]

    assert limit_for("/admin/import/sheet") >= MAX_UPLOAD + 64 * 1024
    assert limit_for("/admin/import/document") >= MAX_UPLOAD + 64 * 1024
    assert limit_for("/api/v1/ask") <= 10**6 and limit_for("/telegram") <= 10**6
