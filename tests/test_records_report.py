"""`records report` with known truth: 400 calls over two versions of a playbook whose
shares differ by a set amount, and every figure, interval and verdict in the page equal
to what statsmodels computes from the same counts; too few calls say so."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)

from deescalate.records import proportions
from tests.recordkit import playbook, write_call
from tests.reportkit import Page

# Per version: calls, resolved, escalated, cooled (of calls all rated), ticks per step.
TRUTH = {1: (200, 100, 20, 90, 0), 2: (200, 130, 12, 100, 1)}
START = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)  # a Monday


def _outcome(n: int, resolved: int, escalated: int) -> str:
    if n < resolved:
        return "resolved"
    if n < resolved + escalated:
        return "escalated"
    return "unresolved" if n % 2 else "dropped"


@pytest.fixture(scope="module")
def truth(tmp_path_factory) -> dict:
    """The 400 records, and what each call was, for the test to count on its own."""
    folder = tmp_path_factory.mktemp("truth") / "records"
    calls = []
    for version, (count, resolved, escalated, cooled, ticks) in TRUTH.items():
        for n in range(count):
            started = START + timedelta(days=(n * 7 + version) % 70, minutes=n)
            outcome = _outcome(n, resolved, escalated)
            moods = (4, 2) if (n * 37) % count < cooled else (3, 3)
            agent = "jdoe" if n % 3 else "asmith"
            write_call(folder, started=started, seconds=120, version=version, agent=agent,
                       outcome=outcome, moods=moods, steps=4, ticks=ticks)
            calls.append({"version": version, "day": started.date(), "outcome": outcome,
                          "cooled": moods == (4, 2), "agent": agent})
    return {"folder": folder, "calls": calls}


@pytest.fixture
def page(truth, cli, isolated) -> Page:
    out = isolated / "report.html"
    result = cli("records", "report", "--records", truth["folder"], "--playbook",
                 "upset-customer", "--output", out)
    assert result.code == 0, result.err
    assert "Wrote the report of 400 calls" in result.err
    return Page(out.read_text(encoding="utf-8"))


def pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def points(value: float) -> str:
    """Percentage points, signed, as the page writes them (0 without a sign)."""
    rounded = round(value * 100)
    return "0" if rounded == 0 else f"{rounded:+d}"


def counted(calls: list[dict], version: int) -> dict[str, tuple[int, int]]:
    mine = [c for c in calls if c["version"] == version]
    return {"resolved": (sum(c["outcome"] == "resolved" for c in mine), len(mine)),
            "escalated": (sum(c["outcome"] == "escalated" for c in mine), len(mine)),
            "cooled": (sum(c["cooled"] for c in mine), len(mine))}


def test_versions_side_by_side_with_wilson_intervals(truth, page) -> None:
    rows = page.tables["Versions side by side (95% intervals)"]
    assert rows[0] == ["version", "calls", "resolved", "escalated", "cooled"]
    for row, version in zip(rows[1:], TRUTH, strict=True):
        assert row[:2] == [f"version {version}", str(TRUTH[version][0])]
        for cell, (part, whole) in zip(row[2:], counted(truth["calls"], version).values(),
                                       strict=True):
            low, high = proportion_confint(part, whole, alpha=0.05, method="wilson")
            assert cell == f"{pct(part / whole)} ({pct(low)}\u2013{pct(high)})"


def test_the_verdicts_are_the_tests_statsmodels_makes(truth, page) -> None:
    verdicts = {}
    for figure in ("resolved", "escalated", "cooled"):
        (k2, n2), (k1, n1) = (counted(truth["calls"], v)[figure] for v in (2, 1))
        _, p = proportions_ztest([k2, k1], [n2, n1])
        shares = f"{pct(k2 / n2)} against {pct(k1 / n1)}"
        low, high = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff")
        difference = (f" (difference {points(k2 / n2 - k1 / n1)} points, 95% interval "
                      f"{points(low)} to {points(high)}; p = {p:.3f})")
        if p < 0.05:
            better = (k2 / n2 > k1 / n1) != (figure == "escalated")
            verb = {"resolved": "resolves", "escalated": "escalates", "cooled": "cools"}[figure]
            more = "more" if k2 / n2 > k1 / n1 else "fewer"
            tail = " down" if figure == "cooled" else ""
            verdicts[figure] = (f"{'better' if better else 'worse'} ({figure}): version 2 "
                                f"{verb} {more} calls{tail} than version 1: {shares}, more "
                                f"than chance would explain{difference}")
        else:
            needed = samplesize_proportions_2indep_onetail(
                k2 / n2 - k1 / n1, k1 / n1, power=0.8, alpha=0.05, alternative="two-sided")
            verdicts[figure] = (f"too few ({figure}): not enough calls yet to tell: about "
                                f"{math.ceil(needed) - 200:,} more of each ({shares})"
                                f"{difference}")
    # The truth was built so that one figure is clearly better and two are not yet told.
    assert verdicts["resolved"].startswith("better") and verdicts["cooled"].startswith("too")
    assert verdicts["escalated"].startswith("too")
    assert page.verdicts == list(verdicts.values())


def test_the_arithmetic_equals_statsmodels_for_many_counts() -> None:
    for k1, n1, k2, n2 in [(0, 10, 10, 10), (1, 3, 2, 7), (57, 90, 48, 92), (500, 1000, 530,
                                                                            1000)]:
        low, high = proportion_confint(k1, n1, alpha=0.05, method="wilson")
        assert proportions.wilson(k1, n1) == pytest.approx((low, high), abs=1e-12)
        low, high = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb",
                                               compare="diff")
        assert proportions.newcombe(k1, n1, k2, n2) == pytest.approx((low, high), abs=1e-12)
        _, p = proportions_ztest([k1, k2], [n1, n2])
        assert proportions.two_proportion_p(k1, n1, k2, n2) == pytest.approx(p, abs=1e-12)
        if k1 / n1 != k2 / n2:
            needed = samplesize_proportions_2indep_onetail(
                k1 / n1 - k2 / n2, k2 / n2, power=0.8, alpha=0.05, alternative="two-sided")
            assert proportions.calls_needed(k1 / n1, k2 / n2) == pytest.approx(needed, rel=1e-9)


def test_calls_and_outcomes_per_iso_week(truth, page) -> None:
    rows = page.tables["Calls per week"]
    weeks: dict[str, list[str]] = {}
    for call in truth["calls"]:
        year, week, _ = call["day"].isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", []).append(call["outcome"])
    outcomes = ["resolved", "follow-up", "escalated", "unresolved", "dropped"]
    assert rows[0] == ["week", "calls", *outcomes]
    assert rows[1:] == [[week, str(len(found)), *(str(found.count(o)) for o in outcomes)]
                        for week, found in sorted(weeks.items())]
    assert page.marks["weeks"] == sum(len(set(found)) for found in weeks.values())


def test_each_step_with_its_title_and_checklist(truth, page) -> None:
    rows = page.tables["Each step, and each branch answer given there"]
    book = playbook("upset-customer")
    walked = book.steps[:5]  # four walked, and the fifth reached as the call ended
    assert [row[0] for row in rows[1:] if not row[0].startswith("→")] == [
        f"{step.title} ({step.id})" for step in walked]
    first = rows[1]
    assert first[1] == "400" and first[5] == pct(230 / 400)  # reached, resolved share
    items = len(walked[0].checklist)
    assert first[6] == pct(min(1, items) * 200 / (400 * items))  # one ticked in version 2
    branch = next(step for step in walked if step.branch)
    place = next(i for i, row in enumerate(rows) if row[0].endswith(f"({branch.id})"))
    assert rows[place + 1][:2] == [f"→ {branch.branch.options[0].label}", "400"]


def test_per_agent(truth, page) -> None:
    rows = page.tables["Per agent"]
    for row in rows[1:]:
        mine = [c for c in truth["calls"] if c["agent"] == row[0]]
        assert row[1] == str(len(mine))
        assert row[2] == pct(sum(c["outcome"] == "resolved" for c in mine) / len(mine))
        assert row[3] == pct(sum(c["cooled"] for c in mine) / len(mine))
    assert {row[0] for row in rows[1:]} == {"jdoe", "asmith"}


def test_too_few_calls_say_so(cli, isolated) -> None:
    folder = isolated / "records"
    for n in range(6):
        for version in (1, 2):
            write_call(folder, started=datetime(2026, 11, 2, 9, n, tzinfo=UTC),
                       version=version, outcome="resolved" if n < 2 + 2 * version else "dropped")
    out = isolated / "few.html"
    assert cli("records", "report", "--records", folder, "--output", out).code == 0
    verdicts = Page(out.read_text(encoding="utf-8")).verdicts
    assert verdicts[0].startswith("too few (resolved): not enough calls yet to tell: about ")
    assert "more of each (100% against 67%)" in verdicts[0]


def test_no_records_is_a_page_that_says_so(cli, isolated) -> None:
    (isolated / "records").mkdir()
    out = isolated / "none.html"
    result = cli("records", "report", "--records", isolated / "records", "-o", out)
    assert result.code == 0
    assert "0 calls" in out.read_text(encoding="utf-8")
    again = cli("records", "report", "--records", isolated / "records", "-o", isolated)
    assert again.code == 2 and "is a folder" in again.err


@pytest.mark.pty
def test_a_progress_bar_on_a_terminal_and_none_when_piped(truth, cli, isolated) -> None:
    import os
    import sys

    import pexpect

    out = isolated / "bar.html"
    child = pexpect.spawn(sys.executable, ["-m", "deescalate", "records", "report",
                                           "--records", str(truth["folder"]), "-o", str(out)],
                          env={**os.environ, "TERM": "xterm-256color"}, cwd=str(isolated),
                          dimensions=(24, 100), timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    seen = child.before.decode("utf-8", "replace")
    assert child.exitstatus == 0, seen
    assert "Building the report" in seen and "━" in seen  # Rich's bar, on stderr
    assert "Wrote the report of 400 calls" in seen and out.exists()
    piped = cli("records", "report", "--records", truth["folder"], "-o", out)
    assert "Building the report" not in piped.err and "━" not in piped.err


def test_text_from_playbooks_is_text_in_the_page_and_its_charts(truth, cli, isolated) -> None:
    from tests.recordkit import REPO

    team = isolated / "team-playbooks"
    team.mkdir()
    text = (REPO / "playbooks" / "upset-customer.yaml").read_text(encoding="utf-8")
    hostile = "Refund $20 or $30 <script>x()</script> & \\u001b[31m"
    text = text.replace("title: Steady yourself", f'title: "{hostile}"', 1)
    (team / "upset-customer.yaml").write_text(text, encoding="utf-8")
    out = isolated / "hostile.html"
    result = cli("records", "report", "--records", truth["folder"], "--playbooks", team,
                 "--playbook", "upset-customer", "-o", out)
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "\x1b" not in page
    shown = "Refund $20 or $30 &lt;script&gt;x()&lt;/script&gt; &amp; "
    chart, table = page.split('data-chart="steps"')[1].split("</figure>", 1)
    assert shown in table  # the table, escaped
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", chart)
    assert shown[:30] in "".join(labels)  # the chart's label: text, not mathtext
    rows = Page(page).tables["Each step, and each branch answer given there"]
    assert rows[1][0].startswith("Refund $20 or $30 <script>x()</script> & ")


def test_the_figures_are_the_same_counted_in_a_second_process_or_here(truth,
                                                                      monkeypatch) -> None:
    """The report counts over the records in a process of its own while it counts the
    step visits here; with an index in memory, or one core, all here: the same page."""
    import os
    from datetime import date

    from deescalate.records import store
    from deescalate.records.filters import Filters
    from deescalate.records.htmlreport import figures

    made: list[figures._Beside] = []
    real = figures._Beside.__init__

    def noted(self, *args, **kwargs) -> None:
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(figures._Beside, "__init__", noted)

    def gathered(cache: bool, chosen: Filters) -> figures.ReportData:
        found, _ = store.ask(truth["folder"], lambda index, _: figures.gather(
            index, chosen, today=date(2026, 12, 2), lookup=lambda _: None),
            cache=cache, visits=True)
        return found

    for chosen, calls in ((Filters(), 400), (Filters(agent="asmith"), 134),
                          (Filters(playbook="upset-customer", since=date(2026, 9, 1)), None)):
        beside = gathered(True, chosen)
        assert made[-1].future is not None  # it did count in another process
        here = gathered(False, chosen)
        assert made[-1].future is None
        with monkeypatch.context() as patched:
            patched.setattr(os, "cpu_count", lambda: 1)
            one_core = gathered(True, chosen)
        assert made[-1].future is None
        assert beside == here == one_core
        assert beside.steps and beside.agents and beside.verdicts
        assert beside.calls == (calls if calls is not None else sum(
            c["day"] >= date(2026, 9, 1) for c in truth["calls"]))
