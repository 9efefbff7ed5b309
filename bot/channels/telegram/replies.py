"""What the bot sends in Telegram: HTML text and inline keyboards, built from engine answers.

Every piece of user or knowledge text is HTML-escaped here, and nowhere else needs to think
about it. Buttons carry ids, never text, so callback data stays far below Telegram's 64 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TypeVar

from telegram.constants import MessageLimit

from bot.channels.render import (
    body,
    category_key,
    cited,
    is_confirm,
    related,
    source_line,
    text,
)
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, Answer
from bot.knowledge.model import Knowledge
from bot.log.reports import shown

T = TypeVar("T")

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
BUTTON_TEXT = 60  # characters of a question shown on a button
# Buttons of the category menu per message. Telegram refuses an inline keyboard of more than 100
# buttons, or of more than about 10 KB (some fifty questions), and a sheet imported without a 分类
# column is one category holding every row: its list was refused whole, and the user got the
# apology (probe23). Ten fit a phone's screen.
MENU_PAGE = 10

# Callback data: a letter for the kind of tap, then ids.
# Exchange ids are 12 hex characters and entry ids at most 40: the longest, f:+:<12>:<40>, is 57.
SHOW = "a"  # a:<entry>              show an answer as a new message (related questions)
PICK = "c"  # c:<exchange>:<entry>   pick from a "您是想问" list (the list turns into the answer)
TOPIC = "t"  # t / t:<key>           the category menu / one category's questions
#                t::<n> / t:<key>:<n>  page n (from 0) of either (`paged`)
BROWSE = "q"  # q:<entry>            an answer inside the category menu, with a back button
FEEDBACK = "f"  # f:+|-:<exchange>:<entry>   👍 / 👎; the exchange is empty for tapped answers
PASSAGE = "~"  # the "entry" of an answer quoted from a document passage (not a valid entry id)
DECLINE = "n"  # n:<exchange>        不是 / 都不是 under a confirm or a "您是想问" list
GAP = "g"  # g:<report>:<n>          admins: the examples of one gap cluster


# An inline keyboard as the Bot API's own JSON, `{"inline_keyboard": [[{"text": ...,
# "callback_data": ...}, ...], ...]}`, which python-telegram-bot sends as it is. Its
# `InlineKeyboardMarkup` and `InlineKeyboardButton` objects were built for every reply only to
# be turned back into this: 0.09 ms a reply of the two, against 0.01 ms for the dicts
# (docs/benchmarks-log.md).
Keyboard = dict


@dataclass(frozen=True)
class Reply:
    """One reply: HTML text in chunks that each fit a message, the keyboard under the last."""

    chunks: list[str]
    keyboard: Keyboard | None = field(default=None)

    def messages(self) -> list[tuple[str, Keyboard | None]]:
        """The messages to send, in order: each chunk, the keyboard with the last one."""
        last = len(self.chunks) - 1
        return [
            (chunk, self.keyboard if n == last else None) for n, chunk in enumerate(self.chunks)
        ]


def keyboard(rows: list[list[dict]]) -> Keyboard:
    return {"inline_keyboard": rows}


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text at paragraph boundaries (then lines, then hard) into pieces ≤ limit."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(paragraph) > limit:
            cut = paragraph.rfind("\n", 0, limit)
            cut = cut if cut > 0 else limit
            chunks.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip("\n")
        current = paragraph
    if current:
        chunks.append(current)
    return chunks


def button(text: str, data: str) -> dict:
    label = text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1] + "…"
    return {"text": label, "callback_data": data}


def entry_html(answer: Answer, knowledge: Knowledge) -> str:
    parts = [escape(body(answer, knowledge.texts).strip())]
    parts += [f"<i>{escape(source_line(source))}</i>" for source in cited(answer)]
    return "\n\n".join(parts)


def answer_reply(
    answer: Answer, knowledge: Knowledge, exchange: str | None = None, back: str | None = None
) -> Reply:
    """The reply for any engine answer. `exchange` ties feedback and picks to the logged
    exchange; `back` adds a button back into the category menu."""
    exchange = exchange or ""
    if answer.status == ANSWERED:
        entry_id = answer.entry.id if answer.entry else PASSAGE
        rows = [
            [
                button("👍 有帮助", f"{FEEDBACK}:+:{exchange}:{entry_id}"),
                button("👎 没帮助", f"{FEEDBACK}:-:{exchange}:{entry_id}"),
            ]
        ]
        rows += [[button(e.question, f"{SHOW}:{e.id}")] for e in related(answer, knowledge)]
        if back and answer.entry is not None:  # to the menu's page that lists this answer
            page = knowledge.in_category(back).index(answer.entry) // MENU_PAGE
            rows.append([button(f"« 返回「{back}」", topic_data(category_key(back), page))])
        return Reply(split(entry_html(answer, knowledge)), keyboard(rows))
    if answer.status == CLARIFY:
        declined = f"{DECLINE}:{exchange}"
        if is_confirm(answer):  # a yes/no question
            yes = button("是", f"{PICK}:{exchange}:{answer.choices[0].id}")
            confirm = keyboard([[yes, button("不是", declined)]])
            return Reply([escape(body(answer, knowledge.texts))], confirm)
        rows = [[button(c.question, f"{PICK}:{exchange}:{c.id}")] for c in answer.choices]
        rows.append([button(knowledge.texts.none_of_these, declined)])
        return Reply([escape(body(answer, knowledge.texts))], keyboard(rows))
    if answer.status == FALLBACK:
        # The near topics as buttons under their heading, as an answer's related questions are:
        # lines of text cannot be tapped, so a user had to type one out again (probe21).
        said = body(answer, knowledge.texts).strip()
        if answer.near:
            said += "\n" + knowledge.texts.near.strip()
        rows = [[button(c.question, f"{SHOW}:{c.id}")] for c in answer.near]
        rows.append([button("📚 浏览主题", TOPIC)])
        return Reply(split(escape(said)), keyboard(rows))
    return Reply(split(escape(text(answer, knowledge.texts).strip())))


def topic_data(key: str, page: int = 0) -> str:
    """The callback data of page `page` of the category menu (`key` ""), or of a category's."""
    return f"{TOPIC}:{key}:{page}" if page else f"{TOPIC}:{key}" if key else TOPIC


