"""SMS through Twilio Programmable Messaging: replies out, customers' texts and receipts in.

Outbound: ``POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json`` (HTTP Basic sid:token,
form ``To``, ``From`` or ``MessagingServiceSid``, ``Body``, ``StatusCallback``); the answer's
``sid`` is the provider id receipts name later. Inbound, two webhooks Twilio POSTs forms to,
each signed with ``X-Twilio-Signature`` = Base64(HMAC-SHA1(auth token, the full URL Twilio was
given + every POST key and value in key order)):

    /hooks/<name>/status    MessageSid, MessageStatus, ErrorCode   -> Inbox.receipt
    /hooks/<name>/inbound   MessageSid, From, To, Body, NumMedia,   -> Inbox.ingest
                            MediaUrl{N}, MediaContentType{N}          (answered with empty TwiML)

Twilio pushes; there is no cursor to keep. A webhook is answered 2xx only after the inbox took
it, so a failure is Twilio's to redeliver and the hub dedupes by (channel, MessageSid).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx
from litestar import Request, Response, post
from litestar.types import ControllerRouterHandler

from services.channels.base import Adapter, AdapterContext, Secret, Section
from services.config import ConfigError
from services.domain.identity import InvalidIdentity, normalise_phone
from services.domain.inbox import ChannelUnavailable, InboundFile, InboundMessage, OutboundMessage
from services.protocol.channels import CHANNELS

log = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_FILE_BYTES = 10 * 1024 * 1024  # the gateway's upload cap
MAX_MEDIA = 10  # Twilio delivers at most ten media items a message
MAX_FIELDS = 100  # keys a webhook form may have (Twilio sends ~20, 2 per media item)
# Twilio's refusal codes about the recipient, as the reason the operator sees (Twilio's own
# messages repeat the phone number, so they are never passed on).
REFUSALS = {
    21211: "invalid 'To' phone number",
    21408: "sending to this region is not enabled",
    21610: "the recipient unsubscribed (STOP)",
    21612: "the recipient cannot be reached from this number",
    21614: "'To' is not a mobile number",
    21617: "the text is longer than 1600 characters",
}
# Twilio statuses a receipt carries -> our delivery states. Earlier ones (queued, accepted,
# scheduled, sending) are before "sent", which the hub records when send() returns.
RECEIPT_STATES = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}
_SID = re.compile(r"[A-Za-z0-9]{2,64}")  # a Twilio sid: SM/MM + 32 hex digits
# A receipt can beat the hub's write of the id send() returned; one for a message this
# adapter sent that long ago is tried again a few times.
_LATE_RECEIPT_DELAYS = (0.1, 0.3, 1.0, 3.0)
_RECENT_WINDOW_S = 120.0
_RECENT_MAX = 10_000


class _Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status, self.why = status, why


def twilio_signature(token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """Twilio's request signature: the URL, then each key and its values in key order."""
    by_key: dict[str, set[str]] = {}
    for key, value in params:
        by_key.setdefault(key, set()).add(value)
    data = url + "".join(k + v for k in sorted(by_key) for v in sorted(by_key[k]))
    digest = hmac.new(token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL with and without its scheme's default port (Twilio signs what it was given)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if default is None or parts.hostname is None:
        return [url]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is None:
        other = parts._replace(netloc=f"{host}:{default}")
    elif parts.port == default:
        other = parts._replace(netloc=host)
    else:
        return [url]
    return [url, urlunsplit(other)]


class SmsAdapter(Adapter):
    channel = "sms"
    kind = "sms"

    def __init__(
        self,
        name: str,
        *,
        api_base: str,
        account_sid: str,
        auth_token: Secret,
        from_number: str = "",
        messaging_service_sid: str = "",
        default_region: str = "RU",
        max_body_bytes: int = 64 * 1024,
        max_file_bytes: int = MAX_FILE_BYTES,
        timeout_s: float = 10.0,
    ) -> None:
        super().__init__(name)
        self.api_base = api_base.rstrip("/")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.default_region = default_region
        self.max_body_bytes = max_body_bytes
        self.max_file_bytes = max_file_bytes
        self.timeout_s = timeout_s
        self.ctx: AdapterContext | None = None
        self._http: httpx.AsyncClient | None = None
        self._recent: OrderedDict[str, float] = OrderedDict()

    @classmethod
    def from_section(cls, section: Section) -> SmsAdapter:
        where = section.where
        api_base = section.get("api_base", "https://api.twilio.com").strip()
        if urlsplit(api_base).scheme not in ("http", "https") or not urlsplit(api_base).netloc:
            raise ConfigError(f"{where} api_base: expected an http(s) URL, got {api_base!r}")
        account_sid = section.get("account_sid", "").strip()
        token = section.secret("auth_token")
        from_number = section.get("from_number", "").strip()
        service = section.get("messaging_service_sid", "").strip()
        region = section.get("default_region", "RU").strip().upper()
        max_body = section.get("max_body_bytes", 64 * 1024)
        max_file = section.get("max_file_bytes", MAX_FILE_BYTES)
        timeout_s = float(section.get("timeout_s", 10.0))
        if not section.disabled:
            if not re.fullmatch(r"AC[0-9a-fA-F]{32}", account_sid):
                raise ConfigError(f"{where} account_sid: expected AC and 32 hex digits")
            if bool(from_number) == bool(service):
                raise ConfigError(f"{where}: give from_number or messaging_service_sid (one)")
            if service and not re.fullmatch(r"MG[0-9a-fA-F]{32}", service):
                raise ConfigError(f"{where} messaging_service_sid: expected MG and 32 hex digits")
        if not re.fullmatch(r"[A-Z]{2}", region):
            raise ConfigError(f"{where} default_region: expected a two-letter region, like RU")
        if max_body < 1024:
            raise ConfigError(f"{where} max_body_bytes: at least 1024")
        if timeout_s <= 0:
            raise ConfigError(f"{where} timeout_s: must be positive")
        return cls(
            section.name,
            api_base=api_base,
            account_sid=account_sid,
            auth_token=token,
            from_number=from_number,
            messaging_service_sid=service,
            default_region=region,
            max_body_bytes=max_body,
            max_file_bytes=max_file,
            timeout_s=timeout_s,
        )

    # -- life cycle --------------------------------------------------------------------

    async def start(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        self._http = httpx.AsyncClient(
            auth=(self.account_sid, self.auth_token.reveal()),
            timeout=httpx.Timeout(self.timeout_s),
            follow_redirects=True,  # media URLs redirect to Twilio's CDN
            max_redirects=3,
        )

    async def stop(self) -> None:
        self.ctx = None
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    @property
    def status_callback(self) -> str:
        assert self.ctx is not None
        return f"{self.ctx.public_url.rstrip('/')}{self.ctx.hook_path}/status"

    # -- outbound ----------------------------------------------------------------------

    async def send(self, msg: OutboundMessage) -> str:
        http = self._http
        if http is None or self.ctx is None:
            raise ChannelUnavailable("sms adapter is not running", retry=True)
        if msg.attachments:
            raise ChannelUnavailable("an SMS carries no files")
        text = msg.text
        if not text.strip():
            raise ChannelUnavailable("empty SMS text")
        if len(text) > CHANNELS["sms"].text_limit:
            raise ChannelUnavailable(f"SMS text longer than {CHANNELS['sms'].text_limit}")
        try:
            to = normalise_phone(msg.address, self.default_region)
        except InvalidIdentity:
            raise ChannelUnavailable("not a phone number") from None
        form = {"To": to, "Body": text, "StatusCallback": self.status_callback}
        if self.messaging_service_sid:
            form["MessagingServiceSid"] = self.messaging_service_sid
        else:
            form["From"] = self.from_number
        url = f"{self.api_base}/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        try:
            answer = await http.post(url, data=form)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing reached Twilio: another try cannot send twice.
            self.tracker.failed(f"cannot reach Twilio: {type(exc).__name__}", down=True)
            log.warning("sms event %s: Twilio unreachable (%s)", msg.event_id, type(exc).__name__)
            raise ChannelUnavailable("Twilio unreachable", retry=True) from None
        except httpx.HTTPError as exc:
            # The request went out and the answer was lost: Twilio may hold the message.
            self.tracker.failed(f"no answer from Twilio: {type(exc).__name__}")
            log.warning("sms event %s: answer lost (%s)", msg.event_id, type(exc).__name__)
            raise ChannelUnavailable("no answer from Twilio (may have been sent)") from None
        return self._sent(msg.event_id, answer)

    def _sent(self, event_id: int, answer: httpx.Response) -> str:
        status = answer.status_code
        if 200 <= status < 300:
            data = _json(answer)
            sid = data.get("sid")
            if not isinstance(sid, str) or not _SID.fullmatch(sid):
                self.tracker.failed("Twilio accepted without a message sid")
                raise ChannelUnavailable("Twilio answered without a message sid")
            self.tracker.ok()
            self._remember(sid)
            segments = str(data.get("num_segments") or "?")[:4]
            log.info("sms event %s sent as %s (%s segments)", event_id, sid, segments)
            return sid
        code = _json(answer).get("code")
        code = code if isinstance(code, int) else None
        if status == 429 or status >= 500:
            retry_after = _retry_after(answer.headers.get("retry-after"))
            self.tracker.failed(f"Twilio answered {status}")
            log.warning("sms event %s: Twilio answered %s (code %s)", event_id, status, code)
            raise ChannelUnavailable(
                f"Twilio answered {status}", retry=True, retry_after_s=retry_after
            )
        if status in (401, 403, 404):
            # Wrong credentials or account: nothing goes out until the section is fixed.
            self.tracker.failed(f"Twilio refused the account ({status}, code {code})", down=True)
            log.error(
                "sms event %s: Twilio refused the account (%s, code %s)", event_id, status, code
            )
            raise ChannelUnavailable(f"Twilio refused the account ({status})")
        # A refusal of this message (a bad or unsubscribed number): Twilio itself is fine.
        self.tracker.ok()
        reason = REFUSALS.get(code or 0, f"Twilio refused the message ({status})")
        log.info("sms event %s refused by Twilio (%s, code %s)", event_id, status, code)
        raise ChannelUnavailable(f"{reason} (code {code})" if code else reason)

    def _remember(self, sid: str) -> None:
        now = time.monotonic()
        self._recent[sid] = now
        while self._recent and (
            len(self._recent) > _RECENT_MAX
            or next(iter(self._recent.values())) < now - _RECENT_WINDOW_S
        ):
            self._recent.popitem(last=False)

    # -- webhooks ----------------------------------------------------------------------

    def routes(self) -> Sequence[ControllerRouterHandler]:
        adapter = self

        @post("/status", status_code=200)
        async def status(request: Request[Any, Any, Any]) -> Response[str]:
            return await adapter._webhook(request, "status")

        @post("/inbound", status_code=200)
        async def inbound(request: Request[Any, Any, Any]) -> Response[str]:
            return await adapter._webhook(request, "inbound")

        return [status, inbound]

    async def _webhook(self, request: Request[Any, Any, Any], hook: str) -> Response[str]:
        ctx = self.ctx
        if ctx is None:
            # Stopped: Twilio sees a failure and the message is not lost.
            return Response("not running", status_code=503, media_type="text/plain")
        try:
            body = await self._read_body(request)
            params = self._verified_form(ctx, request, hook, body)
            if hook == "status":
                await self._on_status(ctx, params)
                return Response("", status_code=200, media_type="text/plain")
            await self._on_inbound(ctx, params)
            return Response(TWIML_EMPTY, status_code=200, media_type="text/xml")
        except _Refused as refused:
            log.warning("sms %s webhook refused: %s", hook, refused.why)
            return Response(refused.why, status_code=refused.status, media_type="text/plain")
        except Exception as exc:
            # The hub failed mid-way: Twilio sees a failure; the form is not logged.
            log.error("sms %s webhook failed: %s", hook, type(exc).__name__)
            return Response("failed", status_code=500, media_type="text/plain")

    async def _read_body(self, request: Request[Any, Any, Any]) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            raise _Refused(413, "body too large")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _Refused(413, "body too large")
            chunks.append(chunk)
        return b"".join(chunks)

    def _verified_form(
        self, ctx: AdapterContext, request: Request[Any, Any, Any], hook: str, body: bytes
    ) -> dict[str, str]:
        try:
            text = body.decode("utf-8")
            pairs = parse_qsl(
                text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FIELDS
            )
        except ValueError:
            raise _Refused(400, "malformed form") from None
        # Twilio signs the URL it was configured with: our public address, query included.
        url = f"{ctx.public_url.rstrip('/')}{ctx.hook_path}/{hook}"
        query = request.scope.get("query_string", b"")
        if query:
            url += "?" + query.decode("latin-1")
        presented = request.headers.get("x-twilio-signature", "")
        token = self.auth_token.reveal()
        if not presented or not any(
            hmac.compare_digest(presented.encode(), twilio_signature(token, u, pairs).encode())
            for u in _url_variants(url)
        ):
            raise _Refused(403, "missing or wrong X-Twilio-Signature")
        params: dict[str, str] = {}
        for key, value in pairs:
            params.setdefault(key, value)
        sid = params.get("MessageSid", "")
        if not _SID.fullmatch(sid):
            raise _Refused(400, "no MessageSid")
        if params.get("AccountSid", self.account_sid) != self.account_sid:
            raise _Refused(403, f"{sid} is of another account")
        return params

    async def _on_status(self, ctx: AdapterContext, params: dict[str, str]) -> None:
        sid, status = params["MessageSid"], params.get("MessageStatus", "")
        state = RECEIPT_STATES.get(status)
        if state is None:
            # queued/accepted/sending/scheduled: not news; an unknown status is not ours to map.
            return
        error = ""
        if state == "failed":
            code = params.get("ErrorCode", "")[:10]
            error = f"Twilio {status}" + (f" (error {code})" if code.isdigit() else "")
        if await ctx.inbox.receipt(self.channel, sid, state, error):
            log.info("sms %s: %s", sid, status)
        elif sid in self._recent:
            ctx.spawn(self._late_receipt(ctx, sid, state, error))
        else:
            log.info("sms receipt for unknown message %s (%s)", sid, status)

    async def _late_receipt(self, ctx: AdapterContext, sid: str, state: str, error: str) -> None:
        for delay in _LATE_RECEIPT_DELAYS:
            await asyncio.sleep(delay)
            if await ctx.inbox.receipt(self.channel, sid, state, error):
                log.info("sms %s: %s (late)", sid, state)
                return
        log.warning("sms receipt for %s (%s) matched no message", sid, state)

    async def _on_inbound(self, ctx: AdapterContext, params: dict[str, str]) -> None:
        sid = params["MessageSid"]
        try:
            sender = normalise_phone(params.get("From", ""), self.default_region)
        except InvalidIdentity:
            # A short code or alphanumeric sender: nobody to answer by SMS.
            raise _Refused(400, f"{sid}: sender is not a phone number") from None
        text = params.get("Body", "")
        count = params.get("NumMedia", "0")
        if not count.isdigit() or int(count) > MAX_MEDIA:
            raise _Refused(400, f"{sid}: bad NumMedia")
        files, refused = await self._media(sid, params, int(count))
        msg = InboundMessage(
            self.channel,
            "phone",
            sender,
            text,
            provider_id=sid,
            verified=True,  # Twilio's signature vouches for the number it received from
            files=files,
            extra={"refused_files": refused} if refused else {},
        )
        try:
            result = await ctx.inbox.ingest(msg)
        except Exception as exc:
            log.error("sms inbound %s not taken: %s", sid, type(exc).__name__)
            raise _Refused(500, "not taken, deliver again") from None
        log.info(
            "sms inbound %s -> event %s (%d files%s)",
            sid,
            result.event_id,
            len(files),
            ", duplicate" if result.duplicate else "",
        )

    async def _media(
        self, sid: str, params: dict[str, str], count: int
    ) -> tuple[list[InboundFile], list[str]]:
        """The MMS files, fetched from Twilio (never from another host): the ones that
        could not be had are named so the operator knows."""
        files: list[InboundFile] = []
        refused: list[str] = []
        for i in range(count):
            url = params.get(f"MediaUrl{i}", "")
            mime = params.get(f"MediaContentType{i}", "application/octet-stream")[:100]
            name = f"{sid}-{i}.{_extension(mime)}"
            if not url.startswith(self.api_base + "/"):
                log.warning("sms inbound %s: media %d is not on Twilio's host", sid, i)
                refused.append(name)
                continue
            data = await self._download(sid, i, url)
            if data is None:
                refused.append(name)
            else:
                files.append(InboundFile(name, mime, data))
        return files, refused

    async def _download(self, sid: str, index: int, url: str) -> bytes | None:
        if self._http is None:
            return None
        try:
            async with self._http.stream("GET", url) as answer:
                if answer.status_code != 200:
                    log.warning(
                        "sms inbound %s: media %d answered %s", sid, index, answer.status_code
                    )
                    return None
                chunks, size = [], 0
                async for chunk in answer.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_file_bytes:
                        log.warning("sms inbound %s: media %d over the file cap", sid, index)
                        return None
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            log.warning("sms inbound %s: media %d failed (%s)", sid, index, type(exc).__name__)
            return None


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        data = answer.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (Twilio sends seconds), bounded to an hour."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return min(max(seconds, 0.0), 3600.0) if seconds == seconds else None


def _extension(mime: str) -> str:
    known = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/gif": "gif",
        "video/mp4": "mp4",
        "audio/mpeg": "mp3",
        "text/vcard": "vcf",
        "text/plain": "txt",
        "application/pdf": "pdf",
    }
    return known.get(mime.split(";")[0].strip().lower(), "bin")
