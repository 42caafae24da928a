"""The hub's settings (the gateway fills them from its configuration)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.domain.files import FileLimits


@dataclass(slots=True)
class HubConfig:
    offer_timeout_s: float = 30.0
    # At most this many conversations offered to one operator at once (each still within the
    # channel's capacity): offers beyond it wait in the queue, not on the operator's screen.
    max_offers_per_operator: int = 2
    # A conversation everybody able declined or let time out is offered round again only after
    # this long, so that the only operator on shift is not handed the same offer back at once.
    reoffer_after_s: float = 30.0
    # An operator who lets this many offers in a row time out is not at the desk: their
    # presence goes to "break" (as an agent desk's "not responding") until they come back.
    # 0 keeps them available.
    missed_offers_to_break: int = 2
    default_queue: str = "general"
    # A customer writing again within this time goes back to the operator who served them.
    sticky_window_s: float = 24 * 3600
    event_retention_days: float = 7.0
    disconnect_grace_s: float = 30.0
    idempotency_retention_days: float = 2.0
    # Hints shown and never answered (not even ignored: the card was only looked at) are kept
    # this long for analysis; answered ones stay, they are what the learning counts are made of.
    hint_retention_days: float = 30.0
    channel_queues: dict[str, str] = field(default_factory=dict)
    # Queue changes within this window reach each watcher as one live frame.
    live_window_s: float = 0.05
    # An agent may open this many customers an hour that are neither theirs nor waiting in a
    # queue they may take (walking the customer ids is refused long before it gets far).
    unrelated_opens_per_hour: int = 200
    # Attachments: size, count per message, visitor uploads a minute.
    files: FileLimits = field(default_factory=FileLimits)
    # A customer who writes on another channel within this long of their last message in an
    # open conversation continues it (one conversation across channels); 0 turns it off.
    cross_channel_s: float = 2 * 3600
    # Work on these channels blocks new offers of any other (an operator on a call is not
    # offered chats), like interruptible capacity in other contact-centre routers.
    blocking_channels: frozenset[str] = frozenset({"voice"})
    # A send the provider refused as safe to repeat is tried again after each of these.
    delivery_retry_s: tuple[float, ...] = (2, 8, 30, 120, 240)
