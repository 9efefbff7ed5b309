"""Every command line in deploy/ runs through the real CLI as written: the one-shot ones to a
clean exit, the Telegram bot against the Bot API stand-in until it answers a question (and its
health check passes meanwhile). New lines in deploy/ are picked up by tests/support/deploy.py;
a long-running command without a driver here fails until one is added."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.channels.cli import build_parser
from tests.support import updates
from tests.support.botapi import TOKEN, StandIn
from tests.support.cli import policybot, started
from tests.support.deploy import CommandLine, command_lines
from tests.support.paths import DEPLOY, KNOWLEDGE
from tests.support.web import free_port

LINES = command_lines()
SECRET = "deploy-test-secret"
QUESTION, ANSWER = "复工复产去哪个窗口办理", "复工复产专窗"


def command_of(line: CommandLine) -> str:
    return build_parser().parse_args(line.argv).command


def test_the_deploy_files_have_the_lines_we_know_of():
    sources = {line.source for line in LINES}
    assert {
        "Dockerfile: ENTRYPOINT + CMD",
        "Dockerfile: HEALTHCHECK",
        "compose.yaml: policybot",
        "policybot.service: ExecStart",
        "policybot-prune.service: ExecStart",
    } <= sources


@pytest.mark.parametrize("line", LINES, ids=[line.source for line in LINES])
def test_every_line_is_accepted_by_the_parser(line):
    """`policybot run --log-format json` once exited 2: options after the command were refused."""
    assert command_of(line)


def environment(tmp_path: Path, base_url: str) -> dict[str, str]:
    """The deploy files set paths for their own machines (/data, /var/lib/policybot); a test
    points the same variables at its own folders, and leaves the command line as written."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "POLICYBOT_KNOWLEDGE": str(KNOWLEDGE),
        "POLICYBOT_DB": str(tmp_path / "data" / "policybot.sqlite3"),
    }


@contextlib.contextmanager
def running(line: CommandLine, argv: list[str], env: dict) -> Iterator[None]:
    """The long-running `line` started as `argv`; after the block, the health lines checked
    while it still runs, then SIGTERM: it must exit 0, the token nowhere in its output."""
    process = started(*argv, env=env)
    try:
        yield
        for health in (h for h in LINES if command_of(h) == "health"):
            checked = wait_healthy(health, env)
            assert checked.returncode == 0, (health.source, checked.stdout, checked.stderr)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, (line.source, err[-2000:])
    assert TOKEN not in out + err


def drive_telegram(line: CommandLine, standin: StandIn, env: dict) -> None:
    """Start the bot as written (a webhook server is moved to 127.0.0.1 and a free port),
    ask one question through Telegram, check the health lines meanwhile, stop with SIGTERM."""
    argv = list(line.argv)
    webhook = any(arg.startswith("--webhook-url") for arg in argv)
    port = free_port()
    if webhook:
        argv += ["--listen", "127.0.0.1", "--port", str(port)]
    with running(line, argv, env):
        update = updates.private_text(QUESTION)
        if webhook:
            registered = standin.api.wait_for("setWebhook", timeout=60)[0]
            path = "/" + registered["url"].split("/", 3)[3]
            post_when_listening(f"http://127.0.0.1:{port}{path}", update)
        else:
            standin.api.wait_for("setMyCommands", timeout=60)
            standin.api.push(update)
        reply = standin.api.wait_for("sendMessage", timeout=60)[0]
        assert ANSWER in reply["text"], line.source


def post_when_listening(url: str, update: dict) -> None:
    deadline = time.monotonic() + 60
    while True:  # the server starts listening just after setWebhook
        try:
            response = httpx.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert response.status_code == 200, response.text
            return
        except httpx.ConnectError:
            assert time.monotonic() < deadline, f"nothing listening at {url}"
            time.sleep(0.2)


