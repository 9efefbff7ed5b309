"""Work done on the second core by a forked child, for a large build (bot.engine.prepared,
bot.engine.vocabulary): the child works on what this process holds (shared, copied on write),
hands its result back through a pipe, and leaves without any clean-up. The work must give the
same whichever process does it, and touch nothing another thread may hold a lock on (the child
has the forking thread only): pure computation on what the build already holds. If the child
fails, the work is done here, so a result is always what this process would make."""

from __future__ import annotations

import io
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any, Generic, TypeVar

import numpy as np

from bot.knowledge.bulk import give_back

T = TypeVar("T")
_SIZE = 8  # bytes of each length on the pipe


def fork_safe() -> bool:
    """Whether this process can fork safely: only while it runs one thread. A serving process
    rebuilds on reload in a thread while others answer and log; a child forked then inherits
    whatever lock another thread held (an allocator's, a native library's, SQLite's) with no
    thread left to release it, and could hang the reload."""
    return hasattr(os, "fork") and threading.active_count() == 1


def cores() -> int:
    """The cores this process may run on (1 where the system does not say)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def two_cores() -> bool:
    """Whether this process may run on two cores or more, and can fork safely (`fork_safe`)."""
    return fork_safe() and cores() > 1


class Forked(Generic[T]):
    """`work()`, started in a forked child now; `result()` waits for it (or, where the child
    failed, does it here: by `here()` if given, which must give the same). `trim`: the child
    hands the memory glibc keeps of what it freed back to the system before it sends (~5 ms:
    for a child whose freed temporaries are large beside what it sends). `parts`: `work()`
    gives an iterator, each item handed back as soon as it is made (this process, waiting on
    the result, reads it while the child makes the next) and `result()` their list. The child
    may start threads of its own (a writer): it never forks."""

    def __init__(
        self,
        work: Callable[[], T],
        here: Callable[[], T] | None = None,
        trim: bool = False,
        parts: bool = False,
    ) -> None:
        # (With `here`, what `work` reads is not kept alive in this process till the result.)
        self.work, self.parts = here or work, parts
        readable, writable = os.pipe()
        self.child = os.fork()
        if not self.child:
            status = 1
            try:
                os.close(readable)
                made: Iterator[Any] = work() if parts else _once(work)  # type: ignore[assignment]
                # Each part written by a thread while the next is made: the pipe holds 64 kB,
                # so a writer waits on this process's reading (at 100k entries ~0.2-0.4 s).
                with os.fdopen(writable, "wb") as pipe, ThreadPoolExecutor(1) as sender:
                    sent: Future[None] | None = None
                    for part in made:
                        handed = [part]
                        del part  # (`_send` lets it go as it is written)
                        if sent is not None:
                            sent.result()  # (one part on the pipe at a time; its failure here)
                        if trim:
                            give_back()
                        sent = sender.submit(_send, handed, pipe)
                        del handed
                    if sent is not None:
                        sent.result()
                status = 0
            finally:
                os._exit(status)
        os.close(writable)
        self.pipe: IO[bytes] | None = os.fdopen(readable, "rb")

    def result(self) -> T:
        assert self.pipe is not None, "a result is taken once"
        try:
            with self.pipe:
                handed = _received(self.pipe)  # (the child waits on a full pipe till now)
        finally:
            self.pipe = None
            _, status = os.waitpid(self.child, 0)
        if status or handed is None or (not self.parts and len(handed) != 1):
            return self.work()
        return handed if self.parts else handed[0]  # type: ignore[return-value]

    def cancel(self) -> None:
        """The child stopped and reaped, its result not wanted (this process failed meanwhile)."""
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
            os.kill(self.child, signal.SIGKILL)
            os.waitpid(self.child, 0)

    def __del__(self) -> None:
        """A child whose result is never taken is stopped with it."""
        if getattr(self, "pipe", None) is not None:
            self.cancel()


def aside(work: Callable[[], T], here: Callable[[], T], *, forked: bool) -> Callable[[], T]:
    """What gives `work()`'s result when called: `work` done now, or if `forked` and on two
    cores, in a forked child while this process goes on (if the child fails, `here()` makes
    the same result here, from what this process still holds when it is called)."""
    if not forked or not two_cores():
        made = work()
        return lambda: made
    return Forked(work, here).result


def _once(work: Callable[[], T]) -> Iterator[T]:
    """`work()`'s result as the one part handed back (not held here once it is taken)."""
    yield work()


def _send(handed: list[Any], pipe: IO[bytes]) -> None:
    """A result or part (`handed`'s one item, taken out) pickled with its arrays' memory out of
    band, each written as it is: the receiver reads each straight into an array's memory (no
    pickled copy of tens of MB beside it at the build's peak). An array held by nothing but the
    result is freed once written: at 100k entries the child held the 234 MB it hands back till
    the end while this process read them. Parts follow one another, each with its count of
    arrays."""
    buffers: list[pickle.PickleBuffer] = []
    written = io.BytesIO()
    # (The pickler's memo holds every object pickled: not kept past the dump.)
    _Pickler(written, protocol=5, buffer_callback=buffers.append).dump(handed.pop())
    with written.getbuffer() as head:
        pipe.write(len(head).to_bytes(_SIZE, "little"))
        pipe.write(head)
    pipe.write(len(buffers).to_bytes(_SIZE, "little"))
    buffers.reverse()
    while buffers:
        buffer = buffers.pop()
        with buffer.raw() as raw:
            pipe.write(raw.nbytes.to_bytes(_SIZE, "little"))
            pipe.write(raw)
        buffer.release()  # (its array with it, if nothing else holds it)


class _Pickler(pickle.Pickler):
    """A pickler that hands NumPy's data types over as NumPy's own: `np.dtype("<f8")` is the
    one float64 every array made here shares, where an unpickled copy would be a new one, and
    an index holding both would pickle otherwise than one built here (the engine cache)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, np.dtype) and obj.isbuiltin == 1:
            return np.dtype, (obj.str,)
        return NotImplemented


def _received(pipe: IO[bytes]) -> list[object] | None:
    """What `_send` wrote, part after part, or None if one is cut short (the child failed)."""
    parts = []
    while (size := _length(pipe)) is not None:
        head, count = _exactly(pipe, size), _length(pipe)
        if head is None or count is None:
            return None
        buffers = []
        for _ in range(count):
            if (size := _length(pipe)) is None:
                return None
            # (Not zeroed first, as a bytearray is: 248 MB handed back took 0.19 s of this
            # process's CPU with one, 0.08 s with this; the pipe fills every byte or it is None.)
            buffer = np.empty(size, np.uint8)
            if pipe.readinto(buffer) != size:  # type: ignore[attr-defined]
                return None
            buffers.append(buffer)
        parts.append(pickle.loads(head, buffers=buffers))
    return parts


def _length(pipe: IO[bytes]) -> int | None:
    found = pipe.read(_SIZE)
    return int.from_bytes(found, "little") if len(found) == _SIZE else None


def _exactly(pipe: IO[bytes], size: int) -> bytes | None:
    found = pipe.read(size)
    return found if len(found) == size else None
