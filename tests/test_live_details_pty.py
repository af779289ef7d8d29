"""The details of the live call an agent reads, types and trusts, in a real pseudo-terminal.

Each test drives the installed `deescalate` through a VT100 screen (pyte), as a new
agent would at 80x24 (or 60x20), and reads back the record it wrote.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from deescalate.dates import parse_date
from deescalate.records.format import OUTCOMES
from deescalate.records.reader import split
from tests.engine_script import builtin
from tests.term import Terminal
from tests.test_live_pty import at_step, front, go_on, records_in, start, wrap_up

pytestmark = pytest.mark.pty

DRILL = """\
id: drill
title: Drill
summary: A short call for checking the screen's details.
version: 1
escalate: supervisor
steps:
  - id: amounts
    title: Check the amount
    say:
      - Let me check that amount for you, {customer}.
    checklist:
      - Read the amount back
    capture:
      - id: amount
        label: Amount in question
        type: number
        required: true
      - id: case-code
        label: Case code
        type: line
        pattern: 'LD-[0-9]{6}'
        required: false
    next: settle
  - id: settle
    title: Settle it
    say:
      - Can we settle this today?
    branch:
      question: Can it be settled?
      options:
        - label: Yes
          goto: close
        - label: No, a supervisor is needed
          goto: supervisor
  - id: close
    title: Close the call
    say:
      - Thank you for your patience today, {customer}.
    next: end
  - id: supervisor
    title: Bring in a supervisor
    say:
      - I'm bringing in my supervisor now.
    checklist:
      - Told the customer why
      - Stayed on the line
    next: end
