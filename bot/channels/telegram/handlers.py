"""Telegram handlers: each turns one kind of update into calls on the application seam, and replies.

They reach the core only through the application seam (`bot.app.Service`, shared with
`Settings` through `context.bot_data`), render each answer with the knowledge version it came
from (`Turn.knowledge`), and never build message text themselves: that is
`bot.channels.telegram.replies`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from html import escape
from typing import TYPE_CHECKING, cast

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes

from bot.app import Request, Service, Turn
from bot.channels.batching import Batched
from bot.channels.limits import SLOW_DOWN
from bot.channels.telegram import replies
from bot.channels.telegram.transport import ReplyBot
from bot.conversation import Conversations
from bot.log.database import since_to_iso
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.channels.telegram.intake import PlainQuestion

log = logging.getLogger(__name__)

TYPE_PLEASE = "我只能读懂文字消息。"  # followed by the knowledge's own "ask me like this" text
APOLOGY = "抱歉，处理您的消息时出了点问题，请稍后再试；急事请拨打 12345 政务服务热线。"
UNKNOWN_COMMAND = "没有这个命令。输入 /help 查看用法，或直接输入您的问题。"
STALE = "这个按钮已过期（知识库已更新），请重新提问或输入 /topics。"
THANKS = "谢谢您的反馈！"
CHANNEL = "telegram"
GAP_REPORTS = 5  # how many /gaps reports keep their example buttons working
INLINE_RESULTS = 10


def service_of(context: ContextTypes.DEFAULT_TYPE) -> Service:
    return context.bot_data["service"]


def message_of(update: Update) -> Message:
    """The message of an update a message handler was given (its filters admit no other)."""
    message = update.effective_message
    assert message is not None
    return message


def conversations_of(context: ContextTypes.DEFAULT_TYPE) -> Conversations:
    """The open "您是想问" lists, so that a typed "2" picks as a tap would."""
    return context.bot_data["conversations"]


def answers_of(context: ContextTypes.DEFAULT_TYPE) -> Batched[Request, Turn]:
    """`Conversations.reply`, batched with the other questions of the same turn of the event
    loop (bot.channels.batching)."""
    return context.bot_data["answers"]


def settings_of(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    return context.bot_data["settings"]


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """An admin, in a private chat with the bot: admin output never goes into a group, nor
    into any chat other than the admin's own (a forged update naming another chat)."""
    user, chat = update.effective_user, update.effective_chat
    return user is not None and chat is not None and admin_chat(user.id, chat, context)


def admin_chat(user_id: int, chat, context: ContextTypes.DEFAULT_TYPE) -> bool:
    return (
        user_id in settings_of(context).admins
        and chat.type == ChatType.PRIVATE
        and chat.id == user_id
    )


async def send(message: Message, reply: replies.Reply) -> None:
    """Send a reply's chunks in order; the keyboard goes under the last one."""
    for chunk, keys in reply.messages():
        await message.reply_text(chunk, reply_markup=markup(keys))


async def show(message: Message, reply: replies.Reply) -> None:
    """Replace a bot message's content in place (menus, picked choices)."""
    (first, keys), *rest = reply.messages()
    try:
        await message.edit_text(first, reply_markup=markup(keys))
    except BadRequest as exc:  # "message is not modified": a double tap; nothing to do
        if "not modified" not in str(exc).lower():
            raise
    for chunk, keys in rest:
        await message.reply_text(chunk, reply_markup=markup(keys))


def markup(keys: replies.Keyboard | None) -> InlineKeyboardMarkup | None:
    """A reply's keyboard for python-telegram-bot, which sends it as the JSON it already is
    (replies.Keyboard); PTB's types name only its own objects."""
    return keys  # type: ignore[return-value]


# Incoming-message limit ------------------------------------------------------------------


async def slow_down(update: Update) -> None:
    """The one notice a user gets on going over the per-user limit (bot.channels.telegram.
    intake applies the limit to every update before any handler runs)."""
    if update.callback_query is not None:
        await update.callback_query.answer(SLOW_DOWN)
    elif update.effective_message is not None and update.inline_query is None:
        await update.effective_message.reply_text(SLOW_DOWN)


