"""A stand-in for WeChat's servers, as a 公众号's developer-mode server sees them.

`WeChatStandIn` does what WeChat does to the bot's `/wechat` URL: verifies it with a signed GET,
posts users' messages and events as signed XML (encrypted in safe mode), waits 5 s for the
passive reply and otherwise sends the same message again, three tries in all, and checks and
decrypts the reply. `menu_api` plays the HTTP API that `policybot wechat-menu --set` calls.

It signs and encrypts with the bot's own `protocol` module, which tests pin to wechatpy's
output with a fixed message (tests/channels/wechat/test_protocol.py).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.channels.wechat.protocol import Crypto, parse, signature

TOKEN = "policybot"
APPID = "wx5823bf96d3bd56c7"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SECRET = "standin-app-secret-0123456789abcdef"
ACCOUNT = "gh_0123456789ab"  # the 公众号's original ID, where users' messages go
WAIT = 5.0  # seconds WeChat waits for a passive reply before sending again
TRIES = 3


@dataclass
class Delivery:
    """What came of sending one message: every try's outcome and the reply in the end."""

    status: int | None = None
    body: str = ""
    reply: dict[str, str] | None = None
    tries: int = 0
    timeouts: int = 0
    seconds: float = 0.0  # from the first try to the reply
    sent: dict[str, str] = field(default_factory=dict)

    @property
    def content(self) -> str:
        return (self.reply or {}).get("Content", "")


class Connections:
    """Keep-alive HTTP/1.1 connections to the bot, as many as are in use at once.

    Written on asyncio streams rather than taken from httpx: with 200 connections open, httpx's
    pool costs the test process several milliseconds a request, more than the bot itself, and
    a burst test would then measure its own client."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def request(
        self, method: str, params: dict[str, str], body: bytes = b"", timeout: float = WAIT
    ) -> tuple[int, str]:
        """One request on an idle connection (or a new one); a connection that timed out or
        failed is closed, as WeChat closes it before trying again. An idle connection the
        server has closed meanwhile (its keep-alive timeout) is replaced, as any client does."""
        head = (
            f"{method} {self.path}?{urlencode(params)} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        while self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self.exchange(reader, writer, head + body, timeout)
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                if getattr(exc, "partial", b""):  # the server had begun to answer: a real failure
                    raise
        return await self.exchange(*await self.connect(), head + body, timeout)

    async def exchange(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        data: bytes,
        timeout: float,
    ) -> tuple[int, str]:
        try:
            writer.write(data)
            status, text = await asyncio.wait_for(self.response(reader), timeout)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return status, text

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port)

    @staticmethod
    async def response(reader: asyncio.StreamReader) -> tuple[int, str]:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return status, body.decode()

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


class WeChatStandIn:
    """WeChat's side of a 公众号 in developer mode, pointed at the bot's URL."""

    _ids = itertools.count(24_000_000_000_000_000)

    def __init__(
        self,
        url: str,
        token: str = TOKEN,
        aes_key: str | None = None,
        appid: str = APPID,
        wait: float = WAIT,
        tries: int = TRIES,
    ) -> None:
        self.url, self.token = url, token
        self.connections = Connections(url)
        self.crypto = Crypto(token, aes_key, appid) if aes_key else None
        self.wait, self.tries = wait, tries

    async def __aenter__(self) -> WeChatStandIn:
        return self

    async def __aexit__(self, *exc) -> None:
        self.connections.close()

    def query(self, timestamp: int | None = None, **extra: str) -> dict[str, str]:
        """A request's signed query string, as WeChat builds it."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = str(secrets.randbelow(10**9))
        return {
            "signature": signature(self.token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            **extra,
        }

    async def request(self, method: str, params: dict[str, str], body: str = "") -> tuple[int, str]:
        return await self.connections.request(method, params, body.encode(), self.wait)

    async def verify(self, echostr: str = "", **query: str) -> tuple[int, str]:
        """The console's URL check (提交 in 服务器配置)."""
        echostr = echostr or str(secrets.randbelow(10**18))
        return await self.request("GET", {**self.query(), "echostr": echostr, **query})

    def envelope(self, message: str, query: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The POST body and query for a message: as is, or encrypted and signed in safe mode."""
        if self.crypto is None:
            return message, query
        encrypted = self.crypto.encrypt(message)
        query = {
            **query,
            "encrypt_type": "aes",
            "msg_signature": signature(self.token, query["timestamp"], query["nonce"], encrypted),
        }
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        return body, query

    async def post(self, message: str, query: dict[str, str] | None = None) -> Delivery:
        """Deliver one message as WeChat does: wait, send again on silence, three tries."""
        body, query = self.envelope(message, query or self.query())
        delivery = Delivery()
        started = time.perf_counter()
        for _ in range(self.tries):
            delivery.tries += 1
            try:
                status, text = await self.request("POST", query, body)
            except TimeoutError:
                delivery.timeouts += 1
                continue
            delivery.status, delivery.body = status, text
            delivery.seconds = time.perf_counter() - started
            if status == 200 and text not in ("", "success"):
                delivery.reply = self.open_reply(text)
            return delivery
        delivery.seconds = time.perf_counter() - started
        return delivery

    def open_reply(self, text: str) -> dict[str, str]:
        """A passive reply's fields; in safe mode its signature is checked first."""
        fields = parse(text)
        if self.crypto is None:
            return fields
        expected = signature(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
        assert fields["MsgSignature"] == expected, "the reply's MsgSignature does not check out"
        return parse(self.crypto.decrypt(fields["Encrypt"]))

    # What users do -----------------------------------------------------------------------------

    async def text(self, openid: str, content: str, msg_id: int | None = None) -> Delivery:
        return await self.message(
            openid, "text", f"<Content><![CDATA[{content}]]></Content>", msg_id
        )

    async def media(self, openid: str, kind: str) -> Delivery:
        """An image, voice, location... message; only its type matters to the bot."""
        extra = {
            "image": "<PicUrl><![CDATA[http://127.0.0.1/p.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>",
            "voice": "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>",
            "location": "<Location_X>48.36</Location_X><Location_Y>134.29</Location_Y><Scale>15</Scale><Label><![CDATA[抚远]]></Label>",
        }
        return await self.message(openid, kind, extra.get(kind, ""))

    async def message(
        self, openid: str, kind: str, inner: str, msg_id: int | None = None
    ) -> Delivery:
        msg_id = next(self._ids) if msg_id is None else msg_id
        xml = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[{kind}]]></MsgType>{inner}<MsgId>{msg_id}</MsgId></xml>"
        )
        delivery = await self.post(xml)
        delivery.sent = {"MsgId": str(msg_id), "FromUserName": openid}
        return delivery

    async def event(
        self, openid: str, event: str, key: str = "", created: int | None = None
    ) -> Delivery:
        created = int(time.time()) if created is None else created
        xml = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
        )
        return await self.post(xml)


