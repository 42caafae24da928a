"""CSAT after wrap-up: the visitor is told the chat closed, rates it once, and the rating is
on the operator's timeline live and on the card as ``last_csat``. Real sockets."""

from __future__ import annotations

import json
from typing import Any

from services.store.models import CsatResponse, TimelineEvent
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_conversations import available, chat_and_offer, rows
from tests.support.opclient import ChatVisitor


async def rate(visitor: ChatVisitor, **frame: Any) -> dict[str, Any]:
    await visitor.ws.send(json.dumps({"type": "csat", **frame}))
    return await visitor.recv_type("csat_ok", "error")


async def test_a_wrapped_up_chat_is_rated_once_and_lands_on_the_card(
    gateway: RunningGateway,
) -> None:
    op = await available(gateway.url, "a1")
    visitor, conv = await chat_and_offer(gateway, op, "Спасибо за помощь?")
    conv_id, customer_id = conv["id"], conv["customer_id"]
    await op.ok("conversation.accept", {"conversation_id": conv_id})
    card = await op.ok("customer.open", {"customer_id": customer_id})
    assert card["customer"]["last_csat"] is None
    # Not closed yet: nothing to rate.
    early = await rate(visitor, conversation_id=conv_id, rating=5)
    assert early["code"] == "conflict", early

    await op.ok(
        "conversation.wrap_up",
        {"conversation_id": conv_id, "disposition": "order_status", "resolution": "ok"},
    )
    closed = await visitor.recv_type("closed")
    assert closed == {"type": "closed", "conversation_id": conv_id}
    # A visitor who comes back before answering is asked again.
    later = await ChatVisitor.connect(gateway.url, visitor_token=visitor.visitor_token)
    assert later.welcome["rate"] == conv_id

    ok = await rate(visitor, id="r1", conversation_id=conv_id, rating=4, comment=" Быстро ")
    assert ok == {"type": "csat_ok", "id": "r1", "conversation_id": conv_id, "rating": 4}
    live = await op.event("timeline.item", item__kind="csat")
    item = live["data"]["item"]
    assert (item["customer_id"], item["conversation_id"], item["body"]) == (
        customer_id,
        conv_id,
        "Быстро",
    )
    assert item["extra"] == {"rating": 4} and item["direction"] == "in"
    card = await op.ok("customer.open", {"customer_id": customer_id})
    assert card["customer"]["last_csat"] == 4
    assert any(i["kind"] == "csat" for i in card["timeline"]["items"])

    # The same answer again (a retry) is answered the same; another one is refused.
    again = await rate(later, conversation_id=conv_id, rating=4, comment="Быстро")
    assert again["type"] == "csat_ok"
    other = await rate(later, conversation_id=conv_id, rating=1)
    assert other["code"] == "conflict" and "already rated" in other["message"]
    assert len(rows(gateway, CsatResponse, conversation_id=conv_id)) == 1
    assert len(rows(gateway, TimelineEvent, kind="csat")) == 1
    # Rated: not asked any more; the rating is not a chat message in the history.
    third = await ChatVisitor.connect(gateway.url, visitor_token=visitor.visitor_token)
    assert third.welcome["rate"] is None
    assert [h["text"] for h in third.welcome["history"]] == ["Спасибо за помощь?"]

    # Bad answers are refused before anything is stored.
    for bad in ({"rating": 6}, {"rating": 0}, {"rating": "5"}, {"comment": "x" * 1001}):
        answer = await rate(third, **{"conversation_id": conv_id, "rating": 3, **bad})
        assert answer["code"] == "invalid_args", (bad, answer)
    for c in (visitor, later, third, op):
        await c.close()


async def test_a_visitor_cannot_rate_someone_elses_conversation(
    gateway: RunningGateway,
) -> None:
    op = await available(gateway.url, "a1")
    visitor, conv = await chat_and_offer(gateway, op, "Вопрос")
    await op.ok("conversation.accept", {"conversation_id": conv["id"]})
    await op.ok(
        "conversation.wrap_up",
        {"conversation_id": conv["id"], "disposition": "other", "resolved": False},
    )
    assert (await visitor.recv_type("closed"))["conversation_id"] == conv["id"]
    stranger = await ChatVisitor.connect(gateway.url)
    await stranger.say("Я тоже тут")
    refused = await rate(stranger, conversation_id=conv["id"], rating=1)
    assert refused["code"] == "not_found", refused
    assert stranger.welcome["rate"] is None
    nowhere = await rate(stranger, conversation_id=10**12, rating=1)
    assert nowhere["code"] == "not_found"
    assert rows(gateway, CsatResponse) == []
    # The owner still may: a closed (not resolved) chat is rated too.
    assert (await rate(visitor, conversation_id=conv["id"], rating=2))["type"] == "csat_ok"
    for c in (visitor, stranger, op):
        await c.close()
