"""The application seam: the one object every channel calls (terminal, Telegram, web, WeChat).

A channel turns what its users do into these calls and renders what comes back; it holds no
business logic of its own. Everything a channel may do is here:

    service.ask(Request(text, channel, chat, user)) -> Turn   a question, answered and logged
    service.entry(entry_id, where) -> Turn | None              an entry shown (button, deep link)
    service.pick(exchange, entry_id, where) -> Turn            a choice from a "您是想问" list
    service.none_fits(exchange, channel, user) -> Turn         "都不是": none of the list fits
    service.vote(exchange, entry_id, helpful, channel, user)   👍 / 👎 on an answer
    (a pick of an entry its exchange did not offer, and a vote on an unknown exchange, are
    refused and not logged: `service.offered`)
    service.topics() / service.topic(category)                 browsing by category
    service.search(text, limit) -> list[Turn]                  entries matching a few words
    service.stats(since) / service.gaps(since, min_count)      what the log says (admins)
    service.teach(question, entry_id)                          a phrasing added to an entry
    service.reload() -> problems                               the knowledge read again

Every answer comes back as a `Turn` that carries the knowledge version it was made from, so a
channel renders with that version even when a reload lands between the question and the reply.
Reloading builds a complete new engine first and swaps it in with one assignment, so a question
is always answered by one whole knowledge version, and a broken edit never replaces a good one.
The files are read once into memory and that copy is what gets checked and served; if any file
changed while it was read (an editor saving in several writes), the new version is not swapped
in at all, and the next look at the files tries again.
`bot.conversation` adds what chat channels remember between messages (typed picks, confirms).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.authoring.teach import Taught, teach
from bot.engine.cache import EngineCache, build_engine
from bot.engine.core import ANSWERED, CLARIFY, FALLBACK, Answer, Candidate, Engine
from bot.engine.followed import followed_up
from bot.knowledge.model import Entry, Knowledge, KnowledgeDirMissing, KnowledgeError, snapshot_of
from bot.knowledge.yamlfile import Problem
from bot.log.gaps import Cluster, cluster, gap_exchanges
from bot.log.stats import Stats, stats
from bot.log.store import HELPFUL, PICKED, UNHELPFUL
from bot.log.triage import Triage
from bot.log.writer import ExchangeLog
from bot.text.normalize import valid_text

PRIVATE = "private"
# Clarify exchanges whose question is kept for a later 不是 / 都不是 (least recent forgotten).
OFFERS_KEPT = 10_000
# Conversations whose last answered entry is kept for a bare follow-up (least recent forgotten),
# and for how long: an hour later, 那电话呢 is not about the answer read back then.
CONTEXTS_KEPT = 10_000
CONTEXT_SECONDS = 600


def settle_heap() -> None:
    """Take everything alive now (the knowledge, the engine, the libraries) out of the
    garbage collector's sight: collect once, then `gc.freeze()`. A server calls it once loaded.

    Answers make short-lived objects, and the engine's caches keep some of them, so now and then
    CPython runs a full collection, which re-scans every object made so far: ~240k for the
    shipped knowledge, 65-300 ms with the event loop stopped, several times a minute at web
    load (docs/benchmarks-log.md). Frozen, the loaded objects are never scanned again; in forked
    workers their pages also stay shared. `Service.reload` thaws and settles again, so a
    replaced engine's reference cycles are still freed."""
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class Request:
    """One message from a person, as every channel describes it."""

    text: str
    channel: str  # who carried it: "telegram", "web", "wechat", "chat" (terminal), "ask"
    chat: str = PRIVATE  # the kind of conversation: "private", "group", "supergroup", "cli", ...
    # The channel's stable key for the sender (a Telegram user id, a web session id). The log
    # keeps only a salted hash of it (bot.text.privacy.Pseudonymizer), never the key itself.
    user: object = None
    # Which conversation of that kind (a Telegram chat, or a forum group's topic): a list
    # offered there is picked from there only. None where a sender has one conversation per
    # channel (a web session, a WeChat openid, a terminal). Not logged: nothing reads it back.
    place: object = None
    # Whether the sender's messages make one conversation, a bare follow-up read against the
    # answer before it (`Contexts`): not a web client without a session, keyed by an address
    # many users share, nor `ask`, whose lines are questions each of its own.
    conversation: bool = True


