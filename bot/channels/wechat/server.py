"""`/wechat`: the HTTP endpoint a 公众号 in developer mode calls (docs/wechat.md).

Every request is checked before anything else is read: the signature over the token, timestamp
and nonce, and the timestamp's age. Only then is the body read (at most MAX_BODY bytes), parsed
without DTDs, and in safe mode its `msg_signature` checked and the message decrypted. The reply
is passive: XML in the HTTP response, well within the 5 seconds WeChat waits.

WeChat sends a message again when it has no reply within 5 s, up to three times, with the same
MsgId (events: the same sender and CreateTime). The first reply is kept for a minute and sent
again, so each message is answered and logged once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import Service
from bot.channels.limits import UserLimiter
from bot.channels.wechat.chat import Chat
from bot.channels.wechat.protocol import (
    MAX_BODY,
    Crypto,
    Forbidden,
    ProtocolError,
    check_fresh,
    check_signature,
    parse,
    text_reply,
)
from bot.channels.wechat.state import Expiring
from bot.ops.logsetup import Sparing
from bot.settings import WeChatSettings

log = logging.getLogger(__name__)

PATH = "/wechat"
APOLOGY = "抱歉，处理您的消息时出了点问题，请稍后再试；急事请拨打 12345 政务服务热线。"
NO_REPLY = "success"  # WeChat's word for "nothing to send": no retry, no error shown to the user
SEEN_SECONDS = 60  # WeChat's three tries of one message come within ~15 s
SEEN_MESSAGES = 50_000


class TooLarge(Exception):
    pass


class WeChatEndpoint:
    """The `/wechat` endpoint over one `Service`."""

    def __init__(
        self,
        service: Service,
        settings: WeChatSettings,
        clock: Callable[[], float] = time.time,
        limiter: UserLimiter | None = None,
    ) -> None:
        """`limiter`: messages a user may send (POLICYBOT_USER_LIMIT); None, no limit."""
        self.settings = settings
        self.chat = Chat(service, limiter)
        self.crypto = (
            Crypto(settings.token, settings.aes_key, settings.appid) if settings.aes_key else None
        )
        self.clock = clock
        # Message key -> the reply text sent for it (None: no reply).
        self.seen: Expiring[str, str | None] = Expiring(SEEN_SECONDS, SEEN_MESSAGES)
        self.refusals = Sparing(log)  # anyone may send a request signed wrong

    async def handle(self, request: Request) -> Response:
        query = request.query_params
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        try:
            check_signature(self.settings.token, query.get("signature", ""), timestamp, nonce)
            check_fresh(timestamp, self.clock())
        except ProtocolError as exc:
            self.refusals.warning("wechat: refused a %s request: %s", request.method, exc)
            return PlainTextResponse("forbidden", status_code=403)
        if request.method == "GET" and "echostr" in query:
            return PlainTextResponse(query["echostr"])  # the console's URL verification
        if request.method != "POST":
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = await read_body(request)
        except TooLarge:
            return PlainTextResponse("too large", status_code=413)
        except ClientDisconnect:
            return Response(status_code=400)
        safe = query.get("encrypt_type", "").lower() == "aes"
        try:
            message = self.open(body, safe, query.get("msg_signature", ""), timestamp, nonce)
        except ProtocolError as exc:
            log.warning("wechat: refused a message: %s", exc)
            if isinstance(exc, Forbidden):
                return PlainTextResponse("forbidden", status_code=403)
            return PlainTextResponse("bad request", status_code=400)
        text = self.answer(message)
        if text is None:
            return PlainTextResponse(NO_REPLY)
        reply = text_reply(message["FromUserName"], message["ToUserName"], text, self.clock())
        if safe and self.crypto is not None:
            reply = self.crypto.seal(reply, self.clock())
        return Response(reply, media_type="application/xml")

    def open(self, body: bytes, safe: bool, msg_signature: str, timestamp: str, nonce: str):
        """The message's fields, decrypted and checked in safe mode."""
        fields = parse(body)
        if safe:
            if self.crypto is None:
                raise ProtocolError("a safe-mode message, but POLICYBOT_WECHAT_AES_KEY is not set")
            fields = parse(self.crypto.open(fields, msg_signature, timestamp, nonce))
        elif self.crypto is not None:
            # In safe mode only `msg_signature` covers the body; the URL's signature does not, so
            # a plaintext body would let anyone holding one signed URL write as any user.
            raise Forbidden("a plaintext message, but POLICYBOT_WECHAT_AES_KEY is set")
        if not fields.get("FromUserName") or not fields.get("ToUserName"):
            raise ProtocolError("no sender or recipient")
        return fields

    def answer(self, message: dict[str, str]) -> str | None:
        """The reply text, computed once per message however often WeChat sends it.

        Nothing between looking up and storing awaits, so a retry that arrives while the
        first try is still being answered waits its turn and finds the stored reply."""
        key = message_key(message)
        if key in self.seen:
            return self.seen.get(key)
        try:
            text = self.chat.reply(message)
        except Exception:
            user = self.chat.user_key(message["FromUserName"])
            log.exception("wechat: error while answering user %s", user)
            text = APOLOGY
        self.seen.set(key, text)
        return text


def message_key(message: dict[str, str]) -> str:
    """What identifies one message across WeChat's retries: its MsgId; for events, which carry
    none, the sender and the time (WeChat's advice), and the event with its key, so that two
    menu clicks within a second are two events."""
    if message.get("MsgId"):
        return "m" + message["MsgId"]
    parts = (
        message["FromUserName"],
        message.get("CreateTime", ""),
        message.get("Event", ""),
        message.get("EventKey", ""),
    )
    return "e" + "\x1f".join(parts)


async def read_body(request: Request) -> bytes:
    """The request body, refused unread past MAX_BODY bytes (declared or sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def routes(service: Service, settings: WeChatSettings, user_limit: int = 0) -> list[BaseRoute]:
    """The channel's routes, for `policybot serve` to mount (other methods: 405); a user may send
    `user_limit` messages a minute (0: no limit)."""
    endpoint = WeChatEndpoint(service, settings, limiter=UserLimiter(user_limit))
    return [Route(PATH, endpoint.handle, methods=["GET", "POST"])]


def build_app(service: Service, settings: WeChatSettings, user_limit: int = 0) -> Starlette:
    """The channel on its own, as an ASGI app (tests; a server that runs only WeChat)."""
    return Starlette(routes=routes(service, settings, user_limit))
