"""Headers every HTTP response of the gateway carries, unless its handler chose its own.

The defaults suit what most routes are, JSON for machines: nothing may run, load or frame it. The
web-chat pages (services/api/webchat_pages.py) set their own Content-Security-Policy and
Cross-Origin-Resource-Policy; the API docs page gets the one policy that lets its viewer load.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

API_DOCS_PATH = "/api/schema"

# JSON and plain text: no scripts, no frames, no forms, not even as a frame of our own.
LOCKED_DOWN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

# The docs viewer (Swagger UI) comes from its CDN and starts with an inline script. The page
# shows only the schema, never data, so the inline script is allowed there and nowhere else.
DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src https://cdn.jsdelivr.net 'unsafe-inline'; img-src 'self' data: "
    "https://cdn.jsdelivr.net; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cache-Control": "no-store",
}

HSTS = "max-age=31536000"

SendHook = Callable[[Message, Scope], Awaitable[None]]


def security_headers_hook(*, tls: bool) -> SendHook:
    """A Litestar ``before_send`` hook: it sees every response, 404s and errors included."""
    defaults: Mapping[str, str] = COMMON_HEADERS | (
        {"Strict-Transport-Security": HSTS} if tls else {}
    )

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in defaults.items():
            if name not in headers:
                headers[name] = value
        if "Content-Security-Policy" not in headers:
            path = str(scope.get("path", ""))
            docs = path.rstrip("/") == API_DOCS_PATH
            headers["Content-Security-Policy"] = DOCS_CSP if docs else LOCKED_DOWN_CSP
        if "X-Frame-Options" not in headers and "frame-ancestors 'none'" in headers.get(
            "Content-Security-Policy", ""
        ):
            headers["X-Frame-Options"] = "DENY"  # for browsers older than frame-ancestors

    return add_headers
