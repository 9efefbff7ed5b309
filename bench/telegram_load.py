"""Replies per second of the real Telegram bot, 100 users at once, against its ceiling.

    python bench/telegram_load.py [--users 100] [--messages 20] [--concurrency 4] [--runs 3]
                                  [--send-delay S] [--profile]

The bot runs as it is deployed — `policybot run`, its own process — and long-polls the Bot API
stand-in from the tests (tests/support/botapi.py), served on 127.0.0.1 from this process, which answers
instantly. So the figures are the bot's own processing: python-telegram-bot's update handling
and HTTP round trips, the engine, the exchange log (SQLite on disk) and HTML rendering. Like
Telegram, the stand-in hands over at most 100 updates per getUpdates.

The messages are mostly distinct: the dev set's questions and paraphrases, typos and fragments
of the knowledge's questions (bench/variants.py); the report says how many are distinct. Each
run measures, one after the other on the same stand-in and the same messages:

- `echo`: the ceiling, a minimal python-telegram-bot bot that sends each text back
  (bench/echo_bot.py), same transport and concurrency (`echo lean`, in `--bots`: the same on
  policybot's `ReplyBot`, which skips parsing what it sent, as policybot does: the stricter
  ceiling, reported beside `echo` when it runs);
- `cache on`: `policybot run` as deployed;
- `cache off`: the same with the engine's answer cache off, so every reply is matched.

Each bot's figure is also given as a ratio to the echo ceiling of the same run, and so is the
bot process's CPU time per reply (read from /proc between the push and the last reply): on
this shared, noisy machine replies/s swing 2-3x between runs of the same code, CPU per reply
much less, and the CPU ratio is the throughput ratio the bots would have with a core each.
`stub` is `policybot run` with an engine that returns one fixed answer at no cost: what the
channel itself costs per reply. When `cache off` runs, each run also answers the same messages,
in the same order, with the engine alone in a fresh process (cache off, readied and the heap
settled as the bot does it; CPU time of the answering thread): `cache off` less that and less
`stub` is what the bot spends per reply that neither the engine nor the channel explains; the
`cache off` bot also times its own answers (the engine inside the bot, same run) and counts how
many each batch held (questions ready at once are answered together: bot.channels.batching), and
`cache off unbatched` answers each question as its task reaches it, as before batching.
Each run's line also gives per reply the bot's kernel time, the stand-in's CPU (this process:
the load's own share of the two cores) and the bot's main thread's context switches
(voluntary + involuntary). `stub spin` is the
stub spending SPIN_MS (default 2) ms of CPU before each answer, as the engine does, without
the engine's work: the channel's cost at `cache off`'s lower rate. CPU per reply is also given
for the bots' main threads alone (the event loop; the rest is the exchange log's writer). `stub ptb` and
`cache off ptb` read every update into python-telegram-bot's objects, as the bot did before
plain questions took their own path.
`--runs` repeats every bot; the report gives min / median / max.

`--concurrency` stays 4 by default, as in every earlier pass, though the bot's own default is 16
since the eleventh round: at 0 ms to the stand-in, 16 at once halved even the echo bot's
replies/s at the same CPU per reply (it waited on the stand-in, this process's threads;
docs/benchmarks-log.md). `--send-delay`
makes the stand-in answer each sendMessage after that many seconds, as Telegram from afar: a
reply holds its work slot until then.
The global send rate is off (POLICYBOT_SEND_RATE=0): Telegram's own limit of ~30 messages/s
applies in production, and this measures what the bot could do without it. Reply latency runs
from the moment getUpdates hands an update to the bot to the moment its reply arrives, time
queued inside the bot included.
`--profile` records each bot with py-spy (if installed) into bench/telegram_load-NAME.svg.
Targets (issue #14): ≥ 0.9 × the echo ceiling; ≥ 1,000 replies/s with every update answered
exactly once, answer cache off.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.evaluation import load_cases  # noqa: E402
from bot.knowledge.model import load  # noqa: E402
from tests.support import updates  # noqa: E402
from tests.support.botapi import TOKEN, StandIn  # noqa: E402
from tests.support.web import free_port  # noqa: E402

from variants import indexed_forms, variant  # noqa: E402

PY_SPY = [s for s in os.environ.get("PY_SPY_ARGS", "").split() if s]
RUN = "from bot.channels.cli import main; import sys; raise SystemExit(main(sys.argv[1:]))"
# `policybot` with the engine's answer cache off: every reply goes through matching.
# Each answer's CPU time on the answering thread is added up and written, with the count, to
# ENGINE_CPU.PID (a file per process) when the bot stops: the engine's cost inside the bot, in
# the same run.
TIMED = (
    "import atexit, os, time\n"
    "spent = [0.0, 0, 0]\n"
    "untimed = core.Engine.answer\n"
    "def timed(self, question):\n"
    "    started = time.thread_time()\n"
    "    try:\n"
    "        return untimed(self, question)\n"
    "    finally:\n"
    "        spent[0] += time.thread_time() - started\n"
    "        spent[1] += 1\n"
    "core.Engine.answer = timed\n"
    "import bot.channels.batching as batching\n"
    "unbatched = batching.Batched.run\n"
    "def counted(self):\n"
    "    spent[2] += 1\n"
    "    unbatched(self)\n"
    "batching.Batched.run = counted\n"
    "def write():\n"
    "    with open(os.environ['ENGINE_CPU'] + '.' + str(os.getpid()), 'w') as out:\n"
    "        out.write(' '.join(map(str, spent)))\n"
    "if os.environ.get('ENGINE_CPU'):\n"
    "    atexit.register(write)\n"
    "    _exit = os._exit\n"  # forked workers (`run --workers`) leave by os._exit: no atexit
    "    os._exit = lambda code: (write(), _exit(code))\n"
)
WITHOUT_CACHE = (
    "import functools, bot.engine.core as core\n"
    "core.Engine.__init__ = functools.partialmethod(core.Engine.__init__, cache=0)\n" + TIMED + RUN
)
# `policybot` with a stub engine that returns the real answer to one fixed question, at no
# cost: what is left is the channel's own work per reply (transport, PTB, log, rendering).
WITH_STUB = (
    "import bot.engine.core as core; answer = core.Engine.answer; fixed = {}; "
    "core.Engine.answer = lambda self, q: fixed[self] if self in fixed else "
    "fixed.setdefault(self, answer(self, '复工复产去哪个窗口办理')); " + RUN
)
# The stub, each answer after a busy loop of SPIN_MS ms of the thread's CPU (default 2): the
# rate and the event loop's stalls of `cache off`, without the engine's work or memory. What it
# costs per reply beyond `stub` + SPIN_MS is what the channel costs more at that lower rate.
SPIN = (
    "import os, time\n"
    "stub, spin = core.Engine.answer, float(os.environ.get('SPIN_MS', 2)) / 1000\n"
    "def spinning(self, question):\n"
    "    started = time.thread_time()\n"
    "    while time.thread_time() - started < spin:\n"
    "        pass\n"
    "    return stub(self, question)\n"
    "core.Engine.answer = spinning\n"
)
# `policybot` with every update read into python-telegram-bot's objects and dispatched over its
# handlers, as before plain questions took their own path (bot.channels.telegram.intake).
PTB_PATH = (
    "import bot.channels.telegram.intake as intake; intake.plain_question = lambda raw: None; "
)
# `policybot` answering each question as its task reaches it, as before questions ready at once
# were answered together (bot.channels.batching): what batching saves, in the same run.
UNBATCHED = (
    "import bot.channels.batching as batching\n"
    "async def direct(self, argument):\n"
    "    return self.function(argument)\n"
    "batching.Batched.__call__ = direct\n"
)
# `policybot run` on python-telegram-bot's default transport (httpx) instead of aiohttp.
ON_HTTPX = (
    "import bot.channels.telegram.transport as t; from telegram.request import HTTPXRequest; "
    "t.default_requests = lambda url: (HTTPXRequest(), HTTPXRequest(connection_pool_size=1)); "
)
BOTS = {
    "echo": [sys.executable, str(ROOT / "bench" / "echo_bot.py")],
    "cache on": [sys.executable, "-m", "bot", "run"],
    "cache off": [sys.executable, "-c", WITHOUT_CACHE, "run"],
    "stub": [sys.executable, "-c", WITH_STUB, "run"],
    "stub ptb": [sys.executable, "-c", PTB_PATH + WITH_STUB, "run"],
    "stub spin": [sys.executable, "-c", WITH_STUB.replace(RUN, SPIN + RUN), "run"],
    "cache off ptb": [sys.executable, "-c", PTB_PATH + WITHOUT_CACHE, "run"],
    "cache off unbatched": [sys.executable, "-c", UNBATCHED + WITHOUT_CACHE, "run"],
    "echo httpx": [sys.executable, str(ROOT / "bench" / "echo_bot.py")],
    "echo lean": [sys.executable, str(ROOT / "bench" / "echo_bot.py")],
    "cache off httpx": [sys.executable, "-c", ON_HTTPX + WITHOUT_CACHE, "run"],
    "stub httpx": [sys.executable, "-c", ON_HTTPX + WITH_STUB, "run"],
}
# Webhook mode: `policybot serve --workers N --telegram-webhook-url`, named "webhook BOT/N"
# (e.g. "webhook stub/2"), with the updates posted to it as Telegram does (WEBHOOK_CONNECTIONS
# connections at once, each update's 200 only once it is handled) by a separate process.
WEBHOOK = {
    "cache on": [sys.executable, "-m", "bot"],
    "cache off": [sys.executable, "-c", WITHOUT_CACHE],
    "stub": [sys.executable, "-c", WITH_STUB],
}
WEBHOOK_CONNECTIONS = 40  # Telegram's default max_connections for a webhook
SECRET = "0123456789abcdef0123"
# The echo bot on policybot's ReplyBot (it does not parse what it sent back into a `Message`,
# as policybot does not): when it runs too, every bot compared with `echo` is also compared
# with it, the stricter ceiling.
STRICTER = {"echo": "echo lean"}
# Which ceiling each bot is compared with: the echo bot on the same transport.
CEILING = {
    "cache on": "echo",
    "cache off": "echo",
    "stub": "echo",
    "stub ptb": "echo",
    "stub spin": "echo",
    "cache off ptb": "echo",
    "cache off unbatched": "echo",
    "cache off httpx": "echo httpx",
    "stub httpx": "echo httpx",
}


def ceiling_of(bot: str) -> str:
    """The bot `bot` is compared with: the echo bot on the same transport (webhook bots too:
    a webhook saves the bot its long polls, the replies go the same way; and "BOT/N")."""
    return CEILING.get(bot) or ("echo" if webhook(bot) or pooled(bot) else "")


def pooled(bot: str) -> tuple[str, int] | None:
    """For "BOT/N" (e.g. "cache off/2"), a polling bot answering in N worker processes
    (`run --workers N`): BOT and N; None otherwise (webhook bots included)."""
    name, slash, workers = bot.rpartition("/")
    return (name, int(workers)) if slash and name in BOTS and not webhook(bot) else None


def questions(count: int, rng: random.Random) -> list[str]:
    """`count` messages: the dev set's questions, then variants of the knowledge's questions,
    as many distinct as a few tries per message find."""
    asked = [case.question for case in load_cases(ROOT / "knowledge" / "eval" / "dev.yaml")]
    knowledge = [q for entry in load(ROOT / "knowledge").entries for q in entry.questions]
    indexed, seen = indexed_forms(knowledge), set(asked)
    while len(asked) < count:
        for _ in range(5):
            text = variant(rng.choice(knowledge), rng, indexed)[0]
            if text not in seen:
                break
        seen.add(text)
        asked.append(text)
    rng.shuffle(asked)
    return asked[:count]


# The engine alone, as `cache off` runs it: a fresh process, the answer cache off, the engine
# readied and the heap settled, then the messages (one per line of the file in argv[1]) answered
# in order.
ENGINE_ALONE = """
import sys, time
import bot.engine.core as core
from bot.app import settle_heap
from bot.knowledge.model import load
engine = core.Engine(load(sys.argv[2]), cache=0)
asked = open(sys.argv[1], encoding="utf-8").read().split("\\n")
engine.ready()
settle_heap()
started = time.thread_time()
for text in asked:
    engine.answer(text)
