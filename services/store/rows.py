"""One shape per row: every row the hub writes is made here, and every view of one too.

Keeping them in one place means a timeline item looks the same whether it reached the operator
as an event, a page of the feed or a command's result, and a column added to a table is added
to its row once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.store import tables
from services.store.writer import WriteBatch


def timeline_row(
    *,
    item_id: int,
    customer_id: int,
    conversation_id: int | None,
    kind: str,
    channel: str | None,
    direction: str,
    author_operator_id: int | None,
    author_label: str,
    body: str,
    created_at: datetime,
    subject: str = "",
    attachments: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    provider_id: str | None = None,
    delivery: str | None = None,
) -> dict[str, Any]:
    return {
        "id": item_id,
        "customer_id": customer_id,
        "conversation_id": conversation_id,
        "kind": kind,
        "channel": channel,
        "direction": direction,
        "author_operator_id": author_operator_id,
        "author_label": author_label,
        "subject": subject,
        "body": body,
        "attachments": attachments or [],
        "extra": extra or {},
        "provider_id": provider_id,
        "delivery": delivery,
        "created_at": created_at,
    }


def note_row(
    item_id: int,
    customer_id: int,
    conversation_id: int | None,
    operator_id: int,
    author: str,
    text: str,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An internal note: on the customer's timeline, never sent to the customer."""
    return timeline_row(
        item_id=item_id,
        customer_id=customer_id,
        conversation_id=conversation_id,
        kind="note",
        channel=None,
        direction="internal",
        author_operator_id=operator_id,
        author_label=author,
        body=text,
        created_at=now,
        extra=extra,
    )


def item_view(row: Any) -> dict[str, Any]:
    """What operators see of a timeline row (a dict made here, or a row read back)."""
    get = row.__getitem__ if isinstance(row, dict) else row._mapping.__getitem__
    return {
        "id": get("id"),
        "customer_id": get("customer_id"),
        "conversation_id": get("conversation_id"),
        "kind": get("kind"),
        "channel": get("channel"),
        "direction": get("direction"),
        "author": get("author_label"),
        "author_operator_id": get("author_operator_id"),
        "subject": get("subject"),
        "body": get("body"),
        "attachments": get("attachments"),
        "extra": get("extra"),
        "delivery": get("delivery"),
        "at": get("created_at").isoformat(),
    }


def attachment_view(row: Any) -> dict[str, Any]:
    """What a timeline item's ``attachments`` list holds of a file (an attachments row).

    ``url`` is relative to the gateway's HTTP side (``auth_ok.http_url``); it names the file and
    its content's SHA-256, and is read with the operator's session token.
    """
    get = row.__getitem__ if isinstance(row, dict) else row._mapping.__getitem__
    return {
        "id": get("id"),
        "name": get("name"),
        "size": get("size"),
        "mime": get("mime"),
        "url": f"/files/{get('id')}/{get('sha256')}",
    }


def add_audit(
    batch: WriteBatch,
    operator_id: int | None,
    action: str,
    target_type: str,
    target_id: int | str,
    details: dict[str, Any] | None = None,
) -> None:
    batch.add(
        tables.audit,
        {
            "at": batch.now,
            "operator_id": operator_id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "details": details or {},
        },
    )


def add_lifecycle(
    batch: WriteBatch,
    conversation_id: int,
    kind: str,
    operator_id: int | None,
    queue_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    """One moment of a conversation's life, stamped with the batch's time: the same instant
    as the conversation's own column for it (KPIs are computed from these)."""
    batch.add(
        tables.lifecycle,
        {
            "conversation_id": conversation_id,
            "kind": kind,
            "at": batch.now,
            "operator_id": operator_id,
            "queue_id": queue_id,
            "details": details or {},
        },
    )


def add_idempotency(batch: WriteBatch, key: tuple[int, str, str], result: dict[str, Any]) -> None:
    """The first result of a command, kept with its effect in the same transaction."""
    operator_id, idem_key, command = key
    batch.add(
        tables.idempotency,
        {
            "operator_id": operator_id,
            "key": idem_key,
            "command": command,
            "result": result,
            "created_at": batch.now,
        },
    )
