"""A fake Telegram Bot API server for adapter tests: real HTTP on 127.0.0.1, the Bot API's paths
(``/bot<token>/<method>``, ``/file/bot<token>/<path>``), its parameter encodings (query, form,
JSON, multipart) and its answers (``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code", "description", "parameters"}`` with the HTTP status = error_code).

getUpdates keeps every update until a call with a higher ``offset`` confirms it, long-polls up to
``timeout`` seconds, and answers 409 while a webhook is set; with a webhook set the server POSTs
each update there itself (with ``X-Telegram-Bot-Api-Secret-Token``) until it gets a 2xx, like
Telegram. It records every call and can be told to fail, hang, go down and come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

MAX_BODY = 60 * 1024 * 1024


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    # multipart file fields: name -> (filename, content type, bytes)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    http_method: str = "POST"
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-token_abc", port: int = 0) -> None:
        self.token = token
        self.port = port
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []  # not confirmed yet, in update_id order
        self.confirmed_offset = 0
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, data)
        self.downloads: list[str] = []  # file paths downloaded
        self.failures: dict[str, list[Failure]] = {}
        self.hangs: dict[str, float] = {}  # method -> seconds before answering
        self.blocked_chats: set[int] = set()
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_attempts: list[tuple[int, int]] = []  # (update_id, HTTP status or 0)
        self.webhook_retry_s = 0.05
        self._update_ids = itertools.count(100)
        self._message_ids = itertools.count(5000)
        self._file_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[Any]] = set()
        self._pusher: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._pusher = asyncio.create_task(self._push_webhooks())

    async def stop(self) -> None:
        """Down: the port refuses connections and open ones are cut (state is kept)."""
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None
        if self._server is not None:
            self._server.close()
            for w in list(self._conns):
                w.transport.abort()
            for task in list(self._handlers):
                task.cancel()
            await self._server.wait_closed()
            self._server = None
            # Let the resets reach the clients' sockets: an idle pooled connection is then seen
            # closed, as it is when a real server went away a while ago.
            await asyncio.sleep(0.05)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # -- what a test tells it --------------------------------------------------------------

    def add_file(self, data: bytes, path: str = "") -> str:
        n = next(self._file_ids)
        file_id = f"FILE{n}-id"
        self.files[file_id] = (path or f"documents/file_{n}", data)
        return file_id

    def push(self, **update: Any) -> int:
        """Queue one update (``message=...``, ``edited_message=...``); its update_id."""
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, **update})
        self._new_update.set()
        return update_id

    def push_message(
        self,
        user_id: int = 777001,
        text: str | None = "hello",
        *,
        first_name: str = "Ivan",
        last_name: str | None = "Petrov",
        chat_type: str = "private",
        chat_id: int | None = None,
        is_bot: bool = False,
        message_id: int | None = None,
        **fields: Any,
    ) -> int:
        sender: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        if last_name is not None:
            sender["last_name"] = last_name
        msg: dict[str, Any] = {
            "message_id": message_id if message_id is not None else next(self._message_ids),
            "from": sender,
            "chat": {"id": chat_id if chat_id is not None else user_id, "type": chat_type},
            "date": int(time.time()),
            **fields,
        }
        if text is not None:
            msg["text"] = text
        return self.push(message=msg)

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        self.failures.setdefault(method, []).append(
            Failure(status, description, retry_after, times)
        )

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # -- HTTP ------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._conns.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                http_method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0"))
                if length > MAX_BODY:
                    await self._answer(writer, 413, b"", "text/plain")
                    return
                body = await reader.readexactly(length) if length else b""
                status, payload, ctype = await self._route(http_method, target, headers, body)
                await self._answer(writer, status, payload, ctype)
                if headers.get("connection", "").lower() == "close":
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # the server was stopped under a long poll
        finally:
            self._conns.discard(writer)
            if task is not None:
                self._handlers.discard(task)
            writer.close()

    @staticmethod
    async def _answer(
        writer: asyncio.StreamWriter, status: int, payload: bytes, ctype: str
    ) -> None:
        head = (
            f"HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\n"
            f"content-length: {len(payload)}\r\n\r\n"
        )
        writer.write(head.encode() + payload)
        await writer.drain()

    async def _route(
        self, http_method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, str]:
        parts = urlsplit(target)
        path = unquote(parts.path)
        file_prefix = f"/file/bot{self.token}/"
        if path.startswith(file_prefix):
            wanted = path[len(file_prefix) :]
            for file_path, data in self.files.values():
                if file_path == wanted:
                    self.downloads.append(wanted)
                    return 200, data, "application/octet-stream"
            return (
                404,
                b'{"ok":false,"error_code":404,"description":"Not Found"}',
                "application/json",
            )
        if not path.startswith("/bot"):
            return self._error(404, "Not Found")
        token, _, method = path[4:].partition("/")
        if token != self.token:
            return self._error(401, "Unauthorized")
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        files: dict[str, tuple[str, str, bytes]] = {}
        ctype = headers.get("content-type", "")
        try:
            if ctype.startswith("application/json") and body:
                params.update(json.loads(body))
            elif ctype.startswith("application/x-www-form-urlencoded"):
                params.update(parse_qsl(body.decode()))
            elif ctype.startswith("multipart/form-data"):
                fields, files = _multipart(ctype, body)
                params.update(fields)
        except ValueError:
            return self._error(400, "Bad Request: can't parse request")
        self.calls.append(Call(method, params, files, http_method))
        if method in self.hangs:
            await asyncio.sleep(self.hangs[method])
        queued = self.failures.get(method)
        if queued:
            f = queued[0]
            f.times -= 1
            if f.times <= 0:
                queued.pop(0)
            extra = {"retry_after": f.retry_after} if f.retry_after is not None else None
            return self._error(f.status, f.description, extra)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found")
        return await handler(params, files)  # type: ignore[no-any-return]

    @staticmethod
    def _ok(result: Any) -> tuple[int, bytes, str]:
        return 200, json.dumps({"ok": True, "result": result}).encode(), "application/json"

    @staticmethod
    def _error(
        status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> tuple[int, bytes, str]:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return status, json.dumps(body).encode(), "application/json"

    # -- methods ---------------------------------------------------------------------------

    async def _m_getUpdates(self, p: dict[str, Any], _f: Any) -> tuple[int, bytes, str]:
        if self.webhook_url:
            return self._error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(p.get("offset", 0) or 0)
        limit = max(1, min(100, int(p.get("limit", 100) or 100)))
        timeout = float(p.get("timeout", 0) or 0)
        if offset > 0:
            # An update is confirmed once getUpdates is called with a higher offset.
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while not self.updates and time.monotonic() < deadline:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
        return self._ok(self.updates[:limit])

    async def _m_setWebhook(self, p: dict[str, Any], _f: Any) -> tuple[int, bytes, str]:
        self.webhook_url = str(p.get("url", ""))
        self.webhook_secret = str(p.get("secret_token", ""))
        self._new_update.set()
        return (
            200,
            json.dumps({"ok": True, "result": True, "description": "Webhook was set"}).encode(),
            "application/json",
        )

    async def _m_deleteWebhook(self, p: dict[str, Any], _f: Any) -> tuple[int, bytes, str]:
        self.webhook_url = self.webhook_secret = ""
        return self._ok(True)

    async def _m_getFile(self, p: dict[str, Any], _f: Any) -> tuple[int, bytes, str]:
        file_id = str(p.get("file_id", ""))
        if file_id not in self.files:
            return self._error(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        if len(data) > 20 * 1024 * 1024:
            return self._error(400, "Bad Request: file is too big")
        return self._ok(
            {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_size": len(data),
                "file_path": path,
            }
        )

    def _chat(self, p: dict[str, Any]) -> int | tuple[int, bytes, str]:
        try:
            chat_id = int(p.get("chat_id", ""))
        except ValueError:
            return self._error(400, "Bad Request: chat not found")
        if chat_id in self.blocked_chats:
            return self._error(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _message(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "from": {"id": 1, "is_bot": True, "first_name": "Desk"},
            "chat": {"id": chat_id, "type": "private"},
            "date": int(time.time()),
            **fields,
        }

    async def _m_sendMessage(self, p: dict[str, Any], _f: Any) -> tuple[int, bytes, str]:
        chat = self._chat(p)
        if not isinstance(chat, int):
            return chat
        text = str(p.get("text", ""))
        if not text:
            return self._error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return self._error(400, "Bad Request: message is too long")
        return self._ok(self._message(chat, text=text))

    async def _upload(
        self, p: dict[str, Any], f: dict[str, tuple[str, str, bytes]], field_name: str
    ) -> tuple[int, bytes, str]:
        chat = self._chat(p)
        if not isinstance(chat, int):
            return chat
        if field_name not in f and field_name not in p:
            return self._error(400, f"Bad Request: there is no {field_name} in the request")
        if len(str(p.get("caption", ""))) > 1024:
            return self._error(400, "Bad Request: message caption is too long")
        name, mime, data = f.get(field_name, ("", "", b""))
        extra: dict[str, Any] = {}
        if p.get("caption"):
            extra["caption"] = p["caption"]
        if field_name == "photo":
            extra["photo"] = [
                {
                    "file_id": "sent",
                    "file_unique_id": "s",
                    "width": 1,
                    "height": 1,
                    "file_size": len(data),
                }
            ]
        else:
            extra["document"] = {
                "file_id": "sent",
                "file_unique_id": "s",
                "file_name": name,
                "mime_type": mime,
                "file_size": len(data),
            }
        return self._ok(self._message(chat, **extra))

    async def _m_sendPhoto(self, p: dict[str, Any], f: Any) -> tuple[int, bytes, str]:
        return await self._upload(p, f, "photo")

    async def _m_sendDocument(self, p: dict[str, Any], f: Any) -> tuple[int, bytes, str]:
        return await self._upload(p, f, "document")

    # -- webhook delivery ------------------------------------------------------------------

    async def _push_webhooks(self) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            while True:
                if not self.webhook_url or not self.updates:
                    self._new_update.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._new_update.wait(), 0.2)
                    continue
                update = self.updates[0]
                headers = {"Content-Type": "application/json"}
                if self.webhook_secret:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
                try:
                    answer = await http.post(
                        self.webhook_url, content=json.dumps(update).encode(), headers=headers
                    )
                    status = answer.status_code
                except httpx.HTTPError:
                    status = 0
                self.webhook_attempts.append((update["update_id"], status))
                if 200 <= status < 300:
                    if self.updates and self.updates[0] is update:
                        self.updates.pop(0)
                else:
                    await asyncio.sleep(self.webhook_retry_s)


def _multipart(ctype: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    boundary = ""
    for piece in ctype.split(";"):
        k, _, v = piece.strip().partition("=")
        if k == "boundary":
            boundary = v.strip('"')
    if not boundary:
        raise ValueError("no boundary")
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in body.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
        content = content[:-2] if content.endswith(b"\r\n") else content
        disp: dict[str, str] = {}
        part_type = "application/octet-stream"
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "content-disposition":
                for item in value.split(";")[1:]:
                    k, _, v = item.strip().partition("=")
                    disp[k] = v.strip('"')
            elif name.lower() == "content-type":
                part_type = value.strip()
        if "filename" in disp:
            files[disp["name"]] = (disp["filename"], part_type, content)
        else:
            fields[disp.get("name", "")] = content.decode()
    return fields, files
