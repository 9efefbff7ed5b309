"""A bounded memo for work the per-message path repeats (a run of characters split, a clause
read, a query weighed): kept by its input until `limit` are kept, then all dropped at once.

A bound, not an LRU: each item costs microseconds to make again, an LRU's bookkeeping would cost
as much on every hit, and a dict cleared whole stays safe when another thread reads it meanwhile
(a reader holds its own result, not the dict's)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def kept(store: dict[K, V], key: K, make: Callable[[], V], limit: int) -> V:
    """`store[key]`, made by `make()` the first time (the whole store dropped first when it
    holds `limit` items)."""
    found = store.get(key)
    if found is None:
        if len(store) >= limit:
            store.clear()
        found = store[key] = make()
    return found
