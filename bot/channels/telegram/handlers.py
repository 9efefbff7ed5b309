"""Telegram handlers: each turns one kind of update into engine calls and replies.

They share the `Service` (engine, counters) and `Settings` through `context.bot_data`, and never
build message text themselves: that is `bot.channels.telegram.replies`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from html import escape

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.app import Service
from bot.channels.render import find_category
from bot.channels.telegram import replies
from bot.channels.telegram.limits import NOTIFY, OK, UserLimiter
from bot.log.gaps import cluster, gap_exchanges, since_to_iso
from bot.log.gaps import stats as gap_stats
from bot.log.store import HELPFUL, PICKED, UNHELPFUL
from bot.settings import Settings

log = logging.getLogger(__name__)

TYPE_PLEASE = "我只能读懂文字消息，请直接输入您的问题，例如“复工复产去哪个窗口办理”。"
SLOW_DOWN = "您发消息太快了，请稍等一分钟再问。"
APOLOGY = "抱歉，处理您的消息时出了点问题，请稍后再试；急事请拨打 12345 政务服务热线。"
UNKNOWN_COMMAND = "没有这个命令。输入 /help 查看用法，或直接输入您的问题。"
STALE = "这个按钮已过期（知识库已更新），请重新提问或输入 /topics。"
THANKS = "谢谢您的反馈！"
CHANNEL = "telegram"
GAP_REPORTS = 5  # how many /gaps reports keep their example buttons working
INLINE_RESULTS = 10


def service_of(context: ContextTypes.DEFAULT_TYPE) -> Service:
    return context.bot_data["service"]


def settings_of(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    return context.bot_data["settings"]


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in settings_of(context).admins


async def send(message: Message, reply: replies.Reply) -> None:
    """Send a reply's chunks in order; the keyboard goes under the last one."""
    for position, chunk in enumerate(reply.chunks):
        last = position == len(reply.chunks) - 1
        await message.reply_text(chunk, reply_markup=reply.keyboard if last else None)


async def show(message: Message, reply: replies.Reply) -> None:
    """Replace a bot message's content in place (menus, picked choices)."""
    first, *rest = reply.chunks
    try:
        await message.edit_text(first, reply_markup=reply.keyboard if not rest else None)
    except BadRequest as exc:  # "message is not modified": a double tap; nothing to do
        if "not modified" not in str(exc).lower():
            raise
    for position, chunk in enumerate(rest):
        last = position == len(rest) - 1
        await message.reply_text(chunk, reply_markup=reply.keyboard if last else None)


# Incoming-message limit ------------------------------------------------------------------


