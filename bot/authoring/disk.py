"""Writing a knowledge file whole or not at all, and saying in words why the disk refused it.

The bot watches the knowledge folder and a restart reads it from scratch, so a file cut short
by a full disk is a broken knowledge base: `policybot import` on a full disk left a YAML file
ending mid-character, which `validate` then called not UTF-8, and `ingest` a policy text cut
short (probe16). A file is therefore written beside its place and renamed over it: a write that
fails leaves the old file (or none) and no scratch file behind. The heartbeat
(`bot.ops.health`) is written the same way: `policybot health` reads the old beat or the new.

Whoever changes the knowledge holds its folder's lock (`held`) from reading what it changes to
the rename: the console's server and a terminal's `policybot teach` or `import` are two processes,
and each checks the whole knowledge with its change before writing (0.2 s for 67 entries), so a
change the other wrote meanwhile was lost without a word (probe18). A hand edit takes no lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

# Why a write failed, in words an admin can pass on to whoever runs the server.
REASONS = {
    errno.EROFS: "知识库文件夹是只读的",
    errno.EACCES: "本服务没有写知识库文件夹的权限",
    errno.EPERM: "本服务没有写知识库文件夹的权限",
    errno.ENOSPC: "服务器磁盘已满",
    errno.EDQUOT: "服务器磁盘配额已用完",
}


log = logging.getLogger(__name__)

# How long a writer waits for another to finish: an import of a large sheet, or a console teach
# checking a knowledge base of thousands of entries, takes seconds.
WAIT = 30.0

# The folders this thread holds: the console holds the lock for a whole change, and the
# `teach` and `save` it calls take it again.
_held = threading.local()


class Busy(Exception):
    """Another writer held the knowledge folder for longer than `WAIT`."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            f"另一位管理员或另一个程序正在修改知识库（{directory}），已等 {WAIT:g} 秒："
            "请稍后再试（知识库没有改动）"
        )


@contextlib.contextmanager
def held(directory: Path) -> Iterator[None]:
    """Hold `directory`'s write lock, waiting up to `WAIT` seconds (then `Busy`). The lock is
    the folder's own (`flock`), so it needs no file of its own in a read-only folder, and it
    goes with the process that held it, however that process ends."""
    folders = _held.__dict__.setdefault("folders", set())
    key = os.path.realpath(directory)
    if key in folders:
        yield
        return
    descriptor = os.open(key, os.O_RDONLY)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Busy(directory) from None
                time.sleep(0.05)
            except OSError as exc:
                # A filesystem that keeps no locks (some network mounts): every change refused
                # would be worse than two writers meeting, as they could before the lock.
                log.warning("knowledge folder %s cannot be locked (%s); writing unlocked", key, exc)
                break
        folders.add(key)
        try:
            yield
        finally:
            folders.discard(key)
    finally:
        os.close(descriptor)  # which lets the lock go


def reason(exc: OSError) -> str:
    return REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def within(exc: OSError, directory: Path) -> bool:
    """Whether `exc` is about a file in `directory` (not, say, an upload being read)."""
    return isinstance(exc.filename, str) and Path(exc.filename).resolve().is_relative_to(
        directory.resolve()
    )


def write_whole(path: Path, data: str | bytes) -> None:
    """`path` holds `data` after one rename, keeping its mode; on failure it is as it was, and
    the `OSError` names `path` (not the scratch file, which an admin never sees)."""
    temporary = path.with_name(f".{path.name}.saving")
    try:
        if isinstance(data, str):
            temporary.write_text(data, encoding="utf-8")
        else:
            temporary.write_bytes(data)
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):  # a read-only folder never had it
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
