"""The engine inside the Telegram reply path and alone, and the channel's work around it, counted
by callgrind's cache simulation: instructions and cache misses, which this shared host's wall
and CPU clocks cannot settle.

    python bench/reply_cachesim.py [--replies 300]

Each mode is one process under `valgrind --tool=callgrind --cache-sim=yes` (the knowledge
loaded and the engine built uninstrumented; instrumentation switched on once the heap is
settled, then ten unmeasured answers or replies to fill the simulated caches), on the first
`--replies` messages of bench/telegram_load.py, with the answer cache off:

- `engine alone`: the engine's answers one after the other (telegram_load.py's engine alone);
- `engine inside`: a plain question's whole reply path (`handlers.plain_question`: the
  conversation, the log's record and its writer thread, rendering, `ReplyBot.send_text` to the
  tests' in-process fake Bot API), only the engine's answers counted;
- `replies`: the same replies, all of it counted, the writer thread's commits too (callgrind
  toggles per thread: `ExchangeLog._write` counted there);
- `stub replies`: the same with the stub engine (one fixed answer at no cost), all counted.

Only what runs inside `functools.reduce` is counted (`--toggle-collect`), so each mode wraps what
it measures in it. `replies` less `engine inside` is the channel's work with real answers
between replies, to set beside `stub replies`; `engine inside` against `engine alone` is what the
channel's work between answers costs the engine. The simulated caches are one core's: I1 and
D1 32 KB, LL 512 KB (this host's L2 per core; the shared L3 is not simulated). The misses are
counted, not timed: an LL miss here is a read from the L3 or memory, tens to hundreds of cycles.
No network, rate, stand-in process or preemption: the load's own effects are not here
(docs/benchmarks.md, Telegram).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram_load import questions  # noqa: E402

from bot.app import Service, settle_heap  # noqa: E402
from bot.channels.telegram import handlers  # noqa: E402
from bot.channels.telegram.app import build_application  # noqa: E402
from bot.channels.telegram.intake import PlainQuestion  # noqa: E402
from bot.engine.core import Answer, Engine  # noqa: E402
from bot.knowledge.model import load  # noqa: E402
from bot.log.writer import ExchangeLog  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support.botapi import TOKEN, FakeBotApi, OfflineRequest  # noqa: E402

MODES = {
    "engine alone": "alone",
    "engine inside": "inside",
    "replies": "replies",
    "stub replies": "stub",
}
WARM = 10  # unmeasured answers or replies after the instrumentation is on
LOAD = 2000  # bench/telegram_load.py's messages (100 users x 20): the first are measured
CACHES = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=524288,8,64"]
VALGRIND = [
    "valgrind",
    "--tool=callgrind",
    "--cache-sim=yes",
    *CACHES,
    "--instr-atstart=no",
    "--collect-atstart=no",
    "--toggle-collect=functools_reduce",
]
EVENTS = ("Ir", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw")


def counted(work):
    """`work()`, counted by callgrind (the only call of `functools.reduce` in what is measured:
    the engine and the reply path call none)."""
    return functools.reduce(lambda _, __: work(), [0, 1])


def instrument(under_valgrind: bool) -> None:
    """Switch callgrind's instrumentation on for this process (the build ran without it)."""
    if under_valgrind:
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
        time.sleep(3)  # valgrind reads the command between blocks: let it


class Counted:
    """The engine as the Service sees it, its answers counted (`inside`) or not; or the stub:
    one fixed answer at no cost."""

    def __init__(self, engine: Engine, count: bool, fixed: Answer | None = None) -> None:
        self.engine, self.knowledge, self.count, self.fixed = engine, engine.knowledge, count, fixed

    def answer(self, question: str) -> Answer:
        if self.fixed is not None:
            return self.fixed
        if self.count:
            return counted(lambda: self.engine.answer(question))
        return self.engine.answer(question)

    def __getattr__(self, name: str):
        return getattr(self.engine, name)


