"""Reading the knowledge directory from disk: once, into memory, and only what is safe to read.

Everything the bot says is quoted from these files, so what they are matters as much as what
they say. A knowledge file is a regular file inside the knowledge directory (a symlink may point
elsewhere in it, never out: a link to /proc/self/environ would have the bot quote its own
secrets to users), of bounded size, read within a bounded time. Anything else — a FIFO or device
that would block or never end, a dangling link, a directory named `x.yaml`, a huge file — is a
`file:line` problem like any other mistake, and is never read.

All files are read in one pass into a `Snapshot`, which is what gets validated and served, so
the version that passed the checks is exactly the version in use. A snapshot also remembers
what each file looked like on disk (`fingerprint`), so a reload can tell that a file changed
while it was being read — an editor saving in several writes — and refuse that half-way state.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.knowledge.yamlfile import Problem

# Every knowledge file matches one of these, relative to the knowledge directory.
PATTERNS = ("*.yaml", "faq/*.yaml", "sources/*.yaml", "sources/*.txt")
# 100k generated entries take 37 MB in one file (bench/startup.py); room for three times that.
MAX_FILE_BYTES = 100 * 2**20
MAX_TOTAL_BYTES = 400 * 2**20
# Local disks read the largest allowed knowledge base in about a second; a network share that
# stalls longer than this is reported instead of freezing a reload (and the bot's shutdown).
READ_SECONDS = 30.0
_CHUNK = 2**20

Stamp = tuple[str, int, int]  # (path relative to the directory, st_mtime_ns, st_size)


def knowledge_files(directory: Path) -> list[Path]:
    """Every path that is meant to be a knowledge file, sorted; hidden names (an editor's lock
    and backup files, such as Emacs's `.#faq.yaml` link) are not knowledge."""
    return sorted(
        path
        for pattern in PATTERNS
        for path in directory.glob(pattern)
        if not path.name.startswith(".")
    )


def fingerprint(directory: Path) -> tuple[Stamp, ...] | None:
    """What changes when any knowledge file is added, removed or edited; None if unreadable.
    Only `stat` is used: nothing is opened, so no file can block it."""
    try:
        return tuple(_stamp(directory, path) for path in knowledge_files(directory)) or None
    except OSError:
        return None


def _stamp(directory: Path, path: Path) -> Stamp:
    try:
        info = path.stat()
    except FileNotFoundError:  # a dangling link: its own change still counts
        info = path.lstat()
    return (path.relative_to(directory).as_posix(), info.st_mtime_ns, info.st_size)


@dataclass(frozen=True)
class Snapshot:
    """The knowledge files' contents as read at one moment, with what was refused and why."""

    directory: Path
    contents: dict[Path, bytes] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    fingerprint: tuple[Stamp, ...] | None = None  # the files as they were before reading

    @cached_property
    def version(self) -> str:
        """A short hash of every file read, so logs and /stats can say which version answered."""
        digest = hashlib.sha256()
        for path, data in sorted(self.contents.items()):
            digest.update(str(path.relative_to(self.directory)).encode())
            digest.update(data)
        return digest.hexdigest()[:12]

    @cached_property
    def size(self) -> int:
        return sum(map(len, self.contents.values()))

    def files(self, pattern: str) -> list[Path]:
        """The files read that match a pattern of PATTERNS, sorted."""
        return sorted(
            path for path in self.contents if path.relative_to(self.directory).match(pattern)
        )

    def refused(self, path: Path) -> bool:
        """Was this path there but not read (and already reported)?"""
        return any(problem.path == path for problem in self.problems)

    def replaced(self, path: Path, data: bytes) -> Snapshot:
        """This snapshot with one file's contents replaced (or added): how an edit is checked
        before it is written."""
        return Snapshot(
            self.directory,
            {**self.contents, path: data},
            tuple(problem for problem in self.problems if problem.path != path),
            self.fingerprint,
        )

    def unchanged(self) -> bool:
        """Do the files on disk still look as they did when this snapshot was read?"""
        return self.fingerprint is not None and fingerprint(self.directory) == self.fingerprint


class ReadTimeout(Exception):
    """Reading the knowledge took longer than READ_SECONDS."""


def read_snapshot(directory: Path, deadline: float | None = None) -> Snapshot:
    """Read every knowledge file that is safe to read; the rest become problems."""
    directory = Path(directory)
    deadline = deadline if deadline is not None else time.monotonic() + READ_SECONDS
    root = directory.resolve()
    before = fingerprint(directory)
    contents: dict[Path, bytes] = {}
    problems: list[Problem] = []
    total = 0
    for path in knowledge_files(directory):
        try:
            data = _read_one(path, root, min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - total), deadline)
        except _Refused as refusal:
            problems.append(Problem(path, 1, str(refusal)))
            continue
        except ReadTimeout:
            problems.append(
                Problem(path, 1, f"读取超过 {READ_SECONDS:g} 秒仍未完成（文件所在的磁盘太慢？）")
            )
            break
        contents[path] = data
        total += len(data)
    return Snapshot(directory, contents, tuple(problems + _misnamed(directory)), before)


