"""Start-up and answer latency of the engine on the shipped knowledge, as a printed report.

    python bench/engine_speed.py [--knowledge DIR] [--rounds N] [--runs 3]

Targets (issue #12): p99 <= 2 ms per answer on one core. Each run answers every dev question
`--rounds` times with the answer cache off; the report gives each run's p50 / p99 / max, and
min / median / max over the runs. Wall time counts whatever else the machine runs (this one is
shared); the CPU time of the answering thread (`time.thread_time`) does not count waiting for
a core, so it is printed beside it with the load average. Each run also says what its slowest
1% were: how many searches of the index each made (a long message searches its asking clause
alone too, and a third time without its background if not answered), and how many fell back
(a fallback also tests the source passages): what p99 is made of.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bot.engine.core import FALLBACK, Engine
from bot.engine.evaluation import load_cases
from bot.knowledge.model import load

from tails import counting, said, slowest


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def spread(values: list[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    knowledge = load(args.knowledge)
    loaded = time.perf_counter()
    engine = Engine(knowledge, cache=0)
    built = time.perf_counter()
    questions = [case.question for case in load_cases(Path(args.knowledge) / "eval" / "dev.yaml")]
    first = engine.answer(questions[0]).took_ms

    print(f"knowledge: {len(knowledge.entries)} entries, {len(engine.index.texts)} questions")
    print(f"load + check:   {(loaded - started) * 1000:8.1f} ms")
    print(f"index build:    {(built - loaded) * 1000:8.1f} ms")
    print(f"first answer:   {first:8.3f} ms")
    print(f"load average (1 min) before the runs: {os.getloadavg()[0]:.1f}")
    # Each question's searches and status, from one pass (answers do not depend on the pass).
    with counting(engine) as taken:
        kinds = {question: (engine.answer(question).status, taken()) for question in questions}
    figures: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        wall, cpu = [], []
        for _ in range(args.rounds):
            for question in questions:
                begin, begin_cpu = time.perf_counter(), time.thread_time()
                engine.answer(question)
                cpu.append((time.thread_time() - begin_cpu) * 1000)
                wall.append((time.perf_counter() - begin) * 1000)
        row = {
            "wall p50": statistics.median(wall),
            "wall p99": percentile(wall, 0.99),
            "wall max": max(wall),
            "cpu p50": statistics.median(cpu),
            "cpu p99": percentile(cpu, 0.99),
        }
        for name, value in row.items():
            figures.setdefault(name, []).append(value)
        print(
            f"run {run}: {len(wall)} answers ({len(questions)} dev questions x {args.rounds}); "
            + ", ".join(f"{name} {value:.3f} ms" for name, value in row.items())
        )
        asked = [kinds[question] for question in questions] * args.rounds
        tail = slowest(cpu, [n for _, n in asked], [status == FALLBACK for status, _ in asked])
        print(f"       {said(tail)}")
    print(f"load average (1 min) after the runs: {os.getloadavg()[0]:.1f}")
    print("min / median / max over the runs:")
    for name, values in figures.items():
        print(f"  latency {name}: {spread(values)} ms")
    cached = Engine(knowledge)
    for question in questions:
        cached.answer(question)
    repeated = [cached.answer(question).took_ms for question in questions]
    print(f"asked again:    {statistics.median(repeated):8.3f} ms p50 (answer cache)")


if __name__ == "__main__":
    main()
