"""A reply typed into the widget's box to the list it shows ("2", "是", "都不是"), as people answer
in WeChat or Telegram, instead of tapping its button: read as the reply, per session."""

from __future__ import annotations

import pytest

from bot.log.store import PICKED, UNHELPFUL
from tests.support.flows import CONFIRM, CONFIRMED, LIST, is_fallback


async def ask(client, question, session="w-0123456789ab"):
    body = {"question": question} if session is None else {"question": question, "session": session}
    response = await client.post("/api/v1/ask", json=body)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("typed", ["2", "２", "第二个", "二。"])
async def test_a_number_typed_after_a_list_picks_from_it(flows_client, typed):
    client, service = flows_client
    offered = await ask(client, LIST)
    answer = await ask(client, typed)
    assert answer["status"] == "answered"
    assert answer["entry_id"] == offered["choices"][1]["id"]
    (feedback,) = service.log.store.feedback()
    assert (feedback.kind, feedback.exchange_id) == (PICKED, offered["exchange"])


async def test_yes_typed_after_a_confirm_opens_it(flows_client):
    client, _ = flows_client
    offered = await ask(client, CONFIRM)
    assert offered["confirm"] is True
    answer = await ask(client, "是的")
    assert (answer["status"], answer["entry_id"]) == ("answered", CONFIRMED)


async def test_none_of_these_typed_gives_the_fallback_without_the_choices(flows_client):
    client, service = flows_client
    offered = await ask(client, LIST)
    answer = await ask(client, "都不是")
    assert answer["status"] == "fallback"
    assert is_fallback(answer["answer"], service.engine.knowledge)
    assert not {c["id"] for c in offered["choices"]} & {n["id"] for n in answer["near"]}
    (feedback,) = service.log.store.feedback()
    assert feedback.kind == UNHELPFUL


async def test_a_list_answered_by_a_tap_or_asked_from_elsewhere_takes_no_typed_reply(
    flows_client,
):
    """A tap closes the list (a "1" typed afterwards is no second pick); another session's
    list, and one offered to a client without a session (the address many users may share
    behind one NAT), take none either: each gets the `no_list` text."""
    client, service = flows_client
    no_list = service.knowledge.texts.no_list
    offered = await ask(client, LIST)
    await client.post(
        "/api/v1/pick",
        json={
            "exchange": offered["exchange"],
            "entry_id": offered["choices"][0]["id"],
            "session": "w-0123456789ab",
        },
    )
    assert (await ask(client, "1"))["status"] == "smalltalk"
    await ask(client, LIST, session="w-other")
    assert (await ask(client, "1"))["text"].startswith(no_list[:10])
    await ask(client, LIST, session=None)
    assert (await ask(client, "1", session=None))["status"] == "smalltalk"


@pytest.mark.parametrize("tapped", [0, None])
async def test_a_tap_sent_without_the_session_closes_the_list_too(flows_client, tapped):
    """The API's pick names the exchange, and a client need not send the session with it (the
    table in docs/web.md shows none): the exchange says whose list the tap answered, so a "2" or
    都不是 typed afterwards is still no second answer to it."""
    client, _ = flows_client
    offered = await ask(client, LIST)
    entry = offered["choices"][tapped]["id"] if tapped is not None else None
    await client.post("/api/v1/pick", json={"exchange": offered["exchange"], "entry_id": entry})
    assert (await ask(client, "2"))["status"] == "smalltalk"
    # ...and a list of another session, open meanwhile, stays open.
    await ask(client, LIST, session="w-other")
    offered = await ask(client, LIST)
    await client.post("/api/v1/pick", json={"exchange": offered["exchange"], "entry_id": None})
    assert (await ask(client, "2", session="w-other"))["status"] == "answered"


@pytest.mark.parametrize("typed", ["4", "第四个"])
async def test_a_number_past_the_lists_end_shows_it_again_still_open(flows_client, typed):
    """ "4" to a list of three got `no_list` with the list on the screen, and dropped it."""
    client, service = flows_client
    offered = await ask(client, LIST)
    again = await ask(client, typed)
    assert (again["status"], again["choices"]) == ("clarify", offered["choices"])
    assert again["exchange"] == offered["exchange"]  # not logged as a question of its own
    answer = await ask(client, "3")
    assert answer["entry_id"] == offered["choices"][2]["id"]
    (feedback,) = service.log.store.feedback()
    assert (feedback.kind, feedback.exchange_id) == (PICKED, offered["exchange"])
