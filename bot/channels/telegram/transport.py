"""python-telegram-bot's HTTP transport for the bot's own calls: its JSON calls on a small
HTTP/1.1 client (bot.channels.telegram.http1), uploads on aiohttp, instead of httpx.

Under load, most of the bot's busy time was httpx, httpcore and anyio doing one request round
trip to the Bot API per reply. The same round trip on aiohttp's client cost much less CPU, and
on `http1` less again (replies/s and CPU side by side against the same Bot API stand-in are in
docs/benchmarks-log.md). httpx stays where it serves (doctor, ingest, tests); only the running
bot's calls move.

The contract is python-telegram-bot's `BaseRequest`: return the status and body, and turn
transport failures into its errors (`TimedOut`, `NetworkError`), so its retry and error
handling work unchanged.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.http1 import JsonClient

log = logging.getLogger(__name__)

# As HTTPXRequest's defaults: connections kept open to the Bot API and the timeouts in seconds.
POOL_SIZE = 256
TIMEOUT = 5.0
POOL_TIMEOUT = 1.0


class AiohttpRequest(BaseRequest):
    """Keep-alive connections for the JSON calls (`http1.JsonClient`) and one aiohttp session
    for uploads, made when PTB initializes the bot (both belong to the event loop that made
    them)."""

    def __init__(
        self,
        pool_size: int = POOL_SIZE,
        read_timeout: float | None = TIMEOUT,
        write_timeout: float | None = TIMEOUT,
        connect_timeout: float | None = TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        self.pool_size = pool_size
        self._read, self._write = read_timeout, write_timeout
        self._connect, self._pool = connect_timeout, pool_timeout
        self.session: aiohttp.ClientSession | None = None
        self.json = JsonClient()

    @property
    def read_timeout(self) -> float | None:
        return self._read

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """The Bot API's answer, read by orjson (its parse was 4% of the bot's time per reply
        with the standard library); whatever orjson refuses, python-telegram-bot reads as it
        always did (and reports as it always did)."""
        try:
            return orjson.loads(payload)
        except orjson.JSONDecodeError:
            return BaseRequest.parse_json_payload(payload)

    async def initialize(self) -> None:
        if self.session is None or self.session.closed:
            connector = aiohttp.TCPConnector(limit=self.pool_size, keepalive_timeout=60)
            # The Bot API's JSON is read by PTB itself; aiohttp only moves bytes.
            self.session = aiohttp.ClientSession(connector=connector, auto_decompress=True)

    async def shutdown(self) -> None:
        self.json.close()
        if self.session is not None and not self.session.closed:
            await self.session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self.session is None or self.session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        write = self._write if write_timeout is BaseRequest.DEFAULT_NONE else write_timeout
        connect = self._connect if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout
        pool = self._pool if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout
        # aiohttp's `connect` covers waiting for a free pooled connection and connecting; a
        # request's body is small next to its answer, so sending it counts against `read`.
        waiting = None if connect is None or pool is None else connect + pool
        sending = None if read is None or write is None else read + write
        try:
            body, headers = _body(request_data)
            if method == "POST" and not isinstance(body, aiohttp.FormData):  # not an upload
                return await self.json.post(url, body or b"", waiting, sending)
            timeout = aiohttp.ClientTimeout(
                total=None, connect=waiting, sock_connect=connect, sock_read=sending
            )
            async with self.session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        except OSError as exc:  # http1's ConnectionError and ProtocolError among them
            raise NetworkError(f"{type(exc).__name__}: {exc}") from exc


JSON = {"content-type": "application/json"}


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The parameters as one JSON object (the Bot API takes JSON bodies), or as multipart form
    data when there are files. JSON rather than python-telegram-bot's form encoding: percent-
    encoding Chinese text and aiohttp's form writer were ~14% of the bot's time per reply."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        return _json(request_data.parameters), JSON
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None


def _json(parameters: dict) -> bytes:
    try:
        return orjson.dumps(parameters)
    except TypeError:  # what orjson will not encode (an integer past 64 bits): as before
        return json.dumps(parameters, ensure_ascii=False).encode()


def default_requests(base_url: str) -> tuple[BaseRequest, BaseRequest]:
    """The transports of a running bot: one pool for its calls, one connection for its long
    poll (as python-telegram-bot keeps them apart, so a long poll never waits for a slot).

    Ours connect straight to the Bot API. Where the environment names a proxy for its address
    (HTTPS_PROXY, ALL_PROXY…, unless NO_PROXY excepts it: a server that reaches Telegram only
    through one), python-telegram-bot's own httpx transport is used, which goes through it as it
    did before ours: with ours, `doctor` said 令牌有效 through the proxy while `run` could not
    connect (probe22)."""
    if proxied(base_url):
        log.info("Telegram: the Bot API is reached through the proxy set in the environment")
        return HTTPXRequest(connection_pool_size=POOL_SIZE), HTTPXRequest(connection_pool_size=1)
    return AiohttpRequest(), AiohttpRequest(pool_size=1)


def proxied(url: str) -> bool:
    """Whether the environment's proxy settings (as httpx reads them) apply to `url`."""
    proxies = urllib.request.getproxies_environment()
    parts = urlsplit(url)
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")  # NO_PROXY


