"""The real command line in a subprocess, for tests of what an operator runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT


def policybot(*args: str, timeout: float = 60, **options) -> subprocess.CompletedProcess:
    """`python -m bot *args` from the repository root, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        **options,
    )


def logged_stats(db: Path, *options: str) -> dict:
    """What `policybot stats --format json` says of the log at `db`."""
    result = policybot("--db", str(db), "stats", *options, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def started(*args: str, env: dict[str, str]) -> subprocess.Popen:
    """`python -m bot *args` started from the repository root, its output piped as text (read
    it with `communicate` once it is stopped)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
