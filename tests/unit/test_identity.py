from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.domain.identity import (
    KINDS,
    InvalidIdentity,
    initials,
    normalise_email,
    normalise_identity,
    normalise_phone,
)
from services.store.models import IdentityKind

# --- phone -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "8 (916) 123-45-67",
        "+7 916 123 45 67",
        "79161234567",
        "+79161234567",
        "9161234567",
        "  8-916-123-45-67  ",
        "+7 (916) 123-45-67",
    ],
)
def test_russian_mobile_forms_normalise_to_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+79161234567"


def test_landline_and_foreign_numbers() -> None:
    assert normalise_phone("8 (495) 123-45-67") == "+74951234567"
    assert normalise_phone("+1 650-253-0000") == "+16502530000"
    assert normalise_phone("(650) 253-0000", default_region="US") == "+16502530000"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "123",
        "+7 916 123",
        "+7 916 123 45 67 89 00",
        "not a number",
        "+7 916 FLOWERS",
        "8 916 123 45 67 доб. 12",
        "+7 916 123-45-67 ext 5",
        "+0 123 456 789",
        "x" * 1000,
    ],
)
def test_invalid_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentity):
        normalise_phone(raw)


def test_invalid_phone_message_names_the_input() -> None:
    with pytest.raises(InvalidIdentity, match="12345"):
        normalise_phone("12345")


def test_invalid_identity_is_a_value_error() -> None:
    assert issubclass(InvalidIdentity, ValueError)


@given(st.sampled_from(["+7", "8", "7", ""]), st.from_regex(r"9[0-9]{9}", fullmatch=True))
def test_normalising_a_normalised_phone_changes_nothing(prefix: str, digits: str) -> None:
    try:
        once = normalise_phone(prefix + digits)
    except InvalidIdentity:
        assume(False)
        raise
    assert once == "+7" + digits
    assert normalise_phone(once) == once


_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
_FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
]
_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]


@given(st.sampled_from(_REGIONS), st.sampled_from(_TYPES), st.sampled_from(_FORMATS))
def test_phone_normalisation_is_idempotent_worldwide(region: str, kind: int, fmt: int) -> None:
    example = phonenumbers.example_number_for_type(region, kind)
    assume(example is not None and phonenumbers.is_valid_number(example))
    assert example is not None
    expected = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    written = phonenumbers.format_number(example, fmt)
    once = normalise_phone(written, default_region=region)
    assert once == expected
    assert normalise_phone(once) == once
    assert normalise_phone(once, default_region="US") == once


# --- e-mail ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ivan.Petrov@Mail.RU", "ivan.petrov@mail.ru"),
        ("  anna@yandex.ru \n", "anna@yandex.ru"),
        ("a+tag@sub.example.com", "a+tag@sub.example.com"),
        ("ПЁТР@почта.рф", "пётр@почта.рф"),
    ],
)
def test_email_normalisation(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "no-at-sign.ru",
        "two@@mail.ru",
        "a@b@mail.ru",
        "@mail.ru",
        "ivan@localhost",
        "ivan@mail .ru",
        "iv an@mail.ru",
        "ivan@.ru",
        "ivan@mail.",
        "ivan@mail..ru",
        "a" * 250 + "@mail.ru",
    ],
)
def test_invalid_emails_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentity):
        normalise_email(raw)


def test_invalid_email_message_names_the_input() -> None:
    with pytest.raises(InvalidIdentity, match="no-at-sign"):
        normalise_email("no-at-sign")


@given(st.emails())
def test_email_normalisation_is_idempotent(raw: str) -> None:
    once = normalise_email(raw)
    assert normalise_email(once) == once
    assert once == once.strip().lower()


@given(st.text(max_size=60))
def test_email_normalisation_is_idempotent_on_any_text(raw: str) -> None:
    try:
        once = normalise_email(raw)
    except InvalidIdentity:
        return
    assert normalise_email(once) == once


# --- dispatch ----------------------------------------------------------------------------------


def test_every_identity_kind_is_handled() -> None:
    assert {kind.value for kind in IdentityKind} == KINDS


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("phone", "8 (916) 123-45-67", "+79161234567"),
        ("whatsapp", "8 (916) 123-45-67", "+79161234567"),
        (IdentityKind.WHATSAPP, "+7 916 123 45 67", "+79161234567"),
        ("email", " Anna@Mail.Ru ", "anna@mail.ru"),
        ("telegram", "123456789", "123456789"),
        ("telegram", " 0123456789 ", "123456789"),
        ("telegram", "@Ivan_Petrov", "@ivan_petrov"),
        ("telegram", "Ivan_Petrov", "@ivan_petrov"),
        ("web_visitor", "wv_0123abcdEF", "wv_0123abcdEF"),
        ("web_visitor", "a" * 64, "a" * 64),
        ("web_visitor", "12345678", "12345678"),
    ],
)
def test_normalise_identity(kind: str, raw: str, expected: str) -> None:
    assert normalise_identity(kind, raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("phone", "abc"),
        ("whatsapp", "123"),
        ("email", "nobody"),
        ("telegram", ""),
        ("telegram", "0"),
        ("telegram", "-100123456"),
        ("telegram", "@ab"),
        ("telegram", "@1abcdef"),
        ("telegram", "@иван_петров"),
        ("telegram", "@ivan petrov"),
        ("telegram", "@" + "a" * 33),
        ("web_visitor", "short"),
        ("web_visitor", "a" * 65),
        ("web_visitor", "has space1"),
        ("web_visitor", "визитёр12345"),
        ("web_visitor", "abcd\tefgh"),
        ("fax", "+79161234567"),
        ("", "+79161234567"),
    ],
)
def test_normalise_identity_refuses(kind: str, raw: str) -> None:
    with pytest.raises(InvalidIdentity):
        normalise_identity(kind, raw)


def test_unknown_kind_message_names_the_kind() -> None:
    with pytest.raises(InvalidIdentity, match="fax"):
        normalise_identity("fax", "123")


@given(st.sampled_from(sorted(KINDS)), st.text(max_size=40))
def test_normalise_identity_is_idempotent(kind: str, raw: str) -> None:
    try:
        once = normalise_identity(kind, raw)
    except InvalidIdentity:
        return
    assert normalise_identity(kind, once) == once


# --- initials ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Пётр Иванов", "ПИ"),
        ("пётр иванов", "ПИ"),
        ("Иванов Пётр Сергеевич", "ИП"),
        ("Анна", "А"),
        ("ёлка", "Ё"),
        ("  Anna   Smith ", "AS"),
        ("— Анна", "А"),
        ("", "?"),
        ("   ", "?"),
        ("— …", "?"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


@given(st.text(max_size=50))
def test_initials_are_short_and_upper_case(name: str) -> None:
    result = initials(name)
    assert 1 <= len(result) <= 2
    assert result == "?" or result == result.upper()
