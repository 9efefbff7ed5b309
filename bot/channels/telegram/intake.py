"""How updates come in: long polling that confirms an update only once it is handled, and the
one function (`handle_update`) that both polling and the webhook hand each raw update to.

python-telegram-bot's own `Updater` fetches updates, puts them on a queue and asks for the next
batch at once: the next `getUpdates` offset confirms the previous batch to Telegram before any
of it is answered, so a `kill -9` during a burst lost every queued update (1,351–1,425 of
1,500). It also turns a whole batch into objects in one go: one malformed update failed the
batch, was fetched again forever, and was logged raw each time.

Here the offset moves past an update only when it has been handled (answered, or failed and
reported through the error handler), so a killed bot is sent the unhandled updates again when
it restarts. Two bounds keep one slow update from holding everything back:

- at most `WINDOW` (100, Telegram's batch size) updates are in progress at once;
- an update still in progress after `HOLD` seconds (a group chat waiting out Telegram's
  20-messages-a-minute limit, a reply in long retries) stops holding the offset back: a
  `kill -9` can lose those updates, and only those.

Updates handled but not yet confirmed when the process dies are answered again after the
restart (at most `WINDOW`, in practice the few finished since the last poll).

Most updates are a question typed in a private chat. `handle_update` reads those straight from
the JSON (`plain_question`) and answers them as the `question` handler would, without
python-telegram-bot's `Update`, `Message`, `Chat` and `User` objects: building them (~100
attributes of a `Message` set one by one) was 0.14-0.25 ms of CPU per update, more than a
sixth of a reply, for four fields the bot reads (docs/benchmarks.md). Every other update, and
any message with a field the fast path does not know, goes python-telegram-bot's way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.channels.limits import DROP, OK, UserLimiter
from bot.channels.telegram import handlers

log = logging.getLogger(__name__)
# `getUpdates` is called through `do_api_request` on purpose: it returns the raw updates, each
# read on its own (`Bot.get_updates` reads the whole batch at once and fails it for one bad
# update). python-telegram-bot warns about that use; the warning is not for us.
warnings.filterwarnings("ignore", "Please use 'Bot.getUpdates'", PTBUserWarning)

WINDOW = 100  # updates in progress at most (also Telegram's largest getUpdates batch)
HOLD = 10.0  # seconds an update in progress may keep the offset from moving on
PATIENCE = 1.0  # seconds after a poll before the next may bring fewer than half a window
POLL_TIMEOUT = 10  # seconds a long poll waits for new updates
STOP_GRACE = 10.0  # seconds given to updates in progress when the bot is stopped
MAX_BACKOFF = 30.0  # seconds between polls while the Bot API keeps failing


def read_update(raw: object, app: Application) -> Update | None:
    """The update as python-telegram-bot's object, or None (logged once, without its content:
    updates carry names, ids and phone numbers) when it cannot be read."""
    try:
        if not isinstance(raw, dict):
            raise TypeError("an update is a JSON object")
        return Update.de_json(raw, app.bot)
    except Exception as exc:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        kinds = sorted(k for k in raw if k != "update_id") if isinstance(raw, dict) else []
        # TypeErrors and KeyErrors name the missing field; other messages may quote values.
        detail = str(exc) if isinstance(exc, TypeError | KeyError) else ""
        log.error(
            "update %s (%s) could not be read, skipped: %s %s",
            update_id,
            ",".join(kinds) or type(raw).__name__,
            type(exc).__name__,
            detail,
        )
        return None


@dataclass(frozen=True, slots=True)
class PlainQuestion:
    """A text message in a private chat that only the `question` handler would take: what the
    bot reads of it."""

    chat_id: int
    user_id: int
    text: str


# A message with only these fields is a plain question when its chat is private and its text
# no command. Anything else (a reply, a forward, a topic, a business chat, a caption, fields
# Telegram adds later) may change how it is handled or replied to: python-telegram-bot reads it.
PLAIN_FIELDS = frozenset({"message_id", "date", "chat", "from", "text", "entities"})


def plain_question(raw: object) -> PlainQuestion | None:
    """The update as a `PlainQuestion`, or None when it is anything else (see the module
    docstring). Commands are left alone however they are marked: any `bot_command` entity or
    a leading "/" (the command handlers and the unknown-command reply take those)."""
    if not isinstance(raw, dict) or len(raw) != 2 or "update_id" not in raw:
        return None
    message = raw.get("message")
    if not isinstance(message, dict) or not PLAIN_FIELDS.issuperset(message):
        return None
    chat, sender, text = message.get("chat"), message.get("from"), message.get("text")
    if not (isinstance(chat, dict) and isinstance(sender, dict) and isinstance(text, str)):
        return None
    chat_id, user_id = chat.get("id"), sender.get("id")
    if chat.get("type") != "private" or not text or text.startswith("/"):
        return None
    if type(chat_id) is not int or type(user_id) is not int:
        return None
    entities = message.get("entities", [])
    if not isinstance(entities, list) or any(
        not isinstance(e, dict) or e.get("type") == "bot_command" for e in entities
    ):
        return None
    return PlainQuestion(chat_id, user_id, text)


async def handle_update(app: Application, raw: object) -> None:
    """Handle one update from Telegram, start to finish, under the application's update
    processor (per-chat order, work slots); errors in handlers go to its error handler (a
    plain question's to the same logging and apology, `handlers.plain_question`).

    The per-user limit comes first, for every kind of update (messages, button taps, inline
    queries): an update over the limit is dropped here, before it waits for its chat's turn or
    a work slot, so a flood from one user costs the others next to nothing; the first one over
    gets a notice instead of an answer."""
    update: Update | PlainQuestion | None = plain_question(raw) or read_update(raw, app)
    if update is None:
        return
    limiter: UserLimiter | None = app.bot_data.get("limiter")
    if isinstance(update, PlainQuestion):
        user_id: int | None = update.user_id
    else:
        user_id = update.effective_user.id if update.effective_user is not None else None
    verdict = limiter.check(user_id) if limiter is not None and user_id is not None else OK
    if verdict == DROP:
        return
    if isinstance(update, PlainQuestion):
        work = handlers.plain_question(app, update, verdict == OK)
    else:
        work = app.process_update(update) if verdict == OK else handlers.slow_down(update)
    await app.update_processor.process_update(update, work)


# What the poller does with each raw update, returning once it is handled: `handle_update` in
# this process, or passing it to a worker process (bot.channels.telegram.pool).
Handle = Callable[[object], Awaitable[None]]


class Poller:
    """Long polling with the confirm-after-handling offset described in the module docstring."""

    def __init__(
        self,
        app: Application,
        window: int = WINDOW,
        hold: float = HOLD,
        timeout: int = POLL_TIMEOUT,
        handle: Handle | None = None,
    ) -> None:
        self.app, self.window, self.hold, self.timeout = app, window, hold, timeout
        self.handle = handle or partial(handle_update, app)
        # Ask for more only when a poll can bring this many new updates (`room`): Telegram
        # sends every unconfirmed update from the offset on again with each batch, and asking
        # after each finished update parsed ~17 old updates per new one, a third of the bot's
        # time under load. Past `PATIENCE` after a poll, any room will do (an update holding
        # the offset, with many finished after it, does not hold up the next ones for long).
        self.refill = max(1, window // 2)
        self.patient_until = 0.0
        self.started: dict[int, float] = {}  # update id in progress: when it was fetched
        self.finished: set[int] = set()  # handled, not yet confirmed
        self.newest = -1  # the highest update id fetched
        self.tasks: set[asyncio.Task] = set()
        self.progress = asyncio.Event()

    def offset(self) -> int:
        """Confirms everything below the oldest update still holding; see the module docstring."""
        horizon = time.monotonic() - self.hold
        holding = [uid for uid, at in self.started.items() if at > horizon]
        return min(holding) if holding else self.newest + 1

    def room(self) -> int:
        """How many new updates the next poll can bring: of the window, what the updates from
        the offset on that were fetched and not confirmed (in progress or finished) leave."""
        offset = self.offset()
        taken = sum(uid >= offset for uid in self.started)
        return self.window - taken - sum(uid >= offset for uid in self.finished)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, then let updates in progress finish and confirm them."""
        stopping = asyncio.create_task(stop.wait())
        failures = 0
        try:
            while not stop.is_set():
                room, now = self.room(), time.monotonic()
                if room <= 0 or (room < self.refill and now < self.patient_until):
                    await self._wake(stopping, self.hold if room <= 0 else self.patient_until - now)
                    continue
                self.patient_until = now + PATIENCE
                offset = self.offset()
                self.finished = {uid for uid in self.finished if uid >= offset}
                fetch = asyncio.create_task(self._fetch(offset, self.timeout))
                await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError, TelegramError):
                        await fetch
                    break
                try:
                    batch = fetch.result()
                except InvalidToken:
                    raise
                except TelegramError as exc:
                    failures += 1
                    delay = min(MAX_BACKOFF, 2.0 ** (failures - 1))
                    log.warning("getUpdates failed (%s); polling again in %.0f s", exc, delay)
                    await self._wake(stopping, delay, progress=False)
                    continue
                failures = 0
                if not self._start(batch, offset) and self.started:
                    # Only updates already in progress came back: wait for one to finish
                    # rather than asking again at once.
                    await self._wake(stopping, 1.0)
        finally:
            stopping.cancel()
            await self._finish()

    async def _fetch(self, offset: int, timeout: int) -> list:
        return await self.app.bot.do_api_request(
            "getUpdates",
            api_kwargs={
                "offset": offset,
                "timeout": timeout,
                "limit": min(self.window, 100),
                "allowed_updates": Update.ALL_TYPES,
            },
            read_timeout=timeout + 10,
        )

    def _start(self, batch: list, offset: int) -> bool:
        """Start handling the updates in `batch` not already started; were there any?"""
        new = False
        for raw in batch:
            uid = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(uid, int):
                log.error("an update without an id was skipped")
                continue
            if uid < offset or uid in self.started or uid in self.finished:
                continue
            new = True
            self.newest = max(self.newest, uid)
            self.started[uid] = time.monotonic()
            task = asyncio.create_task(self._handle(uid, raw))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return new

    async def _handle(self, uid: int, raw: dict) -> None:
        try:
            await self.handle(raw)
        except Exception:  # the error handler saw handler errors; this is anything else
            log.exception("update %d could not be handled", uid)
        finally:
            del self.started[uid]
            self.finished.add(uid)
            self.progress.set()

    async def _wake(self, stopping: asyncio.Task, seconds: float, progress: bool = True) -> None:
        """Sleep until an update finishes (if `progress`), the bot stops, or `seconds` pass."""
        self.progress.clear()
        waits = {stopping}
        if progress:
            waits.add(asyncio.ensure_future(self.progress.wait()))
        _, pending = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for task in pending - {stopping}:
            task.cancel()

    async def _finish(self) -> None:
        """Give updates in progress `STOP_GRACE` seconds, then confirm what was handled (and
        nothing still unfinished: Telegram sends that again to the next start)."""
        if self.tasks:
            _, pending = await asyncio.wait(set(self.tasks), timeout=STOP_GRACE)
            if pending:
                log.warning("%d update(s) still in progress at stop: not confirmed", len(pending))
        offset = min(self.started, default=self.newest + 1)
        for task in self.tasks:
            task.cancel()
        if self.newest >= 0:
            with contextlib.suppress(TelegramError):
                await self.app.bot.do_api_request(
                    "getUpdates", api_kwargs={"offset": offset, "timeout": 0, "limit": 1}
                )
