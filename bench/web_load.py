"""Throughput and latency of `POST /api/v1/ask` under load, against the same server's ceiling.

    python bench/web_load.py [--seconds 5] [--connections 16] [--runs 3] [--workers 1]
                             [--accept balanced|loop] [--generator auto|wrk|python]

One server process (the real application: engine, exchange log on disk, security headers;
the rate limit off) and, in another process, a load generator on loopback: `--connections`
keep-alive HTTP/1.1 connections, each sending its next request as soon as the previous answer
arrived, with mostly distinct questions (so the answer cache rarely helps). The generator is
wrk (Debian's `apt-get install -y wrk`; C, one thread, a Lua script handing out the questions)
when it is installed, else an asyncio client in Python on uvloop, which costs about twice
wrk's CPU per request; both share the machine's cores with the server, so the report prints
the generator's own CPU per request too. The same server
also has `POST /bench/fixed`, which reads the JSON body and returns a fixed JSON answer the way
the answers go (straight to the handler with the security headers, past Starlette's middleware
and router: `bot.channels.web.server.Direct`): the stack's ceiling on this machine, measured in
the same run. A third process serves the same fixed answer from a bare ASGI function on uvicorn
(no Starlette): what the framework itself costs, the alternative measured in docs/web.md.

Each run also reads the server's CPU time per answer from /proc: on this shared machine
requests/s swing 2-3x with what else runs, CPU per request much less. Between the loads, this
process answers a slice of the same questions with the engine alone (answer cache off, CPU
time of the answering thread): the server's CPU per answer less that is what the channel
costs around the engine. The server's engine also counts the CPU time of its own answers (the
answering thread's, per worker): the server's CPU per answer less that is the channel's overhead
per answer, measured in the same run, and so is how many answers each batch held (questions
ready in the same turn of the event loop are answered together: bot.channels.batching).
`/bench/unbatched` is the API answering each question as its request reaches it, as before
batching, with questions of its own (the answer cache is on, as deployed). `/bench/stub` is the
API's own `ask` path with an engine that returns one fixed answer at no cost: what the channel
costs on top of the stack's ceiling.

`--workers N` runs N server processes on one port (as `policybot serve --workers N`), and the
ceiling and the bare ASGI app with as many; the report then gives the busiest worker's share
of the server's CPU time (50% is an even split of two). `--accept loop` has the workers accept
as the event loop does (whichever is awake takes every connection waiting), as `serve` did
before it balanced them (`bot.channels.web.balance`).

Targets (issue #15): >= 1,000 answers/s with p99 <= 50 ms, and >= 0.8 x the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import resource
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
PREFIXES = [
    "",
    "请问",
    "你好，",
    "我想问一下",
    "咨询一下，",
    "麻烦问下",
    "老师好，",
    "请教：",
    "想了解",
    "您好 ",
]
SUFFIXES = ["", "？", "呢", "啊", "吗？", "，谢谢", "。", "?", "呀", "，急"]


def questions(knowledge: Path, rng: random.Random) -> list[str]:
    """Every question of the knowledge and of the dev set, with prefixes and suffixes people
    type: tens of thousands of distinct questions, in random order."""
    from bot.engine.evaluation import load_cases
    from bot.knowledge.model import load

    loaded = load(knowledge)
    base = [q for entry in loaded.entries for q in entry.questions]
    base += [case.question for case in load_cases(knowledge / "eval" / "dev.yaml")]
    pool = list({f"{p}{q}{s}" for q in base for p in PREFIXES for s in SUFFIXES})
    rng.shuffle(pool)
    return pool


# The server ---------------------------------------------------------------------------------


def forked(port: int, workers: int, balanced: bool, run) -> None:
    """`run(sock, share)` in `workers` processes sharing one listening socket, each taking its
    share of the connections as `serve --workers` does (`balanced`; else `share` is None and
    each accepts as the event loop does); with one worker, `run(sock, None)` in this process."""
    from bot.channels.web.balance import Connections
    from bot.channels.web.server import listen

    listening = listen("127.0.0.1", port)
    if workers == 1:
        run(listening, None)
        return
    connections = Connections(workers)
    children = []
    for me in range(workers):
        pid = os.fork()
        if pid == 0:
            try:
                run(listening, (connections, me) if balanced else None)
            finally:
                os._exit(0)
        children.append(pid)
    signal.signal(signal.SIGTERM, lambda *_: [os.kill(c, signal.SIGTERM) for c in children])
    for child in children:
        os.waitpid(child, 0)


class StubEngine:
    """The engine's answer to one fixed question, given for every question at no cost."""

    def __init__(self, engine) -> None:
        self.knowledge = engine.knowledge
        self.fixed = engine.answer("复工复产去哪个窗口办理")

    def answer(self, question: str):
        return self.fixed


