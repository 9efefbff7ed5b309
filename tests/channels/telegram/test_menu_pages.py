"""The category menu of a large knowledge base, in pages: Telegram refuses an inline keyboard of
more than 100 buttons (and one of more than about 10 KB), and a sheet imported without a 分类
column is one category holding every row of it (probe23)."""

from __future__ import annotations

import json
import shutil

import pytest

from bot.app import Service
from bot.authoring.importer import import_faq
from bot.channels.render import category_key
from bot.channels.telegram import replies
from tests.support import updates
from tests.support.faq_rows import write_csv
from tests.support.paths import KNOWLEDGE
from tests.support.telegram import Bot

ROWS = 230  # one category of them, as a sheet without a 分类 column is imported
CATEGORIES = 12  # with the shipped nine and two more: more than one page of topics too


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("menu") / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    sheet = tmp_path_factory.mktemp("sheet") / "窗口问答.csv"
    rows = [
        [f"CK-{n:03d}", f"第{n}号窗口在几楼办理业务", f"在{n}楼。", "", "", ""] for n in range(ROWS)
    ]
    rows += [[f"CX-{n}", f"另一类问题{n}怎么办", "这样办。", f"另一类{n}", "", ""] for n in (1, 2)]
    import_faq(write_csv(sheet, rows), folder)
    return Service.open(folder)


@pytest.fixture
async def bot(service):
    bot = Bot(service)
    await bot.app.initialize()
    yield bot
    await bot.app.shutdown()


def buttons(reply: replies.Reply) -> list[dict]:
    return [
        b for row in (reply.keyboard or {"inline_keyboard": []})["inline_keyboard"] for b in row
    ]


def fits_telegram(reply: replies.Reply) -> bool:
    markup = json.dumps(reply.keyboard, ensure_ascii=False).encode()
    return len(buttons(reply)) <= 100 and len(markup) < 10_000


def the_big_one(knowledge) -> str:
    return max(knowledge.categories, key=lambda c: len(knowledge.in_category(c)))


def test_every_page_of_a_large_category_fits_and_together_they_list_it_whole(service):
    knowledge = service.knowledge
    assert len(knowledge.categories) == CATEGORIES
    category = the_big_one(knowledge)
    listed, page, seen = [], 0, set()
    while page not in seen:
        seen.add(page)
        reply = replies.category_reply(knowledge, category, page)
        assert fits_telegram(reply)
        assert f"第 {page + 1}/" in reply.chunks[0]
        listed += [
            b["callback_data"] for b in buttons(reply) if b["callback_data"].startswith("q:")
        ]
        following = [b["callback_data"] for b in buttons(reply) if b["text"] == "下一页 »"]
        if not following:
            break
        page = int(following[0].rsplit(":", 1)[1])
    assert listed == [f"q:{e.id}" for e in knowledge.in_category(category)]
    topics = replies.topics_reply(knowledge)
    assert fits_telegram(topics) and any(b["text"] == "下一页 »" for b in buttons(topics))


def test_a_small_category_is_one_page_as_before(service):
    reply = replies.category_reply(service.knowledge, "审批与项目服务")
    assert reply.chunks == ["<b>审批与项目服务</b>"]
    assert [b["text"] for b in buttons(reply)][-1] == "« 返回主题"


async def test_pages_are_turned_by_taps_and_an_answer_goes_back_to_its_page(bot):
    knowledge = bot.service.knowledge
    category = the_big_one(knowledge)
    key = category_key(category)
    await bot.send(updates.private_text("/topics"))
    first = bot.last_message()
    calls = await bot.send(updates.callback(f"t:{key}", first))
    listing = next(p for name, p in calls if name == "editMessageText")
    assert "第 1/" in listing["text"]
    calls = await bot.send(updates.callback(f"t:{key}:3", first))
    listing = next(p for name, p in calls if name == "editMessageText")
    assert "第 4/" in listing["text"]
    entry = knowledge.in_category(category)[35]
    assert any(
        b["callback_data"] == f"q:{entry.id}"
        for row in listing["reply_markup"]["inline_keyboard"]
        for b in row
    )
    calls = await bot.send(updates.callback(f"q:{entry.id}", first))
    shown = next(p for name, p in calls if name == "editMessageText")
    back = shown["reply_markup"]["inline_keyboard"][-1][0]
    assert back["callback_data"] == f"t:{key}:3"
    # a page past the end (the category shrank since) shows its last; a forged one the first
    calls = await bot.send(updates.callback(f"t:{key}:999", first))
    assert "第 23/23 页" in next(p for name, p in calls if name == "editMessageText")["text"]
    calls = await bot.send(updates.callback(f"t:{key}:²", first))
    assert "第 1/23 页" in next(p for name, p in calls if name == "editMessageText")["text"]
    calls = await bot.send(updates.callback("t::1", first))
    topics = next(p for name, p in calls if name == "editMessageText")
    assert topics["text"] == "请选择主题：（第 2/2 页）"


def test_a_category_page_makes_the_buttons_it_shows_only(service, monkeypatch):
    """Each tap on a category made a button for every question in it and kept ten: 0.41–0.65 s
    of CPU per tap at 100,000 questions in one category (probe24)."""
    knowledge = service.knowledge
    category = the_big_one(knowledge)
    made = []
    real = replies.button
    monkeypatch.setattr(replies, "button", lambda *a, **k: made.append(a) or real(*a, **k))
    reply = replies.category_reply(knowledge, category, 3)
    shown = [b for b in buttons(reply) if b["callback_data"].startswith("q:")]
    assert len(shown) == replies.MENU_PAGE
    assert len(made) <= replies.MENU_PAGE + 3  # with 上一页, 下一页, 返回主题
