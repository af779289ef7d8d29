"""`records export --format parquet`: the records as a dataset warehouses read as it is.

A Hive-partitioned Parquet dataset, `DIR/year=2026/month=11/part-0.parquet`, one row
per call (or with `rows="steps"`, one per step visit), in the schema below, which
`docs/parquet-schema.md` describes. DuckDB, Spark, Trino and BigQuery read it with
the year and month as columns from the folder names. Needs pyarrow, the `parquet`
extra: `pip install 'deescalate[parquet]'`.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from deescalate.errors import BadInput, CantWrite
from deescalate.records.summary import Summary

ROWS = ("calls", "steps")
MISSING = ("records export --format parquet needs pyarrow, which is not installed: "
           "pip install 'deescalate[parquet]'")


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
    moment = pa.timestamp("s", tz="UTC")
    if rows == "steps":
        return pa.schema([
            ("record_id", pa.string()), ("started", moment), ("agent", pa.string()),
            ("record_playbook", pa.string()), ("outcome", pa.string()),
            ("playbook", pa.string()), ("place", pa.int32()), ("step", pa.string()),
            ("at_seconds", pa.int64()), ("seconds", pa.int64()), ("skipped", pa.bool_()),
            ("answer", pa.string()), ("mood_in", pa.int8()), ("mood_out", pa.int8()),
        ])
    return pa.schema([
        ("id", pa.string()), ("started", moment), ("ended", moment),
        ("duration_seconds", pa.int64()), ("agent", pa.string()), ("playbook", pa.string()),
        ("playbook_version", pa.int64()), ("playbooks", pa.list_(pa.string())),
        ("customer", pa.string()), ("reference", pa.string()), ("outcome", pa.string()),
        ("escalated", pa.bool_()), ("root_cause", pa.string()), ("summary", pa.string()),
        ("follow_up", pa.date32()), ("follow_up_done", pa.date32()),
        ("mood_start", pa.int8()), ("mood_end", pa.int8()), ("steps", pa.int32()),
        ("skipped_steps", pa.list_(pa.string())), ("redactions", pa.int64()),
        ("tags", pa.list_(pa.string())), ("path", pa.string()),
    ])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def columns(records: Sequence[Summary], rows: str) -> dict[str, list[Any]]:
    """The dataset's columns, and `year` and `month` to partition by."""
    data: dict[str, list[Any]] = {name: [] for name in schema(rows).names}
    data["year"], data["month"] = [], []
    for r in records:
        started = _moment(r.started)
        if rows == "steps":
            for place, visit in enumerate(r.visits):
                step: tuple[Any, ...] = (r.id, started, r.agent, r.playbook, r.outcome,
                          visit.playbook or r.playbook, place, visit.step, visit.at,
                          visit.seconds, visit.skipped, visit.answer, visit.mood_in,
                          visit.mood_out, started.year, started.month)
                for name, value in zip(data, step, strict=True):
                    data[name].append(value)
            continue
        values: tuple[Any, ...] = (r.id, started, _moment(r.ended), r.duration, r.agent, r.playbook,
                  r.playbook_version, list(r.playbooks) or [r.playbook], r.customer,
                  r.reference, r.outcome, r.escalated, r.root_cause, r.summary,
                  _day(r.follow_up), _day(r.follow_up_done), r.mood_start, r.mood_end,
                  r.steps, list(r.skipped), r.redactions, list(r.tags), r.path,
                  started.year, started.month)
        for name, value in zip(data, values, strict=True):
            data[name].append(value)
    return data


def write(records: Sequence[Summary], output: Path, *, rows: str = "calls") -> int:
    """Write the dataset under `output` (replacing a dataset there); returns the rows."""
    pa = _arrow()
    import pyarrow.dataset as ds

    full = schema(rows).append(pa.field("year", pa.int16())).append(
        pa.field("month", pa.int8()))
    table = pa.Table.from_pydict(columns(records, rows), schema=full)
    if output.exists() and not output.is_dir():
        raise BadInput(f"{output}: is a file; --output for parquet is a folder")
    try:
        if output.is_dir():
            # Only a dataset of ours is replaced: year=* folders of Parquet files.
            for old in output.glob("year=*"):
                if old.is_dir():
                    shutil.rmtree(old)
        ds.write_dataset(table, output, format="parquet",
                         partitioning=ds.partitioning(
                             pa.schema([("year", pa.int16()), ("month", pa.int8())]),
                             flavor="hive"),
                         existing_data_behavior="overwrite_or_ignore",
                         basename_template="part-{i}.parquet")
    except OSError as exc:
        raise CantWrite(f"{output}: can't write the dataset ({exc})") from None
    return int(table.num_rows)
