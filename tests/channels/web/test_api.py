"""The HTTP API through the ASGI app in process: answers, picks, votes, the log, and every
refusal with its status and both languages' messages."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import httpx
import pytest

from bot.app import Request as Question
from bot.app import Service
from bot.channels.web.api import (
    CHANNEL,
    TOPIC_PAGE,
    examples_hold,
    present,
    without_examples,
)
from bot.channels.web.guard import SECURITY_HEADERS, ApiError, JSONReply, RateLimit, parse_json
from bot.channels.web.openapi import openapi
from bot.channels.web.server import build_server
from bot.engine.core import Engine
from bot.log.gaps import gap_exchanges
from bot.log.stats import stats
from bot.log.store import HELPFUL, PICKED, UNHELPFUL
from bot.settings import WebConfig
from tests.support.flows import LIST, is_fallback
from tests.support.web import client_for

ZHUANCHUANG = "复工复产去哪个窗口办理"
OUT_OF_SCOPE = "黑瞎子岛门票多少钱"


async def ask(client, question, **extra):
    return await client.post("/api/v1/ask", json={"question": question, **extra})


async def test_ask_answers_with_the_json_of_ask_json(client, service):
    response = await ask(client, ZHUANCHUANG)
    assert response.status_code == 200
    data = response.json()
    expected = service.engine.answer(ZHUANCHUANG).to_dict()
    for field, value in expected.items():
        if field != "took_ms":
            assert data[field] == value, field
    assert data["status"] == "answered" and data["entry_id"] == "fugong-zhuanchuang"
    assert "专窗" in data["answer"]
    assert data["sources"][0]["date"] == "2022-05-26"
    assert data["exchange"]
    assert [r["id"] for r in data["related"]] == [
        "fugong-lvse-tongdao",
        "fugong-zixun-dianhua",
        "fugong-zhuanlan",
    ]
    assert data["choices"] == []
    assert response.headers["cache-control"] == "no-store"


async def test_every_exchange_and_vote_is_logged_as_web_pseudonymous_and_redacted(client, service):
    data = (
        await ask(client, "我电话13812345678，复工复产去哪个窗口办理", session="s-secret-1")
    ).json()
    await client.post(
        "/api/v1/feedback",
        json={
            "exchange": data["exchange"],
            "vote": "helpful",
            "entry_id": data["entry_id"],
            "session": "s-secret-1",
        },
    )
    await ask(client, OUT_OF_SCOPE, session="s-secret-1")
    store = service.log.store
    exchanges = list(store.exchanges())
    assert [e.channel for e in exchanges] == [CHANNEL, CHANNEL]
    assert "13812345678" not in exchanges[0].question
    key = exchanges[0].user_key
    assert key and "s-secret-1" not in key and exchanges[1].user_key == key
    (vote,) = store.feedback()
    assert (vote.exchange_id, vote.kind, vote.user_key) == (data["exchange"], HELPFUL, key)
    numbers = stats(store)
    assert numbers.total == 2 and numbers.helpful == 1
    assert [e.question for e in gap_exchanges(store)] == [OUT_OF_SCOPE]


async def test_without_a_session_the_client_address_is_the_key(client, service):
    await ask(client, ZHUANCHUANG)
    (exchange,) = service.log.store.exchanges()
    assert exchange.user_key and "127.0.0.1" not in exchange.user_key


async def test_a_bare_follow_up_in_a_session_is_read_against_its_previous_answer(client):
    """No channel code: the service reads 怎么申请 against the session's last answered entry."""
    first = await ask(client, "疫情期间企业失信了能修复信用吗", session="s-follow")
    assert first.json()["entry_id"] == "qiye-xinyong-xiufu"
    followed = (await ask(client, "怎么申请", session="s-follow")).json()
    assert followed["status"] == "answered" and followed["context"] == "qiye-xinyong-xiufu"
    assert "信用修复" in followed["answer"]
    # Without a session (an address many users share) and in another session: alone.
    assert (await ask(client, "怎么申请")).json()["status"] == "fallback"
    assert (await ask(client, "怎么申请", session="s-other")).json()["context"] is None


