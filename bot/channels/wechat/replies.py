"""What the bot sends in WeChat: plain text with numbered choices, within the message length.

WeChat has no buttons in a passive reply, so every choice is a numbered line the user answers
with its number, and a long answer is sent in pages: the first page carries the beginning of the
answer and its source line, "更多" brings the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.render import body, cited, is_confirm, related, source_line, text
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, Answer
from bot.knowledge.model import Knowledge

# Bytes of UTF-8 a reply's Content may take. WeChat truncates longer text messages; the figure
# usually cited is 2048 bytes (企业微信's documentation; a 公众号 SDK's bug tracker measured
# 2047), and its 公众号 documentation gives none, so we stay clearly below (docs/wechat.md).
MAX_BYTES = 2000
MORE_WORDS = frozenset({"更多", "继续", "全文", "下一页", "余下", "more", "m"})
TOPIC_WORDS = frozenset({"主题", "目录", "菜单", "topics"})
MORE_HINT = "（内容较长，回复“更多”查看余下部分）"
# Under a confirm: the yes and no that `bot.conversation` takes ("1" and "0" work too).
CONFIRM_HINT = "回复“是”查看，回复“不是”表示不是"
# Where a long text is best cut: a paragraph, then a sentence, then a clause.
_BREAKS = ("\n", "。", "！", "？", "；", "，")
ENTRY, TOPIC = "entry", "topic"


@dataclass(frozen=True)
class Option:
    """One numbered line the user can pick: an entry to show, or a topic to list."""

    kind: str
    id: str
    label: str


@dataclass(frozen=True)
class Reply:
    """A reply's pages (the first sent now, the rest on "更多") and the numbered options the
    channel resolves itself: related questions and topics. A "您是想问" list is numbered too,
    but `bot.conversation` resolves the reply to it, as in every chat channel."""

    pages: tuple[str, ...]
    options: tuple[Option, ...] = ()


def size(text: str) -> int:
    return len(text.encode())


def cut(text: str, limit: int) -> tuple[str, str]:
    """The longest head of `text` within `limit` bytes that ends at a good break, and the rest."""
    head, after = _cut_from(text, 0, limit)
    return head, text[after:]


def _cut_from(text: str, start: int, limit: int) -> tuple[str, int]:
    """`cut` of `text[start:]`, as the head and where the rest begins. It reads `limit + 1`
    characters of the text, whatever its length: paging a category of 100,000 questions
    measured and copied all the text left for each page, minutes of CPU (probe24)."""
    window = text[start : start + limit + 1]  # more than `limit` bytes unless it is all the rest
    if size(window) <= limit:
        return window, len(text)
    head = window.encode()[:limit].decode(errors="ignore")  # whole characters only
    for mark in _BREAKS:
        end = head.rfind(mark)
        if end > len(head) // 3:  # a break too near the start would waste the page
            after = start + end + 1
            while after < len(text) and text[after].isspace():  # the rest, left-stripped
                after += 1
            return head[: end + 1].rstrip(), after
    return head, start + len(head)


def pages(text: str, limit: int = MAX_BYTES) -> tuple[str, ...]:
    """`text` in pages of at most `limit` bytes, each but the last ending with the hint."""
    room = limit - size(MORE_HINT) - 1
    found = []
    start = 0
    while size(text[start : start + limit + 1]) > limit:  # the rest is over `limit` bytes
        head, start = _cut_from(text, start, room)
        found.append(f"{head}\n{MORE_HINT}")
    return (*found, text[start:])


def numbered(options: list[Option] | tuple[Option, ...]) -> str:
    return "\n".join(f"{number}. {option.label}" for number, option in enumerate(options, 1))


def pick_hint(count: int) -> str:
    """How to answer a numbered list: "回复 1、2、3 选择，回复 0 都不是"."""
    return f"回复 {'、'.join(str(n) for n in range(1, count + 1))} 选择，回复 0 都不是"


def answer_reply(answer: Answer, knowledge: Knowledge) -> Reply:
    """The reply for any engine answer."""
    texts = knowledge.texts
    if is_confirm(answer):  # a yes/no question, as in every channel, not a list of one
        return Reply(pages(f"{body(answer, texts)}\n\n{CONFIRM_HINT}"))
    if answer.status == CLARIFY and answer.choices:
        choices = [Option(ENTRY, c.id, c.question) for c in answer.choices]
        hint = pick_hint(len(choices))
        return Reply(pages(f"{texts.clarify.strip()}\n{numbered(choices)}\n\n{hint}"))
    if answer.status == FALLBACK and answer.near:
        # Numbered, as an answer's related questions are: as bullets, "1" was told the number
        # had expired and 都不是 that no list was open, the topics just above (probe21).
        near = tuple(Option(ENTRY, c.id, c.question) for c in answer.near)
        heading = texts.near.strip().rstrip("：:")
        listing = f"{heading}（回复序号查看）：\n{numbered(near)}"
        return Reply(pages(f"{body(answer, texts).strip()}\n{listing}"), near)
    said = text(answer, texts).strip()
    if answer.status != ANSWERED:
        return Reply(pages(said))
    sources = "\n".join(source_line(source) for source in cited(answer))
    options = tuple(Option(ENTRY, e.id, e.question) for e in related(answer, knowledge))
    more = f"相关问题（回复序号查看）：\n{numbered(options)}" if options else ""
    whole = "\n\n".join(part for part in (said, sources, more) if part)
    if size(whole) <= MAX_BYTES:
        return Reply((whole,), options)
    # Too long for one message: a short answer with its source now, the rest on request.
    tail = f"……\n\n{sources}\n{MORE_HINT}" if sources else f"……\n{MORE_HINT}"
    head, rest = cut(said, MAX_BYTES - size(tail))
    rest = "\n\n".join(part for part in (rest, more) if part)
    return Reply((head + tail, *pages(rest)), options)


def topics_reply(knowledge: Knowledge) -> Reply:
    options = tuple(Option(TOPIC, category, category) for category in knowledge.categories)
    return Reply(pages(f"请选择主题（回复序号）：\n{numbered(options)}"), options)


def category_reply(knowledge: Knowledge, category: str) -> Reply:
    options = tuple(Option(ENTRY, e.id, e.question) for e in knowledge.in_category(category))
    return Reply(pages(f"「{category}」的问题（回复序号查看）：\n{numbered(options)}"), options)
