"""records export --format parquet, read back by DuckDB as a warehouse would."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from deescalate.records import store
from tests.recordkit import generator

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    records = tmp_path_factory.mktemp("parquet") / "records"
    generator().generate(records, 300, seed=9, workers=1)
    return records


def test_calls_by_month_outcome_and_playbook(cli, folder: Path, isolated: Path) -> None:
    out = isolated / "warehouse" / "calls"
    result = cli("records", "export", "--format", "parquet", "--output", out,
                 "--records", folder)
    assert result.code == 0, result.err
    assert "Wrote 300 records" in result.err
    assert sorted({p.parent.parent.name for p in out.rglob("*.parquet")}) == [
        "year=2025", "year=2026"]
    assert (out / "year=2026" / "month=11").is_dir()
    records = store.scan(folder).records
    db = duckdb.connect()
    data = f"read_parquet('{out}/**/*.parquet', hive_partitioning = true)"
    months = dict(db.execute(f"SELECT format('{{}}-{{:02d}}', year, month), count(*) "
                             f"FROM {data} GROUP BY ALL").fetchall())
    assert months == dict(Counter(r.started[:7] for r in records))
    outcomes = dict(db.execute(f"SELECT outcome, count(*) FROM {data} GROUP BY ALL").fetchall())
    assert outcomes == dict(Counter(r.outcome for r in records))
    books = dict(db.execute(f"SELECT playbook, count(*) FROM {data} GROUP BY ALL").fetchall())
    assert books == dict(Counter(r.playbook for r in records))
    row = db.execute(f"SELECT id, started, duration_seconds, follow_up, skipped_steps, tags "
                     f"FROM {data} ORDER BY id LIMIT 1").fetchone()
    first = min(records, key=lambda r: r.id)
    assert row[0] == first.id and row[1].isoformat().startswith(first.started[:19])
    assert row[2] == first.duration and list(row[4]) == list(first.skipped)


def test_step_rows_match_the_records(cli, folder: Path, isolated: Path) -> None:
    out = isolated / "warehouse" / "steps"
    result = cli("records", "export", "--format", "parquet", "--rows", "steps", "--output",
                 out, "--playbook", "upset-customer", "--records", folder)
    assert result.code == 0, result.err
    records = [r for r in store.scan(folder, visits=True).records if r.used("upset-customer")]
    wanted = sorted((r.id, place, v.step, v.seconds, v.skipped, v.answer, v.mood_in,
                     v.mood_out) for r in records for place, v in enumerate(r.visits))
    db = duckdb.connect()
    got = db.execute(f"SELECT record_id, place, step, seconds, skipped, answer, mood_in, "
                     f"mood_out FROM read_parquet('{out}/**/*.parquet', hive_partitioning "
                     f"= true) ORDER BY ALL").fetchall()
    assert got == wanted and len(got) > 300


def test_without_pyarrow_one_line(cli, folder: Path, isolated: Path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = cli("records", "export", "--format", "parquet", "--output", isolated / "x",
                 "--records", folder)
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == (
        "deescalate: records export --format parquet needs pyarrow, which is not "
        "installed: pip install 'deescalate-coach[parquet]'")
    assert not (isolated / "x").exists()
