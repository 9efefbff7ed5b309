"""Hot reload: notice edited knowledge files and swap the new version in, or refuse it.

Polling file sizes and modification times every couple of seconds is enough for files people
edit by hand, costs nothing, and works on every filesystem (network shares included), which
inotify-style watchers do not. The reload itself runs in a worker thread, so messages keep
being answered by the old version until the new one is complete and checked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.app import Service
from bot.knowledge.model import knowledge_files
from bot.knowledge.yamlfile import Problem

log = logging.getLogger(__name__)

Refused = Callable[[list[Problem]], Awaitable[None]]


def fingerprint(directory: Path) -> tuple | None:
    """What changes when any knowledge file is added, removed or edited; None if unreadable."""
    try:
        return (
            tuple(
                (str(path.relative_to(directory)), path.stat().st_mtime_ns, path.stat().st_size)
                for path in knowledge_files(directory)
            )
            or None
        )
    except OSError:
        return None


class Watcher:
    """Reloads `service` when its knowledge directory changes; reports each refused version once."""

    def __init__(
        self, service: Service, interval: float = 2.0, refused: Refused | None = None
    ) -> None:
        self.service = service
        self.interval = interval
        self.refused = refused
        self.seen = fingerprint(service.directory)
        self.reported: set = set()

    async def check(self) -> None:
        """One look at the directory; reload if it changed."""
        current = fingerprint(self.service.directory)
        if current == self.seen:
            return
        self.seen = current
        problems = await asyncio.to_thread(self.service.reload)
        version = self.service.knowledge.version
        if not problems:
            log.info("knowledge reloaded: version %s", version)
            return
        log.warning(
            "knowledge change refused, still serving %s: %s",
            version,
            "; ".join(map(str, problems[:5])),
        )
        if current not in self.reported and self.refused is not None:
            self.reported.add(current)
            await self.refused(problems)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:  # a watcher that dies silently would be worse than one that logs
                log.exception("knowledge watcher failed; trying again")