print((time.thread_time() - started) * 1000 / len(asked))
"""


def engine_alone(asked: list[str]) -> float:
    """The engine's CPU time per answer (ms) on the load's messages, as the `cache off` bot
    meets them: a fresh process, each message once (an engine's first sight of an entry costs
    more than its next ones: docs/benchmarks.md)."""
    with tempfile.TemporaryDirectory() as folder:
        messages = Path(folder) / "messages.txt"
        messages.write_text("\n".join(asked), encoding="utf-8")
        command = [sys.executable, "-c", ENGINE_ALONE, str(messages), str(ROOT / "knowledge")]
        output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return float(output.stdout.strip())


def cpu_seconds(pid: int, main_thread: bool = False) -> float:
    """CPU time (user + system) a process has used so far: what the bot costs per reply,
    whatever else the shared machine runs meanwhile; with `main_thread`, its main thread's
    alone (the event loop; the rest is the exchange log's writer and idle helpers)."""
    stat = f"/proc/{pid}/task/{pid}/stat" if main_thread else f"/proc/{pid}/stat"
    fields = Path(stat).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main_cpu(pid: int) -> float:
    return cpu_seconds(pid, main_thread=True)


def system_cpu(pid: int) -> float:
    """The system (kernel) part of `cpu_seconds`."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[12]) / os.sysconf("SC_CLK_TCK")


def switches(pid: int) -> tuple[int, int]:
    """The main thread's voluntary and involuntary context switches so far."""
    found = {}
    for line in Path(f"/proc/{pid}/task/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        found[key] = value.strip()
    return int(found["voluntary_ctxt_switches"]), int(found["nonvoluntary_ctxt_switches"])


def webhook(bot: str) -> tuple[str, int] | None:
    """For "webhook BOT/N": BOT and N (1 without "/N"); None for a polling bot."""
    if not bot.startswith("webhook "):
        return None
    name, _, workers = bot.removeprefix("webhook ").partition("/")
    return name, int(workers or 1)


def family(pid: int) -> list[int]:
    """The process and its children (the workers of `serve --workers`)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *map(int, children)]


def push(url: str, bodies: str, connections: int) -> None:
    """The pushing process: every update in the file `bodies` (one JSON a line) posted to the
    webhook `url` over `connections` keep-alive connections, as Telegram does."""
    import asyncio

    import aiohttp

    async def main() -> None:
        queue = Path(bodies).read_bytes().splitlines()
        queue.reverse()
        sys.stdin.readline()  # started and imported: push when told, so its start is not timed
        headers = {"content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET}
        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

            async def one_connection() -> None:
                while queue:
                    async with session.post(url, data=queue.pop()) as answer:
                        assert answer.status == 200, answer.status
                        await answer.read()

            await asyncio.gather(*(one_connection() for _ in range(connections)))

    asyncio.run(main())


def wait_for_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def run(
    bot: str,
    asked: list[str],
    users: int,
    messages: int,
    concurrency: int,
    profile: bool,
    send_delay: float = 0.0,
) -> dict:
    hook = webhook(bot)
    with tempfile.TemporaryDirectory() as folder, StandIn() as standin:
        api = standin.api
        api.delay["sendMessage"] = send_delay  # the Bot API's round trip, as from afar
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": standin.base_url,
            "POLICYBOT_KNOWLEDGE": str(ROOT / "knowledge"),
            "POLICYBOT_DB": str(Path(folder) / "log.sqlite3"),
            "POLICYBOT_SEND_RATE": "0",
            "POLICYBOT_CONCURRENCY": str(concurrency),
            "POLICYBOT_USER_LIMIT": str(messages),
            "ECHO_TRANSPORT": "httpx" if bot.endswith("httpx") else "aiohttp",
            "ENGINE_CPU": str(Path(folder) / "engine_cpu"),
            **({"ECHO_LEAN": "1"} if bot == "echo lean" else {}),
        }
        if hook:
            port = free_port()
            url = f"http://127.0.0.1:{port}/telegram"
            command = [*WEBHOOK[hook[0]], "serve", "--port", str(port), "--workers", str(hook[1])]
            command += ["--telegram-webhook-url", url]
            env["TELEGRAM_WEBHOOK_SECRET"] = SECRET
        elif pooled(bot):
            name, workers = pooled(bot)
            command = [*BOTS[name], "--workers", str(workers)]
        else:
            command = BOTS[bot]
        if profile and shutil.which("py-spy"):
            output = ROOT / "bench" / f"telegram_load-{bot.replace(' ', '-').replace('/', '-')}.svg"
            command = ["py-spy", "record", "-s", "-o", str(output), *PY_SPY, "--", *command]
        bot = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        try:
            burst = [
                updates.private_text(asked[n * users + user], user_id=10_000 + user)
                for n in range(messages)
                for user in range(users)
            ]
            if hook:
                api.wait_for("setWebhook", timeout=120)
                wait_for_port(port)
                time.sleep(1.0)  # every worker up (they listen on one socket)
                bodies = Path(folder) / "updates.jsonl"
                bodies.write_text("\n".join(json.dumps(u, ensure_ascii=False) for u in burst))
                pusher = [sys.executable, __file__, "--push", url, str(bodies)]
            else:
                api.wait_for("getUpdates", timeout=120)
            # A fresh stand-in numbers updates from 1, in the order pushed.
            burst_ids = [(u["message"]["chat"]["id"], n) for n, u in enumerate(burst, start=1)]
            if hook:
                sender = subprocess.Popen(pusher, cwd=ROOT, stdin=subprocess.PIPE, text=True)
                time.sleep(1.0)  # its imports done
            processes = family(bot.pid)
            cpu = sum(map(cpu_seconds, processes))
            first = cpu_seconds(bot.pid)
            loop_cpu = sum(map(main_cpu, processes))
            kernel = sum(map(system_cpu, processes))
            waits = switches(bot.pid)
            own = time.process_time()  # the stand-in's (and this loop's) CPU: the load's share
            started = time.perf_counter()
            if hook:
                sender.stdin.write("go\n")
                sender.stdin.flush()
            else:
                api.push(*burst)
            while len(api.sent()) < len(burst) and time.perf_counter() - started < 120:
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
            own = time.process_time() - own
            cpu = sum(map(cpu_seconds, processes)) - cpu
            first = cpu_seconds(bot.pid) - first
            loop_cpu = sum(map(main_cpu, processes)) - loop_cpu
            kernel = sum(map(system_cpu, processes)) - kernel
            after = switches(bot.pid)
            waits = (after[0] - waits[0], after[1] - waits[1])
            if hook:
                assert sender.wait(timeout=60) == 0, "the webhook refused an update"
        finally:
            bot.send_signal(signal.SIGINT if profile else signal.SIGTERM)
            bot.wait(timeout=60)
        # One file per process that answered (the workers of "BOT/N" each write their own).
        timed = [
            [float(x) for x in f.read_text().split()] for f in Path(folder).glob("engine_cpu.*")
        ]
        engine = [sum(column) for column in zip(*timed, strict=True)] if timed else None
        replies = api.sent()
        chats: dict[int, int] = {}
        for reply in replies:
            chats[reply["chat_id"]] = chats.get(reply["chat_id"], 0) + 1
        # The bot's own time: from getUpdates handing an update over to its reply. One chat's
        # replies come in the order of its messages, so the n-th reply answers the n-th message.
        handed: dict[int, list[float]] = {}
        for update in burst_ids:  # webhook mode: the push's start, as the stand-in hands none
            handed.setdefault(update[0], []).append(api.delivered.get(update[1], started))
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
            "bot": bot,
            "updates": len(burst),
            "replies": len(replies),
            "polls": sum(call.method == "getUpdates" for call in api.calls),
            "processes": len(processes),
            "exactly_once": all(count == messages for count in chats.values())
            and len(chats) == users,
            "per_second": len(replies) / elapsed,
            "cpu_ms": cpu * 1000 / max(1, len(replies)),
            "first_ms": first * 1000 / max(1, len(replies)),
            "main_ms": loop_cpu * 1000 / max(1, len(replies)),
            "system_ms": kernel * 1000 / max(1, len(replies)),
            "standin_ms": own * 1000 / max(1, len(replies)),
            "switches": (waits[0] / max(1, len(replies)), waits[1] / max(1, len(replies))),
            "engine_ms": engine[0] * 1000 / engine[1] if engine and engine[1] else None,
            "batch": engine[1] / engine[2] if engine and engine[2] else None,
            "p50": statistics.median(latency),
            "p99": sorted(latency)[int(0.99 * (len(latency) - 1))],
        }


def spread(values: list[float], form: str = "{:.0f}") -> str:
    """min / median / max over the runs."""
    ordered = sorted(values)
    return " / ".join(form.format(v) for v in (ordered[0], statistics.median(ordered), ordered[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--send-delay",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds the stand-in takes to answer each sendMessage (Telegram's round trip)",
    )
    parser.add_argument(
        "--bots", default="echo,cache on,cache off", help="which of: " + ", ".join(BOTS)
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of every bot (this VM is noisy)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--push", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.push:  # the pushing process of a webhook run
        push(*args.push, WEBHOOK_CONNECTIONS)
        return
    asked = questions(args.users * args.messages, random.Random(14))
    bots = args.bots.split(",")
    print(
        f"{args.users} users x {args.messages} messages, all pushed at once; "
        f"{len(set(asked))} distinct of {len(asked)}; concurrency {args.concurrency}; "
        f"sendMessage answered after {args.send_delay * 1000:.0f} ms; "
        f"{os.cpu_count()} cores, load average (1 min) {os.getloadavg()[0]:.1f} at the start"
    )
    results: dict[str, list[dict]] = {bot: [] for bot in bots}
    alone: list[float] = []
    for number in range(1, args.runs + 1):
        for bot in bots:
            r = run(
                bot,
                asked,
                args.users,
                args.messages,
                args.concurrency,
                args.profile,
                args.send_delay,
            )
            results[bot].append(r)
            measured = results.get(ceiling_of(bot))
            ceiling = measured[-1]["per_second"] if measured else None
            ratio = f" = {r['per_second'] / ceiling:.2f} x {ceiling_of(bot)}" if ceiling else ""
            if measured:
                ratio += f" ({measured[-1]['cpu_ms'] / r['cpu_ms']:.2f} x on CPU per reply)"
            print(
                f"run {number} {bot:>15}: {r['replies']}/{r['updates']} replies, "
                f"exactly once: {r['exactly_once']}, {r['per_second']:.0f} replies/s{ratio}; "
                f"{r['cpu_ms']:.2f} ms of the bot's CPU per reply "
                f"({r['main_ms']:.2f} in main threads"
                + (
                    f", {r['first_ms']:.2f} in the first of {r['processes']} processes"
                    if r["processes"] > 1
                    else ""
                )
                + f"); {r['polls']} getUpdates; "
                f"system {r['system_ms']:.2f} ms, stand-in {r['standin_ms']:.2f} ms, "
                f"switches {r['switches'][0]:.2f} + {r['switches'][1]:.2f} per reply; "
                + (f"engine in the bot {r['engine_ms']:.2f} ms; " if r["engine_ms"] else "")
                + (f"{r['batch']:.1f} answers per batch; " if r["batch"] else "")
                + f"update handed over to reply p50 {r['p50']:.0f} ms p99 {r['p99']:.0f} ms",
                flush=True,
            )
        if "cache off" in bots:
            alone.append(engine_alone(asked))
            print(f"run {number} engine alone: {alone[-1]:.2f} ms CPU per answer", flush=True)
    print(
        f"min / median / max over runs (load average at the end {os.getloadavg()[0]:.1f}; "
        "the machine is shared, so replies/s swing with what else runs: the CPU per reply "
        "and its ratio are the steadier figures):"
    )
    for bot, runs in results.items():
        line = f"{bot:>15}: {spread([r['per_second'] for r in runs])} replies/s"
        line += f", {spread([r['cpu_ms'] for r in runs], '{:.2f}')} ms CPU per reply"
        line += f" ({spread([r['main_ms'] for r in runs], '{:.2f}')} in main threads)"
        if ceiling_of(bot) in results:
            ceilings = results[ceiling_of(bot)]
            ratios = [
                r["per_second"] / e["per_second"] for r, e in zip(runs, ceilings, strict=True)
            ]
            cpu = [e["cpu_ms"] / r["cpu_ms"] for r, e in zip(runs, ceilings, strict=True)]
            line += f"; {spread(ratios, '{:.2f}')} x {ceiling_of(bot)} of the same run"
            line += f" ({spread(cpu, '{:.2f}')} x on CPU per reply)"
            strict = STRICTER.get(ceiling_of(bot))
            if strict in results:
                pairs = list(zip(runs, results[strict], strict=True))
                ratios = [r["per_second"] / e["per_second"] for r, e in pairs]
                cpu = [e["cpu_ms"] / r["cpu_ms"] for r, e in pairs]
                line += f"; {spread(ratios, '{:.2f}')} x {strict}"
                line += f" ({spread(cpu, '{:.2f}')} x on CPU per reply)"
        print(line)
    if alone:
        off = [r["cpu_ms"] for r in results["cache off"]]
        print(
            f"{'engine alone':>15}: {spread(alone, '{:.2f}')} ms CPU per answer on the same "
            "messages (fresh process, cache off)"
        )
        if "stub" in results:
            rest = [
                o - a - s["cpu_ms"] for o, a, s in zip(off, alone, results["stub"], strict=True)
            ]
            print(
                f"{'unexplained':>15}: cache off less engine alone less stub, per run: "
                f"{spread(rest, '{:.2f}')} ms"
            )


if __name__ == "__main__":
    main()
