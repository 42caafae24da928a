"""Attachments: receiving uploads, checking what a message may carry, and who may read a file.

An upload is received into a private temp file while it is counted and hashed: over the size
limit it stops at once, and a file whose content is not an accepted type is dropped; neither
leaves a row or a file behind. An accepted file is kept once per content (its SHA-256) and gets
a row naming its customer and uploader; a message then carries it (``item_id``), once.

Operators read a file of a customer they may open (the same rule and the same audit as the
card); a web-chat visitor reads only their own customer's files that were sent to them or that
they uploaded, by a signed link the gateway gives them or with their own visitor token.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update

from services.domain import files as rules
from services.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RateLimited,
    TooLarge,
    UnsupportedType,
)
from services.domain.rate import TokenBucket
from services.domain.routing import OperatorState
from services.hub.customers import CustomerDirectory
from services.hub.reads import Reads
from services.store import tables
from services.store.blobs import BlobStore, Incoming
from services.store.rows import attachment_view
from services.store.store import Store, ensure_secret
from services.store.writer import WriteBatch

LINK_KEY = "file_link_key"
LINK_TTL_S = 24 * 3600
# An upload no message carried is dropped after this long.
UNSENT_RETENTION = timedelta(days=1)
_BUCKETS = 10_000


@dataclass(slots=True)
class Received:
    """An upload that passed the checks, not yet kept."""

    upload: Incoming
    mime: str
    name: str


class Files:
    def __init__(
        self,
        store: Store,
        customers: CustomerDirectory,
        reads: Reads,
        limits: rules.FileLimits,
        blobs: BlobStore | None,
    ) -> None:
        self.store = store
        self.customers = customers
        self.reads = reads
        self.limits = limits
        self.blobs = blobs
        self.link_key = b""
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    async def start(self) -> None:
        self.link_key = await self.store.read(lambda c: ensure_secret(c, LINK_KEY))

    def _blobs(self) -> BlobStore:
        if self.blobs is None:
            raise NotFound("this gateway keeps no files")
        return self.blobs

    # -- receiving ----------------------------------------------------------------------------
    def visitor_may_upload(self, visitor: str) -> None:
        """Each visitor may upload ``visitor_uploads_per_min`` files a minute."""
        per_min = self.limits.visitor_uploads_per_min
        bucket = self._buckets.get(visitor)
        if bucket is None:
            bucket = self._buckets[visitor] = TokenBucket(per_min / 60.0, per_min)
            if len(self._buckets) > _BUCKETS:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(visitor)
        if not bucket.take():
            raise RateLimited("too many files; wait a minute", retry_after=60 // max(1, per_min))

    def too_large(self, declared_length: int | None) -> None:
        if declared_length is not None and declared_length > self.limits.max_bytes:
            raise TooLarge(self._too_large_text(), max_bytes=self.limits.max_bytes)

    def _too_large_text(self) -> str:
        return f"files are limited to {self.limits.max_bytes} bytes"

    async def receive(
        self, chunks: AsyncIterator[bytes], declared_name: str, declared_type: str
    ) -> Received:
        """Read an upload into a private temp file: TooLarge past the limit (the rest is not
        read), UnsupportedType for content of another type, InvalidInput when empty."""
        blobs = self._blobs()
        upload = await asyncio.to_thread(blobs.incoming)
        try:
            async for chunk in chunks:
                if upload.size + len(chunk) > self.limits.max_bytes:
                    raise TooLarge(self._too_large_text(), max_bytes=self.limits.max_bytes)
                if chunk:
                    await asyncio.to_thread(upload.write, chunk)
            upload.close()
            if upload.size == 0:
                raise InvalidInput("the file is empty")
            mime = await asyncio.to_thread(rules.sniff, upload.path, declared_name, declared_type)
            if mime is None:
                raise UnsupportedType(
                    f"this kind of file is not accepted; send {rules.ALLOWED_LABEL}"
                )
        except BaseException:
            await asyncio.to_thread(upload.discard)
            raise
        return Received(upload, mime, rules.sanitise_name(declared_name, mime))

    def discard(self, received: Received) -> None:
        received.upload.discard()

    async def keep(
        self,
        received: Received,
        customer_id: int,
        *,
        operator_id: int | None = None,
        visitor: str | None = None,
    ) -> dict[str, Any]:
        """Keep an accepted upload for ``customer_id``; returns its view (not yet sent)."""
        sha = await asyncio.to_thread(self._blobs().keep, received.upload)
        upload = received.upload

        def job(b: WriteBatch) -> dict[str, Any]:
            row = {
                "id": b.next_id(tables.attachments),
                "sha256": sha,
                "size": upload.size,
                "mime": received.mime,
                "name": received.name,
                "customer_id": customer_id,
                "uploader_operator_id": operator_id,
                "uploader_visitor": visitor,
                "conversation_id": None,
                "item_id": None,
                "created_at": b.now,
            }
            b.add(tables.attachments, row)
            return attachment_view(row)

        return await self.store.write(job)

    # -- what a message may carry -------------------------------------------------------------
    async def attachable(
        self,
        ids: list[int],
        customer_id: int,
        *,
        operator_id: int | None = None,
        visitor: str | None = None,
    ) -> list[dict[str, Any]]:
        """The views of files the uploader may send to ``customer_id`` in one message: their
        own uploads for this customer, not sent yet, at most ``per_message``."""
        if len(ids) > self.limits.per_message:
            raise InvalidInput(f"a message may carry at most {self.limits.per_message} files")
        if len(set(ids)) != len(ids):
            raise InvalidInput("the same file twice in one message")
        if not ids:
            return []
        found = {r.id: r for r in await self.store.read(lambda c: _rows(c, ids))}
        views = []
        for file_id in ids:
            row = found.get(file_id)
            mine = row is not None and (
                (operator_id is not None and row.uploader_operator_id == operator_id)
                or (visitor is not None and row.uploader_visitor == visitor)
            )
            if row is None or not mine:
                raise NotFound(f"no file {file_id} of yours")
            if row.customer_id != customer_id:
                raise InvalidInput(f"file {file_id} was uploaded for another customer")
            if row.item_id is not None:
                raise Conflict(f"file {file_id} was already sent")
            views.append(attachment_view(row))
        return views

    @staticmethod
    def link_job(b: WriteBatch, ids: list[int], item_id: int, conversation_id: int | None) -> None:
        """In the message's own transaction: the files now belong to that item, once."""
        if not ids:
            return
        a = tables.attachments
        res = b.execute(
            update(a)
            .where(a.c.id.in_(ids), a.c.item_id.is_(None))
            .values(item_id=item_id, conversation_id=conversation_id)
        )
        if res.rowcount != len(ids):
            raise Conflict("a file of this message was already sent")

    # -- reading ------------------------------------------------------------------------------
    async def row(self, file_id: int) -> Any:
        rows = await self.store.read(lambda c: _rows(c, [file_id]))
        if not rows:
            raise NotFound("no such file")
        return rows[0]

    async def for_operator(self, op: OperatorState, file_id: int, sha256: str) -> Any:
        """A file an operator may read: of a customer they may open (audited as a read)."""
        row = await self.row(file_id)
        if row.sha256 != sha256:
            raise NotFound("no such file")
        self.reads.check_access(op, row.customer_id)
        await self.reads.audit(op, "attachment.read", [row.customer_id], {"attachment": row.id})
        return row

    async def for_visitor(self, visitor: str, file_id: int) -> Any:
        """A file a visitor may read: their own customer's, sent to them or uploaded by them."""
        row = await self.row(file_id)
        customer_id = await self.visitor_customer(visitor)
        if customer_id != row.customer_id or not _visible_to_customer(row):
            raise NotFound("no such file")
        return row

    async def for_link(self, file_id: int, part: str) -> Any:
        row = await self.row(file_id)
        ok = rules.link_part_valid(self.link_key, part, row.id, row.customer_id, time.time())
        if not ok or not _visible_to_customer(row):
            raise NotFound("no such file, or the link has expired")
        return row

    def link_part(self, file_id: int, customer_id: int) -> str:
        expires = int(time.time()) + LINK_TTL_S
        return rules.sign_link_part(self.link_key, file_id, customer_id, expires)

    async def visitor_customer(self, visitor: str) -> int | None:
        ids = tables.identities
        return await self.store.read(
            lambda c: c.execute(
                select(ids.c.customer_id).where(ids.c.kind == "web_visitor", ids.c.value == visitor)
            ).scalar()
        )

    async def customer_for_visitor(self, visitor: str) -> int:
        """The visitor's customer, made now if they never wrote (a file may come first)."""
        return await self.customers.resolve("web_visitor", visitor, verified=True)

    def path(self, sha256: str) -> Any:
        return self._blobs().path(sha256)

    async def prune(self, now: datetime) -> int:
        """Uploads never sent within ``UNSENT_RETENTION``: their rows go, and the bytes too
        when no other row refers to them. Returns how many rows went."""
        cut = now - UNSENT_RETENTION
        a = tables.attachments

        def job(b: WriteBatch) -> tuple[int, list[str]]:
            stale = list(
                b.execute(
                    select(a.c.id, a.c.sha256).where(a.c.item_id.is_(None), a.c.created_at < cut)
                ).all()
            )
            if not stale:
                return 0, []
            b.execute(delete(a).where(a.c.id.in_([r.id for r in stale])))
            shas = sorted({r.sha256 for r in stale})
            used = set(b.execute(select(a.c.sha256).where(a.c.sha256.in_(shas))).scalars())
            return len(stale), [sha for sha in shas if sha not in used]

        dropped, orphans = await self.store.write(job)
        if self.blobs is not None:
            blobs = self.blobs
            for sha in orphans:
                await asyncio.to_thread(blobs.remove_if_older, sha, 3600)
        return dropped


def _visible_to_customer(row: Any) -> bool:
    """Sent in a message, or the customer's own upload: never an operator's unsent file."""
    return row.item_id is not None or row.uploader_visitor is not None


def _rows(conn: Connection, ids: list[int]) -> list[Any]:
    a = tables.attachments
    return list(conn.execute(select(a).where(a.c.id.in_(ids))).all())
