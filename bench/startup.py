"""Start-up: from process start to the first answer, for the shipped knowledge and a large one.

    python bench/startup.py [--sizes 100000] [--runs 3]

Runs `policybot --knowledge DIR ask QUESTION` as a fresh process and times it from spawn to
exit (interpreter start, imports, reading and checking the YAML, building the engine, answering,
printing). The large knowledge is the shipped one plus generated entries written as an ordinary
knowledge file (bench/synthetic.py), so it goes through exactly what an admin's files go
through. The first start finds an empty engine cache (bot/cache.py); the later ones find the
engine it saved. A separate in-process run splits a first start into import, the word
segmenter's dictionary (rjieba, loaded once per process: by the build, or with an engine cache by
the first question), load and build.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from synthetic import DOCUMENT, templated

QUESTION = "复工复产去哪个窗口办理"
# As a serving start does it (bot.engine.cache.build_engine): collector paused, large files read
# without line numbers.
STAGES = """
import time; started = time.perf_counter()
from bot.engine.core import Engine; from bot.knowledge.model import load
from bot.knowledge.bulk import paused_gc
from bot.text import words
imported = time.perf_counter()
words.load(); segmenter = time.perf_counter()
with paused_gc():
    knowledge = load({directory!r}, lines=False); loaded = time.perf_counter()
    engine = Engine(knowledge); built = time.perf_counter()
engine.answer({question!r})
answered = time.perf_counter()
print(imported - started, segmenter - imported, loaded - segmenter, built - loaded, answered - built)
"""


def enlarged(shipped: Path, extra: int, folder: Path) -> Path:
    """A copy of the shipped knowledge with `extra` generated entries in one more file."""
    target = folder / f"knowledge-{extra}"
    shutil.copytree(shipped, target, ignore=shutil.ignore_patterns("eval"))
    entries = [
        {
            "id": e.id,
            "question": e.question,
            "similar": list(e.similar),
            "answer": e.answer,
            "source": {"document": DOCUMENT.id, "quote": e.source.quote},
        }
        for e in templated(extra, random.Random(5))
    ]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with open(target / "faq" / "99-synthetic.yaml", "w", encoding="utf-8") as handle:
        yaml.dump(
            {"category": "合成", "entries": entries}, handle, Dumper=dumper, allow_unicode=True
        )
    (target / "sources" / f"{DOCUMENT.id}.txt").write_text(DOCUMENT.text, encoding="utf-8")
    header = {"title": DOCUMENT.title, "date": DOCUMENT.date}
    (target / "sources" / f"{DOCUMENT.id}.yaml").write_text(
        yaml.safe_dump(header, allow_unicode=True), encoding="utf-8"
    )
    return target


def first_answer(directory: Path, runs: int, cache: Path) -> tuple[float, float, list[float]]:
    """Wall time of a fresh `policybot ask` with an empty engine cache, the median of `runs`
    more with the cache it left, and the in-process stages of a start without any cache."""
    command = [sys.executable, "-m", "bot", "--knowledge", str(directory), "ask", QUESTION]
    env = {**os.environ, "POLICYBOT_CACHE": str(cache)}
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        times.append(time.perf_counter() - started)
        assert "复工复产专窗" in done.stdout, done.stdout
    script = STAGES.format(directory=str(directory), question=QUESTION)
    stages = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    return times[0], statistics.median(times[1:]), [float(s) for s in stages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    parser.add_argument(
        "--reuse", help="a folder to keep the generated knowledge in between runs (made once)"
    )
    parser.add_argument(
        "--sizes", default="100000", help="generated entries to add, comma-separated"
    )
    parser.add_argument("--runs", type=int, default=2, help="starts after the first")
    args = parser.parse_args()
    print(
        f"{'knowledge':>24} {'first start s':>14} {'next starts s':>14} {'import s':>9} "
        f"{'segmenter s':>12} {'load s':>8} {'build s':>8} {'answer s':>9}"
    )
    with tempfile.TemporaryDirectory() as folder:
        cases = [("shipped", Path(args.knowledge))]
        kept = Path(args.reuse) if args.reuse else Path(folder)
        for extra in (int(size) for size in args.sizes.split(",") if size):
            made = kept / f"knowledge-{extra}"
            if not (args.reuse and made.is_dir()):
                made = enlarged(Path(args.knowledge), extra, kept)
            cases.append((f"shipped + {extra:,}", made))
        for name, directory in cases:
            cache = Path(folder) / f"cache-{directory.name}"
            cold, warm, stages = first_answer(directory, args.runs, cache)
            print(
                f"{name:>24} {cold:>14.2f} {warm:>14.2f} {stages[0]:>9.2f} {stages[1]:>12.2f} "
                + " ".join(f"{s:>8.2f}" for s in stages[2:]),
                flush=True,
            )


if __name__ == "__main__":
    main()
