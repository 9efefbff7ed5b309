"""Engine speed and memory at scale, against naive rapidfuzz, on synthetic knowledge bases.

    python bench/engine_scale.py [--sizes 100,1000,10000,100000] [--queries 300]

Each size gets a generated knowledge base of varied Chinese FAQ entries (a standard question,
four similar questions, an answer), built in memory. Per size it reports index build time, peak
memory of the build and what the engine keeps, answer latency p50 / p99 over paraphrased queries with typos,
and the same queries through `rapidfuzz.process.extractOne(query, all_questions, scorer=WRatio)`.
Targets (issue #7), one core: p99 ≤ 1 ms at 1k and ≤ 15 ms at 100k; ≥ 10x faster than the naive
baseline from 10k up; build ≤ 5 s and ≤ 500 MB at 100k.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.engine.core import Engine
from bot.text.normalize import normalize

from synthetic import synthetic, typo


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def resident_mb() -> float:
    """The process's resident memory now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(size: int, queries: int) -> dict:
    """One size, meant to run in a fresh process so that its peak memory is its own."""
    rng = random.Random(size)
    knowledge = synthetic(size, rng)
    gc.collect()
    before, resident = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resident_mb()
    started = time.perf_counter()
    engine = Engine(knowledge, cache=0)
    build = time.perf_counter() - started
    # Growth of the process's peak resident memory (KiB on Linux) while building, and what the
    # finished engine keeps.
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    gc.collect()
    kept = resident_mb() - resident
    picks = [rng.choice(knowledge.entries) for _ in range(queries)]
    asked = [
        typo(rng.choice(entry.similar), rng) + rng.choice(["", "呢", "啊？"]) for entry in picks
    ]
    engine.answer(asked[0])
    latencies, right = [], 0
    for entry, question in zip(picks, asked, strict=True):
        begin = time.perf_counter()
        answer = engine.answer(question)
        latencies.append((time.perf_counter() - begin) * 1000)
        right += answer.candidates[:1] != () and answer.candidates[0].id == entry.id
    all_questions = [normalize(q) for entry in knowledge.entries for q in entry.questions]
    owners = [entry.id for entry in knowledge.entries for _ in entry.questions]
    naive, naive_right = [], 0
    for entry, question in list(zip(picks, asked, strict=True))[: max(20, queries // 5)]:
        begin = time.perf_counter()
        found = process.extractOne(normalize(question), all_questions, scorer=fuzz.WRatio)
        naive.append((time.perf_counter() - begin) * 1000)
        naive_right += owners[found[2]] == entry.id
    return {
        "size": size,
        "build_s": build,
        "peak_mb": peak,
        "kept_mb": kept,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "top1": right / len(picks),
        "naive_p50": statistics.median(naive),
        "naive_top1": naive_right / len(naive),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    print(
        f"{'entries':>8} {'build s':>8} {'peak MB':>8} {'kept MB':>8} {'p50 ms':>8} {'p99 ms':>8} {'top-1':>6} "
        f"{'naive p50':>10} {'naive top-1':>11} {'speed-up':>9}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            r = pool.submit(measure, size, args.queries).result()
        print(
            f"{r['size']:>8} {r['build_s']:>8.2f} {r['peak_mb']:>8.0f} {r['kept_mb']:>8.0f} "
            f"{r['p50']:>8.3f} {r['p99']:>8.3f} "
            f"{r['top1']:>6.1%} {r['naive_p50']:>10.3f} {r['naive_top1']:>11.1%} {r['naive_p50'] / r['p50']:>8.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
