"""Telegram through the Bot API: private chats with a bot, by long polling or a webhook.

Inbound, each ``message`` update of a private chat becomes an ``InboundMessage`` (the sender's
user id is the verified identity; ``<chat id>:<message id>`` is the provider id the hub dedupes
by), with its photo or document downloaded as an ``InboundFile``. A polled update is confirmed
to Telegram (the offset saved in a cursor and sent with the next getUpdates) only after the inbox
took it; a webhook POST is answered 200 only then, so Telegram redelivers whatever was not taken.
Outbound, sendMessage / sendPhoto / sendDocument; Telegram sends no delivery receipts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, TypeGuard

import httpx
from litestar import Request, Response, post
from litestar.types import ControllerRouterHandler

from services.channels.base import (
    Adapter,
    AdapterContext,
    Cursor,
    Secret,
    Section,
    sleep_or_stop,
)
from services.config import ConfigError
from services.domain.inbox import ChannelUnavailable, InboundFile, InboundMessage, OutboundMessage

log = logging.getLogger(__name__)

IDENTITY = "telegram"
# One Update is a few KB; a webhook body far beyond that is not Telegram.
MAX_WEBHOOK_BODY = 256 * 1024
MAX_UPDATES_PER_POLL = 100
# Bot API limits: a caption, a photo sent as a photo (bigger ones go as documents).
CAPTION_LIMIT = 1024
PHOTO_LIMIT = 10 * 1024 * 1024
PHOTO_MIMES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
MAX_ATTACHMENTS = 10
# Failed tries at an update's files before it is taken without them (a poison update must not
# hold the queue back for the 24 hours Telegram keeps it).
MAX_FILE_TRIES = 5
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_CHAT_ID = re.compile(r"-?[0-9]{1,20}")
# Messages the adapter does not download: the operator sees what kind came.
_OTHER_KINDS = (
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "location",
    "venue",
    "poll",
    "dice",
)


class _ApiError(Exception):
    """Telegram answered with ``ok: false`` (or something that is not the Bot API)."""

    def __init__(self, status: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {description}")
        self.status, self.description, self.retry_after = status, description[:200], retry_after


class _Unreachable(Exception):
    """The request never reached Telegram (refused, DNS, connect timeout): safe to repeat."""


class _Lost(Exception):
    """The request went out but no answer came back: Telegram may have acted on it."""


class _HideToken(logging.Filter):
    """httpx logs each request's URL, and a Bot API URL carries the token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            text = record.getMessage()
            if self.token in text:
                record.msg, record.args = text.replace(self.token, "***"), None
        return True


