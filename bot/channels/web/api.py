"""The HTTP API (`/api/v1/...`): the same answers as `policybot ask --json`, plus what a web
client needs to offer choices and take feedback. No business logic: every question, pick and
vote goes through the application seam and is logged as channel `web`."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import Service
from bot.channels.render import related
from bot.channels.web.config import WebConfig
from bot.channels.web.guard import NO_STORE, ApiError, RateLimit, client_of, invalid, read_json
from bot.channels.web.openapi import openapi
from bot.engine.core import FALLBACK, Answer
from bot.knowledge.model import Knowledge
from bot.log.store import HELPFUL, PICKED, UNHELPFUL

CHANNEL = "web"
VOTES = {"helpful": HELPFUL, "unhelpful": UNHELPFUL}
THANKS = "谢谢您的反馈！"
# Exchange ids are ours (hex); sessions are the client's opaque ids, kept short and printable.
EXCHANGE = re.compile(r"[0-9a-f]{1,32}")
SESSION = re.compile(r"[\x21-\x7e]{1,128}")


def present(answer: Answer, exchange: str | None, knowledge: Knowledge) -> dict:
    """`ask --json`'s object, plus the exchange id (for feedback and picks), the choices a
    clarify reply offers, and the related questions of an answer. Fields the engine adds to its
    own JSON win over these, so a web client sees everything the command line does."""
    data = answer.to_dict()
    data.setdefault("exchange", exchange)
    data.setdefault("choices", [{"id": c.id, "question": c.question} for c in answer.choices])
    data.setdefault(
        "related", [{"id": e.id, "question": e.question} for e in related(answer, knowledge)]
    )
    return data


def routes(service: Service, config: WebConfig) -> list[BaseRoute]:
    api = Api(service, config)
    return [
        Route("/api/v1/ask", api.ask, methods=["POST"]),
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
        answer, exchange = self.service.ask(question, CHANNEL, None, self.who(request, data))
        return reply(present(answer, exchange, self.service.engine.knowledge))

    async def pick(self, request: Request) -> Response:
        """A tap on a "您是想问" choice (`entry_id`), or on 都不是 (`entry_id` null): the
        entry's answer, or the fallback with where to turn."""
        data = await self.body(request)
        user = self.who(request, data)
        exchange = exchange_of(data)
        engine = self.service.engine
        entry_id = data.get("entry_id")
        if entry_id is None:
            self.vote(exchange, UNHELPFUL, None, user)
            fallback = Answer("", FALLBACK, engine.knowledge.texts.fallback)
            return reply(present(fallback, exchange, engine.knowledge))
        entry = engine.knowledge.by_id.get(entry_id) if isinstance(entry_id, str) else None
        if entry is None:
            raise missing_entry()
        self.vote(exchange, PICKED, entry.id, user)
        return reply(present(engine.entry_answer(entry), exchange, engine.knowledge))

    async def feedback(self, request: Request) -> Response:
        """👍 / 👎 on an answer."""
        data = await self.body(request)
        user = self.who(request, data)
        kind = VOTES.get(data.get("vote"))  # type: ignore[arg-type]
        if kind is None:
            raise invalid("vote", "vote 应为 helpful（有帮助）或 unhelpful（没帮助）。")
        entry_id = data.get("entry_id")
        if entry_id is not None and (
            not isinstance(entry_id, str) or entry_id not in self.service.engine.knowledge.by_id
        ):
            raise missing_entry()
        self.vote(exchange_of(data), kind, entry_id, user)
        return reply({"ok": True, "message": THANKS})

    def vote(self, exchange: str | None, kind: str, entry_id: str | None, user: str) -> None:
        if self.service.log is not None:
            self.service.log.feedback(exchange, kind, entry_id, CHANNEL, user)

    async def entry(self, request: Request) -> Response:
        """One entry's answer, as a related-question link or a shared link opens it."""
        engine = self.service.engine
        entry = engine.knowledge.by_id.get(request.path_params["entry_id"])
        if entry is None:
            raise missing_entry()
        data = present(engine.entry_answer(entry), None, engine.knowledge)
        data["category"] = entry.category
        return reply(data)

    async def topics(self, request: Request) -> Response:
        """Every category with its questions, for browsing; with the bot's name and welcome,
        which a client shows before the first question."""
        knowledge = self.service.engine.knowledge
        topics = [
            {
                "category": category,
                "questions": [
                    {"id": e.id, "question": e.question} for e in knowledge.in_category(category)
                ],
            }
            for category in knowledge.categories
        ]
        texts = knowledge.texts
        return reply(
            {
                "name": texts.name,
                "welcome": texts.welcome.strip(),
                "version": knowledge.version,
                "topics": topics,
            }
        )

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi())

    async def health(self, request: Request) -> Response:
        """Alive, and which knowledge it answers from (for containers and load balancers)."""
        knowledge = self.service.engine.knowledge
        return reply(
            {
                "status": "ok",
                "knowledge_version": knowledge.version,
                "entries": len(knowledge.entries),
                "uptime_s": round(self.service.uptime, 1),
            }
        )


def reply(data: dict) -> JSONResponse:
    # Answers follow the live knowledge: no cache may keep an old one.
    return JSONResponse(data, headers=NO_STORE)


def exchange_of(data: dict) -> str | None:
    exchange = data.get("exchange")
    if exchange is not None and (not isinstance(exchange, str) or not EXCHANGE.fullmatch(exchange)):
        raise invalid("exchange", "exchange 应为 /api/v1/ask 返回的 exchange。")
    return exchange


def missing_entry() -> ApiError:
    return ApiError(
        404,
        "no_entry",
        "没有这个问题，知识库可能已经更新，请重新提问。",
        "No such entry (the knowledge may have been updated).",
    )