"""


def drill(folder: Path, text: str = DRILL) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "drill.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def saved_calls() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "deescalate" / "calls"


def wait_at(term: Terminal, title: str) -> str:
    """Wait until the step titled `title` is on screen, its key line drawn."""
    return term.wait_for(re.compile(rf"\A[^\n]*{re.escape(title[:14])}[\s\S]*\? (more )?keys\Z"))


def test_amounts_read_every_common_form_and_are_echoed(tmp_path: Path) -> None:
    """`£89,00` is 89 (not 8900) and `€1.234,50` is 1234.5 (not 1.2345), each echoed as
    the number it became before it is kept; a pattern's message shows an example, and
    lower case fits an upper-case pattern."""
    term = start(drill(tmp_path / "pb"), "--customer", "Dana R.", records=tmp_path / "rec",
                 columns=80, lines=24)
    wait_at(term, "Check the amount")
    term.press("enter")
    term.wait_for_question("Amount in question")
    term.type("€1.234,50")
    term.wait_for("→ 1234.5")
    term.press("\x15")  # Ctrl-U: the echo follows the edit
    term.type("£89,00")
    screen = term.wait_for("→ 89")
    assert "1234.5" not in screen
    term.press("enter")
    term.wait_for_question("Case code (optional)")
    term.type("LD-2045")
    term.press("enter")
    screen = term.wait_for("Case code should look like LD-123456")
    assert "[0-9]" not in screen  # an example, not the raw pattern
    term.press("\x15")
    term.type("ld-204518")
    term.press("enter")
    wait_at(term, "Settle it")
    term.press("enter")
    term.wait_for_question("Can it be settled?")
    term.press("1", "enter")
    screen = wait_at(term, "Close the call")
    assert "Thank you for your patience today, Dana R.”" in screen  # one full stop
    term.press("q")
    wrap_up(term, outcome="resolved")
    captures = front(records_in(tmp_path / "rec")[0])["captures"]
    assert captures == {"amount": 89, "case-code": "LD-204518"}


def test_a_rejected_date_does_not_stop_the_echo(tmp_path: Path) -> None:
    """After `yesterday` is refused, the next edit brings the echo back and takes the old
    message away; `31/11` is a clear error, `24 nov` and `24/11` are dates; the hint's
    example is a date the field takes."""
    book = builtin("upset-customer")
    today = date.today()
    term = start("upset", records=tmp_path, columns=80, lines=24,
                 env={"LC_ALL": "", "LC_TIME": "", "LANG": "en_GB.UTF-8"})
    at_step(term, book, "stay-calm")
    term.press("q")
    term.wait_for("How did the call end?")
    term.press(str(OUTCOMES.index("follow-up") + 1), "enter")
    term.wait_for_question("One-line summary")
    term.type("Refund owed")
    term.press("enter")
    term.wait_for_question("Root cause")
    term.press("1", "enter")
    screen = term.wait_for_question("Follow up on")
    assert (today + timedelta(days=7)).isoformat() in screen  # an example from today on
    term.type("yesterday")
    term.press("enter")
    term.wait_for("is in the past")
    term.press("\x15")
    term.type("next friday")
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    screen = term.wait_for(f"→ {friday:%a} {friday.day} {friday:%b %Y}")
    assert "is in the past" not in screen
    term.press("\x15")
    term.type("31/11")
    term.press("enter")
    term.wait_for("there is no 31 November: November has 30 days")
    term.press("\x15")
    term.type("24 nov")
    day = parse_date("24 nov", base=today, prefer="future")
    screen = term.wait_for(f"→ {day:%a} {day.day} {day:%b %Y}")
    assert "there is no 31 November" not in screen
    term.press("\x15")
    term.type("24/11")  # day first, as the locale (en_GB) reads it
    term.wait_for(f"→ {day:%a} {day.day} {day:%b %Y}")
    term.press("enter")
    term.wait_for("Record written")
    assert term.finish() == 0
    assert front(records_in(tmp_path)[0])["follow_up"] == day


def pick_option(term: Terminal, label: str) -> None:
    """Choose the option whose line shows `label` in the list on screen."""
    screen = term.wait_for(label)
    line = next(line for line in screen.split("\n") if label in line)
    number = re.search(r"([0-9]) ", line[:6])
    assert number, line
    term.press(number.group(1), "enter")


def test_p_there_and_back_resumes_each_playbook_where_it_was(tmp_path: Path) -> None:
    upset, wrong = builtin("upset-customer"), builtin("customer-is-wrong")
    term = start("upset", records=tmp_path, columns=80, lines=24)
    route = ["stay-calm", "listen", "acknowledge", "ask-questions", "check-fault"]
    for here, there in itertools.pairwise(route):
        at_step(term, upset, here)
        go_on(term, upset, here, there)
    screen = at_step(term, upset, "check-fault")
    assert "step 5 ·" in screen.split("\n")[0]
    term.press("p")
    pick_option(term, "The customer is wrong (customer-is-wrong)")
    term.wait_for_question("Switch to The customer is wrong, at its start")
    term.press("1", "enter")
    at_step(term, wrong, "listen")
    go_on(term, wrong, "listen", "appreciate")
    at_step(term, wrong, "appreciate")
    term.press("p")
    pick_option(term, "Upset customer (upset-customer)")
    term.wait_for_question("Switch to Upset customer, back where it was left, at Check")
    term.press("1", "enter")
    screen = at_step(term, upset, "check-fault")  # not step 1 of 9 again
    assert "step 5 ·" in screen.split("\n")[0]
    term.press("p")
    pick_option(term, "The customer is wrong (customer-is-wrong)")
    term.wait_for_question("Switch to The customer is wrong, back where it was left, "
                           "at Thank them first")
    term.press("enter")  # a stray Enter stays: a switch needs its confirming key
    at_step(term, upset, "check-fault")
    term.press("q")
    wrap_up(term, outcome="resolved")
    data = front(records_in(tmp_path)[0])
    assert data["playbook"] == "upset-customer"
    assert data["playbooks"] == ["upset-customer", "customer-is-wrong", "upset-customer"]
    owners = {(entry["id"], entry.get("playbook", data["playbook"])) for entry in data["steps"]}
    assert {("appreciate", "customer-is-wrong"), ("check-fault", "upset-customer")} <= owners


def test_taken_back_escalations_and_answers_leave_a_truthful_record(tmp_path: Path) -> None:
    """`e` then `b`, and a branch answer that went to the supervisor then `b`: the record
    says the supervisor step was taken back, lists nothing under it as left undone, keeps
    no answer that was taken back, and the body agrees with the front matter."""
    term = start(drill(tmp_path / "pb"), records=tmp_path / "rec", columns=80, lines=24)
    wait_at(term, "Check the amount")
    term.press("e")
    screen = wait_at(term, "Bring in a supervisor")
    assert "ESCALATED" in screen.split("\n")[0]
    term.press("b")
    wait_at(term, "Check the amount")
    term.press("enter")
    term.wait_for_question("Amount in question")
    term.type("12")
    term.press("enter")
    term.wait_for_question("Case code (optional)")
    term.press("enter")
    wait_at(term, "Settle it")
    term.press("enter")
    term.wait_for_question("Can it be settled?")
    term.press("2", "enter")  # to the supervisor ...
    wait_at(term, "Bring in a supervisor")
    term.press("b")  # ... and taken back
    wait_at(term, "Settle it")
    term.press("q")
    wrap_up(term, outcome="resolved")
    path = records_in(tmp_path / "rec")[0]
    data = front(path)
    assert data["escalated"] is False
    steps = {entry["id"]: entry for entry in data["steps"]}
    assert steps["supervisor"]["taken_back"] is True
    assert steps["supervisor"]["unticked"] == []
    assert "answer" not in steps["settle"]
    assert "taken_back" not in steps["amounts"]
    body = split(path.read_text(encoding="utf-8"))[1]
    supervisor = body.split("Bring in a supervisor", 1)[1].split("###", 1)[0]
    assert "Taken back" in supervisor and "Not ticked" not in supervisor
    assert "(nothing noted)" not in supervisor
    assert "Hand over" not in body and "→ No, a supervisor" not in body


def test_esc_at_the_summary_keeps_the_outcome_chosen(tmp_path: Path) -> None:
    """Esc at the summary returns to the outcome list with the chosen outcome still
    selected, so Enter keeps it; the handover above the list says when it is cut; the
    length and the handover's time on the call read one clock."""
    book = builtin("upset-customer")
    term = start("upset", "--customer", "Dana R.", "--ref", "T-1", records=tmp_path,
                 columns=80, lines=24)
    at_step(term, book, "stay-calm")
    term.press("m", "5")
    for number in range(7):
        term.press("n")
        term.wait_for_question("Note")
        term.type(f"Point {number + 1}: the customer wants a callback about the second "
                  "charge on the statement")
        term.press("enter")
    time.sleep(1.2)
    term.press("q")
    term.wait_for("How did the call end?")
    term.wait_for("more lines of the brief: Esc, then h, shows it whole")  # cut, and says so
    term.press(str(OUTCOMES.index("follow-up") + 1), "enter")
    term.wait_for_question("One-line summary")
    term.press("esc")
    screen = term.wait_for("How did the call end?")
    assert "> 2 follow-up" in screen
    time.sleep(1.2)  # the clock stopped at q: waiting changes neither figure
    term.press("enter")
    term.wait_for_question("One-line summary")
    term.type("Callback owed")
    term.press("enter")
    term.wait_for_question("Root cause")
    term.press("1", "enter")
    term.wait_for_question("Follow up on")
    term.type("+2d")
    term.press("enter")
    term.wait_for("Record written")
    term.finish()
    data = front(records_in(tmp_path)[0])
    assert data["outcome"] == "follow-up"


