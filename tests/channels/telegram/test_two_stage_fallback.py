"""The two-stage fallback end to end: the real application and its httpx transport against the
Bot API stand-in on 127.0.0.1, long polling; a user asks, taps 是 / 不是 / a choice / 都不是,
and the assertions are on what reached the stand-in.

Runs on the small fixed knowledge of `tests.support.flows`, with thresholds derived from the
candidates' scores, so a retuned engine cannot turn these confirms into answers."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from html import unescape

import pytest

from bot.app import Service
from bot.channels.telegram.app import build_application
from bot.channels.telegram.handlers import APOLOGY, STALE
from bot.engine.core import Engine
from bot.log.store import PICKED, UNHELPFUL
from bot.log.writer import ExchangeLog
from bot.settings import Settings
from tests.support import updates
from tests.support.botapi import TOKEN, StandIn
from tests.support.flows import CONFIRM, CONFIRMED, FLOWS, LIST, flows_knowledge, offering
from tests.support.telegram import polling

CATEGORY = "复工复产与服务窗口"  # the confirmed entry's; bot.yaml has its own fallback text


@pytest.fixture
def knowledge_dir(tmp_path):
    """A copy of the flows knowledge, for the test that reloads an edited version."""
    target = tmp_path / "knowledge"
    shutil.copytree(FLOWS, target)
    return target


@pytest.fixture
async def bot(tmp_path, knowledge_dir):
    """The application polling the stand-in, as `policybot run` does, until the test ends."""
    engine = Engine(flows_knowledge())
    engine.thresholds = offering(engine, {CONFIRM: 1, LIST: 3})  # a confirm and a list of 3
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="flows", background=True)  # as `run`
    service = Service(knowledge_dir, engine, log)
    with StandIn() as standin:
        settings = Settings(token=TOKEN, base_url=standin.base_url, db=tmp_path / "log.sqlite3")
        async with polling(build_application(settings, service)):
            yield User(standin.api, service)
    log.close()


class User:
    """One person in a private chat with the bot: types, taps, and reads what came back."""

    def __init__(self, api, service: Service) -> None:
        self.api, self.service = api, service

    async def wait(self, method: str, count: int, timeout: float = 15.0) -> list[dict]:
        """The calls of `method` once there are `count`, without blocking the bot's loop."""
        deadline = time.monotonic() + timeout
        while len(self.api.sent(method)) < count:
            assert time.monotonic() < deadline, [c.method for c in self.api.calls]
            await asyncio.sleep(0.02)
        return self.api.sent(method)

    async def ask(self, text: str) -> dict:
        """Type a message; the bot's reply."""
        count = len(self.api.sent()) + 1
        self.api.push(updates.private_text(text))
        return (await self.wait("sendMessage", count))[-1]

    async def tap(self, reply: dict, label: str) -> tuple[dict | None, dict]:
        """Tap the button labelled `label` under `reply`: the message edited in its place
        (None if it was not) and the answer to the tap."""
        data = next(data for text, data in buttons(reply) if text == label)
        return await self.tap_data(reply, data)

    async def tap_data(self, reply: dict, data: str) -> tuple[dict | None, dict]:
        edits, taps = (
            len(self.api.sent("editMessageText")),
            len(self.api.sent("answerCallbackQuery")),
        )
        message = self.api._message({**reply, "chat_id": updates.USER_ID})
        self.api.push(updates.callback(data, message))
        answered = (await self.wait("answerCallbackQuery", taps + 1))[-1]
        edited = self.api.sent("editMessageText")
        return (edited[-1] if len(edited) > edits else None), answered

    def feedback(self) -> list[tuple[str, str | None]]:
        self.service.log.flush()
        return [(f.kind, f.entry_id) for f in self.service.log.store.feedback()]


def buttons(reply: dict) -> list[tuple[str, str]]:
    markup = reply.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


NEAR_HEADING = "您也可以看看这些相关问题："  # the flows knowledge's bot.yaml `near`


def near_topics(reply: dict) -> list[str]:
    """The questions a fallback offers as buttons under its "您也可以看看" line, each showing
    that entry's answer as a new message, as an answer's related questions do (they were lines
    of text, which cannot be tapped: probe21), above 📚 浏览主题."""
    *near, browse = buttons(reply)
    assert browse == ("📚 浏览主题", "t") and all(data.startswith("a:") for _, data in near)
    assert unescape(reply["text"]).rstrip().endswith(NEAR_HEADING) == bool(near)
    return [label for label, _ in near]


