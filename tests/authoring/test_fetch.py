"""Ingest fetches only from the public internet, within bounds: loopback, private, link-local
and metadata addresses are refused (also after a redirect or a DNS answer), and a huge, slow or
gzip-bomb response is cut off."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import time
from http.server import BaseHTTPRequestHandler

import pytest

from bot.authoring import ingest as ingest_module
from bot.authoring.ingest import IngestError, fetch, public_address
from bot.channels.cli import main
from tests.support.paths import NOTICE
from tests.support.servers import handling

LOOPBACK = ipaddress.ip_address("127.0.0.1")


def only_loopback(address) -> bool:
    """The tests' server is on 127.0.0.1: allow that one address and nothing else."""
    return address == LOOPBACK


class Routes(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, body: bytes, **headers) -> None:
        self.send_response(200)
        self.send_header("Content-Type", headers.pop("type", "text/html; charset=utf-8"))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/notice.html":
            self.send(NOTICE.read_bytes())
        elif self.path == "/host":
            self.send(self.headers["Host"].encode(), type="text/plain; charset=utf-8")
        elif self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/to/") :])
            self.end_headers()
        elif self.path == "/bomb":
            self.send(gzip.compress(b"\0" * 64 * 2**20, 9), Content_Encoding="gzip")
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass


@pytest.fixture
def server():
    with handling(Routes) as httpd:
        yield f"http://127.0.0.1:{httpd.server_port}"


@pytest.mark.parametrize(
    "address, public",
    [
        ("127.0.0.1", False),
        ("::1", False),
        ("10.0.0.5", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.100.100.200", False),  # Alibaba Cloud metadata (shared address space)
        ("fe80::1", False),
        ("fc00::1", False),
        ("0.0.0.0", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_only_public_addresses_are_allowed(address, public):
    assert public_address(ipaddress.ip_address(address)) is public


def test_loopback_is_refused_by_default(server, knowledge_copy, capsys):
    code = main(["--knowledge", str(knowledge_copy), "ingest", f"{server}/notice.html"])
    assert code == 2 and "拒绝访问" in capsys.readouterr().err
    assert not list((knowledge_copy / "sources").glob("doc-*"))


def test_a_name_resolving_to_loopback_is_refused(server):
    port = server.rsplit(":", 1)[1]
    with pytest.raises(IngestError, match="拒绝访问"):
        fetch(f"http://localhost:{port}/notice.html", public_address)


def test_a_redirect_to_a_metadata_address_is_refused(server):
    with pytest.raises(IngestError, match=r"拒绝访问 169\.254\.169\.254"):
        fetch(f"{server}/to/http://169.254.169.254/latest/meta-data/", only_loopback)


def test_redirects_within_allowed_addresses_are_followed(server):
    page = fetch(f"{server}/to//notice.html", only_loopback)
    assert page.url.endswith("/notice.html") and "周六延时服务" in page.text


def test_the_checked_address_is_the_one_connected_to(server, monkeypatch):
    """The name is resolved once, checked, and that address is connected to (a second DNS
    answer cannot point elsewhere); the server still sees the name in Host."""
    port = int(server.rsplit(":", 1)[1])
    looked_up = []

    def resolver(host, *args, **kwargs):
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(ingest_module.socket, "getaddrinfo", resolver)
    page = fetch(f"http://docs.example.test:{port}/host", only_loopback)
    assert page.text == f"docs.example.test:{port}"
    # The name once (for the check); the connection only resolves the literal address.
    assert looked_up.count("docs.example.test") == 1 and set(looked_up) <= {
        "docs.example.test",
        "127.0.0.1",
    }


def test_a_gzip_bomb_stops_at_the_document_limit(server):
    with pytest.raises(IngestError, match="解压后超过"):
        fetch(f"{server}/bomb", only_loopback)


def test_the_download_size_is_capped(server, monkeypatch):
    monkeypatch.setattr(ingest_module, "MAX_DOWNLOAD", 500)
    with pytest.raises(IngestError, match="超过"):
        fetch(f"{server}/notice.html", only_loopback)


def test_the_total_time_is_capped(server, monkeypatch):
    monkeypatch.setattr(ingest_module, "TOTAL_SECONDS", 0.5)
    started = time.monotonic()
    with pytest.raises(IngestError, match="秒"):
        fetch(f"{server}/slow", only_loopback)
    assert time.monotonic() - started < 3
