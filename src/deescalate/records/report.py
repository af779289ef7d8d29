"""`records stats` for a terminal: tables with bars, as plain text.

Drawn without Rich on purpose: importing Rich alone takes a sixth of the 0.3 s that
a repeated `records stats` over 10,000 records may take (a budget that
`benchmarks/run.py` checks).
Colour only when writing to a terminal and NO_COLOR is not set. Names from the records
(playbooks, steps, agents, root causes) are outside text: their control characters
are made visible here (`text.one_line`), so the report's own colour codes can go out
as they are. Everything fits the
width given (the terminal's): tables as `deescalate.records.layout` lays them out, and
long lines wrapped between words under their label.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from deescalate.records.layout import Column, Line, fit, table
from deescalate.records.stats import DIMENSIONS, Figures, PlaybookSteps, Stats
from deescalate.text import cells, one_line

_EIGHTHS = " ▏▎▍▌▋▊▉"
_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33",
          "cyan": "36", "magenta": "35"}


def colour_wanted(stream: object = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def width_wanted(stream: object = None) -> int | None:
    """The width to fit: the terminal's, or COLUMNS; None (any) when piped without it."""
    import shutil

    stream = stream or sys.stdout
    if os.environ.get("COLUMNS", "").strip().isdigit():
        return max(20, int(os.environ["COLUMNS"]))
    isatty = getattr(stream, "isatty", None)
    if isatty and isatty():
        return max(20, shutil.get_terminal_size().columns)
    return None


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


def clip(text: str, most: int) -> str:
    return fit(text, most)


class Report:
    """Lines of text, painted when colour is wanted, fitting `width` columns."""

    def __init__(self, colour: bool, width: int | None = None) -> None:
        self.colour = colour
        self.width = width
        self.lines: list[str] = []

    def paint(self, text: str, style: str) -> str:
        if not self.colour or not style or not text:
            return text
        codes = ";".join(_CODES[word] for word in style.split())
        return f"\033[{codes}m{text}\033[0m"

    def line(self, text: str = "", style: str = "") -> None:
        self.lines.append(self.paint(text, style))

    def labelled(self, label: str, pieces: Sequence[tuple[str, str]], column: int) -> None:
        """`label` padded to `column`, then the pieces (text, style), wrapped between
        words to the width, the lines after the first under the first piece."""
        import textwrap

        plain = "".join(text for text, _ in pieces)
        room = None if self.width is None else max(20, self.width - column)
        wrapped = [plain] if room is None or cells(plain) <= room else textwrap.wrap(
            plain, room, break_long_words=False, break_on_hyphens=False)
        head = self.paint(label.ljust(column - 2), "bold") + "  "
        if len(wrapped) == 1:  # one line: keep the pieces' own colours
            self.lines.append(head + "".join(self.paint(t, s) for t, s in pieces))
            return
        self.lines.append(head + wrapped[0])
        self.lines += [" " * column + more for more in wrapped[1:]]

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]],
              styles: Sequence[str] = ()) -> None:
        """Columns two spaces apart, as `layout.table` fits them; `styles` a style per
        column ('' for none)."""
        styles = list(styles) or [""] * len(columns)
        cells = [[(cell, styles[i]) for i, cell in enumerate(row)] for row in rows]
        for line in table(columns, cells, self.width):
            self.lines.append(self._painted(line))

    def _painted(self, line: Line) -> str:
        return "".join(self.paint(text, style) for text, style in line).rstrip(" ")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _figures(report: Report, figures: Figures) -> None:
    calls = figures.calls
    rows: list[tuple[str, list[tuple[str, str]]]] = [("Calls", [(f"{calls:,}", "")])]
    for name, count, part in (("Resolved", figures.resolved, figures.share_resolved),
                              ("Escalated", figures.escalated, figures.escalation_rate)):
        drawn = bar(count, calls, 20 if report.width is None or report.width >= 60 else 8)
        rows.append((name, [(f"{share(part):>6}  ", ""), (drawn, "cyan"),
                            (f" {count:,}" if drawn else f"{count:,}", "dim")]))
    rows.append(("Call length", [(f"median {length(figures.median_seconds)} · 90% take at "
                                  f"most {length(figures.p90_seconds)}", "")]))
    if figures.mood_rated:
        assert figures.mood_start is not None and figures.mood_end is not None
        rows.append(("Mood", [(f"{figures.mood_start:.1f} at the start → "
                               f"{figures.mood_end:.1f} at the end · of "
                               f"{figures.mood_rated:,} rated calls, ", ""),
                              (f"{share(figures.share_cooled)} cooled down", "green"),
                              (f", {figures.steady:,} held steady, {figures.heated:,} "
                               "heated up", "")]))
    else:
        rows.append(("Mood", [("no ratings", "")]))
    rows.append(("Follow-ups", [(f"{figures.follow_ups_open:,} open · ", ""),
                                (f"{figures.follow_ups_overdue:,} overdue",
                                 "red" if figures.follow_ups_overdue else "")]))
    column = max(len(name) for name, _ in rows) + 2
    for name, pieces in rows:
        report.labelled(name, pieces, column)


