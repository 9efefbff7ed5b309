"""The web server for tests: in process (`client_for`: no socket, no background tasks), or as
a real `policybot serve` process on a free port (`serve_process`)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bot.app import Service
from bot.channels.web.server import build_server
from bot.settings import WebConfig
from tests.support.cli import started


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


@contextlib.contextmanager
def serve_process(
    db: Path, env: dict[str, str] | None = None, options: tuple[str, ...] = ()
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`policybot [options] serve` from the repository root on a free port, with a log at `db`
    and no POLICYBOT_ variables but `env`: its base URL and process once it answers /healthz.
    Stopped afterwards unless the test stopped it."""
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if not key.startswith("POLICYBOT_")}
    environ |= {"POLICYBOT_DB": str(db), **(env or {})}
    process = started(*options, "serve", "--port", str(port), env=environ)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
