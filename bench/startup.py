"""Start-up: from process start to the first answer, for the shipped knowledge and a large one.

    python bench/startup.py [--sizes 100000] [--runs 3]

Runs `policybot --knowledge DIR ask QUESTION` as a fresh process and times it from spawn to
exit (interpreter start, imports, reading and checking the YAML, building the engine, answering,
printing). The large knowledge is the shipped one plus generated entries written as an ordinary
knowledge file (bench/synthetic.py), so it goes through exactly what an admin's files go
through. `--runs` starts find an empty engine cache (bot/engine/cache.py), then `--runs` more
find the engine saved; each is timed in wall and in CPU seconds of the started process (on a
shared machine, wall time is mostly the others' load; the child processes the bot forks and
waits for count in its CPU). A start without the cache leaves saving the engine to a child it
does not wait for (`save_aside`): the answer is timed to the bot's exit, and the whole to the
saver's, whose CPU is counted too (this script is made the orphaned saver's parent, a Linux
"child subreaper", and waits for it). Separate in-process runs split a start without cache into import,
the word segmenter's dictionary (rjieba, loaded once per process: by the build, or with an
engine cache by the first question), read and check, build (with the CPU of the child
processes it forks, also given apart) and answer, and a start with the cache into import,
reading the files (and hashing them for the version the cache is named by), reading the cache
(signature and unpickling), the segmenter and answer, in CPU seconds, and then what a server
(`serve`, `run`) does besides before it serves: `Engine.ready`, the pinyin and initials tables
(bot.engine.spelled) that `ask` reads only for a question with Latin letters (from the engine
cache, where its saver put them).

The bot's own modules are compiled to bytecode first, as installing it does (`pip install`
writes every module's `.pyc`): a checkout run with PYTHONDONTWRITEBYTECODE set (as here)
would otherwise compile all of them in every start, ~0.2 s of CPU that no installed bot pays.
"""

from __future__ import annotations

import argparse
import compileall
import ctypes
import os
import random
import resource
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
import time; started = time.process_time()
from bot.engine.core import Engine; from bot.knowledge.model import load
from bot.knowledge.bulk import paused_gc
from bot.text import words
imported = time.process_time()
words.load(); segmenter = time.process_time()
import os
def children():  # CPU of the child processes a build forks and waits for
    times = os.times(); return times.children_user + times.children_system
with paused_gc():
    knowledge = load({directory!r}, lines=False); loaded = time.process_time(); forked = children()
    engine = Engine(knowledge); built = time.process_time(); forked = children() - forked
engine.answer({question!r})
answered = time.process_time()
print(imported - started, segmenter - imported, loaded - segmenter, built - loaded + forked, forked,
      answered - built)
"""
# A start with the engine cache, as `policybot ask` makes one (bot.channels.cli.common), the
# snapshot read first to time it apart.
CACHED_STAGES = """
import time; started = time.process_time()
import bot.channels.cli.main
from pathlib import Path
from bot.channels.cli.common import engine_cache
from bot.engine.cache import build_engine
from bot.knowledge.model import snapshot_of
from bot.settings import Settings
from bot.text import words
imported = time.process_time()
snapshot = snapshot_of(Path({directory!r})); snapshot.version; read = time.process_time()
engine = build_engine(snapshot, engine_cache(Settings.resolve()))
cached = time.process_time()
words.load(); segmenter = time.process_time()
engine.answer({question!r})
answered = time.process_time()
engine.ready(); readied = time.process_time()
print(imported - started, read - imported, cached - read, segmenter - cached, answered - segmenter,
      readied - answered)
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


def timed(command: list[str], env: dict) -> tuple[float, float, float, float]:
    """Wall and CPU seconds (user + system) of one run of `command` to its exit, then to the
    exit of the engine cache saver it leaves (both the same when it leaves none)."""

    def cpu() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    before = cpu()
    started = time.perf_counter()
    # stderr to a file: a pipe would stay open while the saver, which keeps it, writes.
    with tempfile.TemporaryFile() as errors:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
        answered, answer_cpu = time.perf_counter() - started, cpu() - before
        while True:  # the saver, whose parent has exited: this process's child now
            try:
                os.wait()
            except ChildProcessError:
                break
        errors.seek(0)
        assert done.returncode == 0, errors.read()
    assert "复工复产专窗" in done.stdout, done.stdout
    return answered, answer_cpu, time.perf_counter() - started, cpu() - before


def first_answer(
    directory: Path, runs: int, cache: Path
) -> tuple[list, list, list[float], list[float]]:
    """`timed` of `runs` fresh `policybot ask` with an empty engine cache, of `runs` more with
    the cache they left, and the in-process stages (CPU s) of a start without any cache and of
    one with the cache."""
    command = [sys.executable, "-m", "bot", "--knowledge", str(directory), "ask", QUESTION]
    env = {**os.environ, "POLICYBOT_CACHE": str(cache)}
    cold = []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(timed(command, env))
    warm = [timed(command, env) for _ in range(runs)]
    script = STAGES.format(directory=str(directory), question=QUESTION)
    stages = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    script = CACHED_STAGES.format(directory=str(directory), question=QUESTION)
    cached = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    return cold, warm, [float(s) for s in stages], [float(s) for s in cached]


def adopt_orphans() -> None:
    """Become the parent of any process a child leaves behind (Linux's PR_SET_CHILD_SUBREAPER),
    so that the bot's cache saver is waited for and its CPU counted."""
    if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def spread(values: list[float]) -> str:
    """min / median / max."""
    ordered = sorted(values)
    return "/".join(f"{v:.2f}" for v in (ordered[0], statistics.median(ordered), ordered[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", default="knowledge")
    parser.add_argument(
        "--reuse", help="a folder to keep the generated knowledge in between runs (made once)"
    )
    parser.add_argument(
        "--sizes", default="100000", help="generated entries to add, comma-separated"
    )
    parser.add_argument("--runs", type=int, default=3, help="starts of each kind")
    args = parser.parse_args()
    adopt_orphans()
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "bot", quiet=1)
    print("min/median/max over runs; CPU s is the started process's own (the machine is shared)")
    print("the bot's modules compiled to bytecode first, as an install does")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
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
            cold, warm, stages, cached = first_answer(directory, args.runs, cache)
            print(name, flush=True)
            for label, runs in (("first start (no engine cache)", cold), ("with the cache", warm)):
                walls, cpus, all_walls, all_cpus = zip(*runs, strict=True)
                print(f"    {label:>30}: wall {spread(walls)} s, CPU {spread(cpus)} s")
                if all_cpus != cpus:
                    print(
                        f"    {'with the cache saved':>30}: wall {spread(all_walls)} s,"
                        f" CPU {spread(all_cpus)} s (the bot and its saver)"
                    )
            print(
                "    {:>30}: import {:.2f}, segmenter {:.2f}, read and check {:.2f}, build {:.2f}"
                " ({:.2f} of it in child processes), answer {:.2f}".format(
                    "one start in process, CPU s", *stages
                ),
            )
            print(
                "    {:>30}: import {:.2f}, read files {:.2f}, read cache {:.2f}, segmenter {:.2f},"
                " answer {:.2f}; a server's ready {:.2f}".format(
                    "one with the cache, CPU s", *cached
                ),
                flush=True,
            )
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
