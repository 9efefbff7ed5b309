"""Shared fixtures: the shipped knowledge, loaded once, and throwaway copies of it to break."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine.core import Engine, Thresholds
from bot.knowledge.model import Knowledge, load
from tests.support.paths import KNOWLEDGE


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(knowledge: Knowledge) -> Engine:
    return Engine(knowledge)


@pytest.fixture(scope="session")
def engine_with(knowledge: Knowledge) -> Callable[[Thresholds], Engine]:
    """Engines on the shipped knowledge under other thresholds (a strict one that lists
    choices, one that confirms), each built once a session: building one is most of a small
    test's time. Shared, so never change one: a test that sets thresholds builds its own."""
    return functools.cache(lambda thresholds: Engine(knowledge, thresholds))


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge that a test may edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target
