"""Records as rows: one per record, the same columns for JSON, CSV and JSON Lines.

Columns are those of the record's fields (`deescalate.records.format.FIELDS`), the
same as the Parquet dataset's, under their front matter names, with four derived
from the lists: `mood_start` and `mood_end` (the first and last mood rating), `steps`
(how many step visits) and `skipped_steps`; `playbooks` is every playbook the call
used, in order (just `playbook` when it did not switch). In CSV, empty values are
empty cells, true/false are `true` and `false`, and lists are joined with `;`. A text
cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a
tab or a carriage return, after any spaces) gets a `'` in front, as the common advice
on CSV injection says, so it shows as the text it is; JSON Lines keep every value
exactly as recorded.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import IO, Any

from deescalate.errors import CantWrite
from deescalate.records import format as record_format
from deescalate.records.format import Field, export_columns
from deescalate.records.summary import Summary, extra_columns
from deescalate.text import json_text, shown

FORMATS = ("csv", "jsonl")


class Columns:
    """The export columns for one version of the record's fields, in export order
    (`format.export_columns`), and each record's values for them."""

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        self.columns = export_columns(fields)
        self.names = tuple(column.export_name for column in self.columns)
        sources = [column.exported or column.name for column in self.columns]
        more = set(extra_columns(sources))
        kept = [source for source in sources if source not in more]
        get = attrgetter(*kept)
        self._lists = [place for place, column in enumerate(self.columns)
                       if column.kind == "words"]
        if more:
            self._get: Callable[[Summary], Any] = lambda record: tuple(
                record.get(source) for source in sources)
        else:
            self._get = get
        self._getters: list[Callable[[Summary], Any]] = [
            attrgetter(source) if source not in more else
            lambda record, source=source: record.get(source)  # type: ignore[misc]
            for source in sources]

    def values(self, record: Summary) -> list[Any]:
        """The record's values, in column order; lists as lists."""
        values = list(self._get(record))
        for place in self._lists:
            values[place] = list(values[place])
        return values

    def column(self, place: int, records: Sequence[Summary]) -> list[Any]:
        """The values of the column at `place` for each record; lists as lists."""
        values = list(map(self._getters[place], records))
        return [list(value) for value in values] if place in self._lists else values


_columns = Columns(record_format.FIELDS)


def columns() -> Columns:
    """The export columns for the fields as they are now (`format.FIELDS`)."""
    global _columns
    if _columns.fields is not record_format.FIELDS:
        _columns = Columns(record_format.FIELDS)
    return _columns


def row(record: Summary) -> dict[str, Any]:
    """One record as a row of plain values, in column order."""
    chosen = columns()
    return dict(zip(chosen.names, chosen.values(record), strict=True))


# What makes a spreadsheet read a cell as a formula: these first (also in their
# full-width forms, which some spreadsheets take for the same), or a tab or return.
_FORMULA = tuple("=+-@\uff1d\uff0b\uff0d\uff20")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raw = ";".join(value) if isinstance(value, list) else str(value)
    text = "\r".join(shown(part) for part in raw.split("\r"))  # CSV quotes line breaks
    return f"'{text}" if _runs_as_formula(text) else text


def _runs_as_formula(text: str) -> bool:
    return text[:1] in ("\t", "\r") or text.lstrip(" ").startswith(_FORMULA)


def write(records: Iterable[Summary], out: IO[str], format: str) -> int:
    """Write the records to `out` as csv or jsonl; returns how many."""
    count = 0
    if format == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        chosen = columns()
        writer.writerow(chosen.names)
        for record in records:
            writer.writerow([_cell(value) for value in chosen.values(record)])
            count += 1
    elif format == "jsonl":
        for record in records:
            out.write(json_text(json.dumps(row(record), ensure_ascii=False)) + "\n")
            count += 1
    else:
        raise ValueError(f"unknown format {format!r}")
    return count


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` all at once (a temp file moved into place), so a reader
    never sees half an export; DeescalateError if it can't be written."""
    from deescalate.files import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise CantWrite(f"{path}: can't write it ({exc.strerror or exc})") from None


def to_text(records: Iterable[Summary], format: str) -> str:
    buffer = io.StringIO(newline="")
    write(records, buffer, format)
    return buffer.getvalue()
