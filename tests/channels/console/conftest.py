"""The console every HTTP test here logs into: a fresh site per test, and a client that does
not follow redirects (so a test sees where the console sends it)."""

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
