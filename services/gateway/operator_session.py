"""One operator's websocket: auth phase, command registry, and a sender that never loses events.

Events reach the socket through :class:`EventSender`. It tracks the last sequence number the
client has been sent; whenever a live event is not the next one (the client resumed from an
older point, or its buffer overflowed because it reads too slowly), the missing range is read
back from the store first. So a slow client costs the gateway a bounded buffer and a catch-up
query, never a stall, and a client sees every event once and in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import Connection, select
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from services import auth as A
from services.admin.operators import revoke_token_statement
from services.domain.rate import TokenBucket
from services.domain.routing import OperatorState
from services.protocol import commands
from services.protocol.errors import ErrorCode, ProtocolError
from services.protocol.messages import (
    PROTOCOL_VERSION,
    Auth,
    AuthFailed,
    AuthOk,
    Command,
    Error,
    Event,
    Live,
    OperatorInfo,
    Result,
    decode_client,
    encode,
)
from services.store import queries as Q
from services.store import tables as T
from services.store.models import utcnow
from services.store.writer import Published, WriteBatch

if TYPE_CHECKING:
    from services.gateway.server import Gateway

log = logging.getLogger(__name__)

SessionHandler = Callable[[OperatorState, Any], Awaitable[dict[str, Any]]]

AUTH_TIMEOUT_S = 10.0
CATCH_UP_PAGE = 500


_RESYNC = encode(Live("queue.resync", {}))


class EventSender:
    """The only writer to the socket: replies first, then events in sequence order."""

    def __init__(
        self, ws: ServerConnection, gw: Gateway, operator_id: int, sent_seq: int, limit: int
    ) -> None:
        self.ws = ws
        self.gw = gw
        self.operator_id = operator_id
        self.sent_seq = sent_seq
        self.limit = limit
        self.frames: deque[bytes] = deque()
        self.events: deque[Published] = deque()
        # The latest live view of each shared thing (a queued conversation): a slow reader gets
        # the newest only; past the limit they get "queue.resync" and read a snapshot.
        self.live_views: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self.live_resync = False
        self.overflowed = True  # start with a catch-up: whatever committed before we subscribed
        self.wake = asyncio.Event()
        self.wake.set()
        self.overflows = 0
        # Set by auth.logout: close the socket once the replies queued so far are out.
        self.close_with: tuple[int, str] | None = None

    def push(self, ev: Published) -> None:
        if len(self.events) >= self.limit:
            # Too slow a reader: drop the buffer; the store has it all.
            self.events.clear()
            self.overflowed = True
            self.overflows += 1
        else:
            self.events.append(ev)
        self.wake.set()

    def reply(self, frame: bytes) -> None:
        self.frames.append(frame)
        self.wake.set()

    def close_after_replies(self, code: int, reason: str) -> None:
        self.close_with = (code, reason)
        self.wake.set()

    def live(self, key: tuple[str, int], frame: bytes) -> None:
        self.live_views.pop(key, None)
        if len(self.live_views) >= self.limit:
            self.live_views.clear()
            self.live_resync = True
        else:
            self.live_views[key] = frame
        self.wake.set()

    async def run(self) -> None:
        epoch = self.gw.store.epoch
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.frames:
                await self.ws.send(self.frames.popleft(), text=True)
            if self.close_with is not None:
                await self.ws.close(*self.close_with)
                return
            if self.live_resync:
                self.live_resync = False
                await self.ws.send(_RESYNC, text=True)
            while self.live_views:
                _key, frame = self.live_views.popitem(last=False)
                await self.ws.send(frame, text=True)
            if self.overflowed:
                self.overflowed = False
                await self._catch_up(None)
            while self.events:
                ev = self.events.popleft()
                if ev.seq <= self.sent_seq:
                    continue
                if ev.seq > self.sent_seq + 1:
                    await self._catch_up(ev.seq)
                await self.ws.send(encode(Event(ev.seq, epoch, ev.name, ev.data)), text=True)
                self.sent_seq = ev.seq
                if self.frames:
                    break  # let replies overtake a long run of events
            if self.frames or self.events:
                self.wake.set()

    async def _catch_up(self, until: int | None) -> None:
        epoch = self.gw.store.epoch
        while True:
            rows = await self.gw.store.read(
                functools.partial(
                    Q.events_after,
                    operator_id=self.operator_id,
                    after=self.sent_seq,
                    until=until,
                    limit=CATCH_UP_PAGE,
                )
            )
            for seq, name, data in rows:
                if seq <= self.sent_seq:
                    continue
                await self.ws.send(encode(Event(seq, epoch, name, data)), text=True)
                self.sent_seq = seq
            if len(rows) < CATCH_UP_PAGE:
                return


class OperatorSession:
    def __init__(self, gw: Gateway, ws: ServerConnection) -> None:
        self.gw = gw
        self.ws = ws
        self.op: OperatorState | None = None
        self.sender: EventSender | None = None
        self.bucket = TokenBucket(gw.config.rate_per_s, gw.config.rate_burst)
        self.token_digest = ""
        # Commands the session answers itself, not the hub.
        self.own_commands: dict[str, SessionHandler] = {"auth.logout": self._logout}

    # -- framing ------------------------------------------------------------------------------
    def _error(
        self, code: ErrorCode, message: str, cmd_id: int | None = None, **details: Any
    ) -> bytes:
        return encode(Error(code=code.value, message=message, id=cmd_id, details=details))

    async def _send_now(self, frame: bytes) -> None:
        await self.ws.send(frame, text=True)

    def _too_big(self, raw: str | bytes) -> bool:
        return len(raw) > self.gw.config.max_frame_bytes

    # -- lifecycle ------------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            if not await self._auth_phase():
                return
            assert self.op is not None and self.sender is not None
            self.gw.hub.subscribe(self.op.id, self.sender)
            self.gw.store_watch.register(self, self.token_digest)
            sender_task = asyncio.create_task(self.sender.run())
            try:
                await self._command_loop(sender_task)
            finally:
                self.gw.store_watch.unregister(self)
                self.gw.hub.unsubscribe(self.op.id, self.sender)
                sender_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await sender_task
        except ConnectionClosed:
            pass

    async def _auth_phase(self) -> bool:
        try:
            raw = await asyncio.wait_for(self.ws.recv(), AUTH_TIMEOUT_S)
        except TimeoutError:
            await self._send_now(
                encode(AuthFailed(ErrorCode.NOT_AUTHENTICATED.value, "no auth frame in time"))
            )
            await self.ws.close(4401, "auth timeout")
            return False
        try:
            if self._too_big(raw):
                raise ProtocolError(ErrorCode.FRAME_TOO_LARGE, "frame too large")
            frame = decode_client(raw)
            if not isinstance(frame, Auth):
                raise ProtocolError(ErrorCode.NOT_AUTHENTICATED, "authenticate first")
            if frame.version != PROTOCOL_VERSION:
                raise ProtocolError(
                    ErrorCode.UNSUPPORTED_VERSION, f"this gateway speaks version {PROTOCOL_VERSION}"
                )
            ok = await self._authenticate(frame)
        except ProtocolError as exc:
            await self._send_now(encode(AuthFailed(exc.code.value, exc.message, exc.details)))
            # 4429 tells a client to wait (details.retry_after) rather than ask for a password.
            close_code = 4429 if exc.code is ErrorCode.RATE_LIMITED else 4401
            await self.ws.close(close_code, exc.code.value)
            return False
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            await self._send_now(encode(AuthFailed(ErrorCode.BAD_FRAME.value, str(exc))))
            await self.ws.close(4400, "bad frame")
            return False
        await self._send_now(encode(ok))
        return True

    async def _authenticate(self, frame: Auth) -> AuthOk:
        gw = self.gw
        if frame.token:
            digest = A.token_digest(frame.token)
            row = await gw.store.read(lambda c: _token_row(c, digest))
            if row is None or row.revoked:
                raise ProtocolError(ErrorCode.TOKEN_INVALID, "unknown or revoked token")
            if row.expires_at <= utcnow():
                raise ProtocolError(ErrorCode.TOKEN_EXPIRED, "the session has expired; sign in")
            op_row = row
            token, expires = frame.token, row.expires_at
        elif frame.username and frame.password:
            username = frame.username.strip().lower()
            address = self._client_address()
            throttle = gw.login_throttle
            # Refused before the password is looked at: a guess during the wait costs nothing.
            throttle.check_allowed(username, address)
            op_row = await gw.store.read(lambda c: _operator_row(c, username))
            # Verify even for an unknown user, so timing does not tell which names exist.
            stored = op_row.password_hash if op_row is not None else gw.dummy_hash
            loop = asyncio.get_running_loop()
            new_hash: str | None = None
            with throttle.password_check():
                good = await loop.run_in_executor(None, A.verify_password, stored, frame.password)
                if good and op_row is not None and op_row.active and A.needs_rehash(stored):
                    # Made with older, weaker parameters: store it again with today's.
                    new_hash = await loop.run_in_executor(None, A.hash_password, frame.password)
            if op_row is None or not good or not op_row.active:
                throttle.failed(username, address)
                raise ProtocolError(ErrorCode.INVALID_CREDENTIALS, "wrong username or password")
            throttle.succeeded(username)
            token = A.new_token()
            ttl = (
                timedelta(days=gw.config.remember_ttl_days)
                if frame.remember
                else timedelta(hours=gw.config.token_ttl_hours)
            )
            expires = utcnow() + ttl
            digest = A.token_digest(token)
            op_id = op_row.id

            def job(b: WriteBatch) -> None:
                b.add(
                    T.session_tokens,
                    {
                        "token_hash": digest,
                        "operator_id": op_id,
                        "created_at": b.now,
                        "expires_at": expires,
                        "revoked": False,
                    },
                )
                if new_hash is not None:
                    operators = T.operators
                    # Only if unchanged meanwhile (a password set from the CLI wins).
                    b.execute(
                        operators.update()
                        .where(operators.c.id == op_id, operators.c.password_hash == stored)
                        .values(password_hash=new_hash)
                    )

            await gw.store.write(job)
        else:
            raise ProtocolError(
                ErrorCode.INVALID_CREDENTIALS, "give a username and password, or a token"
            )
        op = gw.hub.operators.get(op_row.id) or gw.hub.add_operator(op_row)
        self.op = op
        self.token_digest = digest
        lo, hi = await gw.store.read(lambda c: Q.seq_bounds(c, op.id))
        resume: str | None = None
        start = hi
        if frame.resume is not None:
            r = frame.resume
            if r.epoch != gw.store.epoch or r.last_seq > hi:
                resume = "epoch_changed"
            elif lo and r.last_seq + 1 < lo:
                resume = "gap_too_old"
            else:
                resume = "resumed"
                start = r.last_seq
        self.sender = EventSender(self.ws, gw, op.id, start, gw.config.send_queue_limit)
        info = OperatorInfo(
            op.id,
            op.username,
            op.display_name,
            op.role,
            sorted(op.skills),
            dict(op.capacity),
            op.presence,
        )
        return AuthOk(
            operator=info,
            token=token,
            expires_at=expires.isoformat(),
            epoch=gw.store.epoch,
            last_seq=hi,
            server_version=PROTOCOL_VERSION,
            resume=resume,
        )

    async def _command_loop(self, sender_task: asyncio.Task[None]) -> None:
        assert self.sender is not None
        async for raw in self.ws:
            if sender_task.done():
                break
            if self._too_big(raw):
                self.sender.reply(
                    self._error(
                        ErrorCode.FRAME_TOO_LARGE,
                        f"frames are limited to {self.gw.config.max_frame_bytes} bytes",
                    )
                )
                continue
            try:
                frame = decode_client(raw)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                code = (
                    ErrorCode.UNKNOWN_TYPE
                    if "Invalid value" in str(exc) and "type" in str(exc)
                    else ErrorCode.BAD_FRAME
                )
                self.sender.reply(self._error(code, f"unreadable frame: {exc}"))
                continue
            if not isinstance(frame, Command):
                self.sender.reply(self._error(ErrorCode.BAD_FRAME, "already authenticated"))
                continue
            if not self.bucket.take():
                self.sender.reply(
                    self._error(ErrorCode.RATE_LIMITED, "too many commands; slow down", frame.id)
                )
                continue
            # Commands run concurrently (a slow read does not hold up the next command);
            # those on one conversation are ordered by the hub.
            self.gw.spawn(self._run_command(frame))

    async def _run_command(self, cmd: Command) -> None:
        assert self.sender is not None and self.op is not None
        try:
            data, replayed = await self._dispatch(cmd)
            frame = encode(Result(id=cmd.id, data=data, replayed=replayed))
        except ProtocolError as exc:
            frame = self._error(exc.code, exc.message, cmd.id, **exc.details)
        except Exception:
            log.exception("command %s failed", cmd.name)
            frame = self._error(ErrorCode.INTERNAL_ERROR, "internal error", cmd.id)
        self.sender.reply(frame)

    async def _dispatch(self, cmd: Command) -> tuple[dict[str, Any], bool]:
        op = self.op
        assert op is not None
        registry = self.gw.commands
        bound = registry.lookup(cmd.name, op)
        args = registry.parse(bound, cmd.args)
        if bound.per_session:
            return await self.own_commands[cmd.name](op, args), False
        if not bound.spec.mutating:
            return await registry.call(bound, op, args, None), False
        key = registry.check_key(cmd.key)
        return await self.gw.idempotency.run(
            op.id, key, cmd.name, lambda: registry.call(bound, op, args, (op.id, key, cmd.name))
        )

    def _client_address(self) -> str:
        remote = self.ws.remote_address
        return str(remote[0]) if remote else ""

    async def _logout(self, op: OperatorState, args: commands.NoArgs) -> dict[str, Any]:
        """Revoke the token this session signed in with, then close this socket (4401
        ``logged_out``) after the result; other sockets on the token close at the next check."""
        assert self.sender is not None
        statement = revoke_token_statement(self.token_digest)

        def revoke(batch: WriteBatch) -> None:
            batch.execute(statement)

        await self.gw.store.write(revoke)
        self.gw.store_watch.unregister(self)
        self.sender.close_after_replies(4401, "logged_out")
        return {"revoked": True}


class Idempotency:
    """Same key, same result, one effect: a recent-results cache, in-flight joins, the store.

    A key belongs to one command: reusing it for another command is refused rather than
    answered with the first command's result.
    """

    def __init__(self, gw: Gateway, cache_size: int = 50_000) -> None:
        self.gw = gw
        self.cache: OrderedDict[tuple[int, str], tuple[str, dict[str, Any]]] = OrderedDict()
        self.inflight: dict[tuple[int, str], tuple[str, asyncio.Future[dict[str, Any]]]] = {}
        self.cache_size = cache_size

    @staticmethod
    def _same_command(first: str, name: str) -> None:
        if first != name:
            raise ProtocolError(
                ErrorCode.INVALID_ARGS,
                f"this idempotency key was used for {first}; use a new key for {name}",
            )

    async def run(
        self, op_id: int, key: str, name: str, fn: Callable[[], Awaitable[dict[str, Any]]]
    ) -> tuple[dict[str, Any], bool]:
        k = (op_id, key)
        if k in self.cache:
            first, result = self.cache[k]
            self._same_command(first, name)
            return result, True
        pending = self.inflight.get(k)
        if pending is not None:
            self._same_command(pending[0], name)
            return await asyncio.shield(pending[1]), True
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.inflight[k] = (name, fut)
        try:
            stored = await self.gw.store.read(lambda c: Q.idempotent_result(c, op_id, key))
            if stored is not None:
                first, result = stored
                self._remember(k, first, result)
                self._same_command(first, name)
                fut.set_result(result)
                return result, True
            result = await fn()
            self._remember(k, name, result)
            fut.set_result(result)
            return result, False
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved: joiners re-raise it themselves
            raise
        finally:
            self.inflight.pop(k, None)

    def _remember(self, k: tuple[int, str], name: str, result: dict[str, Any]) -> None:
        self.cache[k] = (name, result)
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)


def _token_row(conn: Connection, digest: str) -> Any:
    return conn.execute(
        select(T.operators, T.session_tokens.c.expires_at, T.session_tokens.c.revoked)
        .join(T.session_tokens, T.session_tokens.c.operator_id == T.operators.c.id)
        .where(T.session_tokens.c.token_hash == digest, T.operators.c.active.is_(True))
    ).first()


def _operator_row(conn: Connection, username: str) -> Any:
    return conn.execute(select(T.operators).where(T.operators.c.username == username)).first()