# Questions --------------------------------------------------------------------------------


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question typed in a private chat (or edited there): answer it."""
    message = message_of(update)
    await reply_to_question(message, message.text or "", context)


async def group_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only what is addressed to the bot: an @mention or a reply to it."""
    message = message_of(update)
    text = message.text or ""
    username = f"@{context.bot.username}"
    replied = message.reply_to_message
    to_bot = (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
    )
    if username.lower() not in text.lower() and not to_bot:
        return
    cleaned = text.replace(username, " ").replace(username.lower(), " ").strip()
    if not cleaned and replied is not None and not to_bot:
        # The bot's name alone, replying to a member's message: it is summoned to answer that
        # question (it was answered as an empty message, 请直接输入…, under it; probe21).
        cleaned = (replied.text or replied.caption or "").strip()
    await reply_to_question(message, cleaned, context)


def place_of(message: Message) -> object:
    """Where a list offered in reply to `message` is answered (`Request.place`): its chat, or
    in a forum group its topic, which people use as chats of their own (the replies go there)."""
    if message.is_topic_message:
        return (message.chat.id, message.message_thread_id)
    return message.chat.id


def request_in(message: Message, user: int | None, text: str = "") -> Request:
    """`text` from `user` in the conversation of `message`; without text, the conversation a
    deep link or a button under `message` shows an answer in (the one a follow-up is read
    against)."""
    return Request(text, CHANNEL, message.chat.type, user, place_of(message))


def sender_of(message: Message) -> int | None:
    return message.from_user.id if message.from_user else None


async def reply_to_question(
    message: Message, text: str, context: ContextTypes.DEFAULT_TYPE
) -> None:
    request = request_in(message, sender_of(message), text)
    turn = await answers_of(context)(request)
    await send(message, replies.answer_reply(turn.answer, turn.knowledge, turn.exchange))