def render(stats: Stats, *, unreadable: int = 0, colour: bool = False,
           width: int | None = None) -> str:
    """The whole `records stats` report, fitting `width` columns (None: any)."""
    report = Report(colour, width)
    figures = stats.figures
    heading = [f"{figures.calls:,} record{'s' if figures.calls != 1 else ''}"]
    if stats.first_day:
        heading.append(f"calls from {stats.first_day} to {stats.last_day} (UTC)")
    if unreadable:
        heading.append(f"{unreadable:,} unreadable, not counted")
    _heading(report, heading)
    if not figures.calls:
        return report.text()
    report.line()
    _figures(report, figures)
    report.line()
    report.line("Outcomes", "bold")
    top = max(figures.outcomes.values())
    report.table([Column("OUTCOME"), Column("CALLS", right=True), Column("", optional=True),
                  Column("SHARE", right=True)],
                 [[name, f"{count:,}", bar(count, top), share(count / figures.calls)]
                  for name, count in figures.outcomes.items()], ["", "", "cyan", ""])
    if stats.by is not None:
        report.line()
        report.line(f"By {stats.by}", "bold")
        _groups(report, stats)
        return report.text()  # each view its own table: the skipped steps are a view too
    report.line()
    report.line("Steps most often skipped", "bold")
    if stats.skipped:
        most = max(step.share for step in stats.skipped)
        report.table([Column("PLAYBOOK"), Column("STEP"), Column("SKIPPED", right=True),
                      Column("", optional=True), Column("OF CALLS")],
                     [[one_line(step.playbook), one_line(step.step), f"{step.skipped:,}",
                       bar(step.share, most, 12), f"{share(step.share)} of {step.calls:,}"]
                      for step in stats.skipped], ["", "", "", "magenta", ""])
    else:
        report.line("none skipped")
    return report.text()


def _heading(report: Report, parts: list[str]) -> None:
    """The first line: the count, the days, what could not be counted; split between
    its parts when it is too long for the width."""
    styles = ["bold", "bold", "yellow"]
    line = ""
    for i, part in enumerate(parts):
        painted = report.paint(part, styles[i])
        if not line:
            line = painted
        elif report.width is not None and cells(_plain(line)) + 3 + cells(part) > report.width:
            report.lines.append(line)
            line = painted
        else:
            line += " · " + painted
    report.lines.append(line)


def _plain(text: str) -> str:
    import re

    return re.sub("\033\\[[0-9;]*m", "", text)


# Spelled the same in every --by view, whatever the width: what does not fit is the
# bar and the 90th percentile first, then a second line per row.
GROUP_COLUMNS = (
    Column("NAME"), Column("CALLS", right=True), Column("", optional=True),
    Column("RESOLVED", right=True),
    Column("ESCALATED", right=True),
    Column("MEDIAN", right=True),
    Column("P90", right=True, optional=True),
    Column("MOOD", right=True),
    Column("COOLED", right=True),
    Column("OPEN", right=True),
    Column("OVERDUE", right=True),
)