@dataclass(frozen=True)
class Turn:
    """What the app answered, with the knowledge it came from: render `answer` with `knowledge`,
    never with `service.knowledge` read again."""

    answer: Answer
    knowledge: Knowledge
    exchange: str | None = None  # the logged exchange's id, for votes and picks; None: not logged


CHANGED_WHILE_READING = "读取时知识文件正在被修改，这次没有换用；文件保存完后会自动重试"


@dataclass(frozen=True)
class Offer:
    """What a clarify exchange asked about and offered, for the fallback of a 不是 to it."""

    question: str
    choices: tuple[Candidate, ...]


class Offers:
    """The latest clarify exchanges' questions, by exchange id. A button (Telegram's 64 bytes)
    or a web client's 都不是 names only the exchange; without the question the fallback could
    not list the near topics a typed 不是 gets. Per process: a tap that reaches another replica,
    or comes after a restart, gets the fallback without them."""

    def __init__(self, kept: int = OFFERS_KEPT) -> None:
        self.kept = kept
        self.offers: OrderedDict[str, Offer] = OrderedDict()
        self.lock = threading.Lock()  # channels serving from several threads (WeChat, web)

    def remember(self, exchange: str, offer: Offer) -> None:
        with self.lock:
            self.offers[exchange] = offer
            while len(self.offers) > self.kept:
                self.offers.popitem(last=False)

    def get(self, exchange: str | None) -> Offer | None:
        if exchange is None:
            return None
        with self.lock:
            return self.offers.get(exchange)