async def plain_question(app: Application, question: PlainQuestion, answer: bool = True) -> None:
    """`question` (or, past the user's limit, `slow_down`) for a plain question read without
    python-telegram-bot's objects (bot.channels.telegram.intake): the same calls to the Bot API
    (sent by `ReplyBot.send_text`), and an error is logged and apologised for as `on_error`
    does."""
    bot = cast(ReplyBot, app.bot)  # as bot.channels.telegram.app builds it
    try:
        if not answer:
            await bot.send_text(question.chat_id, SLOW_DOWN)
            return
        request = Request(
            question.text, CHANNEL, ChatType.PRIVATE, question.user_id, question.chat_id
        )
        turn = await app.bot_data["answers"](request)
        reply = replies.answer_reply(turn.answer, turn.knowledge, turn.exchange)
        for chunk, keys in reply.messages():
            await bot.send_text(question.chat_id, chunk, reply_markup=keys)
    except Exception as exc:
        log.error("error while handling an update", exc_info=exc)
        await apologize(bot, question.chat_id)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, voice, stickers, files, locations: we can only read text."""
    empty = service_of(context).knowledge.texts.empty.strip()
    await message_of(update).reply_text(escape(TYPE_PLEASE + empty))


# Commands ---------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome and the category menu; `/start <entry id>` (a shared deep link) opens that answer."""
    service = service_of(context)
    message = message_of(update)
    turn = (
        service.entry(context.args[0], request_in(message, sender_of(message)))
        if context.args
        else None
    )
    if turn is not None:
        await send(message_of(update), replies.answer_reply(turn.answer, turn.knowledge))
        return
    knowledge = service.knowledge
    await message_of(update).reply_text(escape(knowledge.texts.welcome.strip()))
    await send(message_of(update), replies.topics_reply(knowledge))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    knowledge = service_of(context).knowledge
    await message_of(update).reply_text(escape(knowledge.texts.help.strip()))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send(message_of(update), replies.topics_reply(service_of(context).knowledge))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    # In pieces Telegram takes: it lists every source document (150 are ~6,600 characters; probe22).
    about = replies.about_html(service_of(context).knowledge)
    await send(message_of(update), replies.Reply(replies.split(about)))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unknown commands, and admin commands from non-admins: the same reply for both."""
    if update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        await message_of(update).reply_text(UNKNOWN_COMMAND)


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: re-read the knowledge; a broken edit is refused and the old version kept."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    service = service_of(context)
    problems = await asyncio.to_thread(service.reload)
    knowledge = service.knowledge
    if problems:
        await send(
            message_of(update), replies.Reply(replies.split(refused_text(service, problems)))
        )
        return
    await message_of(update).reply_text(
        f"已重新加载：{len(knowledge.entries)} 个问答，版本 <code>{knowledge.version}</code>。"
    )


def refused_text(service: Service, problems: list) -> str:
    listed = "\n".join(escape(str(p)) for p in problems[:20])
    more = f"\n……另有 {len(problems) - 20} 个问题" if len(problems) > 20 else ""
    version = service.knowledge.version
    return f"知识库有错误，继续使用旧版本 <code>{version}</code>：\n{listed}{more}"


async def notify_admins(bot, settings: Settings, service: Service, problems: list) -> None:
    """Tell every admin about a refused knowledge edit (admins must have started the bot)."""
    for admin in sorted(settings.admins):
        try:
            for chunk in replies.split(refused_text(service, problems)):
                await bot.send_message(admin, chunk)
        except Exception:
            log.warning("could not notify admin about the refused knowledge edit", exc_info=True)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: knowledge, uptime, and what the exchange log says since start and this week."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    service = service_of(context)
    knowledge = service.knowledge
    hours, rest = divmod(int(service.uptime), 3600)
    lines = [
        f"知识库：{len(knowledge.entries)} 个问答，版本 <code>{knowledge.version}</code>",
        f"运行时间：{hours} 小时 {rest // 60} 分",
    ]
    for label, since in (("本次启动以来", service.started_at), ("最近 7 天", since_to_iso("7d"))):
        # Admin reports read the whole log: seconds of work that must not stall other chats.
        numbers = await asyncio.to_thread(service.stats, since)
        if numbers is None:
            lines.append("交流记录未开启。")
            break
        lines += [
            "",
            f"<b>{label}</b>：{numbers.total} 条消息",
            f"answered {numbers.statuses.get('answered', 0)} · "
            f"clarify {numbers.statuses.get('clarify', 0)} · "
            f"fallback {numbers.statuses.get('fallback', 0)} · "
            f"smalltalk {numbers.statuses.get('smalltalk', 0)}",
            f"👍 {numbers.helpful} · 👎 {numbers.unhelpful} · p95 {numbers.latency_p95:.1f} ms",
        ]
    await message_of(update).reply_text("\n".join(lines))


async def gaps(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: the 10 largest gap clusters of the last 7 days, with example buttons."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    found = await asyncio.to_thread(service_of(context).gaps, since_to_iso("7d"))
    if found is None:
        await message_of(update).reply_text("交流记录未开启。")
        return
    found = found[:10]
    reports = context.bot_data.setdefault("gap_reports", {})
    report = secrets.token_hex(3)
    reports[report] = found
    while len(reports) > GAP_REPORTS:
        reports.pop(next(iter(reports)))
    await send(message_of(update), replies.gaps_reply(found, report))


# Inline mode ------------------------------------------------------------------------------


async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`@bot 关键词` in any chat: up to 10 matching answers to send there."""
    query = update.inline_query
    assert query is not None  # registered for inline queries only
    service = service_of(context)
    text = query.query.strip()
    if text:
        turns = service.search(text, INLINE_RESULTS)
    else:  # an empty query: the first question of each category, to show what is there
        firsts = (service.topic(category)[0].id for category in service.topics())
        turns = [turn for turn in map(service.entry, firsts) if turn is not None]
    results = []
    for turn in turns[:INLINE_RESULTS]:
        answer = turn.answer
        assert answer.entry is not None  # search and entry give entries' answers only
        results.append(
            InlineQueryResultArticle(
                id=answer.entry.id,
                title=answer.entry.question,
                description=answer.answer[:80],
                input_message_content=InputTextMessageContent(
                    replies.inline_text(answer, turn.knowledge)
                ),
            )
        )
    await query.answer(results, cache_time=60)


# Errors -----------------------------------------------------------------------------------


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every uncaught error and tell the user, briefly; never let one stop the bot."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(APOLOGY)
        except Exception:  # the query may be too old to answer; the error is already logged
            log.debug("could not answer the callback query after an error", exc_info=True)
        return
    await apologize(context.bot, update.effective_chat.id)


async def apologize(bot, chat_id: int) -> None:
    try:
        await bot.send_message(chat_id, APOLOGY)
    except Exception:
        log.warning("could not send the apology after an error", exc_info=True)
