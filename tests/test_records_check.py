"""`records check`: clean for what the writer makes, and names every kind of problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deescalate.records.check import naming, unredacted
from deescalate.redaction import Redactor
from tests.recordkit import at, generator, write_call


def test_records_from_the_writer_pass(cli, isolated: Path) -> None:
    folder = isolated / "records"
    for day in range(1, 29):
        write_call(folder, started=at(f"2026-02-{day:02d}"), customer=f"Customer {day}",
                   ref=f"T-{day}", notes=["mail a@b.example", "call 020 7946 0958",
                                          "card 4111 1111 1111 1111", "see 20261122-143012"])
    generator().generate(folder, 250, seed=9, workers=1)
    result = cli("records", "check", "--records", folder)
    assert result.code == 0, result.out
    assert result.out == ""
    assert result.err == "Records in records (from --records)\n278 records checked: no problems\n"


def test_an_empty_folder_passes_and_a_missing_one_is_an_error(cli, isolated: Path) -> None:
    (isolated / "empty").mkdir()
    assert cli("records", "check", "--records", isolated / "empty").code == 0
    missing = cli("records", "check", "--records", isolated / "missing")
    assert missing.code == 2
    assert missing.err == "deescalate: missing: no records folder there (--records flag)\n"


def test_every_kind_of_problem_is_named(cli, known) -> None:
    folder = known.folder
    r1, r2, r3 = (known.paths[n] for n in ("r1", "r2", "r3"))
    # unredacted text, typed into the body and front matter after the fact
    r1.write_text(r1.read_text().replace("Refund issued.", "Refund to jo@example.com",
                                         1).replace("T-1000", "4111 1111 1111 1111"))
    r2.write_text(r2.read_text() + "Called back on +44 20 7946 0958.\n")
    # a record copied under another name: a duplicate id, and a name that does not match
    suffix = "0000" if not r3.stem.endswith("0000") else "0001"
    copy = r3.with_name(f"20261110-110000-asmith-difficult-customer-{suffix}.md")
    shutil.copy(r3, copy)
    # in the wrong folder
    moved = folder / "2026" / "10" / known.paths["r4"].name
    known.paths["r4"].rename(moved)
    # a name that breaks the scheme
    (folder / "2026" / "11" / "Call Notes.md").write_text(r3.read_text().replace(
        r3.stem, "x"))
    result = cli("records", "check", "--records", folder)
    assert result.code == 1
    r1_id, r3_id = known.id("r1"), known.id("r3")
    copied = copy.stem
    expected = [
        "records/2026/10/" + moved.name + ": the file should be in the folder 2026/11/ "
        "(by the date in its name)",
        f"records/2026/11/{r1_id}.md: line 9: a card number that is not redacted",
        f"records/2026/11/{r1_id}.md: line 16: an e-mail address that is not redacted",
        f"records/2026/11/{r1_id}.md: line 55: a card number that is not redacted",
        f"records/2026/11/{known.id('r2')}.md: line 101: a phone number that is not redacted",
        "records/2026/11/20261103-090000-jdoe-upset-customer-dead.md: the front matter does "
        "not parse (line 7: found unexpected end of stream (while scanning a quoted scalar))",
        "records/2026/11/20261104-090000-jdoe-upset-customer-beef.md: the required field "
        "'outcome' is missing",
        f"records/2026/11/{copied}.md: its id is {r3_id!r}, but its file name says "
        f"{copied!r}",
        f"records/2026/11/{copied}.md: the id {r3_id} is also the id of 2026/11/{r3_id}.md",
        f"records/2026/11/{r3_id}.md: the id {r3_id} is also the id of 2026/11/{copied}.md",
        "records/2026/11/Call Notes.md: 'id' 'x' is not a record id like "
        "20261122-143012-jdoe-upset-customer-7f3a",
        "records/2026/11/Call Notes.md: the file name does not follow the scheme "
        "<YYYYMMDD>-<HHMMSS>-<agent>-<playbook>-<4 hex digits>.md",
        "records/2026/11/notes.md: the file does not start with a '---' line",
        "records/2026/11/notes.md: the file name does not follow the scheme "
        "<YYYYMMDD>-<HHMMSS>-<agent>-<playbook>-<4 hex digits>.md",
    ]
    lines = result.out.splitlines()
    assert sorted(lines) == sorted(expected)
    paths = [line.split(": ")[0] for line in lines]
    assert paths == sorted(paths)  # grouped by file, in order
    assert result.err == ("Records in records (from --records)\n"
                          "13 records checked: 14 problems in 9 files\n")
    assert "4111" not in result.out and "jo@example" not in result.out  # never shown


def test_the_teams_redaction_settings_apply(cli, isolated: Path) -> None:
    folder = isolated / "records"
    path = write_call(folder, started=at("2026-11-02"))
    path.write_text(path.read_text() + "Ticket ZX-99812, call 020 7946 0958\n")
    (isolated / ".deescalate.yaml").write_text(
        "records: records\nredact: {phones: false, patterns: [{name: ticket, "
        "pattern: 'ZX-\\d+'}]}\n")
    result = cli("records", "check")
    assert result.code == 1
    assert result.out.splitlines() == [
        f"records/2026/11/{path.name}: line 94: text matching the redact pattern "
        "'ticket' that is not redacted"]


@pytest.mark.parametrize(("path", "identifier", "problems"), [
    ("2026/11/20261122-143012-jdoe-upset-customer-7f3a.md",
     "20261122-143012-jdoe-upset-customer-7f3a", []),
    ("2026/11/20261122-143012-jdoe-upset-customer-7f3a.md", None, []),
    ("20261122-143012-jdoe-upset-customer-7f3a.md", None,
     ["the file should be in the folder 2026/11/ (by the date in its name)"]),
    ("2026/11/x/20261122-143012-jdoe-upset-customer-7f3a.md", None,
     ["the file should be in the folder 2026/11/ (by the date in its name)"]),
    ("2026/11/20261122-143012-JDoe-upset-customer-7f3a.md", None,
     ["the file name does not follow the scheme "
      "<YYYYMMDD>-<HHMMSS>-<agent>-<playbook>-<4 hex digits>.md"]),
    ("2026/11/20261122-143012-jdoe-upset-customer-7f3a.markdown", None,
     ["the file name does not follow the scheme "
      "<YYYYMMDD>-<HHMMSS>-<agent>-<playbook>-<4 hex digits>.md"]),
])
def test_naming(path: str, identifier: str | None, problems: list[str]) -> None:
    assert naming(path, identifier) == problems


def search_everything(text: str, redactor: Redactor) -> list[tuple[int, str]]:
    """What check would find if it handed the redactor all of the text."""
    from deescalate.records import check

    return [(text.count("\n", 0, f.start) + 1,
             f"{check.KINDS[f.kind]} that is not redacted") for f in redactor.find(text)]


@settings(max_examples=300)
@given(st.lists(st.sampled_from([
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "a@b.example",
    "x.y+z@mail.example.org", "+44 20 7946 0958", "020 7946 0958", "(020) 7946-0958",
    "0044 20 7946 0958", "20260317-074223", "20260317-074223-jdoe-x-0000", "2026-11-22",
    "AB123456", "T-1234", "12", "@", "-", " ", "\n", "\n\n", "word", "é", "#", ":",
    "[redacted: card]", "1234567", "12 34 56 78 90"]), max_size=25).map("".join))
def test_searching_only_likely_lines_finds_the_same(text: str) -> None:
    for redactor in (Redactor(), Redactor(emails=False), Redactor(phones=False)):
        assert unredacted(text, redactor) == search_everything(text, redactor)


def test_record_ids_are_not_card_numbers() -> None:
    redactor = Redactor()
    # 20260317-074223 passes the card checksum, but cards are not grouped 8-6
    assert redactor.find("20260317-074223") == []
    assert unredacted("id: 20260317-074223-jdoe-upset-customer-7f3a\n", redactor) == []
    assert unredacted("see 20260317-074223-jdoe-x-0000 and 4111111111111111\n", redactor) == [
        (1, "a card number that is not redacted")]
