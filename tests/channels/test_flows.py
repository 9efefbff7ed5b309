"""The two-stage fallback reads the same in every channel: a confirm turned down (不是) gives the
same fallback, with the same near topics, whether it is typed (terminal, WeChat), tapped under
a Telegram message (whose button carries only the exchange id) or sent by the web widget."""

from __future__ import annotations

from html import unescape

import pytest

from bot.app import Request, Service
from bot.channels.render import as_text
from bot.channels.wechat.chat import Chat
from bot.conversation import Conversations
from bot.engine.core import CLARIFY, FALLBACK, Engine
from bot.log.writer import ExchangeLog
from tests.support import updates
from tests.support.flows import CONFIRM, CONFIRMED, FLOWS, flows_knowledge, offering
from tests.support.telegram import Bot
from tests.support.web import client_for


@pytest.fixture
def service(tmp_path):
    engine = Engine(flows_knowledge())
    engine.thresholds = offering(engine, {CONFIRM: 1})
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="test-salt")
    yield Service(FLOWS, engine, log)
    log.close()


async def test_a_declined_confirm_reads_the_same_in_every_channel(service):
    # The seam, as the terminal chat calls it (through bot.conversation).
    chat = Conversations(service)
    offered = chat.reply(Request(CONFIRM, "chat", "cli", "someone"))
    assert offered.answer.status == CLARIFY
    assert [c.id for c in offered.answer.choices] == [CONFIRMED]
    declined = chat.reply(Request("n", "chat", "cli", "someone"))
    assert declined.answer.status == FALLBACK
    near = [c.id for c in declined.answer.near]
    assert 1 <= len(near) <= 3 and CONFIRMED not in near
    expected = as_text(declined.answer, declined.knowledge)
    assert expected.startswith(declined.answer.answer.strip())  # where to turn, then near topics
    assert expected.endswith("\n".join(f"· {c.question}" for c in declined.answer.near))

    # WeChat: typed, as in the terminal, the near topics numbered to be picked by number.
    wechat = Chat(service)
    wechat.text(CONFIRM, "openid-1")
    said = wechat.text("不是", "openid-1")
    assert said.startswith(declined.answer.answer.strip())
    numbered = (f"{n}. {c.question}" for n, c in enumerate(declined.answer.near, 1))
    assert said.endswith("\n".join(numbered))

    # Telegram: the 不是 button carries the exchange id alone, not the question.
    bot = Bot(service)
    await bot.app.initialize()
    await bot.send(updates.private_text(CONFIRM))
    asked = bot.last_message()
    (no,) = [
        b for row in asked["reply_markup"]["inline_keyboard"] for b in row if b["text"] == "不是"
    ]
    calls = await bot.send(updates.callback(no["callback_data"], asked))
    (edited,) = [params for method, params in calls if method == "editMessageText"]
    said, heading = unescape(edited["text"]).rsplit("\n", 1)  # the near topics as buttons
    assert said == declined.answer.answer.strip() and heading == declined.knowledge.texts.near
    shown = [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row]
    assert shown[:-1] == [c.question for c in declined.answer.near]
    await bot.app.shutdown()

    # The web widget: 不是 is a pick of no entry, with the exchange id.
    async with client_for(service) as client:
        asked = (await client.post("/api/v1/ask", json={"question": CONFIRM})).json()
        assert asked["confirm"] is True
        body = {"exchange": asked["exchange"], "entry_id": None}
        fell_back = (await client.post("/api/v1/pick", json=body)).json()
    assert fell_back["answer"].strip() == expected
    assert [n["id"] for n in fell_back["near"]] == near
