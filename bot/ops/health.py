"""A heartbeat file that says the running bot is alive, for container and service health checks.

The bot rewrites the file every few seconds from its own event loop, so a fresh file means the
loop is turning and the knowledge is loaded, in polling and webhook mode alike; `policybot
health` (the image's HEALTHCHECK) reads it. A file needs no extra port, route or proxy rule.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from bot.authoring.disk import write_whole

if TYPE_CHECKING:  # `policybot health` imports this module and must not load the engine
    from bot.app import Service

log = logging.getLogger(__name__)

INTERVAL = 10.0
MAX_AGE = 60.0


def beat(path: Path, service: Service) -> None:
    """Write the heartbeat atomically: a reader never sees half a file."""
    knowledge = service.knowledge
    record = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "pid": os.getpid(),
        "knowledge_version": knowledge.version,
        "entries": len(knowledge.entries),
        "uptime_seconds": round(service.uptime),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, json.dumps(record))  # (a failed beat leaves no scratch file either)


async def heartbeat(path: Path, service: Service, interval: float = INTERVAL) -> None:
    """Beat every `interval` seconds until cancelled. A failed write (a full disk, a removed
    folder) is logged once and retried at the next beat: the health check then sees a stale
    file, and the beats resume, with a line saying so, when the write succeeds again."""
    import asyncio  # here: every `policybot` command imports this module, few run a loop

    failing = False
    try:
        while True:
            try:
                await asyncio.to_thread(beat, path, service)
            except OSError as exc:
                if not failing:
                    log.error("heartbeat %s could not be written (%s); retrying", path, exc)
                failing = True
            else:
                if failing:
                    log.warning("heartbeat %s written again", path)
                failing = False
            await asyncio.sleep(interval)
    finally:
        with contextlib.suppress(OSError):  # stopped on purpose: not healthy any more
            path.unlink(missing_ok=True)


def check(path: Path, max_age: float = MAX_AGE) -> tuple[bool, str]:
    """Is the heartbeat fresh? With a one-line reason either way."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        written = dt.datetime.fromisoformat(record["time"])
    except (OSError, ValueError, KeyError) as exc:
        return False, f"no heartbeat at {path}: {exc.__class__.__name__}"
    age = (dt.datetime.now(dt.UTC) - written).total_seconds()
    if age > max_age:
        return False, f"heartbeat is {age:.0f}s old (limit {max_age:.0f}s)"
    return True, f"alive: knowledge {record.get('knowledge_version')}, heartbeat {age:.0f}s ago"
