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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from deescalate.errors import CantWrite
from deescalate.records.columns import columns, row
from deescalate.records.summary import Summary
from deescalate.text import json_text, shown

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


def _csv(records: Iterable[Summary], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    chosen = columns()
    writer.writerow(chosen.names)
    count = 0
    for record in records:
        writer.writerow([_cell(value) for value in chosen.values(record)])
        count += 1
    return count


def _jsonl(records: Iterable[Summary], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(json_text(json.dumps(row(record), ensure_ascii=False)) + "\n")
        count += 1
    return count


def _csv_steps(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    from deescalate.records.steprows import STEP_NAMES

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STEP_NAMES)
    count = 0
    for step in rows:
        # Captures, notes and unticked items as JSON: free text may hold any separator.
        writer.writerow([_cell(json.dumps(step[name], ensure_ascii=False) if isinstance(
            step[name], dict | list) else step[name]) for name in STEP_NAMES])
        count += 1
    return count


def _jsonl_steps(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    from deescalate.records.steprows import STEP_NAMES

    count = 0
    for step in rows:
        out.write(json_text(json.dumps({name: step[name] for name in STEP_NAMES},
                                       ensure_ascii=False)) + "\n")
        count += 1
    return count


def _parquet(records: Callable[[bool], list[Any]], output: Path, rows: str) -> int:
    from deescalate.records import parquet

    parquet.schema()  # the one-line message now, if pyarrow is missing
    return parquet.write(records(rows == "steps"), output, rows=rows)


@dataclass(frozen=True)
class Format:
    """A `records export --format`: `help`, its part of the option's help; and how it
    writes: `write(records, stream)`, returning how many; or, for a dataset in the
    --output folder, `dataset(records, folder, rows)`, where `records(steps)` reads
    the records, or their step rows (once the format knows it can write them), and
    `kind` names it. `write_steps(rows, stream)` writes step rows
    (`deescalate.records.steprows`) to a stream."""

    help: str
    write: Callable[[Iterable[Summary], IO[str]], int] | None = None
    dataset: Callable[[Callable[[bool], list[Any]], Path, str], int] | None = None
    kind: str = ""
    write_steps: Callable[[Iterable[dict[str, Any]], IO[str]], int] | None = None


# What `records export --format` takes, in the order its help gives them.
FORMATS: dict[str, Format] = {
    "csv": Format("csv for spreadsheets", write=_csv, write_steps=_csv_steps),
    "jsonl": Format("jsonl (JSON Lines) for scripts", write=_jsonl, write_steps=_jsonl_steps),
    "parquet": Format("parquet (a dataset in the --output folder, by year and month) for "
                      "warehouses", dataset=_parquet, kind="Parquet, by year and month"),
}


def write(records: Iterable[Summary], out: IO[str], format: str) -> int:
    """Write the records to `out` in a format that writes to a stream; returns how many."""
    writer = FORMATS[format].write if format in FORMATS else None
    if writer is None:
        raise ValueError(f"unknown format {format!r}")
    return writer(records, out)


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` all at once (a temp file moved into place), so a reader
    never sees half an export; DeescalateError if it can't be written."""
    from deescalate.files import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise CantWrite(f"{path}: can't write it ({exc.strerror or exc})") from None


def to_text(records: Iterable[Any], format: str, *, steps: bool = False) -> str:
    """Records (or, with `steps`, step rows) as the text of a format that writes to a
    stream."""
    buffer = io.StringIO(newline="")
    writer = FORMATS[format].write_steps if steps else None
    if writer is not None:
        writer(records, buffer)
    else:
        write(records, buffer, format)
    return buffer.getvalue()
