"""Exports: CSV cells a spreadsheet would run as formulas are neutralised; JSON keeps all."""

from __future__ import annotations

import csv
import io
import json

import pytest

from deescalate.records import columns, export
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


def test_every_format_is_in_the_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    given = {name for line in readme.splitlines() if line.startswith("deescalate records export")
             for name in line.split("--format ")[1].split()[0].split("|")}
    assert given == set(export.FORMATS)


def test_a_format_added_to_the_table_is_a_choice_of_format(cli, known, monkeypatch) -> None:
    """One entry in FORMATS: a choice of --format, in its help, written to stdout."""
    from enum import StrEnum

    def tsv(records, out) -> int:
        rows = [columns.row(record) for record in records]
        for row in rows:
            out.write("\t".join(str(row[name]) for name in ("id", "outcome")) + "\n")
        return len(rows)

    monkeypatch.setitem(export.FORMATS, "tsv", export.Format("tsv for pasting", write=tsv))
    # --format's choices are made from the table when the command's module loads.
    monkeypatch.setattr("deescalate.cli.records.Format",
                        StrEnum("Format", [(name, name) for name in export.FORMATS]))
    assert "tsv" in cli("records", "export", "--help").out
    shown = cli("records", "export", "-f", "tsv", "--records", known.folder)
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert len(lines) == 8 and all(line.count("\t") == 1 for line in lines)