async def test_an_entry_opened_in_a_session_is_what_its_follow_up_is_read_against(client):
    """A related question opened with the session (the widget sends it) moves the context: the
    follow-up is not read against the answer the user has moved on from."""
    await ask(client, "疫情期间企业失信了能修复信用吗", session="s-open")
    opened = await client.get("/api/v1/entries/fugong-zhuanchuang?session=s-open")
    assert opened.status_code == 200
    assert (await ask(client, "怎么申请", session="s-open")).json()["status"] == "fallback"
    bad = await client.get("/api/v1/entries/fugong-zhuanchuang?session=" + "x" * 200)
    assert bad.status_code == 422


async def test_a_clarify_choice_is_picked_and_logged(flows_client):
    client, service = flows_client
    data = (await ask(client, LIST)).json()
    assert data["status"] == "clarify"
    assert data["choices"] and all(set(c) == {"id", "question"} for c in data["choices"])
    choice = data["choices"][0]
    picked = await client.post(
        "/api/v1/pick", json={"exchange": data["exchange"], "entry_id": choice["id"]}
    )
    assert picked.status_code == 200
    answer = picked.json()
    assert answer["status"] == "answered" and answer["entry_id"] == choice["id"]
    assert answer["exchange"] == data["exchange"] and answer["sources"]
    (feedback,) = service.log.store.feedback()
    assert (feedback.kind, feedback.entry_id, feedback.exchange_id) == (
        PICKED,
        choice["id"],
        data["exchange"],
    )


async def test_picks_and_votes_name_a_real_exchange_and_what_it_offered(flows_client):
    """An exchange id is the client's to send: one never logged, or a pick its list did not
    offer, is a 409 in both languages, and nothing is logged."""
    client, service = flows_client
    data = (await ask(client, LIST)).json()
    offered = {c["id"] for c in data["choices"]}
    other = next(e.id for e in service.knowledge.entries if e.id not in offered)
    made_up = "0123456789ab"
    for path, body in (
        ("/api/v1/pick", {"exchange": data["exchange"], "entry_id": other}),
        ("/api/v1/pick", {"exchange": made_up, "entry_id": data["choices"][0]["id"]}),
        ("/api/v1/pick", {"entry_id": data["choices"][0]["id"]}),
        ("/api/v1/feedback", {"exchange": made_up, "vote": "helpful"}),
    ):
        response = await client.post(path, json=body)
        assert response.status_code == 409, body
        error = response.json()["error"]
        assert error["code"] == "not_offered" and "重新提问" in error["message"]
        assert "exchange" in error["message_en"]
    assert list(service.log.store.feedback()) == []


async def test_none_of_these_gives_the_fallback_and_counts_as_unhelpful(flows_client):
    client, service = flows_client
    data = (await ask(client, LIST)).json()
    response = await client.post(
        "/api/v1/pick", json={"exchange": data["exchange"], "entry_id": None}
    )
    answer = response.json()
    assert answer["status"] == "fallback"
    assert is_fallback(answer["answer"], service.engine.knowledge)
    # Where to turn, then near topics other than those just turned down.
    offered = {c["id"] for c in data["choices"]}
    assert not offered & {n["id"] for n in answer["near"]}
    (feedback,) = service.log.store.feedback()
    assert (feedback.kind, feedback.entry_id) == (UNHELPFUL, None)


@pytest.mark.parametrize("kind", ["pick", "none of these", "vote"])
async def test_picks_and_votes_check_their_exchange_off_the_event_loop(
    flows_client, monkeypatch, kind
):
    # The check can read the log under the lock its writer holds while it commits: on the
    # loop that would stall every request (docs/web.md).
    client, service = flows_client
    data = (await ask(client, LIST)).json()
    path, body = {
        "pick": ("/api/v1/pick", {"entry_id": data["choices"][0]["id"]}),
        "none of these": ("/api/v1/pick", {"entry_id": None}),
        "vote": ("/api/v1/feedback", {"vote": "helpful"}),
    }[kind]
    threads, looked_up = [], service.offered

    def offered(exchange):
        threads.append(threading.current_thread())
        return looked_up(exchange)

    monkeypatch.setattr(service, "offered", offered)
    response = await client.post(path, json={"exchange": data["exchange"], **body})
    assert response.status_code == 200
    assert threads and threading.current_thread() not in threads


async def test_out_of_scope_gets_the_fallback(client):
    data = (await ask(client, OUT_OF_SCOPE)).json()
    assert data["status"] == "fallback" and data["entry_id"] is None
    assert "12345" in data["answer"]


