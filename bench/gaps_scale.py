"""`policybot gaps` over a large log: 100,000 exchanges, tens of thousands of them unanswered.

    python bench/gaps_scale.py [--exchanges 100000] [--runs 3] [--baseline 2000]

Writes a log of generated exchanges (government-service questions from bench/synthetic.py, with
input-method typos, drawn so that popular questions repeat as they do in real traffic; 60%
answered, 30% fallback, 10% clarify, all within the last week), then times the real command
(`policybot gaps --format csv`, a fresh process each run: start-up, reading the log,
normalizing, clustering, the nearest entry of every cluster) and reports min/median/max.

Baseline, in the same run: the clustering this replaced (each question compared with every
cluster leader) against the current one, as a ratio, on `--baseline` distinct questions about
different subjects (most lead a cluster of their own: the old one's worst case, which made
4,000 such questions take 65 s); the old one is quadratic, so it is not run on the whole log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.engine.core import Engine
from bot.engine.features import GENERIC_CHARS, spoken
from bot.knowledge.model import load
from bot.log import gaps as gaps_module
from bot.log.gaps import SIMILAR, cluster
from bot.log.store import Exchange, SQLiteStore

from synthetic import ACTIONS, PLACES, SUBJECTS, WHO, typo

ROOT = Path(__file__).resolve().parent.parent


def words() -> list[str]:
    """Two-character words of the shipped policy document (营商, 审批, 项目, …), most frequent
    first: subjects enough for thousands of different questions, as a real log has."""
    counts: Counter = Counter()
    for path in (ROOT / "knowledge" / "sources").glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        for a, b in itertools.pairwise(text):
            if all("\u4e00" <= c <= "\u9fff" and c not in GENERIC_CHARS for c in (a, b)):
                counts[a + b] += 1
    return [word for word, _ in counts.most_common(1500)]


def questions(rng: random.Random) -> list[str]:
    """Distinct questions people might type, in a few frames, some with typos: the benchmark
    subjects (营业执照, 公积金, …) with every place and asker, and two-word subjects from the
    policy document."""
    pool = []
    for subject in SUBJECTS:
        for action in ACTIONS:
            for place in PLACES:
                for who in WHO:
                    pool.append(f"{who}在{place}{subject}{action}")
    vocabulary = words()
    for _ in range(len(pool)):
        subject = rng.choice(vocabulary) + rng.choice(vocabulary)
        pool.append(
            rng.choice([f"{subject}{rng.choice(ACTIONS)}", f"我是{rng.choice(WHO)}，{subject}"])
        )
    pool = [typo(text, rng) if rng.random() < 0.2 else text for text in pool]
    rng.shuffle(pool)
    return pool


def write_log(path: Path, count: int, rng: random.Random, engine: Engine) -> None:
    """The log as the bot writes it: nine exchanges in ten answered by the knowledge in use,
    with the candidates the engine found (one in ten by an older version)."""
    pool = questions(rng)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(pool))]  # popular ones repeat
    drawn = rng.choices(pool, weights, k=count)
    now = dt.datetime.now(dt.UTC)
    # In time order, as the bot writes them.
    moments = sorted(now - dt.timedelta(minutes=rng.uniform(1, 6 * 24 * 60)) for _ in drawn)
    store = SQLiteStore(path)
    rows = []
    found = {
        question: [{"id": c.id, "score": round(c.score, 4)} for c in engine.candidates(question)]
        for question in set(drawn)
    }
    for number, (question, at) in enumerate(zip(drawn, moments, strict=True)):
        status = rng.choices(["answered", "fallback", "clarify"], [6, 3, 1])[0]
        current = rng.random() < 0.9
        exchange = Exchange(
            id=f"ex{number}",
            at=at.isoformat(timespec="milliseconds"),
            channel="telegram",
            chat_type="private",
            user_key=f"u{rng.randrange(20000)}",
            question=question,
            status=status,
            entry_id=None,
            score=0.3,
            candidates=found[question] if current else [],
            latency_ms=1.0,
            knowledge_version=engine.knowledge.version if current else "older",
        )
        rows.append(
            {
                **exchange.__dict__,
                "candidates": json.dumps(exchange.candidates),
                "also": json.dumps(exchange.also),
            }
        )
    columns = ", ".join(rows[0])
    marks = ", ".join(f":{name}" for name in rows[0])
    with store.db:
        store.db.executemany(f"INSERT INTO exchanges ({columns}) VALUES ({marks})", rows)
    store.close()


def quadratic(exchanges: list[Exchange], engine: Engine) -> int:
    """The clustering before: every distinct shape scored against every leader so far."""
    by_shape: dict[str, list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        text = engine.prepare(exchange.question).replace(" ", "")
        pairs = " ".join(text[i : i + 2] for i in range(max(1, len(text) - 1)))
        by_shape[f"{pairs} | {spoken(text)}"].append(exchange)
    leaders: list[str] = []
    for shape in sorted(by_shape, key=lambda s: (-len(by_shape[s]), s)):
        if not process.extractOne(
            shape, leaders, scorer=fuzz.token_set_ratio, score_cutoff=SIMILAR
        ):
            leaders.append(shape)
    return len(leaders)


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def cpu_timed(call) -> float:
    started = time.process_time()
    call()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=2000, metavar="DISTINCT")
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "log.sqlite3"
        engine = Engine(load(ROOT / "knowledge"))
        write_log(db, args.exchanges, rng, engine)
        store = SQLiteStore(db)
        gaps = [e for e in store.exchanges() if e.status != "answered"]
        store.close()
        distinct = len({e.question for e in gaps})
        print(f"log: {args.exchanges} exchanges, {len(gaps)} unanswered, {distinct} distinct")

        command = [sys.executable, "-m", "bot", "--knowledge", str(ROOT / "knowledge")]
        command += ["--db", str(db), "gaps", "--format", "csv", "--out", str(Path(folder) / "g")]
        times, cpu = [], []
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(timed(lambda: subprocess.run(command, check=True, capture_output=True)))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        # On a shared machine the wall time counts other people's work too; CPU time does not.
        print(
            f"policybot gaps, {args.runs} runs, wall: min {min(times):.2f} s, "
            f"median {statistics.median(times):.2f} s, max {max(times):.2f} s; CPU: min "
            f"{min(cpu):.2f} s, median {statistics.median(cpu):.2f} s, max {max(cpu):.2f} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )

        # The case that made the old clustering slow: thousands of questions about different
        # things, so that nearly every one leads a cluster of its own.
        vocabulary = words()
        diverse = list(
            dict.fromkeys(
                "".join(rng.choice(vocabulary) for _ in range(3)) for _ in range(args.baseline * 2)
            )
        )[: args.baseline]
        subset = [
            replace(gaps[0], id=f"b{n}", question=q, candidates=[], knowledge_version="older")
            for n, q in enumerate(diverse)
        ]
        engine = Engine(load(ROOT / "knowledge"))
        old = cpu_timed(lambda: quadratic(subset, engine))
        engine = Engine(load(ROOT / "knowledge"))  # no answers cached from the old run
        nearest, gaps_module._nearest = gaps_module._nearest, lambda *_: {}  # like for like
        new = cpu_timed(lambda: cluster(subset, engine))
        gaps_module._nearest = nearest
        whole = cpu_timed(lambda: cluster(subset, engine))
        print(
            f"baseline on {len(subset)} distinct questions about different things, CPU time of "
            f"the clustering: before {old:.2f} s, now {new:.2f} s, {old / new:.0f}x faster "
            f"(now with each cluster's nearest entry searched anew: {whole:.2f} s)"
        )


if __name__ == "__main__":
    main()
