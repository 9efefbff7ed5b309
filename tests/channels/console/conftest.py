"""The console every HTTP test here logs into: a fresh site per test (put back as seeded once a
session: `SeededConsole`), and a client that does not follow redirects (so a test sees where
the console sends it). Tests whose every request is refused (they change nothing) share one
site per module instead."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support.console import SeededConsole, console_site


@pytest.fixture(scope="session")
def seeded_console(tmp_path_factory) -> SeededConsole:
    return SeededConsole(tmp_path_factory.mktemp("seeded-console"))


@pytest.fixture
def site(seeded_console):
    made = seeded_console.fresh()
    yield made
    made.close()


@pytest.fixture
def client(site):
    return TestClient(site.app, follow_redirects=False)


@pytest.fixture(scope="module")
def refused_site(tmp_path_factory):
    made = console_site(tmp_path_factory.mktemp("console"))
    yield made
    made.close()


@pytest.fixture
def refused_client(refused_site):
    """A client of its own (no cookies from another test) on the module's shared site."""
    return TestClient(refused_site.app, follow_redirects=False)
