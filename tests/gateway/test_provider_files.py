"""Files a provider delivers with a message (a Telegram photo, an e-mail attachment): checked
like any upload, kept for the customer, and what is refused is named on the message."""

from __future__ import annotations

from sqlalchemy import select

from services.domain.inbox import InboundFile, InboundMessage
from services.store import tables
from tests.gateway.conftest import RunningGateway
from tests.gateway.test_files import PDF, PNG


def message(provider_id: str, files: list[InboundFile]) -> InboundMessage:
    return InboundMessage(
        "telegram",
        "telegram",
        "424242",
        "чек во вложении",
        provider_id=provider_id,
        verified=True,
        files=files,
    )


async def test_provider_files_are_kept_and_refused_ones_named(gateway: RunningGateway) -> None:
    gw = gateway.gw
    files = [
        InboundFile("чек.png", "image/png", PNG),
        InboundFile("договор.pdf", "application/octet-stream", PDF),  # typed by its content
        InboundFile("setup.exe", "application/pdf", b"MZ\x90\x00" + bytes(200)),
        InboundFile("empty.txt", "text/plain", b""),
    ]
    result = await gw.hub.ingest(message("1:10", files))
    timeline, attachments = tables.timeline, tables.attachments
    item = await gw.store.read(
        lambda c: c.execute(select(timeline).where(timeline.c.id == result.event_id)).one()
    )
    assert [(a["name"], a["mime"]) for a in item.attachments] == [
        ("чек.png", "image/png"),
        ("договор.pdf", "application/pdf"),
    ]
    refused = {f["name"]: f["reason"] for f in item.extra["refused_files"]}
    assert set(refused) == {"setup.exe", "empty.txt"}
    assert "not accepted" in refused["setup.exe"] and "empty" in refused["empty.txt"]
    kept = await gw.store.read(
        lambda c: c.execute(
            select(attachments.c.name, attachments.c.item_id, attachments.c.customer_id)
        ).all()
    )
    assert sorted(r.name for r in kept) == ["договор.pdf", "чек.png"]
    assert {(r.item_id, r.customer_id) for r in kept} == {(result.event_id, item.customer_id)}
    # The provider delivers the same update again: one message, its files kept once.
    again = await gw.hub.ingest(message("1:10", [InboundFile("чек.png", "image/png", PNG)]))
    assert again.duplicate and again.event_id == result.event_id
    count = await gw.store.read(lambda c: len(c.execute(select(attachments.c.id)).all()))
    assert count == 2


async def test_more_files_than_a_message_may_carry_are_named_not_kept(
    gateway: RunningGateway,
) -> None:
    gw = gateway.gw
    limit = gw.hub.files.limits.per_message
    files = [InboundFile(f"фото {i}.png", "image/png", PNG) for i in range(limit + 2)]
    result = await gw.hub.ingest(message("1:11", files))
    timeline = tables.timeline
    item = await gw.store.read(
        lambda c: c.execute(select(timeline).where(timeline.c.id == result.event_id)).one()
    )
    assert len(item.attachments) == limit
    assert [f["name"] for f in item.extra["refused_files"]] == [
        f"фото {i}.png" for i in range(limit, limit + 2)
    ]
