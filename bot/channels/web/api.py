"""The HTTP API (`/api/v1/...`): the same answers as `policybot ask --json`, plus what a web
client needs to offer choices and take feedback. No business logic: every question, pick and
vote goes through the application seam and is logged as channel `web`.

A pick, a vote and 都不是 check their exchange against the log (`Service.offered`): a vote on an
answer always reads SQLite, under the lock the log's writer holds while it commits (p99 16 ms,
max 50 ms with the writer busy: docs/benchmarks-log.md, Telegram's buttons). They run in a
worker thread, as the Telegram channel's do, so the read stalls no other request on the event
loop; `Service` is thread-safe.

A question from a session that was just offered a list may be the reply to it, typed instead of
tapped ("2", "是", "都不是"): `bot.conversation` reads it as every chat channel does."""

from __future__ import annotations

import asyncio
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import Request as Question
from bot.app import Service, Turn
from bot.channels.batching import Batched
from bot.channels.render import as_json, body, related
from bot.channels.web.examples import (
    ANSWER_EXAMPLE,
    CLARIFY_EXAMPLE,
    FALLBACK_EXAMPLE,
    TOPICS_EXAMPLE,
)
from bot.channels.web.guard import (
    NO_STORE,
    ApiError,
    JSONReply,
    RateLimit,
    client_of,
    invalid,
    read_json,
)
from bot.channels.web.openapi import TOPIC_PAGE, openapi
from bot.conversation import LIST_SECONDS, Conversations
from bot.knowledge.model import Entry, Knowledge
from bot.settings import WebConfig

CHANNEL = "web"
VOTES = {"helpful": True, "unhelpful": False}
THANKS = "谢谢您的反馈！"
# Exchange ids are ours (hex); sessions are the client's opaque ids, kept short and printable.
EXCHANGE = re.compile(r"[0-9a-f]{1,32}")
SESSION = re.compile(r"[\x21-\x7e]{1,128}")
PAGE = re.compile(r"\d{1,9}")


def present(turn: Turn) -> dict:
    """`ask --json`'s object, plus the exchange id (for feedback and picks), the choices a
    clarify reply offers, the related questions of an answer, and for a client that shows the
    choices and near topics as buttons, the `text` to show above them and the near topics'
    heading. Fields the engine adds to its own JSON win over these, so a web client sees
    everything the command line does."""
    answer, knowledge = turn.answer, turn.knowledge
    data = as_json(turn)
    data.setdefault("exchange", turn.exchange)
    data.setdefault("choices", [{"id": c.id, "question": c.question} for c in answer.choices])
    data.setdefault(
        "related", [{"id": e.id, "question": e.question} for e in related(answer, knowledge)]
    )
    data.setdefault("text", body(answer, knowledge.texts))
    data.setdefault("near_heading", knowledge.texts.near if answer.near else None)
    return data


ASK = "/api/v1/ask"


def routes(api: Api) -> list[BaseRoute]:
    return [
        Route(ASK, api.ask, methods=["POST"]),
        Route("/api/v1/pick", api.pick, methods=["POST"]),
        Route("/api/v1/feedback", api.feedback, methods=["POST"]),
        Route("/api/v1/entries/{entry_id}", api.entry, methods=["GET"]),
        Route("/api/v1/topics", api.topics, methods=["GET"]),
        Route("/api/v1/openapi.json", api.openapi, methods=["GET"]),
        Route("/healthz", api.health, methods=["GET"]),
    ]