def paged(
    items: Sequence[T], page: int, key: str, row: Callable[[T], list[dict]]
) -> tuple[list[list[dict]], str]:
    """Page `page` of a menu's items (the last one past its end) as rows, with 上一页 / 下一页
    under them, and the caption saying which page it is ("" for a menu of one page). Only the
    page's rows are made: a button for every question of a category of 100,000, ten of them
    kept, was 0.4–0.65 s of CPU per tap (probe24)."""
    pages = max(1, -(-len(items) // MENU_PAGE))
    page = min(page, pages - 1)
    shown = [row(item) for item in items[page * MENU_PAGE : (page + 1) * MENU_PAGE]]
    if pages == 1:
        return shown, ""
    turns = [button("« 上一页", topic_data(key, page - 1))] if page else []
    if page + 1 < pages:
        turns.append(button("下一页 »", topic_data(key, page + 1)))
    return [*shown, turns], f"（第 {page + 1}/{pages} 页）"


def topics_reply(knowledge: Knowledge, page: int = 0) -> Reply:
    rows, caption = paged(
        knowledge.categories,
        page,
        "",
        lambda category: [button(category, topic_data(category_key(category)))],
    )
    return Reply([f"请选择主题：{caption}"], keyboard(rows))


def category_reply(knowledge: Knowledge, category: str, page: int = 0) -> Reply:
    rows, caption = paged(
        knowledge.in_category(category),
        page,
        category_key(category),
        lambda entry: [button(entry.question, f"{BROWSE}:{entry.id}")],
    )
    place = knowledge.categories.index(category) // MENU_PAGE
    rows.append([button("« 返回主题", topic_data("", place))])
    return Reply([f"<b>{escape(category)}</b>{caption}"], keyboard(rows))


def about_html(knowledge: Knowledge) -> str:
    lines = [f"<b>{escape(knowledge.texts.name)}</b>", "", "知识来源："]
    for document in knowledge.documents.values():
        who = "，".join(x for x in (document.publisher, document.outlet) if x)
        lines.append(f"· 《{escape(document.title)}》{escape(who)}，{escape(document.date)}")
    lines += [
        "",
        f"共 {len(knowledge.entries)} 个问答，"
        f"知识库版本 <code>{escape(knowledge.version)}</code>。",
        "答案中的数字和日期以来源报道当天为准。",
    ]
    return "\n".join(lines)


def inline_text(answer: Answer, knowledge: Knowledge) -> str:
    """An answer sent into another chat through inline mode."""
    question = answer.entry.question if answer.entry else answer.question
    return split(f"<b>{escape(question)}</b>\n\n{entry_html(answer, knowledge)}")[0]


def gaps_reply(clusters: list, report: str) -> Reply:
    """Admins: the top gap clusters, each a button that shows its examples."""
    if not clusters:
        return Reply(["最近 7 天没有缺口：所有问题都答上了。"])
    lines = ["<b>最近 7 天的缺口</b>（点按钮看示例）："]
    rows = []
    for number, cluster in enumerate(clusters, 1):
        nearest = cluster.nearest.get("id", "-")
        lines.append(
            f"{number}. ×{cluster.count} {escape(shown(cluster.representative))} "
            f"→ {escape(nearest)}"
        )
        rows.append([button(f"{number}. {cluster.representative}", f"{GAP}:{report}:{number - 1}")])
    return Reply(split("\n".join(lines)), keyboard(rows))


def gap_examples_html(cluster) -> str:
    nearest = cluster.nearest
    lines = [
        f"<b>{escape(shown(cluster.representative))}</b>",
        f"{cluster.count} 次，{cluster.users} 位用户，"
        f"{cluster.first_seen[:10]} – {cluster.last_seen[:10]}",
        f"最近条目：{escape(nearest.get('id', '-'))}（{nearest.get('score', 0):.2f}）",
        "",
        *(f"· {escape(shown(example))}" for example in cluster.examples),
    ]
    return "\n".join(lines)
