"""Hot reload: notice edited knowledge files and swap the new version in, or refuse it.

Polling file sizes and modification times every couple of seconds is enough for files people
edit by hand, costs nothing, and works on every filesystem (network shares included), which
inotify-style watchers do not. The reload itself runs in a worker thread, so messages keep
being answered by the old version until the new one is complete and checked.

A change is reloaded only once the files have held still for one whole interval: an editor that
saves in several writes (truncate, then write) leaves a half-written file for a moment, and a
half-written FAQ file can be valid YAML with half its entries. The reload then reads the files
once and refuses the result if they changed while it was reading (bot.app.Service.reload).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.app import CHANGED_WHILE_READING, Service
from bot.knowledge.files import fingerprint
from bot.knowledge.yamlfile import Problem

log = logging.getLogger(__name__)

Refused = Callable[[list[Problem]], Awaitable[None]]

__all__ = ["Watcher", "fingerprint"]
_NOTHING = object()  # not a fingerprint (an unreadable directory's is None)


class Watcher:
    """Reloads `service` when its knowledge directory changes; reports each refused version once."""

    def __init__(
        self, service: Service, interval: float = 2.0, refused: Refused | None = None
    ) -> None:
        self.service = service
        self.interval = interval
        self.refused = refused
        self.seen = fingerprint(service.directory)  # the files as last reloaded (or refused)
        self.settling: object = _NOTHING  # a change seen once, waiting to hold still
        self.reported: set = set()

    async def check(self) -> None:
        """One look at the directory; reload if it changed and has held still since the last look."""
        current = fingerprint(self.service.directory)
        if current == self.seen:
            self.settling = _NOTHING
            return
        if current != self.settling:
            self.settling = current
            return
        self.settling = _NOTHING
        problems = await asyncio.to_thread(self.service.reload)
        if [p.message for p in problems] == [CHANGED_WHILE_READING]:
            log.info("knowledge files changed while being read; trying again")
            return
        self.seen = current
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
