"""A message asking two things (bot.engine.parts) reads the same in every channel: the best
entry's answer, then the other question's answer under 另外，关于「…」： (bot.channels.render)."""

from __future__ import annotations

import dataclasses
import json
from html import unescape

import pytest

from bot.app import Request, Service
from bot.channels.cli.main import main
from bot.channels.render import as_text, body
from bot.channels.wechat.chat import Chat
from bot.conversation import Conversations
from tests.support import updates
from tests.support.paths import KNOWLEDGE
from tests.support.telegram import Bot
from tests.support.web import client_for

TWO = "复工复产有没有人监督 投诉渠道呢"  # qiye-tousu, and fugong-jiandu


@pytest.fixture
def service(engine):
    return Service(KNOWLEDGE, engine)


def second(service: Service) -> str:
    """The second answer as every channel shows it: its heading, then its text."""
    heading = f"另外，关于「{service.knowledge.by_id['fugong-jiandu'].question.rstrip('？')}」："
    return f"{heading}\n{service.knowledge.by_id['fugong-jiandu'].answer.rstrip()}"


def test_render_puts_the_second_answer_under_its_heading(service):
    turn = service.ask(Request(TWO, "ask", "cli", "someone"))
    first = service.knowledge.by_id["qiye-tousu"].answer.rstrip()
    assert body(turn.answer, turn.knowledge.texts) == f"{first}\n\n{second(service)}"


def test_chat_and_ask_json_show_both_answers(service, capsys):
    chat = Conversations(service)
    shown = as_text(chat.reply(Request(TWO, "chat", "cli", "someone")).answer, service.knowledge)
    assert second(service) in shown

    assert main(["--knowledge", str(KNOWLEDGE), "ask", "--json", TWO]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["entry_id"] == "qiye-tousu" and second(service) in data["answer"]
    assert [a["entry_id"] for a in data["also"]] == ["fugong-jiandu"]


def test_wechat_shows_both_answers(service):
    assert second(service) in Chat(service).text(TWO, "openid-1")


async def test_telegram_shows_both_answers(service):
    bot = Bot(service)
    await bot.app.initialize()
    await bot.send(updates.private_text(TWO))
    assert second(service) in unescape(bot.last_message()["text"])
    await bot.app.shutdown()


async def test_the_web_api_shows_both_answers(service):
    async with client_for(service) as client:
        data = (await client.post("/api/v1/ask", json={"question": TWO})).json()
    assert second(service) in data["answer"] and second(service) in data["text"]
    assert [a["entry_id"] for a in data["also"]] == ["fugong-jiandu"]


# The second answer from another document, as in a knowledge with an imported sheet beside the
# news report: its answers cite the sheet.
SHEET = {"document": "import-bu-men", "title": "导入的问答：部门.csv", "date": "2026-11-28"}


@pytest.fixture
def cited_apart(service, monkeypatch):
    """`service`, its second answers citing `SHEET`."""
    real = service.engine.answer

    def answer(*args, **kwargs):
        found = real(*args, **kwargs)
        also = tuple(dataclasses.replace(more, sources=(SHEET,)) for more in found.also)
        return dataclasses.replace(found, also=also)

    monkeypatch.setattr(service.engine, "answer", answer)
    return service


async def test_every_channel_cites_the_second_answers_source_and_offers_it_no_more(cited_apart):
    """Only the first answer's source was shown, under both: a sheet's answer read as if from
    the news report; and the second answer's entry was offered again among 相关问题 (probe20)."""
    service = cited_apart
    news = "来源：《【市外媒体看抚远】抚远:加速推进项目建设 持续优化营商环境》，2022-05-26"
    sheet = "来源：《导入的问答：部门.csv》，2026-11-28"
    answered = service.knowledge.by_id["fugong-jiandu"].question
    chat = Conversations(service)
    shown = as_text(chat.reply(Request(TWO, "chat", "cli", "someone")).answer, service.knowledge)
    wechat = Chat(service).text(TWO, "openid-1")
    bot = Bot(service)
    await bot.app.initialize()
    await bot.send(updates.private_text(TWO))
    telegram = unescape(bot.last_message()["text"])
    related = json.dumps(bot.last_message().get("reply_markup", {}), ensure_ascii=False)
    await bot.app.shutdown()
    for reply in (shown, wechat, telegram):
        assert news in reply and sheet in reply, reply
    for offered in (shown, wechat, related):
        assert answered not in offered.split("相关问题")[-1], offered
