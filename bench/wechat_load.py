"""WeChat bursts: 2,000 messages from 200 users at once, against the same server's ceiling.

    python bench/wechat_load.py [--users 200] [--messages 10] [--runs 3] [--safe]

One server process (the real `/wechat` endpoint over the shipped knowledge, the exchange log on
disk) and, in this process, the test suite's stand-in for WeChat's servers: every user sends a
message, waits for the passive reply, sends the next (every fifth a "1", a pick). The same
server also has `/bench/fixed`, which checks the signature, reads the body and returns a fixed
passive reply (encrypted in safe mode, though it does not decrypt the message): the HTTP stack's
ceiling on this machine, measured in the same run.

WeChat's limit is 5 s per message; the report gives p50, p95 and max per message and messages
per second, min/median/max over the runs, and the endpoint's throughput as a ratio of the
ceiling's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.wechat import AES_KEY, APPID, TOKEN, WeChatStandIn, openid  # noqa: E402

SERVER = f"""
import sys
import uvicorn
from starlette.responses import Response
from starlette.routing import Route
from bot.app import Service
from bot.channels.wechat.protocol import Crypto, check_signature, text_reply
from bot.channels.wechat.server import build_app
from bot.log.writer import ExchangeLog
from bot.settings import WeChatSettings

knowledge, db, port, safe = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "safe"
# Safe mode refuses plaintext messages, so the key is set only for --safe.
settings = WeChatSettings(token={TOKEN!r}, appid={APPID!r}, aes_key={AES_KEY!r} if safe else "")
crypto = Crypto({TOKEN!r}, {AES_KEY!r}, {APPID!r})
app = build_app(Service.open(knowledge, ExchangeLog.open(db, salt="bench")), settings)

async def fixed(request):
    q = request.query_params
    check_signature(settings.token, q["signature"], q["timestamp"], q["nonce"])
    await request.body()
    reply = text_reply("o", "gh", "固定回复")
    if q.get("encrypt_type") == "aes":
        reply = crypto.seal(reply)
    return Response(reply, media_type="application/xml")

app.router.routes.append(Route("/bench/fixed", fixed, methods=["POST"]))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def questions() -> list[str]:
    from bot.knowledge.model import load

    return [q for entry in load(ROOT / "knowledge").entries for q in entry.questions]


async def burst(url: str, users: int, messages: int, safe: bool, pool: list[str]) -> dict:
    """One burst; per-message seconds and how many got no reply in time."""
    async with WeChatStandIn(url, aes_key=AES_KEY if safe else None, tries=1) as wechat:

        async def user(number: int) -> list:
            return [
                await wechat.text(
                    openid(number),
                    "1" if turn % 5 == 4 else pool[(number * messages + turn) % len(pool)],
                )
                for turn in range(messages)
            ]

        started = time.perf_counter()
        sent = [d for got in await asyncio.gather(*map(user, range(users))) for d in got]
        wall = time.perf_counter() - started
    seconds = sorted(d.seconds for d in sent)
    return {
        "p50": statistics.median(seconds),
        "p95": seconds[int(0.95 * (len(seconds) - 1))],
        "max": seconds[-1],
        "per_s": len(sent) / wall,
        "missed": sum(1 for d in sent if d.status != 200),
    }


def spread(values: list[float], unit: str = "s") -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--safe", action="store_true", help="safe (encrypted) mode")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVER,
                str(ROOT / "knowledge"),
                f"{tmp}/log.sqlite3",
                str(port),
                "safe" if args.safe else "plaintext",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            pool = questions()
            base = f"http://127.0.0.1:{port}"
            found = {"wechat": [], "fixed": []}
            for _ in range(args.runs):
                for name, path in (("fixed", "/bench/fixed"), ("wechat", "/wechat")):
                    result = asyncio.run(
                        burst(base + path, args.users, args.messages, args.safe, pool)
                    )
                    found[name].append(result)
        finally:
            server.terminate()
            server.wait(10)
    total = args.users * args.messages
    mode = "safe mode" if args.safe else "plaintext"
    print(
        f"{total} messages from {args.users} users, {mode}, {args.runs} runs (min / median / max)"
    )
    for name in ("wechat", "fixed"):
        runs = found[name]
        print(
            f"  {name:7} p50 {spread([r['p50'] for r in runs])}, p95 {spread([r['p95'] for r in runs])}, "
            f"max {spread([r['max'] for r in runs])}, {spread([r['per_s'] for r in runs], 'msg/s')}, "
            f"no reply: {sum(r['missed'] for r in runs)}"
        )
    ratio = [w["per_s"] / f["per_s"] for w, f in zip(found["wechat"], found["fixed"], strict=True)]
    print(f"  /wechat throughput as a ratio of the fixed reply's: {spread(ratio, 'x')}")


if __name__ == "__main__":
    main()
