"""The application seam every channel calls: answers carry their knowledge version, picks and
votes are recorded against their exchange, and the admin views need a log."""

from __future__ import annotations

import gc
import weakref

import pytest

from bot.app import Contexts, Offer, Offers, Request, Service, settle_heap
from bot.channels.web.examples import CLARIFY_EXAMPLE
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, Engine
from bot.log.database import since_to_iso
from bot.log.store import HELPFUL, PICKED, UNHELPFUL
from bot.log.writer import ExchangeLog
from tests.support.edits import edit
from tests.support.flows import CONFIRM, CONFIRMED, FLOWS, flows_knowledge, offering
from tests.support.paths import KNOWLEDGE

QUESTION = "复工复产去哪个窗口办理"


@pytest.fixture
def logged(engine, tmp_path):
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="test-salt")
    yield Service(KNOWLEDGE, engine, log)
    log.close()


def test_ask_answers_logs_and_names_the_knowledge_it_used(logged):
    turn = logged.ask(Request(QUESTION, "web", "private", "session-1"))
    assert turn.answer.status == ANSWERED and turn.answer.entry_id == "fugong-zhuanchuang"
    assert turn.knowledge is logged.knowledge
    (stored,) = logged.log.store.exchanges()
    assert (stored.id, stored.channel, stored.chat_type) == (turn.exchange, "web", "private")
    assert stored.user_key and "session-1" not in stored.user_key


def test_without_a_log_nothing_is_recorded_and_admin_views_say_so(engine):
    service = Service(KNOWLEDGE, engine)
    assert service.ask(Request(QUESTION, "ask")).exchange is None
    assert service.stats(None) is None and service.gaps(None) is None


def test_picks_and_votes_are_recorded_against_their_exchange(tmp_path):
    engine = Engine(flows_knowledge())
    engine.thresholds = offering(engine, {CONFIRM: 1})
    logged = Service(FLOWS, engine, ExchangeLog.open(tmp_path / "log.sqlite3", salt="s"))
    turn = logged.ask(Request(CONFIRM, "telegram", "private", 7))
    picked = logged.pick(turn.exchange, CONFIRMED, Request("", "telegram", user=7))
    assert picked is not None and picked.exchange == turn.exchange
    assert logged.vote(turn.exchange, CONFIRMED, True, "telegram", 7)
    assert logged.vote(turn.exchange, None, False, "telegram", 7)
    kinds = [(f.exchange_id, f.kind, f.entry_id) for f in logged.log.store.feedback()]
    assert kinds == [
        (turn.exchange, PICKED, CONFIRMED),
        (turn.exchange, HELPFUL, CONFIRMED),
        (turn.exchange, UNHELPFUL, None),
    ]
    numbers = logged.stats(since_to_iso("1d"))
    assert (numbers.total, numbers.helpful, numbers.unhelpful) == (1, 1, 1)
    logged.log.close()


def test_only_what_an_exchange_offered_is_picked_and_only_real_exchanges_are_voted_on(tmp_path):
    """Votes and picks name an exchange id a client can make up (the web API, a crafted
    Telegram button): a pick of an entry the list did not offer, or a vote or pick on an
    exchange that was never logged, is refused and nothing is recorded. After a restart the
    log still knows the exchange (and the entries it ranked)."""
    engine = Engine(flows_knowledge())
    engine.thresholds = offering(engine, {CONFIRM: 1})
    path = tmp_path / "log.sqlite3"
    service = Service(FLOWS, engine, ExchangeLog.open(path, salt="s"))
    turn = service.ask(Request(CONFIRM, "web", user="s"))
    ranked = {c.id for c in turn.answer.candidates}
    other = next(e.id for e in engine.knowledge.entries if e.id not in ranked)
    answered = service.ask(Request(engine.knowledge.by_id[other].question, "web", user="s"))
    assert (
        service.pick(turn.exchange, other, Request("", "web", user="s")) is None
    )  # not on the list
    assert service.pick("0123456789ab", CONFIRMED, Request("", "web", user="s")) is None  # made up
    assert service.pick(None, CONFIRMED, Request("", "web", user="s")) is None
    assert not service.vote("0123456789ab", CONFIRMED, True, "web", "s")
    service.none_fits("0123456789ab", "web", "s")  # answered, but no 👎 on a made-up exchange
    assert list(service.log.store.feedback()) == []
    service.log.close()

    restarted = Service(FLOWS, engine, ExchangeLog.open(path, salt="s"))  # offers forgotten
    assert restarted.pick(turn.exchange, other, Request("", "web", user="s")) is None
    assert restarted.pick(turn.exchange, CONFIRMED, Request("", "web", user="s")) is not None
    assert restarted.vote(answered.exchange, other, True, "web", "s")
    assert restarted.vote(None, other, False, "web", "s")  # an answer shown without a question
    kinds = [(f.exchange_id, f.kind) for f in restarted.log.store.feedback()]
    assert kinds == [(turn.exchange, PICKED), (answered.exchange, HELPFUL), (None, UNHELPFUL)]
    restarted.log.close()


