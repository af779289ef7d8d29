"""Follow-ups in records: the agenda, and marking one done without touching anything else."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from deescalate import safeyaml
from deescalate.errors import DeescalateError
from deescalate.records import followups
from deescalate.records.reader import split
from deescalate.redaction import Redactor
from tests.recordkit import at, write_call


def test_the_note_is_redacted_and_counted(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5), notes=["mail me at a@example.com"])
    text = path.read_text()
    assert "redactions: 1" in text
    new, found = followups.mark_done_text(
        text, done=date(2026, 11, 6), agent="jdoe",
        note="called +44 20 7946 0958, card 4111 1111 1111 1111", redactor=Redactor())
    assert found == 2
    assert new.endswith("\nDone 2026-11-06 by jdoe: called [redacted: phone], card "
                        "[redacted: card]\n")
    head, _ = split(new)
    data = safeyaml.load(head)
    assert data["redactions"] == 3 and data["follow_up_done"] == date(2026, 11, 6)
    assert new.replace("redactions: 3", "redactions: 1").replace(
        "follow_up_done: 2026-11-06", "follow_up_done: null").startswith(text)


def test_windows_line_ends_stay_windows_line_ends(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))
    text = path.read_text().replace("\n", "\r\n")
    new, _ = followups.mark_done_text(text, done=date(2026, 11, 6), agent="a", note=None,
                                      redactor=Redactor())
    assert new == text.replace("follow_up_done: null", "follow_up_done: 2026-11-06") + \
        "\r\nDone 2026-11-06 by a.\r\n"
    with pytest.raises(DeescalateError, match="mixes Windows and Unix line ends"):
        followups.mark_done_text(text + "\n", done=date(2026, 11, 6), agent="a", note=None,
                                 redactor=Redactor())


def test_a_record_without_the_line_or_the_section(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))
    text = path.read_text()
    trimmed = text.replace("follow_up_done: null\n", "").split("## Follow-up")[0].rstrip()
    new, _ = followups.mark_done_text(trimmed, done=date(2026, 11, 6), agent="a", note="ok",
                                      redactor=Redactor())
    assert "follow_up: 2026-11-05\nfollow_up_done: 2026-11-06\n" in new
    assert new.endswith("\n## Follow-up\n\nDone 2026-11-06 by a: ok\n")


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("follow_up_done: null", "follow_up_done: 2026-11-04"),
     "already marked done on 2026-11-04"),
    (lambda t: t.replace("follow_up: 2026-11-05", "follow_up: null"),
     "no follow-up to mark done"),
    (lambda t: t.replace("follow_up_done: null", "follow_up_done:  # later\n  null"),
     "laid out in a way this command does not change"),
    (lambda t: t.replace("---\n", "", 1), "does not start with a '---' line"),
    (lambda t: t.replace("agent: jdoe", "agent: [jdoe"), "the front matter does not parse"),
])
def test_records_it_will_not_change(isolated: Path, change, message: str) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))
    with pytest.raises(DeescalateError, match=message):
        followups.mark_done_text(change(path.read_text()), done=date(2026, 11, 6), agent="a",
                                 note=None, redactor=Redactor())


def test_a_record_changed_meanwhile_is_left_alone(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))
    before = os.stat(path)
    path.write_text(path.read_text() + "edited\n")
    with pytest.raises(DeescalateError, match="changed while it was being updated"):
        followups.replace_file(path, b"new", before)
    assert path.read_text().endswith("edited\n")
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_agenda_order() -> None:
    from tests.recordkit import summary_record as record


    items = followups.agenda([
        record(1, follow_up="2026-11-25"), record(2, follow_up="2026-11-01"),
        record(3, follow_up="2026-11-20"), record(4, follow_up="2026-11-10"),
        record(5, follow_up="2026-11-22"), record(6),
        record(7, follow_up="2026-10-01", follow_up_done="2026-10-02"),
        record(8, follow_up="2026-11-01", follow_up_done="2026-11-02"),
    ], today=date(2026, 11, 20), include_done=True)
    assert [(i.record.path, i.status, i.days) for i in items] == [
        ("2026/11/2.md", "overdue", -19), ("2026/11/4.md", "overdue", -10),
        ("2026/11/3.md", "today", 0), ("2026/11/5.md", "upcoming", 2),
        ("2026/11/1.md", "upcoming", 5), ("2026/11/8.md", "done", -19),
        ("2026/11/7.md", "done", -50)]
