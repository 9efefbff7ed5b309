"""What the CPU caches cost a reply: the Telegram channel's work and the engine's, in a tight loop
and interleaved, in one process with no network.

    python bench/reply_caches.py [--replies 250] [--rounds 5]

A plain question's whole reply path (`handlers.plain_question`: the conversation, the log's
record in its background writer, rendering, `ReplyBot.send_text` through python-telegram-bot's
`_do_post`, to the tests' in-process fake Bot API) is timed by the thread's CPU, with the
engine's own time taken out, in these modes, alternated in each round over the same messages
(bench/telegram_load.py's):

- `tight`: the stub's answer (one fixed answer at no cost), reply after reply;
- `real`: the engine's answers, its time taken out (and reported as the engine's);
- `engine between`: the stub's answer, an untimed engine answer before each reply;
- `8 MB between`: the stub's answer, 8 MB of memory written before each reply;
- `batches of N`: N engine answers in a row, then their N replies in a row
  (bot.channels.batching does this for questions ready at once);
- `engine alone`: the engine's answers in a tight loop, no replies.

If `engine between` and `8 MB between` cost the channel alike, and more than `tight`, the extra
is the channel's code and data evicted from the caches, not work the answers add (docs/
benchmarks.md, Telegram: the ninth pass's "unexplained" part of a cache-off reply).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram_load import questions  # noqa: E402

from bot.app import Service, settle_heap  # noqa: E402
from bot.channels.telegram import handlers  # noqa: E402
from bot.channels.telegram.app import build_application  # noqa: E402
from bot.channels.telegram.intake import PlainQuestion  # noqa: E402
from bot.engine.core import Engine  # noqa: E402
from bot.knowledge.model import load  # noqa: E402
from bot.log.writer import ExchangeLog  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support.botapi import TOKEN, FakeBotApi, OfflineRequest  # noqa: E402

BATCH = 4
MODES = ("tight", "real", "engine between", "8 MB between", f"batches of {BATCH}", "engine alone")


class TimedEngine:
    """The engine, adding the CPU time of its answers to `spent`; or, with `fixed`, the stub:
    that answer for every question, at no cost."""

    def __init__(self, engine: Engine, fixed=None) -> None:
        self.engine, self.knowledge, self.fixed, self.spent = engine, engine.knowledge, fixed, 0.0

    def answer(self, question: str):
        if self.fixed is not None:
            return self.fixed
        started = time.thread_time()
        try:
            return self.engine.answer(question)
        finally:
            self.spent += time.thread_time() - started

    def __getattr__(self, name: str):
        return getattr(self.engine, name)


async def measure(replies: int, rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    engine = Engine(load(ROOT / "knowledge"), cache=0)
    timed = TimedEngine(engine)
    stub = TimedEngine(engine, engine.answer("复工复产去哪个窗口办理"))
    asked = questions(replies + 10 * rounds, random.Random(14))
    memory = np.zeros(8 * 1024 * 1024 // 8)
    settings = Settings(token=TOKEN, send_rate=0, user_limit=0, watch_interval=0)
    with tempfile.TemporaryDirectory() as folder:
        log = ExchangeLog.open(Path(folder) / "log.sqlite3", "bench", background=True)
        apps = {}
        for name, answering in (("stub", stub), ("real", timed)):
            service = Service(ROOT / "knowledge", answering, log)  # type: ignore[arg-type]
            apps[name] = build_application(settings, service, request=OfflineRequest(FakeBotApi()))
            await apps[name].initialize()
        settle_heap()
        results: dict[str, tuple[list[float], list[float]]] = {m: ([], []) for m in MODES}
        for number in range(rounds):
            messages = asked[10 * number : 10 * number + replies]
            for mode in MODES:
                channel, timed.spent = 0.0, 0.0
                app = apps["real" if mode == "real" else "stub"]
                groups = [messages[i : i + BATCH] for i in range(0, replies, BATCH)]
                if not mode.startswith("batches"):
                    groups = [[m] for m in messages]
                chat = 0  # every message its own chat: no clarify list taken for a pick
                for group in groups:
                    if mode.startswith("batches") or mode == "engine alone":
                        for text in group:
                            timed.answer(text)
                    if mode == "engine alone":
                        continue
                    for text in group:
                        chat += 1
                        if mode == "engine between":
                            engine.answer(text)
                        elif mode == "8 MB between":
                            np.add(memory, 1, out=memory)
                        before, started = timed.spent, time.thread_time()
                        await handlers.plain_question(app, PlainQuestion(chat, chat, text))
                        channel += time.thread_time() - started - (timed.spent - before)
                results[mode][0].append(channel * 1e6 / replies)
                results[mode][1].append(timed.spent * 1e6 / replies)
        for app in apps.values():
            await app.shutdown()
        log.close()
    return results


def spread(values: list[float]) -> str:
    return f"{min(values):,.0f} / {statistics.median(values):,.0f} / {max(values):,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=250, help="replies per mode and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = asyncio.run(measure(args.replies, args.rounds))
    print(
        f"{args.replies} replies per mode, {args.rounds} rounds, modes alternated; load average "
        f"(1 min) {load_before:.1f}; CPU µs per reply, min / median / max over rounds:"
    )
    for mode, (channel, engine) in results.items():
        line = f"  {mode:>15}: "
        line += f"channel {spread(channel)}" if mode != "engine alone" else " " * 8
        if max(engine) > 0:
            line += f"   engine {spread(engine)}"
        print(line)


if __name__ == "__main__":
    main()