def child(mode: str, replies: int, under_valgrind: bool) -> None:
    """One mode's process: build, settle, instrument, warm, then the measured part."""
    messages = questions(LOAD, random.Random(14))  # the load's own, in its order
    asked, warm = messages[:replies], messages[replies : replies + WARM]
    engine = Engine(load(ROOT / "knowledge"), cache=0)
    engine.ready()
    if mode == "alone":
        settle_heap()
        instrument(under_valgrind)
        for text in warm:
            engine.answer(text)
        for text in asked:
            counted(lambda text=text: engine.answer(text))
        return
    fixed = engine.answer("复工复产去哪个窗口办理") if mode == "stub" else None
    answering = Counted(engine, count=False, fixed=fixed)
    settings = Settings(token=TOKEN, send_rate=0, user_limit=0, watch_interval=0)
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as folder:
        log = ExchangeLog.open(Path(folder) / "log.sqlite3", "bench", background=True)
        service = Service(ROOT / "knowledge", answering, log)  # type: ignore[arg-type]
        app = build_application(settings, service, request=OfflineRequest(FakeBotApi()))
        loop.run_until_complete(app.initialize())
        settle_heap()
        instrument(under_valgrind)

        async def reply(texts: list[str], first_chat: int) -> None:
            # every message its own chat: no clarify list taken for a pick
            for chat, text in enumerate(texts, start=first_chat):
                await handlers.plain_question(app, PlainQuestion(chat, chat, text))

        loop.run_until_complete(reply(warm, replies + 1))
        if mode == "inside":
            answering.count = True
            loop.run_until_complete(reply(asked, 1))
        else:
            write = log._write
            log._write = lambda batch: counted(lambda: write(batch))  # type: ignore[method-assign]
            counted(lambda: loop.run_until_complete(reply(asked, 1)))
            log.flush()
        loop.run_until_complete(app.shutdown())
        log.close()
    loop.close()


def totals(path: Path) -> dict[str, int]:
    """The events callgrind counted, from its output file's `events:` and `totals:` lines."""
    names: list[str] = []
    for line in path.read_text().splitlines():
        if line.startswith("events:"):
            names = line.split()[1:]
        elif line.startswith("totals:"):  # (not `summary:`, a few thousandths apart)
            return dict(zip(names, map(int, line.split()[1:]), strict=False))
    raise ValueError(f"no totals in {path}")


def measure(mode: str, replies: int, folder: Path) -> dict[str, int]:
    out = folder / f"callgrind.{mode}"
    command = [*VALGRIND, f"--callgrind-out-file={out}", sys.executable, __file__]
    command += ["--child", mode, "--replies", str(replies)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env)
    return totals(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=300)
    parser.add_argument("--child", choices=MODES.values(), help=argparse.SUPPRESS)
    parser.add_argument("--no-valgrind", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replies + WARM > LOAD:
        parser.error(f"at most {LOAD - WARM} replies")
    if args.child:
        child(args.child, args.replies, not args.no_valgrind)
        return
    with tempfile.TemporaryDirectory() as folder:
        found = {name: measure(mode, args.replies, Path(folder)) for name, mode in MODES.items()}
    print(
        f"{args.replies} messages of bench/telegram_load.py, cache off; callgrind, caches I1/D1 "
        "32 KB, LL 512 KB; per answer or reply: instructions, I1 misses, D1 misses (read + "
        "write), LL misses (instructions + read + write)"
    )
    found["channel with answers"] = {
        event: found["replies"][event] - found["engine inside"][event] for event in EVENTS
    }
    for name, events in found.items():
        per = {event: events.get(event, 0) / args.replies for event in EVENTS}
        print(
            f"  {name:>20}: {per['Ir'] / 1000:,.1f}k instructions, I1 {per['I1mr']:,.0f}, "
            f"D1 {per['D1mr']:,.0f} + {per['D1mw']:,.0f}, "
            f"LL {per['ILmr']:,.0f} + {per['DLmr']:,.0f} + {per['DLmw']:,.0f}"
        )


if __name__ == "__main__":
    main()
