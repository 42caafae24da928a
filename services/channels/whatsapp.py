"""WhatsApp Business Cloud API (Meta Graph): webhooks in, messages out.

Meta calls ``/hooks/<name>`` twice over: a GET to verify the subscription (``hub.challenge``
echoed when ``hub.verify_token`` matches) and POSTs carrying messages and delivery statuses,
signed with ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the app secret). A POST is
answered 200 only after every message in it was ingested, so Meta redelivers the rest after a
failure (the hub dedupes by the ``wamid``).

Free text may only go out inside the 24-hour customer service window that each inbound message
opens; outside it only an approved template may. The adapter keeps the last inbound time per
``wa_id`` (a cursor, so a restart keeps the windows) and refuses locally instead of letting
Meta accept the message and fail it later with 131047.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import mimetypes
import time
from collections.abc import Sequence
from typing import Any, NoReturn

import httpx
from litestar import Request, Response, get, post
from litestar.types import ControllerRouterHandler

from services.channels.base import Adapter, AdapterContext, Cursor, Secret, Section
from services.domain.errors import InvalidInput, TooLarge, UnsupportedType
from services.domain.inbox import ChannelUnavailable, InboundFile, InboundMessage, OutboundMessage

log = logging.getLogger(__name__)

WINDOW_S = 24 * 3600
# A window that moved less than this is not written again at once: the file may then say it
# closes a little early after a restart, which only refuses locally what Meta might have taken.
WINDOW_WRITE_SLACK_S = 60.0
MAX_BODY = 1_000_000  # a webhook POST; Meta's are a few KB
MAX_ITEMS = 200  # messages + statuses in one POST
MAX_WINDOW_ENTRIES = 100_000
MAX_CAPTION = 1024  # Meta's caption limit
# Meta sends images of these types as "image"; anything else goes out as a document.
IMAGE_MIMES = frozenset({"image/jpeg", "image/png"})
CLOSED_WINDOW = "outside the 24-hour customer service window: only an approved template may go out"

# Graph error codes (channels.md §2).
WINDOW_CLOSED_CODE = 131047
TOKEN_EXPIRED_CODE = 190
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
# What the hub refuses for good (an identity that is not one): redelivery cannot change it, so
# the message is skipped instead of holding up the webhook for Meta's 7 days of retries.
REFUSED_FOR_GOOD = (InvalidInput, TooLarge, UnsupportedType)


def _digits(address: str) -> str:
    """A wa_id is the number's digits; the hub keeps it in E.164 (``+7…``)."""
    return "".join(ch for ch in address if ch.isdigit())


def _is_wa_id(raw: str) -> bool:
    return raw.isdigit() and 5 <= len(raw) <= 20


def _graph_error(resp: httpx.Response) -> tuple[int | None, str]:
    """Meta's error code and a short title (never the whole message body)."""
    try:
        error = resp.json().get("error") or {}
    except (ValueError, AttributeError):
        return None, f"HTTP {resp.status_code}"
    code = error.get("code") if isinstance(error, dict) else None
    title = str(error.get("message") or error.get("error_user_title") or "")[:120]
    return (code if isinstance(code, int) else None), title


def _retry_after(resp: httpx.Response) -> float | None:
    raw = resp.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


