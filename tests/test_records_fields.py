"""The record's fields are one table: a field added to it reaches everything."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from deescalate.records import fastreader, format, index, reader, rows
from deescalate.records.format import FIELDS, Field
from deescalate.records.summary import Summary
from tests.recordkit import at, write_call

# A field as an issue might add it: how the customer got in touch, asked at wrap-up.
CHANNEL = Field("channel", "text", optional=True, label="Channel")


def with_channel(monkeypatch: pytest.MonkeyPatch, channel: Field = CHANNEL) -> None:
    """The record's table with `channel` after `summary`, as if it had always been there."""
    place = [field.name for field in FIELDS].index("summary") + 1
    monkeypatch.setattr(format, "FIELDS", (*FIELDS[:place], channel, *FIELDS[place:]))


def head_of(path: Path) -> str:
    return reader.split(reader.decode(path.read_bytes()))[0]


def test_a_field_added_to_the_table_reaches_the_index_show_and_every_export(
        cli, isolated: Path, monkeypatch: pytest.MonkeyPatch, today) -> None:
    pytest.importorskip("pyarrow")
    folder = isolated / "records"
    before = write_call(folder, started=at("2026-11-02"), customer="Dana R.")
    with_channel(monkeypatch)
    path = write_call(folder, started=at("2026-11-03"), customer="Ali K.",
                      more={"channel": "phone"})
    # The writer puts it where the table says, and both readers read it.
    head = head_of(path)
    assert "\nsummary: Sorted out.\nchannel: phone\nfollow_up: null\n" in head
    quick = fastreader.summary(head, "x.md")
    assert quick is not None and quick.get("channel") == "phone"
    assert quick == reader.summarize(reader.load_safely(head), "x.md")

    # The index has a column for it (made again: its version follows the table).
    assert cli("records", "list", "--records", folder).code == 0
    db = sqlite3.connect(index.index_path(folder))
    assert db.execute("PRAGMA user_version").fetchone()[0] == rows.layout().version
    assert dict(db.execute("SELECT path, channel FROM records")) == {
        path.relative_to(folder).as_posix(): "phone",
        before.relative_to(folder).as_posix(): None}
    db.close()

    shown = cli("records", "show", path.stem, "--records", folder)
    assert shown.code == 0, shown.err
    assert re.search(r"\nChannel +phone\nFile ", shown.out)
    assert "Channel" not in cli("records", "show", before.stem, "--records", folder).out

    exported = cli("records", "export", "--format", "csv", "--records", folder)
    table = list(csv.DictReader(io.StringIO(exported.out, newline="")))
    assert [row["channel"] for row in table] == ["", "phone"]  # oldest first
    header = exported.out.splitlines()[0].split(",")
    assert header.index("channel") == header.index("summary") + 1

    lines = cli("records", "export", "--format", "jsonl", "--records", folder).out.splitlines()
    assert [json.loads(line)["channel"] for line in lines] == [None, "phone"]
    assert list(json.loads(lines[0])) == header  # the same columns, in the same order

    out = isolated / "calls"
    assert cli("records", "export", "--format", "parquet", "--output", out,
               "--records", folder).code == 0
    import pyarrow.dataset as ds

    dataset = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    assert str(dataset.schema.field("channel").type) == "string"
    assert dict(zip(dataset.column("id").to_pylist(), dataset.column("channel").to_pylist(),
                    strict=True)) == {path.stem: "phone", before.stem: None}
    assert dataset.schema.names[:len(header)] == header


@pytest.mark.parametrize("optional", [True, False])
def test_a_record_written_before_a_field_existed_takes_the_fast_path(
        isolated: Path, monkeypatch: pytest.MonkeyPatch, optional: bool) -> None:
    """Optional (left out when empty) or not (written as null), a field that is not
    required may be missing from a record, for the fast reader as for the safe one."""
    old = write_call(isolated / "records", started=at("2026-11-02"), customer="Dana R.")
    head = head_of(old)
    before = fastreader.summary(head, "x.md")
    assert before is not None
    with_channel(monkeypatch, Field("channel", "text", optional=optional))
    safe = reader.summarize(reader.load_safely(head), "x.md")
    # Not refused for the missing line: the fast reader's answer is the safe one's.
    quick = fastreader.summary(head, "x.md")
    assert isinstance(quick, Summary)
    assert quick == safe and quick.get("channel") is None
    assert quick._replace(more=()) == before
    # Written from now on: with the field (as null when it is not optional), read fast.
    new = write_call(isolated / "records", started=at("2026-11-03"), customer="Dana R.")
    assert ("\nchannel: null\n" in head_of(new)) is not optional
    assert fastreader.summary(head_of(new), "x.md") is not None


@pytest.mark.parametrize(("kind", "written", "read"), [
    ("text", "Phone, then chat", "Phone, then chat"), ("name", "chat", "chat"),
    ("whole", 3, 3), ("count", 0, 0), ("bool", True, True),
    ("day", date(2026, 11, 5), "2026-11-05"),
    ("moment", datetime(2026, 11, 5, 10, 0, tzinfo=UTC), "2026-11-05T10:00:00Z"),
    ("words", ["phone", "chat"], ("phone", "chat")), ("text", None, None),
])
def test_a_field_of_each_kind_reads_alike_and_reaches_the_index_and_exports(
        isolated: Path, monkeypatch: pytest.MonkeyPatch, kind: str, written: object,
        read: object) -> None:
    with_channel(monkeypatch, Field("channel", kind))
    folder = isolated / "records"
    path = write_call(folder, started=at("2026-11-03"), more={"channel": written})
    head = head_of(path)
    quick = fastreader.summary(head, "x.md")
    assert quick is not None, head
    assert quick == reader.summarize(reader.load_safely(head), "x.md")
    assert quick.get("channel") == (() if read is None and kind == "words" else read)
    from deescalate.records import export, store

    found = store.scan(folder).records
    assert [record.get("channel") for record in found] == [quick.get("channel")]
    row = json.loads(export.to_text(found, "jsonl"))
    assert row["channel"] == (list(read) if isinstance(read, tuple) else read)


def test_a_new_required_field_is_missing_from_an_old_record() -> None:
    """The other side of the same rule: only an optional field may be absent."""
    head = "\n".join(["record: 1", "id: 20261102-090000-jdoe-upset-customer-0001"]) + "\n"
    fields = (*FIELDS, Field("channel", "text", required=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(format, "FIELDS", fields)
        assert fastreader.summary(head, "x.md") is None
        with pytest.raises(reader.Unreadable, match="'playbook' is missing"):
            reader.summarize(reader.load_safely(head), "x.md")


def test_every_kind_of_field_has_an_index_export_and_parquet_type() -> None:
    for column in format.columns(FIELDS):
        assert column.kind in format.COLUMN_KINDS, column
    names = [column.export_name for column in format.export_columns(FIELDS)]
    assert len(names) == len(set(names))
    assert names[:len(format.EXPORT_FIRST)] == list(format.EXPORT_FIRST)
    assert names[-1] == "path"
