"""What every response and every API call goes through: security headers, JSON bodies read
within a size limit, bilingual errors, and a per-client rate limit.

The headers are added by a plain ASGI middleware (no `BaseHTTPMiddleware`, which costs a task
and a queue per request): a route that sets one of them itself (a page that needs a different
Content-Security-Policy, an asset other sites may load) keeps its own value.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import math
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Everything the widget and the demo page need comes from this server; nothing else may load,
# nothing may frame the pages, and no inline script or style can run even if text slipped in.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if 300 <= message["status"] < 400:
                    headers = [on_site(header) for header in headers]
                present = {name.lower() for name, _ in headers}
                headers += [item for item in self.headers if item[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def on_site(header: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    """A redirect's `Location` as a path on this site. Starlette's trailing-slash redirect
    (/admin/entries/ to /admin/entries) writes the request's Host header into it as given, so a
    forged Host, or a proxy passing one on, sent the browser to another site; none of the bot's
    redirects leaves the site. The path keeps one leading slash: `//host` would leave it too."""
    name, value = header
    if name.lower() != b"location" or b"://" not in value:
        return header
    parts = urlsplit(value.decode("latin-1"))
    path = "/" + parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    return name, path.encode("latin-1")


class JSONReply(JSONResponse):
    """Starlette's JSON response, encoded by orjson: the same bytes (compact, UTF-8 unescaped)
    in 16 µs where the standard library took 220 µs for an answer, a fifth of the API's own
    time per question (docs/benchmarks-log.md). Whatever orjson will not encode (an integer past
    64 bits, a key that is not text) goes the standard library's way, as before."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:
            return super().render(content)


def parse_json(body: bytes | bytearray) -> Any:
    """`json.loads`, by orjson first (30x faster on a question): what orjson refuses (UTF-16,
    NaN, lone surrogates, huge integers) is read by the standard library, so every body reads
    as it did, and what neither reads raises ValueError, nesting past Python's recursion limit
    included (orjson refuses past 1,024 levels, the standard library then raised
    RecursionError: a 500 for 10 KB of brackets)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            return json.loads(body)
        except RecursionError:
            raise ValueError("nested too deeply") from None


class ApiError(Exception):
    """An API refusal: an HTTP status, a code for programs, and a short message in both
    languages (Chinese for the people who see it, English for the developers who debug it)."""

    def __init__(
        self, status: int, code: str, zh: str, en: str, headers: dict | None = None
    ) -> None:
        super().__init__(en)
        self.status, self.code, self.zh, self.en = status, code, zh, en
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {"error": {"code": self.code, "message": self.zh, "message_en": self.en}}
        return JSONReply(body, self.status, headers={**self.headers, **NO_STORE})


NO_STORE = {"cache-control": "no-store"}


def not_json() -> ApiError:
    return ApiError(
        400,
        "not_json",
        "请求格式不对：请用 JSON 对象发送（Content-Type: application/json）。",
        "The body must be a JSON object sent with Content-Type: application/json.",
    )


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "too_large",
        f"内容太长了（上限 {limit // 1024} KB），请精简后再问。",
        f"Request body too large (limit {limit} bytes).",
    )


def server_error() -> ApiError:
    """A bug's answer: the API's shape with every security header (Starlette's error middleware
    sends it outside `SecurityHeaders`), and nothing of the exception itself."""
    return ApiError(
        500,
        "server_error",
        "服务暂时出了问题，请稍后再试，或拨打 12345 政务服务热线咨询。",
        "Internal server error.",
        SECURITY_HEADERS,
    )


def invalid(field: str, zh: str) -> ApiError:
    return ApiError(422, "invalid", zh, f"Field '{field}' is missing or invalid.")


async def read_json(request: Request, limit: int) -> dict:
    """The request's JSON object. Refuses a declared oversize body before reading any of it,
    and stops reading an undeclared (chunked) one as soon as it passes the limit."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_large(limit)
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    # Requiring the JSON type also means another site's page cannot post here without a CORS
    # preflight, which only the origins in POLICYBOT_WEB_ORIGINS pass.
    if kind != "application/json":
        raise not_json()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    try:
        data = parse_json(body)
    except ValueError:  # also UnicodeDecodeError: a body that is not UTF-8
        raise not_json() from None
    if not isinstance(data, dict):
        raise not_json()
    return data


class RateLimit:
    """At most `per_minute` requests per client, refilled evenly (a token bucket holding a
    minute's worth, so a person asking a few questions in a row is never held up).
    `per_minute` 0 turns it off. A client is an IPv4 address or an IPv6 /64 network (`client`)."""

    # Buckets kept before the first sweep of refilled ones; later sweeps wait until the table
    # has doubled since the last, so a flood from many addresses costs each request O(1).
    SWEEP = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, when)
        self.sweep_at = self.SWEEP

    def check(self, address: str) -> None:
        """Take one request from the client's bucket; raises a 429 `ApiError` when empty."""
        if not self.rate:
            return
        client = network(address)
        now = self.clock()
        tokens, then = self.buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        if tokens < 1.0:
            self.buckets[client] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / self.rate))
            raise ApiError(
                429,
                "rate_limited",
                f"您提问太快了，请 {wait} 秒后再试。",
                f"Too many requests; retry after {wait} s.",
                {"retry-after": str(wait)},
            )
        self.buckets[client] = (tokens - 1.0, now)
        if len(self.buckets) > self.sweep_at:
            self.forget(now)

    def forget(self, now: float) -> None:
        """Drop clients whose bucket has refilled: they are as new ones, and memory stays small."""
        full = self.capacity / self.rate
        self.buckets = {
            client: (tokens, then)
            for client, (tokens, then) in self.buckets.items()
            if now - then < full
        }
        self.sweep_at = max(self.SWEEP, 2 * len(self.buckets))


@functools.lru_cache(maxsize=4096)
def network(address: str) -> str:
    """Whom the rate limit counts: an IPv6 address's /64 (one subscriber's network: counted per
    address, a client had 2^64 allowances), any other address as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network((ip, 64), strict=False))
    return address


def client_of(request: Request) -> str:
    """The client's address (uvicorn puts the proxy's X-Forwarded-For here when trusted)."""
    return request.client.host if request.client else "unknown"
