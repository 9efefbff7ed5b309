"""Adding a policy document to the knowledge: a file or a web page, cleaned to its main text.

Web pages are mostly navigation, banners and footers; trafilatura finds the article in them
and reads its title, site and date, which a hand-written extractor would do worse. The document
lands in `sources/` beside the others, where FAQ entries can cite it and the engine can answer
from its passages. The same URL (or file name) always gets the same id, so ingesting again
updates the document instead of adding a copy.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from bot.authoring.importer import slug
from bot.knowledge.model import split_passages

FETCH_TIMEOUT = 30.0


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


def _read(source: str) -> tuple[_Document, str]:
    """The document and the key its id is made from."""
    if re.match(r"https?://", source):
        try:
            response = httpx.get(source, follow_redirects=True, timeout=FETCH_TIMEOUT)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise IngestError(f"无法下载 {source}: {exc}") from exc
        if "html" in response.headers.get("content-type", "html"):
            return _from_html(response.text, str(response.url)), source
        return _Document(text=response.text.strip(), url=source), source
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
) -> Ingested:
    """Write `source` into `knowledge/sources/` as ID.txt and ID.yaml."""
    document, key = _read(source)
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
    text_path.write_text(document.text + "\n", encoding="utf-8")
    (folder / f"{doc_id}.yaml").write_text(
        "# 由 policybot ingest 生成；可以手工修改标题、发布单位和日期。\n"
        + yaml.safe_dump({k: v for k, v in meta.items() if v}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return Ingested(
        id=doc_id,
        path=text_path,
        title=meta["title"],
        date=meta["date"],
        passages=len(split_passages(document.text)),
        updated=updated,
    )
