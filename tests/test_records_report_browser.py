"""The report in a real headless Chromium: every chart drew (non-empty marks, as many
as its table says), no request left the file, no console error; a 1280x800 screenshot;
printed, every table whole."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser import Browser
from tests.recordkit import generator, write_call
from tests.reportkit import Page

CHARTS = ("weeks", "mood", "steps", "versions", "agents")

# For each chart, what it drew: its declared marks, its marks with a non-empty box, and
# the size of its SVG on the page.
DRAWN = """JSON.stringify([...document.querySelectorAll('figure.chart')].map(f => {
  const svg = f.querySelector('svg');
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('[id*="-mark-"]')];
  const full = marks.filter(m => { const b = m.getBBox(); return b.width > 0 && b.height > 0; });
  return {name: f.dataset.chart, declared: Number(f.dataset.marks), marks: marks.length,
          drawn: full.length, width: box.width, height: box.height};
}))"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser") / "records"
    generator().generate(folder, 300, seed=5, workers=1)
    for n in range(40):  # a second version of one playbook, in the latest weeks
        write_call(folder, started=datetime(2026, 11, 1, 9, tzinfo=UTC) + timedelta(hours=n * 7),
                   version=2, moods=(4, 2 + n % 3), steps=5, ticks=2,
                   outcome=("resolved", "follow-up", "dropped")[n % 3],
                   follow_up=datetime(2026, 12, 1).date())
    return folder


def expected_marks(page: Page) -> dict[str, int]:
    """How many marks each chart must have, from the table beside it."""
    weeks = page.tables["Calls per week"][1:]
    mood = page.tables["Mood per week"][1:]
    steps = page.tables["Each step, and each branch answer given there"][1:]
    versions = page.tables["Versions side by side (95% intervals)"][1:]
    agents = page.tables["Per agent"][1:]
    return {
        "weeks": sum(cell != "0" for row in weeks for cell in row[2:]),
        "mood": 2 * sum(row[1] != "0" for row in mood),
        "steps": sum(not row[0].startswith("→") and row[1] != "0" for row in steps),
        "versions": sum(not cell.startswith(("0%", "\u2013")) for row in versions
                        for cell in row[2:]),
        "agents": sum(row[2] != "0%" for row in agents),
    }


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_chart_draws_offline_without_errors(cli, isolated, report) -> None:
    out = isolated / "report.html"
    result = cli("records", "report", "--records", report, "--playbook", "upset-customer",
                 "--output", out)
    assert result.code == 0, result.err
    page = Page(out.read_text(encoding="utf-8"))
    expected = expected_marks(page)
    assert all(expected[name] > 0 for name in CHARTS), expected
    with Browser(1280, 800) as browser:
        browser.open(out.as_uri())
        charts = json.loads(browser.evaluate(DRAWN))
        shot = isolated / "report.png"
        browser.screenshot(shot)
        requests = browser.requests()
        errors = browser.errors()
        printed = browser.pdf()
        # Printed, the tables lose their scroll boxes: every row of every table is there.
        browser.call("Emulation.setEmulatedMedia", {"media": "print"})
        clipped = browser.evaluate(
            "[...document.querySelectorAll('.tablewrap')].filter(w => "
            "w.scrollHeight > w.clientHeight + 1).length")
    assert [chart["name"] for chart in charts] == list(CHARTS)
    for chart in charts:
        name = chart["name"]
        assert chart["declared"] == chart["marks"] == chart["drawn"] == expected[name], chart
        assert chart["width"] > 300 and chart["height"] > 100, chart
    assert requests == [out.as_uri()]  # the page itself, and nothing else
    assert errors == []
    assert png_size(shot.read_bytes()) == (1280, 800)
    assert printed.startswith(b"%PDF") and len(printed) > 20_000  # it prints
    assert clipped == 0


def test_the_page_forbids_fetching_anything(cli, isolated, report) -> None:
    out = isolated / "report.html"
    assert cli("records", "report", "--records", report, "--output", out).code == 0
    text = out.read_text(encoding="utf-8")
    assert "Content-Security-Policy\" content=\"default-src 'none'" in text
    for fetched in ("<script", "<link", "<img", "src=\"http", "href=\"http", "@import",
                    "url(http"):
        assert fetched not in text
