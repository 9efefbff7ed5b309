"""The page size a large build's arrays take. Private to `bot.engine.index`'s build.

NumPy advises the kernel to back each array from 4 MB with 2 MB pages (`madvise(MADV_HUGEPAGE)`).
On a virtual machine that hands its free memory back to the host (virtio-balloon's free page
reporting, as the one the benchmarks run on), only free blocks of 2 MB and more are handed back,
and a huge page needs such a block: nearly every one a build takes is one the host took, and
the first write to it waits on the host's faults. 4 kB pages come first from the guest's own
smaller free blocks, which it keeps: 500 MB written 6-13 s of wall with the advice against
0.4 s without, a 100k build 9.2 -> 6.4 s (docs/benchmarks.md, "Fresh memory on this VM")."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _switch() -> Callable[[bool], bool] | None:
    """NumPy's switch for its huge-page advice, where this NumPy has one: in `numpy._core` from
    NumPy 2, in `numpy.core` in NumPy 1 (which pyproject allows). It gives the setting it
    replaces."""
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            found = getattr(importlib.import_module(name), "_set_madvise_hugepage", None)
        except ImportError:
            continue
        if found is not None:
            return found
    return None


ADVISE = _switch()


@contextmanager
def small_pages() -> Iterator[None]:
    """NumPy's huge-page advice off for the block (a build; forked children inherit it), and
    back as it was after. The arrays an engine keeps are in 4 kB pages then, as the engine
    cache's mapped ones are. The switch is the process's: a serving process's other threads,
    answering while a reload builds, take 4 kB pages meanwhile too; a page's size changes no
    value."""
    was = ADVISE(False) if ADVISE is not None else None
    try:
        yield
    finally:
        if was is not None and ADVISE is not None:
            ADVISE(was)
