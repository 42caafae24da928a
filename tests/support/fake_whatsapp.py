"""A fake Meta Graph API for the WhatsApp Cloud API, over real HTTP on 127.0.0.1.

It speaks what the adapter must (channels.md §2): ``POST /{version}/{phone-number-id}/messages``
and ``/media``, ``GET /{version}/{media-id}`` (the media's URL, size and type) and the download
of that URL, ``GET /{version}/{phone-number-id}`` (the number itself), each with the Bearer
token; errors in Graph's shape (``{"error": {"message", "type", "code", "error_data",
"fbtrace_id"}}``). It records every
request, can be told to fail the next ones (a status and a Graph code, a Retry-After, an answer
held back past the client's timeout), stopped and started again on the same port.

It also plays Meta's webhook side: :meth:`FakeGraph.deliver` signs a body exactly as it sends
it (compact JSON with ``\\uXXXX`` escapes, HMAC-SHA256 with the app secret) and POSTs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Litestar, Request, Response, get, post

from services.api.http_server import HttpServer
from tests.support.net import free_port

VERSION = "v21.0"


@dataclass
class Planned:
    """How the next matching request is answered instead of normally."""

    status: int = 500
    code: int | None = None
    message: str = ""
    retry_after: str | None = None
    hold_s: float = 0.0  # answer this late (past the client's timeout: a lost answer)
    target: str = "messages"  # messages, media (upload), media_info, download
    after: int = 0  # let this many matching requests through first


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    file: tuple[str, str, bytes] | None = None  # an upload's (name, mime, bytes)


class FakeGraph:
    def __init__(self, token: str = "graph-token", phone_number_id: str = "1065550001") -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.port = free_port()
        self.requests: list[Recorded] = []
        self.plans: list[Planned] = []
        self.media: dict[str, tuple[str, bytes]] = {}  # media id -> (mime, bytes)
        self.uploads: dict[str, tuple[str, str, bytes]] = {}
        self._ids = itertools.count(1)
        self._server: HttpServer | None = None
        self._release = asyncio.Event()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    @property
    def sent(self) -> list[dict[str, Any]]:
        """The bodies of the messages Meta took (answered 200)."""
        return [r.json for r in self.requests if r.path.endswith("/messages") and r.json]

    async def start(self) -> None:
        self._release = asyncio.Event()
        self._server = HttpServer("127.0.0.1", self.port)
        await self._server.start(self._app())

    async def stop(self) -> None:
        self._release.set()  # held answers end now
        if self._server is not None:
            await self._server.close()
            self._server = None

    def fail_next(self, status: int = 500, code: int | None = None, **kw: Any) -> None:
        self.plans.append(Planned(status, code, **kw))

    def add_media(self, mime: str, data: bytes) -> str:
        media_id = f"{next(self._ids) + 900000000000}"
        self.media[media_id] = (mime, data)
        return media_id

    # -- Meta's webhook side -------------------------------------------------------------

    @staticmethod
    def encode(payload: dict[str, Any]) -> bytes:
        """As Meta sends it: compact JSON, non-ASCII as ``\\uXXXX`` escapes."""
        return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()

    @staticmethod
    def sign(body: bytes, app_secret: str) -> str:
        return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()

    async def deliver(
        self,
        url: str,
        payload: dict[str, Any] | bytes,
        app_secret: str,
        *,
        signature: str | None = "auto",
    ) -> httpx.Response:
        """POST a webhook body to ``url`` signed over exactly the bytes sent."""
        body = payload if isinstance(payload, bytes) else self.encode(payload)
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = self.sign(body, app_secret)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with httpx.AsyncClient(timeout=10) as http:
            return await http.post(url, content=body, headers=headers)

    # -- the Graph API -------------------------------------------------------------------

    def _plan(self, target: str) -> Planned | None:
        for i, plan in enumerate(self.plans):
            if plan.target == target:
                if plan.after:
                    plan.after -= 1
                    return None
                return self.plans.pop(i)
        return None

    @staticmethod
    def error(
        status: int, code: int, message: str, retry_after: str | None = None
    ) -> Response[Any]:
        headers = {"Retry-After": retry_after} if retry_after else {}
        body = {
            "error": {
                "message": f"(#{code}) {message}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"details": message},
                "fbtrace_id": "AbCdEf123",
            }
        }
        return Response(body, status_code=status, headers=headers)

    async def _planned(self, target: str) -> Response[Any] | None:
        plan = self._plan(target)
        if plan is None:
            return None
        if plan.hold_s:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), plan.hold_s)
        if plan.status < 400:
            return None  # only held back
        code = plan.code if plan.code is not None else plan.status
        return self.error(
            plan.status, code, plan.message or "Service unavailable", plan.retry_after
        )

    def _authorised(self, request: Request[Any, Any, Any]) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    def _unauthorised(self) -> Response[Any]:
        return self.error(401, 190, "Error validating access token: Session has expired")

    def _app(self) -> Litestar:
        fake = self

        @post(f"/{VERSION}/{{node:str}}/messages", status_code=200)
        async def messages(request: Request[Any, Any, Any]) -> Response[Any]:
            node = str(request.path_params["node"])
            body = json.loads(await request.body())
            rec = Recorded("POST", request.url.path, dict(request.headers), json=None)
            fake.requests.append(rec)
            if not fake._authorised(request):
                return fake._unauthorised()
            if node != fake.phone_number_id:
                return fake.error(400, 100, "Unsupported post request. Object does not exist")
            answer = await fake._planned("messages")
            if answer is not None:
                return answer
            if body.get("messaging_product") != "whatsapp" or not body.get("to"):
                return fake.error(400, 100, "Invalid parameter")
            rec.json = body  # taken
            wamid = f"wamid.OUT{next(fake._ids):06d}"
            return Response(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                    "messages": [{"id": wamid}],
                }
            )

        @post(f"/{VERSION}/{{node:str}}/media", status_code=200)
        async def upload(request: Request[Any, Any, Any]) -> Response[Any]:
            node = str(request.path_params["node"])
            form = await request.form()
            rec = Recorded("POST", request.url.path, dict(request.headers))
            fake.requests.append(rec)
            if not fake._authorised(request):
                return fake._unauthorised()
            if node != fake.phone_number_id:
                return fake.error(400, 100, "Unsupported post request. Object does not exist")
            answer = await fake._planned("media")
            if answer is not None:
                return answer
            file = form.get("file")
            rec.form = {k: v for k, v in form.items() if isinstance(v, str)}
            if (
                file is None
                or isinstance(file, str)
                or rec.form.get("messaging_product") != ("whatsapp")
            ):
                return fake.error(400, 100, "Invalid parameter")
            data = await file.read()
            rec.file = (file.filename, file.content_type, data)
            media_id = f"{next(fake._ids) + 800000000000}"
            fake.uploads[media_id] = rec.file
            return Response({"id": media_id})

        @get(f"/{VERSION}/{{media_id:str}}")
        async def media_info(request: Request[Any, Any, Any]) -> Response[Any]:
            media_id = str(request.path_params["media_id"])
            fake.requests.append(Recorded("GET", request.url.path, dict(request.headers)))
            if not fake._authorised(request):
                return fake._unauthorised()
            if media_id == fake.phone_number_id:  # the business number itself
                return Response(
                    {
                        "verified_name": "Shop",
                        "display_phone_number": "+1 555-000-1111",
                        "id": media_id,
                    }
                )
            answer = await fake._planned("media_info")
            if answer is not None:
                return answer
            if media_id not in fake.media:
                return fake.error(400, 100, "Unsupported get request. Object does not exist")
            mime, data = fake.media[media_id]
            return Response(
                {
                    "messaging_product": "whatsapp",
                    "url": f"http://127.0.0.1:{fake.port}/download/{media_id}?ext={int(time.time())}",
                    "mime_type": mime,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "file_size": len(data),
                    "id": media_id,
                }
            )

        @get("/download/{media_id:str}")
        async def download(request: Request[Any, Any, Any]) -> Response[Any]:
            media_id = str(request.path_params["media_id"])
            fake.requests.append(Recorded("GET", request.url.path, dict(request.headers)))
            if not fake._authorised(request):
                return Response(b"", status_code=401)
            answer = await fake._planned("download")
            if answer is not None:
                return answer
            if media_id not in fake.media:
                return Response(b"", status_code=404)
            mime, data = fake.media[media_id]
            return Response(data, media_type=mime)

        return Litestar(
            [messages, upload, media_info, download], logging_config=None, openapi_config=None
        )


# -- webhook bodies as Meta sends them ----------------------------------------------------


def envelope(value: dict[str, Any], phone_number_id: str = "1065550001") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001111",
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def inbound(
    wa_id: str,
    wamid: str,
    *,
    name: str = "",
    timestamp: float | None = None,
    kind: str = "text",
    **content: Any,
) -> dict[str, Any]:
    """One message webhook: ``text="..."`` or ``content={type's object}``."""
    message: dict[str, Any] = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(int(timestamp if timestamp is not None else time.time())),
        "type": kind,
    }
    if kind == "text":
        message["text"] = {"body": content.get("text", "")}
    else:
        message[kind] = content.get("content", {})
    value: dict[str, Any] = {"messages": [message]}
    if name:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
    return envelope(value)


def status(
    wamid: str,
    state: str,
    recipient: str,
    *,
    error: tuple[int, str] | None = None,
    timestamp: float | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": str(int(timestamp if timestamp is not None else time.time())),
        "recipient_id": recipient,
    }
    if error is not None:
        entry["errors"] = [
            {
                "code": error[0],
                "title": error[1],
                "message": error[1],
                "error_data": {"details": error[1]},
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }
        ]
    return envelope({"statuses": [entry]})