def wait_healthy(line: CommandLine, env: dict) -> subprocess.CompletedProcess:
    """The first heartbeat is written just after start: allow it a few seconds."""
    deadline = time.monotonic() + 30
    while True:
        checked = policybot(*line.argv, env=env, timeout=120)
        if checked.returncode == 0 or time.monotonic() > deadline:
            return checked
        time.sleep(0.5)


def run_once(line: CommandLine, env: dict) -> None:
    """A one-shot command on a log that has one exchange in it."""
    assert policybot("ask", "--log", QUESTION, env=env, timeout=120).returncode == 0
    result = policybot(*line.argv, env=env, timeout=120)
    assert result.returncode == 0, (line.source, result.stdout, result.stderr)


def drive_web(line: CommandLine, standin: StandIn, env: dict) -> None:
    """Start the web server as written, moved to 127.0.0.1 and a free port (options given
    again later win), ask one question through its API, check the health lines, SIGTERM."""
    port = free_port()
    with running(line, [*line.argv, "--host", "127.0.0.1", "--port", str(port)], env):
        base = f"http://127.0.0.1:{port}"
        wait_listening(f"{base}/healthz")
        answered = httpx.post(f"{base}/api/v1/ask", json={"question": QUESTION}, timeout=30)
        assert answered.status_code == 200 and ANSWER in answered.text, line.source


def wait_listening(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"nothing answering at {url}"
        time.sleep(0.2)


LONG_RUNNING = {"run": drive_telegram, "serve": drive_web}
CHECKED_WHILE_RUNNING = {"health"}  # by each long-running line's driver
ONE_SHOT = {"prune", "validate", "stats", "gaps", "eval", "ask", "doctor"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "line",
    # Identical lines (the Dockerfile's CMD and compose.yaml's command) run once.
    list({line.argv: line for line in LINES}.values()),
    ids=lambda line: line.source,
)
def test_every_line_runs_as_written(line, tmp_path):
    command = command_of(line)
    if command in CHECKED_WHILE_RUNNING:
        pytest.skip(f"{line.source}: checked while each long-running line runs")
    with StandIn() as standin:
        env = environment(tmp_path, standin.base_url)
        if command in LONG_RUNNING:
            LONG_RUNNING[command](line, standin, env)
        elif command in ONE_SHOT:
            run_once(line, env)
        else:
            pytest.fail(f"{line.source}: `{command}` needs a driver in LONG_RUNNING or ONE_SHOT")


def test_the_backup_lines_copy_the_log_for_its_owner_only(tmp_path):
    """deploy/README.md's backups of the log, run as written with the log's folder moved: the
    copy was 0644 (the shell's umask), readable by anyone on the machine, where the log, with
    its questions and the console's password hashes, is 0600 (probe20)."""
    db = tmp_path / "policybot.sqlite3"
    added = policybot("--db", str(db), "admin", "add-user", "wang", input="a long password\n")
    assert added.returncode == 0, added.stderr
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    shell = re.search(r"^\(umask 077; sqlite3 .*\)$", readme, re.M)
    python = re.search(r'python -c \\\n\s+"(.*)"$', readme, re.M)
    assert shell and python
    moved = {"/var/lib/policybot/": f"{tmp_path}/", "/data/": f"{tmp_path}/"}
    backup = tmp_path / "backup"
    backup.mkdir()
    lines = {
        "shell": ["bash", "-c", shell.group(0).replace("/backup/", f"{backup}/")],
        "python": [sys.executable, "-c", python.group(1)],
    }
    for name, argv in lines.items():
        argv = [functools.reduce(lambda a, m: a.replace(*m), moved.items(), arg) for arg in argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, (name, done.stderr)
    copies = [tmp_path / "backup.sqlite3", *backup.iterdir()]
    assert len(copies) == 2
    for copy in copies:
        assert copy.stat().st_mode & 0o777 == 0o600, copy
        assert sqlite3.connect(copy).execute("SELECT name FROM accounts").fetchall() == [("wang",)]