def _groups(report: Report, stats: Stats) -> None:
    assert stats.by is not None
    top = max((group.calls for _, group in stats.groups), default=0)
    rows = []
    for name, group in stats.groups:
        mood = (f"{group.mood_start:.1f}→{group.mood_end:.1f}"
                if group.mood_start is not None and group.mood_end is not None else "-")
        rows.append([one_line(name) if name is not None else "(none)", f"{group.calls:,}",
                     bar(group.calls, top, 10), share(group.share_resolved, 0),
                     share(group.escalation_rate, 0), length(group.median_seconds),
                     length(group.p90_seconds), mood, share(group.share_cooled, 0),
                     f"{group.follow_ups_open:,}", f"{group.follow_ups_overdue:,}"])
    columns = [Column(DIMENSIONS[stats.by].label), *GROUP_COLUMNS[1:]]
    report.table(columns, rows, ["", "", "cyan", "", "", "", "", "", "", "", ""])


STEP_COLUMNS = (
    # A step's title, or under it the branch answer given there.
    Column("STEP"), Column("TITLE", keep=False, cap=36), Column("CALLS", right=True),
    Column("", optional=True),
    Column("SKIPPED", right=True, short="SKIP", meaning="skip rate"),
    Column("MEDIAN", right=True, short="MED", meaning="median time on the step"),
    Column("MOOD", right=True, short="MOOD", meaning="mood change across it"),
    Column("RESOLVED", right=True, short="RES", meaning="of these calls, resolved"),
)


def _change(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"


WIDE_STEPS = 100  # narrower, `--by step` leaves its bars out to show the steps' titles


def render_steps(books: Sequence[PlaybookSteps], *, calls: int, unreadable: int = 0,
                 colour: bool = False, width: int | None = None,
                 titles: Mapping[tuple[str, str], str] | None = None) -> str:
    """`records stats --by step`: a table per playbook, a row per step (its id, and its
    title from `titles` by (playbook, step), when the playbook is found) and, under a
    branch step, one per answer given there."""
    titles = titles or {}
    report = Report(colour, width)
    heading = [f"{calls:,} record{'s' if calls != 1 else ''}", "what each step does"]
    if unreadable:
        heading.append(f"{unreadable:,} unreadable, not counted")
    _heading(report, heading)
    for book in books:
        report.line()
        report.line(f"{book.playbook}: {book.calls:,} call{'s' if book.calls != 1 else ''}"
                    " reached it", "bold")
        rows = []
        for step in book.steps:
            rows.append([step.step, one_line(titles.get((book.playbook, step.step), "")),
                         f"{step.calls:,}", bar(step.calls, book.calls, 10),
                         share(step.skip_rate, 0), length(step.median_seconds),
                         _change(step.mood_change), share(step.share_resolved, 0)])
            for answer in step.answers:
                rows.append(["  →", f"{one_line(answer.answer or '')}", f"{answer.calls:,}",
                             bar(answer.calls, book.calls, 10), share(answer.skip_rate, 0),
                             length(answer.median_seconds), _change(answer.mood_change),
                             share(answer.share_resolved, 0)])
        columns, styles = list(STEP_COLUMNS), ["", "dim", "", "cyan", "", "", "", ""]
        if width is not None and width < WIDE_STEPS:  # the titles before the bars
            rows = [row[:3] + row[4:] for row in rows]
            del columns[3], styles[3]
        report.table(columns, rows, styles)
    if books:
        report.line()
        report.line("MOOD: the mood on leaving the step minus on reaching it, averaged", "dim")
        report.line("(1 calm to 5 hostile: below zero, calls cooled down)", "dim")
    else:
        report.line("no steps recorded for these calls")
    return report.text()
