"""The bot's aiohttp transport speaks to the Bot API as python-telegram-bot's httpx one does,
with JSON bodies (files as multipart) and transport failures as PTB's own errors; the bot
does not read back the messages it sends."""

from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, TimedOut
from telegram.ext import Defaults
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.retries import RetryingLimiter
from bot.channels.telegram.transport import AiohttpRequest, ReplyBot, _body, default_requests
from tests.support.botapi import TOKEN, StandIn


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


def bot_on(standin: StandIn, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=standin.base_url, request=request, get_updates_request=request)


async def test_calls_reach_the_bot_api_with_their_parameters(standin):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("有帮助", callback_data="f:+")]])
    async with bot_on(standin, AiohttpRequest()) as bot:
        message = await bot.send_message(42, "办事不求人", parse_mode="HTML", reply_markup=keyboard)
        updates = await bot.get_updates(timeout=0)
    assert message.text == "办事不求人" and message.chat_id == 42
    assert updates == ()
    [sent] = standin.api.sent()
    assert sent["chat_id"] == 42 and sent["parse_mode"] == "HTML"
    assert sent["reply_markup"] == keyboard.to_dict()  # nested JSON, as the Bot API reads it


async def test_the_bot_does_not_read_back_what_it_sends(standin):
    async with ReplyBot(TOKEN, base_url=standin.base_url, request=AiohttpRequest()) as bot:
        sent = await bot.send_message(42, "办事不求人")
        edited = await bot.edit_message_text("改好了", chat_id=42, message_id=1)
        me = await bot.get_me()
    assert sent is True and edited is True
    assert me.username == "fuyuan_policy_bot"  # other answers are read as before
    assert [m["text"] for m in standin.api.sent()] == ["办事不求人"]


async def test_send_text_posts_what_send_message_posts_and_errors_the_same_way(standin):
    # The plain questions' replies skip PTB's assembly of the parameters, not its defaults,
    # rate limiter, retries or error mapping.
    defaults = Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(True))
    keyboard = {"inline_keyboard": [[{"text": "有帮助", "callback_data": "f:+"}]]}
    limiter = RetryingLimiter(overall_max_rate=0, first_backoff=0.01)
    request = AiohttpRequest()
    async with ReplyBot(
        TOKEN, base_url=standin.base_url, request=request, defaults=defaults, rate_limiter=limiter
    ) as bot:
        assert await bot.send_message(42, "办事<b>不求人</b>", reply_markup=keyboard) is True
        standin.api.fail_next("sendMessage", 502)  # retried
        await bot.send_text(42, "办事<b>不求人</b>", reply_markup=keyboard)
        standin.api.fail_next("sendMessage", 403)  # the user blocked the bot: not retried
        with pytest.raises(Forbidden):
            await bot.send_text(42, "办事不求人")
    by_ptb, failed, ours, refused = standin.api.sent()  # every call, failed ones too
    assert ours == failed == by_ptb and refused["text"] == "办事不求人"
    assert ours["link_preview_options"] == {"is_disabled": True} and ours["parse_mode"] == "HTML"


def test_files_go_as_multipart():
    document = InputFile(b"col1,col2\n", filename="gaps.csv")
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 7),
            RequestParameter.from_input("document", document),
        ]
    )
    form, headers = _body(data)
    assert isinstance(form, aiohttp.FormData) and headers is None
    body = form().decode()
    assert 'name="chat_id"' in body
    assert 'name="document"; filename="gaps.csv"' in body and "col1,col2" in body


async def test_a_slow_answer_is_timed_out(standin):
    standin.api.delay["sendMessage"] = 0.5
    async with bot_on(standin, AiohttpRequest()) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(42, "x", read_timeout=0.1, write_timeout=0.0)


async def test_no_server_is_a_network_error():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


def test_the_long_poll_has_a_connection_of_its_own(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    calls, polls = default_requests("https://api.telegram.org/bot")
    assert calls.pool_size > 1 and polls.pool_size == 1


PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")
PROXY_VARIABLES += ("all_proxy", "NO_PROXY", "no_proxy")


class ForwardingProxy:
    """An HTTP proxy on 127.0.0.1 that forwards every request to the stand-in, whatever host
    it names (`botapi.invalid`, which only the proxy can reach), and counts them."""

    def __init__(self, standin: StandIn) -> None:
        target = standin.server.server_port
        self.forwarded: list[str] = []
        forwarded = self.forwarded

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self) -> None:
                url = urlsplit(self.path)  # absolute-form: http://botapi.invalid:…/bot…/getMe
                forwarded.append(url.hostname or "")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream = http.client.HTTPConnection("127.0.0.1", target, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() == "content-type"}
                upstream.request(self.command, url.path, body, headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_a_proxy_in_the_environment_carries_the_bots_calls(standin, monkeypatch):
    """A server that reaches Telegram only through a proxy (HTTPS_PROXY): `doctor` (httpx) said
    令牌有效 through it while `run`, on the bot's own transport, connected directly and stopped
    (probe22). python-telegram-bot's httpx transport, which reads the proxy, is used then."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    proxy = ForwardingProxy(standin)
    try:
        base_url = standin.base_url.replace("127.0.0.1", "botapi.invalid")
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        calls, polls = default_requests(base_url)
        bot = Bot(TOKEN, base_url=base_url, request=calls, get_updates_request=polls)
        async with bot:
            assert (await bot.get_me()).username
        assert proxy.forwarded and set(proxy.forwarded) == {"botapi.invalid"}
        monkeypatch.setenv("NO_PROXY", "botapi.invalid")  # excepted: straight to the Bot API
        assert isinstance(default_requests(base_url)[0], AiohttpRequest)
    finally:
        proxy.close()


@pytest.mark.parametrize(
    "payload",
    [
        '{"ok": true, "result": [{"update_id": 1, "text": "办事不求人"}]}'.encode(),
        b'{"ok": true, "result": "\\ud800 a lone surrogate"}',  # orjson refuses it
        b'{"ok": true, "result": "\xff not UTF-8"}',
    ],
)
def test_answers_read_as_python_telegram_bot_reads_them(payload):
    assert AiohttpRequest().parse_json_payload(payload) == HTTPXRequest().parse_json_payload(
        payload
    )
