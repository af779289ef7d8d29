"""The installed `deescalate`, driven in a real pseudo-terminal and read off a VT100 screen."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from deescalate.playbooks.format import END, Playbook
from deescalate.records.format import FILE_NAME, OUTCOMES
from deescalate.records.reader import split
from tests.engine_script import answer_for, builtin, route_through
from tests.term import DEESCALATE, Terminal

pytestmark = pytest.mark.pty
KEY_LINE = "keys"  # the key line ends in "? keys", or "? more keys" when short of room
ROUTES = {  # (branch step, option) each whole call takes
    "customer-is-wrong": ("weigh-facts", 0),
    "upset-customer": ("check-fault", 0),
    "difficult-customer": ("fair-offer", 1),
}
BUILTINS = list(ROUTES)


def start(*args: str, records: Path, columns: int = 120, lines: int = 40,
          **kwargs) -> Terminal:
    return Terminal("start", *args, "--records", str(records), columns=columns, lines=lines,
                    **kwargs)


def records_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.md"))


def front(path: Path) -> dict:
    return yaml.safe_load(split(path.read_text(encoding="utf-8"))[0])


def at_step(term: Terminal, book: Playbook, step_id: str) -> str:
    """Wait until the step is on screen: its title in the header, the key line last."""
    title = re.escape(book.step(step_id).title[:14])
    return term.wait_for(re.compile(rf"\A[^\n]*· {title}[\s\S]*\? (more )?keys\Z"))


def answer_captures(term: Terminal, book: Playbook, step_id: str) -> None:
    for capture in book.step(step_id).capture:
        term.wait_for_question(capture.label)
        value = answer_for(capture)
        if capture.type in ("choice", "yes-no"):
            options = len(capture.choices) if capture.type == "choice" else 2
            term.press("1" if value is not None else str(options + 1), "enter")
        else:
            term.type(value or "")
            term.press("enter")
        term.wait_gone(capture.label + ("" if capture.required else " (optional)") + "\n")


def go_on(term: Terminal, book: Playbook, here: str, there: str) -> None:
    """Enter at `here`, answering what it asks, on to `there`."""
    term.press("enter")
    answer_captures(term, book, here)
    step = book.step(here)
    if step.branch:
        term.wait_for_question(step.branch.question)
        term.press(str([o.goto for o in step.branch.options].index(there) + 1), "enter")


def wrap_up(term: Terminal, outcome: str = "follow-up", summary: str = "Refund agreed",
            root_cause: int = 2, follow_up: str = "+3d") -> int:
    term.wait_for("How did the call end?")
    term.press(str(OUTCOMES.index(outcome) + 1), "enter")
    term.wait_for("One-line summary")
    term.type(summary)
    term.press("enter")
    term.wait_for("Root cause")
    term.press(str(root_cause), "enter")
    if outcome == "follow-up":
        term.wait_for("Follow up on")
        term.type(follow_up)
        term.press("enter")
    term.wait_for("Record written")
    return term.finish()


def covering_routes(book: Playbook) -> list[list[str]]:
    """Routes from the start to the end that between them reach every step."""
    routes: list[list[str]] = []
    seen: set[str] = set()
    for step in book.steps:
        if step.branch:
            for option in range(len(step.branch.options)):
                route = route_through(book, step.id, option)
                if not set(route) <= seen | {END}:
                    routes.append(route)
                    seen |= set(route)
    missing = {s.id for s in book.steps} - seen
    for step_id in missing:  # steps only `e` reaches, such as the supervisor step
        routes.append(["@escalate", step_id, END])
    return routes


@pytest.mark.parametrize("name", BUILTINS)
def test_every_step_of_every_builtin_fits_80x24(tmp_path: Path, name: str) -> None:
    """Title, every `say` line and the key line, on screen at once, at every step."""
    book = builtin(name)
    checked: set[str] = set()
    for route in covering_routes(book):
        term = start(name, "--customer", "Dana R.", records=tmp_path, columns=80, lines=24)
        if route[0] == "@escalate":
            at_step(term, book, book.start)
            term.press("e")
            route = route[1:]
        for here, there in itertools.pairwise(route):
            screen = at_step(term, book, here)
            lines = screen.split("\n")
            assert len(lines) == 24
            assert book.step(here).title in lines[0]
            assert KEY_LINE in lines[-1]
            flat = " ".join(screen.split())
            for phrase in book.step(here).say:
                phrase = phrase.replace("{customer}", "Dana R.").replace("R..", "R.")
                if "{" not in phrase:
                    assert f"“{' '.join(phrase.split())}”" in flat, (here, phrase)
            checked.add(here)
            if there == END:
                term.press("q")
            else:
                go_on(term, book, here, there)
        wrap_up(term, outcome="resolved")
    assert checked == {s.id for s in book.steps}


def test_60x20_still_shows_the_title_and_every_key_that_matters(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path, columns=60, lines=20)
    route = ["stay-calm", "listen", "acknowledge"]
    for here, there in itertools.pairwise(route):
        screen = at_step(term, book, here)
        lines = screen.split("\n")
        assert f"step {route.index(here) + 1} ·" in lines[0]  # a question ahead: no total
        for key in (" Enter ", " n ", " m ", " e ", " p ", " h ", " c ", " q ", " ? keys"):
            assert key in lines[-1], lines[-1]
        go_on(term, book, here, there)
    screen = at_step(term, book, "acknowledge")
    assert book.step("acknowledge").title in screen.split("\n")[1] or (
        book.step("acknowledge").title[:10] in screen.split("\n")[0])
    term.press("q")
    wrap_up(term, outcome="resolved")


def test_a_resize_redraws_the_step_cleanly(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path, columns=120, lines=40)
    at_step(term, book, "stay-calm")
    for columns, lines in ((80, 24), (60, 20), (200, 60), (80, 24)):
        term.resize(columns, lines)
        time.sleep(0.4)
        screen = term.settle()
        rows = screen.split("\n")
        assert "step 1 ·" in rows[0], screen
        assert KEY_LINE in rows[-1], screen
        assert all(len(row) <= columns for row in rows)
        assert rows.count(rows[0]) == 1  # no second header left behind
    term.press("q")
    wrap_up(term, outcome="resolved")


@pytest.mark.parametrize("name", BUILTINS)
def test_a_whole_call_through_each_builtin(tmp_path: Path, name: str) -> None:
    book = builtin(name)
    route = route_through(book, *ROUTES[name])
    term = start(name, "--customer", "Dana R.", "--ref", "T-1234", records=tmp_path)
    for number, (here, there) in enumerate(itertools.pairwise(route)):
        at_step(term, book, here)
        if number == 0:
            term.press("m")
            term.wait_for("mood now")
            term.press("4")
            term.wait_for("mood 4 angry")
            term.press("n")
            term.wait_for_question("Note")
            term.type("Customer called about a double charge")
            term.press("enter")
            term.wait_for("• Customer called about a double charge")
            term.press("1")
            term.wait_for("1 ☑")
        if number == 2:
            term.press("M")
            term.wait_for("mood now")
            term.press("2")
            term.wait_for("mood 2 uneasy")
        go_on(term, book, here, there)
    assert wrap_up(term) == 0

    (path,) = records_in(tmp_path)
    assert FILE_NAME.match(path.name) and path.parent.parent.parent == tmp_path
    data = front(path)
    assert data["record"] == 1 and data["id"] == path.stem
    assert data["playbook"] == name and data["playbook_version"] == 1
    assert data["playbook_sha256"] == book.sha256
    assert data["agent"] == "tester"
    assert (data["customer"], data["reference"]) == ("Dana R.", "T-1234")
    assert data["duration_seconds"] == int((data["ended"] - data["started"]).total_seconds())
    assert (data["outcome"], data["escalated"]) == ("follow-up", False)
    assert data["root_cause"] == "billing-error" and data["summary"] == "Refund agreed"
    assert data["follow_up"] == date.today() + timedelta(days=3)
    assert [m["value"] for m in data["mood"]] == [4, 2]
    assert [s["id"] for s in data["steps"]] == list(dict.fromkeys(route[:-1]))
    first = data["steps"][0]
    assert first["notes"][0]["text"] == "Customer called about a double charge"
    assert book.step(route[0]).checklist[0] not in first["unticked"]
    required = {c.id for s in route[:-1] for c in book.step(s).capture if c.required}
    assert required <= set(data["captures"])
    assert "playbooks" not in data


def test_ticks_notes_and_captures_stay_across_visits(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path)
    at_step(term, book, "stay-calm")
    term.press("1", "2")
    term.wait_for("2 ☑")
    term.press("n")
    term.wait_for_question("Note")
    term.type("First visit")
    term.press("enter")
    go_on(term, book, "stay-calm", "listen")
    at_step(term, book, "listen")
    term.press("b")
    screen = at_step(term, book, "stay-calm")
    assert "1 ☑" in screen and "2 ☑" in screen and "First visit" in screen
    term.press("2")  # untick one on the second visit
    term.wait_for("2 ☐")
    go_on(term, book, "stay-calm", "listen")
    at_step(term, book, "listen")
    term.press("enter")
    screen = term.wait_for_question("The concern in the customer's words")
    term.type("Charged twice")
    term.press("enter")
    at_step(term, book, "acknowledge")
    term.press("b")
    screen = at_step(term, book, "listen")
    assert "Charged twice" in screen  # the capture is still there
    term.press("q")
    wrap_up(term, outcome="resolved")
    data = front(records_in(tmp_path)[0])
    steps = {s["id"]: s for s in data["steps"]}
    assert [s["id"] for s in data["steps"]] == ["stay-calm", "listen", "acknowledge"]
    calm = steps["stay-calm"]
    assert calm["unticked"] == ["Kept a level voice"]  # the final state, not the first
    assert [n["text"] for n in calm["notes"]] == ["First visit"]
    assert len(calm["visits"]) == 2 and calm["seconds"] == sum(
        v["seconds"] for v in calm["visits"])
    assert len(steps["listen"]["visits"]) == 3


def test_escalation_is_taken_back_by_going_back(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path)
    at_step(term, book, "stay-calm")
    term.press("e")
    screen = at_step(term, book, "supervisor")
    assert "ESCALATED" in screen.split("\n")[0]
    term.press("e")  # already there: says so, skips nothing
    term.wait_for("This is the escalation step already")
    term.press("b")
    screen = at_step(term, book, "stay-calm")
    assert "ESCALATED" not in screen
    term.press("q")
    term.wait_for("How did the call end?")
    assert "> 1 resolved" in term.text()  # the suggestion follows: not escalated
    term.press("esc")  # the wrap-up's first question goes back to the step
    at_step(term, book, "stay-calm")
    term.press("q")
    wrap_up(term, outcome="resolved")
    data = front(records_in(tmp_path)[0])
    assert data["escalated"] is False and data["outcome"] == "resolved"
    assert "## Handover" not in records_in(tmp_path)[0].read_text()


def test_an_escalated_call_carries_the_handover_brief(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", "--customer", "Dana R.", "--ref", "T-9", records=tmp_path)
    at_step(term, book, "stay-calm")
    term.press("m", "5")
    go_on(term, book, "stay-calm", "listen")
    at_step(term, book, "listen")
    term.press("enter")
    term.wait_for_question("The concern in the customer's words")
    term.type("Charged twice for one order")
    term.press("enter")
    at_step(term, book, "acknowledge")
    term.press("h")
    screen = term.wait_for("Handover brief")
    for words in ("Customer: Dana R. · Reference: T-9", "Mood: 5 hostile",
                  "In their words: Charged twice for one order"):
        assert words in screen
    term.press("x")
    at_step(term, book, "acknowledge")
    term.press("e")
    at_step(term, book, "supervisor")
    term.press("q")
    wrap_up(term, outcome="escalated")
    text = records_in(tmp_path)[0].read_text()
    assert front(records_in(tmp_path)[0])["escalated"] is True
    handover = text.split("## Handover", 1)[1].split("## Follow-up", 1)[0]
    assert "In their words: Charged twice for one order" in handover
    assert "Escalated: yes" in handover


def test_p_switches_playbook_keeping_everything(tmp_path: Path) -> None:
    upset, wrong = builtin("upset-customer"), builtin("customer-is-wrong")
    term = start("upset", records=tmp_path)
    at_step(term, upset, "stay-calm")
    term.press("n")
    term.wait_for_question("Note")
    term.type("Turns out the charge was right")
    term.press("enter")
    term.press("P")
    term.wait_for("Switch to which playbook?")
    term.wait_for("The customer is wrong (customer-is-wrong)")
    term.press("1", "enter")  # customer-is-wrong comes first
    term.wait_for_question("Switch to The customer is wrong, at its start")
    term.press("1", "enter")  # a switch is confirmed: Enter alone stays
    screen = at_step(term, wrong, wrong.start)
    assert wrong.step(wrong.start).title in screen.split("\n")[0]
    term.press("b")  # back across the switch
    at_step(term, upset, "stay-calm")
    term.press("p")
    term.wait_for("Switch to which playbook?")
    term.press("esc")  # staying is one key too
    at_step(term, upset, "stay-calm")
    term.press("p")
    term.wait_for("Switch to which playbook?")
    term.press("1", "enter")
    term.wait_for_question("Switch to The customer is wrong, back where it was left")
    term.press("enter")  # the stray Enter stays
    at_step(term, upset, "stay-calm")
    term.press("p")
    term.wait_for("Switch to which playbook?")
    term.press("1", "enter", "1", "enter")
    at_step(term, wrong, wrong.start)
    term.press("q")
    wrap_up(term, outcome="resolved")
    data = front(records_in(tmp_path)[0])
    assert data["playbook"] == "customer-is-wrong"
    assert data["playbooks"] == ["upset-customer", "customer-is-wrong", "upset-customer",
                                 "customer-is-wrong"]  # every switch, in order
    assert data["steps"][0] == {**data["steps"][0], "id": "stay-calm",
                                "playbook": "upset-customer"}
    assert data["steps"][0]["notes"][0]["text"] == "Turns out the charge was right"
    assert "playbook" not in data["steps"][-1]


def test_dates_go_both_ways_and_show_what_they_became(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path)
    route = ["stay-calm", "listen", "acknowledge", "ask-questions"]
    for here, there in itertools.pairwise(route):
        at_step(term, book, here)
        go_on(term, book, here, there) if here != "acknowledge" else (
            term.press("enter"), term.wait_for_question(book.step(here).branch.question),
            term.press("1", "enter"))
    at_step(term, book, "ask-questions")
    term.press("enter")
    term.wait_for_question("Order or account number")
    term.type("AB123456")
    term.press("enter")
    term.wait_for_question("When the problem started")
    term.type("last tuesday")
    today = date.today()
    tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    term.wait_for(f"{tuesday:%a} {tuesday.day} {tuesday:%b %Y}")
    term.press("enter")
    term.wait_for_question(book.step("ask-questions").capture[2].label)
    term.press("esc")
    at_step(term, book, "ask-questions")
    term.press("q")
    term.wait_for("How did the call end?")
    term.press("2", "enter")
    term.wait_for("One-line summary")
    term.type("Refund owed")
    term.press("enter")
    term.wait_for("Root cause")
    term.press("1", "enter")
    term.wait_for("Follow up on")
    term.type("yesterday")
    term.press("enter")
    term.wait_for("is in the past; a follow-up needs today or a later day")
    term.press(*["\x7f"] * 9)
    term.type("next friday")
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    term.wait_for(f"{friday:%a} {friday.day} {friday:%b %Y}")
    term.press("enter")
    term.wait_for("Record written")
    assert term.finish() == 0
    data = front(records_in(tmp_path)[0])
    assert data["captures"]["problem-started"] == tuesday.isoformat()
    assert data["follow_up"] == friday


def test_the_first_call_asks_the_agents_name_once(tmp_path: Path) -> None:
    env = {"DEESCALATE_AGENT": "", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path / "rec", env=env, columns=80, lines=24)
    term.wait_for("Your name for call records")
    # at 80 columns the question and its hint share one line, the grey name after them
    assert any("records (asked once)  (Enter: the grey name)" in line
               for line in term.screen.display), term.screen.display
    term.type("Jo Agent")  # the prompt starts empty: the login name is only a hint
    term.press("enter")
    at_step(term, book, "stay-calm")
    term.wait_for("Saved your name in")  # said at once, on the call's first screen
    term.press("q")
    wrap_up(term, outcome="resolved")
    saved = tmp_path / "config" / "deescalate" / "config.yaml"
    assert yaml.safe_load(saved.read_text()) == {"agent": "Jo Agent"}
    assert front(records_in(tmp_path / "rec")[0])["agent"] == "Jo Agent"
    again = start("upset", records=tmp_path / "rec", env=env)
    at_step(again, book, "stay-calm")
    assert "Your name" not in again.output()
    again.press("q")
    wrap_up(again, outcome="resolved")


def saved_calls() -> list[dict]:
    folder = Path(os.environ["XDG_STATE_HOME"]) / "deescalate" / "calls"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_sigkill_mid_answer_keeps_the_half_typed_text(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", "--customer", "Dana R.", records=tmp_path)
    at_step(term, book, "stay-calm")
    term.press("n")
    term.wait_for_question("Note")
    term.type("First note, before the kill")
    term.press("enter")
    go_on(term, book, "stay-calm", "listen")
    at_step(term, book, "listen")
    term.press("enter")
    term.wait_for_question("The concern in the customer's words")
    term.type("They were charged tw")
    term.wait_for("They were charged tw")
    time.sleep(2.0)  # at most two seconds behind the typing
    term.kill(signal.SIGKILL)
    term.finish()
    assert records_in(tmp_path) == []
    (saved,) = saved_calls()
    assert saved["draft"] == {"capture:customer-concern": "They were charged tw"}

    listed = subprocess.run([DEESCALATE, "resume", "--list"], capture_output=True, text=True,
                            check=False)
    assert listed.returncode == 0 and "upset-customer" in listed.stdout and "at listen" in (
        listed.stdout)
    term = Terminal("resume", "--records", str(tmp_path), columns=100, lines=30)
    at_step(term, book, "listen")
    term.press("enter")
    term.wait_for("They were charged tw")  # offered back in its prompt
    term.type("ice")
    term.press("enter")
    at_step(term, book, "acknowledge")
    term.press("q")
    wrap_up(term, outcome="resolved")
    data = front(records_in(tmp_path)[0])
    assert data["captures"]["customer-concern"] == "They were charged twice"
    assert [n["text"] for n in data["steps"][0]["notes"]] == ["First note, before the kill"]
    assert saved_calls() == []


def test_an_unwritable_state_folder_never_stops_the_call(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path / "rec")
    at_step(term, book, "stay-calm")
    calls = Path(os.environ["XDG_STATE_HOME"]) / "deescalate" / "calls"
    for path in calls.iterdir():
        path.unlink()
    calls.rmdir()
    calls.write_text("a file where the state folder was")  # every save now fails
    term.press("n")
    term.wait_for_question("Note")
    term.type("Said after the disk went")
    term.press("enter")
    screen = term.wait_for("Can't save the call to")
    assert "the call goes on" in " ".join(screen.split())
    term.press("1")
    term.wait_for("1 ☑")
    term.press("q")
    assert wrap_up(term, outcome="resolved") == 0
    assert "Traceback" not in term.output()
    assert term.output().count("Can't save the call") <= 2  # said once (drawn, maybe redrawn)
    data = front(records_in(tmp_path / "rec")[0])
    assert data["steps"][0]["notes"][0]["text"] == "Said after the disk went"


def test_ctrl_c_twice_saves_and_exits_130(tmp_path: Path) -> None:
    book = builtin("difficult-customer")
    term = start("difficult", records=tmp_path)
    at_step(term, book, "stay-composed")
    term.press("ctrl-c")
    term.wait_for("Stop now and resume later?")
    term.press("ctrl-c")
    term.wait_for("deescalate resume")
    assert term.finish() == 130
    listed = subprocess.run([DEESCALATE, "resume", "--list"], capture_output=True, text=True,
                            check=False)
    assert "difficult-customer" in listed.stdout


def test_ctrl_c_then_carry_on(tmp_path: Path) -> None:
    book = builtin("difficult-customer")
    first = start("difficult", records=tmp_path)
    at_step(first, book, "stay-composed")
    first.press("ctrl-c")
    first.wait_for("Stop now and resume later?")
    first.press("y")
    assert first.finish() == 130
    term = start("difficult", records=tmp_path)
    term.wait_for("1 earlier call is saved unfinished: deescalate resume --list")
    at_step(term, book, "stay-composed")
    term.press("ctrl-c")
    term.wait_for("Stop now and resume later?")
    term.press("n")
    at_step(term, book, "stay-composed")
    term.press("q")
    wrap_up(term, outcome="dropped")
    assert front(records_in(tmp_path)[0])["outcome"] == "dropped"


def test_a_closed_terminal_keeps_the_half_typed_note(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path)
    at_step(term, book, "stay-calm")
    term.press("n")
    term.wait_for_question("Note")
    term.type("Half a thought")
    term.wait_for("Half a thought")
    term.kill(signal.SIGHUP)
    term.finish()

    term = Terminal("resume", "--records", str(tmp_path), columns=100, lines=30)
    at_step(term, book, "stay-calm")
    term.press("n")
    term.wait_for("Half a thought")
    term.type(", finished")
    term.press("enter")
    term.wait_for("• Half a thought, finished")
    term.press("q")
    wrap_up(term, outcome="resolved")
    notes = front(records_in(tmp_path)[0])["steps"][0]["notes"]
    assert [n["text"] for n in notes] == ["Half a thought, finished"]


def test_without_a_terminal_start_and_resume_stop_at_once(tmp_path: Path) -> None:
    for args in (["start", "upset"], ["resume"]):
        started = time.monotonic()
        done = subprocess.run([DEESCALATE, *args], stdin=subprocess.PIPE, capture_output=True,
                              text=True, check=False, timeout=20)
        assert done.returncode == 2
        assert done.stderr.startswith("deescalate: a live call needs a terminal")
        assert len(done.stderr.splitlines()) == 1
        assert time.monotonic() - started < 5


def test_an_unknown_playbook_is_refused_before_the_terminal_is_asked_for() -> None:
    done = subprocess.run([DEESCALATE, "start", "upsett"], stdin=subprocess.PIPE,
                          capture_output=True, text=True, check=False, timeout=20)
    assert done.returncode == 2 and "did you mean 'upset'" in done.stderr


def test_start_without_a_playbook_asks_which(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start(records=tmp_path)
    term.wait_for("Which playbook")
    term.wait_for("Upset customer")
    term.press("3", "enter")  # sorted by id: customer-is-wrong, difficult, upset
    at_step(term, book, "stay-calm")
    term.press("q")
    wrap_up(term, outcome="resolved")
    assert front(records_in(tmp_path)[0])["playbook"] == "upset-customer"


def test_an_unwritable_records_folder_is_refused_before_the_call(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    term = start("upset", records=blocked / "records")
    term.wait_for("can't make the records folder")
    assert term.finish() == 2


def test_a_new_records_folder_and_a_repeat_caller_are_announced(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", "--ref", "T-77", "--customer", "Dana R.",
                 records=tmp_path / "fresh")
    term.wait_for("Saving as you go to")
    term.wait_for("Made the records folder")
    at_step(term, book, "stay-calm")
    term.press("q")
    wrap_up(term, outcome="follow-up", summary="Refund agreed")

    wrong = builtin("customer-is-wrong")
    term = start("wrong", "--ref", "t-77", records=tmp_path / "fresh")
    screen = at_step(term, wrong, "listen")
    assert "1 earlier call" in screen.split("\n")[0]
    assert "1 earlier call with this reference: h shows them" in " ".join(screen.split())
    term.press("h")
    screen = term.wait_for("Earlier calls:")
    assert re.search(r"upset-customer\s+follow-up\s+follow-up due \S+\s+Refund agreed", screen)
    term.press("x")
    term.press("q")
    wrap_up(term, outcome="resolved")
    assert len(records_in(tmp_path / "fresh")) == 2


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=True).stdout


def test_a_team_that_commits_records_gets_that_file_alone_committed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("GIT_AUTHOR_NAME", "Jo"), ("GIT_AUTHOR_EMAIL", "jo@example.org"),
                        ("GIT_COMMITTER_NAME", "Jo"), ("GIT_COMMITTER_EMAIL", "jo@example.org")):
        monkeypatch.setenv(name, value)
    team = tmp_path / "team"
    subprocess.run([DEESCALATE, "init", str(team)], check=True, capture_output=True)
    (team / ".deescalate.yaml").write_text("records: records\ngit: {commit: true}\n")
    git(team, "init", "-q")
    (team / "staged.txt").write_text("staged, not committed")
    (team / "loose.txt").write_text("not added at all")
    git(team, "add", "staged.txt")
    book = builtin("upset-customer")
    term = Terminal("start", "upset", cwd=str(team), columns=120, lines=40)
    at_step(term, book, "stay-calm")
    term.press("q")
    assert wrap_up(term, outcome="resolved") == 0
    (path,) = records_in(team / "records")
    committed = git(team, "show", "--name-only", "--format=%s", "HEAD").split()
    assert committed == ["Record", path.stem, path.relative_to(team).as_posix()]
    status = git(team, "status", "--porcelain")
    assert "A  staged.txt" in status and "?? loose.txt" in status


def test_a_failed_commit_is_a_warning_and_the_record_stays(tmp_path: Path) -> None:
    team = tmp_path / "team"
    subprocess.run([DEESCALATE, "init", str(team)], check=True, capture_output=True)
    (team / ".deescalate.yaml").write_text("records: records\ngit: {commit: true}\n")
    git(team, "init", "-q")
    (team / ".gitignore").write_text("records/\n")
    book = builtin("upset-customer")
    term = Terminal("start", "upset", cwd=str(team), columns=120, lines=40)
    at_step(term, book, "stay-calm")
    term.press("q")
    assert wrap_up(term, outcome="resolved") == 0
    assert re.search(r"warning: git: .* is ignored by .gitignore", term.output())
    assert len(records_in(team / "records")) == 1


HOSTILE_PLAYBOOK = """\
id: hostile
title: "Unbalanced [/bold] title [urgent] \\e]52;c;ZXZpbA==\\a"
steps:
  - id: one
    title: "[link=https://example.org]Click[/link] \\e[2J"
    say:
      - "Say [red]this[/red] \\e]8;;https://example.org\\e\\\\link\\e]8;;\\e\\\\"
    checklist: ["[b]tick[/b]"]