class Unbatched:
    """`Batched`'s call without the batch: the function called at once."""

    def __init__(self, function) -> None:
        self.function = function

    async def __call__(self, argument):
        return self.function(argument)


def run_server(port: int, db: Path, knowledge: Path, workers: int, balanced: bool) -> None:
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    from bot.app import Service
    from bot.channels.web.api import Api
    from bot.channels.web.guard import read_json
    from bot.channels.web.server import build_server, serve
    from bot.engine.cache import build_engine
    from bot.log.store import open_store
    from bot.log.writer import ExchangeLog
    from bot.settings import WebConfig

    config = WebConfig(rate=0)
    fixed = {"status": "answered", "answer": "固定的回答", "entry_id": "fixed", "score": 1.0}

    async def ceiling(request: Request) -> JSONResponse:
        await read_json(request, config.max_body)
        return JSONResponse(fixed, headers={"cache-control": "no-store"})

    engine = build_engine(knowledge, None)
    # The log's schema made once here: workers making it at the same moment collide, and the
    # loser's log is held until its first retry.
    open_store(db).close()

    def worker(sock, share) -> None:
        log = ExchangeLog.open(db, "bench", background=True)  # as `policybot serve` opens it
        timed(engine, db.parent / f"engine-{os.getpid()}")
        service = Service(knowledge, engine, log)
        # The API's own path with an engine that answers at no cost: what the channel costs.
        stub = Api(Service(knowledge, StubEngine(engine), log), config)  # type: ignore[arg-type]
        # The API answering each question as its request reaches it, as before questions ready
        # at once were answered together (bot.channels.batching): what batching saves.
        unbatched = Api(service, config)
        unbatched.answers = Unbatched(service.ask)  # type: ignore[assignment]
        # All on the answers' path: straight to the handler, past Starlette's middleware.
        direct = {
            "/bench/fixed": ceiling,
            "/bench/stub": stub.ask,
            "/bench/unbatched": unbatched.ask,
        }
        serve(build_server(service, config, direct=direct), config, sock=sock, share=share)

    forked(port, workers, balanced, worker)


def timed(engine, path: Path) -> None:
    """This worker's `engine.answer` adding its thread's CPU time and a count to the bytes of
    `path` after each answer, and each batch of answers run (bot.channels.batching) a count:
    what the engine costs inside the server, and how many answers a batch held, read between
    loads."""
    import mmap
    import struct

    from bot.channels.batching import Batched

    path.write_bytes(bytes(24))
    with path.open("r+b") as file:
        shared = mmap.mmap(file.fileno(), 24)
    answer, spent = engine.answer, [0.0, 0.0, 0.0]
    run = Batched.run

    def counted(self) -> None:
        spent[2] += 1
        run(self)
        struct.pack_into("ddd", shared, 0, *spent)

    Batched.run = counted  # type: ignore[method-assign]

    def timing(question: str):
        started = time.thread_time()
        try:
            return answer(question)
        finally:
            spent[0] += time.thread_time() - started
            spent[1] += 1
            struct.pack_into("ddd", shared, 0, *spent)

    engine.answer = timing


def engine_inside(folder: Path) -> tuple[float, float, float]:
    """CPU seconds the server's engine has spent answering so far, how many answers, and how
    many batches of answers."""
    import struct

    totals = [struct.unpack("ddd", f.read_bytes()) for f in folder.glob("engine-*")]
    return sum(t for t, _, _ in totals), sum(n for _, n, _ in totals), sum(b for *_, b in totals)


def run_raw_server(port: int, workers: int, balanced: bool) -> None:
    """A bare ASGI app on the same uvicorn: read the JSON body, answer fixed JSON with the same
    security headers. The least any Python server on uvicorn can do per request."""
    import uvicorn

    from bot.channels.web.guard import SECURITY_HEADERS
    from bot.channels.web.server import Server

    body = json.dumps({"status": "answered", "answer": "固定的回答"}, ensure_ascii=False).encode()
    headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        json.loads(b"".join(chunks))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def worker(sock, share) -> None:
        config = uvicorn.Config(app, log_level="warning", access_log=False)
        Server(config, share).run(sockets=[sock])  # uvicorn's, accepting as `serve` does

    forked(port, workers, balanced, worker)


# The load generator -------------------------------------------------------------------------


