"""The web server in process: the shipped knowledge and a throwaway log."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.app import Service
from bot.engine.core import Engine
from bot.log.writer import ExchangeLog
from tests.support.flows import CONFIRM, FLOWS, LIST, flows_engine
from tests.support.paths import KNOWLEDGE
from tests.support.web import client_for


@pytest.fixture
def service(engine: Engine, tmp_path: Path) -> Service:
    log = ExchangeLog.open(tmp_path / "log.sqlite3", "test-salt")
    yield Service(KNOWLEDGE, engine, log)
    log.close()


@pytest.fixture
async def client(service: Service) -> httpx.AsyncClient:
    async with client_for(service, rate=0) as client:
        yield client


@pytest.fixture
async def flows_client(tmp_path: Path):
    """The API on the small fixed knowledge of `tests.support.flows`, where `LIST` is a list of
    three choices and `CONFIRM` a confirm whatever the engine's tuning; and its service."""
    log = ExchangeLog.open(tmp_path / "flows.sqlite3", "test-salt")
    service = Service(FLOWS, flows_engine({LIST: 3, CONFIRM: 1}), log)
    async with client_for(service, rate=0) as client:
        yield client, service
    log.close()
