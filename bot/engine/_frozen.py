"""Frozen dataclasses made and copied without their generated `__init__`'s cost.

A frozen dataclass's `__init__` sets each field through `object.__setattr__`, around its own
frozen check: ~0.5 us a field (timeit, load ~10), so an `Answer` (14 fields) took ~10 us to make
and ~20 us to copy with `dataclasses.replace`; every answer is copied once or twice and checks
~8 candidates (`Check`, 10 fields). Setting the fields through the new object's `__dict__` is
what that `__init__` amounts to, for a class without `__post_init__` or `InitVar`s, in one call
(`bot.knowledge.model.made_as_init_would`, which loading uses for entries).

`made` takes the values as a dict written at the call site, not as keywords: a call with 13
keywords builds that dict anyway, and comparing its keys with the fields' on every call cost as
much again (callgrind: ~14k instructions a `Check` made from keywords, ~8k from a dict literal;
a frozen `Candidate`'s `__init__` ~2k a field).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from bot.knowledge.model import made_as_init_would

T = TypeVar("T")


_NAMES: dict[type, frozenset[str]] = {}
_CHECKED: set[type] = set()  # the classes `made` has checked the fields of


def _names(cls: type) -> frozenset[str]:
    """A dataclass's field names (for the checks below; asserts, so `python -O` skips them)."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = frozenset(field.name for field in fields(cls))
    return names


def made(cls: type[T], values: dict[str, Any]) -> T:
    """`cls(**values)` of a frozen dataclass, every field given by name in `values` (a dict
    literal where the engine makes that kind of record: each is made in one place, so the names
    are checked on its first record, not on each)."""
    if cls not in _CHECKED:
        assert _names(cls) == values.keys(), _names(cls) ^ values.keys()
        _CHECKED.add(cls)
    return made_as_init_would(cls, values)


def amended(record: T, **changes: Any) -> T:
    """`dataclasses.replace(record, **changes)` of a frozen dataclass."""
    assert _names(type(record)).issuperset(changes), changes.keys() - _names(type(record))
    return made_as_init_would(type(record), {**record.__dict__, **changes})
