"""`/wechat` end to end: the stand-in for WeChat's servers talks HTTP to the channel on
127.0.0.1, in plaintext mode and in safe (encrypted) mode."""

from __future__ import annotations

import contextlib
import dataclasses
import time

import pytest

from bot.app import Service, Turn
from bot.channels.limits import SLOW_DOWN
from bot.channels.wechat.chat import DECLINED, EXPIRED, HELP_KEY, TYPE_PLEASE, menu_key
from bot.channels.wechat.replies import MORE_HINT, pick_hint
from bot.channels.wechat.server import build_app
from bot.log.gaps import gap_exchanges
from bot.log.stats import stats
from bot.log.store import PICKED, UNHELPFUL
from bot.log.writer import ExchangeLog
from bot.settings import WeChatSettings
from tests.support.flows import FLOWS, LIST, flows_engine, is_fallback
from tests.support.servers import Switch, serving
from tests.support.wechat import (
    ACCOUNT,
    AES_KEY,
    APPID,
    TOKEN,
    WeChatStandIn,
    openid,
)

USER = openid(1)


class SlowService(Service):
    """Takes `delay` seconds over each question, as a stalled disk or a huge knowledge might."""

    delay = 0.0
    calls = 0

    def ask(self, *args, **kwargs):
        self.calls += 1
        time.sleep(self.delay)
        return super().ask(*args, **kwargs)


@pytest.fixture
def service(engine, tmp_path):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="test")
    yield SlowService(tmp_path, engine, log)
    log.close()


