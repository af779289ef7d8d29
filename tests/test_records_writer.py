"""Records: the file, its front matter and body, redaction, and safe concurrent writing."""

from __future__ import annotations

import multiprocessing
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deescalate.call.engine import run_call
from deescalate.call.record import finished
from deescalate.records import fastreader
from deescalate.records import writer as record
from deescalate.records.format import FILE_NAME
from deescalate.records.reader import load_safely, read, split, summarize
from deescalate.records.writer import write_record
from deescalate.redaction import Redactor
from tests.engine_script import (
    Script,
    builtin,
    end_call,
    new_call,
    next_step,
    note,
    rate_mood,
    route_through,
    tick,
    walk,
    wrap_up,
)


def finished_call(name: str = "upset-customer", **kwargs):
    book = builtin(name)
    engine = new_call(book, **kwargs)
    script = Script(
        rate_mood(4),
        note("Charged twice, card 4111 1111 1111 1111"),
        tick(0),
        next_step(),
        next_step("They were charged twice\nand nobody called"),
        rate_mood(2),
        end_call(),
        wrap_up(outcome="follow-up", summary="Refund promised, mail dana@example.com",
                root_cause="billing-error", follow_up="2026-11-25"),
    )
    script.clock = engine.clock
    run_call(engine, script, lambda c: None, ["billing-error"])
    return engine, book


def front_of(path: Path) -> dict:
    head, _ = split(path.read_text(encoding="utf-8"))
    return yaml.safe_load(head)  # any YAML reader, not only ours


def test_front_matter_field_by_field(tmp_path: Path) -> None:
    engine, book = finished_call()
    path = write_record(tmp_path, finished(engine.call), book, Redactor())
    front = front_of(path)
    assert list(front) == ["record", "id", "playbook", "playbook_version", "playbook_sha256",
                           "agent", "customer", "reference", "started", "ended",
                           "duration_seconds", "outcome", "escalated", "root_cause", "summary",
                           "follow_up", "follow_up_done", "mood", "steps", "captures",
                           "redactions", "tags"]
    assert front["record"] == 1 and front["id"] == path.stem
    assert (front["playbook"], front["playbook_version"]) == ("upset-customer", 1)
    assert front["playbook_sha256"] == book.sha256 and len(book.sha256) == 64
    assert (front["agent"], front["customer"], front["reference"]) == ("jdoe", "Dana R.", "T-1")
    assert front["started"] == datetime(2026, 11, 22, 14, 30, 12, tzinfo=UTC)
    assert front["duration_seconds"] == (front["ended"] - front["started"]).seconds > 0
    assert (front["outcome"], front["escalated"], front["root_cause"]) == (
        "follow-up", False, "billing-error")
    assert front["summary"] == "Refund promised, mail [redacted: email]"
    assert front["follow_up"] == date(2026, 11, 25) and front["follow_up_done"] is None
    assert [(m["step"], m["at"], m["value"]) for m in front["mood"]] == [
        ("stay-calm", 10, 4), ("acknowledge", 50, 2)]
    first = front["steps"][0]
    assert first["id"] == "stay-calm" and first["at"] == 0 and first["skipped"] is False
    assert first["unticked"] == ["Kept a level voice"]
    assert first["notes"][0]["text"] == "Charged twice, card [redacted: card]"
    assert front["captures"] == {"customer-concern": "They were charged twice\nand nobody called"}
    assert front["redactions"] == 2 and front["tags"] == []
    head = split(path.read_text())[0]
    assert load_safely(head) == front  # our safe reader agrees
    relative = path.relative_to(tmp_path).as_posix()
    summary = read(path.read_bytes(), relative)  # what the record commands see
    assert summary == summarize(front, relative)
    quick = fastreader.summary(head, relative)  # the fast reader agrees, or steps aside
    assert quick is None or quick == summary