# Bot API methods whose answer (the message sent or edited) the bot never reads.
UNREAD = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


class ReplyBot(ExtBot):
    """python-telegram-bot's bot, except that sending or editing a message returns `True`
    instead of the message Telegram echoes back: turning that echo into a `Message` (and its
    chat, user and keyboard objects) was a fifth of the bot's time per reply, and nothing in
    policybot reads it. `True` is what these methods return for inline messages anyway."""

    __slots__ = ("_send_defaults",)
    _send_defaults: dict

    async def _do_post(self, endpoint: str, *args, **kwargs):
        result = await super()._do_post(endpoint, *args, **kwargs)
        return True if endpoint in UNREAD else result

    async def send_text(self, chat_id: int, text: str, reply_markup: dict | None = None) -> None:
        """`send_message(chat_id, text, reply_markup=...)` with the bot's defaults, for the plain
        questions' replies (bot.channels.telegram.handlers.plain_question): the same request
        through the same rate limiter, retries and error mapping, without python-telegram-bot
        assembling and filtering its thirty-odd parameters, wrapping each value in a
        `RequestParameter` (they are JSON values already) and reading the message Telegram
        echoes back (docs/benchmarks.md)."""
        data: dict = {"chat_id": chat_id, "text": text, **self.send_defaults()}
        if reply_markup is not None:
            data["reply_markup"] = reply_markup
        limiter = self.rate_limiter
        if limiter is None:
            await self._post_unread("sendMessage", data)
            return
        await limiter.process_request(
            callback=self._post_unread,
            args=("sendMessage", data),
            kwargs={},
            endpoint="sendMessage",
            data=data,
            rate_limit_args=None,
        )

    def send_defaults(self) -> dict:
        """The bot's `Defaults` that apply to a sendMessage without a quote or a reply, as the
        JSON values python-telegram-bot would send (made once: defaults never change)."""
        try:
            return self._send_defaults
        except AttributeError:
            found = {}
            if self.defaults is not None:
                for name in SEND_DEFAULTS:
                    value = getattr(self.defaults, name)
                    if value is not None:
                        found[name] = value.to_dict() if hasattr(value, "to_dict") else value
            self._send_defaults = found
            return found

    async def _post_unread(self, endpoint: str, data: dict) -> bool:
        """`Bot._do_post` for parameters that are JSON values already, without reading the
        answer: an error still raises as python-telegram-bot maps it (`_request_wrapper`:
        `RetryAfter`, `BadRequest`, `NetworkError` ...), which the rate limiter retries."""
        parameters = [RequestParameter(name, value, None) for name, value in data.items()]
        await self._request[1]._request_wrapper(
            url=f"{self.base_url}/{endpoint}", method="POST", request_data=RequestData(parameters)
        )
        return True  # what `_do_post` returns for a message the bot does not read


# The `Defaults` that apply to a sendMessage without a quote or a reply.
SEND_DEFAULTS = ("parse_mode", "link_preview_options", "disable_notification", "protect_content")