def openid(number: int) -> str:
    """A plausible OpenID (28 characters) for stand-in user `number`."""
    return f"oStandIn{number:020d}"


# The HTTP API (api.weixin.qq.com), as far as the custom menu needs it -----------------------


@dataclass
class MenuApi:
    """What the stand-in API was asked and holds: tokens issued, menus set."""

    appid: str = APPID
    secret: str = SECRET
    tokens: set[str] = field(default_factory=set)
    menus: list[dict] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


def menu_problem(menu: dict) -> tuple[int, str] | None:
    """WeChat's checks on a custom menu, with its error codes: at most 3 buttons of at most
    16 bytes, each with at most 5 sub-buttons of at most 60 bytes; CLICK keys of at most 128."""
    buttons = menu.get("button") or []
    if not 1 <= len(buttons) <= 3:
        return 40016, "invalid button size"
    for button in buttons:
        if not 1 <= len(button.get("name", "").encode()) <= 16:
            return 40018, "invalid button name size"
        subs = button.get("sub_button")
        for sub in subs or [button]:
            if subs is not None and not 1 <= len(sub.get("name", "").encode()) <= 60:
                return 40018, "invalid button name size"
            if sub.get("type") != "click":
                return 40017, "invalid button type"
            if not 1 <= len(sub.get("key", "").encode()) <= 128:
                return 40019, "invalid button key size"
        if subs is not None and not 1 <= len(subs) <= 5:
            return 40023, "invalid sub button size"
    return None


def menu_api(state: MenuApi) -> Starlette:
    async def stable_token(request: Request) -> JSONResponse:
        sent = await request.json()
        if (sent.get("appid"), sent.get("secret")) != (state.appid, state.secret):
            return JSONResponse({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = secrets.token_hex(16)
        state.tokens.add(token)
        return JSONResponse({"access_token": token, "expires_in": 7200})

    async def create(request: Request) -> JSONResponse:
        if request.query_params.get("access_token") not in state.tokens:
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        body = await request.body()
        state.bodies.append(body)
        menu = json.loads(body)
        problem = menu_problem(menu)
        if problem is not None:
            return JSONResponse({"errcode": problem[0], "errmsg": problem[1]})
        state.menus.append(menu)
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    return Starlette(
        routes=[
            Route("/cgi-bin/stable_token", stable_token, methods=["POST"]),
            Route("/cgi-bin/menu/create", create, methods=["POST"]),
        ]
    )
