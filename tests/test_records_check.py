"""`records check`: clean for what the writer makes, and names every kind of problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
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
    """What check would find if it handed the redactor all of the text (and looked for
    cards and IBANs thoroughly, as check does)."""
    hard = redactor.find_anywhere(text)
    rest = [f for f in redactor.find(text, kinds=redactor.by_line)
            if not any(f.start < h.end and h.start < f.end for h in hard)]
    return sorted((text.count("\n", 0, f.start) + 1,
                   f"{redactor.labels[f.kind]} that is not redacted") for f in hard + rest)


@settings(max_examples=300)
@given(st.lists(st.sampled_from([
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "a@b.example",
    "x.y+z@mail.example.org", "+44 20 7946 0958", "020 7946 0958", "(020) 7946-0958",
    "0044 20 7946 0958", "20260317-074223", "20260317-074223-jdoe-x-0000", "2026-11-22",
    "AB123456", "T-1234", "12", "@", "-", " ", "\n", "\n\n", "word", "é", "#", ":",
    "[redacted: card]", "1234567", "12 34 56 78 90"]), max_size=25).map("".join))
def test_searching_only_likely_lines_finds_the_same(text: str) -> None:
    for redactor in (Redactor(), Redactor(off={"emails"}), Redactor(off={"phones"})):
        assert unredacted(text, redactor) == search_everything(text, redactor)


def test_record_ids_are_not_card_numbers() -> None:
    redactor = Redactor()
    # 20260317-074223 passes the card checksum, but cards are not grouped 8-6
    assert redactor.find("20260317-074223") == []
    assert unredacted("id: 20260317-074223-jdoe-upset-customer-7f3a\n", redactor) == []
    assert unredacted("see 20260317-074223-jdoe-x-0000 and 4111111111111111\n", redactor) == [
        (1, "a card number that is not redacted")]


def _placements(form: str) -> list[tuple[str, str]]:
    """A record's text with `form` in each place a hand edit or another tool can put it:
    (where, text). Check reads the text, so it need not be valid YAML."""
    base = _BASE[0]
    flat = " ".join(form.split())
    dumps = {
        "plain value": yaml.safe_dump({"customer": flat}, allow_unicode=True, width=1000),
        "double-quoted with escapes": yaml.safe_dump({"summary": form}, allow_unicode=True,
                                                     default_style='"'),
        "folded by the dumper": yaml.safe_dump({"summary": f"note {flat} " * 2},
                                               allow_unicode=True, width=12),
        "folded, double-quoted": yaml.safe_dump({"summary": f"note {flat} " * 2}, width=12,
                                                allow_unicode=True, default_style='"'),
        "glued to words": f"summary: 'card:{flat}, ok'\n",
        "literal block": "captures:\n  note: |-\n    " + form.replace("\n", "\n    ") + "\n",
        "flow mapping": "  - {at: 3, text: '" + form.replace("\n", " ") + "'}\n",
        "flow list": f"tags: [{flat}, vip]\n",
        "a number": f"captures: {{amount: {flat}}}\n",
        "body list item": "- Note at 00:03: " + form.replace("\n", "\n  ") + "\n",
        "body paragraph": f"\nDone 2026-11-29 by jdoe: {form}\n",
    }
    return [(where, base.replace("tags: []\n", f"tags: []\n{snippet}", 1)
             if not where.startswith("body") else base + snippet)
            for where, snippet in dumps.items()]


_BASE: list[str] = []


def test_check_finds_each_raw_card_and_iban_a_record_can_hold(isolated: Path) -> None:
    from tests.test_redaction import CORPUS, NonGoal

    path = write_call(isolated / "r", started=at("2026-11-02"), customer="Dana R.",
                      notes=["nothing to see"])
    _BASE.append(path.read_text())
    redactor = Redactor()
    assert unredacted(_BASE[0], redactor) == []
    tried = 0
    for name, form, expected in CORPUS:
        kinds = expected.check_finds if isinstance(expected, NonGoal) else expected
        if not set(kinds) & {"card", "iban"}:
            continue
        want = {"card": "a card number that is not redacted",
                "iban": "an IBAN that is not redacted"}
        for where, text in _placements(form):
            found = {what for _, what in unredacted(text, redactor)}
            assert found == {want[k] for k in kinds}, (name, where, found)
            tried += 1
    assert tried >= 400
    _BASE.clear()


def test_check_names_raw_numbers_by_line_and_never_shows_them(cli, isolated: Path) -> None:
    folder = isolated / "records"
    path = write_call(folder, started=at("2026-11-02"), customer="Dana R.")
    text = path.read_text()
    text = text.replace("tags: []\n", "tags: []\ncaptures_by_hand: {amount: 4111111111111111}\n"
                        "iban: 'DE89 3704 0044\n  0532 0130 00'\n", 1)
    path.write_text(text + "Called back: card 4111 1111\n  1111 1111 and GB29NWBK60161331926819\n")
    lines = text.splitlines()
    amount = next(i for i, line in enumerate(lines, 1) if "4111111111111111" in line)
    result = cli("records", "check", "--records", folder)
    assert result.code == 1
    body = len(text.splitlines()) + 1
    name = f"records/2026/11/{path.name}"
    assert result.out.splitlines() == [
        f"{name}: line {amount}: a card number that is not redacted",
        f"{name}: line {amount + 1}: an IBAN that is not redacted",
        f"{name}: line {body}: a card number that is not redacted",
        f"{name}: line {body + 1}: an IBAN that is not redacted",
    ]
    assert not any(digit in result.out.replace(name, "").replace("line", "")
                   for digit in ("4111", "3704", "6016"))


def files_read(monkeypatch) -> list[str]:
    """The paths `records check` reads its files from, from now on, in order."""
    from deescalate.records import check as checking

    read: list[str] = []
    real = checking.inspect_files

    def counting(folder, items, *, redactor):
        read.extend(path for path, _, _ in items)
        return real(folder, items, redactor=redactor)

    monkeypatch.setattr(checking, "inspect_files", counting)
    return read


def test_what_check_found_is_kept_until_a_file_or_the_settings_change(known,
                                                                     monkeypatch) -> None:
    import os

    from deescalate.records import check as checking

    old = 1_600_000_000_000_000_000
    for path in known.folder.rglob("*.md"):
        os.utime(path, ns=(old, old))
    r1 = known.paths["r1"]
    r1.write_text(r1.read_text() + "card 4111 1111 1111 1111\n")
    os.utime(r1, ns=(old, old))
    read = files_read(monkeypatch)
    first = checking.check(known.folder, Redactor(), workers=1)
    assert len(read) == 11 and (known.folder / ".cache" / "index.sqlite3").exists()
    read.clear()
    assert checking.check(known.folder, Redactor(), workers=1) == first
    assert read == []
    r2 = known.paths["r2"]
    r2.write_text(r2.read_text() + "mail jo@example.com\n")
    os.utime(r2, ns=(old + 10**9, old + 10**9))
    again = checking.check(known.folder, Redactor(), workers=1)
    assert read == [r2.relative_to(known.folder).as_posix()]
    assert len(again[0]) == len(first[0]) + 1
    read.clear()
    quiet = checking.check(known.folder, Redactor(off={"emails"}, patterns=[("x", "zzqq")]),
                           workers=1)
    assert len(read) == 11 and len(quiet[0]) == len(first[0])  # settings changed: all read
    read.clear()
    checking.check(known.folder, Redactor(off={"emails"}, patterns=[("x", "zzqq")]), workers=1)
    assert read == []


def test_a_kind_declared_at_test_time_is_redacted_named_found_and_switched(
        cli, isolated: Path, monkeypatch) -> None:
    """One entry in redaction.KINDS is all a new kind takes: the writer redacts it, check
    names it by its label and finds it (on a line with no @ and no long run of digits),
    the team file can turn it off, and check's kept findings follow the switch."""
    import os

    from tests.test_redaction import add_nino

    add_nino(monkeypatch)
    folder = isolated / "records"
    path = write_call(folder, started=at("2026-11-02"), notes=["NI number AB123456C given"])
    text = path.read_text()
    assert "AB123456C" not in text and "NI number [redacted: nino] given" in text
    path.write_text(text + "Called back, NI AB123456C.\n")
    old = 1_600_000_000_000_000_000  # long unchanged: its findings are kept
    os.utime(path, ns=(old, old))
    read = files_read(monkeypatch)
    (isolated / ".deescalate.yaml").write_text("records: records\n")
    found = cli("records", "check")
    assert found.code == 1 and len(read) == 1
    assert found.out == (f"records/2026/11/{path.name}: line {len(text.splitlines()) + 1}: "
                         "a National Insurance number that is not redacted\n")
    assert cli("records", "check").out == found.out and len(read) == 1  # kept
    (isolated / ".deescalate.yaml").write_text("records: records\nredact: {ninos: false}\n")
    turned_off = cli("records", "check")
    assert (turned_off.code, turned_off.out, len(read)) == (0, "", 2)  # read again
    shown = cli("config").out.splitlines()
    assert any(line.split()[:2] == ["redact.ninos", "false"] for line in shown), shown


