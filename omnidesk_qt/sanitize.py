"""E-mail HTML is untrusted: sanitise before anything displays it."""

from __future__ import annotations

import html
import re

import nh3

_TAGS = {
    "a",
    "b",
    "i",
    "u",
    "em",
    "strong",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "h1",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "span",
    "div",
    "hr",
}


def sanitize_email_html(raw: str) -> str:
    """Keep formatting and links; drop scripts, styles, frames, event handlers, javascript: URLs."""
    return nh3.clean(
        raw,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def html_to_text(raw: str) -> str:
    """Plain text of an e-mail body for list rows (sanitised first, then tags dropped)."""
    if "<" not in raw:
        return raw
    clean = sanitize_email_html(raw)
    clean = re.sub(r"<(br|/p|/div|/li|/tr)\b[^>]*>", "\n", clean, flags=re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", clean))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