def test_an_escalated_calls_length_and_handover_read_one_clock(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path, columns=80, lines=24)
    at_step(term, book, "stay-calm")
    term.press("e")
    at_step(term, book, "supervisor")
    time.sleep(1.1)
    term.press("q")
    term.wait_for("How did the call end?")
    time.sleep(2.1)  # the wrap-up takes its time; the call's length is fixed at q
    wrap_up(term, outcome="escalated")
    path = records_in(tmp_path)[0]
    data = front(path)
    handover = path.read_text(encoding="utf-8").split("## Handover", 1)[1]
    minutes, seconds = divmod(data["duration_seconds"], 60)
    assert f"On the call: {minutes:02d}:{seconds:02d}" in handover


def test_c_sets_and_corrects_customer_and_reference(tmp_path: Path) -> None:
    """`c` at any step: the SAY lines fill in at once, the record keeps the correction;
    the playbook picker shows summaries."""
    term = start(drill(tmp_path / "pb"), records=tmp_path / "rec", columns=80, lines=24)
    screen = wait_at(term, "Check the amount")
    assert "Let me check that amount for you, [name]." in " ".join(screen.split())
    term.press("c")
    term.wait_for_question("Customer's name")
    term.type("Dana R")
    term.press("enter")
    term.wait_for_question("Reference")
    term.type("T-77")
    term.press("enter")
    screen = wait_at(term, "Check the amount")
    assert "Let me check that amount for you, Dana R." in " ".join(screen.split())
    term.press("c")
    term.wait_for_question("Customer's name")
    term.press("\x15")
    term.type("Dana Ruiz")
    term.press("enter")
    term.wait_for_question("Reference")
    term.press("enter")  # kept as it was
    screen = wait_at(term, "Check the amount")
    assert "for you, Dana Ruiz." in " ".join(screen.split())
    term.press("q")
    wrap_up(term, outcome="resolved")
    data = front(records_in(tmp_path / "rec")[0])
    assert (data["customer"], data["reference"]) == ("Dana Ruiz", "T-77")
    picker = Terminal("start", "--records", str(tmp_path / "rec"), columns=200, lines=30)
    screen = picker.wait_for("Which playbook?")
    assert "The customer is angry or frustrated" in screen  # upset-customer's summary
    picker.kill()