async def limit_users(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler: over the limit, one notice, then silence."""
    user = update.effective_user
    if user is None or (update.message is None and update.edited_message is None):
        return
    limiter: UserLimiter = context.bot_data["limiter"]
    verdict = limiter.check(user.id)
    if verdict == OK:
        return
    if verdict == NOTIFY and update.effective_message:
        await update.effective_message.reply_text(SLOW_DOWN)
    raise ApplicationHandlerStop


# Questions --------------------------------------------------------------------------------


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question typed in a private chat (or edited there): answer it."""
    message = update.effective_message
    await reply_to_question(message, message.text or "", context)


async def group_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only what is addressed to the bot: an @mention or a reply to it."""
    message = update.effective_message
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
    await reply_to_question(message, cleaned, context)


async def reply_to_question(
    message: Message, text: str, context: ContextTypes.DEFAULT_TYPE
) -> None:
    service = service_of(context)
    user = message.from_user.id if message.from_user else None
    answer, exchange = service.ask(text, CHANNEL, message.chat.type, user)
    await send(message, replies.answer_reply(answer, service.engine.knowledge, exchange))


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, voice, stickers, files, locations: we can only read text."""
    await update.effective_message.reply_text(TYPE_PLEASE)


# Commands ---------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome and the category menu; `/start <entry id>` (a shared deep link) opens that answer."""
    engine = service_of(context).engine
    knowledge = engine.knowledge
    entry = knowledge.by_id.get(context.args[0]) if context.args else None
    if entry is not None:
        await send(
            update.effective_message, replies.answer_reply(engine.entry_answer(entry), knowledge)
        )
        return
    await update.effective_message.reply_text(escape(knowledge.texts.welcome.strip()))
    await send(update.effective_message, replies.topics_reply(knowledge))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    knowledge = service_of(context).engine.knowledge
    await update.effective_message.reply_text(escape(knowledge.texts.help.strip()))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send(update.effective_message, replies.topics_reply(service_of(context).engine.knowledge))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        replies.about_html(service_of(context).engine.knowledge)
    )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unknown commands, and admin commands from non-admins: the same reply for both."""
    if update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        await update.effective_message.reply_text(UNKNOWN_COMMAND)


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: re-read the knowledge; a broken edit is refused and the old version kept."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    service = service_of(context)
    problems = await asyncio.to_thread(service.reload)
    knowledge = service.engine.knowledge
    if problems:
        await send(
            update.effective_message, replies.Reply(replies.split(refused_text(service, problems)))
        )
        return
    await update.effective_message.reply_text(
        f"已重新加载：{len(knowledge.entries)} 个问答，版本 <code>{knowledge.version}</code>。"
    )


def refused_text(service: Service, problems: list) -> str:
    listed = "\n".join(escape(str(p)) for p in problems[:20])
    more = f"\n……另有 {len(problems) - 20} 个问题" if len(problems) > 20 else ""
    version = service.engine.knowledge.version
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
    knowledge = service.engine.knowledge
    hours, rest = divmod(int(service.uptime), 3600)
    lines = [
        f"知识库：{len(knowledge.entries)} 个问答，版本 <code>{knowledge.version}</code>",
        f"运行时间：{hours} 小时 {rest // 60} 分",
    ]
    if service.log is None:
        lines.append("交流记录未开启。")
    for label, since in (("本次启动以来", service.started_at), ("最近 7 天", since_to_iso("7d"))):
        if service.log is None:
            break
        numbers = gap_stats(service.log.store, since)
        lines += [
            "",
            f"<b>{label}</b>：{numbers.total} 条消息",
            f"answered {numbers.statuses.get('answered', 0)} · "
            f"clarify {numbers.statuses.get('clarify', 0)} · "
            f"fallback {numbers.statuses.get('fallback', 0)} · "
            f"smalltalk {numbers.statuses.get('smalltalk', 0)}",
            f"👍 {numbers.helpful} · 👎 {numbers.unhelpful} · p95 {numbers.latency_p95:.1f} ms",
        ]
    await update.effective_message.reply_text("\n".join(lines))


async def gaps(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: the 10 largest gap clusters of the last 7 days, with example buttons."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    service = service_of(context)
    if service.log is None:
        await update.effective_message.reply_text("交流记录未开启。")
        return
    found = cluster(gap_exchanges(service.log.store, since_to_iso("7d")), service.engine)[:10]
    reports = context.bot_data.setdefault("gap_reports", {})
    report = secrets.token_hex(3)
    reports[report] = found
    while len(reports) > GAP_REPORTS:
        reports.pop(next(iter(reports)))
    await send(update.effective_message, replies.gaps_reply(found, report))


# Buttons ----------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every inline-keyboard tap. Always answered, so the client stops its spinner, even for
    forged data or buttons left over from an older knowledge version."""
    query = update.callback_query
    kind, _, rest = (query.data or "").partition(":")
    handler = _BUTTONS.get(kind)
    if handler is None or query.message is None:
        await query.answer(STALE)
        return
    notice = await handler(Tap(query.message, rest, query.from_user.id, context))
    await query.answer(notice)


@dataclass(frozen=True)
class Tap:
    """One button tap: the message it was under, its data after the kind, who tapped."""

    message: Message
    data: str
    user_id: int
    context: ContextTypes.DEFAULT_TYPE

    @property
    def service(self) -> Service:
        return service_of(self.context)