def test_an_exchange_still_queued_is_known_to_votes(tmp_path):
    """A 👍 can come before the background writer commits the answer it is on."""
    engine = Engine(flows_knowledge())
    engine.thresholds = offering(engine, {CONFIRM: 1})
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="s", background=True)
    log.linger = 60.0  # the writer holds its first batch: the exchange stays queued
    answer = engine.answer(CONFIRM)
    exchange = log.record(answer, "web", "v1")
    assert log.offered_by(exchange) == (CONFIRMED,)
    assert Service(FLOWS, engine, log).vote(exchange, None, True, "web", "s")
    assert log.offered_by("0123456789ab") is None
    with log.changed:  # let the writer go (the test's rows need not be stored)
        log.closed = True
        log.changed.notify_all()


def test_entries_that_no_longer_exist_are_none(logged):
    assert logged.entry("no-such-entry") is None
    assert logged.pick("abc", "no-such-entry", Request("", "telegram", user=7)) is None
    assert list(logged.log.store.feedback()) == []


def test_browsing_and_search(engine):
    service = Service(KNOWLEDGE, engine)
    first = service.topics()[0]
    assert service.topic(first) and service.topic("没有这个主题") == []
    found = service.search("复工 窗口", 10)
    assert found and found[0].answer.entry_id == "fugong-zhuanchuang"
    assert all(turn.answer.status == ANSWERED for turn in found)


def test_a_turn_keeps_its_knowledge_across_a_reload(knowledge_copy):
    service = Service.open(knowledge_copy)
    turn = service.ask(Request(QUESTION, "ask"))
    edit(knowledge_copy / "bot.yaml", "clarify: 您是想问：", "clarify: 请问您想问的是：")
    assert service.reload() == []
    assert service.knowledge is not turn.knowledge
    assert turn.knowledge.texts.clarify == "您是想问："


def test_a_reload_in_a_settled_server_still_frees_the_old_engine(knowledge_copy):
    """Servers freeze their loaded heap (`settle_heap`); the engine a reload replaces holds
    reference cycles, which only a collection over the thawed heap frees."""
    service = Service.open(knowledge_copy)
    old = weakref.ref(service.engine)
    settle_heap()
    try:
        assert old() is not None and gc.get_freeze_count() > 0
        edit(knowledge_copy / "bot.yaml", "clarify: 您是想问：", "clarify: 请问您想问的是：")
        assert service.reload() == []
        assert old() is None
        assert gc.get_freeze_count() > 0  # the new engine is settled in its turn
        # …and readied first, as servers ready theirs at the start (`Engine.ready`).
        assert service.engine.spelling._tables is not None
        assert len(service.engine.pieces.made) == len(service.engine.entries)
    finally:
        gc.unfreeze()


def test_none_fits_named_by_its_exchange_alone_still_lists_near_topics(tmp_path):
    """A Telegram button or the web API names only the exchange: the service remembers what
    it asked, so the fallback lists the near topics a typed 不是 gets."""
    engine = Engine(flows_knowledge())
    engine.thresholds = offering(engine, {CONFIRM: 1})
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="test-salt")
    service = Service(FLOWS, engine, log)
    turn = service.ask(Request(CONFIRM, "web", user="s"))
    assert turn.answer.status == CLARIFY
    by_exchange = service.none_fits(turn.exchange, "web", "s")
    typed = service.none_fits(turn.exchange, "chat", "s", CONFIRM, turn.answer.choices)
    assert by_exchange.answer == typed.answer and by_exchange.answer.status == FALLBACK
    assert by_exchange.answer.near and CONFIRMED not in {c.id for c in by_exchange.answer.near}
    forged = service.none_fits("0123456789ab", "web", "s")  # unknown: the plain fallback
    assert forged.answer.near == () and forged.answer.answer == engine.knowledge.texts.fallback
    log.close()


def test_offers_keep_only_the_latest():
    offers = Offers(kept=2)
    for exchange in "abc":
        offers.remember(exchange, Offer(exchange, ()))
    assert [offers.get(e) for e in ("a", None)] == [None, None]
    assert offers.get("c") == Offer("c", ())