@pytest.mark.parametrize(("columns", "lines"), [(80, 24), (60, 20)])
def test_the_key_line_shows_every_key_that_works(tmp_path: Path, columns: int,
                                                 lines: int) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path, columns=columns, lines=lines)
    at_step(term, book, "stay-calm")
    go_on(term, book, "stay-calm", "listen")
    screen = at_step(term, book, "listen")
    key_line = screen.split("\n")[-1]
    for key in ("Enter", "n", "m", "1-2", "b", "s", "e", "p", "h", "c", "q", "?"):
        assert f" {key} " in f"{key_line} ", (key, key_line)
    assert "more keys" not in key_line
    term.press("q")
    wrap_up(term, outcome="resolved")


def test_the_brief_and_the_saved_call_hold_no_card_number(tmp_path: Path) -> None:
    """A card number and an IBAN typed into a note: redacted in the handover brief, in
    the file the brief is written to (`w`), and in the saved call."""
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path, columns=100, lines=30)
    at_step(term, book, "stay-calm")
    term.press("n")
    term.wait_for_question("Note")
    term.type("Card 4111 1111 1111 1111, refund to GB82 WEST 1234 5698 7654 32")
    term.press("enter")
    at_step(term, book, "stay-calm")
    term.press("h")
    screen = term.wait_for("Handover brief")
    flat = " ".join(screen.split())
    assert "[redacted: card]" in flat and "[redacted: iban]" in flat
    assert "4111" not in flat and "WEST" not in flat
    term.press("w")
    screen = term.wait_for("Brief written to")
    written = next(saved_calls().glob("*-handover.txt")).read_text(encoding="utf-8")
    assert "[redacted: card]" in written and "4111" not in written
    term.press("x")
    at_step(term, book, "stay-calm")
    saved = next(path for path in saved_calls().glob("*.json"))
    text = saved.read_text(encoding="utf-8")
    assert "4111" not in text and "GB82" not in text and "[redacted: card]" in text
    term.press("q")
    wrap_up(term, outcome="resolved")


