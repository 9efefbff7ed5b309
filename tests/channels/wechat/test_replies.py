"""WeChat reply texts: numbered choices, pages within the length limit, and picks."""

from __future__ import annotations

import dataclasses

from bot.app import Service
from bot.channels.wechat import replies
from bot.channels.wechat.chat import Chat
from bot.channels.wechat.replies import (
    CONFIRM_HINT,
    MAX_BYTES,
    MORE_HINT,
    answer_reply,
    category_reply,
    cut,
    pages,
    pick_hint,
    size,
    topics_reply,
)
from bot.channels.wechat.state import DECLINE, OUT_OF_RANGE, Expiring, resolve
from tests.support.flows import CONFIRM, CONFIRMED, FLOWS, LIST, flows_engine


def test_an_answer_carries_its_source_and_numbered_related_questions(engine, knowledge):
    reply = answer_reply(engine.answer("复工复产去哪个窗口办理"), knowledge)
    (text,) = reply.pages
    assert text.startswith("抚远市在政务服务中心新增设了企业复工复产专窗")
    assert "来源：《【市外媒体看抚远】抚远:加速推进项目建设 持续优化营商环境》，2022-05-26" in text
    assert "相关问题（回复序号查看）：\n1. 复工复产有没有绿色通道？" in text
    assert [o.id for o in reply.options] == list(knowledge.by_id["fugong-zhuanchuang"].related[:3])


def test_a_clarify_list_is_numbered_with_how_to_pick():
    engine = flows_engine({LIST: 3})
    knowledge = engine.knowledge
    answer = engine.answer(LIST)
    reply = answer_reply(answer, knowledge)
    (text,) = reply.pages
    assert text.startswith(knowledge.texts.clarify.strip())
    assert f"1. {answer.choices[0].question}" in text
    assert text.endswith(pick_hint(len(answer.choices)))
    assert reply.options == ()  # bot.conversation resolves the reply, as in every channel


def test_pick_hints_read_naturally():
    assert pick_hint(3) == "回复 1、2、3 选择，回复 0 都不是"
    assert pick_hint(1) == "回复 1 选择，回复 0 都不是"


def test_a_long_answer_is_a_short_answer_with_its_source_then_the_rest(engine, knowledge):
    entry = knowledge.by_id["fugong-zhuanchuang"]
    long_text = "".join(f"第{n}段：{entry.answer.strip()}\n" for n in range(30))
    answer = dataclasses.replace(engine.entry_answer(entry), answer=long_text)
    reply = answer_reply(answer, knowledge)
    assert len(reply.pages) > 2
    assert all(size(page) <= MAX_BYTES for page in reply.pages)
    first = reply.pages[0]
    assert "来源：《" in first and first.endswith(MORE_HINT)
    assert all(page.endswith(MORE_HINT) for page in reply.pages[:-1])
    assert "相关问题" in reply.pages[-1] and not reply.pages[-1].endswith(MORE_HINT)
    # Nothing is lost between pages: every paragraph arrives whole somewhere.
    sent = "".join(reply.pages)
    assert all(f"第{n}段" in sent for n in range(30))


def test_pages_cut_text_without_a_break_inside_the_limit():
    text = "无标点" * 2000
    found = pages(text)
    assert all(size(page) <= MAX_BYTES for page in found)
    assert "".join(page.replace(f"\n{MORE_HINT}", "") for page in found) == text


def old_pages(text: str, limit: int = MAX_BYTES) -> tuple[str, ...]:
    """`pages` as it was before it read the text once (the reference for the same pages)."""
    room = limit - size(MORE_HINT) - 1
    found, rest = [], text
    while size(rest) > limit:
        head, rest = cut(rest, room)
        found.append(f"{head}\n{MORE_HINT}")
    return (*found, rest)