async def test_feedback(client, service):
    response = await client.post(  # an answer shown without a question: no exchange
        "/api/v1/feedback", json={"vote": "unhelpful", "entry_id": "fugong-zhuanchuang"}
    )
    assert response.status_code == 200 and response.json()["message"] == "谢谢您的反馈！"
    assert [f.kind for f in service.log.store.feedback()] == [UNHELPFUL]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"vote": "love"}, "vote"),
        ({}, "vote"),
        ({"vote": "helpful", "exchange": "<script>"}, "exchange"),
        ({"vote": "helpful", "exchange": 5}, "exchange"),
        ({"vote": "helpful", "session": "x" * 129}, "session"),
        ({"vote": "helpful", "session": "中文"}, "session"),
    ],
)
async def test_bad_feedback_is_422(client, body, field):
    response = await client.post("/api/v1/feedback", json=body)
    assert response.status_code == 422
    assert field in response.json()["error"]["message_en"]


async def test_unknown_entries_are_404(client):
    for response in (
        await client.get("/api/v1/entries/no-such-entry"),
        await client.post("/api/v1/pick", json={"entry_id": "no-such-entry"}),
        await client.post(
            "/api/v1/feedback", json={"vote": "helpful", "entry_id": "no-such-entry"}
        ),
    ):
        assert response.status_code == 404
        error = response.json()["error"]
        assert error["code"] == "no_entry" and "知识库" in error["message"]


async def test_entry_and_topics(client, service):
    entry = (await client.get("/api/v1/entries/fugong-zhuanchuang")).json()
    assert entry["status"] == "answered" and entry["exchange"] is None
    assert entry["category"] and entry["sources"] and entry["related"]
    topics = (await client.get("/api/v1/topics")).json()
    knowledge = service.engine.knowledge
    assert [t["category"] for t in topics["topics"]] == list(knowledge.categories)
    assert sum(len(t["questions"]) for t in topics["topics"]) == len(knowledge.entries)
    assert topics["welcome"] == knowledge.texts.welcome.strip()
    assert topics["version"] == knowledge.version


async def test_topics_hold_a_page_of_each_category_and_page_on_by_query(engine):
    """A large category (100k generated entries in one) made `/api/v1/topics` megabytes, fetched
    at every first opening of the widget and kept in its sessionStorage: each category now gives
    its first `TOPIC_PAGE` questions and its `count`, and `?category=…&page=N` the N-th page."""
    shipped = engine.knowledge
    first = shipped.entries[0]
    many = tuple(
        replace(first, id=f"big-{n}", question=f"{first.question}{n}", category="大类")
        for n in range(TOPIC_PAGE * 2 + 3)
    )
    knowledge = replace(
        shipped,
        entries=(*shipped.entries, *many),
        categories=(*shipped.categories, "大类"),
        by_id={},
    )
    service = Service(shipped.directory, Engine(knowledge))
    async with client_for(service, rate=0) as client:
        topics = (await client.get("/api/v1/topics")).json()["topics"]
        big = topics[-1]
        assert big["category"] == "大类" and big["count"] == len(many)
        assert [q["id"] for q in big["questions"]] == [e.id for e in many[:TOPIC_PAGE]]
        assert all(t["count"] == len(t["questions"]) for t in topics[:-1])
        last = await client.get("/api/v1/topics", params={"category": "大类", "page": 2})
        assert last.status_code == 200
        assert last.json() == {
            "category": "大类",
            "count": len(many),
            "page": 2,
            "questions": [{"id": e.id, "question": e.question} for e in many[TOPIC_PAGE * 2 :]],
        }
        gone = await client.get("/api/v1/topics", params={"category": "没有这类"})
        assert_error(gone, 404, "no_topic")
        for page in ("-1", "x", "3", "99999999999999999999"):
            wrong = await client.get("/api/v1/topics", params={"category": "大类", "page": page})
            assert_error(wrong, 422, "invalid")


async def test_healthz(client, service):
    data = (await client.get("/healthz")).json()
    assert data["status"] == "ok"
    assert data["knowledge_version"] == service.engine.knowledge.version


async def test_openapi_has_every_path_and_chinese_examples(client):
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= {
        "/api/v1/ask",
        "/api/v1/pick",
        "/api/v1/feedback",
        "/api/v1/entries/{entry_id}",
        "/api/v1/topics",
        "/healthz",
    }
    examples = spec["paths"]["/api/v1/ask"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]
    assert any(e["value"]["question"] == ZHUANCHUANG for e in examples.values())
    answer_fields = set(spec["components"]["schemas"]["Answer"]["properties"])
    assert answer_fields >= set(
        (await client.post("/api/v1/ask", json={"question": ZHUANCHUANG})).json()
    )
    topics = spec["paths"]["/api/v1/topics"]["get"]["responses"]["200"]["content"]
    example = topics["application/json"]["example"]
    assert set(example) == set((await client.get("/api/v1/topics")).json())


