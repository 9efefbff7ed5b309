"""Handler tests in python-telegram-bot's offline style: a fake `BaseRequest`, built updates, and
assertions on what the bot asked the Bot API to do."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import replace

import pytest
from telegram import Update

from bot.app import Service
from bot.channels.limits import OK, UserLimiter
from bot.channels.telegram import handlers, replies
from bot.channels.telegram.ordering import PerChatOrder
from bot.engine.core import Engine, Thresholds
from bot.knowledge.model import load
from bot.log.writer import ExchangeLog
from tests.support import updates
from tests.support.paths import KNOWLEDGE
from tests.support.telegram import Bot

# Long enough to be offered a choice (bot.engine.decision.choosable) when the thresholds ask.
ASKED = "您好，我想问一下复工复产去哪个窗口办理"


@pytest.fixture
def exchange_log(tmp_path):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="test-salt")
    yield log
    log.close()


@pytest.fixture
async def bot(engine, exchange_log):
    bot = Bot(Service(KNOWLEDGE, engine, exchange_log))
    await bot.app.initialize()
    yield bot
    await bot.app.shutdown()


def buttons(params: dict) -> list[tuple[str, str]]:
    markup = params.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def only(calls: list, method: str) -> dict:
    matching = [params for name, params in calls if name == method]
    assert len(matching) == 1, calls
    return matching[0]


async def test_private_question_is_answered_with_source_feedback_and_related(bot):
    calls = await bot.send(updates.private_text(ASKED))
    sent = only(calls, "sendMessage")
    assert sent["parse_mode"] == "HTML"
    assert "复工复产专窗" in sent["text"]
    assert "<i>来源：《" in sent["text"] and "2022-05-26" in sent["text"]
    labels = buttons(sent)
    exchange = next(bot.service.log.store.exchanges()).id
    assert labels[0] == ("👍 有帮助", f"f:+:{exchange}:fugong-zhuanchuang")
    assert labels[1] == ("👎 没帮助", f"f:-:{exchange}:fugong-zhuanchuang")
    assert [data for _, data in labels[2:]] == [
        "a:fugong-lvse-tongdao",
        "a:fugong-zixun-dianhua",
        "a:fugong-zhuanlan",
    ]


async def test_fallback_points_where_to_turn_with_a_browse_button(bot):
    sent = only(await bot.send(updates.private_text("个人所得税怎么交")), "sendMessage")
    assert "12345" in sent["text"]
    assert buttons(sent) == [("📚 浏览主题", "t")]


async def test_smalltalk(bot):
    sent = only(await bot.send(updates.private_text("你好")), "sendMessage")
    assert "您好" in sent["text"] and "reply_markup" not in sent


async def test_clarify_offers_buttons_and_a_tap_turns_the_list_into_the_answer(
    engine_with, exchange_log
):
    strict = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=0.3))
    bot = Bot(Service(KNOWLEDGE, strict, exchange_log))
    await bot.app.initialize()
    sent = only(await bot.send(updates.private_text(ASKED)), "sendMessage")
    assert sent["text"] == "您是想问："
    first = buttons(sent)[0]
    assert re.fullmatch(r"c:[0-9a-f]{12}:fugong-zhuanchuang", first[1])
    assert first[0] == "企业复工复产去哪个窗口办理？"
    calls = await bot.send(updates.callback(first[1], bot.last_message()))
    edited = only(calls, "editMessageText")
    assert "复工复产专窗" in edited["text"]
    assert only(calls, "answerCallbackQuery")["callback_query_id"].startswith("cb")
    await bot.app.shutdown()


async def test_none_of_these_turns_the_list_into_the_fallback(engine_with, exchange_log):
    strict = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=0.3))
    bot = Bot(Service(KNOWLEDGE, strict, exchange_log))
    await bot.app.initialize()
    sent = only(await bot.send(updates.private_text(ASKED)), "sendMessage")
    label, data = buttons(sent)[-1]
    assert label == "都不是" and re.fullmatch(r"n:[0-9a-f]{12}", data)
    calls = await bot.send(updates.callback(data, bot.last_message()))
    edited = only(calls, "editMessageText")
    # The nearest category's own fallback: the 复工复产 window, and 12345.
    assert "复工复产专窗" in edited["text"] and "12345" in edited["text"]
    assert [f.kind for f in exchange_log.store.feedback()] == ["unhelpful"]
    await bot.app.shutdown()


async def test_one_plausible_candidate_is_a_yes_no_confirm(engine, engine_with, exchange_log):
    scores = [c.score for c in engine.candidates(ASKED)]
    confirm = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=(scores[0] + scores[1]) / 2))
    bot = Bot(Service(KNOWLEDGE, confirm, exchange_log))
    await bot.app.initialize()
    sent = only(await bot.send(updates.private_text(ASKED)), "sendMessage")
    assert sent["text"] == "您是想问「企业复工复产去哪个窗口办理」吗？"
    (yes, yes_data), (no, no_data) = buttons(sent)
    assert (yes, no) == ("是", "不是") and no_data.startswith("n:")
    assert yes_data.startswith("c:") and yes_data.endswith(":fugong-zhuanchuang")
    edited = only(await bot.send(updates.callback(yes_data, bot.last_message())), "editMessageText")
    assert "复工复产专窗" in edited["text"]
    await bot.app.shutdown()


async def test_a_typed_number_picks_from_the_list_as_a_tap_would(engine_with, exchange_log):
    strict = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=0.3))
    bot = Bot(Service(KNOWLEDGE, strict, exchange_log))
    await bot.app.initialize()
    await bot.send(updates.private_text(ASKED))
    sent = only(await bot.send(updates.private_text("1")), "sendMessage")
    assert "复工复产专窗" in sent["text"]
    assert [f.kind for f in exchange_log.store.feedback()] == ["picked"]
    await bot.app.shutdown()


async def test_a_reply_is_rendered_with_the_knowledge_its_answer_came_from(
    knowledge, engine_with, exchange_log, monkeypatch
):
    """A reload landing between the answer and the reply must not mix two versions."""
    strict = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=0.3))
    service = Service(KNOWLEDGE, strict, exchange_log)
    bot = Bot(service)
    await bot.app.initialize()
    newer = Engine(replace(knowledge, texts=replace(knowledge.texts, clarify="新版本：")))
    ask = service.ask

    def ask_then_reload(request):
        turn = ask(request)
        service.engine = newer
        return turn

    monkeypatch.setattr(service, "ask", ask_then_reload)
    sent = only(await bot.send(updates.private_text(ASKED)), "sendMessage")
    assert sent["text"] == "您是想问："
    await bot.app.shutdown()


async def test_start_shows_welcome_and_topics_and_deep_link_opens_an_answer(bot):
    calls = await bot.send(updates.private_text("/start"))
    texts = [p["text"] for name, p in calls if name == "sendMessage"]
    assert "抚远营商环境政策问答机器人" in texts[0]
    assert ("复工复产与服务窗口", f"t:{replies.category_key('复工复产与服务窗口')}") in buttons(
        [p for n, p in calls if n == "sendMessage"][-1]
    )
    deep = only(await bot.send(updates.private_text("/start qiye-xinyong-xiufu")), "sendMessage")
    assert "信用修复" in deep["text"] and ("👍 有帮助", "f:+::qiye-xinyong-xiufu") in buttons(deep)
    unknown = await bot.send(updates.private_text("/start no-such-entry"))
    assert "欢迎" in unknown[0][1]["text"] or "您好" in unknown[0][1]["text"]


async def test_a_deep_link_answer_is_what_a_follow_up_is_read_against(bot):
    await bot.send(updates.private_text("/start qiye-xinyong-xiufu"))
    followed = only(await bot.send(updates.private_text("怎么申请")), "sendMessage")
    assert "信用修复" in followed["text"]


async def test_topics_menu_is_edited_in_place_with_back_buttons(bot):
    menu = only(await bot.send(updates.private_text("/topics")), "sendMessage")
    category = "审批与项目服务"
    key = f"t:{replies.category_key(category)}"
    assert (category, key) in buttons(menu)
    listing = only(await bot.send(updates.callback(key, bot.last_message())), "editMessageText")
    assert category in listing["text"]
    assert ("« 返回主题", "t") in buttons(listing)
    assert ("抚远有模拟审批、容缺受理这些审批服务吗？", "q:shenpi-jizhi") in buttons(listing)
    message = bot.api._message({**listing, "chat_id": updates.USER_ID})
    shown = only(await bot.send(updates.callback("q:shenpi-jizhi", message)), "editMessageText")
    assert "模拟审批" in shown["text"]
    assert (f"« 返回「{category}」", key) in buttons(shown)
    back = only(await bot.send(updates.callback("t", message)), "editMessageText")
    assert back["text"] == "请选择主题："


async def test_related_button_sends_a_new_answer(bot):
    await bot.send(updates.private_text(ASKED))
    calls = await bot.send(updates.callback("a:fugong-lvse-tongdao", bot.last_message()))
    assert "绿色通道" in only(calls, "sendMessage")["text"]
    assert only(calls, "answerCallbackQuery")


async def test_feedback_thanks_and_removes_the_vote_buttons(bot):
    await bot.send(updates.private_text("信用修复"))
    vote = buttons(bot.api.sent()[-1])[0][1]
    calls = await bot.send(updates.callback(vote, bot.last_message()))
    assert only(calls, "answerCallbackQuery")["text"] == handlers.THANKS
    markup = only(calls, "editMessageReplyMarkup")["reply_markup"]
    assert all(
        not b["callback_data"].startswith("f:") for row in markup["inline_keyboard"] for b in row
    )


async def test_a_vote_reads_its_exchange_from_the_log_off_the_event_loop(bot, monkeypatch):
    # The read waits for the log writer's commits: on the loop it would stall every chat.
    await bot.send(updates.private_text("信用修复"))
    vote = buttons(bot.api.sent()[-1])[0][1]
    log, threads = bot.service.log, []
    looked_up = log.offered_by

    def offered_by(exchange):
        threads.append(threading.current_thread())
        return looked_up(exchange)

    monkeypatch.setattr(log, "offered_by", offered_by)
    calls = await bot.send(updates.callback(vote, bot.last_message()))
    assert only(calls, "answerCallbackQuery")["text"] == handlers.THANKS
    assert threads and threading.current_thread() not in threads


@pytest.mark.parametrize(
    "data",
    ["a:no-such-entry", "c:gone", "q:gone", "t:ffffffff", "f:x:1", "zz", "", "a:" + "x" * 60],
)
async def test_stale_or_forged_buttons_are_answered_gracefully(bot, data):
    await bot.send(updates.private_text("信用修复"))
    calls = await bot.send(updates.callback(data, bot.last_message()))
    answered = only(calls, "answerCallbackQuery")
    assert answered.get("text") in (handlers.STALE, None)
    assert not [
        name for name, _ in calls if name == "sendMessage" and "出了点问题" in _.get("text", "")
    ]


async def test_group_messages_only_when_addressed(bot):
    assert await bot.send(updates.group_text(ASKED)) == []
    mentioned = only(
        await bot.send(updates.group_text("@fuyuan_policy_bot 复工复产去哪个窗口办理")),
        "sendMessage",
    )
    assert "复工复产专窗" in mentioned["text"]
    replied = only(
        await bot.send(updates.group_text("信用修复怎么办", reply_to_bot=True)), "sendMessage"
    )
    assert "信用修复" in replied["text"]
    helped = only(await bot.send(updates.group_text("/help@fuyuan_policy_bot")), "sendMessage")
    assert "12345" in helped["text"]
    assert await bot.send(updates.group_text("/unknowncommand")) == []
    assert await bot.send(updates.group_text("哈哈哈 [图片]")) == []


async def test_the_bot_mentioned_alone_in_reply_to_a_question_answers_that_question(bot):
    """In a group, a member answers a colleague's question by replying to it with the bot's
    name alone (as people summon a bot): the bot was asked nothing, and answered so, with
    请直接输入您想咨询的问题 under the question (probe21). The question replied to is asked now."""
    summoned = updates.group_text("@fuyuan_policy_bot ", replying_to=ASKED)
    answered = only(await bot.send(summoned), "sendMessage")
    assert "复工复产专窗" in answered["text"]
    # With words of its own, the message is the question, as before.
    own = updates.group_text("@fuyuan_policy_bot 信用修复怎么办", replying_to=ASKED)
    assert "信用修复" in only(await bot.send(own), "sendMessage")["text"]


async def test_inline_mode_returns_up_to_ten_answers(bot):
    results = only(await bot.send(updates.inline_query("复工复产")), "answerInlineQuery")["results"]
    assert 1 <= len(results) <= 10
    assert results[0]["id"] == "fugong-zhuanchuang" or any(
        r["id"] == "fugong-zhuanchuang" for r in results
    )
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"
    empty = only(await bot.send(updates.inline_query("")), "answerInlineQuery")["results"]
    assert 1 <= len(empty) <= 10


@pytest.mark.parametrize("update", [updates.photo, updates.sticker, updates.location])
async def test_non_text_gets_one_short_hint(bot, update):
    sent = only(await bot.send(update()), "sendMessage")
    # The example comes from the knowledge (bot.yaml's `empty`), not from the channel's code.
    assert sent["text"] == handlers.TYPE_PLEASE + bot.service.knowledge.texts.empty.strip()


async def test_edited_messages_are_answered_as_new_questions(bot):
    sent = only(await bot.send(updates.private_text("绿色通到", edited=True)), "sendMessage")
    assert "绿色通道" in sent["text"]


async def test_help_about_and_unknown_command(bot):
    assert "12345" in only(await bot.send(updates.private_text("/help")), "sendMessage")["text"]
    about = only(await bot.send(updates.private_text("/about")), "sendMessage")["text"]
    assert "2022-05-26" in about and "澎湃" in about
    unknown = only(await bot.send(updates.private_text("/foo")), "sendMessage")["text"]
    assert unknown == handlers.UNKNOWN_COMMAND


async def test_about_with_many_source_documents_comes_in_messages_telegram_takes(bot, monkeypatch):
    """/about lists every source document in one message: a knowledge of ~70 documents or more
    (another city's imported sheets and ingested policies) passed Telegram's 4,096 characters,
    which it refuses, and the user got the apology (probe22). It is cut as long answers are."""
    documents = [
        f"· 《关于进一步优化营商环境的若干措施（第{n}号）》市政府办公室，2024-01-01"
        for n in range(150)
    ]
    monkeypatch.setattr(replies, "about_html", lambda knowledge: "\n".join(documents))
    sent = [params["text"] for name, params in await bot.send(updates.private_text("/about"))]
    assert len(sent) > 1 and all(len(text) <= replies.MAX_TEXT for text in sent)
    assert "\n".join(sent).split("\n") == documents


async def test_admin_commands_look_unknown_to_everyone_else(bot):
    for command in ("/reload", "/stats"):
        sent = only(await bot.send(updates.private_text(command)), "sendMessage")
        assert sent["text"] == handlers.UNKNOWN_COMMAND


async def test_stats_for_admins(bot):
    await bot.send(updates.private_text(ASKED))
    await bot.send(updates.private_text("个人所得税怎么交"))
    text = only(
        await bot.send(updates.private_text("/stats", user_id=updates.ADMIN_ID)), "sendMessage"
    )["text"]
    assert (
        f"{len(load(KNOWLEDGE).entries)} 个问答" in text
        and "answered 1" in text
        and "fallback 1" in text
    )


async def test_reload_refuses_a_broken_edit_and_takes_a_good_one(knowledge_copy):
    bot = Bot(Service.open(knowledge_copy))
    await bot.app.initialize()
    old = bot.service.engine.knowledge.version
    faq = knowledge_copy / "faq" / "04-qiye-fuwu.yaml"
    good = faq.read_text(encoding="utf-8")
    faq.write_text(
        good.replace("  - id: qiye-tousu", "  - id: qiye-xinyong-xiufu"), encoding="utf-8"
    )
    refused = only(
        await bot.send(updates.private_text("/reload", user_id=updates.ADMIN_ID)), "sendMessage"
    )
    assert "继续使用旧版本" in refused["text"] and "04-qiye-fuwu.yaml" in refused["text"]
    assert bot.service.engine.knowledge.version == old
    assert (
        "信用修复" in only(await bot.send(updates.private_text("信用修复")), "sendMessage")["text"]
    )
    faq.write_text(good.replace("可以。抚远市实时处理", "可以，抚远市实时处理"), encoding="utf-8")
    taken = only(
        await bot.send(updates.private_text("/reload", user_id=updates.ADMIN_ID)), "sendMessage"
    )
    assert "已重新加载" in taken["text"]
    assert bot.service.engine.knowledge.version != old
    await bot.app.shutdown()


async def test_knowledge_text_is_html_escaped(knowledge_copy):
    faq = knowledge_copy / "faq" / "04-qiye-fuwu.yaml"
    text = faq.read_text(encoding="utf-8").replace(
        "可以。抚远市实时处理", "可以 <b>&</b> <script>x</script>。抚远市实时处理"
    )
    faq.write_text(text, encoding="utf-8")
    bot = Bot(Service.open(knowledge_copy))
    await bot.app.initialize()
    sent = only(await bot.send(updates.private_text("信用修复")), "sendMessage")["text"]
    assert "&lt;b&gt;&amp;&lt;/b&gt; &lt;script&gt;" in sent and "<script>" not in sent
    await bot.app.shutdown()


async def test_long_answers_are_split_at_paragraphs_with_buttons_on_the_last(knowledge_copy):
    faq = knowledge_copy / "faq" / "04-qiye-fuwu.yaml"
    long_answer = "\n\n".join(f"第{n}段。" + "信用修复说明。" * 150 for n in "一二三四")
    text = faq.read_text(encoding="utf-8")
    start = text.index("    answer: |\n      可以。抚远市实时处理")
    end = text.index("    source:", start)
    indented = "\n".join("      " + line if line else "" for line in long_answer.split("\n"))
    faq.write_text(
        text[:start] + "    answer: |\n" + indented + "\n" + text[end:], encoding="utf-8"
    )
    bot = Bot(Service.open(knowledge_copy))
    await bot.app.initialize()
    sent = [
        p for name, p in await bot.send(updates.private_text("信用修复")) if name == "sendMessage"
    ]
    assert len(sent) >= 2
    assert all(len(p["text"]) <= 4096 for p in sent)
    assert [("reply_markup" in p) for p in sent] == [False] * (len(sent) - 1) + [True]
    assert sent[1]["text"].startswith("第")  # cut at a paragraph boundary
    await bot.app.shutdown()


async def test_per_user_limit_sends_one_notice_and_spares_other_users(engine):
    bot = Bot(Service(KNOWLEDGE, engine), UserLimiter(limit=5, window=60))
    await bot.app.initialize()
    texts = []
    for _ in range(9):
        texts += [
            p["text"]
            for name, p in await bot.send(updates.private_text("信用修复"))
            if name == "sendMessage"
        ]
    assert len(texts) == 6 and texts[-1] == handlers.SLOW_DOWN
    other = only(await bot.send(updates.private_text("信用修复", user_id=2002)), "sendMessage")
    assert "信用修复" in other["text"]
    await bot.app.shutdown()


def test_a_user_limit_of_zero_limits_nobody():
    limiter = UserLimiter(limit=0)
    assert {limiter.check(1001) for _ in range(1000)} == {OK}


async def test_an_exception_in_a_handler_apologises_and_the_bot_goes_on(bot, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.service, "ask", broken)
    calls = await bot.send(updates.private_text("信用修复"))
    assert only(calls, "sendMessage")["text"] == handlers.APOLOGY
    monkeypatch.undo()
    assert (
        "信用修复" in only(await bot.send(updates.private_text("信用修复")), "sendMessage")["text"]
    )


def test_callback_data_fits_telegram_for_every_button(engine, knowledge):
    for entry in knowledge.entries:
        reply = replies.answer_reply(engine.entry_answer(entry), knowledge, back=entry.category)
        for row in reply.keyboard["inline_keyboard"]:
            for b in row:
                assert 1 <= len(b["callback_data"].encode()) <= 64
    for category in knowledge.categories:
        for row in replies.category_reply(knowledge, category).keyboard["inline_keyboard"]:
            assert all(len(b["callback_data"].encode()) <= 64 for b in row)


def test_split_respects_paragraphs_and_the_limit():
    text = "\n\n".join(["甲" * 3000, "乙" * 3000, "丙" * 5000])
    chunks = replies.split(text, 4096)
    assert all(len(c) <= 4096 for c in chunks)
    assert chunks[0] == "甲" * 3000 and chunks[1] == "乙" * 3000
    assert "".join(chunks[2:]) == "丙" * 5000


def test_limiter_window_slides():
    now = [0.0]
    limiter = UserLimiter(limit=2, window=10, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(4)] == ["ok", "ok", "notify", "drop"]
    now[0] = 11
    assert limiter.check(1) == "ok"


def test_knowledge_fixture_is_the_shipped_one(knowledge):
    assert load(KNOWLEDGE).version == knowledge.version


async def test_gaps_for_admins_with_example_buttons(bot):
    for question in ["公积金怎么提取", "住房公积金怎么提取啊", "营业执照年报怎么报"]:
        await bot.send(updates.private_text(question))
    assert (
        only(await bot.send(updates.private_text("/gaps")), "sendMessage")["text"]
        == handlers.UNKNOWN_COMMAND
    )
    report = only(
        await bot.send(updates.private_text("/gaps", user_id=updates.ADMIN_ID)), "sendMessage"
    )
    assert "×2" in report["text"]
    first = buttons(report)[0]
    assert re.fullmatch(r"g:[0-9a-f]{6}:0", first[1])
    message = bot.api._message({**report, "chat_id": updates.ADMIN_ID})
    calls = await bot.send(updates.callback(first[1], message, user_id=updates.ADMIN_ID))
    examples = only(calls, "sendMessage")["text"]
    assert "公积金怎么提取" in examples and "住房公积金怎么提取啊" in examples
    stale = await bot.send(updates.callback("g:000000:0", message, user_id=updates.ADMIN_ID))
    assert only(stale, "answerCallbackQuery")["text"] == handlers.STALE


async def test_passage_answers_are_labelled_cited_and_can_be_voted_on(knowledge_copy, exchange_log):
    from bot.authoring.ingest import ingest
    from tests.support.paths import NOTICE

    ingest(str(NOTICE), knowledge_copy)
    bot = Bot(Service.open(knowledge_copy, exchange_log))
    await bot.app.initialize()
    sent = only(await bot.send(updates.private_text("周六可以办营业执照吗")), "sendMessage")
    assert sent["text"].startswith("以下摘自《关于实行政务服务周六延时服务的通知》")
    assert "<i>来源：《关于实行政务服务周六延时服务的通知》，2023-03-15</i>" in sent["text"]
    vote = buttons(sent)[1][1]
    assert vote.startswith("f:-:") and vote.endswith(":~")
    await bot.send(updates.callback(vote, bot.last_message()))
    (feedback,) = exchange_log.store.feedback()
    assert feedback.kind == "unhelpful" and feedback.entry_id is None and feedback.exchange_id
    await bot.app.shutdown()


async def test_one_chats_messages_are_answered_in_order_while_other_chats_go_ahead():
    processor = PerChatOrder(4)
    done = []

    async def handle(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        done.append(name)

    first, second = (Update.de_json(updates.private_text(t, user_id=1), None) for t in "ab")
    other = Update.de_json(updates.private_text("c", user_id=2), None)
    async with processor:
        await asyncio.gather(
            processor.process_update(first, handle("first", 0.05)),
            processor.process_update(second, handle("second", 0)),
            processor.process_update(other, handle("other", 0.01)),
        )
    assert done == ["other", "first", "second"]
    assert processor.chats == {}  # nothing kept for chats with nothing in progress


async def test_a_chat_whose_update_failed_is_not_kept_waiting():
    processor = PerChatOrder(4)
    update = Update.de_json(updates.private_text("a", user_id=1), None)

    async def broken() -> None:
        raise RuntimeError("boom")

    async with processor:
        with pytest.raises(RuntimeError):
            await processor.process_update(update, broken())
    assert processor.chats == {}
