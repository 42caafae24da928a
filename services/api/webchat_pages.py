"""``/chat/``: the widget's demo page and the files a shop's page loads to embed the chat.

The widget speaks to the websockets listener, which is not this server: the gateway writes the
socket's public URL into the script it serves, so the one-line snippet works on any page.
The demo page gets a strict Content-Security-Policy with a fresh nonce for its one inline
stylesheet (the widget gives its own fallback styles the nonce of its script tag).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from importlib import resources

from litestar import Response, get
from litestar.handlers import HTTPRouteHandler

from services.api.urls import origin_of

NONCE_MARK = "__CSP_NONCE__"
SOCKET_MARK = 'var servedSocketUrl = "";'
# Shops load these from their own pages (no-cors script and stylesheet requests).
EMBEDDABLE = {"Cross-Origin-Resource-Policy": "cross-origin", "Cache-Control": "no-cache"}


def _static(name: str) -> str:
    return resources.files("services.channels").joinpath("static", name).read_text("utf-8")


def served_widget_script(chat_socket_url: str) -> str:
    script = _static("widget.js")
    if script.count(SOCKET_MARK) != 1:
        raise RuntimeError("widget.js has lost the line the gateway writes its socket URL into")
    return script.replace(SOCKET_MARK, f"var servedSocketUrl = {json.dumps(chat_socket_url)};")


def page_policy(
    nonce: str, chat_socket_url: str, embedders: Sequence[str], http_url: str = ""
) -> str:
    frames = "*" if "*" in embedders else " ".join(["'self'", *embedders])
    # The chat socket, and the HTTP side itself (the widget uploads attachments there).
    connect = " ".join(
        dict.fromkeys([origin_of(chat_socket_url), *([origin_of(http_url)] if http_url else [])])
    )
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; "
        f"img-src 'self' data:; connect-src {connect}; "
        f"frame-ancestors {frames}; base-uri 'none'; form-action 'none'"
    )


def webchat_page_routes(
    chat_socket_url: str, embedders: Sequence[str], http_url: str = ""
) -> list[HTTPRouteHandler]:
    """``embedders``: the origins that may frame the page (the web chat's allow-list);
    ``http_url``: the HTTP side's public base (the widget uploads files there)."""
    page = _static("index.html")
    script = served_widget_script(chat_socket_url)
    stylesheet = _static("widget.css")

    @get(["/chat", "/chat/index.html"], include_in_schema=False)
    async def chat_page() -> Response[str]:
        nonce = secrets.token_urlsafe(18)
        return Response(
            page.replace(NONCE_MARK, nonce),
            media_type="text/html",
            headers={
                "Content-Security-Policy": page_policy(nonce, chat_socket_url, embedders, http_url),
                "Cache-Control": "no-cache",
            },
        )

    @get("/chat/widget.js", include_in_schema=False)
    async def widget_script() -> Response[str]:
        return Response(script, media_type="text/javascript", headers=EMBEDDABLE)

    @get("/chat/widget.css", include_in_schema=False)
    async def widget_stylesheet() -> Response[str]:
        return Response(stylesheet, media_type="text/css", headers=EMBEDDABLE)

    return [chat_page, widget_script, widget_stylesheet]
