"""`records export --format parquet`: the records as a dataset warehouses read as it is.

A Hive-partitioned Parquet dataset, `DIR/year=2026/month=11/part-0.parquet`, one row
per call (or with `rows="steps"`, one per step visit), in the schema below, which
`docs/parquet-schema.md` describes: a call's row has the columns of CSV and JSON Lines
(`deescalate.records.export`), typed. DuckDB, Spark, Trino and BigQuery read it with
the year and month as columns from the folder names. Needs pyarrow, the `parquet`
extra: `pip install 'deescalate-coach[parquet]'`.

An export never destroys: it replaces only the months it has rows for (each month
folder written beside and swapped in), and leaves every other month as it was; an
export with no rows writes nothing. Months are zero-padded (`month=01`), so readers
that take them as text still order them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from deescalate.errors import BadInput, CantWrite
from deescalate.records import columns as exported
from deescalate.records.format import COLUMN_KINDS

ROWS = ("calls", "steps")
MISSING = ("records export --format parquet needs pyarrow, which is not installed: "
           "pip install 'deescalate-coach[parquet]'")


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.dataset  # loads the submodule
    except ImportError:
        raise BadInput(MISSING) from None
    return pyarrow


def schema(rows: str = "calls") -> Any:
    """The dataset's schema (without the year and month, which are its folders)."""
    pa = _arrow()
    moment = pa.timestamp("ms", tz="UTC")  # what Parquet stores: it has no seconds unit
    if rows == "steps":
        from deescalate.records.steprows import STEP_COLUMNS

        kinds = {"text": pa.string(), "moment": moment, "whole": pa.int64(),
                 "place": pa.int32(), "bool": pa.bool_(), "mood": pa.int8(),
                 "words": pa.list_(pa.string()), "map": pa.map_(pa.string(), pa.string())}
        return pa.schema([(column.name, kinds[column.kind]) for column in STEP_COLUMNS])
    return pa.schema([(column.export_name, _type(pa, column.kind))
                      for column in exported.columns().columns])


def _type(pa: Any, kind: str) -> Any:
    """The Parquet type of a column of this kind (`format.COLUMN_KINDS`)."""
    name = COLUMN_KINDS[kind][1]
    if name == "timestamp":
        return pa.timestamp("ms", tz="UTC")
    if name == "date":
        return pa.date32()
    if name == "list":
        return pa.list_(pa.string())
    return getattr(pa, "bool_" if name == "bool" else name)()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def columns(records: Sequence[Any], rows: str) -> dict[str, list[Any]]:
    """The dataset's columns, and `year` and `month` to partition by: `records` are
    Summaries, or for `rows="steps"` step rows (`deescalate.records.steprows`)."""
    if rows == "steps":
        return _step_columns(records)
    chosen = exported.columns()
    data: dict[str, list[Any]] = {}
    for place, (column, name) in enumerate(zip(chosen.columns, chosen.names, strict=True)):
        values = chosen.column(place, records)
        if column.kind == "moment":
            values = [_moment(value) if value else None for value in values]
        elif column.kind == "day":
            values = [_day(value) for value in values]
        data[name] = values
    started = data["started"]
    data["year"] = [moment.year for moment in started]
    data["month"] = [moment.month for moment in started]
    return data


def _step_columns(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """A row per step visit: its columns, by name, and `year` and `month`."""
    names = schema("steps").names
    data: dict[str, list[Any]] = {name: [row[name] for row in rows] for name in names}
    data["started"] = [_moment(value) for value in data["started"]]
    data["captures"] = [list(value.items()) for value in data["captures"]]
    data["year"] = [moment.year for moment in data["started"]]
    data["month"] = [moment.month for moment in data["started"]]
    return data


def write(records: Sequence[Any], output: Path, *, rows: str = "calls") -> int:
    """Write the records' months under `output`, replacing those months (and no other)
    in a dataset there; returns the rows written. No rows: nothing written."""
    pa = _arrow()
    import pyarrow.parquet as pq

    data = columns(records, rows)
    months: dict[tuple[int, int], list[int]] = {}
    for place, key in enumerate(zip(data.pop("year"), data.pop("month"), strict=True)):
        months.setdefault(key, []).append(place)
    table = pa.Table.from_pydict(data, schema=schema(rows))
    if output.exists() and not output.is_dir():
        raise BadInput(f"{output}: is a file; --output for parquet is a folder")
    if not table.num_rows:
        return 0
    try:
        output.mkdir(parents=True, exist_ok=True)
        _pad_months(output)
        for (year, month), places in sorted(months.items()):
            _replace_month(output / f"year={year}" / f"month={month:02d}",
                           lambda path, places=places: pq.write_table(
                               table.take(places), path))
    except OSError as exc:
        raise CantWrite(f"{output}: can't write the dataset ({exc})") from None
    return int(table.num_rows)


def _replace_month(folder: Path, write_part: Any) -> None:
    """Put a month's folder in place all at once: written beside it (hidden, so no
    reader takes it), then swapped for the old one, which goes only after."""
    from deescalate.files import swap_folder

    folder.parent.mkdir(exist_ok=True)
    temp = folder.with_name(f".{folder.name}.{os.getpid()}.{os.urandom(3).hex()}.tmp")
    temp.mkdir()
    try:
        write_part(temp / "part-0.parquet")
        swap_folder(temp, folder)
    finally:
        if temp.exists():
            shutil.rmtree(temp)


def _pad_months(output: Path) -> None:
    """Give month folders an earlier version wrote (`month=1`) their padded names."""
    from deescalate.files import swap_folder

    for folder in output.glob("year=*/month=?"):
        padded = folder.with_name(f"month=0{folder.name[-1]}")
        if folder.is_dir() and folder.name[-1].isdigit() and not padded.exists():
            swap_folder(folder, padded)
