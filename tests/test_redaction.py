"""Redaction of card numbers, e-mail addresses, phone numbers and team patterns."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deescalate.redaction import Redactor, luhn_ok


@pytest.mark.parametrize(("text", "expected"), [
    ("card 4111 1111 1111 1111 please", "card [redacted: card] please"),
    ("4111-1111-1111-1111", "[redacted: card]"),
    ("amex 378282246310005.", "amex [redacted: card]."),
    ("amex 3782 822463 10005 ok", "amex [redacted: card] ok"),
    ("mail dana.r+bills@example.co.uk now", "mail [redacted: email] now"),
    ("call +44 20 7946 0958", "call [redacted: phone]"),
    ("call (555) 123-4567 or 555.123.4567", "call [redacted: phone] or [redacted: phone]"),
    ("mobile 07700 900123", "mobile [redacted: phone]"),
])
def test_redacts(text: str, expected: str) -> None:
    assert Redactor().redact(text)[0] == expected


@pytest.mark.parametrize("text", [
    "card 4111 1111 1111 1112 fails the checksum",
    "order 1234567890 and AB123456",
    "record 20261122-143012-jdoe-upset-customer-7f3a",
    "record 20261122-162104-ejones-customer-is-wrong-aa08",  # its 14 digits pass Luhn
    "on 2026-11-22 at 14:30, refund of 1,234.56",
    "ticket T-1234, version 1.2.3.4.5.6.7.8.9",
])
def test_leaves_references_dates_and_amounts(text: str) -> None:
    assert Redactor().redact(text) == (text, 0)


def test_emails_and_phones_can_be_turned_off_but_cards_never() -> None:
    redactor = Redactor(emails=False, phones=False)
    text = "a@b.org 555-123-4567 4111111111111111"
    assert redactor.redact(text) == ("a@b.org 555-123-4567 [redacted: card]", 1)


def test_team_patterns_use_their_name() -> None:
    redactor = Redactor(patterns=[("account", r"ACC-\d{6}"), ("pattern", r"secret\w+")])
    assert redactor.redact("ACC-123456 secretsauce") == (
        "[redacted: account] [redacted: pattern]", 2)


def test_counts_each_finding_and_keeps_earlier_marks() -> None:
    text, count = Redactor().redact("[redacted: card] then x@y.com and z@w.org")
    assert (text, count) == ("[redacted: card] then [redacted: email] and [redacted: email]", 2)


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("378282246310005")
    assert not luhn_ok("4111111111111112")


@given(st.text())
def test_redacted_text_has_nothing_left_to_find(text: str) -> None:
    redactor = Redactor()
    once, _ = redactor.redact(text)
    assert redactor.find(once) == []
    assert redactor.redact(once) == (once, 0)


@given(st.from_regex(r"4[0-9]{15}", fullmatch=True))
def test_every_luhn_valid_card_is_caught(number: str) -> None:
    digits = number[:-1]
    check = next(d for d in "0123456789" if luhn_ok(digits + d))
    card = digits + check
    spaced = " ".join(card[i:i + 4] for i in range(0, 16, 4))
    for form in (card, spaced, spaced.replace(" ", "-")):
        assert Redactor().redact(f"pay with {form} today") == (
            "pay with [redacted: card] today", 1)
