"""The store as the gateway uses it: one writer thread, a few reader threads."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from services.store.models import StoreMeta
from services.store.tables import store_meta
from services.store.writer import Job, Published, StoreWriter

T = TypeVar("T")


class Store:
    def __init__(
        self,
        engine: Engine,
        loop: asyncio.AbstractEventLoop,
        on_published: Callable[[list[Published]], None],
        rejections: tuple[type[BaseException], ...] = (),
        readers: int = 4,
    ) -> None:
        self.engine = engine
        self._loop = loop
        self.writer = StoreWriter(
            engine, loop, on_published, rejections, inline=engine.dialect.name == "sqlite"
        )
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="store-reader")
        self.epoch = ""

    async def start(self) -> None:
        self.epoch = await self.read(ensure_epoch)
        self.writer.start()

    def write(self, job: Job[T]) -> asyncio.Future[T]:
        return self.writer.submit(job)

    async def read(self, fn: Callable[[Connection], T]) -> T:
        return await self._loop.run_in_executor(self._readers, _run_read, self.engine, fn)

    async def close(self) -> None:
        await self.writer.close()
        self._readers.shutdown(wait=True)
        self.engine.dispose()


def _run_read(engine: Engine, fn: Callable[[Connection], T]) -> T:
    with engine.connect() as conn:
        return fn(conn)


def ensure_epoch(conn: Connection) -> str:
    """The event-stream epoch: made once per store; a new store means clients must reload."""
    epoch = conn.execute(select(StoreMeta.value).where(StoreMeta.key == "epoch")).scalar()
    if epoch is None:
        epoch = secrets.token_hex(8)
        conn.execute(store_meta.insert(), {"key": "epoch", "value": epoch})
        conn.commit()
    return str(epoch)


def ensure_secret(conn: Connection, key: str) -> bytes:
    """A random 32-byte secret kept in ``store_meta`` under ``key``: made once per store, the
    same for every gateway node sharing it (the key web-chat download links are signed with)."""
    found = conn.execute(select(StoreMeta.value).where(StoreMeta.key == key)).scalar()
    if found is None:
        try:
            conn.execute(store_meta.insert(), {"key": key, "value": secrets.token_hex(32)})
            conn.commit()
        except IntegrityError:
            conn.rollback()  # another node made it first: read back whichever won
        found = conn.execute(select(StoreMeta.value).where(StoreMeta.key == key)).scalar_one()
    return bytes.fromhex(str(found))
