"""The console every HTTP test here logs into: a fresh site per test, and a client that does
not follow redirects (so a test sees where the console sends it). Tests whose every request is
refused (they change nothing) share one site per module instead: seeding a site takes most of a
console test's time."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support.console import console_site


@pytest.fixture
def site(tmp_path):
    made = console_site(tmp_path)
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