class Contexts:
    """The entry each conversation was last answered with, for a bare follow-up (那电话呢？) to
    be read against (bot.engine.followed). Per process, bounded, each forgotten after
    `seconds`; a conversation is its sender's in one place of one channel (`conversation_of`)."""

    def __init__(
        self,
        kept: int = CONTEXTS_KEPT,
        seconds: float = CONTEXT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.kept, self.seconds, self.clock = kept, seconds, clock
        self.entries: OrderedDict[tuple, tuple[str, float]] = OrderedDict()
        self.lock = threading.Lock()  # channels serving from several threads (WeChat, web)

    def remember(self, conversation: tuple, entry_id: str) -> None:
        with self.lock:
            self.entries.pop(conversation, None)  # (the most recent last)
            self.entries[conversation] = (entry_id, self.clock())
            while len(self.entries) > self.kept:
                self.entries.popitem(last=False)

    def get(self, conversation: tuple) -> str | None:
        """The entry last answered in `conversation`, unless that was too long ago."""
        with self.lock:
            found = self.entries.get(conversation)
        if found is None or self.clock() - found[1] > self.seconds:
            return None
        return found[0]


def conversation_of(request: Request) -> tuple | None:
    """Whose conversation a message continues: the sender's in this place of this channel; None
    for a sender the channel does not name, or whose messages make no conversation."""
    if request.user is None or not request.conversation:
        return None
    return (request.channel, request.chat, request.place, request.user)


@dataclass
class Service:
    """The engine in use, how to reload it, and where exchanges are recorded."""

    directory: Path
    engine: Engine
    log: ExchangeLog | None = None
    cache: EngineCache | None = None  # built engines kept between starts (bot.engine.cache)
    started: float = field(default_factory=time.monotonic)
    started_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    )
    offers: Offers = field(default_factory=Offers, repr=False)
    contexts: Contexts = field(default_factory=Contexts, repr=False)

    @classmethod
    def open(
        cls,
        directory: Path | str,
        log: ExchangeLog | None = None,
        cache: EngineCache | None = None,
    ) -> Service:
        """Load the knowledge; raises like `bot.knowledge.model.load` when it cannot."""
        directory = Path(directory)
        return cls(directory, build_engine(directory, cache), log, cache)

    @property
    def knowledge(self) -> Knowledge:
        """The knowledge in use now (a reload may replace it at any moment)."""
        return self.engine.knowledge

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started

    # Questions and answers ----------------------------------------------------------------

    def ask(self, request: Request) -> Turn:
        """Answer a question and record the exchange."""
        engine = self.engine  # one version for the whole exchange, even if a reload lands now
        # undecodable input (lone surrogates from a terminal or file) becomes U+FFFD here, so
        # nothing downstream (the log, a terminal, JSON) fails on it
        text = valid_text(request.text)
        answer = engine.answer(text)
        conversation = conversation_of(request)
        if conversation is not None:
            answer = self._in_context(engine, text, answer, conversation)
        exchange = None
        if self.log is not None:
            exchange = self.log.record(
                answer, request.channel, engine.knowledge.version, request.chat, request.user
            )
            if answer.status == CLARIFY and answer.choices:
                self.offers.remember(exchange, Offer(answer.question, answer.choices))
        return Turn(answer, engine.knowledge, exchange)

    def _in_context(self, engine: Engine, text: str, answer: Answer, conversation: tuple) -> Answer:
        """`answer`, or, for a message the engine would not answer alone, the previous answered
        entry's answer when the message is a bare follow-up that entry answers
        (bot.engine.followed); the conversation's answered entry remembered for the next."""
        if answer.status in (FALLBACK, CLARIFY) and not answer.language:
            previous = self.contexts.get(conversation)
            followed = None if previous is None else followed_up(engine, text, previous)
            answer = followed or answer
        if answer.status == ANSWERED and answer.entry_id is not None:
            self.contexts.remember(conversation, answer.entry_id)
        return answer

    def entry(self, entry_id: str, where: Request | None = None) -> Turn | None:
        """One entry's answer (a related-question button, a deep link, browsing); None when the
        entry no longer exists (a button from an older knowledge version). `where`: the
        conversation shown it, whose next bare follow-up is read against it (`Contexts`)."""
        engine = self.engine
        entry = engine.knowledge.by_id.get(entry_id)
        if entry is None:
            return None
        self._seen(where, entry_id)
        return Turn(engine.entry_answer(entry), engine.knowledge)

    def pick(self, exchange: str | None, entry_id: str, where: Request) -> Turn | None:
        """A choice from a clarify list, made by `where`'s sender (in its conversation, as for
        `entry`): recorded against the exchange that offered it. None when the entry no longer
        exists, or (with a log) the exchange did not offer it: a forged or stale pick is not
        logged as one (see `offered`)."""
        turn = self.entry(entry_id)
        if turn is None:
            return None
        if self.log is not None:  # without a log there is nothing to forge
            if entry_id not in (self.offered(exchange) or ()):
                return None
            self.log.feedback(exchange, PICKED, entry_id, where.channel, where.user)
        self._seen(where, entry_id)
        return Turn(turn.answer, turn.knowledge, exchange)

    def _seen(self, where: Request | None, entry_id: str) -> None:
        """The entry the user last saw is what a follow-up asks about, typed or tapped."""
        if where is not None and (conversation := conversation_of(where)) is not None:
            self.contexts.remember(conversation, entry_id)

    def offered(self, exchange: str | None) -> tuple[str, ...] | None:
        """The entry ids an exchange offered to pick from (none for an answer), or None when it
        is unknown: neither remembered here (`offers`) nor in the log. Votes and picks name an
        exchange id a client could make up; only those of a real exchange are recorded."""
        offer = self.offers.get(exchange)
        if offer is not None:
            return tuple(c.id for c in offer.choices)
        if exchange is None or self.log is None:
            return None
        return self.log.offered_by(exchange)

    def none_fits(
        self,
        exchange: str | None,
        channel: str,
        user: object,
        question: str = "",
        choices: tuple[Candidate, ...] = (),
    ) -> Turn:
        """不是 / 都不是 to a confirm or a "您是想问" list: the fallback (the nearest category's own
        text, if it has one) with near topics other than the `choices` turned down, and the list
        recorded as unhelpful so the gap report counts it. A channel that names only the
        exchange (a button, the web API) gets its question and choices from `offers`."""
        self.vote(exchange, None, False, channel, user)
        offer = self.offers.get(exchange)
        if offer is not None:
            question = question or offer.question
            choices = choices or offer.choices
        engine = self.engine
        answer = engine.declined(question, tuple(c.id for c in choices))
        return Turn(answer, engine.knowledge, exchange)

    def vote(
        self, exchange: str | None, entry_id: str | None, helpful: bool, channel: str, user: object
    ) -> bool:
        """👍 or 👎 on an answer; `entry_id` is None for an answer quoted from a passage, and
        `exchange` for one shown without a question (a related question, browsing). False, and
        nothing recorded, when it names an exchange that is unknown (`offered`)."""
        if self.log is None:
            return True
        if exchange is not None and self.offered(exchange) is None:
            return False
        kind = HELPFUL if helpful else UNHELPFUL
        self.log.feedback(exchange, kind, entry_id, channel, user)
        return True

    def search(self, text: str, limit: int) -> list[Turn]:
        """Entries worth offering for a few words (inline search), best first: those the engine
        would at least offer in a clarify list."""
        engine = self.engine
        floor = engine.thresholds.clarify
        found = [c.entry for c in engine.candidates(text, limit) if c.score >= floor]
        return [Turn(engine.entry_answer(e), engine.knowledge) for e in found if e is not None]

    # Browsing -----------------------------------------------------------------------------

    def topics(self) -> tuple[str, ...]:
        """The categories, in the knowledge's order."""
        return self.knowledge.categories

    def topic(self, category: str) -> list[Entry]:
        """The entries of one category (empty when it no longer exists)."""
        return self.knowledge.in_category(category)

    # Administration -----------------------------------------------------------------------

    def stats(self, since: str | None) -> Stats | None:
        """Volume, answer rates and feedback since an ISO time; None when nothing is logged.
        Reads the whole period: channels that serve others meanwhile call it in a thread."""
        if self.log is None:
            return None
        self.log.flush()  # the writes already queued count too
        if self.log.store is None:  # the database could not be opened: nothing to read
            return None
        return stats(self.log.store, since)

    def gaps(self, since: str | None, min_count: int = 1) -> list[Cluster] | None:
        """Unanswered questions grouped, largest first, without those marked done or ignored in
        the console; None when nothing is logged. Seconds of work on a large log: channels that
        serve others meanwhile call it in a thread."""
        if self.log is None:
            return None
        self.log.flush()
        if self.log.store is None:  # the database could not be opened: nothing to read
            return None
        found = cluster(gap_exchanges(self.log.store, since), self.engine, min_count)
        path = getattr(self.log.store, "path", None)
        if path is None:  # a store without a database file keeps no triage
            return found
        triage = Triage(path)  # clusters the console's reviewers closed do not come back
        try:
            return triage.untriaged(found)
        finally:
            triage.close()

    def teach(self, question: str, entry_id: str) -> Taught:
        """Add a phrasing to an entry's similar questions (raises `TeachRefused`); it serves once
        the knowledge is reloaded."""
        return teach(self.knowledge, question, entry_id)

    def reload(self) -> list[Problem]:
        """Re-read the knowledge; on any error keep serving the old one and return the errors.
        A version whose files changed while they were read is not served either: it comes
        back as one problem saying so (`CHANGED_WHILE_READING`), and is tried again later."""
        try:
            snapshot = snapshot_of(self.directory)
            engine = build_engine(snapshot, self.cache)
        except KnowledgeError as exc:
            return exc.problems
        except (KnowledgeDirMissing, OSError) as exc:
            return [Problem(self.directory, 0, str(exc))]
        if not snapshot.unchanged():
            return [Problem(self.directory, 0, CHANGED_WHILE_READING)]
        serving = gc.get_freeze_count() > 0  # (a server settled its heap: `settle_heap`)
        if serving:
            engine.ready()  # before it serves, as at the start
        self.engine = engine
        if serving:  # free the old engine, settle again
            gc.unfreeze()
            settle_heap()
        return []
