"""What recording an exchange costs a reply: ExchangeLog.record latency on a real SQLite file.

    python bench/log_write.py [--count N] [--db PATH]

Each record is one committed transaction (WAL, synchronous=NORMAL), exactly as in the bot.
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
from bot.log.store import ExchangeLog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--db", default=None, help="default: a new file in a temporary directory")
    args = parser.parse_args()
    knowledge = load("knowledge")
    engine = Engine(knowledge)
    questions = [c.question for c in load_cases(Path("knowledge/eval/dev.yaml"))]
    answers = [engine.answer(q) for q in questions]
    with tempfile.TemporaryDirectory() as folder:
        log = ExchangeLog.open(args.db or Path(folder) / "bench.sqlite3", salt="bench")
        timings = []
        for n in range(args.count):
            started = time.perf_counter()
            log.record(answers[n % len(answers)], "bench", knowledge.version, "private", n % 500)
            timings.append((time.perf_counter() - started) * 1000)
        log.close()
    timings.sort()
    answer_p50 = statistics.median(a.took_ms for a in answers)
    print(f"exchanges written: {args.count}")
    print(f"record p50:  {statistics.median(timings):7.3f} ms")
    print(f"record p99:  {timings[int(0.99 * (len(timings) - 1))]:7.3f} ms")
    print(f"record max:  {timings[-1]:7.3f} ms")
    print(f"for scale, answering p50: {answer_p50:.3f} ms")


if __name__ == "__main__":
    main()