@pytest.fixture(params=["plaintext", "safe"])
def mode(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def server():
    """One server for the module, serving each test's channel in turn: the switch and its URL."""
    switch = Switch()
    with serving(switch) as base:
        yield switch, base


@contextlib.asynccontextmanager
async def stand_in(server, service, mode, settings=None, user_limit=0):
    """WeChat's stand-in talking to the channel of `service` in `mode`."""
    switch, base = server
    key = AES_KEY if mode == "safe" else None
    switch.app = build_app(
        service, settings or WeChatSettings(token=TOKEN, appid=APPID, aes_key=key or ""), user_limit
    )
    async with WeChatStandIn(f"{base}/wechat", aes_key=key) as wechat:
        yield wechat


@pytest.fixture
async def wechat(server, service, mode):
    async with stand_in(server, service, mode) as wechat:
        yield wechat


@pytest.fixture
def flows_service(tmp_path):
    """The channel's service on the small fixed knowledge of `tests.support.flows`, where
    `LIST` is a list of three choices whatever the engine's tuning."""
    log = ExchangeLog.open(tmp_path / "flows.sqlite3", salt="test")
    yield Service(FLOWS, flows_engine({LIST: 3}), log)
    log.close()


@pytest.fixture
async def flows_wechat(server, flows_service, mode):
    async with stand_in(server, flows_service, mode) as wechat:
        yield wechat


def exchanges(service):
    return list(service.log.store.exchanges())


# Verification and refusals -------------------------------------------------------------------


async def test_url_verification_echoes_only_when_signed(wechat):
    assert await wechat.verify("5837397749874") == (200, "5837397749874")
    status, text = await wechat.verify("1", signature="0" * 40)
    assert status == 403 and "1" not in text
    old = wechat.query(timestamp=int(time.time()) - 3600)
    assert (await wechat.request("GET", {**old, "echostr": "2"}))[0] == 403
    assert (await wechat.request("GET", {"echostr": "3"}))[0] == 403
    assert (await wechat.request("GET", wechat.query()))[0] == 403  # signed, but no echostr
    assert (await wechat.request("PUT", wechat.query()))[0] == 405


async def test_a_badly_signed_message_is_refused_before_it_is_read(wechat, service):
    query = {**wechat.query(), "signature": "f" * 40}
    delivery = await wechat.post("<xml><not-even-xml", query)
    assert delivery.status == 403 and delivery.reply is None
    old = await wechat.post("<xml/>", wechat.query(timestamp=int(time.time()) - 3600))
    assert old.status == 403
    assert service.calls == 0 and exchanges(service) == []


async def test_refusals_anyone_may_cause_are_said_at_most_once_a_minute(wechat, caplog):
    """Anyone may send /wechat a request signed wrong, and each was a WARNING line: at the 1,000
    a second one client sends, gigabytes a day of the server's log, which Docker keeps whole
    unless told otherwise (probe20)."""
    for _ in range(30):
        assert (await wechat.verify("1", signature="0" * 40))[0] == 403
    said = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(said) == 1, said


@pytest.mark.parametrize("mode", ["safe"])  # msg_signature exists in safe mode only
async def test_a_safe_mode_message_with_a_bad_msg_signature_is_refused(wechat, service):
    body, query = wechat.envelope("<xml><Content>复工</Content></xml>", wechat.query())
    query["msg_signature"] = "0" * 40
    assert (await wechat.request("POST", query, body))[0] == 403
    assert service.calls == 0


async def test_an_oversized_body_is_refused_unread(wechat):
    delivery = await wechat.post("<xml>" + "x" * 70_000 + "</xml>")
    assert delivery.status == 413


@pytest.mark.parametrize(
    "payload",
    [
        # Entity expansion ("billion laughs") and an external entity (XXE), signed as WeChat
        # would sign them: the signature is checked, the parser must refuse them anyway.
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{USER}</FromUserName>"
        "<MsgType>text</MsgType><Content>&d;&d;&d;&d;&d;&d;&d;&d;</Content><MsgId>7</MsgId></xml>",
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{USER}</FromUserName>"
        "<MsgType>text</MsgType><Content>&x;</Content><MsgId>8</MsgId></xml>",
    ],
    ids=["billion-laughs", "xxe"],
)
async def test_entity_payloads_are_answered_safely(wechat, service, payload):
    started = time.perf_counter()
    delivery = await wechat.post(payload)
    assert delivery.status == 400 and "root:" not in delivery.body
    assert time.perf_counter() - started < 2
    assert service.calls == 0 and exchanges(service) == []
    # The server is still there for the next message.
    assert (await wechat.text(USER, "复工复产去哪个窗口办理")).reply is not None


# Questions and picks -------------------------------------------------------------------------


async def test_a_question_is_answered_with_its_source_in_a_passive_reply(wechat, service):
    delivery = await wechat.text(USER, "复工复产去哪个窗口办理")
    assert delivery.status == 200 and delivery.seconds < 5
    reply = delivery.reply
    assert reply["ToUserName"] == USER and reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text" and reply["CreateTime"].isdigit()
    assert "复工复产专窗" in reply["Content"] and "来源：《" in reply["Content"]
    (logged,) = exchanges(service)
    assert logged.channel == "wechat" and logged.entry_id == "fugong-zhuanchuang"
    assert logged.user_key and USER not in logged.user_key


async def test_related_questions_are_picked_by_number(wechat, service, knowledge):
    await wechat.text(USER, "复工复产去哪个窗口办理")
    first_related = knowledge.by_id[knowledge.by_id["fugong-zhuanchuang"].related[0]]
    picked = await wechat.text(USER, "1")
    assert picked.content.startswith(first_related.answer.strip()[:20])
    assert len(exchanges(service)) == 1  # a pick is not a new question


async def test_a_clarify_list_is_picked_by_number_and_the_pick_logged(flows_wechat, flows_service):
    wechat, service, engine = flows_wechat, flows_service, flows_service.engine
    choices = engine.answer(LIST).choices
    listed = await wechat.text(USER, LIST)
    assert "回复 1" in listed.content and "回复 0 都不是" in listed.content
    picked = await wechat.text(USER, "1")
    entry = engine.knowledge.by_id[choices[0].id]
    assert picked.content.startswith(entry.answer.strip()[:20])
    (asked,) = exchanges(service)
    (feedback,) = list(service.log.store.feedback())
    assert (feedback.kind, feedback.entry_id, feedback.exchange_id) == (
        PICKED,
        entry.id,
        asked.id,
    )
    # Another user's "1" picks nothing: their list is their own.
    assert (await wechat.text(openid(2), "1")).content == EXPIRED


async def test_a_spoken_chinese_numeral_picks_from_an_open_list(flows_wechat, flows_service):
    """二 said into a voice message: WeChat's recognizer writes "二。"; with a list open it picks
    the second choice, and with none open it is no pick (the same words are asked)."""
    wechat, service, engine = flows_wechat, flows_service, flows_service.engine
    choices = engine.answer(LIST).choices
    assert len(choices) >= 2
    await wechat.text(USER, LIST)
    said = "<MediaId><![CDATA[m5]]></MediaId><Recognition><![CDATA[二。]]></Recognition>"
    picked = await wechat.message(USER, "voice", said)
    entry = engine.knowledge.by_id[choices[1].id]
    assert picked.content.startswith(entry.answer.strip()[:20])
    assert [(f.kind, f.entry_id) for f in service.log.store.feedback()] == [(PICKED, entry.id)]
    await wechat.message(openid(2), "voice", said)  # no list open: words, asked and logged
    assert len(exchanges(service)) == 2


@pytest.mark.parametrize("typed", ["4", "４", "第四个", "12"])
async def test_a_number_past_a_lists_end_shows_it_again_and_keeps_it_open(
    flows_wechat, flows_service, typed
):
    """ "4" to a list of three (a slip, or a number from the list before) was taken for a new
    question: 现在没有等您选择的问题, with the list on the screen, and the list was gone. It gets
    the list again, ending with how to pick, as every channel does (bot.conversation)."""
    wechat, service, engine = flows_wechat, flows_service, flows_service.engine
    choices = engine.answer(LIST).choices
    offered = (await wechat.text(USER, LIST)).content
    again = (await wechat.text(USER, typed)).content
    assert again == offered and again.endswith(pick_hint(len(choices)))
    picked = await wechat.text(USER, "3")
    assert picked.content.startswith(engine.knowledge.by_id[choices[2].id].answer.strip()[:20])
    assert len(exchanges(service)) == 1


async def test_zero_declines_a_clarify_list(flows_wechat, flows_service):
    wechat, service, engine = flows_wechat, flows_service, flows_service.engine
    await wechat.text(USER, LIST)
    declined = await wechat.text(USER, "都不是")
    # The fallback, then the near topics other than those just turned down.
    assert is_fallback(declined.content, engine.knowledge)
    assert [f.kind for f in service.log.store.feedback()] == [UNHELPFUL]  # counted as a gap
    # The list is closed; "1" picks the first of the near topics numbered under the fallback.
    near = engine.knowledge.by_id[first_near(declined.content, engine.knowledge)]
    assert (await wechat.text(USER, "1")).content.startswith(near.answer.strip()[:20])


async def test_a_fallbacks_near_topics_are_picked_by_number_or_declined(wechat, knowledge):
    """WeChat numbers an answer's related questions (回复序号查看) but listed a fallback's near
    topics as bullets: "1" was told 这个序号已过期, and 都不是 现在没有等您选择的问题, with the
    topics just above, so a user could only type one out again (probe21)."""
    fallback = (await wechat.text(USER, "黑瞎子岛门票多少钱")).content
    assert "您也可以看看这些相关问题（回复序号查看）：\n1. " in fallback
    near = knowledge.by_id[first_near(fallback, knowledge)]
    assert (await wechat.text(USER, "1")).content.startswith(near.answer.strip()[:20])
    await wechat.text(USER, "黑瞎子岛门票多少钱")
    assert (await wechat.text(USER, "都不是")).content == DECLINED


def first_near(text: str, knowledge) -> str:
    """The id of the first near topic a fallback numbers."""
    first = text.split("\n1. ", 1)[1].split("\n", 1)[0]
    return next(e.id for e in knowledge.entries if e.question == first)


# Retries -------------------------------------------------------------------------------------


async def test_a_retry_is_answered_once_and_logged_once(wechat, service):
    # The first try takes longer than WeChat waits: it gives up and sends the message again.
    service.delay = 1.5
    wechat.wait = 1.0
    delivery = await wechat.text(USER, "复工复产去哪个窗口办理")
    assert delivery.timeouts >= 1 and delivery.tries >= 2
    assert "复工复产专窗" in delivery.content
    assert service.calls == 1 and len(exchanges(service)) == 1
    # WeChat's last try, after the reply was sent: the same answer again, still logged once.
    service.delay = 0
    again = await wechat.text(USER, "复工复产去哪个窗口办理", msg_id=int(delivery.sent["MsgId"]))
    assert again.content == delivery.content
    assert service.calls == 1 and len(exchanges(service)) == 1


async def test_an_event_retried_is_handled_once(wechat, knowledge):
    created = int(time.time())
    category = "复工复产与服务窗口"
    first = await wechat.event(USER, "CLICK", menu_key(category), created)
    await wechat.text(USER, "1")  # the topic's first question; its related list is offered now
    again = await wechat.event(USER, "CLICK", menu_key(category), created)
    assert again.content == first.content
    # The retry did not list the topic again: "1" still picks from the related questions.
    related = knowledge.by_id[knowledge.in_category(category)[0].related[0]]
    assert (await wechat.text(USER, "1")).content.startswith(related.answer.strip()[:20])


async def test_a_user_sending_too_fast_is_asked_to_wait_once_then_not_answered(
    server, service, mode
):
    """POLICYBOT_USER_LIMIT held back Telegram's users only: one WeChat account (a script on
    it) could send as fast as it liked, every message answered and logged (probe22). Over the
    limit a user is told once to wait, then gets no reply, and nothing more is logged; others
    are answered as before, and a WeChat retry of an answered message does not count."""
    async with stand_in(server, service, mode, user_limit=3) as wechat:
        answered = [await wechat.text(USER, "复工复产去哪个窗口办理") for _ in range(3)]
        assert all("复工复产专窗" in delivery.content for delivery in answered)
        again = await wechat.text(USER, "复工复产去哪个窗口办理", int(answered[0].sent["MsgId"]))
        assert "复工复产专窗" in again.content  # WeChat's retry: the stored reply, not counted
        assert (await wechat.text(USER, "网上办的事项有多少")).content == SLOW_DOWN
        silent = await wechat.text(USER, "网上办的事项有多少")
        assert (silent.status, silent.body, silent.reply) == (200, "success", None)
        welcome = (await wechat.event(USER, "subscribe")).content  # (following is never held back)
        assert welcome.startswith(service.knowledge.texts.welcome.strip())
        assert "683" in (await wechat.text(openid(2), "网上办的事项有多少")).content
        assert len(exchanges(service)) == 4


# Events and other messages -------------------------------------------------------------------


async def test_subscribe_welcomes_and_says_how_to_ask(wechat, knowledge):
    delivery = await wechat.event(USER, "subscribe")
    assert delivery.content.startswith(knowledge.texts.welcome.strip())
    assert "主题" in delivery.content


async def test_unsubscribe_gets_no_reply(wechat):
    delivery = await wechat.event(USER, "unsubscribe")
    assert (delivery.status, delivery.body, delivery.reply) == (200, "success", None)


async def test_a_menu_click_lists_that_topics_questions(wechat, knowledge):
    category = "复工复产与服务窗口"
    delivery = await wechat.event(USER, "CLICK", menu_key(category))
    entries = knowledge.in_category(category)
    assert f"1. {entries[0].question}" in delivery.content
    picked = await wechat.text(USER, str(len(entries)))
    assert picked.content.startswith(entries[-1].answer.strip()[:20])
    helped = await wechat.event(USER, "CLICK", HELP_KEY)
    assert helped.content.startswith(knowledge.texts.help.strip())
    stale = await wechat.event(USER, "CLICK", "TOPIC_00000000")
    assert stale.content.startswith("请选择主题")


@pytest.mark.parametrize("kind", ["image", "voice", "location"])
async def test_media_gets_please_type(wechat, kind, service):
    assert (await wechat.media(USER, kind)).content == TYPE_PLEASE
    assert exchanges(service) == []


async def test_a_voice_message_with_wechats_recognition_is_answered_as_its_text(wechat, service):
    # An account with 语音识别 turned on gets the words of a voice message in <Recognition>.
    said = "<MediaId><![CDATA[m3]]></MediaId><Format><![CDATA[amr]]></Format>"
    said += "<Recognition><![CDATA[复工复产去哪个窗口办理]]></Recognition>"
    assert "复工复产专窗" in (await wechat.message(USER, "voice", said)).content
    (logged,) = exchanges(service)
    assert logged.channel == "wechat" and logged.entry_id == "fugong-zhuanchuang"
    unheard = "<MediaId><![CDATA[m4]]></MediaId><Recognition><![CDATA[]]></Recognition>"
    assert (await wechat.message(USER, "voice", unheard)).content == TYPE_PLEASE


async def test_a_long_answer_comes_in_pages_on_request(wechat, service, engine):
    entry = engine.knowledge.by_id["fugong-zhuanchuang"]
    long_answer = "\n".join(f"第{n}条：{entry.answer.strip()}" for n in range(12))

    def ask(request):
        answer = engine.entry_answer(entry, request.text)
        return Turn(dataclasses.replace(answer, answer=long_answer), engine.knowledge)

    service.ask = ask
    first = await wechat.text(USER, "复工复产去哪个窗口办理")
    assert first.content.endswith(MORE_HINT) and "来源：《" in first.content
    assert len(first.content.encode()) <= 2000
    rest = []
    for _ in range(5):
        page = (await wechat.text(USER, "更多")).content
        rest.append(page)
        if not page.endswith(MORE_HINT):
            break
    assert "第11条" in rest[-1] and "相关问题" in rest[-1]
    assert (await wechat.text(USER, "更多")).content.startswith("没有更多内容")


# The log, stats and gaps ---------------------------------------------------------------------


async def test_exchanges_show_in_stats_and_gaps_as_wechat(wechat, service):
    await wechat.text(USER, "复工复产去哪个窗口办理")
    await wechat.text(openid(2), "我的手机号13912345678，火星签证怎么办")
    numbers = stats(service.log.store)
    assert numbers.channels == {"wechat": 2}
    gaps = gap_exchanges(service.log.store)
    assert [g.channel for g in gaps] == ["wechat"]
    assert "13912345678" not in gaps[0].question and "[手机号]" in gaps[0].question
    assert {e.user_key for e in exchanges(service)}.isdisjoint({USER, openid(2)})


async def test_a_plaintext_message_is_refused_once_safe_mode_is_configured(server, service):
    # The URL's signature covers no body: anyone who saw one signed URL (a proxy's access log,
    # the console's verification) could post any plaintext message for five minutes, as anyone.
    async with stand_in(server, service, "safe") as wechat:
        body = "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName>"
        body += "<MsgType>text</MsgType><Content>火星签证怎么办</Content><MsgId>9</MsgId></xml>"
        assert (await wechat.request("POST", wechat.query(), body))[0] == 403
    assert service.calls == 0 and exchanges(service) == []


async def test_a_safe_mode_message_without_a_key_configured_is_refused(server, service):
    settings = WeChatSettings(token=TOKEN)  # plaintext mode only
    async with stand_in(server, service, "safe", settings) as wechat:
        assert (await wechat.text(USER, "复工复产去哪个窗口办理")).status == 400
    async with stand_in(server, service, "plaintext", settings) as wechat:
        assert "复工复产专窗" in (await wechat.text(USER, "复工复产去哪个窗口办理")).content
    assert service.calls == 1
