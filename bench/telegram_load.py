"""Replies per second and reply latency of the real Telegram application, 100 users at once.

    python bench/telegram_load.py [--users 100] [--messages 20] [--concurrency 1,8]

The application polls the Bot API stand-in from the tests (tests/botapi.py) on 127.0.0.1, which
answers instantly, so the figures are the bot's own processing: engine, exchange log (SQLite on
disk), HTML rendering and python-telegram-bot's HTTP round trips. Latency is from the moment an
update is handed to the stand-in to the moment its reply arrives there. Target (issue #7):
≥ 300 replies/s on this 2-core machine, every update answered exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.exchanges import ExchangeLog
from bot.service import Service
from bot.settings import Settings
from bot.tg.app import build_application
from bot.tg.limits import UserLimiter
from tests import updates
from tests.botapi import TOKEN, StandIn

QUESTIONS = [
    "复工复产去哪个窗口办理",
    "信用修复",
    "绿色通到",
    "个人所得税怎么交",
    "网上办有多少项",
    "关企协调员",
]


async def run(users: int, messages: int, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as folder, StandIn() as standin:
        api = standin.api
        log = ExchangeLog.open(Path(folder) / "log.sqlite3", salt="bench")
        settings = Settings(
            token=TOKEN, base_url=standin.base_url, send_rate=0, concurrency=concurrency
        )
        app = build_application(
            settings, Service.open("knowledge", log), limiter=UserLimiter(limit=10**6)
        )
        burst = [
            updates.private_text(QUESTIONS[(user + n) % len(QUESTIONS)], user_id=10_000 + user)
            for n in range(messages)
            for user in range(users)
        ]
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            started = time.perf_counter()
            api.push(*burst)
            while len(api.sent()) < len(burst):
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            await app.updater.stop()
            await app.stop()
        log.close()
        replies = api.sent()
        chats = {}
        for reply in replies:
            chats[reply["chat_id"]] = chats.get(reply["chat_id"], 0) + 1
        latency = [(call.at - started) * 1000 for call in api.calls if call.method == "sendMessage"]
        return {
            "concurrency": concurrency,
            "updates": len(burst),
            "replies": len(replies),
            "exactly_once": all(count == messages for count in chats.values())
            and len(chats) == users,
            "per_second": len(replies) / elapsed,
            "seconds": elapsed,
            "p50": statistics.median(latency),
            "p99": sorted(latency)[int(0.99 * (len(latency) - 1))],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--concurrency", default="1,8")
    args = parser.parse_args()
    print(f"{args.users} users x {args.messages} messages, all pushed at once")
    for concurrency in (int(c) for c in args.concurrency.split(",")):
        r = asyncio.run(run(args.users, args.messages, concurrency))
        print(
            f"concurrency {r['concurrency']:>2}: {r['replies']}/{r['updates']} replies, exactly once: "
            f"{r['exactly_once']}, {r['per_second']:.0f} replies/s, time to reply since the burst "
            f"p50 {r['p50']:.0f} ms p99 {r['p99']:.0f} ms"
        )


if __name__ == "__main__":
    main()
