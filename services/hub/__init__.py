"""The hub, one module per seam: live state, the event bus, customers, intake, transitions,
routing, conversation commands, messaging, hints and reads; :class:`Hub` composes them."""

from services.hub.config import HubConfig
from services.hub.hub import Hub

__all__ = ["Hub", "HubConfig"]
