"""Asterisk ARI: inbound calls as touchpoints (a screen pop while the phone still rings, a
call-end record when it is over) and call control for the hub (answer, hold, transfer, hang up).

The events come over ARI's websocket (``/ari/events?app=NAME``); ARI keeps no backlog for a
disconnected app, so every (re)connect lists ``GET /channels`` to pick up the calls still in
Stasis. Per-call state lives in ``calls.json`` in the adapter's state folder until the call's end
was handed to the inbox: a restart (or an inbox that failed) neither loses a call nor pops it
twice (the hub also dedupes by provider id: the channel id, and ``<id>:end`` for the end).

Other PBXs report calls to the generic CTI webhook ``POST /hooks/<name>/cti`` (enabled by
``cti_secret``)::

    {"event": "ring" | "answer" | "hangup", "call_id": "…", "from": "+7…",
     "disposition": "answered" | "missed" | "abandoned"?, "duration_s": 12?, "recording": "…"?}

signed ``X-OmniDesk-Signature: sha256=<hex HMAC-SHA256(cti_secret, raw body)>``.

Dispositions: ``answered`` (the call was up), ``missed`` (it rang and ended unanswered),
``abandoned`` (answered, then the caller hung up while on hold).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from litestar import Request, Response, post
from litestar.types import ControllerRouterHandler
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.typing import Subprotocol

from services.channels.base import Adapter, AdapterContext, Cursor, Secret, Section, sleep_or_stop
from services.config import ConfigError
from services.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from services.domain.identity import InvalidIdentity, normalise_phone
from services.domain.inbox import ChannelUnavailable, InboundMessage, OutboundMessage

log = logging.getLogger(__name__)

# Channel ids ("1733612345.42"), CTI call ids and recording names: they go into URL paths.
_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# A dial string of a transfer: technology/resource ("PJSIP/1002", "SIP/trunk/8495…").
_ENDPOINT = re.compile(r"[A-Za-z0-9_]{1,32}/[A-Za-z0-9@._:+#*/-]{1,200}")
_REGION = re.compile(r"[A-Z]{2}")
_MAX_EVENT_BYTES = 1024 * 1024  # one ARI event (a channel with its variables is a few KB)
_MAX_CTI_BYTES = 16 * 1024
_MAX_CALLS = 5000  # live calls kept; more is a flood, not a call centre
_END_GRACE_S = 0.5  # StasisEnd comes before ChannelDestroyed (which says the cause)
_BACKOFF_S = (1.0, 30.0)
_INBOUND_STATES = {"Ring", "Ringing", "Up"}
_DISPOSITIONS = ("answered", "missed", "abandoned")
_CTI_EVENTS = ("ring", "answer", "hangup")
# What the hub says of a touchpoint that no retry can change.
_REFUSALS = (InvalidInput, NotFound, Forbidden, Conflict, TooLarge, UnsupportedType)


@dataclass
class Call:
    """One call the adapter follows, from its first ring until its end reached the inbox."""

    source: str  # "ari" or "cti"
    id: str
    number: str  # E.164
    started_at: str  # ISO 8601, UTC
    state: str = "ringing"  # ringing, up, hold
    answered_at: str = ""
    popped: bool = False  # the ring touchpoint reached the inbox
    ended_at: str = ""
    cause: str = ""
    final: bool = False  # the end is known for sure (ChannelDestroyed, a CTI hangup)
    disposition: str = ""  # given by a CTI hangup
    duration_s: int | None = None  # given by a CTI hangup
    recording: str = ""
    ended_on_hold: bool = False
    due: float = field(default=0.0, compare=False)  # monotonic: end without ChannelDestroyed

    def state_row(self) -> dict[str, Any]:
        row = asdict(self)
        row.pop("due")
        return row


class AsteriskAdapter(Adapter):
    channel = "voice"
    kind = "asterisk"

    def __init__(
        self,
        name: str,
        *,
        ari_url: str,
        app: str,
        username: str,
        password: Secret,
        default_region: str = "RU",
        cti_secret: Secret | None = None,
        record: bool = False,
        timeout_s: float = 10.0,
    ) -> None:
        super().__init__(name)
        self.ari_url = ari_url.rstrip("/")
        self.app = app
        self.username = username
        self.password = password
        self.default_region = default_region
        self.cti_secret = cti_secret or Secret("")
        self.record = record
        self.timeout_s = timeout_s
        self.ctx: AdapterContext | None = None
        self._calls: dict[tuple[str, str], Call] = {}
        self._cursor: Cursor | None = None
        self._http: httpx.AsyncClient | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._retry_at: float | None = None
        self._retry_delay = _BACKOFF_S[0]
        self._connected = asyncio.Event()
        self._ws: ClientConnection | None = None
        self._recording_started: dict[str, asyncio.Task[None]] = {}

    # -- configuration -------------------------------------------------------------------

    @classmethod
    def from_section(cls, section: Section) -> AsteriskAdapter:
        ari_url = section.get("ari_url", "http://127.0.0.1:8088/ari").strip()
        parts = urlsplit(ari_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{section.where} ari_url: expected http(s)://host:port/ari")
        if parts.username or parts.password or parts.query:
            raise ConfigError(
                f"{section.where} ari_url: no credentials or query in the URL "
                "(username, password_env/password_file)"
            )
        app = section.required("app")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", app):
            raise ConfigError(f"{section.where} app: letters, digits, '-' and '_'")
        region = section.get("default_region", "RU").strip().upper()
        if not _REGION.fullmatch(region):
            raise ConfigError(f"{section.where} default_region: a two-letter country code")
        timeout_s = float(section.get("timeout_s", 10.0))
        if not 0 < timeout_s <= 120:
            raise ConfigError(f"{section.where} timeout_s: between 0 and 120 seconds")
        return cls(
            section.name,
            ari_url=ari_url,
            app=app,
            username=section.required("username"),
            password=section.secret("password"),
            default_region=region,
            cti_secret=section.secret("cti_secret", required=False),
            record=section.get("record", False),
            timeout_s=timeout_s,
        )

    # -- life cycle ----------------------------------------------------------------------

    async def start(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        self._stopping = asyncio.Event()
        self._connected = asyncio.Event()
        self._cursor = Cursor(ctx.state_dir / "calls.json")
        self._calls = {}
        saved: dict[str, list[dict[str, Any]]] = self._cursor.load({"calls": []})
        for row in saved.get("calls", [])[:_MAX_CALLS]:
            try:
                call = Call(**row)
            except TypeError:
                log.warning("%s: a saved call of another shape skipped", self.name)
                continue
            self._calls[(call.source, call.id)] = call
        self._retry_at, self._retry_delay = None, _BACKOFF_S[0]
        self._http = httpx.AsyncClient(
            base_url=self.ari_url,
            auth=(self.username, self.password.reveal()),
            timeout=self.timeout_s,
            trust_env=False,
        )
        self._tasks = [
            asyncio.create_task(self._events_loop(), name=f"{self.name}-ari-events"),
            asyncio.create_task(self._flush_loop(), name=f"{self.name}-ari-flush"),
        ]
        if self._calls:
            log.info("%s: %d calls carried over", self.name, len(self._calls))

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        tasks = [*self._tasks, *self._recording_started.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        self._save()

    async def send(self, msg: OutboundMessage) -> str:
        raise ChannelUnavailable("calls are not written to", retry=False)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def call_state(self, channel_id: str) -> str | None:
        """ringing, up or hold for a call in progress; None for one the adapter does not hold."""
        call = self._calls.get(("ari", channel_id)) or self._calls.get(("cti", channel_id))
        return None if call is None or call.ended_at else call.state

    # -- call control (for the hub) ------------------------------------------------------

    async def answer(self, channel_id: str) -> None:
        await self._rest("POST", f"/channels/{_checked_id(channel_id)}/answer")

    async def hold(self, channel_id: str) -> None:
        await self._rest("POST", f"/channels/{_checked_id(channel_id)}/hold")

    async def unhold(self, channel_id: str) -> None:
        await self._rest("DELETE", f"/channels/{_checked_id(channel_id)}/hold")

    async def hangup(self, channel_id: str) -> None:
        await self._rest("DELETE", f"/channels/{_checked_id(channel_id)}", {"reason": "normal"})

    async def transfer(self, channel_id: str, endpoint: str) -> None:
        if not _ENDPOINT.fullmatch(endpoint):
            raise ChannelUnavailable("not a dial string (technology/resource)", retry=False)
        path = f"/channels/{_checked_id(channel_id)}/redirect"
        await self._rest("POST", path, {"endpoint": endpoint})
        call = self._calls.get(("ari", channel_id))
        if call is not None:
            call.cause = "transferred"

    async def _rest(
        self, method: str, path: str, params: dict[str, str] | None = None
    ) -> httpx.Response:
        """One ARI request; its refusals as ChannelUnavailable with ARI's message."""
        if self._http is None:
            raise ChannelUnavailable("the ARI adapter is not running", retry=True)
        try:
            answer = await self._http.request(method, path, params=params)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            self.tracker.failed(f"ARI unreachable: {type(exc).__name__}", down=True)
            raise ChannelUnavailable("ARI cannot be reached", retry=True) from None
        except httpx.TimeoutException:
            # The request went out: the PBX may have acted on it.
            self.tracker.failed("ARI did not answer in time")
            raise ChannelUnavailable("ARI did not answer in time", retry=False) from None
        except httpx.HTTPError as exc:
            self.tracker.failed(f"ARI request failed: {type(exc).__name__}")
            raise ChannelUnavailable("ARI request failed", retry=False) from None
        status = answer.status_code
        if (status < 300 or status in (400, 404, 409, 412)) and self.connected:
            self.tracker.ok()  # ARI answers (a refusal of one call is not ill health)
        if status < 300:
            return answer
        message = _ari_message(answer)
        log.warning("%s: ARI %s %s answered %d", self.name, method, _path_kind(path), status)
        if status in (401, 403):
            self.tracker.failed(f"ARI refused the credentials (HTTP {status})", down=True)
            raise ChannelUnavailable(message, retry=False)
        if status == 429 or status >= 500:
            self.tracker.failed(f"ARI answered HTTP {status}")
            raise ChannelUnavailable(message, retry=True, retry_after_s=_retry_after(answer))
        # 400 bad parameter, 404 no such channel, 409 not in Stasis, 412 wrong state.
        raise ChannelUnavailable(message, retry=False)

    # -- the events socket ----------------------------------------------------------------

    def _events_url(self) -> str:
        parts = urlsplit(self.ari_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        # ARI splits api_key at the first ':'; the password is only ever in this URL, which
        # nothing logs (websockets' own log goes through a redacting filter).
        key = quote(self.username, safe="") + ":" + quote(self.password.reveal(), safe="")
        query = f"app={quote(self.app, safe='')}&api_key={key}"
        return urlunsplit((scheme, parts.netloc, parts.path + "/events", query, ""))

    async def _events_loop(self) -> None:
        delay = _BACKOFF_S[0]
        ws_log = _redacting_logger(self.username, self.password)
        while not self._stopping.is_set():
            reached = False
            try:
                async with connect(
                    self._events_url(),
                    subprotocols=[Subprotocol("ari")],
                    open_timeout=self.timeout_s,
                    max_size=_MAX_EVENT_BYTES,
                    proxy=None,
                    logger=ws_log,
                ) as ws:
                    reached = True
                    self._ws = ws
                    await self._resync()
                    self.tracker.ok()
                    self._connected.set()
                    delay = _BACKOFF_S[0]
                    log.info("%s: ARI events connected", self.name)
                    async for raw in ws:
                        await self._on_raw(raw)
                if not self._stopping.is_set():
                    self.tracker.failed("ARI events socket closed")
            except asyncio.CancelledError:
                raise
            except InvalidStatus as exc:
                code = exc.response.status_code
                self.tracker.failed(f"ARI refused the events socket (HTTP {code})", down=True)
            except (OSError, TimeoutError, WebSocketException, ChannelUnavailable) as exc:
                if not self._stopping.is_set():
                    self.tracker.failed(f"ARI events: {type(exc).__name__}", down=not reached)
            except Exception as exc:
                # A listing that is not JSON, or a bug: still reconnect, never stop following.
                log.exception("%s: ARI events failed", self.name)
                self.tracker.failed(f"ARI events: {type(exc).__name__}")
            finally:
                self._ws = None
                self._connected.clear()
            if self._stopping.is_set():
                break
            log.warning("%s: ARI events disconnected; again in %.0f s", self.name, delay)
            if await sleep_or_stop(self._stopping, delay):
                break
            delay = min(delay * 2, _BACKOFF_S[1])

    async def _on_raw(self, raw: str | bytes) -> None:
        try:
            event = json.loads(raw)
        except ValueError:
            log.warning("%s: an ARI event that is not JSON (%d bytes) skipped", self.name, len(raw))
            return
        if not isinstance(event, dict):
            log.warning("%s: an ARI event that is not an object skipped", self.name)
            return
        try:
            await self._on_event(event)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning(
                "%s: ARI event %s skipped: %s", self.name, _safe_type(event), type(exc).__name__
            )

    async def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        application = event.get("application")
        if application is not None and application != self.app:
            return
        if kind == "RecordingFailed":
            self._recording_failed(event.get("recording"))
            return
        channel = event.get("channel")
        if not isinstance(channel, dict) or not isinstance(channel.get("id"), str):
            return  # bridges, recordings of bridges, …: nothing a call's record needs
        channel_id: str = channel["id"]
        at = _timestamp(event.get("timestamp"))
        if kind == "StasisStart":
            if event.get("replace_channel"):
                return  # a masquerade: the call is already followed under its first id
            self._begin(channel, at)
        else:
            call = self._calls.get(("ari", channel_id))
            if call is None or call.final:
                return
            if kind == "ChannelStateChange" and channel.get("state") == "Up":
                await self._answered(call, at)
            elif kind == "ChannelHold" and call.state == "up":
                call.state = "hold"
            elif kind == "ChannelUnhold" and call.state == "hold":
                call.state = "up"
            elif kind == "StasisEnd":
                self._ended(call, at)
                call.due = time.monotonic() + _END_GRACE_S
                self._wake.set()
            elif kind == "ChannelDestroyed":
                self._ended(call, at)
                cause = event.get("cause_txt")
                if isinstance(cause, str) and cause:
                    call.cause = cause[:100]
                call.final = True
            else:
                return
            self._save()
        await self._flush()

    def _recording_failed(self, recording: object) -> None:
        """A call's recording failed (no space, a bad format): its end names none."""
        if not isinstance(recording, dict):
            return
        target = recording.get("target_uri")
        if not isinstance(target, str) or not target.startswith("channel:"):
            return
        call = self._calls.get(("ari", target.removeprefix("channel:")))
        if call is not None and call.recording == recording.get("name"):
            call.recording = ""
            self._save()

    def _begin(self, channel: dict[str, Any], at: str) -> Call | None:
        """A call entering Stasis: followed from now on (once: a second StasisStart or a
        listing of the same channel changes nothing)."""
        channel_id = channel["id"]
        if ("ari", channel_id) in self._calls or not _ID.fullmatch(channel_id):
            return None
        if channel.get("state") not in _INBOUND_STATES:
            return None
        caller = channel.get("caller") or {}
        number = self._number(caller.get("number") if isinstance(caller, dict) else None)
        if number is None:
            log.info("%s: call %s has no usable caller number; not followed", self.name, channel_id)
            return None
        if len(self._calls) >= _MAX_CALLS:
            log.warning(
                "%s: %d calls in progress; call %s not followed", self.name, _MAX_CALLS, channel_id
            )
            return None
        up = channel.get("state") == "Up"
        call = Call("ari", channel_id, number, at, "up" if up else "ringing", at if up else "")
        self._calls[("ari", channel_id)] = call
        return call

    def _number(self, raw: object) -> str | None:
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            return normalise_phone(raw, self.default_region)
        except InvalidIdentity:
            return None

    async def _answered(self, call: Call, at: str) -> None:
        if call.answered_at:
            return
        call.state, call.answered_at = "up", at
        if self.record and call.source == "ari" and call.id not in self._recording_started:
            # Beside the events: a slow answer from ARI must not hold up other calls' pops.
            task = asyncio.create_task(self._start_recording(call))
            self._recording_started[call.id] = task

    async def _start_recording(self, call: Call) -> None:
        try:
            await self._rest(
                "POST",
                f"/channels/{call.id}/record",
                {
                    "name": call.id,
                    "format": "wav",
                    "maxDurationSeconds": "0",
                    "maxSilenceSeconds": "0",
                    "ifExists": "overwrite",
                    "beep": "false",
                    "terminateOn": "none",
                },
            )
            call.recording = call.id
        except ChannelUnavailable as exc:
            log.warning("%s: call %s not recorded: %s", self.name, call.id, exc.reason)
        finally:
            self._recording_started.pop(call.id, None)
            self._save()
            self._wake.set()

    @staticmethod
    def _ended(call: Call, at: str) -> None:
        if not call.ended_at:
            call.ended_at = at
            call.ended_on_hold = call.state == "hold"

    async def _resync(self) -> None:
        """After a (re)connect: calls that entered Stasis while the socket was down are
        followed now, calls that ended meanwhile are closed."""
        answer = await self._rest("GET", "/channels")
        listed = answer.json()
        if not isinstance(listed, list):
            raise ChannelUnavailable("ARI listed no channels", retry=True)
        now = _now()
        seen: set[str] = set()
        for channel in listed[:_MAX_CALLS]:
            if not isinstance(channel, dict) or not isinstance(channel.get("id"), str):
                continue
            plan = channel.get("dialplan") or {}
            if not isinstance(plan, dict) or plan.get("app_name") != "Stasis":
                continue
            if str(plan.get("app_data", "")).split(",")[0] != self.app:
                continue
            seen.add(channel["id"])
            call = self._calls.get(("ari", channel["id"]))
            if call is None:
                self._begin(channel, now)
            elif channel.get("state") == "Up" and not call.answered_at:
                await self._answered(call, now)
        for call in self._calls.values():
            if call.source == "ari" and call.id not in seen and not call.final:
                self._ended(call, now)
                call.final = True  # it left while nobody listened: no cause to wait for
        self._save()
        await self._flush()

    # -- handing touchpoints to the inbox -------------------------------------------------

    async def _flush_loop(self) -> None:
        while not self._stopping.is_set():
            due = self._next_due()
            delay = None if due is None else max(0.0, due - time.monotonic())
            self._wake.clear()
            if delay is None or delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
            if self._stopping.is_set():
                break
            await self._flush()

    def _next_due(self) -> float | None:
        times = [c.due for c in self._calls.values() if c.ended_at and not c.final]
        if self._retry_at is not None:
            times.append(self._retry_at)
        return min(times) if times else None

    async def _flush(self) -> None:
        """Hand what is due to the inbox, in order: a call's ring before its end. A failing
        inbox leaves the rest for a retry with backoff (ARI redelivers nothing)."""
        if self.ctx is None:
            return
        inbox = self.ctx.inbox
        async with self._flush_lock:
            if self._retry_at is not None and time.monotonic() < self._retry_at:
                return
            now = time.monotonic()
            changed = False
            try:
                for key, call in list(self._calls.items()):
                    if not call.popped:
                        await self._ingest(self._ring_message(call))
                        call.popped, changed = True, True
                    if call.id in self._recording_started:
                        continue  # its end names the recording once ARI said yes or no
                    if call.ended_at and (call.final or call.due <= now):
                        end = self._end_message(call)
                        if await self._ingest(end) and end.extra["call"]["disposition"] != (
                            "answered"
                        ):
                            # The caller left before anyone took the call: out of the queue.
                            await inbox.abandon("phone", call.number, self.channel)
                        del self._calls[key]
                        changed = True
            except Exception as exc:
                changed = True  # what just arrived must survive a restart all the same
                self._retry_at = time.monotonic() + self._retry_delay
                log.warning(
                    "%s: the inbox did not take a call touchpoint (%s); again in %.0f s",
                    self.name,
                    type(exc).__name__,
                    self._retry_delay,
                )
                self._retry_delay = min(self._retry_delay * 2, _BACKOFF_S[1])
                self._wake.set()
            else:
                self._retry_at, self._retry_delay = None, _BACKOFF_S[0]
            finally:
                if changed:
                    self._save()

    async def _ingest(self, msg: InboundMessage) -> bool:
        """Hand one touchpoint to the inbox; False when the hub refused it for good (another
        try would be refused again, and must not hold up the calls behind it)."""
        assert self.ctx is not None
        try:
            await self.ctx.inbox.ingest(msg)
        except _REFUSALS as exc:
            log.warning(
                "%s: the hub refused call touchpoint %s (%s); dropped",
                self.name,
                msg.provider_id,
                type(exc).__name__,
            )
            return False
        return True

    def _ring_message(self, call: Call) -> InboundMessage:
        return InboundMessage(
            channel=self.channel,
            identity_kind="phone",
            identity_value=call.number,
            text="",
            kind="call",
            provider_id=call.id,
            verified=True,
            extra={
                "call": {
                    "state": "ringing" if call.state == "ringing" else "up",
                    "channel_id": call.id,
                    "started_at": call.started_at,
                }
            },
        )

    def _end_message(self, call: Call) -> InboundMessage:
        if call.disposition:
            disposition = call.disposition
        elif not call.answered_at:
            disposition = "missed"
        elif call.ended_on_hold:
            disposition = "abandoned"
        else:
            disposition = "answered"
        if call.duration_s is not None:
            duration = call.duration_s
        elif call.answered_at:
            seconds = _parse(call.ended_at) - _parse(call.answered_at)
            duration = max(0, round(seconds.total_seconds()))
        else:
            duration = 0
        return InboundMessage(
            channel=self.channel,
            identity_kind="phone",
            identity_value=call.number,
            text="",
            kind="call",
            provider_id=f"{call.id}:end",
            verified=True,
            extra={
                "call": {
                    "state": "ended",
                    "channel_id": call.id,
                    "duration_s": duration,
                    "disposition": disposition,
                    "cause": call.cause,
                    "recording": call.recording,
                }
            },
        )

    def _save(self) -> None:
        if self._cursor is not None:
            self._cursor.save({"calls": [c.state_row() for c in self._calls.values()]})

    # -- the generic CTI webhook ----------------------------------------------------------

    def routes(self) -> Sequence[ControllerRouterHandler]:
        if not self.cti_secret:
            return ()
        adapter = self

        @post("/cti", status_code=200)
        async def cti(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
            return await adapter._cti(request)

        return [cti]

    async def _cti(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > _MAX_CTI_BYTES:
            return _refuse(413, "the body is too large")
        body = await request.body()
        if len(body) > _MAX_CTI_BYTES:
            return _refuse(413, "the body is too large")
        given = request.headers.get("x-omnidesk-signature", "")
        expected = (
            "sha256="
            + hmac.new(self.cti_secret.reveal().encode(), body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(given.encode(), expected.encode()):
            log.warning("%s: CTI webhook refused: bad signature (%d bytes)", self.name, len(body))
            return _refuse(403, "bad signature")
        try:
            event = _cti_event(body)
        except ValueError as exc:
            log.warning("%s: CTI webhook refused: %s", self.name, exc)
            return _refuse(400, str(exc))
        if self.ctx is None:
            return _refuse(503, "not started")
        key = ("cti", event["call_id"])
        call = self._calls.get(key)
        if call is None:
            number = self._number(event.get("from"))
            if number is None:
                if event["event"] == "hangup" and "from" not in event:
                    return Response({"ok": True})  # its end went to the inbox already
                log.warning(
                    "%s: CTI call %s refused: no usable caller number", self.name, event["call_id"]
                )
                return _refuse(400, "from: not a phone number")
            if len(self._calls) >= _MAX_CALLS:
                return _refuse(503, "too many calls in progress")
            now = _now()
            up = event["event"] == "answer"
            call = Call(
                "cti", event["call_id"], number, now, "up" if up else "ringing", now if up else ""
            )
            self._calls[key] = call
        if event["event"] == "answer":
            await self._answered(call, _now())
        elif event["event"] == "hangup":
            self._ended(call, _now())
            call.final = True
            call.disposition = event.get("disposition", "")
            call.duration_s = event.get("duration_s")
            call.recording = event.get("recording", "") or call.recording
        self._save()
        await self._flush()
        done = call.popped and (event["event"] != "hangup" or key not in self._calls)
        if not done:
            # The PBX sends it again; the provider ids make a second copy harmless.
            return _refuse(503, "not taken yet; send it again")
        return Response({"ok": True})


def _cti_event(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise ValueError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    event, call_id = data.get("event"), data.get("call_id")
    if event not in _CTI_EVENTS:
        raise ValueError("event: ring, answer or hangup")
    if not isinstance(call_id, str) or not _ID.fullmatch(call_id):
        raise ValueError("call_id: 1-128 of A-Z a-z 0-9 . _ : -")
    out: dict[str, Any] = {"event": event, "call_id": call_id}
    if "from" in data:
        if not isinstance(data["from"], str) or len(data["from"]) > 64:
            raise ValueError("from: a phone number")
        out["from"] = data["from"]
    if data.get("disposition") is not None:
        if data["disposition"] not in _DISPOSITIONS:
            raise ValueError("disposition: answered, missed or abandoned")
        out["disposition"] = data["disposition"]
    if data.get("duration_s") is not None:
        duration = data["duration_s"]
        if isinstance(duration, bool) or not isinstance(duration, int | float):
            raise ValueError("duration_s: a number of seconds")
        if not 0 <= duration <= 7 * 86400:
            raise ValueError("duration_s: out of range")
        out["duration_s"] = round(duration)
    if data.get("recording") is not None:
        if not isinstance(data["recording"], str) or len(data["recording"]) > 256:
            raise ValueError("recording: a name of up to 256 characters")
        out["recording"] = data["recording"]
    return out


def _refuse(status: int, message: str) -> Response[dict[str, Any]]:
    return Response({"error": message}, status_code=status)


def _checked_id(channel_id: str) -> str:
    if not isinstance(channel_id, str) or not _ID.fullmatch(channel_id):
        raise ChannelUnavailable("not a channel id", retry=False)
    return channel_id


def _ari_message(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        body = None
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, str) and message:
        return message[:200]
    return f"ARI answered HTTP {answer.status_code}"


def _retry_after(answer: httpx.Response) -> float | None:
    value = answer.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), 3600.0)
    except ValueError:
        return None


def _path_kind(path: str) -> str:
    """The request's path with the channel id kept (ids are not personal data)."""
    return path[:160]


def _safe_type(event: dict[str, Any]) -> str:
    kind = event.get("type")
    return kind[:40] if isinstance(kind, str) else "?"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _timestamp(raw: object) -> str:
    """ARI's ``2026-12-07T23:04:14.123+0000`` as ISO 8601 in UTC (now when absent or bad)."""
    if isinstance(raw, str):
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            return _now()
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC).isoformat()
    return _now()


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


class _Redact(logging.Filter):
    """Masks the ARI credentials in what websockets logs (it logs the request line, and so
    the api_key, at debug level)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if any(s in text for s in self.secrets):
            for s in self.secrets:
                text = text.replace(s, "***")
            record.msg, record.args = text, ()
        return True


def _redacting_logger(username: str, password: Secret) -> logging.Logger:
    logger = logging.getLogger(f"{__name__}.events")
    pw = password.reveal()
    basic = base64.b64encode(f"{username}:{pw}".encode()).decode()
    logger.filters = [_Redact([quote(pw, safe=""), pw, basic])]
    return logger
