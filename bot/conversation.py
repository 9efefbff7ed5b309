"""What a chat channel remembers between one person's messages: the list it last offered.

When the service answers with a "您是想问" list, the next message may be a reply to that list rather
than a new question: "2" picks the second choice (so do "二", "第二个" and "第2个", as people
say it and WeChat's speech recognition writes it, full stop and all), "是"/"对" accepts a one-choice confirm, and
"0", "都不是" or "不是" says none of them fits, and a number past its end ("4" to a list of three)
shows the list again, still open. The terminal chat, Telegram (for typed replies; its buttons
call `Service.pick` directly), the web API and WeChat all resolve these here, the same way, so
no channel grows its own copy of the rules.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.app import Offer, Request, Service, Turn
from bot.engine.core import CLARIFY, Answer, Candidate
from bot.knowledge.model import bare_reply
from bot.text.normalize import fold

YES = frozenset({"是", "是的", "对", "对的", "嗯", "好", "好的", "y", "yes", "ok"})
NONE = frozenset({"0", "都不是", "不是", "都不对", "不对", "没有", "n", "no"})
# A number naming a list item: 2, 二, 第二个, 第2条, 2号, 选2, 要第二个. The lists offer at most ten;
# WeChat's topic lists more (`number_of`).
NUMBER = re.compile(r"(?:选择?|要)?第?(\d{1,3}|[一二三四五六七八九十])(?:个|条|项|号)?")
NUMERALS = "一二三四五六七八九十"
REMEMBERED = 10_000  # conversations with an open list kept at most (least recent forgotten)
# How long a list takes a typed reply where users come back hours later (WeChat, the web API's
# sessions): later, a stray "1" is a new message, not an old pick.
LIST_SECONDS = 600


@dataclass(frozen=True)
class Waiting:
    """A clarify list waiting for the sender's reply: what it offered, the exchange it was
    logged as, and when."""

    offer: Offer
    exchange: str | None
    at: float = field(default=0.0, compare=False)  # when it was offered (the clock's time)


def _copied(offers: OrderedDict[tuple, Waiting]) -> tuple[tuple[tuple, Waiting], ...]:
    """The open lists, copied while other threads (the web API's replies) add and drop lists:
    iterating the table itself failed (mutated during iteration) nearly every time, and even a
    copy in one step can be cut by a thread switch (a garbage collection's finalizer runs Python
    code midway: once in a clean-clone CI run, twenty-second round), so a cut copy is made again."""
    while True:
        try:
            return tuple(offers.items())
        except RuntimeError:  # (changed midway: copy again; a copy takes microseconds)
            continue


class Conversations:
    """Routes each message to `Service.ask`, or, when it answers the open list, to `Service.pick`."""

    def __init__(
        self,
        service: Service,
        remembered: int = REMEMBERED,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.remembered = remembered
        # Seconds a list stays open; None: until the next message (`LIST_SECONDS` where users
        # come back hours later).
        self.ttl, self.clock = ttl, clock
        self.offers: OrderedDict[tuple, Waiting] = OrderedDict()

    def offered(self, request: Request) -> bool:
        """Whether a list is open for the sender where the request came in (`key_of`), so a
        channel can tell a bare number that picks from it from one that arrives too late."""
        waiting = self.offers.get(key_of(request))
        return waiting is not None and not self._expired(waiting)

    def _expired(self, waiting: Waiting) -> bool:
        return self.ttl is not None and self.clock() - waiting.at > self.ttl

    def settled(self, request: Request | None, exchange: str | None) -> None:
        """The list of `exchange` was answered another way (a button tap, described as the
        `request` it came in): a "1" or "不是" typed afterwards is a new message, not a second
        answer to it. A newer list stays open. `request` None: a tap that does not say whose it
        is (the web API's pick without its session), closing whichever list is `exchange`'s."""
        if exchange is None:
            return
        if request is None:
            every = _copied(self.offers)
            keys = [key for key, waiting in every if waiting.exchange == exchange]
        else:
            keys = [key_of(request)]
        for key in keys:
            waiting = self.offers.get(key)
            if waiting is not None and waiting.exchange == exchange:
                self.offers.pop(key, None)  # (None: another thread's reply took it meanwhile)

    def reply(self, request: Request) -> Turn:
        """The turn for one message, remembering any list it offers for the next message."""
        waiting = self.offers.pop(key_of(request), None)
        if waiting is not None and self._expired(waiting):
            waiting = None
        turn = self._resolve(waiting, request) if waiting is not None else None
        if turn is None:
            turn = self.service.ask(request)
        self.remember(request, turn)
        return turn

    def remember(self, request: Request, turn: Turn) -> None:
        """Keep the list `turn` offers open for the sender's next message. `reply` does; a
        channel that asks `Service` itself when no list is open (the web API, to answer
        questions in batches) tells it here."""
        if turn.answer.status == CLARIFY and turn.answer.choices:
            answer = turn.answer
            offer = Offer(answer.question, answer.choices)
            self.offers[key_of(request)] = Waiting(offer, turn.exchange, self.clock())
            while len(self.offers) > self.remembered:
                self.offers.popitem(last=False)

    def _resolve(self, waiting: Waiting, request: Request) -> Turn | None:
        """The pick a message makes from the list, or None when it is a new question."""
        text = reply_word(request.text)
        offer = waiting.offer
        choice = pick_of(text, offer.choices)
        if choice is not None:
            return self.service.pick(waiting.exchange, choice.id, request)
        if (number_of(text) or 0) > len(offer.choices):
            # "4" to a list of three (a slip, a number off the list before) is no question: the
            # same list again, still open, its exchange unchanged, each channel showing it with
            # its own way to pick (buttons, numbered lines, WeChat's 回复 1、2、3 选择).
            again = Answer(offer.question, CLARIFY, "", choices=offer.choices)
            return Turn(again, self.service.knowledge, waiting.exchange)
        if text in NONE:
            # None fits: the honest fallback, and the list recorded as unhelpful (a gap).
            return self.service.none_fits(
                waiting.exchange, request.channel, request.user, offer.question, offer.choices
            )
        return None


def key_of(request: Request) -> tuple:
    """Whose list a message may answer: the sender's in this very conversation (a list offered
    in one Telegram group is not picked from by "@bot 1" in another)."""
    return (request.channel, request.chat, request.place, request.user)


def reply_word(text: str) -> str:
    """A short reply as a word to compare, folded as the engine folds it (width, script, case,
    every mark dropped: "１", "２。", "#2", the keycap "2️⃣", "【2】"), and without the particles
    a reply ends with ("不是啊"). Read otherwise than the engine reads it, "#2" with a list open
    was no pick, and the engine then said no list was open (probe20)."""
    return bare_reply(fold(text).replace(" ", ""))


def number_of(word: str, longest: int = 99) -> int | None:
    """The number a reply word names (`NUMBER`), or None when it names none. Three digits name
    an item only of a list that long (`longest`): WeChat lists a category of an imported sheet
    whole, in pages, and "120" was asked as a question there (probe23), while under a short
    list "845项" is a question still."""
    found = NUMBER.fullmatch(word)
    if found is None:
        return None
    number = found.group(1)
    value = int(number) if number.isdigit() else NUMERALS.index(number) + 1
    return value if value < 100 or value <= longest else None


def pick_of(text: str, choices: tuple[Candidate, ...]) -> Candidate | None:
    """The choice a reply names: its number, or a yes to a single choice."""
    number = number_of(text)
    if number is not None and 1 <= number <= len(choices):
        return choices[number - 1]
    if len(choices) == 1 and text in YES:
        return choices[0]
    return None
