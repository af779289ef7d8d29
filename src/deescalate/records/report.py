"""`records stats` for a terminal: tables with bars, as plain text.

Drawn without Rich on purpose: importing Rich alone takes a sixth of the 0.3 s that
a repeated `records stats` over 10,000 records may take (a budget that
`benchmarks/run.py` checks).
Colour only when writing to a terminal and NO_COLOR is not set.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Sequence

from deescalate.records.stats import Figures, Stats

_EIGHTHS = " ▏▎▍▌▋▊▉"
_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33",
          "cyan": "36", "magenta": "35"}


def colour_wanted(stream: object = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def length(seconds: float | None) -> str:
    """A call length as m:ss, or h:mm:ss from an hour."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def share(part: float | None, digits: int = 1) -> str:
    return "-" if part is None else f"{part * 100:.{digits}f}%"


def bar(value: float, maximum: float, width: int = 20) -> str:
    """A bar of block characters, `width` long at `maximum`, to an eighth of a cell."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def width(text: str) -> int:
    """Columns `text` takes in a terminal: wide East Asian characters take two."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, most: int) -> str:
    if width(text) <= most:
        return text
    while width(text) > most - 1:
        text = text[:-1]
    return text + "…"


class Report:
    """Lines of text, painted when colour is wanted."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour
        self.lines: list[str] = []

    def paint(self, text: str, style: str) -> str:
        if not self.colour or not style or not text:
            return text
        codes = ";".join(_CODES[word] for word in style.split())
        return f"\033[{codes}m{text}\033[0m"

    def line(self, text: str = "", style: str = "") -> None:
        self.lines.append(self.paint(text, style))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], align: str,
              styles: Sequence[str] = ()) -> None:
        """Columns two spaces apart; `align` has an l or r per column, `styles` a style
        per column ('' for none)."""
        widths = [max([width(h)] + [width(row[i]) for row in rows])
                  for i, h in enumerate(header)]
        styles = list(styles) or [""] * len(header)

        def cells(row: Sequence[str], heading: bool) -> str:
            out = []
            for i, cell in enumerate(row):
                pad = " " * (widths[i] - width(cell))
                text = pad + cell if align[i] == "r" else cell + pad
                out.append(self.paint(text, "bold" if heading else styles[i]))
            return "  ".join(out).rstrip()

        self.lines.append(cells(header, True))
        self.lines += [cells(row, False) for row in rows]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _figures(report: Report, figures: Figures) -> None:
    calls = figures.calls
    rows = [("Calls", f"{calls:,}")]
    for name, count, part in (("Resolved", figures.resolved, figures.share_resolved),
                              ("Escalated", figures.escalated, figures.escalation_rate)):
        rows.append((name, f"{share(part):>6}  {report.paint(bar(count, calls), 'cyan')} "
                           f"{report.paint(f'{count:,}', 'dim')}".rstrip()))
    rows.append(("Call length", f"median {length(figures.median_seconds)} · 90% take at "
                                f"most {length(figures.p90_seconds)}"))
    if figures.mood_rated:
        assert figures.mood_start is not None and figures.mood_end is not None
        cooled = report.paint(f"{share(figures.share_cooled)} cooled down", "green")
        rows.append(("Mood", f"{figures.mood_start:.1f} at the start → "
                             f"{figures.mood_end:.1f} at the end · of "
                             f"{figures.mood_rated:,} rated calls, {cooled}, "
                             f"{figures.steady:,} held steady, {figures.heated:,} heated up"))
    else:
        rows.append(("Mood", "no ratings"))
    overdue = report.paint(f"{figures.follow_ups_overdue:,} overdue",
                           "red" if figures.follow_ups_overdue else "")
    rows.append(("Follow-ups", f"{figures.follow_ups_open:,} open · {overdue}"))
    label = max(len(name) for name, _ in rows)
    for name, value in rows:
        report.lines.append(f"{report.paint(name.ljust(label), 'bold')}  {value}")


def render(stats: Stats, *, unreadable: int = 0, colour: bool = False) -> str:
    """The whole `records stats` report."""
    report = Report(colour)
    figures = stats.figures
    span = (f" · calls from {stats.first_day} to {stats.last_day} (UTC)"
            if stats.first_day else "")
    heading = report.paint(f"{figures.calls:,} record{'s' if figures.calls != 1 else ''}"
                           f"{span}", "bold")
    if unreadable:
        heading += " · " + report.paint(f"{unreadable:,} unreadable, not counted", "yellow")
    report.lines.append(heading)
    if not figures.calls:
        return report.text()
    report.line()
    _figures(report, figures)
    report.line()
    report.line("Outcomes", "bold")
    top = max(figures.outcomes.values())
    report.table(["OUTCOME", "CALLS", "", "SHARE"],
                 [[name, f"{count:,}", bar(count, top), share(count / figures.calls)]
                  for name, count in figures.outcomes.items()], "lrlr", ["", "", "cyan", ""])
    if stats.by is not None:
        report.line()
        report.line(f"By {stats.by}", "bold")
        _groups(report, stats)
    report.line()
    report.line("Steps most often skipped", "bold")
    if stats.skipped:
        most = max(step.share for step in stats.skipped)
        report.table(["PLAYBOOK", "STEP", "SKIPPED", "", "OF CALLS"],
                     [[clip(step.playbook, 30), clip(step.step, 30), f"{step.skipped:,}",
                       bar(step.share, most, 12), f"{share(step.share)} of {step.calls:,}"]
                      for step in stats.skipped], "llrll", ["", "", "", "magenta", ""])
    else:
        report.line("none skipped")
    return report.text()


def _groups(report: Report, stats: Stats) -> None:
    assert stats.by is not None
    top = max((group.calls for _, group in stats.groups), default=0)
    rows = []
    for name, group in stats.groups:
        mood = (f"{group.mood_start:.1f}→{group.mood_end:.1f}"
                if group.mood_start is not None and group.mood_end is not None else "-")
        rows.append([clip(name if name is not None else "(none)", 30), f"{group.calls:,}",
                     bar(group.calls, top, 10), share(group.share_resolved, 0),
                     share(group.escalation_rate, 0), length(group.median_seconds),
                     length(group.p90_seconds), mood, share(group.share_cooled, 0),
                     f"{group.follow_ups_open:,}", f"{group.follow_ups_overdue:,}"])
    report.table([stats.by.upper(), "CALLS", "", "RESOLVED", "ESCALATED", "MEDIAN", "P90",
                  "MOOD", "COOLED", "OPEN", "OVERDUE"], rows, "lrlrrrrrrrr",
                 ["", "", "cyan", "", "", "", "", "", "", "", ""])