async def test_a_confirm_tapped_yes_gives_the_answer_and_no_the_fallback_with_near_topics(bot):
    knowledge = bot.service.knowledge
    confirmed = knowledge.by_id[CONFIRMED]

    asked = await bot.ask(CONFIRM)
    assert asked["text"] == f"您是想问「{confirmed.question.rstrip('？')}」吗？"
    (yes, yes_data), (no, no_data) = buttons(asked)
    assert (yes, no) == ("是", "不是")
    assert re.fullmatch(rf"c:[0-9a-f]{{12}}:{CONFIRMED}", yes_data)
    assert no_data == "n:" + yes_data.split(":")[1]

    answer, tapped = await bot.tap(asked, "是")
    assert tapped.get("text") is None  # just stops the spinner
    text = unescape(answer["text"])
    assert text.startswith(confirmed.answer.strip())
    document = knowledge.documents[confirmed.source.document]
    assert f"来源：《{document.title}》，{document.date}" in text
    assert [label for label, _ in buttons(answer)][:2] == ["👍 有帮助", "👎 没帮助"]

    asked = await bot.ask(CONFIRM)
    fallback, _ = await bot.tap(asked, "不是")
    text = unescape(fallback["text"])
    assert text.startswith(knowledge.texts.fallbacks[CATEGORY].strip())  # its category's text
    near = near_topics(fallback)
    assert 1 <= len(near) <= 3 and confirmed.question not in near
    assert all(question in {e.question for e in knowledge.entries} for question in near)
    count = len(bot.api.sent()) + 1
    await bot.tap(fallback, near[0])  # the near topic's answer, as a new message
    shown = (await bot.wait("sendMessage", count))[-1]
    topic = next(e for e in knowledge.entries if e.question == near[0])
    assert unescape(shown["text"]).startswith(topic.answer.strip())

    # Typed instead of tapped: the same two outcomes.
    await bot.ask(CONFIRM)
    assert unescape((await bot.ask("是")).get("text")).startswith(confirmed.answer.strip())
    await bot.ask(CONFIRM)
    assert (await bot.ask("不是"))["text"] == fallback["text"]

    assert bot.feedback() == [
        (PICKED, CONFIRMED),
        (UNHELPFUL, None),
        (PICKED, CONFIRMED),
        (UNHELPFUL, None),
    ]


async def test_a_list_with_none_of_these_picks_or_falls_back_with_other_near_topics(bot):
    knowledge = bot.service.knowledge

    asked = await bot.ask(LIST)
    assert asked["text"] == knowledge.texts.clarify
    *choices, (none, none_data) = buttons(asked)
    assert len(choices) == 3 and none == knowledge.texts.none_of_these == "都不是"
    assert none_data.startswith("n:")
    offered = [data.rsplit(":", 1)[1] for _, data in choices]
    assert [label for label, _ in choices] == [knowledge.by_id[i].question for i in offered]

    answer, _ = await bot.tap(asked, choices[1][0])
    assert unescape(answer["text"]).startswith(knowledge.by_id[offered[1]].answer.strip())
    assert "来源：《" in answer["text"]

    asked = await bot.ask(LIST)
    fallback, _ = await bot.tap(asked, "都不是")
    near = near_topics(fallback)
    assert 1 <= len(near) <= 3
    assert not set(near) & {knowledge.by_id[i].question for i in offered}

    # The tap closed the list: a "1" typed now is a new message, not a pick from it.
    typed = await bot.ask("1")
    assert not unescape(typed["text"]).startswith(knowledge.by_id[offered[0]].answer.strip())
    assert bot.feedback() == [(PICKED, offered[1]), (UNHELPFUL, None)]


async def test_a_crafted_pick_or_vote_is_stale_and_not_logged(bot):
    """Callback data is the client's to send: a pick of an entry the list did not offer, or of
    any entry under a made-up exchange, and a vote on a made-up exchange, record nothing."""
    asked = await bot.ask(LIST)
    offered = [data.rsplit(":", 1)[1] for _, data in buttons(asked)[:-1]]
    other = next(i for i in bot.service.knowledge.by_id if i not in offered)
    exchange = buttons(asked)[0][1].split(":")[1]
    for data in (f"c:{exchange}:{other}", f"c:0123456789ab:{offered[0]}", "f:+:0123456789ab:x"):
        edited, tapped = await bot.tap_data(asked, data)
        assert edited is None and tapped["text"] == STALE, data
    assert bot.feedback() == []