# A name meant as YAML that `faq/*.yaml` does not match: a category copied to `.yml` or `.YAML`,
# or saved by Notepad with the extensions hidden (`.yaml.txt`), had its entries left out while
# `validate` said 0 个警告 (probe20). An editor's backup (`~` last) is meant to be left out.
_MEANT_AS_YAML = re.compile(r"\.ya?ml", re.IGNORECASE)


def _misnamed(directory: Path) -> list[Problem]:
    return [
        Problem(
            path,
            1,
            "文件名不以 .yaml 结尾，这个文件不会被读取：如果它是问答文件，"
            f"请改名为 {path.name[: meant.start()]}.yaml",
            "warning",
        )
        for path in sorted((directory / "faq").glob("*"))
        if (meant := _MEANT_AS_YAML.search(path.name))
        and not path.name.endswith((".yaml", "~"))
        and not path.name.startswith(".")
    ]


class _Refused(Exception):
    """This path is not a knowledge file the bot may read; the message says why."""


def _read_one(path: Path, root: Path, limit: int, deadline: float) -> bytes:
    if path.is_symlink() and not path.exists():
        raise _Refused("这是一个指向不存在文件的链接，请删除它或改成真正的文件")
    real = path.resolve()
    if not real.is_relative_to(root):
        raise _Refused("这个文件是指向知识库目录以外的链接：知识文件必须放在知识库目录里")
    # Non-blocking and without following links: a FIFO or device opens at once and is refused
    # below; the checks above cannot be raced into reading something else.
    try:
        descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        raise _Refused(f"无法读取这个文件：{exc.strerror}") from exc
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise _Refused("这是一个目录，不是文件：请改名，或把它移出知识库")
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("这不是普通文件（是管道、设备或套接字）：知识文件必须是普通文件")
        if info.st_size > limit:
            raise _Refused(_too_large(limit))
        chunks, size = [], 0
        while chunk := os.read(descriptor, _CHUNK):
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise _Refused(_too_large(limit))
            if time.monotonic() > deadline:
                raise ReadTimeout
            chunks.append(chunk)
    finally:
        os.close(descriptor)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return (
        f"文件太大：一个知识文件最多 {MAX_FILE_BYTES // 2**20} MB，"
        f"整个知识库最多 {MAX_TOTAL_BYTES // 2**20} MB（这个文件可用的还剩 {limit // 2**20} MB）"
    )


def slug(text: str, limit: int = 24) -> str:
    """An ASCII part of a knowledge file's name or a document id, for any text (a sheet's name,
    a category, a page's address): pinyin for Chinese, else a short hash."""
    from pypinyin import lazy_pinyin  # only authoring names files: serving starts without it

    words = "-".join(lazy_pinyin(text))
    cleaned = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:limit].strip("-")
    return cleaned or hashlib.sha1(text.encode()).hexdigest()[:10]
