"""Writing a knowledge file whole or not at all, and saying in words why the disk refused it.

The bot watches the knowledge folder and a restart reads it from scratch, so a file cut short
by a full disk is a broken knowledge base: `policybot import` on a full disk left a YAML file
ending mid-character, which `validate` then called not UTF-8, and `ingest` a policy text cut
short (probe16). A file is therefore written beside its place and renamed over it: a write that
fails leaves the old file (or none) and no scratch file behind. The heartbeat
(`bot.ops.health`) is written the same way: `policybot health` reads the old beat or the new."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from pathlib import Path

# Why a write failed, in words an admin can pass on to whoever runs the server.
REASONS = {
    errno.EROFS: "知识库文件夹是只读的",
    errno.EACCES: "本服务没有写知识库文件夹的权限",
    errno.EPERM: "本服务没有写知识库文件夹的权限",
    errno.ENOSPC: "服务器磁盘已满",
    errno.EDQUOT: "服务器磁盘配额已用完",
}


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
