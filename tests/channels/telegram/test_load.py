"""bench/telegram_load.py end to end, briefly: the stub, the stub spending CPU as the engine
does, and the cache-off bot each answer every message exactly once through the Bot API
stand-in, and the report keeps the figures that split a cache-off reply (CPU per reply and its
main threads' part, the engine alone on the same messages and inside the bot, the answers per
batch, what neither explains); bench/reply_caches.py reports every mode; bench/reply_cachesim.py
runs each of its modes and reads callgrind's totals."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.paths import ROOT


@pytest.mark.slow
def test_telegram_load_splits_a_cache_off_reply():
    command = [sys.executable, str(ROOT / "bench" / "telegram_load.py"), "--users", "4"]
    command += ["--messages", "2", "--runs", "1"]
    command += ["--bots", "stub,stub spin,cache off,cache off unbatched"]
    env = {**os.environ, "SPIN_MS": "1"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    report = result.stdout
    runs = [line for line in report.splitlines() if line.startswith("run 1 ")]
    bots = [line for line in runs if "replies," in line]
    assert len(bots) == 4 and all("8/8 replies, exactly once: True" in b for b in bots), report
    assert all("in main threads)" in b for b in bots), report
    assert any("engine alone:" in line for line in runs), report
    assert sum("engine in the bot" in b for b in bots) == 2, report  # both cache-off bots
    assert sum("answers per batch" in b for b in bots) == 1, report  # the batched one
    assert "ms CPU per answer on the same messages (fresh process, cache off)" in report
    assert "cache off less engine alone less stub, per run:" in report


@pytest.mark.slow
def test_reply_caches_reports_every_mode():
    command = [sys.executable, str(ROOT / "bench" / "reply_caches.py"), "--replies", "8"]
    result = subprocess.run(
        [*command, "--rounds", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == [
        "tight",
        "real",
        "engine between",
        "8 MB between",
        "batches of 4",
        "engine alone",
    ]
    assert all(("channel" in line) != line.strip().startswith("engine alone") for line in lines)


@pytest.mark.slow
def test_reply_cachesim_runs_every_mode_without_valgrind():
    # Under valgrind a run takes minutes; each mode's process is checked to run whole here.
    script = str(ROOT / "bench" / "reply_cachesim.py")
    for mode in ("alone", "inside", "replies", "stub"):
        command = [sys.executable, script, "--child", mode, "--replies", "2", "--no-valgrind"]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (mode, result.stderr)


def test_reply_cachesim_reads_callgrinds_totals(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from reply_cachesim import totals

    out = tmp_path / "callgrind.out"
    out.write_text(
        "version: 1\nevents: Ir Dr Dw I1mr D1mr\nsummary: 11 4 3 2 1\nfn=x\n0 5\n"
        "totals: 10 4 3 2 1\n"
    )
    assert totals(out) == {"Ir": 10, "Dr": 4, "Dw": 3, "I1mr": 2, "D1mr": 1}
