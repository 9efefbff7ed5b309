"""Start-up and answer latency of the engine on the shipped knowledge, as a printed report.

    python bench/engine_speed.py [--knowledge DIR] [--rounds N]

Targets (issue #2): load + index well under 1 s; one answer well under 2 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bot.engine.core import Engine
from bot.engine.evaluation import load_cases
from bot.knowledge.model import load


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    started = time.perf_counter()
    knowledge = load(args.knowledge)
    loaded = time.perf_counter()
    engine = Engine(knowledge, cache=0)
    built = time.perf_counter()
    questions = [case.question for case in load_cases(Path(args.knowledge) / "eval" / "dev.yaml")]
    first = engine.answer(questions[0]).took_ms

    timings = []
    for _ in range(args.rounds):
        for question in questions:
            begin = time.perf_counter()
            engine.answer(question)
            timings.append((time.perf_counter() - begin) * 1000)

    print(f"knowledge: {len(knowledge.entries)} entries, {len(engine.index.texts)} questions")
    print(f"load + check:   {(loaded - started) * 1000:8.1f} ms")
    print(f"index build:    {(built - loaded) * 1000:8.1f} ms")
    print(f"first answer:   {first:8.3f} ms")
    print(f"answers timed:  {len(timings)} ({len(questions)} dev questions x {args.rounds})")
    print(f"latency p50:    {statistics.median(timings):8.3f} ms")
    print(f"latency p99:    {percentile(timings, 0.99):8.3f} ms")
    print(f"latency max:    {max(timings):8.3f} ms")
    cached = Engine(knowledge)
    for question in questions:
        cached.answer(question)
    repeated = [cached.answer(question).took_ms for question in questions]
    print(f"asked again:    {statistics.median(repeated):8.3f} ms p50 (answer cache)")


if __name__ == "__main__":
    main()
