"""Shared fixtures: the shipped knowledge, loaded once, and throwaway copies of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.core import Engine
from bot.knowledge.model import Knowledge, load
from tests.support.paths import KNOWLEDGE


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(knowledge: Knowledge) -> Engine:
    return Engine(knowledge)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge that a test may edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target