class TelegramAdapter(Adapter):
    channel = "telegram"
    kind = "telegram"

    def __init__(
        self,
        name: str,
        token: Secret,
        *,
        api_base: str = "https://api.telegram.org",
        mode: str = "polling",
        webhook_secret: Secret | None = None,
        poll_timeout_s: int = 25,
        max_file_bytes: int = 10 * 1024 * 1024,
        backoff_s: tuple[float, float] = (1.0, 30.0),
        send_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(name)
        self.token = token
        self.api_base = api_base.rstrip("/")
        self.mode = mode
        self.webhook_secret = webhook_secret or Secret("")
        self.poll_timeout_s = poll_timeout_s
        self.max_file_bytes = max_file_bytes
        self.backoff_s = backoff_s
        self.send_timeout_s = send_timeout_s
        # Updates not handed to the inbox, by why (edited, group, bot, other, malformed).
        self.ignored: Counter[str] = Counter()
        self.ctx: AdapterContext | None = None
        self._http: httpx.AsyncClient | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._file_tries: dict[int, int] = {}
        self._log_filter = _HideToken(token.reveal())

    @classmethod
    def from_section(cls, section: Section) -> TelegramAdapter:
        api_base = section.get("api_base", "https://api.telegram.org").strip()
        if not api_base.startswith(("https://", "http://")):
            raise ConfigError(f"{section.where} api_base: expected an http(s) URL")
        mode = section.get("mode", "polling")
        if mode not in ("polling", "webhook"):
            raise ConfigError(f'{section.where} mode: expected "polling" or "webhook"')
        token = section.secret("token")
        webhook_secret = section.secret("webhook_secret", required=mode == "webhook")
        if webhook_secret and not _SECRET_TOKEN.fullmatch(webhook_secret.reveal()):
            raise ConfigError(
                f"{section.where} webhook_secret: 1-256 characters of A-Z, a-z, 0-9, _ and -"
            )
        poll_timeout_s = section.get("poll_timeout_s", 25)
        if poll_timeout_s > 50:
            raise ConfigError(f"{section.where} poll_timeout_s: at most 50 (Telegram's limit)")
        max_file_bytes = section.get("max_file_bytes", 10 * 1024 * 1024)
        return cls(
            section.name,
            token,
            api_base=api_base,
            mode=mode,
            webhook_secret=webhook_secret,
            poll_timeout_s=poll_timeout_s,
            max_file_bytes=max_file_bytes,
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        self._stopping.clear()
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).addFilter(self._log_filter)
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(10.0), follow_redirects=False)
        work = self._poll() if self.mode == "polling" else self._set_webhook()
        self._task = asyncio.create_task(work, name=f"telegram-{self.name}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).removeFilter(self._log_filter)

    # -- the Bot API -----------------------------------------------------------------------

    def _url(self, method: str) -> str:
        return f"{self.api_base}/bot{self.token.reveal()}/{method}"

    async def _call(
        self,
        method: str,
        *,
        limits: httpx.Timeout,
        json: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        """The ``result`` of one Bot API call; exception types, never URLs, in errors."""
        if self._http is None:
            raise _Unreachable("not started")
        try:
            answer = await self._http.post(
                self._url(method), json=json, data=data, files=files, timeout=limits
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Unreachable(type(exc).__name__) from None
        except httpx.HTTPError as exc:
            raise _Lost(type(exc).__name__) from None
        try:
            body = answer.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            raise _ApiError(answer.status_code, "not a Bot API answer")
        if body["ok"]:
            return body.get("result")
        params = body.get("parameters")
        retry_after = params.get("retry_after") if isinstance(params, dict) else None
        code = body.get("error_code")
        raise _ApiError(
            code if isinstance(code, int) else answer.status_code,
            str(body.get("description") or ""),
            float(retry_after) if isinstance(retry_after, int | float) else None,
        )

    def _provider_failed(self, exc: Exception, what: str) -> None:
        if isinstance(exc, _ApiError) and exc.status in (401, 404):
            self.tracker.failed("token refused", down=True)
        elif isinstance(exc, _ApiError) and exc.status == 409:
            self.tracker.failed(exc.description or "conflict", down=True)
        elif isinstance(exc, _ApiError):
            self.tracker.failed(f"{what}: HTTP {exc.status} {exc.description}")
        elif isinstance(exc, _Unreachable):
            self.tracker.failed(f"{what}: cannot reach the Bot API ({exc})")
        else:
            self.tracker.failed(f"{what}: no answer ({exc})")

    # -- polling ---------------------------------------------------------------------------

    async def _poll(self) -> None:
        assert self.ctx is not None
        cursor = Cursor(self.ctx.state_dir / "offset.json")
        offset = self._load_offset(cursor)
        first, most = self.backoff_s
        delay = first
        # The long poll is held open by Telegram for poll_timeout_s: read a little longer.
        timeout = httpx.Timeout(10.0, read=self.poll_timeout_s + 10.0)
        while not self._stopping.is_set():
            wait = 0.0
            try:
                updates = await self._call(
                    "getUpdates",
                    json={
                        "offset": offset,
                        "limit": MAX_UPDATES_PER_POLL,
                        "timeout": self.poll_timeout_s,
                        "allowed_updates": ["message"],
                    },
                    limits=timeout,
                )
                if not isinstance(updates, list):
                    raise _ApiError(200, "getUpdates: not a list")
            except (_ApiError, _Unreachable, _Lost) as exc:
                self._provider_failed(exc, "getUpdates")
                log.warning(
                    "telegram getUpdates failed",
                    extra={"channel": self.name, "error": self.tracker.detail},
                )
                retry_after = exc.retry_after if isinstance(exc, _ApiError) else None
                wait = max(delay, retry_after or 0.0)
            except Exception as exc:  # a bug must not end polling for good
                self.tracker.failed(f"getUpdates: {type(exc).__name__}")
                log.warning("telegram poll failed", extra={"error": type(exc).__name__})
                wait = delay
            else:
                self.tracker.ok()
                delay = first
                for update in updates[:MAX_UPDATES_PER_POLL]:
                    update_id = update.get("update_id") if isinstance(update, dict) else None
                    if not isinstance(update_id, int) or isinstance(update_id, bool):
                        self.ignored["malformed"] += 1
                        continue
                    if update_id < offset:
                        continue  # taken already; the server did not forget it yet
                    try:
                        await self._take(update, give_up_files=self._tries(update_id))
                        cursor.save({"offset": update_id + 1})
                    except Exception as exc:
                        # Not taken: the offset stays, so getUpdates hands it over again.
                        log.warning(
                            "telegram update not taken, retrying",
                            extra={"update_id": update_id, "error": type(exc).__name__},
                        )
                        wait = delay
                        break
                    self._file_tries.pop(update_id, None)
                    offset = update_id + 1
            if wait:
                if await sleep_or_stop(self._stopping, wait):
                    return
                delay = min(delay * 2, most)

    def _load_offset(self, cursor: Cursor) -> int:
        try:
            saved = cursor.load({"offset": 0})
            offset = saved.get("offset", 0) if isinstance(saved, dict) else None
            if _is_int(offset):
                return int(offset)
        except RuntimeError:
            pass
        # Telegram forgets confirmed updates, so offset 0 only fetches the unconfirmed ones
        # again (the hub dedupes any it has by provider id).
        log.warning("telegram offset unreadable, starting over", extra={"channel": self.name})
        return 0

    def _tries(self, update_id: int) -> bool:
        """Count a try at this update; True once its files have failed too often."""
        self._file_tries[update_id] = self._file_tries.get(update_id, 0) + 1
        if len(self._file_tries) > 1000:
            self._file_tries.clear()
        return self._file_tries[update_id] > MAX_FILE_TRIES

    # -- webhook ---------------------------------------------------------------------------

    async def _set_webhook(self) -> None:
        assert self.ctx is not None
        first, most = self.backoff_s
        delay = first
        while not self._stopping.is_set():
            try:
                await self._call(
                    "setWebhook",
                    json={
                        "url": self.ctx.public_url + self.ctx.hook_path,
                        "secret_token": self.webhook_secret.reveal(),
                        "allowed_updates": ["message"],
                    },
                    limits=httpx.Timeout(15.0),
                )
            except (_ApiError, _Unreachable, _Lost) as exc:
                self._provider_failed(exc, "setWebhook")
                log.warning(
                    "telegram setWebhook failed",
                    extra={"channel": self.name, "error": self.tracker.detail},
                )
                if await sleep_or_stop(self._stopping, delay):
                    return
                delay = min(delay * 2, most)
            else:
                self.tracker.ok()
                log.info("telegram webhook set", extra={"channel": self.name})
                return

    def routes(self) -> Sequence[ControllerRouterHandler]:
        if self.mode != "webhook":
            return ()
        adapter = self

        @post("/", status_code=200, request_max_body_size=MAX_WEBHOOK_BODY)
        async def update(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
            return await adapter._webhook(request)

        return [update]

    async def _webhook(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        presented = request.headers.get("x-telegram-bot-api-secret-token")
        if not self.webhook_secret.matches(presented):
            log.warning(
                "telegram webhook refused: wrong secret token", extra={"channel": self.name}
            )
            return Response({"ok": False}, status_code=403)
        body = await request.body()
        try:
            update = _json_object(body)
        except ValueError:
            log.warning("telegram webhook refused: not an update", extra={"channel": self.name})
            return Response({"ok": False}, status_code=400)
        update_id = update.get("update_id")
        if not _is_int(update_id):
            return Response({"ok": False}, status_code=400)
        try:
            await self._take(update, give_up_files=self._tries(update_id))
        except Exception as exc:
            # Not taken: a non-2xx makes Telegram deliver it again.
            log.warning(
                "telegram update not taken",
                extra={"update_id": update_id, "error": type(exc).__name__},
            )
            return Response({"ok": False}, status_code=503)
        self._file_tries.pop(update_id, None)
        return Response({"ok": True}, status_code=200)

    # -- updates ---------------------------------------------------------------------------

    async def _take(self, update: dict[str, Any], *, give_up_files: bool = False) -> None:
        """Hand one update to the inbox (or count why not); raises when it was not taken."""
        assert self.ctx is not None
        msg = update.get("message")
        if not isinstance(msg, dict):
            self.ignored["edited" if "edited_message" in update else "other"] += 1
            return
        chat, sender = msg.get("chat"), msg.get("from")
        message_id = msg.get("message_id")
        if (
            not isinstance(chat, dict)
            or not _is_int(chat.get("id"))
            or not _is_int(message_id)
            or (
                sender is not None
                and (not isinstance(sender, dict) or not _is_int(sender.get("id")))
            )
        ):
            self.ignored["malformed"] += 1
            return
        if chat.get("type") != "private":
            self.ignored["group"] += 1
            return
        if sender is None or sender.get("is_bot") is True:
            self.ignored["bot"] += 1
            return
        user_id = str(sender["id"])
        text = _str(msg.get("text")) or _str(msg.get("caption"))
        contact = msg.get("contact")
        if isinstance(contact, dict):
            phone = _str(contact.get("phone_number"))
            if contact.get("user_id") == sender["id"] and phone:
                # The customer shared their own number: Telegram proves it is theirs, so it
                # becomes a verified phone that routes (and merges a customer it verified).
                await self.ctx.inbox.prove(IDENTITY, user_id, {"phone": phone})
                log.info("telegram contact shared", extra={"update_id": update.get("update_id")})
                return
            name = _name(contact.get("first_name"), contact.get("last_name")) or "?"
            text = f"[contact: {name}]"
        files, refused = await self._files(msg, give_up=give_up_files)
        if not text and not files and not refused:
            kind = next((k for k in _OTHER_KINDS if k in msg), None)
            if kind is None:
                self.ignored["empty"] += 1  # a service message (a pin, a new title)
                return
            text = f"[{kind}]"
        extra: dict[str, Any] = {}
        if refused:
            extra["refused_files"] = refused
        await self.ctx.inbox.ingest(
            InboundMessage(
                channel=self.channel,
                identity_kind=IDENTITY,
                identity_value=user_id,
                text=text[:4096],
                provider_id=f"{chat['id']}:{message_id}",
                display_name=_name(sender.get("first_name"), sender.get("last_name")),
                verified=True,
                files=files,
                extra=extra,
            )
        )

    async def _files(
        self, msg: dict[str, Any], *, give_up: bool
    ) -> tuple[list[InboundFile], list[str]]:
        wanted: list[tuple[str, Any, str, str]] = []  # file_id, size, name, mime
        photos = msg.get("photo")
        if isinstance(photos, list):
            sizes = [p for p in photos[:20] if isinstance(p, dict) and _str(p.get("file_id"))]
            if sizes:
                best = max(
                    sizes,
                    key=lambda p: (
                        _num(p.get("width")) * _num(p.get("height")),
                        _num(p.get("file_size")),
                    ),
                )
                wanted.append((best["file_id"], best.get("file_size"), "photo.jpg", "image/jpeg"))
        doc = msg.get("document")
        if isinstance(doc, dict) and _str(doc.get("file_id")):
            wanted.append(
                (
                    doc["file_id"],
                    doc.get("file_size"),
                    _str(doc.get("file_name"))[:200] or "document",
                    _str(doc.get("mime_type"))[:100] or "application/octet-stream",
                )
            )
        files: list[InboundFile] = []
        refused: list[str] = []
        for file_id, size, name, mime in wanted:
            if _is_int(size) and size > self.max_file_bytes:
                refused.append(name)
                continue
            try:
                data = await self._download(file_id)
            except (_ApiError, _Unreachable, _Lost) as exc:
                transient = not isinstance(exc, _ApiError) or exc.status == 429 or exc.status >= 500
                if transient and not give_up:
                    raise
                data = None
            if data is None:
                refused.append(name)
            else:
                files.append(InboundFile(name, mime, data))
        return files, refused

    async def _download(self, file_id: str) -> bytes | None:
        """The file's bytes; None when Telegram will not give it or it is over the cap."""
        info = await self._call("getFile", json={"file_id": file_id}, limits=httpx.Timeout(15.0))
        path = info.get("file_path") if isinstance(info, dict) else None
        size = info.get("file_size") if isinstance(info, dict) else None
        if (
            not isinstance(path, str)
            or not path
            or (isinstance(size, int) and size > self.max_file_bytes)
        ):
            return None
        assert self._http is not None
        url = f"{self.api_base}/file/bot{self.token.reveal()}/{path.lstrip('/')}"
        try:
            async with self._http.stream("GET", url, timeout=httpx.Timeout(15.0, read=60.0)) as r:
                if r.status_code != 200:
                    if r.status_code >= 500 or r.status_code == 429:
                        raise _ApiError(r.status_code, "file download")
                    return None
                chunks: list[bytes] = []
                got = 0
                async for chunk in r.aiter_bytes():
                    got += len(chunk)
                    if got > self.max_file_bytes:
                        return None
                    chunks.append(chunk)
                return b"".join(chunks)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Unreachable(type(exc).__name__) from None
        except httpx.HTTPError as exc:
            raise _Lost(type(exc).__name__) from None

    # -- sending ---------------------------------------------------------------------------

    async def send(self, msg: OutboundMessage) -> str:
        if not _CHAT_ID.fullmatch(msg.address):
            raise ChannelUnavailable("not a Telegram chat id", retry=False)
        chat_id = int(msg.address)
        views = msg.attachments[:MAX_ATTACHMENTS]
        text = msg.text
        # One file with a short text goes as one message (the text its caption): all or nothing.
        caption = text if views and len(text) <= CAPTION_LIMIT else ""
        first_id: str | None = None
        if text and not caption:
            first_id = await self._send_one(
                chat_id, "sendMessage", False, json={"chat_id": chat_id, "text": text}
            )
        for i, view in enumerate(views):
            if self.ctx is None:
                raise ChannelUnavailable("telegram is not started", retry=first_id is None)
            try:
                file = await self.ctx.read_file(int(view["id"]))
            except Exception as exc:
                raise ChannelUnavailable(
                    f"attachment unreadable ({type(exc).__name__})", retry=False
                ) from None
            photo = file.mime in PHOTO_MIMES and len(file.data) <= PHOTO_LIMIT
            method, field = ("sendPhoto", "photo") if photo else ("sendDocument", "document")
            form = {"chat_id": str(chat_id)}
            if i == 0 and caption:
                form["caption"] = caption
            sent = await self._send_one(
                chat_id,
                method,
                first_id is not None,
                data=form,
                files={field: (file.name, file.data, file.mime)},
            )
            first_id = first_id or sent
        if first_id is None:
            raise ChannelUnavailable("nothing to send", retry=False)
        return first_id

    async def _send_one(self, chat_id: int, method: str, partly_sent: bool, **body: Any) -> str:
        timeout = httpx.Timeout(10.0, read=self.send_timeout_s, write=self.send_timeout_s)
        try:
            result = await self._call(method, limits=timeout, **body)
        except _Unreachable as exc:
            self._provider_failed(exc, method)
            raise _unavailable(f"cannot reach Telegram ({exc})", not partly_sent) from None
        except _Lost as exc:
            # The request went out: Telegram may have sent it, so the hub must not repeat it.
            raise _unavailable(f"no answer from Telegram ({exc})", False) from None
        except _ApiError as exc:
            if exc.status in (401, 404) or exc.status >= 500:
                self._provider_failed(exc, method)
            if exc.status == 429:
                raise _unavailable(
                    "Telegram rate limit", not partly_sent, exc.retry_after
                ) from None
            if exc.status >= 500:
                raise _unavailable(f"Telegram HTTP {exc.status}", not partly_sent) from None
            if exc.status == 403:
                raise _unavailable("blocked by the user", False) from None
            if exc.status in (401, 404):
                raise _unavailable("token refused", False) from None
            raise _unavailable(f"refused: {exc.description}", False) from None
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if not _is_int(message_id):
            raise _unavailable("Telegram answered without a message id", False)
        self.tracker.ok()
        return f"{chat_id}:{message_id}"


def _unavailable(reason: str, retry: bool, retry_after: float | None = None) -> ChannelUnavailable:
    return ChannelUnavailable(reason, retry=retry, retry_after_s=retry_after if retry else None)


def _json_object(body: bytes) -> dict[str, Any]:
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _num(value: Any) -> int:
    return value if _is_int(value) else 0


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _name(first: Any, last: Any) -> str:
    return f"{_str(first)} {_str(last)}".strip()[:200]
