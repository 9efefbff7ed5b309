"""Replies to an offered list, resolved the same way for every chat channel: a number picks,
a yes accepts a single choice, "0"/"都不是" says none fits, anything else is a new question
(the same replies with no list open get bot.yaml's `no_list` text, not the fallback)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import Request, Service
from bot.conversation import Conversations, pick_of, reply_word
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, SMALLTALK, Candidate, Engine, Thresholds
from bot.knowledge.model import TEXT_DEFAULTS, SmallTalk
from bot.log.store import PICKED, UNHELPFUL
from bot.log.writer import ExchangeLog
from tests.support.flows import flows_knowledge
from tests.support.paths import KNOWLEDGE

QUESTION = "您好，我想问一下复工复产去哪个窗口办理"


def chat(engine_with, tmp_path, clarify: float = 0.3) -> Conversations:
    """A conversation whose engine clarifies everything at or above `clarify`."""
    engine = engine_with(Thresholds(answer=0.99, margin=0.5, clarify=clarify))
    log = ExchangeLog.open(tmp_path / "log.sqlite3", salt="test-salt")
    return Conversations(Service(KNOWLEDGE, engine, log))


def say(conversation: Conversations, text: str, user: object = 1):
    return conversation.reply(Request(text, "chat", "cli", user))


def test_a_number_picks_from_the_list_and_is_recorded(engine_with, tmp_path):
    conversation = chat(engine_with, tmp_path)
    offered = say(conversation, QUESTION)
    assert offered.answer.status == CLARIFY and len(offered.answer.choices) > 1
    second = offered.answer.choices[1]
    picked = say(conversation, "2")
    assert picked.answer.status == ANSWERED and picked.answer.entry_id == second.id
    feedback = list(conversation.service.log.store.feedback())
    assert [(f.exchange_id, f.kind, f.entry_id) for f in feedback] == [
        (offered.exchange, PICKED, second.id)
    ]
    # The list is answered: "2" now is a question like any other.
    assert say(conversation, "2").answer.status != ANSWERED


@pytest.mark.parametrize("reply", ["都不是", "不是啊。"])
def test_none_of_these_falls_back_and_counts_as_a_gap(knowledge, engine_with, tmp_path, reply):
    conversation = chat(engine_with, tmp_path)
    offered = say(conversation, QUESTION)
    turn = say(conversation, reply)
    assert turn.answer.status == FALLBACK
    assert turn.answer.answer.startswith(knowledge.texts.fallbacks["复工复产与服务窗口"])
    # Near topics still listed, but none of those the user just turned down.
    offered_ids = {c.id for c in offered.answer.choices}
    assert not offered_ids & {c.id for c in turn.answer.near}
    (vote,) = conversation.service.log.store.feedback()
    assert (vote.exchange_id, vote.kind) == (offered.exchange, UNHELPFUL)


def test_a_yes_accepts_a_single_choice(engine, engine_with, tmp_path):
    scores = [c.score for c in engine.candidates(QUESTION)]
    conversation = chat(engine_with, tmp_path, clarify=(scores[0] + scores[1]) / 2)
    offered = say(conversation, QUESTION)
    assert [c.id for c in offered.answer.choices] == ["fugong-zhuanchuang"]
    assert say(conversation, "是的").answer.entry_id == "fugong-zhuanchuang"


def test_each_user_has_their_own_list_and_a_new_question_closes_it(engine_with, tmp_path):
    conversation = chat(engine_with, tmp_path)
    say(conversation, QUESTION, user=1)
    assert say(conversation, "1", user=2).answer.status != ANSWERED  # user 2 was offered nothing
    assert say(conversation, "您好，我想问一下企业信用修复怎么办", user=1).answer.status == CLARIFY
    assert say(conversation, "1", user=1).answer.status == ANSWERED


def test_a_list_with_a_lifetime_closes_when_it_ends(engine_with, tmp_path):
    conversation = chat(engine_with, tmp_path)
    now = [0.0]
    conversation.ttl, conversation.clock = 600, lambda: now[0]
    request = Request(QUESTION, "chat", "cli", 1)
    say(conversation, QUESTION)
    assert conversation.offered(request)
    assert say(conversation, "１").answer.status == ANSWERED  # full-width, from an input method
    say(conversation, QUESTION)
    now[0] = 601
    assert not conversation.offered(request)
    assert say(conversation, "1").answer.status != ANSWERED


def test_lists_kept_are_bounded(engine_with, tmp_path):
    conversation = chat(engine_with, tmp_path)
    conversation.remembered = 2
    for user in range(5):
        say(conversation, QUESTION, user=user)
    assert [key[-1] for key in conversation.offers] == [3, 4]


@pytest.mark.parametrize(
    ("text", "count", "expected"),
    [
        ("1", 3, 0),
        ("3", 3, 2),
        ("4", 3, None),
        ("0", 3, None),
        ("是", 1, 0),
        ("是", 2, None),
        # as people say a number, and as WeChat's speech recognition writes it
        ("二", 3, 1),
        ("第二个", 3, 1),
        ("第2个", 3, 1),
        ("第三条", 3, 2),
        ("四", 3, None),
        ("二十", 3, None),
    ],
)
def test_pick_of(text, count, expected):
    choices = tuple(Candidate(f"e{n}", f"问题{n}", 0.5) for n in range(count))
    assert pick_of(text, choices) == (None if expected is None else choices[expected])


@pytest.mark.parametrize(
    "text", ["#2", "2️⃣", "(2)", "2)", "【2】", "2、", "2号", "选2", "要2", "选第二个", "②", "２。"]
)
def test_a_number_as_phones_and_people_type_it_picks(text):
    """With a list open, "#2" and the keycap "2️⃣" were told 现在没有等您选择的问题 (the engine reads
    a reply with its marks folded away, the list's reader did not), and "2号", "选2" and "要2"
    got the fallback and showed as gaps (probe20)."""
    choices = tuple(Candidate(f"e{n}", f"问题{n}", 0.5) for n in range(3))
    assert pick_of(reply_word(text), choices) == choices[1]


@pytest.mark.parametrize("text", ["0", "2", "都不是", "不是", "是", "不是啊", "都不是呢", "是的呀"])
def test_a_list_reply_with_no_list_open_asks_for_a_question(knowledge, engine_with, tmp_path, text):
    """A pick or a no sent when no list is open (it expired, was answered, or never was) is no
    question: not the fallback ("知识库里没有"), and not a gap for reviewers to read."""
    conversation = chat(engine_with, tmp_path)
    turn = say(conversation, text)
    assert turn.answer.status == SMALLTALK
    assert "没有等您选择的问题" in turn.answer.answer


def test_a_list_reply_with_no_list_open_needs_no_smalltalk_in_bot_yaml():
    """A deployment whose bot.yaml lists none of these replies (the flows fixture's) still gets
    the default `no_list` text; a smalltalk pattern of its own for the same word wins."""
    knowledge = flows_knowledge()
    assert knowledge.texts.no_list == TEXT_DEFAULTS["no_list"]
    own = SmallTalk(("是",), "好的，请说。")
    engine = Engine(replace(knowledge, texts=replace(knowledge.texts, smalltalk=(own,))))
    assert engine.answer("2").answer == engine.answer("都不是").answer == TEXT_DEFAULTS["no_list"]
    assert engine.answer("是").answer == own.reply


@pytest.mark.parametrize("confirm", [False, True])
def test_a_number_past_the_lists_end_offers_it_again(engine, engine_with, tmp_path, confirm):
    """The same for every channel (the terminal `chat` here): the list again, still open, and
    nothing logged for the "4"; a confirm, a list of one, takes a "2" so too."""
    scores = [c.score for c in engine.candidates(QUESTION)]
    clarify = (scores[0] + scores[1]) / 2 if confirm else 0.3
    conversation = chat(engine_with, tmp_path, clarify)
    offered = say(conversation, QUESTION)
    past = len(offered.answer.choices) + 1
    again = say(conversation, f"第{past}个")
    assert again.answer.status == CLARIFY
    assert (again.answer.choices, again.exchange) == (offered.answer.choices, offered.exchange)
    assert say(conversation, "1").answer.entry_id == offered.answer.choices[0].id
    assert len(list(conversation.service.log.store.exchanges())) == 1


def test_a_pick_that_names_only_its_exchange_closes_it_while_other_threads_change_the_lists():
    """The web API's replies run in worker threads, adding and dropping open lists, while a pick
    sent without its session looks on the event loop for the list of its exchange: iterating
    the table itself raised RuntimeError (mutated during iteration) nearly every time."""
    import sys
    import threading

    from bot.app import Offer
    from bot.conversation import Waiting

    conversation = Conversations(None)  # type: ignore[arg-type]  # (no reply is asked)

    def offer(n: int) -> None:
        conversation.offers[("web", "", None, n)] = Waiting(Offer("问", ()), f"e{n}")

    for n in range(2000):
        offer(n)
    done = threading.Event()

    def churn() -> None:  # (a list offered, then picked from: the 2000 and the -1 stay)
        while not done.is_set():
            offer(2000)
            conversation.offers.pop(("web", "", None, 2000))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # (threads take turns as often as they can)
    churning = threading.Thread(target=churn)
    churning.start()
    try:
        for _ in range(100):
            conversation.settled(None, "none of these")
        offer(-1)
        conversation.settled(None, "e-1")
    finally:
        done.set()
        churning.join()
        sys.setswitchinterval(interval)
    assert ("web", "", None, -1) not in conversation.offers and len(conversation.offers) >= 2000