def test_file_name_and_folders(tmp_path: Path) -> None:
    engine, book = finished_call()
    engine.call.agent = "Jamie O'Doe"
    path = write_record(tmp_path, finished(engine.call), book, Redactor())
    assert path.parent == tmp_path / "2026" / "11"
    assert FILE_NAME.match(path.name)
    assert re.fullmatch(r"20261122-143012-jamie-o-doe-upset-customer-[0-9a-f]{4}\.md", path.name)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_body_for_people(tmp_path: Path) -> None:
    engine, book = finished_call()
    text = write_record(tmp_path, finished(engine.call), book, Redactor()).read_text()
    _, body = split(text)
    assert body.startswith("\n# Upset customer: Dana R. · T-1\n\nRefund promised, mail "
                           "[redacted: email]\n\n## Timeline\n")
    assert "### 00:00 Steady yourself" in body
    assert "- Mood 4 (angry) at 00:10" in body
    assert "- Note at 00:20: Charged twice, card [redacted: card]" in body
    assert "- The concern in the customer's words: They were charged twice\n  and nobody" in body
    assert "- Mood: 4 → 2 (cooled down)" in body
    assert body.rstrip().endswith("## Follow-up\n\nDue 2026-11-25.")
    assert "4111" not in text and "dana@example.com" not in text


def test_a_taken_name_is_never_overwritten(tmp_path: Path, monkeypatch) -> None:
    engine, book = finished_call()
    suffixes = iter(["aaaa", "aaaa", "bbbb"])
    monkeypatch.setattr(record.secrets, "token_hex", lambda n: next(suffixes) if n == 2 else "t")
    first = write_record(tmp_path, finished(engine.call), book, Redactor())
    original = first.read_bytes()
    second = write_record(tmp_path, finished(engine.call), book, Redactor())
    assert first.name.endswith("-aaaa.md") and second.name.endswith("-bbbb.md")
    assert first.read_bytes() == original


