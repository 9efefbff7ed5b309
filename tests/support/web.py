"""The web server in process, for API and widget tests: no socket, no background tasks."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx

from bot.app import Service
from bot.channels.web.server import build_server
from bot.settings import WebConfig


def client_for(service: Service, **config) -> httpx.AsyncClient:
    """An HTTP client talking to the ASGI app directly, as if from 127.0.0.1."""
    transport = httpx.ASGITransport(build_server(service, WebConfig(**config)))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 90) -> None:
    """Wait for a started `policybot serve` to answer /healthz."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.communicate()}")
        try:
            httpx.get(f"{base}/healthz", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("serve did not start listening in time")
