"""Exports: CSV cells a spreadsheet would run as formulas are neutralised; JSON keeps all."""

from __future__ import annotations

import csv
import io
import json

import pytest

from deescalate.records import export
from tests.recordkit import summary_record


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://evil.example\",\"click\")", "'=HYPERLINK(\"http://evil.example\",\"click\")"),
    ("+1 555 0100", "'+1 555 0100"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("  =1+1", "'  =1+1"),
    ("\uff1d1+1", "'\uff1d1+1"),
    ("Dana R.", "Dana R."),
    ("T-1234", "T-1234"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_csv_cells_that_would_run_as_formulas_are_shown_as_text(value: str, cell: str) -> None:
    record = summary_record(1, customer=value, reference=value, summary=value, agent=value,
                            tags=(value,), root_cause=value)
    rows = list(csv.DictReader(io.StringIO(export.to_text([record], "csv"), newline="")))
    for column in ("customer", "reference", "summary", "agent", "tags", "root_cause"):
        assert rows[0][column] == cell, column
    assert rows[0]["duration_seconds"] == "60" and rows[0]["escalated"] == "false"
    line = json.loads(export.to_text([record], "jsonl"))
    assert line["customer"] == value and line["tags"] == [value]  # JSON keeps it exact


def test_the_export_command_neutralises_formulas(cli, isolated) -> None:
    from tests.recordkit import at, write_call

    folder = isolated / "records"
    write_call(folder, started=at("2026-11-02"), customer="=cmd|'/C calc'!A0",
               ref="@SUM(A1)", summary="+44 is the code")
    result = cli("records", "export", "--records", folder, "--format", "csv")
    row = next(csv.DictReader(io.StringIO(result.out, newline="")))
    assert (row["customer"], row["reference"]) == ("'=cmd|'/C calc'!A0", "'@SUM(A1)")
    assert row["summary"] == "'+44 is the code"
    data = json.loads(cli("records", "export", "--records", folder, "-f", "jsonl").out)
    assert data["customer"] == "=cmd|'/C calc'!A0"
