"""`records stats --by week`: ISO weeks, exact across a year boundary; every --by view
its own table, with the same headers."""

from __future__ import annotations

import json

from tests.recordkit import at, write_call

# (day, the ISO week it belongs to): ISO 8601's own corner cases around new year.
DAYS = [
    ("2020-12-31", "2020-W53"),  # a Thursday: week 53 of 2020
    ("2021-01-03", "2020-W53"),  # a Sunday in January, still 2020's last week
    ("2021-01-04", "2021-W01"),  # the Monday after
    ("2024-12-30", "2025-W01"),  # a Monday in December: 2025's first week
    ("2025-12-28", "2025-W52"),  # a Sunday
    ("2025-12-29", "2026-W01"),
    ("2026-01-01", "2026-W01"),
    ("2026-01-01", "2026-W01"),
    ("2027-01-01", "2026-W53"),  # a Friday: 2026 has 53 weeks
    ("2027-01-04", "2027-W01"),
]


def test_by_week_is_iso_weeks_across_the_new_year(cli, isolated) -> None:
    folder = isolated / "records"
    for n, (day, _) in enumerate(DAYS):
        write_call(folder, started=at(day, f"23:5{n % 10}:00"), seconds=60,
                   outcome="resolved" if n % 2 else "dropped")
    result = cli("records", "stats", "--records", folder, "--by", "week", "--json")
    assert result.code == 0, result.err
    groups = json.loads(result.out)["groups"]
    expected: dict[str, int] = {}
    for _, week in DAYS:
        expected[week] = expected.get(week, 0) + 1
    assert [(g["key"], g["calls"]) for g in groups] == sorted(expected.items())
    resolved = {g["key"]: g["resolved"] for g in groups}
    assert resolved["2026-W01"] == sum(1 for n, (_, week) in enumerate(DAYS)
                                       if week == "2026-W01" and n % 2)
    table = cli("records", "stats", "--records", folder, "--by", "week")
    assert "By week\nWEEK " in table.out and "2020-W53" in table.out


def test_every_by_view_has_its_own_table_with_the_same_headers(cli, known, monkeypatch
                                                               ) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    headers = {}
    for by in ("agent", "week", "month", "playbook", "root-cause"):
        out = cli("records", "stats", "--records", known.folder, "--by", by).out
        assert "Steps most often skipped" not in out  # a view of its own, not under each
        line = out.split(f"By {by}\n")[1].splitlines()[0]
        headers[by] = line.split()[1:]
    spelled = ["CALLS", "RESOLVED", "ESCALATED", "MEDIAN", "P90", "MOOD", "COOLED", "OPEN",
               "OVERDUE"]
    for words in headers.values():  # what does not fit goes to a second line, unshortened
        assert set(words) <= set(spelled) and {"RESOLVED", "COOLED"} <= set(words), words
        assert not {"RES", "ESC", "COOL", "MED", "LATE"} & set(words)
    plain = cli("records", "stats", "--records", known.folder).out
    assert "Steps most often skipped" in plain
