"""What a large build costs the machine in memory: the building process's resident growth plus
its forked children's private pages, sampled together, from outside, every few milliseconds.

    python bench/machine_memory.py [--size 100000] [--runs 3] [--server]

engine_scale's peak is the building process's own (`ru_maxrss`): it misses what its forked
children hold, and a child's own peak counts the pages it shares with the parent. Here a
separate process builds engine_scale's knowledge (bench/synthetic.py) with the collector paused,
and this one samples, at the same instant, the builder's resident memory less what it held
before the build, plus each child's (and grandchild's) Private_Clean + Private_Dirty
(/proc/PID/smaps_rollup): pages two processes share count once, in the builder. Not a thread
inside the builder: with a second thread running it would not fork (`bot.engine._forked`).
A sample takes ~1 ms of CPU; a run prints the peak of the sum and its two parts there, and the
peaks of each alone; the report gives min / median / max over runs. `--server`: then readied,
as a server's start does (`build_engine(..., ready=True)`: the spelling tables, `Engine.ready`).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _resident(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE_MB


def _private(pid: int) -> float:
    """A process's pages no other process maps, in MB (0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            kb = sum(int(line.split()[1]) for line in rollup if line.startswith("Private_"))
    except OSError:
        return 0.0
    return kb / 1024


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += map(int, children.read().split())
        except OSError:
            pass
    return found + [grand for child in found for grand in _descendants(child)]


def _build(size: int, server: bool) -> None:
    """The builder: makes the knowledge, says so, builds when told (as a server, readied),
    says so."""
    from bot.engine.core import Engine
    from bot.knowledge.bulk import paused_gc

    from synthetic import synthetic

    knowledge = synthetic(size, random.Random(size))
    gc.collect()
    print("ready", flush=True)
    sys.stdin.readline()
    with paused_gc():
        engine = Engine(knowledge, cache=0)
        if server:
            engine.ready()
    print("built", flush=True)


def measure(size: int, server: bool = False, every: float = 0.002) -> dict[str, float]:
    """One build in a fresh process, sampled: peaks in MB of growth."""
    builder = subprocess.Popen(
        [sys.executable, __file__, "--build", str(size), *(["--server"] if server else [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent,
    )
    assert builder.stdin is not None and builder.stdout is not None
    assert builder.stdout.readline() == "ready\n"
    before = _resident(builder.pid)
    out = builder.stdout
    waiting = threading.Thread(target=out.readline)  # ("built", or nothing if it failed)
    builder.stdin.write("go\n")
    builder.stdin.flush()
    waiting.start()
    peaks = dict.fromkeys(("machine", "builder then", "children then", "builder", "children"), 0.0)
    while waiting.is_alive():
        children = sum(map(_private, _descendants(builder.pid)))
        grown = _resident(builder.pid) - before
        if grown + children > peaks["machine"]:
            peaks.update({"machine": grown + children, "builder then": grown})
            peaks["children then"] = children
        peaks["builder"] = max(peaks["builder"], grown)
        peaks["children"] = max(peaks["children"], children)
        time.sleep(every)
    waiting.join()
    builder.stdin.close()
    if builder.wait():
        raise RuntimeError("the build failed")
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes")
    parser.add_argument("--server", action="store_true", help="built as a server, readied")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # (the builder's side)
    args = parser.parse_args()
    if args.build is not None:
        _build(args.build, args.server)
        return
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    runs = [measure(args.size, args.server) for _ in range(args.runs)]
    print(f"{args.size} entries, MB of growth, min / median / max of {args.runs} runs:")
    for key in runs[0]:
        values = sorted(run[key] for run in runs)
        shown = (values[0], statistics.median(values), values[-1])
        print(f"    {key:>14}: " + " / ".join(f"{value:.0f}" for value in shown), flush=True)
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
