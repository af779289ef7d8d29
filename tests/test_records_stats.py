"""The numbers `records stats` shows: computed by hand, by the SQL the command runs, and
by the plain statement of the definitions in `tests/oracle.py`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deescalate.records import stats
from deescalate.records.format import OUTCOMES
from deescalate.records.report import bar, length
from tests import oracle
from tests.recordkit import summary_record as record

TODAY = date(2026, 11, 20)


def counted(records: list, by: str | None = None) -> stats.Stats:
    """What `records stats` counts for these records, in SQL, after checking that the
    plain statement counts the same."""
    found = stats.compute_sql(oracle.index_of(records), by=by, today=TODAY)
    assert stats.to_dict(found) == stats.to_dict(oracle.compute(records, by=by, today=TODAY))
    return found


@pytest.mark.parametrize(("values", "median", "p90"), [
    ([], None, None),
    ([7], 7, 7),
    ([1, 2], 1.5, 2),
    ([5, 1, 3], 3, 5),
    (list(range(1, 11)), 5.5, 9),
    (list(range(1, 12)), 6, 10),
    (list(range(100)), 49.5, 89),
])
def test_median_and_90th_percentile(values: list[int], median, p90) -> None:
    records = [record(i, duration=v) for i, v in enumerate(values)]
    figures = counted(records).figures
    assert figures.median_seconds == median and figures.p90_seconds == p90


def test_shares_moods_and_follow_ups() -> None:
    records = [
        record(1, outcome="resolved", mood_start=5, mood_end=1),
        record(2, outcome="escalated", escalated=True, mood_start=2, mood_end=4),
        record(3, outcome="unresolved", escalated=True),  # escalated, then not solved
        record(4, outcome="follow-up", follow_up="2026-11-19", mood_start=3, mood_end=3),
        record(5, outcome="follow-up", follow_up="2026-11-20"),
        record(6, outcome="follow-up", follow_up="2026-11-01", follow_up_done="2026-11-02"),
        record(7, outcome="escalated"),  # chosen at the wrap-up, not by the key
    ]
    figures = counted(records).figures
    assert figures.calls == 7 and figures.resolved == 1 and figures.escalated == 3
    assert figures.share_resolved == 1 / 7 and figures.escalation_rate == 3 / 7
    assert figures.mood_rated == 3
    assert figures.mood_start == 10 / 3 and figures.mood_end == 8 / 3
    assert (figures.cooled, figures.steady, figures.heated) == (1, 1, 1)
    assert figures.follow_ups_open == 2 and figures.follow_ups_overdue == 1
    assert figures.outcomes == {"resolved": 1, "follow-up": 3, "escalated": 2,
                                "unresolved": 1, "dropped": 0}


def test_skipped_steps_are_counted_per_playbook() -> None:
    records = [
        record(1, skipped=["a", "b"]),
        record(2, skipped=["a"]),
        record(3),
        record(4, playbook="other", skipped=["a"]),
    ]
    found = counted(records).skipped
    assert [(s.playbook, s.step, s.skipped, s.calls, s.share) for s in found] == [
        ("upset-customer", "a", 2, 3, 2 / 3),
        ("other", "a", 1, 1, 1.0),
        ("upset-customer", "b", 1, 3, 1 / 3),
    ]
    assert len(stats.compute_sql(oracle.index_of(records), today=TODAY,
                                 skipped_limit=1).skipped) == 1


def test_groups() -> None:
    records = [record(1, agent="b"), record(2, agent="a"), record(3, agent="b"),
               record(4, agent="c", started="2026-10-05T10:00:00Z")]
    by_agent = counted(records, by="agent")
    assert [(name, g.calls) for name, g in by_agent.groups] == [("b", 2), ("a", 1), ("c", 1)]
    by_month = counted(records, by="month")
    assert [(name, g.calls) for name, g in by_month.groups] == [("2026-10", 1),
                                                                ("2026-11", 3)]
    assert by_month.first_day == "2026-10-05" and by_month.last_day == "2026-11-01"
    data = stats.to_dict(by_month)
    assert data["by"] == "month" and data["groups"][0]["key"] == "2026-10"
    assert "groups" not in stats.to_dict(counted(records))
    versions = counted([record(1, playbook_version=None), record(2, playbook_version=10),
                        record(3, playbook_version=9), record(4, playbook="a")], by="version")
    assert [name for name, _ in versions.groups] == [
        "a v1", "upset-customer (no version)", "upset-customer v9", "upset-customer v10"]


def test_every_dimension_has_its_plain_statement() -> None:
    assert list(oracle.GROUPS) == list(stats.DIMENSIONS)


@st.composite
def summaries(draw: st.DrawFn) -> list:
    found = []
    for n in range(draw(st.integers(0, 14))):
        moods = draw(st.sampled_from([(None, None), (1, 5), (5, 1), (3, 3), (2, 4)]))
        found.append(record(
            n, playbook=draw(st.sampled_from(["a", "b", "upset-customer"])),
            playbook_version=draw(st.sampled_from([None, 1, 2, 10])),
            agent=draw(st.sampled_from(["jdoe", "ben", "Ann"])),
            outcome=draw(st.sampled_from(OUTCOMES)), escalated=draw(st.booleans()),
            root_cause=draw(st.sampled_from([None, "", "billing", "Billing"])),
            started=draw(st.sampled_from(["2026-10-31T23:59:", "2026-11-01T00:00:",
                                          "2025-12-01T10:00:"])) + f"{n:02d}Z",
            duration=draw(st.integers(0, 700)), mood_start=moods[0], mood_end=moods[1],
            follow_up=draw(st.sampled_from([None, "2026-11-19", "2026-11-20"])),
            follow_up_done=draw(st.sampled_from([None, None, "2026-11-21"])),
            skipped=draw(st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=3))))
    return found


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summaries(), st.sampled_from([None, *stats.DIMENSIONS]))
def test_the_sql_counts_what_the_definitions_say(records: list, by: str | None) -> None:
    counted(records, by=by)


def test_a_dimension_added_to_the_table_is_a_choice_of_by_with_its_column(
        cli, known, monkeypatch) -> None:
    """One entry in DIMENSIONS: a choice of --by, its groups and its column's header."""
    monkeypatch.setitem(stats.DIMENSIONS, "weekday", stats.Dimension(
        "strftime('%w', substr(r.started, 1, 19))", "k", "WEEKDAY"))
    # --by's choices are made from the table when the command's module loads.
    monkeypatch.setattr("deescalate.cli.records.GroupBy", __import__("enum").StrEnum(
        "GroupBy", [(name, name) for name in (*stats.DIMENSIONS, stats.BY_STEP)]))
    assert "weekday" in cli("records", "stats", "--help").out
    shown = cli("records", "stats", "--by", "weekday", "--records", known.folder)
    assert shown.code == 0 and "WEEKDAY" in shown.out, shown.err
    data = json.loads(cli("records", "stats", "--by", "weekday", "--json", "--records",
                          known.folder).out)
    assert data["by"] == "weekday" and {g["key"] for g in data["groups"]} <= set("0123456")


def test_bars_and_lengths() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 10, 4) == "▍"  # 3.2 eighths, rounded
    assert bar(0.001, 10, 4) == "▏"  # never nothing for something
    assert bar(0, 10) == "" and bar(3, 0) == ""
    assert length(None) == "-" and length(0) == "0:00" and length(59.6) == "1:00"
    assert length(388) == "6:28" and length(3600) == "1:00:00" and length(270.5) == "4:30"


def test_every_dimension_is_in_the_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines()
                if line.startswith("deescalate records stats"))
    assert line.split("--by ")[1].split("]")[0].split("|") == [*stats.DIMENSIONS,
                                                                stats.BY_STEP]