# Refusals ---------------------------------------------------------------------------------


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message_en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])  # Chinese
    assert error["message_en"].isascii()


@pytest.mark.parametrize(
    "body",
    [
        {"question": ""},
        {"question": "   \n"},
        {"question": None},
        {"question": 42},
        {"question": ["复工"]},
        {},
        {"q": "复工"},
    ],
)
async def test_missing_or_empty_question_is_422(client, body):
    assert_error(await client.post("/api/v1/ask", json=body), 422, "invalid")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"question=1", "application/x-www-form-urlencoded"),
        (b'{"question": "x"}', "text/plain"),
        (b'{"question": "x"}', None),
        (b"{not json", "application/json"),
        (b'["question"]', "application/json"),
        ("“复工”".encode("gbk"), "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),  # past both parsers' depth limits
        (b'{"question": "x", "n": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json"),
    ],
)
@pytest.mark.parametrize("origin", [None, "http://127.0.0.1"])  # straight, through Starlette
async def test_non_json_is_400(client, content, kind, origin):
    headers = {"content-type": kind} if kind else {}
    if origin:
        headers["origin"] = origin
    assert_error(
        await client.post("/api/v1/ask", content=content, headers=headers), 400, "not_json"
    )


@pytest.mark.parametrize("origin", [None, "http://127.0.0.1"])  # straight, through Starlette
async def test_an_unexpected_error_is_a_json_500_with_the_security_headers(
    service, monkeypatch, origin
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "ask", broken)
    transport = httpx.ASGITransport(
        build_server(service, WebConfig(rate=0)), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.post(
            "/api/v1/ask",
            json={"question": ZHUANCHUANG},
            headers={"origin": origin} if origin else {},
        )
    assert_error(response, 500, "server_error")
    assert "a bug" not in response.text
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name


async def test_declared_oversize_body_is_413_before_reading(client):
    body = json.dumps({"question": "复工" * 10_000}).encode()
    assert_error(
        await client.post(
            "/api/v1/ask", content=body, headers={"content-type": "application/json"}
        ),
        413,
        "too_large",
    )


async def test_undeclared_oversize_body_is_413(client):
    async def chunks():
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = await client.post(
        "/api/v1/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "too_large")


async def test_rate_limit_is_429_with_retry_after(service):
    async with client_for(service, rate=3) as client:
        for _ in range(3):
            assert (await ask(client, ZHUANCHUANG)).status_code == 200
        response = await ask(client, ZHUANCHUANG)
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["retry-after"] in response.json()["error"]["message"]


def test_rate_limit_refills_and_is_per_client():
    now = [0.0]
    limit = RateLimit(60, clock=lambda: now[0])
    for _ in range(60):
        limit.check("a")
    with pytest.raises(ApiError) as refused:
        limit.check("a")
    assert refused.value.headers == {"retry-after": "1"}
    limit.check("b")  # another client is not affected
    now[0] += 1.0
    limit.check("a")  # a second later, one more
    RateLimit(0).check("a")  # 0: no limit


def test_rate_limit_counts_an_ipv6_network_as_one_client():
    """An IPv6 client holds a /64 network of addresses, so counting each address gave it 2^64
    allowances; an IPv4 address is still a client of its own."""
    limit = RateLimit(2)
    limit.check("2001:db8:1:2::1")
    limit.check("2001:db8:1:2:ffff::2")
    with pytest.raises(ApiError):
        limit.check("2001:db8:1:2::abcd")
    limit.check("2001:db8:1:3::1")  # another network
    for address in ("192.0.2.1", "192.0.2.1", "192.0.2.2", "::ffff:192.0.2.3", "unknown"):
        limit.check(address)
    with pytest.raises(ApiError):
        limit.check("192.0.2.1")


def test_rate_limit_sweeps_seldom_however_many_clients():
    """Past 10,000 clients a minute, every request swept the whole table (12-21 ms a request
    at 10-15 thousand clients, more than an answer costs): a flood from many addresses slowed
    everyone. Now a sweep comes only once the table has doubled since the last one."""
    now = [0.0]
    limit = RateLimit(60, clock=lambda: now[0])
    sweeps = []
    sweep = limit.forget
    limit.forget = lambda at: (sweeps.append(at), sweep(at))
    for number in range(40_000):
        now[0] += 0.002  # 500 requests a second, each from a new address
        limit.check(f"192.0.{number // 256 % 256}.{number % 256}-{number}")
    assert len(sweeps) <= 3
    assert len(limit.buckets) <= 40_000


async def test_unknown_paths_and_methods_answer_json(client):
    assert_error(await client.get("/api/v1/nothing"), 404, "not_found")
    response = await client.get("/api/v1/ask")
    assert response.status_code == 405 and response.json()["error"]["message_en"]


# Headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/widget.js"),
        ("GET", "/healthz"),
        ("POST", "/api/v1/ask"),
        ("GET", "/missing"),
    ],
)
async def test_security_headers_on_every_response(client, method, path):
    response = await client.request(
        method, path, json={"question": ZHUANCHUANG} if method == "POST" else None
    )
    for name, value in SECURITY_HEADERS.items():
        if name == "cross-origin-resource-policy" and path == "/widget.js":
            assert response.headers[name] == "cross-origin"  # portal pages on other sites load it
        else:
            assert response.headers[name] == value, name
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]