def test_a_crash_while_writing_leaves_no_record_and_no_temp(tmp_path: Path, monkeypatch) -> None:
    engine, book = finished_call()

    def crash(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        write_record(tmp_path, finished(engine.call), book, Redactor())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def _write_one(folder: str, number: int, barrier) -> str:
    engine, book = finished_call()
    engine.call.summary = f"call number {number}"
    barrier.wait()
    return str(write_record(Path(folder), finished(engine.call), book, Redactor()))


def test_twenty_processes_in_the_same_second_never_collide(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    barrier = context.Manager().Barrier(20)
    with context.Pool(20) as pool:
        paths = pool.starmap(_write_one, [(str(tmp_path), n, barrier) for n in range(20)])
    assert len(set(paths)) == 20
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert len(files) == 20
    summaries = set()
    for path in files:
        front = front_of(path)
        assert front["started"].second == 12 and FILE_NAME.match(path.name)
        assert path.read_text().rstrip().endswith("Due 2026-11-25.")
        summaries.add(front["summary"])
    assert summaries == {f"call number {n}" for n in range(20)}


def test_every_branch_walk_writes_a_readable_record(tmp_path: Path) -> None:
    book = builtin("customer-is-wrong")
    for option in range(3):
        engine = new_call(book)
        run_call(engine, walk(book, route_through(book, "weigh-facts", option)),
                 lambda c: None, [])
        front = front_of(write_record(tmp_path, finished(engine.call), book, Redactor()))
        answers = [s.get("answer") for s in front["steps"] if s["id"] == "weigh-facts"]
        assert answers == [book.step("weigh-facts").branch.options[option].label]


typed = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60) | st.sampled_from([
    "---", "key: value", "- item", "'quoted'", '"double"', "a\nb\n\nc", "  lead", "trail  ",
    "#not a comment", "{flow: map}", "[1, 2]", "null", "~", "yes", "2026-11-22", "0x1F",
    "é ü 漢字 🙂", "\t tab", "…", "\r\nwindows", "line\u2028sep", "*alias", "&anchor",
    "!!python/object", "% directive", "@at", "`tick`",
])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(note=typed, capture=typed, customer=typed, summary=typed.filter(lambda s: s.strip()))
def test_any_typed_text_comes_back_unchanged(tmp_path: Path, note: str, capture: str,
                                             customer: str, summary: str) -> None:
    engine, book = finished_call(customer=customer or None)
    redactor = Redactor()
    engine.call.marks_for(engine.call.playbook, 'stay-calm').notes[0].text = note
    engine.call.captures["customer-concern"] = capture
    engine.call.summary = " ".join(summary.split())
    path = write_record(tmp_path, finished(engine.call), book, redactor)
    front = front_of(path)
    expected = lambda text: redactor.redact(text)[0]  # noqa: E731
    assert front["steps"][0]["notes"][0]["text"] == expected(note)
    assert front["captures"]["customer-concern"] == expected(capture)
    assert front["customer"] == (expected(customer) if customer else None)
    assert front["summary"] == expected(" ".join(summary.split()))
    os.remove(path)


def test_what_people_type_is_redacted_whatever_its_type(tmp_path: Path) -> None:
    """A card typed into a number field, split over a line in a note, or glued to a
    word; an IBAN; international phone numbers: none of it reaches the file."""
    from deescalate.call.model import Note
    from deescalate.records.check import unredacted

    engine, book = finished_call()
    engine.call.captures.update({
        "amount": 4111111111111111,  # a number field: the card as a bare integer
        "refund": 49.9,
        "card-again": 5555555555554444.0,
        "agreed": True,
        "account": "IBAN DE89 3704 0044 0532 0130 00",
    })
    marks = engine.call.marks_for(engine.call.playbook, "stay-calm")
    marks.notes.append(Note(5, "card 4111 1111\n1111 1111, or cc5555.5555."
                               "5555.4444exp; call +49 (0)30 123456 or "
                               "+33 1 23 45 67 89"))
    path = write_record(tmp_path, finished(engine.call), book, Redactor())
    text = path.read_text()
    front = front_of(path)
    assert front["captures"]["amount"] == "[redacted: card]"
    assert front["captures"]["card-again"] == "[redacted: card]"
    assert front["captures"]["refund"] == 49.9 and front["captures"]["agreed"] is True
    assert front["captures"]["account"] == "IBAN [redacted: iban]"
    assert front["steps"][0]["notes"][1]["text"] == (
        "card [redacted: card], or cc[redacted: card]exp; call [redacted: phone] or "
        "[redacted: phone]")
    assert front["redactions"] == 2 + 3 + 4
    for raw in ("4111", "5555", "3704", "123456", "23 45 67"):
        assert raw not in text
    assert unredacted(text, Redactor()) == []


def _noted(*notes: str):
    """A finished call with these notes, typed one after the other (a few seconds apart)."""
    book = builtin("upset-customer")
    engine = new_call(book)
    script = Script(*[note(text) for text in notes], end_call(),
                    wrap_up(outcome="resolved", summary="Done."))
    script.clock = engine.clock
    run_call(engine, script, lambda c: None, [])
    return engine, book


@pytest.mark.parametrize(("first", "second"), [
    ("card 4111 1111", "1111 1111 thanks"),
    ("it is 5555 5555", "5555 4444"),
    ("IBAN DE89 3704 0044", "0532 0130 00"),
])
def test_a_card_typed_over_two_notes_is_found_at_the_end_of_the_call(
        tmp_path: Path, first: str, second: str) -> None:
    """Each note alone holds too few digits to be anything; the record writer sees the
    whole call, so the two together are found, and each part is redacted where it is."""
    from deescalate.records.check import unredacted

    engine, book = _noted("called about the charge", first, second, "order 1234 5678")
    path = write_record(tmp_path, finished(engine.call), book, Redactor())
    text = path.read_text(encoding="utf-8")
    texts = [n["text"] for step in front_of(path)["steps"] for n in step["notes"]]
    kind = "iban" if "DE89" in first else "card"
    assert texts[1].endswith(f"[redacted: {kind}]") and texts[2].startswith(
        f"[redacted: {kind}]"), texts
    assert texts[0] == "called about the charge" and texts[3] == "order 1234 5678"
    assert front_of(path)["redactions"] == 1
    assert not any(part in text for part in (first.split()[-1], second.split()[0]))
    assert unredacted(text, Redactor()) == []


def test_a_card_typed_over_a_note_and_a_capture_is_found(tmp_path: Path) -> None:
    engine, book = _noted("the card starts 4111 1111")
    engine.call.captures["card-end"] = "1111 1111"
    path = write_record(tmp_path, finished(engine.call), book, Redactor())
    front = front_of(path)
    assert front["captures"]["card-end"] == "[redacted: card]"
    assert front["steps"][0]["notes"][0]["text"] == "the card starts [redacted: card]"


def test_numbers_of_separate_notes_are_not_joined_into_a_card(tmp_path: Path) -> None:
    """Two notes that happen to end and start with digits make no card unless the
    digits together are one: a scheme's leading digits and length, and the check."""
    engine, book = _noted("order 1234 5678", "9012 3456 shipped", "tracking 7489 1234",
                          "5678 0000")
    path = write_record(tmp_path, finished(engine.call), book, Redactor())
    assert front_of(path)["redactions"] == 0
