"""The report as one HTML page: every chart inline SVG with its table beside it, no
script, nothing fetched when it is opened (the page's content security policy forbids
it), set out to print. All text from records is escaped here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape as _escape
from importlib import resources
from string import Template

from deescalate.records.format import OUTCOMES
from deescalate.records.htmlreport import charts
from deescalate.records.htmlreport.figures import COMPARED, ReportData
from deescalate.records.proportions import Comparison, Share
from deescalate.text import one_line

Progress = Callable[[str], None]
NONE = "&ndash;"  # in a cell with no figure
METHODS = ("Shares come with a 95% Wilson score interval. A version is compared with the "
           "one before it by a two-sided two-proportion z-test (pooled) at the 5% level; "
           "the interval of the difference is Newcombe's hybrid score interval. "
           "\"About N more of each\" is the usual sample size for that test at 80% power "
           "at the shares seen so far. Mood is rated 1 (calm) to 5 (hostile): a call "
           "cooled when its last rating is below its first.")


def escape(text: str) -> str:
    """Outside text for the page: control characters made visible, then HTML-escaped."""
    return _escape(one_line(text))


def pct(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.0f}%"


def length(seconds: float | None) -> str:
    if seconds is None:
        return NONE
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def interval(share: Share) -> str:
    if share.interval is None:
        return NONE
    low, high = share.interval
    return f"{pct(share.value)} <small>({pct(low)}&ndash;{pct(high)})</small>"


def _table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]],
           numeric: Sequence[bool], classes: Sequence[str] = (), *, short: bool = True
           ) -> str:
    """A table; cells are HTML already (escape text before). `short`: its first column
    (a week, a version, an agent) is never wrapped."""
    ths = "".join(f'<th scope="col"{" class=n" if n else ""}>{escape(h)}</th>'
                  for h, n in zip(head, numeric, strict=True))
    body = []
    for i, row in enumerate(rows):
        kind = f' class="{classes[i]}"' if classes and classes[i] else ""
        tds = "".join(f'<td{" class=n" if n else ""}>{cell}</td>'
                      for cell, n in zip(row, numeric, strict=True))
        body.append(f"<tr{kind}>{tds}</tr>")
    marked = ' class="short"' if short else ""
    return (f'<div class="tablewrap"><table{marked}><caption>{escape(caption)}</caption>'
            f"<thead><tr>{ths}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _pair(name: str, chart: tuple[str, int], caption: str, table: str) -> str:
    drawn, marks = chart
    return (f'<div class="pair"><figure class="chart" data-chart="{name}" '
            f'data-marks="{marks}">{drawn}<figcaption>{escape(caption)}</figcaption>'
            f"</figure>{table}</div>")


def _summary(data: ReportData) -> str:
    f = data.overall
    rows = [("Calls", f"{data.calls:,}"),
            ("Resolved", interval(Share(f.resolved, f.calls))),
            ("Escalated", interval(Share(f.escalated, f.calls))),
            ("Call length", f"median {length(f.median_seconds)}, 90% take at most "
                            f"{length(f.p90_seconds)}"),
            ("Mood", f"{f.mood_start:.1f} at the start → {f.mood_end:.1f} at the end; "
                     f"{pct(f.share_cooled)} of {f.mood_rated:,} rated calls cooled down"
             if f.mood_start is not None and f.mood_end is not None else "no ratings"),
            ("Follow-ups", f"{f.follow_ups_open:,} open, {f.follow_ups_overdue:,} overdue")]
    return '<dl class="summary">' + "".join(
        f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _weeks(data: ReportData, progress: Progress) -> str:
    names = [name or "?" for name, _ in data.weeks]
    counts = {o: [f.outcomes.get(o, 0) for _, f in data.weeks] for o in OUTCOMES}
    progress("calls per week")
    calls = charts.outcomes_by_week(names, counts)
    rows = [[escape(n), f"{f.calls:,}", *(f"{f.outcomes.get(o, 0):,}" for o in OUTCOMES)]
            for n, (_, f) in zip(names, data.weeks, strict=True)]
    first = _pair("weeks", calls, "Calls each ISO week, by how they ended.", _table(
        "Calls per week", ["week", "calls", *OUTCOMES], rows, [False] + [True] * 6))
    progress("mood per week")
    mood = charts.mood_by_week(names, [f.mood_start for _, f in data.weeks],
                               [f.mood_end for _, f in data.weeks])
    rows = [[escape(n), f"{f.mood_rated:,}", _mood(f.mood_start), _mood(f.mood_end),
             pct(f.share_cooled)] for n, (_, f) in zip(names, data.weeks, strict=True)]
    second = _pair("mood", mood, "Mean first and last mood rating of the week's rated calls "
                   "(solid: start, dashed: end).", _table(
                       "Mood per week", ["week", "rated", "start", "end", "cooled"], rows,
                       [False, True, True, True, True]))
    return "<h2>Week by week</h2>" + first + second


def _mood(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"


def _steps(data: ReportData, progress: Progress) -> str:
    if not data.steps:
        return ""
    progress("the steps")
    title = escape(data.playbook_title or data.playbook or "")
    labels = [s.title for s in data.steps]
    chart = charts.horizontal("steps", labels, [s.figures.calls for s in data.steps],
                              axis="calls that reached the step")
    rows, classes = [], []
    for step in data.steps:
        f = step.figures
        check = pct(step.checklist) if step.items else NONE
        rows.append([f'{escape(step.title)} <span class="id">({escape(f.step)})</span>',
                     f"{f.calls:,}", pct(f.skip_rate), length(f.median_seconds),
                     _change(f.mood_change), pct(f.share_resolved), check])
        classes.append("")
        for answer in f.answers:
            rows.append([f"→ {escape(answer.answer or '')}", f"{answer.calls:,}",
                         pct(answer.skip_rate), length(answer.median_seconds),
                         _change(answer.mood_change), pct(answer.share_resolved), ""])
            classes.append("answer")
    table = _table("Each step, and each branch answer given there",
                   ["step", "reached", "skipped", "median time", "mood change", "resolved",
                    "checklist"], rows, [False] + [True] * 6, classes, short=False)
    return (f"<h2>What each step does: {title}</h2><p class=note>{data.playbook_calls:,} "
            f"calls reached a step of <b>{escape(data.playbook or '')}</b>. Mood change: "
            "the mood on leaving the step minus on reaching it (below zero: calls cooled). "
            "Checklist: items ticked of the items on the step's list.</p>"
            + _pair("steps", chart, "Calls that reached each step, in playbook order.", table))


def _change(value: float | None) -> str:
    return NONE if value is None else f"{value:+.1f}".replace("-", "&minus;")


def _versions(data: ReportData, progress: Progress) -> str:
    if not data.versions:
        return ""
    progress("the versions")
    names = [v.name for v in data.versions]
    shares: dict[str, list[tuple[float, float, float] | None]] = {}
    for name, count, _, _ in COMPARED:
        shares[name] = []
        for version in data.versions:
            share = count(version.figures)
            shares[name].append(None if share.interval is None or share.value is None
                                else (share.value, *share.interval))
    chart = charts.versions(names, shares)
    rows = [[escape(v.name), f"{v.figures.calls:,}",
             *(interval(count(v.figures)) for _, count, _, _ in COMPARED)]
            for v in data.versions]
    table = _table("Versions side by side (95% intervals)",
                   ["version", "calls", "resolved", "escalated", "cooled"], rows,
                   [False, True, True, True, True])
    said = "".join(f'<li><span class="verdict">{escape(v.comparison.verdict)}</span> '
                   f"({escape(v.figure)}): {escape(v.comparison.sentence)}"
                   f"{_difference(v.comparison)}</li>" for v in data.verdicts)
    verdicts = (f'<ul class="verdicts">{said}</ul>' if said else
                "<p class=note>Only one version of this playbook in these calls: "
                "nothing to compare yet.</p>")
    return ("<h2>Playbook versions</h2>" + _pair(
        "versions", chart, "Each share per version; the line on each bar is its 95% interval.",
        table) + "<h3>Verdicts, each version against the one before</h3>" + verdicts)


def points(value: float) -> str:
    """Percentage points, signed (0 without a sign)."""
    rounded = round(value * 100)
    return "0" if rounded == 0 else f"{rounded:+d}"


def _difference(comparison: Comparison) -> str:
    """The difference in percentage points, Newcombe's interval of it, the test's p."""
    if comparison.difference is None or comparison.p_value is None:
        return ""
    newer, older = comparison.newer.value, comparison.older.value
    assert newer is not None and older is not None
    low, high = comparison.difference
    return (f" <small>(difference {points(newer - older)} points, 95% interval "
            f"{points(low)} to {points(high)}; p = {comparison.p_value:.3f})</small>")


def _agents(data: ReportData, progress: Progress) -> str:
    if not data.agents:
        return ""
    progress("the agents")
    chart = charts.horizontal("agents", [a.name for a in data.agents],
                              [a.figures.share_resolved or 0.0 for a in data.agents],
                              axis="share of calls resolved", share=True)
    rows = [[escape(a.name), f"{a.figures.calls:,}", pct(a.figures.share_resolved),
             pct(a.figures.share_cooled),
             escape(", ".join(f"{step} ({n:,})" for step, n in a.skipped)) or "none",
             pct(a.checklist), f"{a.figures.follow_ups_open:,}",
             f"{a.figures.follow_ups_overdue:,}"] for a in data.agents]
    table = _table("Per agent", ["agent", "calls", "resolved", "cooled", "skipped most",
                                 "checklist", "open", "overdue"], rows,
                   [False, True, True, True, False, True, True, True])
    return "<h2>Per agent</h2>" + _pair("agents", chart, "Share of each agent's calls "
                                        "resolved, most calls first.", table)


def render(data: ReportData, *, version: str, progress: Progress | None = None) -> str:
    """The whole page."""
    said = progress or (lambda _: None)
    span = (f"calls from {data.first_day} to {data.last_day} (UTC)" if data.first_day
            else "no calls")
    chosen = ", ".join(f"{k} {v}" for k, v in data.filters.items()) or "all records"
    head = (f"<h1>Call records report</h1><p class=lead>{data.calls:,} calls · "
            f"{escape(span)} · {escape(chosen)} · made {escape(data.today)}"
            + (f" · {data.unreadable:,} unreadable records not counted" if data.unreadable
               else "") + "</p>")
    parts = [head]
    if data.calls:
        parts += [_summary(data), _weeks(data, said), _steps(data, said),
                  _versions(data, said), _agents(data, said)]
    parts.append(f"<h2>How these figures are made</h2><p class=note>{escape(METHODS)}</p>")
    template = Template(resources.files(__package__).joinpath("page.html").read_text(
        encoding="utf-8"))
    return template.substitute(title=escape("Call records report"), version=escape(version),
                               body="\n".join(parts))
