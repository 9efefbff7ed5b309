"""The web server in process: the shipped knowledge, a throwaway log, no background tasks."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.app import Service
from bot.channels.web.config import WebConfig
from bot.channels.web.server import build_server
from bot.engine.core import Engine
from bot.log.store import ExchangeLog

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"


@pytest.fixture
def service(engine: Engine, tmp_path: Path) -> Service:
    log = ExchangeLog.open(tmp_path / "log.sqlite3", "test-salt")
    yield Service(KNOWLEDGE, engine, log)
    log.close()


def client_for(service: Service, **config) -> httpx.AsyncClient:
    """An HTTP client talking to the ASGI app directly (no socket), as from 127.0.0.1."""
    transport = httpx.ASGITransport(build_server(service, WebConfig(**config)))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


@pytest.fixture
async def client(service: Service) -> httpx.AsyncClient:
    async with client_for(service, rate=0) as client:
        yield client
