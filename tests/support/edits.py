"""Editing a copy of the knowledge in place, finding the line a test expects an error at, and
another writer holding the knowledge folder."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.authoring.disk import held


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_number(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


@contextmanager
def another_writer(folder: Path) -> Iterator[None]:
    """Another writer holds `folder` while the block runs."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with held(folder):
            taken.set()
            release.wait(300)  # let go when the block ends, however slow it is

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join()