class Api:
    def __init__(self, service: Service, config: WebConfig) -> None:
        self.service = service
        self.config = config
        self.limit = RateLimit(config.rate)
        # questions ready in the same turn of the event loop answered together (the caches)
        self.answers = Batched(service.ask)
        # Each session's open list, for a reply typed to it. Only sessions: a client without
        # one is keyed by its address, which many users share behind one NAT.
        self.lists = Conversations(service, ttl=LIST_SECONDS)

    async def body(self, request: Request) -> dict:
        """A rate-limited client's JSON body."""
        self.limit.check(client_of(request))
        return await read_json(request, self.config.max_body)

    def who(self, request: Request, data: dict) -> str:
        """Whom the log keys the exchange to (pseudonymized there): the client's session id,
        else its address."""
        session = data.get("session")
        if session is None:
            return client_of(request)
        if not isinstance(session, str) or not SESSION.fullmatch(session):
            raise invalid("session", "session 应为不超过 128 个字符的字符串。")
        return f"session:{session}"

    async def ask(self, request: Request) -> Response:
        data = await self.body(request)
        question = data.get("question")
        if not isinstance(question, str) or not question.strip():
            raise invalid("question", "请填写问题（question），例如“复工复产去哪个窗口办理”。")
        session = data.get("session") is not None  # (without one, many users share an address)
        asked = Question(question, CHANNEL, user=self.who(request, data), conversation=session)
        if not session:
            turn = await self.answers(asked)
        elif self.lists.offered(asked):
            # Maybe a pick, which checks its exchange against the log: off the event loop.
            turn = await asyncio.to_thread(self.lists.reply, asked)
        else:
            turn = await self.answers(asked)
            self.lists.remember(asked, turn)
        return reply(present(turn))

    async def pick(self, request: Request) -> Response:
        """A tap on a "您是想问" choice (`entry_id`), or on 都不是 (`entry_id` null): the
        entry's answer, or the fallback with where to turn."""
        data = await self.body(request)
        user = self.who(request, data)
        exchange = exchange_of(data)
        entry_id = data.get("entry_id")
        # A tap answers the list: a "1" typed afterwards is a new message, not a second pick.
        # Without its session the exchange alone says whose list it was.
        sender = Question("", CHANNEL, user=user) if data.get("session") is not None else None
        self.lists.settled(sender, exchange)
        if entry_id is None:
            turn = await asyncio.to_thread(self.service.none_fits, exchange, CHANNEL, user)
            return reply(present(turn))
        if not isinstance(entry_id, str) or entry_id not in self.service.knowledge.by_id:
            raise missing_entry()
        where = Question("", CHANNEL, user=user, conversation=data.get("session") is not None)
        picked = await asyncio.to_thread(self.service.pick, exchange, entry_id, where)
        if picked is None:
            raise not_offered()
        return reply(present(picked))

    async def feedback(self, request: Request) -> Response:
        """👍 / 👎 on an answer."""
        data = await self.body(request)
        user = self.who(request, data)
        helpful = VOTES.get(data.get("vote"))  # type: ignore[arg-type]
        if helpful is None:
            raise invalid("vote", "vote 应为 helpful（有帮助）或 unhelpful（没帮助）。")
        entry_id = data.get("entry_id")
        if entry_id is not None and (
            not isinstance(entry_id, str) or entry_id not in self.service.knowledge.by_id
        ):
            raise missing_entry()
        exchange = exchange_of(data)
        voted = await asyncio.to_thread(
            self.service.vote, exchange, entry_id, helpful, CHANNEL, user
        )
        if not voted:
            raise not_offered()
        return reply({"ok": True, "message": THANKS})

    async def entry(self, request: Request) -> Response:
        """One entry's answer, as a related-question link or a shared link opens it; with
        `?session=`, that session's next bare follow-up is read against this entry."""
        params = dict(request.query_params)
        where = None
        if params.get("session") is not None:
            where = Question("", CHANNEL, user=self.who(request, params))
        turn = self.service.entry(request.path_params["entry_id"], where)
        if turn is None or turn.answer.entry is None:
            raise missing_entry()
        data = present(turn)
        data["category"] = turn.answer.entry.category
        return reply(data)

    async def topics(self, request: Request) -> Response:
        """Every category with its first page of questions and its count, for browsing; with
        the bot's name and welcome, which a client shows before the first question. With
        `?category=…` (and `page`, from 0), that page of that category's questions alone."""
        category = request.query_params.get("category")
        if category is not None:
            return reply(self.topic_page(category, request.query_params.get("page", "0")))
        knowledge = self.service.knowledge
        topics = []
        for name in self.service.topics():
            entries = self.service.topic(name)
            topics.append(
                {"category": name, "count": len(entries), "questions": questions_of(entries, 0)}
            )
        texts = knowledge.texts
        return reply(
            {
                "name": texts.name,
                "welcome": texts.welcome.strip(),
                "version": knowledge.version,
                "topics": topics,
            }
        )

    def topic_page(self, category: str, page_text: str) -> dict:
        entries = self.service.topic(category)
        if not entries:
            raise ApiError(
                404,
                "no_topic",
                "没有这个主题，知识库可能已经更新，请重新浏览主题。",
                "No such category (the knowledge may have been updated).",
            )
        pages = -(-len(entries) // TOPIC_PAGE)
        if not PAGE.fullmatch(page_text) or int(page_text) >= pages:
            raise invalid("page", f"page 应为 0 到 {pages - 1} 的整数。")
        page = int(page_text)
        return {
            "category": category,
            "count": len(entries),
            "page": page,
            "questions": questions_of(entries, page),
        }

    async def openapi(self, request: Request) -> Response:
        # The examples are the shipped knowledge's answers (tests/test_docs.py): for another
        # city's knowledge they would show answers it does not give, so it gets none.
        spec = openapi()
        return JSONReply(spec if examples_hold(self.service.knowledge) else without_examples(spec))

    async def health(self, request: Request) -> Response:
        """Alive, and which knowledge it answers from (for containers and load balancers)."""
        knowledge = self.service.knowledge
        return reply(
            {
                "status": "ok",
                "knowledge_version": knowledge.version,
                "entries": len(knowledge.entries),
                "uptime_s": round(self.service.uptime, 1),
            }
        )


def questions_of(entries: list[Entry], page: int) -> list[dict]:
    """One page of a category's questions, as `/api/v1/topics` lists them."""
    shown = entries[page * TOPIC_PAGE : (page + 1) * TOPIC_PAGE]
    return [{"id": e.id, "question": e.question} for e in shown]


def reply(data: dict) -> JSONResponse:
    # Answers follow the live knowledge: no cache may keep an old one.
    return JSONReply(data, headers=NO_STORE)


def exchange_of(data: dict) -> str | None:
    exchange = data.get("exchange")
    if exchange is not None and (not isinstance(exchange, str) or not EXCHANGE.fullmatch(exchange)):
        raise invalid("exchange", "exchange 应为 /api/v1/ask 返回的 exchange。")
    return exchange


def not_offered() -> ApiError:
    """A vote on an exchange the log does not know, or a pick its list did not offer: made up,
    or older than the log keeps. Nothing is recorded."""
    return ApiError(
        409,
        "not_offered",
        "找不到这次问答，或它没有提供这个选项，请重新提问。",
        "Unknown exchange, or it did not offer this choice: ask again.",
    )


def missing_entry() -> ApiError:
    return ApiError(
        404,
        "no_entry",
        "没有这个问题，知识库可能已经更新，请重新提问。",
        "No such entry (the knowledge may have been updated).",
    )


def examples_hold(knowledge: Knowledge) -> bool:
    """Whether the API description's examples are of `knowledge`: its name, and every entry they
    show with the same question."""
    shown = [*ANSWER_EXAMPLE["candidates"], *CLARIFY_EXAMPLE["choices"], *FALLBACK_EXAMPLE["near"]]
    entries = knowledge.by_id
    return knowledge.texts.name == TOPICS_EXAMPLE["name"] and all(
        item["id"] in entries and entries[item["id"]].question == item["question"] for item in shown
    )


def without_examples(node):
    """The description `node` without its examples (every `example` and `examples` key)."""
    if isinstance(node, dict):
        return {k: without_examples(v) for k, v in node.items() if k not in ("example", "examples")}
    if isinstance(node, list):
        return [without_examples(item) for item in node]
    return node
