"""`records export --rows steps`: a row per step reached, with what was said and offered
there (notes, branch answer, checklist, captures), the same in CSV, JSON Lines and
Parquet; the Parquet rows read by DuckDB with captures and branch answers intact. Call
rows carry every playbook the call used."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import duckdb
import pytest

from tests.recordkit import playbook, write_call

CAPTURES = {"customer-concern": "Billed twice; no reply to two e-mails, \"fix it\"",
            "order-ref": "=AB-123", "desired-outcome": "Refund of the 2nd charge"}
NOTE = "Charged twice; second time this year, ünïcode"


@pytest.fixture
def folder(isolated):
    records = isolated / "records"
    write_call(records, started=datetime(2026, 11, 2, 9, 0, tzinfo=UTC), steps=6, ticks=1,
               notes=[NOTE], captures=dict(CAPTURES), outcome="resolved")
    switched = write_call(records, started=datetime(2026, 11, 3, 9, 0, tzinfo=UTC), steps=2)
    text = switched.read_text(encoding="utf-8")  # a call that switched, as a team edits one
    switched.write_text(text.replace("\ncaptures:", "\nplaybooks: [customer-is-wrong, "
                                     "upset-customer]\ncaptures:", 1), encoding="utf-8")
    return records


def expected_rows() -> list[dict]:
    """The first call's rows as the playbook says they must be, worked out here."""
    book = playbook("upset-customer")
    steps = {step.id: step for step in book.steps}
    walked = ["stay-calm", "listen", "acknowledge", "ask-questions", "check-fault"]
    rows = []
    for place, step_id in enumerate(walked):
        step = steps[step_id]
        asks = {c.id for c in step.capture}
        answer = step.branch.options[0].label if step.branch else None
        rows.append({"place": place, "step": step_id, "answer": answer,
                     "captures": {k: v for k, v in CAPTURES.items() if k in asks},
                     "notes": [NOTE] if place == 0 else [],
                     "unticked": list(step.checklist[1:]),
                     "checklist_items": len(step.checklist),
                     "ticked": min(1, len(step.checklist))})
    assert sum(len(row["captures"]) for row in rows) == len(CAPTURES)  # each one placed
    assert sum(row["answer"] is not None for row in rows) == 2
    return rows


def test_parquet_step_rows_read_by_duckdb(cli, folder, isolated) -> None:
    out = isolated / "steps"
    result = cli("records", "export", "--records", folder, "--format", "parquet", "--rows",
                 "steps", "--output", out)
    assert result.code == 0, result.err
    db = duckdb.connect()
    found = db.execute(
        "SELECT place, step, answer, map_keys(captures), map_values(captures), notes,"
        " unticked, checklist_items, ticked FROM read_parquet(?, hive_partitioning = true)"
        " WHERE started < TIMESTAMPTZ '2026-11-03 00:00:00+00' ORDER BY place",
        [str(out / "**" / "*.parquet")]).fetchall()
    wanted = expected_rows()
    assert len(found) >= len(wanted)
    for row, want in zip(found, wanted, strict=False):
        place, step, answer, keys, values, notes, unticked, items, ticked = row
        assert (place, step, answer) == (want["place"], want["step"], want["answer"])
        assert dict(zip(keys, values, strict=True)) == want["captures"]
        assert (notes, unticked, items, ticked) == (want["notes"], want["unticked"],
                                                    want["checklist_items"], want["ticked"])
    offered = db.execute(
        "SELECT captures['desired-outcome'] FROM read_parquet(?, hive_partitioning = true)"
        " WHERE step = 'ask-questions'", [str(out / "**" / "*.parquet")]).fetchone()[0]
    assert offered in ("Refund of the 2nd charge", ["Refund of the 2nd charge"])


def test_jsonl_and_csv_step_rows_say_the_same(cli, folder) -> None:
    lines = cli("records", "export", "--records", folder, "--format", "jsonl", "--rows",
                "steps").out.splitlines()
    rows = [json.loads(line) for line in lines]
    first = [row for row in rows if row["started"].startswith("2026-11-02")]
    for row, want in zip(first, expected_rows(), strict=False):
        assert {key: row[key] for key in want} == want
    table = list(csv.DictReader(io.StringIO(cli(
        "records", "export", "--records", folder, "--format", "csv", "--rows", "steps",
    ).out, newline="")))
    assert [row["step"] for row in table] == [row["step"] for row in rows]
    listen = next(row for row in table if row["step"] == "listen")
    assert json.loads(listen["captures"]) == {"customer-concern": CAPTURES["customer-concern"]}
    asked = next(row for row in table if row["step"] == "ask-questions")
    assert json.loads(asked["captures"])["order-ref"] == "=AB-123"  # JSON: not a formula
    assert json.loads(table[0]["notes"]) == [NOTE]


def test_call_rows_carry_the_playbooks_used(cli, folder) -> None:
    rows = [json.loads(line) for line in cli("records", "export", "--records", folder,
                                             "--format", "jsonl").out.splitlines()]
    assert [row["playbooks"] for row in rows] == [
        ["upset-customer"], ["customer-is-wrong", "upset-customer"]]


def test_the_docs_name_every_step_column_and_their_query_runs(cli, folder, isolated) -> None:
    from pathlib import Path

    from deescalate.records.steprows import STEP_COLUMNS

    docs = (Path(__file__).parents[1] / "docs" / "parquet-schema.md").read_text("utf-8")
    section = docs.split("## One row per step visit")[1]
    table = "".join(line.split("|")[1] for line in section.splitlines()
                    if line.startswith("| `"))
    assert {c.name for c in STEP_COLUMNS} <= set(table.replace("`", " ").replace(",", " ")
                                                 .split())
    query = section.split("```sql\n")[1].split("```")[0]
    out = isolated / "warehouse" / "steps"
    assert cli("records", "export", "--records", folder, "--format", "parquet", "--rows",
               "steps", "--output", out).code == 0
    db = duckdb.connect()
    found = db.execute(query.replace("warehouse/steps", str(out))).fetchall()
    assert found == [("offer-solution", None, None, 1)]  # reached as the call ended
    assert db.execute(query.replace("warehouse/steps", str(out)).replace(
        "offer-solution", "ask-questions").replace("solution-offered", "desired-outcome")
    ).fetchall()[0][2] in ("Refund of the 2nd charge", ["Refund of the 2nd charge"])


def test_the_fast_details_agree_with_the_safe_reader(isolated) -> None:
    """What the step rows read fast is what the safe parser reads, or nothing (then the
    safe parser is used): on generated records, and on them edited by chance."""
    import random

    from deescalate.records import fastreader, reader
    from deescalate.records.summary import Unreadable
    from tests.recordkit import generator
    from tests.test_records_reader import mutate

    paths = generator().generate(isolated / "records", 40, seed=3, workers=1)
    heads = [reader.split(reader.decode(path.read_bytes()))[0] for path in paths]
    rng = random.Random(20)
    quick = 0
    for round_ in range(1500):
        head = heads[round_ % len(heads)]
        if round_ >= len(heads):
            head = mutate(head, rng)
        found = fastreader.details(head)
        if found is None:
            continue
        quick += 1
        try:
            data = reader.load_safely(head)
        except Unreadable:  # the safe parser refuses it: so must the fast one
            raise AssertionError(head) from None
        keys = ("unticked", "notes", "skip_reason")
        assert found[0] == [{k: e[k] for k in keys if k in e} for e in data["steps"]], head
        assert found[1] == (data.get("captures") or {}), head
    assert quick > 300
