"""Replies per second and reply latency of the real Telegram bot, 100 users at once.

    python bench/telegram_load.py [--users 100] [--messages 20] [--concurrency 1,4] [--runs 3]
                                  [--profile]

The bot runs as it is deployed — `policybot run`, its own process — and long-polls the Bot API
stand-in from the tests (tests/support/botapi.py), served on 127.0.0.1 from this process, which answers
instantly. So the figures are the bot's own processing: python-telegram-bot's update handling
and HTTP round trips, the engine, the exchange log (SQLite on disk) and HTML rendering. Like
Telegram, the stand-in hands over at most 100 updates per getUpdates.

The global send rate is off (POLICYBOT_SEND_RATE=0): Telegram's own limit of ~30 messages/s
applies in production, and this measures what the bot could do without it. Reply latency runs
from the moment getUpdates hands an update to the bot to the moment its reply arrives, time
queued inside the bot included; "since the burst" adds the wait at the stand-in before that.
`--profile` records the bot with py-spy (if installed) into bench/telegram_load-N.svg.
Target (issue #7): ≥ 300 replies/s on this 2-core machine, every update answered exactly once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.evaluation import load_cases  # noqa: E402
from tests.support import updates  # noqa: E402
from tests.support.botapi import TOKEN, StandIn  # noqa: E402

PY_SPY = [s for s in os.environ.get("PY_SPY_ARGS", "").split() if s]
# Every question of the dev set, in-scope and not: a realistic mix, most of them distinct.
QUESTIONS = [case.question for case in load_cases(ROOT / "knowledge" / "eval" / "dev.yaml")]


def run(users: int, messages: int, concurrency: int, profile: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder, StandIn() as standin:
        api = standin.api
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": standin.base_url,
            "POLICYBOT_KNOWLEDGE": str(ROOT / "knowledge"),
            "POLICYBOT_DB": str(Path(folder) / "log.sqlite3"),
            "POLICYBOT_SEND_RATE": "0",
            "POLICYBOT_CONCURRENCY": str(concurrency),
            "POLICYBOT_USER_LIMIT": str(messages),
        }
        command = [sys.executable, "-m", "bot", "run"]
        if profile and shutil.which("py-spy"):
            output = ROOT / "bench" / f"telegram_load-{concurrency}.svg"
            command = ["py-spy", "record", "-o", str(output), *PY_SPY, "--", *command]
        bot = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        try:
            api.wait_for("setMyCommands", timeout=60)
            burst = [
                updates.private_text(QUESTIONS[(user + n) % len(QUESTIONS)], user_id=10_000 + user)
                for n in range(messages)
                for user in range(users)
            ]
            # A fresh stand-in numbers updates from 1, in the order pushed.
            burst_ids = [(u["message"]["chat"]["id"], n) for n, u in enumerate(burst, start=1)]
            started = time.perf_counter()
            api.push(*burst)
            while len(api.sent()) < len(burst) and time.perf_counter() - started < 120:
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
        finally:
            bot.send_signal(signal.SIGINT if profile else signal.SIGTERM)
            bot.wait(timeout=60)
        replies = api.sent()
        chats: dict[int, int] = {}
        for reply in replies:
            chats[reply["chat_id"]] = chats.get(reply["chat_id"], 0) + 1
        waited = [(call.at - started) * 1000 for call in api.calls if call.method == "sendMessage"]
        # The bot's own time: from getUpdates handing an update over to its reply. One chat's
        # replies come in the order of its messages, so the n-th reply answers the n-th message.
        handed: dict[int, list[float]] = {}
        for update in burst_ids:
            handed.setdefault(update[0], []).append(api.delivered[update[1]])
        answered: dict[int, list[float]] = {}
        for call in api.calls:
            if call.method == "sendMessage":
                answered.setdefault(int(call.params["chat_id"]), []).append(call.at)
        latency = [
            (reply - given) * 1000
            for chat, times in answered.items()
            for reply, given in zip(times, handed[chat], strict=False)
        ]
        return {
            "concurrency": concurrency,
            "updates": len(burst),
            "replies": len(replies),
            "exactly_once": all(count == messages for count in chats.values())
            and len(chats) == users,
            "per_second": len(replies) / elapsed,
            "p50": statistics.median(latency),
            "p99": sorted(latency)[int(0.99 * (len(latency) - 1))],
            "waited_p50": statistics.median(waited),
            "waited_p99": sorted(waited)[int(0.99 * (len(waited) - 1))],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--concurrency", default="1,4")
    parser.add_argument("--runs", type=int, default=3, help="runs per setting (this VM is noisy)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(f"{args.users} users x {args.messages} messages, all pushed at once")
    for concurrency in (int(c) for c in args.concurrency.split(",")):
        rates = []
        for _ in range(args.runs):
            r = run(args.users, args.messages, concurrency, args.profile)
            rates.append(r["per_second"])
            print(
                f"concurrency {r['concurrency']:>2}: {r['replies']}/{r['updates']} replies, "
                f"exactly once: {r['exactly_once']}, {r['per_second']:.0f} replies/s; "
                f"from update handed over to reply p50 {r['p50']:.0f} ms p99 {r['p99']:.0f} ms; "
                f"since the burst p50 {r['waited_p50']:.0f} ms p99 {r['waited_p99']:.0f} ms",
                flush=True,
            )
        print(f"concurrency {concurrency:>2}: median {statistics.median(rates):.0f} replies/s")


if __name__ == "__main__":
    main()
