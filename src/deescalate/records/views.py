"""How records look in a terminal: lists, one record, follow-ups, history (with Rich;
the stats report is plain text, in `deescalate.records.report`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from deescalate.records.format import MOODS
from deescalate.records.report import length
from deescalate.records.summary import Summary

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
    """Text cut short with … to fit its column: the last column gives way, and the
    others stay whole."""
    return Text(text or "", no_wrap=True, overflow="ellipsis")


def records_table(records: Sequence[Summary], today: date) -> Table:
    """`records list`: newest first, one line each. In a narrow terminal the summary,
    customer and reference, on the right, are cut short first."""
    follows = [follow_up_text(record, today) for record in records]
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("ID", no_wrap=True, style="bold",
                     min_width=max((len(r.id) for r in records), default=2))
    table.add_column("OUTCOME", no_wrap=True, min_width=max(
        (len(r.outcome) for r in records), default=7))
    table.add_column("LENGTH", justify="right", no_wrap=True, min_width=6)
    table.add_column("FOLLOW-UP", no_wrap=True,
                     min_width=max((len(f) for f in follows), default=9))
    table.add_column("CUSTOMER", max_width=24, overflow="ellipsis", no_wrap=True)
    table.add_column("REF", max_width=16, overflow="ellipsis", no_wrap=True)
    table.add_column("SUMMARY", min_width=10)
    for record, follow in zip(records, follows, strict=True):
        table.add_row(
            record.id,
            record.outcome,
            length(record.duration),
            Text(follow, style="red" if follow.endswith("overdue") else ""),
            Text(record.customer or ""),
            Text(record.reference or ""),
            _line(record.summary),
        )
    if not records:
        table.add_row("(no records)", "", "", "", "", "", "")
    return table


def record_view(record: Summary, body: str, today: date) -> RenderableType:
    """`records show`: the facts, then the record's own text."""
    from rich.markdown import Markdown

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    rows: list[tuple[str, str]] = [
        ("Record", record.id),
        ("Started", f"{record.started.replace('T', ' ').replace('Z', ' UTC')} · "
                    f"{length(record.duration)} long"),
        ("Agent", record.agent),
        ("Playbook", record.playbook + (f" v{record.playbook_version}"
                                        if record.playbook_version is not None else "")),
    ]
    if record.customer or record.reference:
        rows.append(("Customer", " · ".join(x for x in (record.customer, record.reference)
                                            if x)))
    outcome = record.outcome + (" (escalated)" if record.escalated
                                and record.outcome != "escalated" else "")
    rows.append(("Outcome", outcome))
    if record.root_cause:
        rows.append(("Root cause", record.root_cause))
    if record.mood_start is not None and record.mood_end is not None:
        rows.append(("Mood", f"{record.mood_start} ({MOODS[record.mood_start]}) → "
                             f"{record.mood_end} ({MOODS[record.mood_end]})"))
    if record.follow_up:
        rows.append(("Follow-up", follow_up_text(record, today)))
    if record.skipped:
        rows.append(("Skipped", ", ".join(record.skipped)))
    rows.append(("File", record.path))
    for name, value in rows:
        facts.add_row(name, Text(value))
    return Group(facts, Text(""), Markdown(body))


_STATUS = {"overdue": "red", "today": "yellow", "upcoming": "", "done": "dim"}
_HEADINGS = {"overdue": "Overdue", "today": "Due today", "upcoming": "Upcoming",
             "done": "Done"}


def followups_view(items: Sequence[FollowUp]) -> RenderableType:
    """`followups`: one table per status, overdue first."""
    if not items:
        return Text("No follow-ups open.")
    parts: list[RenderableType] = []
    for status in _HEADINGS:
        chosen = [item for item in items if item.status == status]
        if not chosen:
            continue
        if parts:
            parts.append(Text(""))
        parts.append(Text(f"{_HEADINGS[status]} ({len(chosen)})", style=f"bold {_STATUS[status]}"))
        table = Table(box=None, pad_edge=False, header_style="bold")
        table.add_column("DUE", no_wrap=True)
        table.add_column("", no_wrap=True)
        table.add_column("ID", no_wrap=True)
        table.add_column("AGENT", no_wrap=True)
        table.add_column("CUSTOMER", max_width=24, overflow="ellipsis", no_wrap=True)
        table.add_column("REF", max_width=16, overflow="ellipsis", no_wrap=True)
        table.add_column("SUMMARY", min_width=10)
        for item in chosen:
            record = item.record
            table.add_row(item.due.isoformat(), _days(item), record.id, record.agent,
                          Text(record.customer or ""), Text(record.reference or ""),
                          _line(record.summary), style=_STATUS[status])
        parts.append(table)
    return Group(*parts)


def _days(item: FollowUp) -> str:
    if item.status == "done":
        return f"done {item.record.follow_up_done}"
    if item.days == 0:
        return "today"
    if item.days < 0:
        return f"{-item.days}d late"
    return f"in {item.days}d"


def history_lines(records: Sequence[Summary], today: date) -> list[str]:
    """Earlier calls as plain lines: date, playbook, outcome, and any open follow-up."""
    lines = []
    for record in records:
        line = f"{record.started[:10]}  {record.playbook}  {record.outcome}"
        if record.follow_up is not None and record.follow_up_done is None:
            late = " (overdue)" if record.follow_up < today.isoformat() else ""
            line += f"  follow-up due {record.follow_up}{late}"
        if record.summary:
            line += f"  {record.summary}"
        lines.append(line)
    return lines


def history_view(records: Sequence[Summary], today: date, *,
                 asked: dict[str, Any] | None = None) -> RenderableType:
    """A short table of earlier calls, for `start` to show before the first step."""
    title = "Earlier calls" + (f" ({', '.join(f'{k} {v}' for k, v in asked.items() if v)})"
                               if asked else "")
    if not records:
        return Text(f"{title}: none", style="dim")
    table = Table(box=None, pad_edge=False, header_style="bold", title=title,
                  title_justify="left", title_style="bold")
    table.add_column("DATE", no_wrap=True)
    table.add_column("PLAYBOOK", no_wrap=True)
    table.add_column("OUTCOME", no_wrap=True)
    table.add_column("FOLLOW-UP", no_wrap=True)
    table.add_column("SUMMARY", min_width=10)
    for record in records:
        follow = ""
        if record.follow_up is not None and record.follow_up_done is None:
            follow = f"due {record.follow_up}" + (
                " (overdue)" if record.follow_up < today.isoformat() else "")
        table.add_row(record.started[:10], record.playbook, record.outcome,
                      Text(follow, style="red" if "overdue" in follow else ""),
                      _line(record.summary))
    return table
