"""Adding a policy document to the knowledge: a file or a web page, cleaned to its main text.

Web pages are mostly navigation, banners and footers; trafilatura finds the article in them
and reads its title, site and date, which a hand-written extractor would do worse. The document
lands in `sources/` beside the others, where FAQ entries can cite it and the engine can answer
from its passages. The same URL (or file name) always gets the same id, so ingesting again
updates the document instead of adding a copy.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.authoring.disk import write_whole
from bot.knowledge.files import slug
from bot.knowledge.model import split_passages

if TYPE_CHECKING:  # (imported in `fetch`, below)
    import httpx

# Fetching a URL is bounded in every way a hostile or broken server could stretch it.
TOTAL_SECONDS = 60.0  # the whole download, redirects included (checked as bytes arrive)...
STEP_SECONDS = 15.0  # ...and connecting, or waiting for the next bytes, at most this long
MAX_DOWNLOAD = 20 * 2**20  # bytes on the wire
MAX_DOCUMENT = 20 * 2**20  # bytes once decompressed (a gzip bomb stops here)
MAX_REDIRECTS = 5


class IngestError(Exception):
    """The document could not be read or has no text; the message says which and why."""


@dataclass(frozen=True)
class Ingested:
    id: str
    path: Path
    title: str
    date: str
    passages: int
    updated: bool


@dataclass(frozen=True)
class _Document:
    text: str
    title: str = ""
    publisher: str = ""
    date: str = ""
    url: str = ""


def _from_html(html: str, url: str = "") -> _Document:
    import trafilatura  # heavy (lxml, justext): only commands that read HTML pay for it

    text = trafilatura.extract(html, favor_precision=True, include_comments=False, url=url or None)
    if not text:
        raise IngestError("网页里没有找到正文")
    meta = trafilatura.extract_metadata(html, default_url=url or None)
    # trafilatura separates paragraphs with one newline; the knowledge uses blank lines.
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return _Document(
        text="\n\n".join(paragraphs),
        title=(meta.title if meta and meta.title else "").strip(),
        publisher=(meta.sitename or meta.author or "").strip() if meta else "",
        date=(meta.date or "") if meta else "",
        url=url,
    )


def _from_markdown(text: str) -> _Document:
    title = next(
        (line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")), ""
    )
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1（\2）", text)  # links keep their address
    text = re.sub(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|\*|_|`)", "", text)
    return _Document(text=text.strip(), title=title)


def public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """May ingest connect here? Only to the public internet: never to this machine, the local
    network, link-local or cloud metadata addresses (169.254.169.254, 100.100.100.200), which
    a URL — or a redirect, or a DNS answer — could otherwise make the bot read for anyone."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


AddressPolicy = Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool]


def _read(source: str, allowed: AddressPolicy | None = None) -> tuple[_Document, str]:
    """The document and the key its id is made from."""
    if re.match(r"https?://", source):
        page = fetch(source, allowed or public_address)
        if "html" in page.content_type:
            return _from_html(page.text, page.url), source
        return _Document(text=page.text.strip(), url=source), source
    path = Path(source)
    if not path.is_file():
        raise IngestError(f"文件不存在: {source}")
    content = path.read_text(encoding="utf-8", errors="replace")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        document = _from_html(content)
    elif suffix in (".md", ".markdown"):
        document = _from_markdown(content)
    else:
        document = _Document(text=content.strip())
    return document, path.stem


@dataclass(frozen=True)
class Page:
    url: str  # where it was found, after redirects
    content_type: str
    text: str


def fetch(url: str, allowed: AddressPolicy) -> Page:
    """GET a URL with every address checked by `allowed` — the first, each redirect's, and
    every address its name resolves to — connecting to the checked address itself (so a DNS
    answer cannot change between the check and the connection), within TOTAL_SECONDS, at most
    MAX_DOWNLOAD bytes received and MAX_DOCUMENT bytes after decompression."""
    # Imported here: every `policybot` command imports this module, and httpx was ~0.18 s of
    # CPU of each start (`ask`, `serve` on the web) that never fetches (docs/benchmarks-log.md).
    import httpx

    deadline = time.monotonic() + TOTAL_SECONDS
    current = httpx.URL(url)
    timeout = httpx.Timeout(STEP_SECONDS)
    # No proxies from the environment: the address checked must be the address connected to.
    with httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            request = _pinned_request(client, current, allowed)
            try:
                response = client.send(request, stream=True)
                try:
                    if response.is_redirect and "location" in response.headers:
                        current = current.join(response.headers["location"])
                        if current.scheme not in ("http", "https"):
                            raise IngestError(f"{url} 跳转到了不支持的地址 {current}")
                        continue
                    response.raise_for_status()
                    body = _body(response, deadline)
                finally:
                    response.close()
            except httpx.HTTPError as exc:
                raise IngestError(f"无法下载 {url}: {exc}") from exc
            content_type = response.headers.get("content-type", "text/html")
            decoded = httpx.Response(200, headers={"content-type": content_type}, content=body)
            return Page(str(current), content_type, decoded.text)
    raise IngestError(f"无法下载 {url}: 跳转超过 {MAX_REDIRECTS} 次")


