"""What a chat channel remembers between one person's messages: the list it last offered.

When the service answers with a "您是想问" list, the next message may be a reply to that list rather
than a new question: "2" picks the second choice, "是"/"对" accepts a one-choice confirm, and
"0", "都不是" or "不是" says none of them fits. The terminal chat, Telegram (for typed replies;
its buttons call `Service.pick` directly) and channels without buttons all resolve these here, the
same way, so no channel grows its own copy of the rules.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from bot.app import Request, Service, Turn
from bot.engine.core import CLARIFY, FALLBACK, Answer, Candidate

YES = frozenset({"是", "是的", "对", "对的", "嗯", "好", "好的", "y", "yes", "ok"})
NONE = frozenset({"0", "都不是", "不是", "都不对", "不对", "没有", "n", "no"})
REMEMBERED = 10_000  # conversations with an open list kept at most (least recent forgotten)


@dataclass(frozen=True)
class Offer:
    """A clarify list waiting for a reply, and the exchange it was logged as."""

    choices: tuple[Candidate, ...]
    exchange: str | None
    question: str


class Conversations:
    """Routes each message to `Service.ask`, or, when it answers the open list, to `Service.pick`."""

    def __init__(self, service: Service, remembered: int = REMEMBERED) -> None:
        self.service = service
        self.remembered = remembered
        self.offers: OrderedDict[tuple, Offer] = OrderedDict()

    def reply(self, request: Request) -> Turn:
        """The turn for one message, remembering any list it offers for the next message."""
        key = (request.channel, request.chat, request.user)
        offer = self.offers.pop(key, None)
        turn = self._resolve(offer, request) if offer is not None else None
        if turn is None:
            turn = self.service.ask(request)
        if turn.answer.status == CLARIFY and turn.answer.choices:
            self.offers[key] = Offer(turn.answer.choices, turn.exchange, turn.answer.question)
            while len(self.offers) > self.remembered:
                self.offers.popitem(last=False)
        return turn

    def _resolve(self, offer: Offer, request: Request) -> Turn | None:
        """The pick a message makes from the offer, or None when it is a new question."""
        text = request.text.strip().lower()
        choice = pick_of(text, offer.choices)
        if choice is not None:
            return self.service.pick(offer.exchange, choice.id, request.channel, request.user)
        if text in NONE:
            return self._none_fits(offer, request)
        return None

    def _none_fits(self, offer: Offer, request: Request) -> Turn:
        """None of the choices fits: the honest fallback, and the list recorded as unhelpful so
        the gap report counts it."""
        self.service.vote(offer.exchange, None, False, request.channel, request.user)
        knowledge = self.service.knowledge
        answer = Answer(offer.question, FALLBACK, knowledge.texts.fallback)
        return Turn(replace(answer, candidates=offer.choices), knowledge, offer.exchange)


def pick_of(text: str, choices: tuple[Candidate, ...]) -> Candidate | None:
    """The choice a reply names: its number, or a yes to a single choice."""
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1]
    if len(choices) == 1 and text in YES:
        return choices[0]
    return None
