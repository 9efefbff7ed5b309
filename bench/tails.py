"""What a benchmark's slowest answers were: how many times each searched the engine's index (a
long message searches its asking clause alone too, and a third time without its background if
not answered yet) and whether it fell back (a fallback also tests the source passages). On the
shipped knowledge and at 100k entries alike, p99 is made of the answers that searched more than
once (docs/benchmarks.md), so the benchmarks print it beside their p99."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.engine.core import Engine


@contextmanager
def counting(engine: Engine) -> Iterator[Callable[[], int]]:
    """While in use, counts the searches of the engine's index (on the instance: the passages'
    own index is not the engine's); the function given returns the count so far and restarts
    it, to be called after each answer."""
    search = engine.index.search
    made = [0]

    def counted(*args, **kwargs):
        made[0] += 1
        return search(*args, **kwargs)

    def taken() -> int:
        count, made[0] = made[0], 0
        return count

    engine.index.search = counted  # type: ignore[method-assign]
    try:
        yield taken
    finally:
        del engine.index.search  # the class's method again


def slowest(cpu: list[float], searches: list[int], fallbacks: list[bool]) -> dict[str, int]:
    """Of the slowest 1% of answers (at least one), given per answer its CPU time, searches
    and whether it fell back: how many, how many searched once, twice, three times, and how
    many fell back."""
    order = sorted(range(len(cpu)), key=cpu.__getitem__, reverse=True)
    tail = order[: max(1, len(cpu) // 100)]
    made = Counter(searches[n] for n in tail)
    return {
        "answers": len(tail),
        **{f"{n} searches": made[n] for n in sorted(made)},
        "fallbacks": sum(fallbacks[n] for n in tail),
    }


def said(tail: dict[str, int]) -> str:
    """`slowest` as one line of a report."""
    return "slowest 1%: " + ", ".join(f"{name} {count}" for name, count in tail.items())
