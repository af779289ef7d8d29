"""Dates as agents type them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deescalate.dates import parse_date

SUNDAY = date(2026, 11, 22)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-01", date(2026, 12, 1)),
    ("today", SUNDAY),
    ("Tomorrow", date(2026, 11, 23)),
    ("+3d", date(2026, 11, 25)),
    ("+ 2 weeks", date(2026, 12, 6)),
    ("monday", date(2026, 11, 23)),
    ("fri", date(2026, 11, 27)),
    ("sunday", date(2026, 11, 29)),  # today is Sunday: the next one
])
def test_forms(text: str, expected: date) -> None:
    assert parse_date(text, base=SUNDAY) == expected


@pytest.mark.parametrize("text", ["", "next week", "2026-13-01", "-3d", "mo", "32/01"])
def test_bad_dates_say_what_works(text: str) -> None:
    with pytest.raises(ValueError, match=r"2026-12-01|no date"):
        parse_date(text, base=SUNDAY)


def test_past_allowed_when_asked() -> None:
    assert parse_date("-3d", base=SUNDAY, future=False) == date(2026, 11, 19)


@given(st.text(max_size=30))
def test_anything_typed_is_a_date_or_a_value_error(text: str) -> None:
    try:
        assert isinstance(parse_date(text, base=SUNDAY), date)
    except ValueError as exc:
        assert str(exc)