class WhatsAppAdapter(Adapter):
    channel = "whatsapp"
    kind = "whatsapp"

    def __init__(
        self,
        name: str,
        *,
        api_base: str,
        phone_number_id: str,
        access_token: Secret,
        app_secret: Secret,
        verify_token: Secret,
        templates: list[str],
        template_language: str,
        timeout_s: float = 15.0,
        max_file_bytes: int = 10_000_000,
    ) -> None:
        super().__init__(name)
        self.api_base = api_base.rstrip("/")
        self.phone_number_id = phone_number_id
        self._token = access_token
        self._app_secret = app_secret
        self._verify_token = verify_token
        self.templates: list[str] = list(templates)
        self.template_language = template_language
        self.timeout_s = timeout_s
        self.max_file_bytes = max_file_bytes
        self.ctx: AdapterContext | None = None
        self._client: httpx.AsyncClient | None = None
        self._window: dict[str, float] = {}  # wa_id -> the customer's last message (epoch s)
        self._window_cursor: Cursor | None = None

    @classmethod
    def from_section(cls, section: Section) -> WhatsAppAdapter:
        return cls(
            section.name,
            api_base=section.get("api_base", "https://graph.facebook.com/v21.0"),
            phone_number_id=section.required("phone_number_id"),
            access_token=section.secret("access_token"),
            app_secret=section.secret("app_secret"),
            verify_token=section.secret("verify_token"),
            templates=section.get("templates", []),
            template_language=section.get("template_language", "ru"),
            timeout_s=float(section.get("timeout_s", 15.0)) or 15.0,
            max_file_bytes=section.get("max_file_bytes", 10_000_000),
        )

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        self._window_cursor = Cursor(ctx.state_dir / "window.json")
        loaded: Any = self._window_cursor.load({})
        if not isinstance(loaded, dict):
            loaded = {}
        self._window = {str(k): float(v) for k, v in loaded.items() if isinstance(v, int | float)}
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout_s, connect=min(5.0, self.timeout_s)),
            headers={"Authorization": f"Bearer {self._token.reveal()}"},
        )
        ctx.spawn(self._probe())

    async def _probe(self) -> None:
        """Ask Meta for our number once at start, so a wrong or expired token shows as
        ``down`` in /healthz before the first reply fails on it."""
        if self._client is None:
            return
        try:
            resp = await self._client.get(
                f"{self.api_base}/{self.phone_number_id}", params={"fields": "id"}
            )
        except httpx.HTTPError as exc:
            self.tracker.failed(f"cannot reach Meta: {type(exc).__name__}", down=True)
            return
        code, _title = _graph_error(resp) if resp.status_code >= 400 else (None, "")
        if resp.status_code == 200:
            self.tracker.ok()
        elif code == TOKEN_EXPIRED_CODE or resp.status_code == 401:
            self.tracker.failed("access token expired or revoked (190)", down=True)
        else:
            self.tracker.failed(f"Meta answered {resp.status_code} ({code}) for our number")
        log.info(
            "whatsapp number checked",
            extra={"section": self.name, "status": resp.status_code, "code": code},
        )

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- the 24-hour window ---------------------------------------------------------------

    def window_open_until(self, wa_id: str) -> float | None:
        """When the customer service window with ``wa_id`` closes (epoch s), None if closed."""
        last = self._window.get(_digits(wa_id))
        if last is None or last + WINDOW_S <= time.time():
            return None
        return last + WINDOW_S

    def _save_window(self) -> None:
        horizon = time.time() - WINDOW_S
        kept = {k: v for k, v in self._window.items() if v > horizon}
        if len(kept) > MAX_WINDOW_ENTRIES:
            newest = sorted(kept.items(), key=lambda kv: kv[1])[-MAX_WINDOW_ENTRIES:]
            kept = dict(newest)
        self._window = kept
        if self._window_cursor is not None:
            self._window_cursor.save(kept)

    def _close_window(self, wa_id: str, before: float) -> bool:
        """Meta says the window was closed at ``before``: forget it unless the customer wrote
        since (a late status must not close a window a newer message opened)."""
        key = _digits(wa_id)
        last = self._window.get(key)
        if last is not None and last <= before:
            del self._window[key]
            return True
        return False

    # -- webhooks ---------------------------------------------------------------------------

    def routes(self) -> Sequence[ControllerRouterHandler]:
        adapter = self

        @get("/")
        async def verify(request: Request[Any, Any, Any]) -> Response[str]:
            return adapter._verify(request)

        @post("/", request_max_body_size=MAX_BODY)
        async def webhook(request: Request[Any, Any, Any]) -> Response[str]:
            return await adapter._webhook(request)

        return [verify, webhook]

    def _verify(self, request: Request[Any, Any, Any]) -> Response[str]:
        params = request.query_params
        challenge = str(params.get("hub.challenge") or "")
        if (
            params.get("hub.mode") == "subscribe"
            and self._verify_token
            and self._verify_token.matches(str(params.get("hub.verify_token") or ""))
            and 0 < len(challenge) <= 256
        ):
            log.info("whatsapp webhook verified", extra={"section": self.name})
            return Response(challenge, media_type="text/plain", status_code=200)
        log.warning("whatsapp webhook verification refused", extra={"section": self.name})
        return Response("forbidden", media_type="text/plain", status_code=403)

    def _signed(self, body: bytes, header: str | None) -> bool:
        if not header or not header.startswith("sha256=") or not self._app_secret:
            return False
        expected = hmac.new(self._app_secret.reveal().encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(header[len("sha256=") :].strip().lower(), expected)

    async def _webhook(self, request: Request[Any, Any, Any]) -> Response[str]:
        body = await request.body()  # the raw bytes: Meta signs exactly these
        if not self._signed(body, request.headers.get("x-hub-signature-256")):
            log.warning(
                "whatsapp webhook refused: bad or missing signature",
                extra={"section": self.name, "bytes": len(body)},
            )
            return Response("forbidden", media_type="text/plain", status_code=403)
        try:
            values = self._values(json.loads(body))
        except (ValueError, TypeError, AttributeError):
            log.warning(
                "whatsapp webhook refused: malformed body",
                extra={"section": self.name, "bytes": len(body)},
            )
            return Response("malformed", media_type="text/plain", status_code=400)
        items = sum(len(v.get("messages") or ()) + len(v.get("statuses") or ()) for v in values)
        if items > MAX_ITEMS:
            log.warning(
                "whatsapp webhook refused: too many items",
                extra={"section": self.name, "items": items},
            )
            return Response("too many items", media_type="text/plain", status_code=413)
        if self.ctx is None:
            return Response("not started", media_type="text/plain", status_code=503)
        try:
            counts = await self._handle(self.ctx, values)
        except Exception as exc:
            # Not acknowledged: Meta redelivers, the hub dedupes what already went in.
            log.error(
                "whatsapp webhook not taken in: %s",
                type(exc).__name__,
                extra={"section": self.name},
            )
            return Response("retry later", media_type="text/plain", status_code=503)
        log.info("whatsapp webhook taken in", extra={"section": self.name, **counts})
        return Response("ok", media_type="text/plain", status_code=200)

    @staticmethod
    def _values(data: Any) -> list[dict[str, Any]]:
        """The ``value`` objects of a webhook's ``messages`` changes; raises on a bad shape."""
        if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
            raise ValueError("not a WhatsApp Business Account webhook")
        values: list[dict[str, Any]] = []
        for entry in data.get("entry") or ():
            for change in entry.get("changes") or ():
                if change.get("field") != "messages":
                    continue  # account updates and the like carry nothing for the desk
                value = change.get("value")
                if not isinstance(value, dict):
                    raise ValueError("change without a value")
                for key in ("messages", "statuses", "contacts"):
                    if not isinstance(value.get(key) or [], list):
                        raise ValueError(f"{key} is not a list")
                if not isinstance(value.get("metadata") or {}, dict):
                    raise ValueError("metadata is not an object")
                values.append(value)
        return values

    async def _handle(self, ctx: AdapterContext, values: list[dict[str, Any]]) -> dict[str, int]:
        counts = {"messages": 0, "statuses": 0, "files": 0, "refused_files": 0, "skipped": 0}
        window_changed = False
        try:
            for value in values:
                number = (value.get("metadata") or {}).get("phone_number_id")
                if number is not None and str(number) != self.phone_number_id:
                    # Another number of the same business account: not this section's.
                    counts["skipped"] += 1
                    continue
                names = {
                    str(c.get("wa_id")): str(c["profile"].get("name") or "")[:200]
                    for c in value.get("contacts") or ()
                    if isinstance(c, dict) and isinstance(c.get("profile"), dict)
                }
                for raw in value.get("messages") or ():
                    if (
                        not isinstance(raw, dict)
                        or not _is_wa_id(str(raw.get("from") or ""))
                        or not raw.get("id")
                    ):
                        counts["skipped"] += 1  # nothing the hub could take, ever
                        continue
                    msg = await self._inbound(raw, names)
                    try:
                        await ctx.inbox.ingest(msg)
                    except REFUSED_FOR_GOOD as exc:
                        log.warning(
                            "whatsapp message refused by the hub: %s",
                            type(exc).__name__,
                            extra={"section": self.name, "provider_id": msg.provider_id},
                        )
                        counts["skipped"] += 1
                        continue
                    counts["messages"] += 1
                    counts["files"] += len(msg.files)
                    counts["refused_files"] += len(msg.extra.get("refused_files", ()))
                    window_changed |= self._opened(str(raw["from"]), raw.get("timestamp"))
                for status in value.get("statuses") or ():
                    if isinstance(status, dict) and status.get("id"):
                        window_changed |= await self._status(ctx, status)
                        counts["statuses"] += 1
        finally:
            if window_changed:
                self._save_window()
        return counts

    def _opened(self, wa_id: str, timestamp: Any) -> bool:
        """The customer wrote at ``timestamp`` (Meta's, so a redelivery days later does not
        reopen the window); True when that moved the window."""
        now = time.time()
        try:
            at = min(float(timestamp), now)
        except (TypeError, ValueError):
            at = now
        key = _digits(wa_id)
        before = self._window.get(key)
        if not key or at <= (before or 0.0) or at + WINDOW_S <= now:
            return False
        self._window[key] = at
        return before is None or at - before >= WINDOW_WRITE_SLACK_S

    async def _status(self, ctx: AdapterContext, status: dict[str, Any]) -> bool:
        state = str(status.get("status") or "")
        if state == "played":  # a voice message listened to: read, for the desk
            state = "read"
        error = ""
        closed = False
        if state == "failed":
            errors = status.get("errors") or [{}]
            first = errors[0] if isinstance(errors, list) and isinstance(errors[0], dict) else {}
            code, title = first.get("code"), str(first.get("title") or first.get("message") or "")
            error = f"{code} {title[:120]}".strip()
            if code == WINDOW_CLOSED_CODE and status.get("recipient_id"):
                try:
                    at = float(status.get("timestamp") or time.time())
                except (TypeError, ValueError):
                    at = time.time()
                closed = self._close_window(str(status["recipient_id"]), at)
        known = await ctx.inbox.receipt(self.channel, str(status["id"])[:200], state, error)
        if not known:
            log.info("whatsapp status for an unknown message", extra={"section": self.name})
        return closed

    async def _inbound(self, raw: dict[str, Any], names: dict[str, str]) -> InboundMessage:
        wa_id = str(raw["from"])
        kind = str(raw.get("type") or "unknown")
        body = raw.get(kind) if isinstance(raw.get(kind), dict) else {}
        assert isinstance(body, dict)
        files: list[InboundFile] = []
        refused: list[str] = []
        if kind == "text":
            text = str(body.get("body") or "")
        elif kind in ("image", "document"):
            text = str(body.get("caption") or "")
            name = self._file_name(kind, body)
            got = await self._download(body, name)
            if got is None:
                refused.append(name)
            else:
                files.append(got)
        elif kind == "interactive":
            reply = body.get("button_reply") or body.get("list_reply") or {}
            text = str(reply.get("title") or "") if isinstance(reply, dict) else ""
        elif kind == "button":  # a template's quick-reply button
            text = str(body.get("text") or body.get("payload") or "")
        else:
            text = f"[unsupported: {kind[:40]}]"
        extra: dict[str, Any] = {}
        if refused:
            extra["refused_files"] = refused
        context = raw.get("context")
        if isinstance(context, dict) and context.get("id"):
            extra["reply_to"] = str(context["id"])[:200]
        if kind in ("interactive", "button") and not text:
            text = f"[unsupported: {kind}]"
        return InboundMessage(
            channel=self.channel,
            identity_kind="whatsapp",
            # A wa_id is a full international number without the "+": given bare, the hub
            # would read it as a number of its default region and refuse most foreign ones.
            identity_value="+" + wa_id,
            text=text,
            provider_id=str(raw["id"])[:200],
            display_name=names.get(wa_id, ""),
            verified=True,  # Meta delivered it from this number
            files=files,
            extra=extra,
        )

    @staticmethod
    def _file_name(kind: str, body: dict[str, Any]) -> str:
        given = str(body.get("filename") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
        if given and given not in (".", ".."):
            return given[:200]
        mime = str(body.get("mime_type") or "").split(";")[0].strip()
        ext = mimetypes.guess_extension(mime) or ""
        return f"{kind}-{str(body.get('id') or 'file')[:60]}{ext}"

    async def _download(self, body: dict[str, Any], name: str) -> InboundFile | None:
        """The media's bytes (two Graph calls), or None when they cannot be had."""
        media_id = str(body.get("id") or "")
        if not media_id or not media_id.isalnum() or self._client is None:
            return None
        try:
            meta = await self._client.get(f"{self.api_base}/{media_id}")
            if meta.status_code != 200:
                self._media_failed(meta)
                return None
            self.tracker.ok()
            info = meta.json()
            url = str(info.get("url") or "")
            size = info.get("file_size")
            if not url.startswith(("https://", "http://")):
                return None
            if isinstance(size, int) and size > self.max_file_bytes:
                log.info("whatsapp media too large", extra={"section": self.name, "bytes": size})
                return None
            data = bytearray()
            async with self._client.stream("GET", url) as resp:
                if resp.status_code != 200:
                    self._media_failed(resp)
                    return None
                async for chunk in resp.aiter_bytes():
                    data += chunk
                    if len(data) > self.max_file_bytes:
                        log.info("whatsapp media too large", extra={"section": self.name})
                        return None
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            self.tracker.failed(f"media download: {type(exc).__name__}")
            log.warning(
                "whatsapp media download failed: %s",
                type(exc).__name__,
                extra={"section": self.name},
            )
            return None
        self.tracker.ok()
        mime = str(info.get("mime_type") or body.get("mime_type") or "application/octet-stream")
        return InboundFile(name, mime.split(";")[0].strip(), bytes(data))

    def _media_failed(self, resp: httpx.Response) -> None:
        code, _title = _graph_error(resp) if resp.status_code >= 400 else (None, "")
        if code == TOKEN_EXPIRED_CODE:
            self.tracker.failed("access token expired or revoked (190)", down=True)
        elif resp.status_code >= 500 or resp.status_code == 429:
            self.tracker.failed(f"media download: HTTP {resp.status_code}")
        log.warning(
            "whatsapp media download refused",
            extra={"section": self.name, "status": resp.status_code, "code": code},
        )

    # -- sending ----------------------------------------------------------------------------

    async def send(self, msg: OutboundMessage) -> str:
        if self.ctx is None or self._client is None:
            raise ChannelUnavailable("the WhatsApp adapter is not running", retry=True)
        to = _digits(msg.address)
        if not to:
            raise ChannelUnavailable("not a WhatsApp number", retry=False)
        if msg.template is not None:
            return await self._send_one(to, self._template(msg.template))
        if self.window_open_until(to) is None:
            raise ChannelUnavailable(CLOSED_WINDOW, retry=False)
        # Uploads first: nothing reaches the customer until every file is with Meta, so a
        # failed upload may still be retried whole.
        media: list[tuple[str, str, str]] = []  # (media id, name, mime)
        for view in msg.attachments:
            try:
                file = await self.ctx.read_file(int(view["id"]))
            except Exception as exc:
                raise ChannelUnavailable("an attachment could not be read", retry=False) from exc
            media.append((await self._upload(file), file.name, file.mime))
        text = msg.text
        bodies: list[dict[str, Any]] = []
        caption = ""
        if text and (not media or len(text) > MAX_CAPTION):
            bodies.append({"type": "text", "text": {"body": text}})
        elif text:
            caption = text  # one message: the text as the first file's caption
        for media_id, name, mime in media:
            kind = "image" if mime in IMAGE_MIMES else "document"
            obj: dict[str, Any] = {"id": media_id}
            if kind == "document":
                obj["filename"] = name
            if caption:
                obj["caption"], caption = caption, ""
            bodies.append({"type": kind, kind: obj})
        if not bodies:
            raise ChannelUnavailable("nothing to send", retry=False)
        first = ""
        for i, body in enumerate(bodies):
            try:
                sent = await self._send_one(to, body)
            except ChannelUnavailable as exc:
                if i == 0:
                    raise
                # Part of it reached the customer: sending all again would repeat that part.
                raise ChannelUnavailable(
                    f"partly sent ({i} of {len(bodies)}): {exc.reason}", retry=False
                ) from exc
            first = first or sent
        return first

    def _template(self, template: dict[str, Any]) -> dict[str, Any]:
        name = template.get("name")
        if not isinstance(name, str) or name not in self.templates:
            raise ChannelUnavailable("not an approved template of this number", retry=False)
        language = template.get("language") or self.template_language
        params = template.get("parameters") or []
        if (
            not isinstance(language, str)
            or not isinstance(params, list)
            or len(params) > 20
            or not all(isinstance(p, str | int | float) for p in params)
        ):
            raise ChannelUnavailable("a template's language or parameters are invalid")
        body: dict[str, Any] = {"name": name, "language": {"code": language}}
        if params:
            body["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": str(p)} for p in params]}
            ]
        return {"type": "template", "template": body}

    async def _send_one(self, to: str, content: dict[str, Any]) -> str:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        payload.update(content)
        resp = await self._call(
            "POST", f"{self.api_base}/{self.phone_number_id}/messages", json=payload, sent=True
        )
        if resp.status_code >= 400:
            self._refused(resp, to)
        try:
            provider_id = str(resp.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            # Accepted (2xx) but no id: Meta may well deliver it, so never again.
            raise ChannelUnavailable("Meta's answer carried no message id", retry=False) from exc
        log.info("whatsapp message sent", extra={"section": self.name, "type": content["type"]})
        return provider_id

    async def _upload(self, file: InboundFile) -> str:
        resp = await self._call(
            "POST",
            f"{self.api_base}/{self.phone_number_id}/media",
            files={"file": (file.name, file.data, file.mime)},
            data={"messaging_product": "whatsapp", "type": file.mime},
            sent=False,
        )
        if resp.status_code >= 400:
            self._refused(resp, "")
        try:
            return str(resp.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ChannelUnavailable("Meta's upload answer carried no media id") from exc

    async def _call(self, method: str, url: str, *, sent: bool, **kw: Any) -> httpx.Response:
        """One Graph request. ``sent``: whether a request that went out may have made Meta
        send something (a message), so a lost answer must not be retried."""
        assert self._client is not None
        try:
            resp = await self._client.request(method, url, **kw)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            self.tracker.failed(f"cannot reach Meta: {type(exc).__name__}", down=True)
            raise ChannelUnavailable("WhatsApp provider unreachable", retry=True) from exc
        except httpx.HTTPError as exc:
            self.tracker.failed(f"no answer from Meta: {type(exc).__name__}")
            raise ChannelUnavailable(
                "no answer from WhatsApp after the request went out", retry=not sent
            ) from exc
        if resp.status_code < 400:
            self.tracker.ok()
        return resp

    def _refused(self, resp: httpx.Response, to: str) -> NoReturn:
        """Raise what Meta's error answer means for the hub."""
        code, title = _graph_error(resp)
        status = resp.status_code
        log.warning(
            "whatsapp refused a request",
            extra={"section": self.name, "status": status, "code": code},
        )
        reason = f"WhatsApp error {code if code is not None else status}: {title}".strip()
        if code == WINDOW_CLOSED_CODE:
            self.tracker.ok()
            if to and self._close_window(to, time.time()):
                self._save_window()
            raise ChannelUnavailable(CLOSED_WINDOW, retry=False)
        if code == TOKEN_EXPIRED_CODE or status == 401:
            # Nothing goes out until someone replaces the token (read at start).
            self.tracker.failed("access token expired or revoked (190)", down=True)
            raise ChannelUnavailable(reason, retry=False)
        if code in RATE_LIMIT_CODES or status == 429 or status >= 500:
            self.tracker.failed(reason)
            raise ChannelUnavailable(reason, retry=True, retry_after_s=_retry_after(resp))
        self.tracker.ok()  # Meta answers; it refuses this one message
        raise ChannelUnavailable(reason, retry=False)
