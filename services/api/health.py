"""``GET /healthz``: up or down for anyone; the gateway's figures for monitoring and supervisors.

Without credentials it says only whether the gateway can use its store (200 or 503). A bearer
token, either the configured monitoring token or the session token of a signed-in supervisor or
admin, adds the figures: how many operators are online and conversations open is not for the
whole internet.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Protocol

import msgspec
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from sqlalchemy import Connection, select

from services.api.bearer import Refusal, bearer, operator_session
from services.domain.inbox import AdapterHealth
from services.hub import Hub
from services.protocol.errors import ErrorCode
from services.store.models import StoreMeta
from services.store.store import Store

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 3.0
FIGURE_ROLES = frozenset({"supervisor", "admin"})


class WriterFigures(msgspec.Struct):
    batches: int
    jobs: int


class ChannelFigures(msgspec.Struct, omit_defaults=True):
    channel: str
    state: str  # "ok", "degraded", "down"
    detail: str = ""
    failures: int = 0
    last_ok_at: float | None = None
    last_error_at: float | None = None


class Health(msgspec.Struct, omit_defaults=True):
    status: str  # "ok" | "unavailable"
    epoch: str | None = None
    operators_online: int | None = None
    open_conversations: int | None = None
    writer: WriterFigures | None = None
    # Each provider adapter by its section name: a provider that is down shows here for IT.
    channels: dict[str, ChannelFigures] | None = None


class HealthError(msgspec.Struct):
    error: str  # an ErrorCode: token_invalid, token_expired, forbidden
    message: str


class _Refusal(Exception):
    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Gateway(Protocol):
    """What the health check reads of the running gateway."""

    @property
    def hub(self) -> Hub: ...

    @property
    def store(self) -> Store: ...

    @property
    def monitoring_token(self) -> str: ...

    def channel_health(self) -> dict[str, AdapterHealth]: ...


def health_routes(gateway: Gateway) -> list[HTTPRouteHandler]:
    @get(
        "/healthz",
        summary="Liveness; the gateway's figures with a bearer token",
        description=(
            "200 when the gateway can use its store, 503 when not. With `Authorization: Bearer` "
            "and the monitoring token or a supervisor's or admin's session token, also the epoch, "
            "operators online, open conversations and the store writer's counters."
        ),
    )
    async def healthz(request: Request[Any, Any, Any]) -> Response[Health | HealthError]:
        usable = await _store_usable(gateway)
        status = "ok" if usable else "unavailable"
        code = 200 if usable else 503
        presented = request.headers.get("Authorization")
        if presented is None or not usable:
            return Response(Health(status), status_code=code)
        try:
            await _check_bearer(gateway, presented)
        except _Refusal as refusal:
            headers = {"WWW-Authenticate": "Bearer"} if refusal.status == 401 else {}
            return Response(
                HealthError(refusal.code.value, refusal.message),
                status_code=refusal.status,
                headers=headers,
            )
        hub, writer = gateway.hub, gateway.store.writer
        return Response(
            Health(
                status,
                epoch=gateway.store.epoch,
                operators_online=sum(1 for o in hub.operators.values() if o.presence != "offline"),
                open_conversations=len(hub.convs),
                writer=WriterFigures(writer.stats.batches, writer.stats.jobs),
                channels={
                    name: ChannelFigures(
                        h.channel, h.state, h.detail, h.failures, h.last_ok_at, h.last_error_at
                    )
                    for name, h in gateway.channel_health().items()
                },
            ),
            status_code=code,
        )

    return [healthz]


async def _store_usable(gateway: Gateway) -> bool:
    """The store answers, and it is the same store (epoch) the gateway started on."""
    try:
        epoch = await asyncio.wait_for(gateway.store.read(_read_epoch), PROBE_TIMEOUT_S)
    except Exception as exc:
        log.warning("health probe: the store is not usable", extra={"error": type(exc).__name__})
        return False
    return epoch == gateway.store.epoch


def _read_epoch(conn: Connection) -> str | None:
    return conn.execute(select(StoreMeta.value).where(StoreMeta.key == "epoch")).scalar()


async def _check_bearer(gateway: Gateway, presented: str) -> None:
    try:
        token = bearer(presented)
        assert token is not None
        monitoring = gateway.monitoring_token
        if monitoring and hmac.compare_digest(token.encode(), monitoring.encode()):
            return
        row = await operator_session(gateway.store, token)
    except Refusal as refusal:
        raise _Refusal(refusal.status, refusal.code, refusal.message) from refusal
    if row.role not in FIGURE_ROLES:
        raise _Refusal(403, ErrorCode.FORBIDDEN, "the figures are for supervisors and admins")
