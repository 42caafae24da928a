"""The gateway's HTTP application (Litestar): the factory every HTTP route goes through.

The gateway passes its own routes (``/healthz``, ``/chat/``); channel adapters add theirs (provider
webhooks) and later the CRM API, as route handlers or routers in the same list. The OpenAPI schema
is at ``/api/schema/openapi.json`` and its viewer at ``/api/schema``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.types import ControllerRouterHandler, Scope

from services.api.security_headers import API_DOCS_PATH, security_headers_hook

log = logging.getLogger(__name__)


async def _log_failure(exc: Exception, scope: Scope) -> None:
    # The path only: a query string or a body may carry personal data or a token.
    if getattr(exc, "status_code", 500) >= 500:
        log.error("HTTP handler failed", exc_info=exc, extra={"path": scope.get("path")})


def _version() -> str:
    try:
        return version("omnidesk")
    except PackageNotFoundError:
        return "0"


def create_http_app(
    routes: Sequence[ControllerRouterHandler],
    *,
    tls: bool = False,
    max_body_bytes: int = 10_000_000,
) -> Litestar:
    """``max_body_bytes``: the largest request body (uploads check their own, lower limit)."""
    return Litestar(
        route_handlers=list(routes),
        openapi_config=OpenAPIConfig(
            title="OmniDesk gateway",
            version=_version(),
            path=API_DOCS_PATH,
            render_plugins=[SwaggerRenderPlugin(path="/"), JsonRenderPlugin(path="/openapi.json")],
        ),
        before_send=[security_headers_hook(tls=tls)],
        after_exception=[_log_failure],
        # The gateway's own logging stays as it is (Litestar's default would reconfigure root).
        logging_config=None,
        debug=False,
        request_max_body_size=max_body_bytes,
    )