async def test_cors_only_for_listed_origins(service):
    portal = "https://zwfw.example.gov.cn"
    async with client_for(service, rate=0, origins=(portal,)) as client:
        await cors_checks(client, portal)


async def cors_checks(client, portal):
    allowed = await client.post(
        "/api/v1/ask", json={"question": ZHUANCHUANG}, headers={"origin": portal}
    )
    assert allowed.headers["access-control-allow-origin"] == portal
    other = await client.post(
        "/api/v1/ask", json={"question": ZHUANCHUANG}, headers={"origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    assert (
        await client.options("/api/v1/ask", headers={"origin": portal, **preflight})
    ).status_code == 200
    assert (
        await client.options("/api/v1/ask", headers={"origin": "https://evil.example", **preflight})
    ).status_code == 400


async def test_no_cors_by_default(client):
    response = await client.post(
        "/api/v1/ask",
        json={"question": ZHUANCHUANG},
        headers={"origin": "https://zwfw.example.gov.cn"},
    )
    assert "access-control-allow-origin" not in response.headers


async def test_assets_are_cached_and_revalidated(client):
    first = await client.get("/widget.js")
    assert first.headers["content-type"].startswith("text/javascript")
    again = await client.get("/widget.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert (await client.get("/widget.css")).headers["content-type"].startswith("text/css")
    page = await client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/widget.js" async></script>' in page.text


@pytest.mark.parametrize(
    "body",
    [
        '{"question": "复工复产去哪个窗口办理", "score": 0.1234567890123}',
        '{"q": "\\ud800 lone surrogate"}',  # orjson refuses; the standard library reads it
        '{"n": NaN, "big": 123456789012345678901234567890}',
        '{"a": {"b": [1, 2.5e-7, true, null]}, "a": "last wins"}',
    ],
)
def test_json_reads_as_the_standard_library_does(body):
    assert parse_json(body.encode()) == json.loads(body)
    assert parse_json(body.encode("utf-16")) == json.loads(body.encode("utf-16"))


def test_json_replies_are_the_bytes_starlette_wrote(service):
    from starlette.responses import JSONResponse

    turn = service.ask(Question("复工复产去哪个窗口办理", CHANNEL, user="t"))
    for data in (present(turn), {"n": 2**70, 1: "a key that is not text"}):
        assert JSONReply(data).body == JSONResponse(data).body


def test_another_citys_knowledge_gets_the_description_without_the_shipped_examples(knowledge):
    # The examples are 抚远's answers: a knowledge of another name, or whose entries ask other
    # questions, would be shown answers it does not give.
    assert examples_hold(knowledge)
    renamed = replace(knowledge, texts=replace(knowledge.texts, name="饶河营商环境政策问答"))
    assert not examples_hold(renamed)
    other = replace(
        knowledge, by_id={**knowledge.by_id, "fgf-chengxiao": knowledge.by_id["banshi-fangan"]}
    )
    assert not examples_hold(other)
    bare = json.dumps(without_examples(openapi()), ensure_ascii=False)
    assert '"example' not in bare and "抚远" not in bare
    assert without_examples(openapi())["paths"].keys() == openapi()["paths"].keys()
