"""Where browsers reach the gateway: the public URLs of its two listeners and its own origins.

Everything here comes from configuration and the bound ports, never from a request: a Host or
Origin header is the client's word, and a DNS-rebinding page chooses both.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from services.api.urls import base_url, origin_of
from services.config import GatewayConfig

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")


@dataclass(frozen=True)
class PublicAddresses:
    http_url: str  # the HTTP side's base URL, no trailing slash
    socket_url: str  # the websockets listener's base URL, no trailing slash
    own_origins: frozenset[str]  # origins of the gateway's own pages

    @property
    def chat_socket_url(self) -> str:
        return self.socket_url + "/ws/chat"

    @property
    def chat_page_url(self) -> str:
        return self.http_url + "/chat/"


def public_addresses(config: GatewayConfig, http_port: int, socket_port: int) -> PublicAddresses:
    secure = config.tls
    if config.http_public_url:
        http_url = config.http_public_url.rstrip("/")
        own = {origin_of(http_url)}
    else:
        # Not configured: the listen address itself; on loopback or all interfaces only the
        # loopback names (a LAN address must be configured as public_url to be trusted).
        host = config.http_listen_host
        wide = host in WILDCARD_HOSTS or host in LOOPBACK_NAMES
        names = LOOPBACK_NAMES if wide else (host,)
        scheme = "https" if secure else "http"
        own = {base_url(scheme, name, http_port) for name in names}
        http_url = base_url(scheme, names[0], http_port)
    if config.http_socket_url:
        socket_url = config.http_socket_url.rstrip("/")
    else:
        page_host = urlsplit(http_url).hostname or LOOPBACK_NAMES[0]
        socket_url = base_url("wss" if secure else "ws", page_host, socket_port)
    return PublicAddresses(http_url, socket_url, frozenset(own))
