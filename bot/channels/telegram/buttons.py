"""Telegram button taps: each kind of inline-keyboard button turns into one call on the seam.

Every tap is answered, so the client stops its spinner, even for forged data or buttons left
over from an older knowledge version (`STALE`). Callback data formats are in `replies`.

A pick, a vote and 不是 / 都不是 check their exchange against the log (`Service.offered`): a vote
always reads SQLite (only lists are remembered in memory), under the lock the log's writer
holds while it commits. They run in a worker thread, not on the event loop: on the loop the
read stalled every chat's updates for 0.3 ms at the median and 16 ms at the 99th percentile
(max 50 ms) with the writer busy (docs/benchmarks-log.md). `Service` is thread-safe (the web
and WeChat channels call it from threads).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.app import Request, Service
from bot.channels.render import find_category
from bot.channels.telegram import replies
from bot.channels.telegram.handlers import (
    CHANNEL,
    STALE,
    THANKS,
    admin_chat,
    conversations_of,
    request_in,
    send,
    service_of,
    show,
)
from bot.engine.core import Candidate


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every inline-keyboard tap. Always answered, so the client stops its spinner, even for
    forged data or buttons left over from an older knowledge version."""
    query = update.callback_query
    assert query is not None  # this handler is registered for callback queries only
    kind, _, rest = (query.data or "").partition(":")
    handler = _BUTTONS.get(kind)
    # A message too old for the bot to edit comes as an InaccessibleMessage: a stale button.
    if handler is None or not isinstance(query.message, Message):
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

    @property
    def where(self) -> Request:
        """The conversation the tap was made in, as a typed message there would name it."""
        return request_in(self.message, self.user_id)

    def settle(self, exchange: str | None) -> None:
        """The tap answered the list of `exchange`: close it for typed replies too."""
        conversations_of(self.context).settled(self.where, exchange or None)


async def _show_entry(tap: Tap) -> str | None:
    turn = tap.service.entry(tap.data, tap.where)
    if turn is None:
        return STALE
    await send(tap.message, replies.answer_reply(turn.answer, turn.knowledge))
    return None


async def _pick(tap: Tap) -> str | None:
    exchange, _, entry_id = tap.data.partition(":")
    turn = await asyncio.to_thread(tap.service.pick, exchange, entry_id, tap.where)
    if turn is None:
        return STALE
    tap.settle(exchange)
    await show(tap.message, replies.answer_reply(turn.answer, turn.knowledge, turn.exchange))
    return None


async def _decline(tap: Tap) -> str | None:
    """不是 / 都不是: the fallback replaces the list; the choices it offered are read back from
    the list's own buttons (a button carries 64 bytes, not the question)."""
    keyboard = tap.message.reply_markup
    buttons = keyboard.inline_keyboard if keyboard else ()
    prefix = f"{replies.PICK}:{tap.data}:"
    offered = tuple(
        b.callback_data[len(prefix) :]
        for row in buttons
        for b in row
        if isinstance(b.callback_data, str) and b.callback_data.startswith(prefix)
    )
    by_id = tap.service.knowledge.by_id
    choices = tuple(Candidate(i, by_id[i].question, 0.0) for i in offered if i in by_id)
    turn = await asyncio.to_thread(
        tap.service.none_fits, tap.data or None, CHANNEL, tap.user_id, "", choices
    )
    tap.settle(tap.data)
    await show(tap.message, replies.answer_reply(turn.answer, turn.knowledge, turn.exchange))
    return None


async def _browse(tap: Tap) -> str | None:
    turn = tap.service.entry(tap.data, tap.where)
    if turn is None or turn.answer.entry is None:
        return STALE
    back = turn.answer.entry.category
    await show(tap.message, replies.answer_reply(turn.answer, turn.knowledge, back=back))
    return None


async def _topic(tap: Tap) -> str | None:
    knowledge = tap.service.knowledge
    key, _, number = tap.data.partition(":")
    page = int(number) if number.isascii() and number.isdigit() else 0  # not int("²")
    if not key:
        await show(tap.message, replies.topics_reply(knowledge, page))
        return None
    category = find_category(knowledge, key)
    if category is None:
        await show(tap.message, replies.topics_reply(knowledge))
        return STALE
    await show(tap.message, replies.category_reply(knowledge, category, page))
    return None


async def _feedback(tap: Tap) -> str | None:
    vote, _, rest = tap.data.partition(":")
    exchange, _, entry_id = rest.partition(":")
    if vote not in ("+", "-") or not entry_id:
        return STALE
    entry = None if entry_id == replies.PASSAGE else entry_id
    voted = await asyncio.to_thread(
        tap.service.vote, exchange or None, entry, vote == "+", CHANNEL, tap.user_id
    )
    if not voted:
        return STALE  # an exchange the log does not know (forged, or pruned)
    markup = tap.message.reply_markup
    if markup is not None:  # drop the 👍/👎 row: one vote per answer
        kept = [
            row
            for row in markup.inline_keyboard
            if not str(row[0].callback_data or "").startswith(f"{replies.FEEDBACK}:")
        ]
        await tap.message.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
    return THANKS


async def _gap(tap: Tap) -> str | None:
    if not admin_chat(tap.user_id, tap.message.chat, tap.context):
        return STALE
    report, _, number = tap.data.partition(":")
    found = tap.context.bot_data.get("gap_reports", {}).get(report)
    if not found or not number.isdigit() or int(number) >= len(found):
        return STALE
    await tap.message.reply_text(replies.gap_examples_html(found[int(number)]))
    return None


_BUTTONS = {
    replies.SHOW: _show_entry,
    replies.PICK: _pick,
    replies.DECLINE: _decline,
    replies.BROWSE: _browse,
    replies.TOPIC: _topic,
    replies.FEEDBACK: _feedback,
    replies.GAP: _gap,
}