def test_a_long_list_is_paged_in_one_pass_into_the_same_pages(monkeypatch):
    """A WeChat menu tap on a category of an imported sheet made every page by measuring all the
    text left: 0.5 s of CPU at 10,000 questions and minutes at 100,000, a worker held (probe24)."""
    lines = [f"{n}. 企业在政务服务中心办理第{n}号事项需要什么材料？" for n in range(1, 3001)]
    for text in ("\n".join(lines), "无标点" * 20000, "短", "一句。  \n\n  " * 3000):
        assert pages(text) == old_pages(text)
    measured = []
    monkeypatch.setattr(
        replies, "size", lambda text: measured.append(len(text)) or len(text.encode())
    )
    text = "\n".join(lines)
    pages(text)
    # Each page measures two windows of a page's length (three times its characters when they
    # are Chinese): a few times the text in all, not the text left once per page (122 times).
    assert sum(measured) <= 8 * len(text)


def test_topics_and_category_lists(knowledge):
    topics = topics_reply(knowledge)
    assert [o.id for o in topics.options] == list(knowledge.categories)
    assert topics.pages[0].startswith("请选择主题")
    category = knowledge.categories[0]
    questions = category_reply(knowledge, category)
    assert f"「{category}」" in questions.pages[0]
    assert [o.id for o in questions.options] == [e.id for e in knowledge.in_category(category)]


def test_resolve_reads_picks_and_declines():
    assert resolve("1", 3) == 0
    assert resolve(" ３。", 3) == 2  # full-width, as Chinese input methods type it
    assert resolve("3", 3) == 2
    assert resolve("二。", 3) == 1  # spoken: WeChat's recognizer writes it so, with a full stop
    assert resolve("第2个", 3) == 1
    assert resolve("第五个", 3) == OUT_OF_RANGE
    assert resolve("4", 3) == OUT_OF_RANGE
    assert resolve("0", 3) == DECLINE
    assert resolve("都不是", 3) == DECLINE
    assert resolve("都不是呢。", 3) == DECLINE  # a particle ends it: the same reply
    assert resolve("是", 3) is None
    assert resolve("复工窗口", 3) is None
    assert resolve("12345", 3) is None  # a hotline number is a question, not a pick


def test_a_long_topic_list_is_picked_from_past_99():
    """A category of an imported sheet lists hundreds of questions, paged by 更多: "120" was
    asked as a question (the fallback) where it named the list's 120th (probe23). Three digits
    name an item only in a list that long: under a short one "845项" is still a question."""
    assert resolve("120", 230) == 119
    assert resolve("第230条", 230) == 229
    assert resolve("231", 230) is None
    assert resolve("120", 3) is None
    assert resolve("845项", 3) is None
    assert resolve("12", 3) == OUT_OF_RANGE  # as before


def test_expiring_forgets_after_its_time_and_beyond_its_capacity():
    now = [0.0]
    memory: Expiring[str, int] = Expiring(ttl=10, capacity=2, clock=lambda: now[0])
    memory.set("a", 1)
    memory.set("b", 2)
    memory.set("c", 3)
    assert "a" not in memory and memory.get("b") == 2 and len(memory) == 2
    now[0] = 10.5
    assert "b" not in memory and memory.get("c") is None
    memory.set("d", None)
    assert "d" in memory and memory.get("d") is None


def test_a_confirm_is_a_yes_no_question_not_a_list_of_one():
    engine = flows_engine({CONFIRM: 1})
    knowledge = engine.knowledge
    answer = engine.answer(CONFIRM)
    (text,) = answer_reply(answer, knowledge).pages
    question = answer.choices[0].question.rstrip("？")
    assert text == f"您是想问「{question}」吗？\n\n{CONFIRM_HINT}"
    # "是" (as the hint says) shows the entry, through bot.conversation as in every chat channel
    chat = Chat(Service(FLOWS, engine))
    chat.text(CONFIRM, "openid-1")
    assert chat.text("是", "openid-1").startswith(knowledge.by_id[CONFIRMED].answer.strip()[:20])