"""


def test_markup_and_control_codes_are_shown_as_text_never_sent(tmp_path: Path) -> None:
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "hostile.yaml").write_text(HOSTILE_PLAYBOOK)
    term = Terminal("start", "hostile", "--playbooks", str(playbooks), "--customer",
                    "Ana [/b] \x1b[2J\x1b]52;c;ZXZpbA==\x07", "--records", str(tmp_path / "r"),
                    columns=100, lines=30)
    screen = term.wait_for("[link=https://example.org]Click[/link] ␛[2J")
    assert "Say [red]this[/red] ␛]8;;https://example.org␛\\link␛]8;;␛\\" in " ".join(
        screen.split())
    assert "[b]tick[/b]" in screen
    term.press("n")
    term.wait_for_question("Note")
    term.type("\x1b[200~pasted \x1b[31mred\x1b[0m [bold]x[/bold]\x1b[201~")  # a paste
    term.press("enter")
    term.wait_for("pasted ␛[31mred␛[0m [bold]x[/bold]")
    term.press("h")
    term.wait_for("Customer: Ana [/b] ␛[2J␛]52;c;ZXZpbA==␇")
    term.wait_for("Handover: Unbalanced [/bold] title [urgent] ␛]52;c;ZXZpbA==␇")
    term.press("x", "q")
    assert wrap_up(term, outcome="resolved") == 0
    output = term.raw
    for raw in (b"\x1b]52;", b"\x1b]8;", b"\x1b[31mred"):  # the screen clears with its own
        assert raw not in output, raw
    assert b"Traceback" not in output


def test_a_dumb_terminal_gets_plain_lines_and_no_escape_codes(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = Terminal("start", "upset", "--customer", "Dana R.", "--records", str(tmp_path),
                    env={"TERM": "dumb"}, columns=80, lines=24)
    term.wait_for(re.compile(r"step 1 [·|]"))
    term.wait_for("q end")
    term.type("1\r")
    term.wait_for("1 ☑")
    term.type("n\r")
    term.wait_for_question("Note")
    term.type("On a dumb terminal\r")
    term.type("\r")
    term.wait_for(book.step("listen").title)
    term.type("q\r")
    term.wait_for("How did the call end?")
    term.type("1\r")
    term.wait_for("One-line summary")
    term.type("Plain and simple\r")
    term.wait_for("Root cause")
    term.type("\r")
    term.wait_for("Record written")
    assert term.finish() == 0
    assert b"\x1b" not in term.raw
    data = front(records_in(tmp_path)[0])
    assert data["steps"][0]["notes"][0]["text"] == "On a dumb terminal"


def test_a_latin_1_terminal_gets_ascii_marks_and_no_traceback(tmp_path: Path) -> None:
    term = Terminal("start", "upset", "--customer", "Zoë ☎", "--records", str(tmp_path),
                    env={"PYTHONIOENCODING": "latin-1", "LANG": "C", "LC_ALL": "C"},
                    columns=80, lines=24)
    term.wait_for(re.compile(r"step 1 [·|]"))
    term.press("1")
    term.wait_for("1 [x]")
    term.press("q")
    assert wrap_up(term, outcome="resolved") == 0
    assert b"Traceback" not in term.raw
    assert front(records_in(tmp_path)[0])["customer"] == "Zoë ☎"  # the record is UTF-8


def test_skip_help_and_an_unknown_key_at_a_real_terminal(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    term = start("upset", records=tmp_path, columns=80, lines=24)
    at_step(term, book, "stay-calm")
    term.press("z")
    term.wait_for("That key does nothing here; ? shows the keys.")
    term.press("?")
    screen = term.wait_for("Keys at every step")
    assert "p      switch to another playbook" in screen
    term.press("x")
    at_step(term, book, "stay-calm")
    term.press("S")
    term.wait_for("Why skip it? (optional)")
    term.type("Already calm")
    term.press("enter")
    at_step(term, book, "listen")
    term.press("q")
    wrap_up(term, outcome="resolved")
    first = front(records_in(tmp_path)[0])["steps"][0]
    assert (first["skipped"], first["skip_reason"]) == (True, "Already calm")
