"""How long a text is as SMS: its encoding, its units and the segments it is sent as.

Shared by the SMS adapter and the desktop composer (a counter under the reply box), so both
count the same way. GSM-7 (3GPP TS 23.038) fits 160 septets in one SMS and 153 in each part
of a concatenated one (the 6-byte UDH takes the rest); extension characters are sent as an
escape plus a septet and cost two. One character outside GSM-7 (any Cyrillic letter) makes
the whole text UCS-2: 70 units single, 67 a part, and a character outside the BMP (most
emoji) is a surrogate pair of two units. Neither an escape nor a surrogate pair is ever split
across parts, so a part may end one unit short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# The GSM 03.38 default alphabet (ESC itself, 0x1B, is not a character one can write).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Its extension table: each is sent as ESC + one septet.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True, slots=True)
class SmsLength:
    encoding: Encoding
    units: int  # septets (GSM-7) or 16-bit code units (UCS-2) of the whole text
    segments: int  # SMS it is sent as (0 for an empty text)
    per_segment: int  # units one segment holds: 160/70 alone, 153/67 as a part
    left_in_segment: int  # units still free in the last segment


def is_gsm(text: str) -> bool:
    """Whether ``text`` can be sent in the GSM-7 alphabet."""
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def _costs(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if ch in GSM_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segments(text: str) -> SmsLength:
    """The encoding, units and segments of ``text`` as one (possibly concatenated) SMS."""
    encoding: Encoding = "GSM-7" if is_gsm(text) else "UCS-2"
    costs = _costs(text, encoding)
    units = sum(costs)
    single = SINGLE[encoding]
    if units <= single:
        return SmsLength(encoding, units, 1 if units else 0, single, single - units)
    part = PART[encoding]
    # Greedy packing: a two-unit character that does not fit starts the next part whole.
    count, used = 1, 0
    for cost in costs:
        if used + cost > part:
            count, used = count + 1, 0
        used += cost
    return SmsLength(encoding, units, count, part, part - used)
