"""Making millions of objects at once without the garbage collector chasing them.

Loading 100k entries makes tens of millions of Python objects that all stay alive. CPython's
collector runs every few hundred new objects and its older generations re-scan everything made
so far: more than half of a large load was the collector finding nothing to free
(docs/benchmarks-log.md). Loads and engine builds pause it. The objects are not frozen
(`gc.freeze`): an engine replaced by a reload holds reference cycles, and frozen it would never
be freed.

When the collector is back on, everything made meanwhile is still in its youngest generation,
and the first collection, a few hundred allocations later, scanned all of it to free nothing:
0.26 s of CPU after a 100k build, inside the first answer of `policybot ask`. So the block moves
what it made to the oldest generation unscanned (`gc.freeze()` then `gc.unfreeze()`, two list
splices), where only a full collection looks at it, as a collection would have moved it.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for the block, and back on after it, even on errors,
    with what the block made in the oldest generation (above); a block inside another (a build
    inside a start) leaves it to the outer one."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            # Not where something is frozen (a server's settled heap, `bot.app.settle_heap`):
            # it must stay so, and a reload settles again anyway.
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def give_back() -> None:
    """Hand the memory a large build freed back to the system. glibc keeps freed blocks for the
    process to reuse, and a build frees hundreds of MB of temporaries: at 100k entries one
    engine's resident memory was 894 MB after its build and 689 MB after `malloc_trim(0)`
    (docs/benchmarks-log.md). Elsewhere (another C library, another system) it does nothing.

    The function is looked up among the symbols the process has loaded (the C library's among
    them), not by `ctypes.util.find_library`, which runs `ldconfig` in a subprocess: ~20 ms of
    a start with the engine cache."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # no such library, or not glibc
        return
    trim(0)
