"""The chat widget and the demo page: static files shipped in the package, served from memory.

Every asset comes from this server (government intranets often block CDNs, and a strict CSP is
then simple). The widget's script and style are loaded by portal pages on other sites, so only
they may be embedded cross-origin.
"""

from __future__ import annotations

import hashlib
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
}
# path on the server: (file in static/, may other sites load it?)
FILES = {
    "/": ("demo.html", False),
    "/widget.js": ("widget.js", True),
    "/widget.css": ("widget.css", True),
    "/demo.css": ("demo.css", False),
}


class Asset:
    """One file, read once; answered with an ETag so browsers revalidate cheaply."""

    def __init__(self, name: str, shared: bool) -> None:
        self.body = resources.files("bot.channels.web").joinpath("static", name).read_bytes()
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        self.headers = {
            "content-type": TYPES[name[name.rindex(".") :]],
            "etag": self.etag,
            # Short: a new release reaches portal pages within minutes.
            "cache-control": "public, max-age=300" if shared else "no-cache",
        }
        if shared:
            self.headers["cross-origin-resource-policy"] = "cross-origin"

    async def respond(self, request: Request) -> Response:
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=self.headers)
        return Response(self.body, headers=self.headers)


def routes() -> list[BaseRoute]:
    return [
        Route(path, Asset(name, shared).respond, methods=["GET", "HEAD"])
        for path, (name, shared) in FILES.items()
    ]
