"""Filters as typed: dates, outcomes, names and references."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deescalate.errors import BadInput, DeescalateError
from deescalate.records.filters import WEEKDAYS, matcher, normalize, parse, parse_day

FRIDAY = date(2026, 11, 20)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-01", date(2026, 11, 1)),
    ("today", FRIDAY),
    ("yesterday", date(2026, 11, 19)),
    ("tomorrow", date(2026, 11, 21)),
    ("-7d", date(2026, 11, 13)),
    ("+3d", date(2026, 11, 23)),
    ("-2w", date(2026, 11, 6)),
    ("friday", FRIDAY),  # today is one
    ("fri", FRIDAY),
    ("Monday", date(2026, 11, 16)),
    ("sat", date(2026, 11, 14)),
    ("thursday", date(2026, 11, 19)),
])
def test_days(text: str, expected: date) -> None:
    assert parse_day(text, today=FRIDAY) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_any_iso_date_is_itself(day: date) -> None:
    assert parse_day(day.isoformat(), today=FRIDAY) == day
    assert parse_day(f"  {day.isoformat()} ", today=FRIDAY) == day


@given(st.integers(min_value=0, max_value=9999), st.sampled_from(["d", "day", "days"]))
def test_days_back(count: int, unit: str) -> None:
    assert parse_day(f"-{count}{unit}", today=FRIDAY) == FRIDAY - timedelta(days=count)


@given(st.sampled_from(WEEKDAYS), st.integers(min_value=3, max_value=9),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_a_weekday_is_the_latest_such_day(name: str, cut: int, today: date) -> None:
    day = parse_day(name[:cut].upper(), today=today)
    assert day.weekday() == WEEKDAYS.index(name)
    assert today - timedelta(days=6) <= day <= today


@given(st.text(max_size=20))
def test_any_text_is_a_day_or_a_clear_error(text: str) -> None:
    try:
        parse_day(text, today=FRIDAY)
    except ValueError as exc:
        assert "2026-12-01" in str(exc) or "no date given" in str(exc)


def test_parse_checks_everything() -> None:
    filters = parse(since="-7d", until="today", agent="jdoe", playbook="upset-customer",
                    outcome="resolved", ref="T-1", customer="Dana", today=FRIDAY)
    assert filters.since == date(2026, 11, 13) and filters.until == FRIDAY
    assert filters.describe() == {"since": "2026-11-13", "until": "2026-11-20",
                                  "agent": "jdoe", "playbook": "upset-customer",
                                  "outcome": "resolved", "ref": "T-1", "customer": "Dana"}
    assert parse().describe() == {}
    with pytest.raises(DeescalateError, match="did you mean 'follow-up'") as caught:
        parse(outcome="followup")
    assert isinstance(caught.value, BadInput)
    with pytest.raises(DeescalateError, match="'bogus' is not an outcome") as caught:
        parse(outcome="bogus")
    assert "did you mean" not in caught.value.message
    with pytest.raises(DeescalateError, match=r"^--until: 'soon' is not a date"):
        parse(until="soon")
    with pytest.raises(DeescalateError, match="after --until"):
        parse(since="today", until="yesterday", today=FRIDAY)
    with pytest.raises(DeescalateError, match=r"^--customer: give a value"):
        parse(customer="  ")


@given(st.text(max_size=30))
def test_a_name_matches_itself_however_spaced_or_cased(name: str) -> None:
    if not name.strip():
        return
    test = matcher(name)
    assert test(name)
    assert test(f"  {name.upper()}  ".replace(" ", "   ")) == (
        normalize(name.upper()) == normalize(name))


@given(st.text(alphabet="abcd ", min_size=1, max_size=10),
       st.text(alphabet="abcd ", max_size=10), st.text(alphabet="abcd ", max_size=10))
def test_a_star_matches_any_text(middle: str, before: str, after: str) -> None:
    text = before + middle + after
    assert matcher(f"*{middle}*")(text) == (normalize(middle) in normalize(text)
                                           or not normalize(middle))
    assert matcher(f"{before}*")(text) is normalize(text).startswith(normalize(before))


def test_special_characters_are_literal() -> None:
    assert matcher("T-1.0")("t-1.0") and not matcher("T-1.0")("T-1x0")
    assert matcher("a+b (c)")("A+B (C)")
    assert matcher("*")("anything") and matcher("*")("")