async def _show_entry(tap: Tap) -> str | None:
    engine = tap.service.engine
    entry = engine.knowledge.by_id.get(tap.data)
    if entry is None:
        return STALE
    await send(tap.message, replies.answer_reply(engine.entry_answer(entry), engine.knowledge))
    return None


async def _pick(tap: Tap) -> str | None:
    exchange, _, entry_id = tap.data.partition(":")
    engine = tap.service.engine
    entry = engine.knowledge.by_id.get(entry_id)
    if entry is None:
        return STALE
    if tap.service.log is not None:
        tap.service.log.feedback(exchange, PICKED, entry_id, CHANNEL, tap.user_id)
    await show(
        tap.message, replies.answer_reply(engine.entry_answer(entry), engine.knowledge, exchange)
    )
    return None


async def _browse(tap: Tap) -> str | None:
    engine = tap.service.engine
    entry = engine.knowledge.by_id.get(tap.data)
    if entry is None:
        return STALE
    answer = engine.entry_answer(entry)
    await show(tap.message, replies.answer_reply(answer, engine.knowledge, back=entry.category))
    return None


async def _topic(tap: Tap) -> str | None:
    knowledge = tap.service.engine.knowledge
    if not tap.data:
        await show(tap.message, replies.topics_reply(knowledge))
        return None
    category = find_category(knowledge, tap.data)
    if category is None:
        await show(tap.message, replies.topics_reply(knowledge))
        return STALE
    await show(tap.message, replies.category_reply(knowledge, category))
    return None


async def _feedback(tap: Tap) -> str | None:
    vote, _, rest = tap.data.partition(":")
    exchange, _, entry_id = rest.partition(":")
    if vote not in ("+", "-") or not entry_id:
        return STALE
    if tap.service.log is not None:
        kind = HELPFUL if vote == "+" else UNHELPFUL
        entry = None if entry_id == replies.PASSAGE else entry_id
        tap.service.log.feedback(exchange, kind, entry, CHANNEL, tap.user_id)
    markup = tap.message.reply_markup
    if markup is not None:  # drop the 👍/👎 row: one vote per answer
        kept = [
            row
            for row in markup.inline_keyboard
            if not (row[0].callback_data or "").startswith(f"{replies.FEEDBACK}:")
        ]
        await tap.message.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
    return THANKS


async def _gap(tap: Tap) -> str | None:
    report, _, number = tap.data.partition(":")
    found = tap.context.bot_data.get("gap_reports", {}).get(report)
    if not found or not number.isdigit() or int(number) >= len(found):
        return STALE
    await tap.message.reply_text(replies.gap_examples_html(found[int(number)]))
    return None


_BUTTONS = {
    replies.SHOW: _show_entry,
    replies.PICK: _pick,
    replies.BROWSE: _browse,
    replies.TOPIC: _topic,
    replies.FEEDBACK: _feedback,
    replies.GAP: _gap,
}


# Inline mode ------------------------------------------------------------------------------


async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`@bot 关键词` in any chat: up to 10 matching answers to send there."""
    query = update.inline_query
    engine = service_of(context).engine
    knowledge = engine.knowledge
    text = query.query.strip()
    if text:
        floor = engine.thresholds.clarify
        ids = [c.id for c in engine.candidates(text, INLINE_RESULTS) if c.score >= floor]
    else:  # an empty query: the first question of each category, to show what is there
        ids = [knowledge.in_category(category)[0].id for category in knowledge.categories]
    results = []
    for entry_id in ids[:INLINE_RESULTS]:
        answer = engine.entry_answer(knowledge.by_id[entry_id])
        results.append(
            InlineQueryResultArticle(
                id=entry_id,
                title=answer.entry.question,
                description=answer.answer[:80],
                input_message_content=InputTextMessageContent(replies.inline_text(answer)),
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
    try:
        await context.bot.send_message(update.effective_chat.id, APOLOGY)
    except Exception:
        log.warning("could not send the apology after an error", exc_info=True)
