"""Step rows: one row per `steps` entry of a record, for `records export --rows steps`
(CSV, JSON Lines and Parquet alike): where and when the call was at the step, what the
agent marked there (notes, the branch answer, the checklist items left unticked), and
what was written down there (the captures).

The columns are one table, `STEP_COLUMNS`. The record's front matter keeps captures
for the whole call, so a capture is put on the row of the step whose playbook asks for
it (the playbook as it is now); captures no step claims (the playbook is gone, or no
longer asks) go on the call's first row, so none is lost. Each record's file is read
again here with the safe reader, in several processes for many records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deescalate.records.summary import Summary

if TYPE_CHECKING:
    from deescalate.playbooks.format import Playbook

Lookup = Callable[[str], "Playbook | None"]


@dataclass(frozen=True)
class StepColumn:
    """A column of the step rows: its name, its kind (the Parquet type: `text`,
    `moment`, `whole`, `place`, `bool`, `mood`, `words`, `map`) and what it means."""

    name: str
    kind: str
    help: str


# The step rows' columns, in order: the one statement CSV, JSON Lines, Parquet and
# docs/parquet-schema.md follow.
STEP_COLUMNS: tuple[StepColumn, ...] = (
    StepColumn("record_id", "text", "the record's id"),
    StepColumn("started", "moment", "when the call started (UTC)"),
    StepColumn("agent", "text", "the agent"),
    StepColumn("record_playbook", "text", "the playbook the call ended in"),
    StepColumn("outcome", "text", "how the call ended"),
    StepColumn("playbook", "text", "the playbook the step belongs to"),
    StepColumn("place", "place", "the entry's place in the call, from 0"),
    StepColumn("step", "text", "the step's id"),
    StepColumn("at_seconds", "whole", "first arrival, seconds from the call's start"),
    StepColumn("seconds", "whole", "time on the step, all visits together"),
    StepColumn("skipped", "bool", "whether it was skipped"),
    StepColumn("skip_reason", "text", "why, when the agent said"),
    StepColumn("answer", "text", "the branch option chosen there"),
    StepColumn("mood_in", "mood", "the mood on reaching it (last rating by then)"),
    StepColumn("mood_out", "mood", "the mood on leaving it"),
    StepColumn("notes", "words", "the notes taken at the step, in order"),
    StepColumn("unticked", "words", "the checklist items left unticked"),
    StepColumn("checklist_items", "whole", "items on the step's checklist (the playbook "
                                           "as it is now; empty when it is not found)"),
    StepColumn("ticked", "whole", "items ticked: checklist_items less unticked"),
    StepColumn("captures", "map", "what was written down at the step: capture id to "
                                  "the value as recorded"),
)
STEP_NAMES = tuple(column.name for column in STEP_COLUMNS)


def read_entries(folder: str, paths: list[str]) -> list[list[dict[str, Any]] | None]:
    """Each record's `steps` entries and captures (as the first entry's `_captures`):
    by the fast reader when the record is in the writer's layout, else by the safe
    reader; None for a file that can no longer be read. Run in the reading processes."""
    from deescalate.files import read_limited
    from deescalate.records.fastreader import details
    from deescalate.records.format import MAX_BYTES
    from deescalate.records.reader import decode, load_safely, split
    from deescalate.records.summary import Unreadable

    found: list[list[dict[str, Any]] | None] = []
    for path in paths:
        try:
            head = split(decode(read_limited(Path(folder) / path, MAX_BYTES,
                                             follow_links=False)))[0]
            quick = details(head)
            steps: Any
            captures: Any
            if quick is not None:
                steps, captures = quick
            else:
                data = load_safely(head)
                steps, captures = data.get("steps"), data.get("captures")
        except (OSError, Unreadable, ValueError):
            found.append(None)
            continue
        entries = [entry for entry in steps if isinstance(entry, dict)] if isinstance(
            steps, list) else []
        found.append([{"_captures": captures if isinstance(captures, dict) else {}},
                      *entries])
    return found


_SCALARS = (str, int, float, dt.date)  # dt.datetime is a dt.date


def _text(value: Any) -> str | None:
    """A scalar as the record reads: dates in ISO form, true/false, numbers as written;
    None for anything else (a list or map where a value should be: never expanded)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if isinstance(value, _SCALARS) else None


def _texts(values: Any, key: str | None = None) -> list[str]:
    """The scalars of a list (or their `key`, of a list of maps), as text."""
    if not values or not isinstance(values, list):
        return []  # the most: nothing noted, everything ticked
    found = []
    for value in values:
        if key is not None:
            value = value.get(key) if isinstance(value, dict) else None
        text = value if type(value) is str else _text(value)
        if text is not None:
            found.append(text)
    return found


def rows(folder: Path, records: Sequence[Summary], lookup: Lookup,
         workers: int | None = None) -> list[dict[str, Any]]:
    """The step rows of `records` (with their step visits), oldest first, by column."""
    from deescalate.records.folder import in_parallel_chunks

    found: list[dict[str, Any]] = []
    books: dict[str, tuple[dict[str, int], dict[str, str]]] = {}
    at = 0
    for chunk, read in in_parallel_chunks(read_entries, folder, [r.path for r in records],
                                          workers):
        for record, entries in zip(records[at:at + len(chunk)], read, strict=True):
            found += _record_rows(record, entries, lookup, books)
        at += len(chunk)
    return found


def _book(name: str, lookup: Lookup, books: dict[str, tuple[dict[str, int], dict[str, str]]]
          ) -> tuple[dict[str, int], dict[str, str]]:
    """A playbook's checklist sizes by step, and the step asking for each capture."""
    if name not in books:
        book = lookup(name)
        books[name] = (({s.id: len(s.checklist) for s in book.steps},
                        {c.id: s.id for s in book.steps for c in s.capture})
                       if book is not None else ({}, {}))
    return books[name]


def _record_rows(record: Summary, entries: list[dict[str, Any]] | None, lookup: Lookup,
                 books: dict[str, tuple[dict[str, int], dict[str, str]]]
                 ) -> list[dict[str, Any]]:
    captures = dict(entries[0]["_captures"]) if entries else {}
    steps = entries[1:] if entries and len(entries) - 1 == len(record.visits) else [
        {} for _ in record.visits]
    made: list[dict[str, Any]] = []
    for place, (visit, entry) in enumerate(zip(record.visits, steps, strict=True)):
        book = visit.playbook or record.playbook
        sizes, asking = _book(book, lookup, books)
        claimed = [key for key in captures if asking.get(str(key)) == visit.step]
        mine = {str(key): text for key in claimed
                if (text := _text(captures[key])) is not None}
        unticked = _texts(entry.get("unticked"))
        size = sizes.get(visit.step)
        reason = entry.get("skip_reason")
        made.append({
            "record_id": record.id, "started": record.started, "agent": record.agent,
            "record_playbook": record.playbook, "outcome": record.outcome,
            "playbook": book, "place": place, "step": visit.step,
            "at_seconds": visit.at, "seconds": visit.seconds, "skipped": visit.skipped,
            "skip_reason": reason if isinstance(reason, str) else None,
            "answer": visit.answer, "mood_in": visit.mood_in, "mood_out": visit.mood_out,
            "notes": _texts(entry.get("notes"), "text"), "unticked": unticked,
            "checklist_items": size,
            "ticked": max(0, size - len(unticked)) if size is not None else None,
            "captures": mine})
        for key in claimed:
            del captures[key]
    if made and captures:  # no step claims them: on the call's first row
        made[0]["captures"].update({str(k): text for k, v in captures.items()
                                    if (text := _text(v)) is not None})
    return made