def test_check_keeps_findings_only_for_the_same_kinds_settings_and_labels(monkeypatch) -> None:
    import dataclasses

    from deescalate import redaction
    from deescalate.records.check import _cache_key
    from tests.test_redaction import add_nino

    plain = _cache_key(Redactor())
    changed = [_cache_key(Redactor(off={"emails"})), _cache_key(Redactor(off={"phones"})),
               _cache_key(Redactor(patterns=[("ticket", r"TK\d+")]))]
    assert len({plain, *changed}) == 4
    assert _cache_key(Redactor()) == plain
    add_nino(monkeypatch)
    assert _cache_key(Redactor()) != plain
    assert _cache_key(Redactor(off={"ninos"})) == plain  # the same kinds looked for
    email = next(kind for kind in redaction.KINDS if kind.name == "email")
    relabelled = tuple(dataclasses.replace(kind, label="an address") if kind is email
                       else kind for kind in redaction.KINDS)
    monkeypatch.setattr(redaction, "KINDS", relabelled)
    assert _cache_key(Redactor(off={"ninos"})) != plain  # kept messages hold the label


def test_a_card_typed_over_two_notes_of_a_record_is_found() -> None:
    """As the writer finds it at the end of a call, check finds it in a record edited
    by hand or written by another tool: over two notes one after the other."""
    redactor = Redactor()
    body = ("# Upset customer\n\n## Timeline\n\n- Note at 00:10: card 4111 1111\n"
            "- Note at 00:15: 1111 1111 thanks\n- Note at 00:20: order 1234 5678\n"
            "- Note at 00:25: 9012 3456\n- Note at 00:30: IBAN GB29 NWBK 6016\n"
            "- Note at 00:35: 1331 9268 19\n")
    assert unredacted(body, redactor) == [(5, "a card number that is not redacted"),
                                          (9, "an IBAN that is not redacted")]
    clean = body.replace("4111 1111\n", "[redacted: card]\n").replace(
        "1111 1111 thanks", "[redacted: card] thanks").replace("GB29 NWBK 6016", "x")
    assert unredacted(clean, redactor) == []
