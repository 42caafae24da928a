"""E-mail HTML is untrusted: it is sanitised before anything displays it.

:func:`sanitize_email_html` keeps basic formatting and links and *strips* everything else: tags
that are not allowed disappear but keep their text, except for scripts, styles, frames and the
like, whose content goes too. No attribute survives but a link's address and title (so no event
handlers, no inline styles, no classes), a link's address only with an http(s), mailto or tel
scheme (no ``javascript:``/``data:``, no relative addresses, which mean nothing in an e-mail), and
every link gets ``rel="noopener noreferrer"``. There are no images: a remote image is a read
receipt for the sender. Broken or unclosed HTML is repaired by a real HTML5 parser (html5ever,
through nh3), not by regular expressions.

:func:`plain_to_html` is for text that is *not* HTML (a plain-text e-mail, a chat message) and
is shown in an HTML-capable widget: everything is escaped.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "ins",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
# Removed together with everything inside them (the rest is stripped to its text).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "noframes",
        "object",
        "embed",
        "applet",
        "noscript",
        "template",
        "svg",
        "math",
        "head",
        "title",
        "select",
        "textarea",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_ABSOLUTE = re.compile(r"^\s*(https?://|mailto:|tel:)", re.IGNORECASE)
_SPAN = re.compile(r"^\d{1,3}$")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*[\s>/]|<!--|<!doctype", re.IGNORECASE)


def _attribute(tag: str, attr: str, value: str) -> str | None:
    if attr == "href":
        return value if _ABSOLUTE.match(value) else None
    if attr in ("colspan", "rowspan"):
        return value if _SPAN.match(value.strip()) else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_email_html(raw: str) -> str:
    """Safe HTML for an e-mail body: formatting and links kept, anything active stripped."""
    if not raw:
        return ""
    return _cleaner.clean(raw)


def plain_to_html(text: str) -> str:
    """Plain text as HTML that shows exactly that text: escaped, line breaks kept."""
    escaped = html.escape(text, quote=True)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def looks_like_html(text: str) -> bool:
    """Does an e-mail body carry markup, or is it plain text (which must not be parsed)?"""
    return _TAG.search(text) is not None


def email_body_html(body: str) -> str:
    """The HTML to display for an e-mail body, whether it came as HTML or as plain text."""
    return sanitize_email_html(body) if looks_like_html(body) else plain_to_html(body)


def html_to_text(raw: str) -> str:
    """Plain text of an e-mail body for one-line previews and screen readers (sanitised first,
    then tags dropped and entities decoded)."""
    if not looks_like_html(raw):
        return raw
    clean = sanitize_email_html(raw)
    clean = re.sub(r"<(br|/p|/div|/li|/tr|/h\d|/blockquote)\b[^>]*>", "\n", clean, flags=re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", clean))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
