"""Writing into the knowledge folder the bot serves: files replaced whole, and a folder it cannot
write refused as the console shows every refusal.

A deployment can leave the folder unwritable without anyone noticing until the first edit:
deploy/compose.yaml mounts it read-only for the polling bot, compose.web.yaml needs it owned by
the image's user, and a disk fills up. The console then showed a 500 with the web API's JSON
error, meant for citizens (probe14); now the admin reads what to ask for, and the server's log
says which file and why."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.authoring.disk import reason, within, write_whole
from bot.authoring.editor import GENERAL, EditRefused

log = logging.getLogger(__name__)


@contextmanager
def writing(directory: Path) -> Iterator[None]:
    """A write into `directory` that fails is an `EditRefused` saying why; a failure elsewhere
    (an upload in a scratch folder) is left to its caller."""
    try:
        yield
    except OSError as exc:
        if not within(exc, directory):
            raise
        log.warning("knowledge not saved: %s", exc)
        raise EditRefused(
            {
                GENERAL: [
                    f"{reason(exc)}，改动写不进去：请联系管理服务器的同事处理后再保存（知识库没有改动）"
                ]
            }
        ) from exc


def apply_copy(copy: Path, live: Path) -> list[str]:
    """Make `live` hold what `copy` holds: new and changed files replaced in one rename each,
    files the change removed removed. Returns the paths touched."""
    touched = []
    # Sources before the entries citing them: the watcher may read between two renames, and
    # should then see a version that validates.
    for path in sorted(copy.rglob("*"), key=lambda p: (p.relative_to(copy).parts[0] == "faq", p)):
        if not path.is_file():
            continue
        relative = path.relative_to(copy)
        target = live / relative
        data = path.read_bytes()
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_whole(target, data)
        touched.append(str(relative))
    for target in sorted(live.rglob("*")):
        relative = target.relative_to(live)
        if target.is_file() and not (copy / relative).exists():
            target.unlink()
            touched.append(str(relative))
    return touched