async def connection(
    port: int, path: str, bodies, until: float, timings: list, warm: float, done: list
):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
    errors = 0
    while (now := time.perf_counter()) < until:
        body = next(bodies)
        writer.write(f"{head}content-length: {len(body)}\r\n\r\n".encode() + body)
        started = time.perf_counter()
        headers = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        if not headers.startswith(b"HTTP/1.1 200"):
            errors += 1
        done[0] += 1
        if now >= warm:
            timings.append(time.perf_counter() - started)
    writer.close()
    return errors


async def generate(port: int, path: str, seconds: float, connections: int, seed: int) -> dict:
    pool = questions(ROOT / "knowledge", random.Random(seed))
    encoded = [json.dumps({"question": q}, ensure_ascii=False).encode() for q in pool]
    bodies = itertools.cycle(encoded)
    timings: list[float] = []
    done = [0]  # every answer, the warm-up's too: what the server's CPU time was spent on
    start = time.perf_counter()
    warm, until = start + 1.0, start + 1.0 + seconds  # the first second is not measured
    errors = await asyncio.gather(
        *(connection(port, path, bodies, until, timings, warm, done) for _ in range(connections))
    )
    timings.sort()
    return {
        "requests": len(timings),
        "per_second": len(timings) / seconds,
        "p50_ms": timings[len(timings) // 2] * 1000,
        "p99_ms": timings[int(len(timings) * 0.99)] * 1000,
        "errors": sum(errors),
        "answered": done[0],
        "distinct": min(len(encoded), len(timings)) / max(1, len(timings)),
    }


# wrk's script: one thread, each request the next body of the file in $BODIES from line
# $START; at the end one JSON line with the counts and the latency percentiles.
WRK_SCRIPT = """
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local n = tonumber(os.getenv("START"))
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
request = function()
  n = n % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[n])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "errors": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


WRK_BODIES = 60_000


def run_wrk(port: int, path: str, args: argparse.Namespace, seed: int, folder: Path) -> dict:
    """The same load from wrk: one second of warm-up from the middle of the questions, then
    `seconds` measured from their start (no question of the warm-up comes again)."""
    bodies, script = folder / f"bodies-{seed}.jsonl", folder / "load.lua"
    if not bodies.exists():
        # enough for a measured run at 5,000 answers/s from the start and a warm-up from the
        # middle, and no more: wrk reads the file at each start, on the cores being measured
        pool = questions(ROOT / "knowledge", random.Random(seed))[:WRK_BODIES]
        lines = [json.dumps({"question": q}, ensure_ascii=False) for q in pool]
        bodies.write_text("\n".join(lines) + "\n")
    script.write_text(WRK_SCRIPT)
    count = sum(1 for _ in bodies.open())
    url = f"http://127.0.0.1:{port}{path}"

    def wrk(seconds: float, start: int) -> dict:
        whole = max(1, round(seconds))  # wrk takes whole seconds; rates use its own duration
        command = ["wrk", "-t1", f"-c{args.connections}", f"-d{whole}s", "-s", str(script)]
        env = {**os.environ, "BODIES": str(bodies), "START": str(start)}
        output = subprocess.run(
            [*command, url], check=True, capture_output=True, text=True, env=env
        ).stdout
        return json.loads(output.strip().splitlines()[-1])

    warm = wrk(1.0, count // 2)
    measured = wrk(args.seconds, 0)
    return {
        "requests": measured["requests"],
        "per_second": measured["requests"] / (measured["duration_us"] / 1e6),
        "p50_ms": measured["p50_us"] / 1000,
        "p99_ms": measured["p99_us"] / 1000,
        "errors": warm["errors"] + measured["errors"],
        "answered": warm["requests"] + measured["requests"],
        "distinct": min(count, measured["requests"]) / max(1, measured["requests"]),
    }


def run_load(port: int, path: str, seconds: float, connections: int, seed: int) -> None:
    try:
        import uvloop  # the generator must cost as little CPU as it can

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(generate(port, path, seconds, connections, seed))))


# The report ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen, workers: int) -> None:
    """Until the server answers and all its `workers` are forked (the socket takes connections
    before that: it listens before forking)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as probe:
                probe.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                answered = probe.recv(1) != b""
        except OSError:
            answered = False
        if answered and (workers == 1 or len(workers_cpu(process.pid)) == workers):
            return
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children's (the workers)."""
    task = Path(f"/proc/{pid}/task/{pid}")
    fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = (task / "children").read_text().split()
    return own + sum(cpu_seconds(int(child)) for child in children)


def workers_cpu(pid: int) -> list[float]:
    """CPU time used so far by each of a server's worker processes (none with one process)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [cpu_seconds(int(child)) for child in children]


def children_cpu() -> float:
    """CPU time of this process's finished children (the load generators)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load(
    port: int, path: str, args: argparse.Namespace, seed: int, server: int, folder: Path
) -> dict:
    """One run of the load generator; with the server's CPU time per answer, which waiting for
    a core on the shared machine does not inflate, and the generator's."""
    cpu, generator, workers = cpu_seconds(server), children_cpu(), workers_cpu(server)
    inside = engine_inside(folder)
    if args.generator == "wrk":
        result = run_wrk(port, path, args, seed, folder)
    else:
        command = [sys.executable, __file__, "--load", path, "--port", str(port)]
        command += ["--seconds", str(args.seconds), "--connections", str(args.connections)]
        command += ["--seed", str(seed)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output)
    answered = max(1, result["answered"])
    result["cpu_ms"] = (cpu_seconds(server) - cpu) * 1000 / answered
    (spent, count, batches), (before, earlier, ran) = engine_inside(folder), inside
    result["engine_ms"] = (spent - before) * 1000 / (count - earlier) if count > earlier else None
    result["batch"] = (count - earlier) / (batches - ran) if batches > ran else None
    result["generator_ms"] = (children_cpu() - generator) * 1000 / answered
    # how evenly the workers shared the work: the busiest one's share of their CPU time
    spent = [after - before for before, after in zip(workers, workers_cpu(server), strict=True)]
    result["busiest"] = max(spent) / sum(spent) if len(spent) > 1 and sum(spent) else 1.0
    return result


