"""The numbers `records stats` shows, computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from deescalate.records import stats
from deescalate.records.report import bar, length
from tests.recordkit import summary_record as record

TODAY = date(2026, 11, 20)


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
    figures = stats.figures(records, TODAY)
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
    figures = stats.figures(records, TODAY)
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
    found = stats.skipped_steps(records)
    assert [(s.playbook, s.step, s.skipped, s.calls, s.share) for s in found] == [
        ("upset-customer", "a", 2, 3, 2 / 3),
        ("other", "a", 1, 1, 1.0),
        ("upset-customer", "b", 1, 3, 1 / 3),
    ]
    assert len(stats.skipped_steps(records, limit=1)) == 1


def test_groups() -> None:
    records = [record(1, agent="b"), record(2, agent="a"), record(3, agent="b"),
               record(4, agent="c", started="2026-10-05T10:00:00Z")]
    by_agent = stats.compute(records, by="agent", today=TODAY)
    assert [(name, g.calls) for name, g in by_agent.groups] == [("b", 2), ("a", 1), ("c", 1)]
    by_month = stats.compute(records, by="month", today=TODAY)
    assert [(name, g.calls) for name, g in by_month.groups] == [("2026-10", 1),
                                                                ("2026-11", 3)]
    assert by_month.first_day == "2026-10-05" and by_month.last_day == "2026-11-01"
    data = stats.to_dict(by_month)
    assert data["by"] == "month" and data["groups"][0]["key"] == "2026-10"
    assert "groups" not in stats.to_dict(stats.compute(records, today=TODAY))


def test_bars_and_lengths() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 10, 4) == "▍"  # 3.2 eighths, rounded
    assert bar(0.001, 10, 4) == "▏"  # never nothing for something
    assert bar(0, 10) == "" and bar(3, 0) == ""
    assert length(None) == "-" and length(0) == "0:00" and length(59.6) == "1:00"
    assert length(388) == "6:28" and length(3600) == "1:00:00" and length(270.5) == "4:30"
