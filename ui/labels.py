"""Names of the CRM's codes in the interface language: one table each, for every widget that
shows them (the wrap-up dialog, the feed, the customer card).

Each string is a literal ``QCoreApplication.translate("Labels", …)`` call, the form lupdate
finds; the tables are built when asked for, after the translator is installed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale


def queue_name(queue: dict[str, Any]) -> str:
    """A queue as operators know it: its display name in the interface language, else its
    name (the gateway's code, which commands use)."""
    names = queue.get("display_names") or {}
    language = QLocale().name().split("_")[0]
    return str(names.get(language) or names.get("en") or queue.get("name") or "")


def channel_names() -> dict[str, str]:
    """Every channel by the name operators know it by (the channel table's codes)."""
    return {
        "webchat": QCoreApplication.translate("Labels", "Web chat"),
        "email": QCoreApplication.translate("Labels", "E-mail"),
        "telegram": QCoreApplication.translate("Labels", "Telegram"),
        "whatsapp": QCoreApplication.translate("Labels", "WhatsApp"),
        "sms": QCoreApplication.translate("Labels", "SMS"),
        "voice": QCoreApplication.translate("Labels", "Phone"),
        "visit": QCoreApplication.translate("Labels", "Visit"),
    }


def disposition_names() -> dict[str, str]:
    """How a conversation or call ended: the wrap-up choices and the PBX's own outcomes."""
    return {
        "resolved": QCoreApplication.translate("Labels", "Resolved"),
        "information": QCoreApplication.translate("Labels", "Information given"),
        "order_status": QCoreApplication.translate("Labels", "Order status"),
        "complaint": QCoreApplication.translate("Labels", "Complaint"),
        "sale": QCoreApplication.translate("Labels", "Sale"),
        "technical": QCoreApplication.translate("Labels", "Technical issue"),
        "callback": QCoreApplication.translate("Labels", "Callback arranged"),
        "callback_requested": QCoreApplication.translate("Labels", "Callback requested"),
        "escalated": QCoreApplication.translate("Labels", "Escalated"),
        "wrong_number": QCoreApplication.translate("Labels", "Wrong number"),
        "spam": QCoreApplication.translate("Labels", "Spam"),
        "no_answer": QCoreApplication.translate("Labels", "No answer"),
        "voicemail": QCoreApplication.translate("Labels", "Voicemail"),
        "busy": QCoreApplication.translate("Labels", "Busy"),
        "missed": QCoreApplication.translate("Labels", "Missed"),
    }


def status_names() -> dict[str, str]:
    """States of orders and of touchpoints."""
    return {
        "created": QCoreApplication.translate("Labels", "created"),
        "paid": QCoreApplication.translate("Labels", "paid"),
        "shipped": QCoreApplication.translate("Labels", "shipped"),
        "delivered": QCoreApplication.translate("Labels", "delivered"),
        "returned": QCoreApplication.translate("Labels", "returned"),
        "cancelled": QCoreApplication.translate("Labels", "cancelled"),
        "open": QCoreApplication.translate("Labels", "open"),
        "pending": QCoreApplication.translate("Labels", "pending"),
        "escalated": QCoreApplication.translate("Labels", "escalated"),
        "closed": QCoreApplication.translate("Labels", "closed"),
    }


def not_delivered(error: str, alternatives: list[dict[str, Any]]) -> str:
    """Why a message did not reach the customer, and where else they can be reached."""
    names = channel_names()
    text = error or QCoreApplication.translate("Labels", "the channel refused it")
    ways = ", ".join(
        " ".join(
            str(x)
            for x in (names.get(str(a.get("channel")), a.get("channel")), a.get("address"))
            if x
        )
        for a in alternatives
    )
    if ways:
        text += " · " + QCoreApplication.translate("Labels", "reach them instead: %1").replace(
            "%1", ways
        )
    return text
