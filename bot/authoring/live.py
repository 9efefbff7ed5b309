"""Writing into the knowledge folder the bot serves: files replaced whole, and a folder it cannot
write refused as the console shows every refusal.

A deployment can leave the folder unwritable without anyone noticing until the first edit:
deploy/compose.yaml mounts it read-only for the polling bot, compose.web.yaml needs it owned by
the image's user, and a disk fills up. The console then showed a 500 with the web API's JSON
error, meant for citizens (probe14); now the admin reads what to ask for, and the server's log
says which file and why."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.authoring.disk import reason, within, write_whole
from bot.authoring.editor import GENERAL, EditRefused
from bot.knowledge.files import read_snapshot

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


def changed_on_disk(directory: Path, version: str) -> bool:
    """Whether `directory` no longer holds the knowledge `version` read from it: someone wrote
    there since (the console, a terminal's `policybot teach`, an editor, `git pull`), and a
    change made on the version read would write over theirs without a word (probe16)."""
    return read_snapshot(directory).version != version


def digests(folder: Path) -> dict[str, str]:
    """Each file under `folder` (by its path there) and a hash of what it holds."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def apply_copy(copy: Path, live: Path, before: dict[str, str]) -> list[str]:
    """Put in `live` what a change made in `copy`, whose files were `before` (`digests`) when
    it began: new and changed files replaced in one rename each, files the change removed
    removed. Only those: a file someone changed in `live` meanwhile (a terminal `teach`, git's
    own files) was put back as the copy had it, or removed (probe16). Returns the paths
    touched."""
    after = digests(copy)
    changed = [relative for relative, digest in after.items() if before.get(relative) != digest]
    # Sources before the entries citing them: the watcher may read between two renames, and
    # should then see a version that validates.
    changed.sort(key=lambda relative: (Path(relative).parts[0] == "faq", relative))
    for relative in changed:
        target = live / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_whole(target, (copy / relative).read_bytes())
    removed = sorted(relative for relative in before if relative not in after)
    for relative in removed:
        (live / relative).unlink(missing_ok=True)
    return changed + removed
