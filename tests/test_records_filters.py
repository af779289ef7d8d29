"""Filters as typed (dates, outcomes, names and references), and the records they take:
the SQL the commands run, held to the plain statement in `tests/oracle.py`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deescalate.errors import BadInput, DeescalateError
from deescalate.records.filters import FILTERS, WEEKDAYS, Filters, normalize, parse, parse_day
from deescalate.records.format import OUTCOMES
from tests import oracle
from tests.oracle import matcher
from tests.recordkit import summary_record

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
        assert "use a date like" in str(exc) or "no date given" in str(exc) or (
            "there is no" in str(exc)) or "has no month" in str(exc)


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


def test_every_filter_has_its_plain_statement() -> None:
    assert list(oracle.MATCHES) == list(FILTERS)


def test_every_filter_is_in_the_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    said = " ".join(readme.split("The filters are ", 1)[1].split("\n\n", 1)[0].split())
    for name in FILTERS:
        assert f"--{name} " in said, name


def test_a_filter_added_to_the_table_is_an_option_parsed_and_asked(cli, known,
                                                                  monkeypatch) -> None:
    """One entry in FILTERS: the option of every command that filters, its parsing and
    its SQL, with no other change."""
    from deescalate.records import filters

    monkeypatch.setitem(filters.FILTERS, "tag", filters.Filter(
        "TAG", "Only calls with this tag.", filters._text,
        lambda tag: ("EXISTS (SELECT 1 FROM json_each(r.tags) WHERE value = ?)", [tag])))
    monkeypatch.setitem(oracle.MATCHES, "tag", lambda tag, r: tag in r.tags)
    assert parse(tag="vip").sql() == (
        "EXISTS (SELECT 1 FROM json_each(r.tags) WHERE value = ?)", ["vip"])
    assert parse(tag="vip").describe() == {"tag": "vip"}
    for command in (["records", "list"], ["records", "stats"], ["records", "export"],
                    ["followups"]):
        helped = cli(*command, "--help")
        assert "--tag TAG" in helped.out and "Only calls with this tag." in helped.out
        assert cli(*command, "--tag", " ", "--records", known.folder).err.endswith(
            "deescalate: --tag: give a value, not an empty text\n")


def test_parse_names_the_first_problem() -> None:
    """Dates first (and their order), then the outcome, then blank values."""
    with pytest.raises(DeescalateError, match="is after --until"):
        parse(since="today", until="yesterday", outcome="bogus", agent=" ", today=FRIDAY)
    with pytest.raises(DeescalateError, match=r"^--outcome: 'bogus'"):
        parse(agent=" ", outcome="bogus")
    with pytest.raises(DeescalateError, match=r"^--agent: give a value"):
        parse(agent=" ", customer=" ")


NAMES = ["Dana R.", "dana  r.", "DANA R", "Priya Khan", "dana*", "x[1]", "a?b", ""]
DAYS = [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 30)]


@st.composite
def records(draw: st.DrawFn) -> list:
    found = []
    for n in range(draw(st.integers(0, 12))):
        day = draw(st.sampled_from(DAYS))
        playbooks = draw(st.sampled_from([(), ("a", "b"), ("b", "c")]))
        found.append(summary_record(
            n, started=f"{day.isoformat()}T{draw(st.sampled_from(['00:00:00', '23:59:59']))}Z",
            agent=draw(st.sampled_from(["jdoe", "ben", "Jdoe"])),
            playbook=playbooks[-1] if playbooks else draw(st.sampled_from(["a", "b"])),
            playbooks=playbooks, outcome=draw(st.sampled_from(OUTCOMES)),
            customer=draw(st.none() | st.sampled_from(NAMES)),
            reference=draw(st.none() | st.sampled_from(["T-1", "t-1", "T-12", "T 1", "x"]))))
    return found


PATTERNS = [*NAMES[:-1], "*", "**", "dana *", "* r.", "t-1*", "*1", "x[1]*", "a?*", "T-1"]
VALUES = {  # what each filter is tried with
    "since": DAYS, "until": [*DAYS, date.max], "agent": ["jdoe", "Jdoe"],
    "playbook": ["a", "b", "c"], "outcome": list(OUTCOMES), "ref": PATTERNS,
    "customer": PATTERNS,
}


@st.composite
def filters_given(draw: st.DrawFn) -> Filters:
    """One to three filters: more would rarely take anything."""
    names = draw(st.lists(st.sampled_from(list(VALUES)), min_size=1, max_size=3, unique=True))
    return Filters(**{name: draw(st.sampled_from(VALUES[name])) for name in names})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), filters_given())
def test_the_sql_takes_the_records_the_plain_statement_takes(found, chosen: Filters) -> None:
    db = oracle.index_of(found)
    where, params = chosen.sql()
    sql = "SELECT r.id FROM records r WHERE r.problem IS NULL" + (
        f" AND ({where})" if where else "") + " ORDER BY r.started DESC, r.id DESC"
    assert [row[0] for row in db.execute(sql, params)] == [
        r.id for r in oracle.select(found, chosen)], chosen
