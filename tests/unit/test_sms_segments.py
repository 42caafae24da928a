"""SMS length: GSM-7 and UCS-2 units, segment boundaries, escapes and surrogate pairs."""

from __future__ import annotations

import pytest

from services.protocol.sms import SmsLength, is_gsm, segments


def test_an_empty_text_is_no_sms() -> None:
    assert segments("") == SmsLength("GSM-7", 0, 0, 160, 160)


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (1, SmsLength("GSM-7", 1, 1, 160, 159)),
        (160, SmsLength("GSM-7", 160, 1, 160, 0)),
        (161, SmsLength("GSM-7", 161, 2, 153, 145)),
        (153 * 2, SmsLength("GSM-7", 306, 2, 153, 0)),
        (153 * 2 + 1, SmsLength("GSM-7", 307, 3, 153, 152)),
        (1600, SmsLength("GSM-7", 1600, 11, 153, 153 * 11 - 1600)),
    ],
)
def test_gsm_boundaries(length: int, expected: SmsLength) -> None:
    assert segments("a" * length) == expected


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (70, SmsLength("UCS-2", 70, 1, 70, 0)),
        (71, SmsLength("UCS-2", 71, 2, 67, 63)),
        (67 * 2, SmsLength("UCS-2", 134, 2, 67, 0)),
        (67 * 2 + 1, SmsLength("UCS-2", 135, 3, 67, 66)),
    ],
)
def test_cyrillic_is_ucs2(length: int, expected: SmsLength) -> None:
    assert segments("я" * length) == expected


def test_one_non_gsm_character_makes_the_whole_text_ucs2() -> None:
    assert segments("a" * 69 + "ж").encoding == "UCS-2"
    assert segments("a" * 100 + "ж") == SmsLength("UCS-2", 101, 2, 67, 33)
    # Latin with GSM accents stays GSM-7; other accents do not.
    assert is_gsm("Ça va? Ñandù £5 ¿ü") and not is_gsm("ú") and not is_gsm("\x1b")


def test_extension_characters_cost_two_septets() -> None:
    for ch in "^{}\\[~]|€\f":
        assert segments(ch) == SmsLength("GSM-7", 2, 1, 160, 158), repr(ch)
    assert segments("€" * 80) == SmsLength("GSM-7", 160, 1, 160, 0)
    assert segments("a" * 159 + "€").segments == 2  # 161 septets


def test_an_escape_is_never_split_across_parts() -> None:
    # 152 septets then a two-septet character: it cannot go in the first part's last septet.
    text = "a" * 152 + "€" + "a" * 10
    assert segments(text) == SmsLength("GSM-7", 164, 2, 153, 153 - 12)
    # Without the escape the same septets would fill part one exactly.
    assert segments("a" * 153 + "b" * 11).left_in_segment == 153 - 11


def test_emoji_are_two_units_and_never_split() -> None:
    assert segments("😀") == SmsLength("UCS-2", 2, 1, 70, 68)
    assert segments("😀" * 35) == SmsLength("UCS-2", 70, 1, 70, 0)
    assert segments("😀" * 36).segments == 2
    # 66 units then a pair: the pair opens part two whole, part one ends one unit short.
    text = "я" * 66 + "😀" + "я"
    assert segments(text) == SmsLength("UCS-2", 69, 1, 70, 1)
    text = "я" * 66 + "😀" + "я" * 5
    assert segments(text) == SmsLength("UCS-2", 73, 2, 67, 67 - 7)
    # BMP symbols outside GSM cost one unit.
    assert segments("✓").units == 1 and segments("✓").encoding == "UCS-2"
