"""bench/web_load.py end to end, briefly: the load generator (wrk when installed, else the
Python one) reaches the real server, the stub, the ceiling and the bare ASGI app on 127.0.0.1
without an error, and the report keeps its shape (three figures per row, the same-run ratios,
the engine alone and inside the server, the answers per batch, the unbatched answers). One generator only: each run starts two servers."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.support.paths import ROOT


@pytest.mark.slow
def test_web_load_reports_every_row_without_errors():
    generator = "wrk" if shutil.which("wrk") else "python"
    command = [sys.executable, str(ROOT / "bench" / "web_load.py"), "--seconds", "0.5"]
    command += ["--runs", "1", "--connections", "4", "--generator", generator]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert f"load generator: {generator}" in report
    rows = [line for line in report.splitlines() if "req/s" in line]
    assert len(rows) == 5 and all("errors 0" in row for row in rows), report
    assert all(" ms per request   generator " in row for row in rows)
    assert "engine alone on questions of the same kind" in report
    assert report.count("the engine inside the server") == 2 and "answers per batch" in report
    assert "answers / ceiling, per run:" in report and "targets:" in report