def _pinned_request(client: httpx.Client, url: httpx.URL, allowed: AddressPolicy) -> httpx.Request:
    """A request for `url` that connects to its host's checked address; TLS still verifies the
    certificate for the host name (sent as SNI)."""
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise IngestError(f"无法解析 {host}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(answer[4][0]).split("%")[0]) for answer in answers]
    refused = [str(address) for address in addresses if not allowed(address)]
    if refused or not addresses:
        raise IngestError(
            f"拒绝访问 {host}（{', '.join(refused) or '没有地址'}）：只能从公网地址添加文档，"
            "不能访问本机、内网、链路本地或云平台元数据地址"
        )
    pinned = url.copy_with(host=str(addresses[0]))
    headers = {"Host": url.netloc.decode("ascii"), "Accept-Encoding": "gzip, deflate"}
    return client.build_request("GET", pinned, headers=headers, extensions={"sni_hostname": host})


def _body(response: httpx.Response, deadline: float) -> bytes:
    """The response body, decompressed here (not by httpx) so that both limits hold as it
    arrives: bytes received, and bytes they expand to."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decompressor = zlib.decompressobj()
    elif encoding in ("identity", ""):
        decompressor = None
    else:
        raise IngestError(f"不支持的压缩格式 {encoding}")
    received, chunks, size = 0, [], 0
    for raw in response.iter_raw():  # as it arrives: a fixed chunk size would wait to fill it
        received += len(raw)
        if received > MAX_DOWNLOAD:
            raise IngestError(f"文档超过 {MAX_DOWNLOAD // 2**20} MB，已停止下载")
        if time.monotonic() > deadline:
            raise IngestError(f"下载超过 {TOTAL_SECONDS:g} 秒，已停止")
        pending = raw
        while pending:
            if decompressor is None:
                part, pending = pending, b""
            else:
                # Never more than the room left (plus one byte, to notice going over).
                part = decompressor.decompress(pending, MAX_DOCUMENT - size + 1)
                pending = decompressor.unconsumed_tail
            size += len(part)
            if size > MAX_DOCUMENT:
                raise IngestError(f"文档解压后超过 {MAX_DOCUMENT // 2**20} MB，已停止")
            chunks.append(part)
    return b"".join(chunks)


def document_id(key: str) -> str:
    if re.match(r"https?://", key):
        return f"doc-{hashlib.sha1(key.encode()).hexdigest()[:10]}"
    return f"doc-{slug(key, 20)}"


def ingest(
    source: str,
    knowledge: Path,
    title: str | None = None,
    publisher: str | None = None,
    date: str | None = None,
    allowed: AddressPolicy | None = None,
) -> Ingested:
    """Write `source` into `knowledge/sources/` as ID.txt and ID.yaml. `allowed` decides which
    addresses a URL may be fetched from (default `public_address`)."""
    document, key = _read(source, allowed)
    if not document.text.strip():
        raise IngestError(f"{source} 里没有文字")
    if not (date or document.date):
        raise IngestError(
            "没有找到发布日期：请用 --date 指定，例如 --date 2023-03-15（答案要说明是哪天的信息）"
        )
    doc_id = document_id(key)
    folder = knowledge / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    text_path = folder / f"{doc_id}.txt"
    updated = text_path.exists()
    meta = {
        "title": title or document.title or key,
        "publisher": publisher or document.publisher,
        "date": date or document.date,
        "url": document.url,
    }
    write_whole(text_path, document.text + "\n")
    write_whole(
        folder / f"{doc_id}.yaml",
        "# 由 policybot ingest 生成；可以手工修改标题、发布单位和日期。\n"
        + yaml.safe_dump({k: v for k, v in meta.items() if v}, allow_unicode=True, sort_keys=False),
    )
    return Ingested(
        id=doc_id,
        path=text_path,
        title=meta["title"],
        date=meta["date"],
        passages=len(split_passages(document.text)),
        updated=updated,
    )
