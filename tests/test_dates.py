"""Dates as agents type them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deescalate import dates
from deescalate.dates import describe, not_in_the_past, parse_date

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
    ("yesterday", date(2026, 11, 21)),
    ("-3d", date(2026, 11, 19)),
    ("- 2 weeks", date(2026, 11, 8)),
    ("last tuesday", date(2026, 11, 17)),
    ("next friday", date(2026, 11, 27)),
    ("last sunday", date(2026, 11, 15)),
    ("next  sunday", date(2026, 11, 29)),
])
def test_forms(text: str, expected: date) -> None:
    assert parse_date(text, base=SUNDAY) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("tuesday", date(2026, 11, 17)),  # looking back: the one before, not the one after
    ("sunday", date(2026, 11, 15)),
    ("next tuesday", date(2026, 11, 24)),  # said outright, the way given wins
    ("+1d", date(2026, 11, 23)),
])
def test_a_bare_weekday_looks_the_way_the_question_does(text: str, expected: date) -> None:
    assert parse_date(text, base=SUNDAY, prefer="past") == expected


@pytest.mark.parametrize("text", ["", "next week", "2026-13-01", "mo", "32 blue", "last",
                                  "next blue moon"])
def test_bad_dates_say_what_works(text: str) -> None:
    with pytest.raises(ValueError, match=r"2026-11-29|no date"):
        parse_date(text, base=SUNDAY)


def test_a_date_is_echoed_as_a_person_reads_it() -> None:
    assert describe(date(2026, 11, 23), base=SUNDAY) == "Mon 23 Nov 2026 (tomorrow)"
    assert describe(date(2026, 11, 17), base=SUNDAY) == "Tue 17 Nov 2026 (5 days ago)"
    assert describe(SUNDAY, base=SUNDAY) == "Sun 22 Nov 2026 (today)"


def test_no_follow_up_in_the_past() -> None:
    assert not_in_the_past(SUNDAY, base=SUNDAY) == SUNDAY
    with pytest.raises(ValueError, match="2026-11-21 is in the past"):
        not_in_the_past(date(2026, 11, 21), base=SUNDAY)


@given(st.text(max_size=30))
def test_anything_typed_is_a_date_or_a_value_error(text: str) -> None:
    try:
        assert isinstance(parse_date(text, base=SUNDAY), date)
    except ValueError as exc:
        assert str(exc)


@pytest.mark.parametrize(("text", "prefer", "expected"), [
    ("24 nov", "past", date(2025, 11, 24)),
    ("24 nov", "future", date(2026, 11, 24)),
    ("nov 24", "future", date(2026, 11, 24)),
    ("1st dec", "future", date(2026, 12, 1)),
    ("20/11", "past", date(2026, 11, 20)),
    ("20.11.2026", "future", date(2026, 11, 20)),
    ("24 november 2025", "future", date(2025, 11, 24)),
    ("29/2", "future", date(2028, 2, 29)),  # the nearest leap year the question's way
])
def test_a_day_and_month_is_the_nearest_the_question_looks(text: str, prefer, expected: date,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(dates, "_ORDER", [])
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert parse_date(text, base=SUNDAY, prefer=prefer) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("31/11", "there is no 31 November: November has 30 days"),
    ("30 feb 2027", "there is no 30 February 2027: February has 28 days"),
    ("13/13", "'13/13' has no month 13: dates here are day/month"),
])
def test_a_day_a_month_does_not_have_is_said_to_be_so(text: str, message: str,
                                                      monkeypatch) -> None:
    monkeypatch.setattr(dates, "_ORDER", [])
    monkeypatch.setenv("LANG", "C.UTF-8")
    with pytest.raises(ValueError, match=message):
        parse_date(text, base=SUNDAY)


def test_numbers_are_read_in_the_settings_day_order_else_the_locales(monkeypatch) -> None:
    monkeypatch.setattr(dates, "_ORDER", [])
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert parse_date("11/24", base=SUNDAY) == date(2026, 11, 24)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert parse_date("24/11", base=SUNDAY) == date(2026, 11, 24)
    dates.use_order("month-first")
    assert parse_date("11/24", base=SUNDAY) == date(2026, 11, 24)
    assert dates.hint("future", SUNDAY) == "2026-11-29, 11/29, tomorrow, +3d, next friday"