def engine_alone(knowledge: Path, seed: int, count: int = 400) -> float:
    """The engine's CPU time per answer (mean, answer cache off) on `count` questions of the
    run's kind, in this process: what the server's CPU per answer is compared with."""
    from bot.engine.core import Engine
    from bot.knowledge.model import load

    global ENGINE
    if ENGINE is None:
        ENGINE = Engine(load(knowledge), cache=0)
    pool = questions(knowledge, random.Random(1000 + seed))[:count]
    started = time.thread_time()
    for question in pool:
        ENGINE.answer(question)
    return (time.thread_time() - started) * 1000 / count


ENGINE = None


def spread(values: list[float], digits: int = 0) -> str:
    """min / median / max over the runs."""
    low, middle, high = min(values), statistics.median(values), max(values)
    return f"{low:,.{digits}f} / {middle:,.{digits}f} / {high:,.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="server processes on the port")
    parser.add_argument(
        "--accept",
        choices=("balanced", "loop"),
        default="balanced",
        help="with several workers: each takes its share of the connections, as `serve` does "
        "(balanced), or whichever is awake takes all waiting (loop, as before 26 Nov)",
    )
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument(
        "--generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="the load generator: wrk if installed (auto), or the Python one",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-raw", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    balanced = args.accept == "balanced"
    if args.serve:
        run_server(args.port, args.db, args.knowledge, args.workers, balanced)
        return
    if args.serve_raw:
        run_raw_server(args.port, args.workers, balanced)
        return
    if args.load:
        run_load(args.port, args.load, args.seconds, args.connections, args.seed)
        return

    if args.generator == "auto":
        args.generator = "wrk" if shutil.which("wrk") else "python"
    load_before = os.getloadavg()[0]  # other processes on the machine: the figures depend on it
    port, raw_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, __file__, "--serve", "--port", str(port)]
        command += ["--db", str(Path(folder) / "log.sqlite3"), "--knowledge", str(args.knowledge)]
        command += ["--workers", str(args.workers), "--accept", args.accept]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        raw = [sys.executable, __file__, "--serve-raw", "--port", str(raw_port)]
        raw += ["--workers", str(args.workers), "--accept", args.accept]
        bare = subprocess.Popen(raw, env=env, stderr=subprocess.DEVNULL)
        try:
            wait_until_up(port, server, args.workers)
            wait_until_up(raw_port, bare, args.workers)
            results: dict[str, list[dict]] = {
                "ask": [],
                "unbatched": [],
                "stub": [],
                "ceiling": [],
                "raw": [],
            }
            alone = []
            targets = [
                ("ask", port, "/api/v1/ask", server.pid),
                ("unbatched", port, "/bench/unbatched", server.pid),
                ("stub", port, "/bench/stub", server.pid),
                ("ceiling", port, "/bench/fixed", server.pid),
                ("raw", raw_port, "/", bare.pid),
            ]
            for run in range(args.runs):
                # Rotate which goes first, so none always gets the warmer machine.
                for name, at, path, pid in targets[run % 5 :] + targets[: run % 5]:
                    # The answer cache is on, as deployed: the unbatched answers get questions
                    # of their own, or whichever of the two went second would be answered from it.
                    seed = run + (100 if name == "unbatched" else 0)
                    results[name].append(load(at, path, args, seed, pid, Path(folder)))
                alone.append(engine_alone(args.knowledge, run))
        finally:
            for process in (server, bare):
                process.terminate()
                process.wait(timeout=30)

    print(
        f"POST /api/v1/ask on loopback: {args.connections} keep-alive connections, "
        f"{args.seconds:g} s per run after 1 s of warm-up, {args.runs} runs; "
        f"min / median / max; {args.workers} server process(es), accepting {args.accept}; "
        f"{os.cpu_count()} cores; "
        f"load generator: {args.generator}; "
        f"load average (1 min) at the start {load_before:.1f}, at the end {os.getloadavg()[0]:.1f}"
    )
    rows_shown = (
        ("ask", "/api/v1/ask (answers)"),
        ("unbatched", "answers, unbatched"),
        ("stub", "ask, stub engine"),
        ("ceiling", "fixed JSON (ceiling)"),
        ("raw", "fixed JSON, bare ASGI"),
    )
    for name, label in rows_shown:
        rows = results[name]
        print(
            f"  {label:24} {spread([r['per_second'] for r in rows])} req/s   "
            f"p50 {spread([r['p50_ms'] for r in rows], 1)} ms   "
            f"p99 {spread([r['p99_ms'] for r in rows], 1)} ms   "
            f"CPU {spread([r['cpu_ms'] for r in rows], 2)} ms per request   "
            f"generator {spread([r['generator_ms'] for r in rows], 2)} ms   "
            f"errors {sum(r['errors'] for r in rows)}"
            + (
                f"   busiest worker {spread([r['busiest'] * 100 for r in rows])}% of the CPU"
                if args.workers > 1
                else ""
            )
        )
    ratios = [
        a["per_second"] / c["per_second"]
        for a, c in zip(results["ask"], results["ceiling"], strict=True)
    ]
    framework = [
        c["per_second"] / r["per_second"]
        for c, r in zip(results["ceiling"], results["raw"], strict=True)
    ]
    stubbed = [
        a["per_second"] / c["per_second"]
        for a, c in zip(results["stub"], results["ceiling"], strict=True)
    ]
    print(f"  ceiling / bare ASGI, per run: {spread(framework, 2)}")
    print(f"  stub engine / ceiling (the channel's own cost), per run: {spread(stubbed, 2)}")
    for name in ("ask", "unbatched", "stub"):
        on_cpu = [
            c["cpu_ms"] / a["cpu_ms"]
            for a, c in zip(results[name], results["ceiling"], strict=True)
        ]
        print(f"  {name} / ceiling on CPU per request (the steadier figure): {spread(on_cpu, 2)}")
    around = [a["cpu_ms"] - e for a, e in zip(results["ask"], alone, strict=True)]
    for name in ("ask", "unbatched"):
        inside = [r["engine_ms"] for r in results[name]]
        channel = [r["cpu_ms"] - r["engine_ms"] for r in results[name]]
        print(
            f"  {name}: the engine inside the server {spread(inside, 2)} ms CPU per answer; "
            f"the server's CPU per answer less it (the channel's overhead): {spread(channel, 2)} ms"
            + (
                f"; {spread([r['batch'] for r in results[name]], 1)} answers per batch"
                if all(r["batch"] for r in results[name])
                else ""
            )
        )
    print(
        f"  engine alone on questions of the same kind (in process, cache off): "
        f"{spread(alone, 2)} ms CPU per answer; the server's CPU per answer less it, per run: "
        f"{spread(around, 2)} ms"
    )
    distinct = min(r["distinct"] for r in results["ask"])
    print(f"  answers / ceiling, per run: {spread(ratios, 2)}")
    print(f"  distinct questions among the answers of a run: at least {distinct:.0%}")
    best = statistics.median(r["per_second"] for r in results["ask"])
    p99 = statistics.median(r["p99_ms"] for r in results["ask"])
    print(
        f"  targets: >= 1,000 answers/s: {'met' if best >= 1000 else 'MISSED'}; "
        f"p99 <= 50 ms: {'met' if p99 <= 50 else 'MISSED'}; "
        f">= 0.8 x ceiling: {'met' if statistics.median(ratios) >= 0.8 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
