"""How records look in a terminal: lists, one record, follow-ups, history (with Rich;
the stats report is plain text, in `deescalate.records.report`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text

from deescalate.records import format as record_format
from deescalate.records.format import MOODS, columns
from deescalate.records.layout import Column, Line, Segment
from deescalate.records.layout import table as lay_out
from deescalate.records.report import length
from deescalate.records.summary import Summary
from deescalate.text import UNICODE, Glyphs, one_line, shown

if TYPE_CHECKING:
    from rich.console import RenderableType

    from deescalate.records.followups import FollowUp


def when(record: Summary) -> str:
    """The start as people read it: 2026-11-22 14:30 (UTC)."""
    return f"{record.started[:10]} {record.started[11:16]}"


def follow_up_text(record: Summary, today: date) -> str:
    if record.follow_up is None:
        return ""
    if record.follow_up_done is not None:
        return f"{record.follow_up} done"
    if record.follow_up < today.isoformat():
        return f"{record.follow_up} overdue"
    return f"{record.follow_up} open"


def _line(text: str | None) -> Text:
    """Text cut short with … to fit its column (in the history table a call shows)."""
    return Text(text or "", no_wrap=True, overflow="ellipsis")


def _text(lines: list[Line]) -> Text:
    """Laid-out lines as one Rich text, to print with soft_wrap (never cut nor padded)."""
    out = Text()
    for number, line in enumerate(lines):
        if number:
            out.append("\n")
        for piece, style in line:
            out.append(piece, style=style)
    return out


def _cell(text: str | None, style: str = "") -> Segment:
    """Outside text as one table cell: control characters shown, line breaks as spaces."""
    return (one_line(text), style) if text else ("", style)


RECORD_COLUMNS = (
    Column("ID"), Column("OUTCOME"), Column("LENGTH", right=True), Column("FOLLOW-UP"),
    Column("CUSTOMER", keep=False, cap=24, label=True),
    Column("REF", keep=False, cap=16, label=True),
    Column("SUMMARY", keep=False),
)


def records_table(records: Sequence[Summary], today: date, *, width: int | None = None,
                  glyphs: Glyphs = UNICODE) -> Text:
    """`records list`: newest first, one line each where the terminal is wide enough.
    Ids are never cut: in a narrow terminal the customer, reference and summary (cut
    short first) and then the follow-up go to a second line under each id."""
    rows: list[list[Segment]] = []
    for record in records:
        follow = follow_up_text(record, today)
        rows.append([(record.id, "bold"), (record.outcome, ""),
                     (length(record.duration), ""),
                     (follow, "red" if follow.endswith("overdue") else ""),
                     _cell(record.customer), _cell(record.reference), _cell(record.summary)])
    if not records:
        rows.append([("(no records)", ""), *[("", "")] * (len(RECORD_COLUMNS) - 1)])
    return _text(lay_out(RECORD_COLUMNS, rows, width, ellipsis=glyphs.ellipsis,
                       dot=glyphs.dot))


_LEVELS = "?▁▃▄▆█"  # a mood of 1 (calm) to 5 (hostile) as a bar's height
MOOD_CELLS = 24  # the width of the mood line: the call's length, start to end


def mood_line(ratings: Sequence[tuple[int, int]], duration: int, glyphs: Glyphs = UNICODE
              ) -> str:
    """The call's mood over time on one line: a cell per 1/24th of the call showing the
    mood in force then (a dot before the first rating; the rating's digit when bars
    can't be drawn), then every rating in plain text: value, word and time."""
    if not ratings:
        return "not rated"
    bars = glyphs.arrow == UNICODE.arrow
    cells = []
    for cell in range(MOOD_CELLS):
        moment = max(duration, 1) * cell / MOOD_CELLS
        found = [value for at, value in ratings if at <= moment]
        if cell == 0 and not found:
            found = [ratings[0][1]] if ratings[0][0] <= 0 else []
        value = found[-1] if found else None
        # No space even before the first rating: the line never wraps inside itself.
        cells.append((glyphs.dot if bars else ".") if value is None else
                     _LEVELS[value] if bars else str(value))
    said = f" {glyphs.arrow} ".join(f"{value} ({MOODS.get(value, '?')}) at {length(at)}"
                                    for at, value in ratings)
    first, last = ratings[0][1], ratings[-1][1]
    trend = ("" if len(ratings) == 1 else
             " " + glyphs.dot + (" cooled down" if last < first else " heated up"
                                 if last > first else " held steady"))
    once = f" {glyphs.dot} rated once" if len(ratings) == 1 else ""
    return f"{glyphs.bar}{''.join(cells)}{glyphs.bar} {said}{once}{trend}"


def record_view(record: Summary, body: str, today: date, *, where: str,
                width: int | None = None, markdown: bool = True,
                glyphs: Glyphs = UNICODE,
                moods: Sequence[tuple[int, int]] | None = None) -> RenderableType:
    """`records show`: the facts, then the record's own text: rendered Markdown on a
    terminal (`markdown`), else as it is in the file. Long values wrap between words,
    and never inside an id or a path. `moods`, the (at, value) ratings, draw the
    mood line; without them the first and last rating are shown."""
    import textwrap

    dot = glyphs.dot
    rows: list[tuple[str, str]] = [
        ("Record", record.id),
        ("Started", f"{record.started.replace('T', ' ').replace('Z', ' UTC')} {dot} "
                    f"{length(record.duration)} long"),
        ("Agent", record.agent),
        ("Playbook", record.playbook + (f" v{record.playbook_version}"
                                        if record.playbook_version is not None else "")),
    ]
    if record.customer or record.reference:
        rows.append(("Customer", f" {dot} ".join(
            one_line(x) for x in (record.customer, record.reference) if x)))
    outcome = record.outcome + (" (escalated)" if record.escalated
                                and record.outcome != "escalated" else "")
    rows.append(("Outcome", outcome))
    if record.root_cause:
        rows.append(("Root cause", record.root_cause))
    if moods is not None:
        rows.append(("Mood", mood_line(moods, record.duration, glyphs)))
    elif record.mood_start is not None and record.mood_end is not None:
        arrow = glyphs.arrow
        rows.append(("Mood", f"{record.mood_start} ({MOODS[record.mood_start]}) {arrow} "
                             f"{record.mood_end} ({MOODS[record.mood_end]})"))
    if record.follow_up:
        rows.append(("Follow-up", follow_up_text(record, today)))
    if record.skipped:
        rows.append(("Skipped", ", ".join(record.skipped)))
    rows += labelled(record)
    rows.append(("File", where))
    label = max(len(name) for name, _ in rows) + 2
    facts = Text()
    for name, value in rows:
        wrapped = textwrap.wrap(one_line(value), width=max(20, (width or 10**6) - label),
                                break_long_words=False, break_on_hyphens=False) or [""]
        facts.append(name.ljust(label) if wrapped[0] else name, style="bold")
        facts.append(wrapped[0])
        for more in wrapped[1:]:
            facts.append("\n" + " " * label + more)
        facts.append("\n")
    if markdown:
        from rich.markdown import Markdown

        return Group(facts, Markdown(shown(body)))
    return Text.assemble(facts, shown(body.strip("\n")))


def labelled(record: Summary) -> list[tuple[str, str]]:
    """The facts of the record's columns that have a label (`format.Column.label`), in
    the order of the fields: those not shown by hand above, when not empty."""
    rows = []
    for column in columns(record_format.FIELDS):
        if column.label is not None:
            value = record.get(column.name)
            if isinstance(value, tuple):
                value = ", ".join(value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            if value is not None and value != "":
                rows.append((column.label, str(value)))
    return rows


_STATUS = {"overdue": "red", "today": "yellow", "upcoming": "", "done": "dim"}
_HEADINGS = {"overdue": "Overdue", "today": "Due today", "upcoming": "Upcoming",
             "done": "Done"}
FOLLOW_UP_COLUMNS = (
    Column("DUE"), Column(""), Column("ID"), Column("AGENT"),
    Column("CUSTOMER", keep=False, cap=24, label=True),
    Column("REF", keep=False, cap=16, label=True),
    Column("SUMMARY", keep=False),
)


def followups_view(items: Sequence[FollowUp], *, width: int | None = None,
                   glyphs: Glyphs = UNICODE) -> Text:
    """`followups`: one table per status, overdue first; ids never cut (see
    `records_table` for how a narrow terminal is used)."""
    if not items:
        return Text("No follow-ups open.")
    lines: list[Line] = []
    for status in _HEADINGS:
        chosen = [item for item in items if item.status == status]
        if not chosen:
            continue
        if lines:
            lines.append([])
        style = _STATUS[status]
        lines.append([(f"{_HEADINGS[status]} ({len(chosen)})", f"bold {style}".strip())])
        rows = [[(item.due.isoformat(), style), (_days(item), style), (item.record.id, style),
                 _cell(item.record.agent, style), _cell(item.record.customer, style),
                 _cell(item.record.reference, style), _cell(item.record.summary, style)]
                for item in chosen]
        lines += lay_out(FOLLOW_UP_COLUMNS, rows, width, ellipsis=glyphs.ellipsis,
                       dot=glyphs.dot)
    return _text(lines)


def _days(item: FollowUp) -> str:
    if item.status == "done":
        return f"done {item.record.follow_up_done}"
    if item.days == 0:
        return "today"
    if item.days < 0:
        return f"{-item.days}d late"
    return f"in {item.days}d"
