"""What every subcommand shares: exit codes, one-line errors, opening the log and the engine."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.log.database import since_to_iso
from bot.log.store import SQLiteStore
from bot.settings import Settings
from bot.text.privacy import SaltError

# Every command imports this module, `health` (the container's check every 30 s) included: the
# engine, NumPy and the knowledge reader load in the functions that need them, not here.
if TYPE_CHECKING:
    from bot.engine.cache import EngineCache
    from bot.engine.core import Engine
    from bot.knowledge.model import Knowledge
    from bot.log.writer import ExchangeLog

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_CRASH = 1  # what Python exits with on an uncaught exception

T = TypeVar("T")
Handler = Callable[[argparse.Namespace, Settings], int]


class CommandError(Exception):
    """Ends a command with one clear line on stderr and exit code 2."""


# More worker processes than this is a typo (each wants a CPU core of its own to be worth it),
# and each costs file descriptors before it forks: 30,000 ended in "Too many open files".
MAX_WORKERS = 64


def worker_count(workers: int) -> int:
    """`--workers N` checked: from 1 to `MAX_WORKERS`."""
    if workers < 1:
        raise CommandError(f"--workers 不能小于 1：{workers}")
    if workers > MAX_WORKERS:
        raise CommandError(
            f"--workers 不能多于 {MAX_WORKERS}（每个进程要有一个空闲的 CPU 核）：{workers}"
        )
    return workers


def open_log(settings: Settings, background: bool = False) -> ExchangeLog:
    """The exchange log; `background` for the long-running bot (bot.log.writer says why)."""
    from bot.log.writer import ExchangeLog

    try:
        return ExchangeLog.open(settings.db, settings.salt, background)
    except SaltError as exc:
        raise CommandError(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"无法打开交流记录 {settings.db}: {exc}") from exc


@contextmanager
def log_store(settings: Settings, wait: float = 0.2) -> Iterator[SQLiteStore]:
    """The log for reading; it must exist already (reports on a new empty file help nobody).
    A write waits up to `wait` seconds for another process's. An SQLite error while the store
    is in use is one line too: `prune` on a log another process held locked was a traceback
    (probe16)."""
    if not settings.db.is_file():
        raise CommandError(f"交流记录不存在: {settings.db}（用 --db 或 POLICYBOT_DB 指定）")
    try:
        store = SQLiteStore(settings.db, wait)
    except sqlite3.Error as exc:
        raise CommandError(f"无法读取交流记录 {settings.db}: {exc}") from exc
    try:
        yield store
    except sqlite3.Error as exc:
        raise log_error(settings, exc) from exc
    finally:
        store.close()


def log_error(settings: Settings, exc: sqlite3.Error) -> CommandError:
    """An SQLite error met in the log while a command used it, in one line."""
    busy = "（另一个进程正锁着它写入：稍后再试）" if "locked" in str(exc) else ""
    return CommandError(f"交流记录 {settings.db} 出错: {exc}{busy}")


def since(text: str | None) -> str | None:
    try:
        return since_to_iso(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def load_knowledge(settings: Settings) -> Knowledge:
    from bot.knowledge.model import load

    return knowledge_or_exit(load, settings.knowledge)


def engine_cache(settings: Settings) -> EngineCache | None:
    """Where built engines are kept, signed with the log's salt (bot.engine.cache)."""
    from bot.engine.cache import EngineCache

    return EngineCache.keyed_by_salt(settings.cache, settings.db, settings.salt)


def build(settings: Settings, aside: bool = True, ready: bool = False) -> Engine:
    """The engine for answering: from the engine cache when the knowledge is large; one built
    is saved there by a forked child unless not `aside` (bot.engine.cache.save_aside);
    `ready`: readied to serve first (`Engine.ready`: a server's, not inside its first answers)."""
    from bot.engine.cache import build_engine

    cache = engine_cache(settings)
    return knowledge_or_exit(lambda d: build_engine(d, cache, aside, ready), settings.knowledge)


def knowledge_or_exit(read: Callable[[Path], T], directory: Path) -> T:
    """`read(directory)`, with knowledge errors turned into one clear command error."""
    from bot.knowledge.model import KnowledgeDirMissing, KnowledgeError

    try:
        return read(directory)
    except (KnowledgeDirMissing, SaltError) as exc:
        raise CommandError(str(exc)) from exc
    except KnowledgeError as exc:
        details = "\n".join(map(str, exc.problems))
        raise CommandError(f"知识库有错误，先运行 policybot validate 修正：\n{details}") from exc


def forked(count: int, work: Callable[[int], int]) -> list[int]:
    """`count` worker processes forked from this one, worker `n` running `work(n)` and exiting
    with what it returns (1 if it raises, the error logged); their pids, worker 0's first. Everything
    with a thread in it (the log writer, an event loop's executor) must start in `work`, not
    before."""
    children = []
    for me in range(count):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = work(me)
            except Exception:
                logging.getLogger(__name__).exception("worker %d failed", me)
            finally:
                os._exit(code)
        children.append(pid)
    return children


def write_output(output: str | bytes, out: str | None) -> None:
    if out:
        data = output if isinstance(output, bytes) else output.encode("utf-8")
        try:
            Path(out).write_bytes(data)
        except OSError as exc:  # a typo in --out was a traceback (probe16)
            raise CommandError(f"无法写入 {out}：{exc.strerror or exc}") from exc
        print(f"已写入 {out}", file=sys.stderr)
    elif isinstance(output, bytes):
        sys.stdout.buffer.write(output)
    else:
        print(output)