@pytest.mark.parametrize(
    ("question", "script"),
    [
        ("Where is the window for enterprises to resume work?", r"[A-Za-z]{3,}"),
        ("Где находится окно для возобновления работы предприятий?", r"[А-Яа-я]{3,}"),
    ],
)
async def test_a_question_in_another_language_gets_a_note_in_it_and_in_chinese(
    bot, question, script
):
    knowledge = bot.service.knowledge
    reply = await bot.ask(question)
    note, *rest = unescape(reply["text"]).split("\n")
    assert re.search(script, note) and "中文" in note  # the note in both languages
    assert "\n".join(rest).strip() == knowledge.texts.fallback.strip()  # then where to turn
    assert buttons(reply) == [("📚 浏览主题", "t")]


async def test_stale_and_forged_taps_are_answered_gracefully(bot, knowledge_dir):
    asked = await bot.ask(CONFIRM)
    # A new knowledge version without the confirmed entry lands before the tap.
    faq = knowledge_dir / "faq" / "03-fugong-fuchan.yaml"
    text = faq.read_text(encoding="utf-8")
    start = text.index(f"  - id: {CONFIRMED}")
    faq.write_text(text[:start] + text[text.index("  - id:", start + 1) :], encoding="utf-8")
    assert bot.service.reload() == []
    assert CONFIRMED not in bot.service.knowledge.by_id

    edited, tapped = await bot.tap(asked, "是")
    assert edited is None and tapped["text"] == STALE
    fallback, tapped = await bot.tap(asked, "不是")  # still the fallback, from the new version
    assert tapped.get("text") is None
    text = unescape(fallback["text"])
    assert text.startswith(bot.service.knowledge.texts.fallbacks[CATEGORY].strip())
    assert "咨询电话" not in "".join(near_topics(fallback))  # the entry that is gone

    forged = ["c:0123456789ab:no-such-entry", "c:", "n:", "n:zz", "n:" + "f" * 60, "x:1", ""]
    for data in forged:
        _, tapped = await bot.tap_data(asked, data)
        assert tapped.get("text") in (STALE, None), data
    assert not [m for m in bot.api.sent() if m["text"] == APOLOGY]
    assert len(bot.api.sent("answerCallbackQuery")) == 2 + len(forged)  # every tap answered


@pytest.mark.parametrize(
    ("here", "there"),
    [
        ((updates.GROUP_ID, None), (updates.GROUP_ID + 1, None)),  # another group
        ((updates.GROUP_ID, 7), (updates.GROUP_ID, 8)),  # another topic of a forum group
    ],
)
async def test_a_number_typed_in_another_chat_does_not_pick_from_this_ones_list(bot, here, there):
    """A list is open in the chat (a forum group's topic) that offered it only: "@bot 1"
    elsewhere (the same person, the same chat type) is a message there, and the first list
    stays open."""
    knowledge, mention = bot.service.knowledge, "@fuyuan_policy_bot"

    async def say(text: str, place: tuple[int, int | None]) -> dict:
        count = len(bot.api.sent()) + 1
        group, topic = place
        bot.api.push(updates.group_text(f"{mention} {text}", group_id=group, topic=topic))
        return (await bot.wait("sendMessage", count))[-1]

    asked = await say(LIST, here)
    offered = [data.rsplit(":", 1)[1] for _, data in buttons(asked)[:-1]]
    first = knowledge.by_id[offered[0]].answer.strip()

    elsewhere = await say("1", there)
    assert unescape(elsewhere["text"]).startswith(knowledge.texts.no_list[:10])
    assert bot.feedback() == []

    picked = await say("1", here)
    assert unescape(picked["text"]).startswith(first)
    assert bot.feedback() == [(PICKED, offered[0])]


@pytest.mark.parametrize("typed", ["4", "第四个"])
async def test_a_number_past_the_lists_end_shows_it_again_still_open(bot, typed):
    """ "4" to a list of three (a slip, or a number from the list before) got 现在没有等您选择的
    问题 with the list on the screen, and dropped the list: the "3" after it picked nothing."""
    knowledge = bot.service.knowledge
    asked = await bot.ask(LIST)
    again = await bot.ask(typed)
    assert (again["text"], buttons(again)) == (asked["text"], buttons(asked))
    offered = [data.rsplit(":", 1)[1] for _, data in buttons(asked)[:-1]]
    picked = await bot.ask("3")
    assert unescape(picked["text"]).startswith(knowledge.by_id[offered[2]].answer.strip())
    assert bot.feedback() == [(PICKED, offered[2])]