def test_with_records_and_state_folders_both_gone_the_record_is_written_at_home(
        tmp_path: Path) -> None:
    book = builtin("upset-customer")
    records = tmp_path / "rec"
    term = start("upset", records=records, columns=80, lines=24)
    at_step(term, book, "stay-calm")
    term.press("n")
    term.wait_for_question("Note")
    term.type("Kept whatever the disks do")
    term.press("enter")
    at_step(term, book, "stay-calm")
    shutil.rmtree(saved_calls())
    saved_calls().write_text("a file where the state folder was")
    shutil.rmtree(records)
    records.write_text("a file where the records folder was")
    term.press("q")
    term.wait_for("How did the call end?")
    term.press("1", "enter")
    term.wait_for_question("One-line summary")
    term.type("Sorted")
    term.press("enter")
    term.wait_for_question("Root cause")
    term.press("1", "enter")
    assert term.finish() == 0
    output = " ".join(term.output().split())
    home = Path(os.environ["HOME"]) / "deescalate-records"
    written = sorted(home.rglob("*.md"))
    assert len(written) == 1
    assert "the record is written to" in output and written[0].name in output
    assert "Kept whatever the disks do" in written[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("content", ["{}", "[]", '{"id": 5, "visits": "x"}', "not json"])
def test_a_damaged_saved_call_is_one_warning_and_discard_removes_it(
        tmp_path: Path, content: str) -> None:
    saved_calls().mkdir(parents=True)
    (saved_calls() / "20261202-101010-abcd.json").write_text(content)
    for args in (["resume", "--list"], ["resume"], ["resume", "20261202"]):
        term = Terminal(*args, columns=100, lines=20)
        status = term.finish()
        output = term.output()
        assert "Traceback" not in output and "KeyError" not in output, output
        assert "20261202-101010-abcd.json: the saved call can't be read" in " ".join(
            output.split()), output
        assert status in (0, 1, 2), status
    term = Terminal("resume", "--discard", "20261202-101010-abcd", columns=100, lines=20)
    assert term.finish() == 0
    assert "Discarded 20261202-101010-abcd" in term.output()
    assert not (saved_calls() / "20261202-101010-abcd.json").exists()


def test_a_runaway_capture_pattern_never_freezes_the_call(tmp_path: Path) -> None:
    """`([A-Z]+-?)+[0-9]{6}` would take seconds on 27 letters, doubling with each: it is
    refused before a call can use it, with a message that says why."""
    slow = DRILL.replace("'LD-[0-9]{6}'", "'([A-Z]+-?)+[0-9]{6}'")
    path = drill(tmp_path / "pb", slow)
    validate = Terminal("playbooks", "validate", path, columns=120, lines=20)
    assert validate.finish() != 0
    assert "could freeze the call" in " ".join(validate.output().split())
    started = time.monotonic()
    term = start(path, records=tmp_path / "rec", columns=80, lines=24)
    status = term.finish()
    assert status != 0 and time.monotonic() - started < 5
    assert "could freeze the call" in " ".join(term.output().split())


def test_a_long_customer_is_refused_at_once_and_a_long_note_is_capped(tmp_path: Path) -> None:
    started = time.monotonic()
    term = start("upset", "--customer", "A" * 20_000, records=tmp_path, columns=80, lines=24)
    assert term.finish() == 2
    assert time.monotonic() - started < 5
    assert "--customer is 20,000 characters; at most 200 fit" in " ".join(term.output().split())
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path, columns=80, lines=24)
    at_step(term, book, "stay-calm")
    term.press("n")
    term.wait_for_question("Note")
    term.child.send("word " * 1_000)  # 5,000 characters, pasted
    term.press("enter")
    screen = term.wait_for("at most 4,000 fit in one answer", timeout=20)
    assert screen.split("\n")[-1]  # the screen still ends in its hint line
    term.press("esc")
    at_step(term, book, "stay-calm")
    term.press("q")
    wrap_up(term, outcome="resolved")


def test_a_bidi_override_is_shown_as_a_mark(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", "--customer", "abc\u202efdp.exe", "--ref", "T\u200b1",
                 records=tmp_path, columns=80, lines=24)
    at_step(term, book, "stay-calm")
    term.press("h")
    screen = term.wait_for("Handover brief")
    assert "abc<202E>fdp.exe" in screen and "T<200B>1" in screen
    assert "\u202e" not in term.output() and "\u200b" not in term.output()
    term.press("x")
    at_step(term, book, "stay-calm")
    term.press("q")
    wrap_up(term, outcome="resolved")
    listing = Terminal("records", "list", "--records", str(tmp_path), columns=120, lines=20)
    listing.finish()
    assert "\u202e" not in listing.output() and "<202E>" in listing.output()


