"""A fake Twilio Programmable Messaging API on 127.0.0.1, spoken over real HTTP.

It serves what the SMS adapter calls (``POST /2010-04-01/Accounts/{sid}/Messages.json``, HTTP
Basic sid:token, form fields; 201 with a Message JSON, errors as ``{code, message,
more_info, status}``) and media files (a 307 to a CDN path, like Twilio), and it plays
Twilio's side of the webhooks: status callbacks and inbound messages, form-encoded and signed
with ``X-Twilio-Signature`` exactly as Twilio signs them. It records every request and can be
told to fail: a status with Twilio's error body, 429 with Retry-After, a request it takes and
never answers, or the whole server down (and back on the same port).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-test-auth-token-7f3a"
FROM_NUMBER = "+15005550006"
INVALID = "+79990000001"  # Twilio answers 21211 for it
UNSUBSCRIBED = "+79990000002"  # 21610 (the recipient sent STOP)


def sign(token: str, url: str, form: dict[str, str]) -> str:
    """Twilio's signature: HMAC-SHA1 over the URL and each key+value in key order."""
    data = url + "".join(k + form[k] for k in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class Failure:
    status: int
    code: int
    message: str
    retry_after: str | None = None


@dataclass
class FakeTwilio:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    port: int = 0
    received: list[Received] = field(default_factory=list)
    # Messages it took, by sid: the form and the StatusCallback to report to.
    messages: dict[str, dict[str, str]] = field(default_factory=dict)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    _failures: list[Failure] = field(default_factory=list)
    _hang: int = 0
    _server: asyncio.Server | None = None
    _hanging: list[asyncio.StreamWriter] = field(default_factory=list)
    _http: httpx.AsyncClient | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def client(self) -> httpx.AsyncClient:
        """Its HTTP client, for tests that post what Twilio never would."""
        assert self._http is not None
        return self._http

    @property
    def messages_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    async def start(self) -> FakeTwilio:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=10)
        return self

    async def stop(self) -> None:
        """Down: the port refuses connections until start() again (same port)."""
        server, self._server = self._server, None
        for writer in self._hanging:
            writer.close()
        self._hanging.clear()
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    async def close(self) -> None:
        await self.stop()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- what tests tell it -------------------------------------------------------------

    def fail_next(
        self, status: int, code: int = 20500, message: str = "", retry_after: str | None = None
    ) -> None:
        self._failures.append(Failure(status, code, message or f"error {code}", retry_after))

    def hang_next(self) -> None:
        """Take the next send (it counts as received) and never answer it."""
        self._hang += 1

    def sends(self) -> list[Received]:
        return [r for r in self.received if r.path == self.messages_path]

    def add_media(self, mime: str, data: bytes) -> str:
        sid = new_sid("ME")
        self.media[sid] = (mime, data)
        message = new_sid("MM")
        return f"{self.base}/2010-04-01/Accounts/{self.account_sid}/Messages/{message}/Media/{sid}"

    async def report(self, sid: str, status: str, error_code: str | None = None) -> int:
        """Twilio's status callback for a message it took: the adapter's HTTP status."""
        msg = self.messages[sid]
        form = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "From": msg.get("From", FROM_NUMBER),
            "MessageSid": sid,
            "MessageStatus": status,
            "SmsSid": sid,
            "SmsStatus": status,
            "To": msg["To"],
        }
        if error_code is not None:
            form["ErrorCode"] = error_code
        answer = await self.post_signed(msg["StatusCallback"], form)
        return answer.status_code

    async def inbound(
        self,
        url: str,
        sender: str,
        body: str,
        *,
        sid: str | None = None,
        media: list[str] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        """An SMS/MMS from ``sender`` as Twilio POSTs it to the number's webhook."""
        form = {
            "ToCountry": "US",
            "SmsMessageSid": sid or "",
            "NumMedia": str(len(media or [])),
            "SmsSid": sid or "",
            "SmsStatus": "received",
            "Body": body,
            "To": FROM_NUMBER,
            "NumSegments": "1",
            "MessageSid": sid or new_sid("MM" if media else "SM"),
            "AccountSid": self.account_sid,
            "From": sender,
            "ApiVersion": "2010-04-01",
        }
        form["SmsMessageSid"] = form["SmsSid"] = form["MessageSid"]
        for i, media_url in enumerate(media or []):
            form[f"MediaUrl{i}"] = media_url
            form[f"MediaContentType{i}"] = self.media[media_url.rsplit("/", 1)[1]][0]
        return await self.post_signed(url, form, token=token)

    async def post_signed(
        self, url: str, form: dict[str, str], *, token: str | None = None
    ) -> httpx.Response:
        assert self._http is not None
        signature = sign(token or self.auth_token, url, form)
        return await self._http.post(
            url,
            content=urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "User-Agent": "TwilioProxy/1.1",
            },
        )

    # -- the HTTP side ------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            path = urlsplit(target).path
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
            self.received.append(Received(method, path, headers, form))
            if method == "POST" and path == self.messages_path and self._hang:
                self._hang -= 1
                self._hanging.append(writer)
                return
            status, ctype, payload, extra = self._answer(method, path, headers, form)
            lines_out = [f"HTTP/1.1 {status} X", f"Content-Type: {ctype}"]
            lines_out += [f"Content-Length: {len(payload)}", "Connection: close"]
            lines_out += [f"{k}: {v}" for k, v in extra.items()]
            writer.write(("\r\n".join(lines_out) + "\r\n\r\n").encode() + payload)
            await writer.drain()
            writer.close()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            writer.close()

    def _error(
        self, status: int, code: int, message: str
    ) -> tuple[int, str, bytes, dict[str, str]]:
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return status, "application/json", json.dumps(body).encode(), {}

    def _authorised(self, headers: dict[str, str]) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return hmac.compare_digest(headers.get("authorization", ""), f"Basic {expected}")

    def _answer(
        self, method: str, path: str, headers: dict[str, str], form: dict[str, str]
    ) -> tuple[int, str, bytes, dict[str, str]]:
        if path.startswith("/cdn/") and method == "GET":
            found = self.media.get(path.rsplit("/", 1)[1])
            if found is None:
                return self._error(404, 20404, "The requested resource was not found")
            return 200, found[0], found[1], {}
        if not self._authorised(headers):
            return self._error(401, 20003, "Authenticate")
        if "/Media/" in path and method == "GET":
            media_sid = path.rsplit("/", 1)[1]
            if media_sid not in self.media:
                return self._error(404, 20404, "The requested resource was not found")
            return 307, "text/plain", b"", {"Location": f"{self.base}/cdn/{media_sid}"}
        if path != self.messages_path or method != "POST":
            return self._error(404, 20404, f"The requested resource {path} was not found")
        if self._failures:
            failure = self._failures.pop(0)
            status, ctype, payload, extra = self._error(
                failure.status, failure.code, failure.message
            )
            if failure.retry_after is not None:
                extra = {"Retry-After": failure.retry_after}
            return status, ctype, payload, extra
        to, body = form.get("To", ""), form.get("Body", "")
        if not to:
            return self._error(400, 21604, "A 'To' phone number is required.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return self._error(400, 21603, "A 'From' or 'MessagingServiceSid' is required.")
        if not body:
            return self._error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return self._error(400, 21617, "The concatenated message body exceeds 1600.")
        if to == INVALID or not to.startswith("+"):
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to == UNSUBSCRIBED:
            return self._error(400, 21610, "Attempt to send to unsubscribed recipient " + to)
        sid = new_sid("SM")
        self.messages[sid] = form
        message = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": "Mon, 07 Dec 2026 23:00:00 +0000",
            "date_sent": None,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "sid": sid,
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "to": to,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        return 201, "application/json", json.dumps(message).encode(), {}
