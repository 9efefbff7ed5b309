"""What recording an exchange costs a reply: ExchangeLog.record on a real SQLite file, written
by the writer thread one commit per row and waited for (`wait`, the terminal commands; the
baseline), and handed over in the background with up to 50 rows per commit (`background`,
the bot).

    python bench/log_write.py [--count N] [--runs 3]

For each mode, three runs: the caller's time per record (p50, p99, max: what a reply waits)
and the process's CPU time per record, until every row is committed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bot.engine.core import Engine
from bot.engine.evaluation import load_cases
from bot.knowledge.model import load
from bot.log.writer import ExchangeLog


def one_run(answers: list, version: str, count: int, background: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        log = ExchangeLog.open(Path(folder) / "bench.sqlite3", salt="bench", background=background)
        timings = []
        cpu = time.process_time()
        for n in range(count):
            started = time.perf_counter()
            log.record(answers[n % len(answers)], "bench", version, "private", n % 500)
            timings.append((time.perf_counter() - started) * 1000)
        log.flush()
        cpu = time.process_time() - cpu
        log.close()
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p99": timings[int(0.99 * (len(timings) - 1))],
        "max": timings[-1],
        "cpu": cpu / count * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    knowledge = load("knowledge")
    engine = Engine(knowledge)
    answers = [engine.answer(c.question) for c in load_cases(Path("knowledge/eval/dev.yaml"))]
    results: dict[str, list[dict]] = {"wait": [], "background": []}
    for _ in range(args.runs):  # interleaved, so both modes see the same machine load
        for mode in results:
            results[mode].append(
                one_run(answers, knowledge.version, args.count, mode == "background")
            )
    print(f"{args.count} exchanges per run, {args.runs} runs; ms per record, min/median/max")
    for field in ("p50", "p99", "max", "cpu"):
        line = []
        for mode, runs in results.items():
            values = sorted(run[field] for run in runs)
            line.append(f"{mode} {values[0]:.3f}/{statistics.median(values):.3f}/{values[-1]:.3f}")
        ratio = statistics.median(r[field] for r in results["background"]) / statistics.median(
            r[field] for r in results["wait"]
        )
        print(f"{field:4}: " + "  ".join(line) + f"  background/wait {ratio:.2f}")
    answer_p50 = statistics.median(a.took_ms for a in answers)
    print(f"for scale, answering p50: {answer_p50:.3f} ms")


if __name__ == "__main__":
    main()
