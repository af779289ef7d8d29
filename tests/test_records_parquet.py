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
    data = (f"read_parquet('{out}/**/*.parquet', hive_partitioning = true, "
            f"hive_types = {{'year': INTEGER, 'month': INTEGER}})")
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


def dataset_months(out: Path) -> dict[str, int]:
    """Calls per month as DuckDB counts them, as it reads the folders by itself."""
    db = duckdb.connect()
    types = dict(db.execute(f"DESCRIBE SELECT year, month FROM read_parquet('{out}/**/*.parquet'"
                            ", hive_partitioning = true)").fetchall()[i][:2] for i in range(2))
    assert types == {"year": "BIGINT", "month": "VARCHAR"}  # as docs/parquet-schema.md says
    return dict(db.execute(
        f"SELECT format('{{}}-{{}}', year, month), count(*) FROM read_parquet("
        f"'{out}/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL").fetchall())


def test_a_narrower_re_export_and_an_empty_one_keep_every_month(cli, folder: Path,
                                                                 isolated: Path) -> None:
    import pandas as pd
    import pyarrow.dataset as ds

    out = isolated / "warehouse"
    records = store.scan(folder).records
    by_month = dict(sorted(Counter(r.started[:7] for r in records).items()))
    assert len(by_month) >= 6
    first = cli("records", "export", "--format", "parquet", "--output", out,
                "--records", folder)
    assert first.code == 0, first.err
    assert dataset_months(out) == by_month
    later = sorted(by_month)[-2]  # the last two months again, into the same folder
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}
    again = cli("records", "export", "--format", "parquet", "--output", out,
                "--records", folder, "--since", f"{later}-01")
    taken = sum(n for month, n in by_month.items() if month >= later)
    assert again.code == 0 and f"Wrote {taken} records" in again.err
    assert dataset_months(out) == by_month  # every month still there, none twice
    changed = {p.parent.name for p in out.rglob("*.parquet") if p.stat().st_mtime_ns
               != before.get(p)}
    assert changed == {f"month={m[5:]}" for m in by_month if m >= later}
    empty = cli("records", "export", "--format", "parquet", "--output", out,
                "--records", folder, "--since", "2031-01-01")
    assert empty.code == 0
    assert empty.err.strip().splitlines()[-1] == (
        f"No records to export: nothing written to {out.relative_to(isolated)}")
    assert dataset_months(out) == by_month
    nowhere = isolated / "nothing"
    assert cli("records", "export", "--format", "parquet", "--output", nowhere,
               "--records", folder, "--since", "2031-01-01").code == 0
    assert not nowhere.exists()  # an empty dataset folder would fail every reader
    assert not [p for p in out.rglob(".*")]  # no temp folder left
    # pyarrow: one schema across partitions, exact counts; the months are whole numbers
    dataset = ds.dataset(out, partitioning="hive")
    assert str(dataset.schema.field("month").type) == "int32"
    assert str(dataset.schema.field("started").type) == "timestamp[ms, tz=UTC]"
    assert dataset.count_rows() == len(records)
    # pandas: months in calendar order
    frame = pd.read_parquet(out)
    seen = [f"{y}-{int(m):02d}" for y, m in
            frame.groupby(["year", "month"], observed=True).size().index]
    assert seen == list(by_month)


def test_a_filtered_export_into_a_dataset_needs_replace(cli, folder: Path,
                                                        isolated: Path) -> None:
    """An export by agent would leave its months holding that agent's calls alone."""
    out = isolated / "warehouse"
    records = store.scan(folder).records
    agent = Counter(r.agent for r in records).most_common(1)[0][0]
    assert cli("records", "export", "--format", "parquet", "--output", out,
               "--records", folder).code == 0
    whole = dataset_months(out)
    refused = cli("records", "export", "--format", "parquet", "--output", out,
                  "--records", folder, "--agent", agent)
    assert refused.code == 2 and "--agent would replace each month" in refused.err
    assert len(refused.err.strip().splitlines()) == 1 and dataset_months(out) == whole
    replaced = cli("records", "export", "--format", "parquet", "--output", out,
                   "--records", folder, "--agent", agent, "--replace")
    assert replaced.code == 0, replaced.err
    mine = Counter(r.started[:7] for r in records if r.agent == agent)
    assert dataset_months(out) == {m: mine.get(m, n) for m, n in whole.items()}
    fresh = isolated / "mine"
    assert cli("records", "export", "--format", "parquet", "--output", fresh,
               "--records", folder, "--agent", agent).code == 0
    assert dataset_months(fresh) == dict(sorted(mine.items()))


def test_month_folders_are_zero_padded_and_old_ones_renamed(cli, folder: Path,
                                                           isolated: Path) -> None:
    out = isolated / "warehouse"
    old = out / "year=2020" / "month=3"
    old.mkdir(parents=True)
    (old / "part-0.parquet").write_bytes(b"kept")
    result = cli("records", "export", "--format", "parquet", "--output", out,
                 "--records", folder)
    assert result.code == 0, result.err
    months = sorted(p.name for p in out.glob("year=*/month=*"))
    assert all(len(name) == len("month=01") for name in months)
    assert (out / "year=2020" / "month=03" / "part-0.parquet").read_bytes() == b"kept"
