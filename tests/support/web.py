"""The web server in process, for API and widget tests: no socket, no background tasks."""

from __future__ import annotations

import httpx

from bot.app import Service
from bot.channels.web.config import WebConfig
from bot.channels.web.server import build_server


def client_for(service: Service, **config) -> httpx.AsyncClient:
    """An HTTP client talking to the ASGI app directly, as if from 127.0.0.1."""
    transport = httpx.ASGITransport(build_server(service, WebConfig(**config)))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")
