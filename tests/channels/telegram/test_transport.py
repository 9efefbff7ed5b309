"""The bot's aiohttp transport speaks to the Bot API as python-telegram-bot's httpx one does:
form-encoded calls, files as multipart, and transport failures as PTB's own errors."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.transport import AiohttpRequest, _body, default_requests
from tests.support.botapi import TOKEN, StandIn


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


def bot_on(standin: StandIn, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=standin.base_url, request=request, get_updates_request=request)


async def test_calls_reach_the_bot_api_with_their_parameters(standin):
    async with bot_on(standin, AiohttpRequest()) as bot:
        message = await bot.send_message(42, "办事不求人", parse_mode="HTML")
        updates = await bot.get_updates(timeout=0)
    assert message.text == "办事不求人" and message.chat_id == 42
    assert updates == ()
    [sent] = standin.api.sent()
    assert sent["chat_id"] == "42" and sent["parse_mode"] == "HTML"


def test_files_go_as_multipart():
    document = InputFile(b"col1,col2\n", filename="gaps.csv")
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 7),
            RequestParameter.from_input("document", document),
        ]
    )
    form = _body(data)
    assert isinstance(form, aiohttp.FormData)
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


def test_the_long_poll_has_a_connection_of_its_own():
    calls, polls = default_requests()
    assert calls.pool_size > 1 and polls.pool_size == 1