def test_the_record_of_a_call_with_every_kind_of_event_reads_back_clean(
        tmp_path: Path) -> None:
    """A switch and back, an escalation taken back, a mood on a second visit: the front
    matter says what happened, in order, and the body passes markdownlint (MD013 aside)."""
    from pymarkdown.api import PyMarkdownApi

    upset = builtin("upset-customer")
    wrong = builtin("customer-is-wrong")
    term = start("upset", records=tmp_path, columns=100, lines=30)
    at_step(term, upset, "stay-calm")
    term.press("m", "4")
    go_on(term, upset, "stay-calm", "listen")
    at_step(term, upset, "listen")
    term.press("b")
    at_step(term, upset, "stay-calm")
    time.sleep(1.1)
    term.press("m", "3")  # on the second visit
    term.press("e")
    at_step(term, upset, "supervisor")
    term.press("b")
    at_step(term, upset, "stay-calm")
    term.press("p")
    pick_option(term, "The customer is wrong (customer-is-wrong)")
    term.wait_for_question("Switch to The customer is wrong")
    term.press("1", "enter")
    at_step(term, wrong, "listen")
    term.press("m", "2")
    term.press("p")
    pick_option(term, "Upset customer (upset-customer)")
    term.wait_for_question("Switch to Upset customer")
    term.press("1", "enter")
    at_step(term, upset, "stay-calm")
    term.press("q")
    wrap_up(term, outcome="resolved")
    path = records_in(tmp_path)[0]
    data = front(path)
    assert data["playbooks"] == ["upset-customer", "customer-is-wrong", "upset-customer"]
    assert [m["value"] for m in data["mood"]] == [4, 3, 2]
    assert [m["step"] for m in data["mood"]] == ["stay-calm", "stay-calm", "listen"]
    steps = [(entry["id"], entry.get("playbook", "upset-customer"), bool(entry.get(
        "taken_back"))) for entry in data["steps"]]
    assert steps == [("stay-calm", "upset-customer", False),
                     ("listen", "upset-customer", True),
                     ("supervisor", "upset-customer", True),
                     ("listen", "customer-is-wrong", False)]
    assert data["escalated"] is False
    head, body = split(path.read_text(encoding="utf-8"))
    assert "captures:\n" in head or "captures: {}" in head
    calm = body.split("### ", 2)[1]  # the first step's section holds both its moods
    assert "Mood 4 (" in calm and "Mood 3 (" in calm
    failures = PyMarkdownApi().disable_rule_by_identifier("md013").scan_string(body)
    assert not failures.scan_failures, [(f.rule_id, f.line_number, f.rule_description)
                                        for f in failures.scan_failures]
    assert json.loads(json.dumps(data, default=str))  # plain data all through


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_fifo_or_device_in_the_playbooks_folder_never_holds_up_a_call(
        tmp_path: Path, kind: str) -> None:
    """A named pipe (or a link to /dev/zero) named *.yaml beside the playbooks: a call on
    a built-in or on the folder's own playbook reaches its first step, and a call on it
    is one clear line."""
    folder = tmp_path / "pb"
    drill(folder)
    bad = folder / "stuck.yaml"
    if kind == "fifo":
        os.mkfifo(bad)
    else:
        bad.symlink_to("/dev/zero")
    for name, first in (("upset", "Steady yourself"), ("drill", "Check the amount")):
        started = time.monotonic()
        term = start(name, "--playbooks", str(folder), records=tmp_path / "rec",
                     columns=80, lines=24)
        term.wait_for(first, timeout=10)
        assert time.monotonic() - started < 10
        term.press("q")
        wrap_up(term, outcome="resolved")
    term = start("stuck", "--playbooks", str(folder), records=tmp_path / "rec",
                 columns=80, lines=24)
    assert term.finish() == 2
    said = " ".join(term.output().split())
    assert "stuck.yaml" in said and ("named pipe" in said or "device" in said), said