CREDIT_ASKED = "疫情期间企业失信了能修复信用吗"  # answered by qiye-xinyong-xiufu
FOLLOW_UP = "怎么申请"  # alone: no topic, the fallback


def test_a_bare_follow_up_is_read_against_the_conversations_previous_answer(logged):
    said = Request(CREDIT_ASKED, "telegram", "private", 7, place=70)
    assert logged.ask(said).answer.entry_id == "qiye-xinyong-xiufu"
    turn = logged.ask(Request(FOLLOW_UP, "telegram", "private", 7, place=70))
    assert turn.answer.status == ANSWERED and turn.answer.context == "qiye-xinyong-xiufu"
    assert turn.answer.entry_id == "qiye-xinyong-xiufu"
    # The log says the answer came from the conversation's context.
    logged.log.flush()
    stored = {e.question: e for e in logged.log.store.exchanges()}[FOLLOW_UP]
    assert stored.status == ANSWERED and stored.candidates[0] == {
        "id": "qiye-xinyong-xiufu",
        "score": 1.0,
        "context": True,
    }


def test_an_entry_tapped_or_picked_is_what_a_follow_up_is_read_against(logged):
    """Found in review: a follow-up after browsing or picking was read against the entry last
    answered to a typed question, one the user had moved on from (a wrong answer)."""
    where = Request("", "telegram", "private", 7, place=70)
    follow_up = Request(FOLLOW_UP, "telegram", "private", 7, place=70)
    logged.ask(Request(CREDIT_ASKED, "telegram", "private", 7, place=70))
    assert logged.entry("qiye-yuancheng-gongzheng", where) is not None  # a related question
    assert logged.ask(follow_up).answer.context == "qiye-yuancheng-gongzheng"
    logged.entry("fugong-zhuanchuang", where)
    assert logged.ask(follow_up).answer.status == FALLBACK  # the 专窗 entry: nothing to apply
    logged.ask(Request(CREDIT_ASKED, "telegram", "private", 7, place=70))
    listed = logged.ask(Request(CLARIFY_EXAMPLE["question"], "telegram", "private", 7, place=70))
    assert listed.answer.status == CLARIFY
    picked = listed.answer.choices[0].id
    assert logged.pick(listed.exchange, picked, where) is not None
    logged.entry("qiye-xinyong-xiufu")  # shown outside any conversation: no context moves
    turn = logged.ask(follow_up)
    assert (
        turn.answer.context != "qiye-xinyong-xiufu" and turn.answer.entry_id != "qiye-xinyong-xiufu"
    )


@pytest.mark.parametrize(
    "follow_up",
    [
        Request(FOLLOW_UP, "telegram", "private", 8, place=70),  # another sender
        Request(FOLLOW_UP, "telegram", "group", 7, place=71),  # the sender elsewhere
        Request(FOLLOW_UP, "ask", "cli", 7, conversation=False),  # no conversation (ask, web)
        Request(FOLLOW_UP, "telegram", "private", None),  # a sender nobody names
    ],
)
def test_a_follow_up_elsewhere_is_answered_alone(engine, follow_up):
    service = Service(KNOWLEDGE, engine)
    service.ask(Request(CREDIT_ASKED, "telegram", "private", 7, place=70))
    assert service.ask(follow_up).answer.status == FALLBACK


def test_the_previous_answer_is_forgotten_after_a_while_and_replaced_by_the_next(engine):
    now = [0.0]
    service = Service(KNOWLEDGE, engine, contexts=Contexts(seconds=600, clock=lambda: now[0]))
    said = Request(CREDIT_ASKED, "wechat", "private", "openid")
    follow_up = Request(FOLLOW_UP, "wechat", "private", "openid")
    service.ask(said)
    now[0] = 601.0
    assert service.ask(follow_up).answer.status == FALLBACK
    service.ask(said)
    # Another answer in between is what a follow-up is read against then (its entry gives
    # no way to apply: the fallback).
    assert service.ask(Request(QUESTION, "wechat", "private", "openid")).answer.status == ANSWERED
    assert service.ask(follow_up).answer.status == FALLBACK


def test_contexts_are_bounded(engine):
    contexts = Contexts(kept=2)
    for user in "abc":
        contexts.remember(("chat", "cli", None, user), f"entry-{user}")
    assert contexts.get(("chat", "cli", None, "a")) is None
    assert contexts.get(("chat", "cli", None, "c")) == "entry-c"
