"""The installed `deescalate`, driven in a real pseudo-terminal as a person would."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest
import yaml

from deescalate.playbooks.format import Playbook
from deescalate.records.format import FILE_NAME, OUTCOMES
from deescalate.records.reader import split
from tests.engine_script import answer_for, builtin, route_through

pytestmark = pytest.mark.pty
DEESCALATE = str(Path(sys.executable).parent / "deescalate")
KEY_LINE = "end call"
ROUTES = {  # (branch step, option) each whole call takes
    "customer-is-wrong": ("weigh-facts", 0),
    "upset-customer": ("check-fault", 0),
    "difficult-customer": ("fair-offer", 1),
}


def spawn(*args: str, records: Path) -> pexpect.spawn:
    child = pexpect.spawn(DEESCALATE, [*args, "--records", str(records)], env=dict(os.environ),
                          dimensions=(60, 120), encoding="utf-8", timeout=15)
    return child


def records_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.md"))


def front(path: Path) -> dict:
    return yaml.safe_load(split(path.read_text(encoding="utf-8"))[0])


def at_step(child: pexpect.spawn, book: Playbook, step_id: str) -> None:
    child.expect(f"step {book.number(step_id)} of {len(book.steps)}")
    child.expect(KEY_LINE)


def answer_captures(child: pexpect.spawn, book: Playbook, step_id: str) -> None:
    for capture in book.step(step_id).capture:
        child.expect(capture.label)
        value = answer_for(capture)
        if capture.type in ("choice", "yes-no"):
            child.send("1\r" if value is not None else _leave_empty(capture))
        else:
            child.send(f"{value or ''}\r")


def _leave_empty(capture) -> str:
    count = len(capture.choices) if capture.type == "choice" else 2
    return f"{count + 1}\r"


def wrap_up(child: pexpect.spawn, outcome: str = "follow-up", summary: str = "Refund agreed",
            root_cause: int = 2) -> None:
    child.expect("How did the call end?")
    child.send(f"{OUTCOMES.index(outcome) + 1}\r")
    child.expect("One-line summary")
    child.send(f"{summary}\r")
    child.expect("Root cause")
    child.send(f"{root_cause}\r")
    if outcome == "follow-up":
        child.expect("Follow up on")
        child.send("+3d\r")
    child.expect("Record written")
    child.expect(pexpect.EOF)
    child.close()


@pytest.mark.parametrize("name", list(ROUTES))
def test_a_whole_call_through_each_builtin(tmp_path: Path, name: str) -> None:
    book = builtin(name)
    route = route_through(book, *ROUTES[name])
    child = spawn("start", name, "--customer", "Dana R.", "--ref", "T-1234", records=tmp_path)
    for number, (here, there) in enumerate(itertools.pairwise(route)):
        at_step(child, book, here)
        if number == 0:
            child.send("m")
            child.expect("mood now")
            child.send("4")
            child.expect(KEY_LINE)
            child.send("n")
            child.expect("Note")
            child.send("Customer called about a double charge\r")
            child.expect(KEY_LINE)
            child.send("1")
            child.expect("☑")
            child.expect(KEY_LINE)
        if number == 2:
            child.send("m")
            child.expect("mood now")
            child.send("2")
            child.expect(KEY_LINE)
        child.send("\r")
        answer_captures(child, book, here)
        step = book.step(here)
        if step.branch:
            child.expect(step.branch.question)
            child.send(f"{[o.goto for o in step.branch.options].index(there) + 1}\r")
    wrap_up(child)
    assert child.exitstatus == 0

    (path,) = records_in(tmp_path)
    assert FILE_NAME.match(path.name) and path.parent.parent.parent == tmp_path
    data = front(path)
    assert data["record"] == 1 and data["id"] == path.stem
    assert data["playbook"] == name and data["playbook_version"] == 1
    assert data["playbook_sha256"] == book.sha256
    assert data["agent"] == "tester"
    assert (data["customer"], data["reference"]) == ("Dana R.", "T-1234")
    assert data["ended"] >= data["started"]
    assert data["duration_seconds"] == int((data["ended"] - data["started"]).total_seconds())
    assert (data["outcome"], data["escalated"]) == ("follow-up", False)
    assert data["root_cause"] == "billing-error" and data["summary"] == "Refund agreed"
    assert data["follow_up"] == date.today() + timedelta(days=3)
    assert data["follow_up_done"] is None
    assert [m["value"] for m in data["mood"]] == [4, 2]
    assert [s["id"] for s in data["steps"]] == route[:-1]
    first = data["steps"][0]
    assert first["notes"][0]["text"] == "Customer called about a double charge"
    assert book.step(route[0]).checklist[0] not in first["unticked"]
    required = {c.id for s in route[:-1] for c in book.step(s).capture if c.required}
    assert required <= set(data["captures"])
    assert data["redactions"] == 0 and data["tags"] == []


def test_killed_mid_call_then_resumed_keeps_every_note(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    child = spawn("start", "upset", "--customer", "Dana R.", records=tmp_path)
    at_step(child, book, "stay-calm")
    child.send("n")
    child.expect("Note")
    child.send("First note, before the kill\r")
    child.expect(KEY_LINE)
    child.send("\r")
    at_step(child, book, "listen")
    child.send("n")
    child.expect("Note")
    child.send("Second note\x1b\rover two lines\r")
    child.expect(KEY_LINE)
    child.send("\r")
    child.expect("The concern in the customer's words")
    child.send("Charged twice\r")
    at_step(child, book, "acknowledge")
    child.kill(signal.SIGKILL)
    child.close()
    assert records_in(tmp_path) == []

    listed = subprocess.run([DEESCALATE, "resume", "--list"], capture_output=True, text=True,
                            check=False)
    assert listed.returncode == 0 and "upset-customer" in listed.stdout
    assert "at acknowledge" in listed.stdout

    child = spawn("resume", records=tmp_path)
    at_step(child, book, "acknowledge")
    child.send("q")
    wrap_up(child, outcome="resolved")
    (path,) = records_in(tmp_path)
    data = front(path)
    notes = [n["text"] for s in data["steps"] for n in s["notes"]]
    assert notes == ["First note, before the kill", "Second note\nover two lines"]
    assert data["captures"]["customer-concern"] == "Charged twice"
    assert [s["id"] for s in data["steps"]] == ["stay-calm", "listen", "acknowledge"]
    again = subprocess.run([DEESCALATE, "resume", "--list"], capture_output=True, text=True,
                           check=False)
    assert again.stdout.strip() == "No saved calls."


def test_ctrl_c_twice_saves_and_exits_130(tmp_path: Path) -> None:
    book = builtin("difficult-customer")
    child = spawn("start", "difficult", records=tmp_path)
    at_step(child, book, "stay-composed")
    child.send("\x03")
    child.expect("Stop now and resume the call later")
    child.send("\x03")
    child.expect("deescalate resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    listed = subprocess.run([DEESCALATE, "resume", "--list"], capture_output=True, text=True,
                            check=False)
    assert "difficult-customer" in listed.stdout


def test_ctrl_c_then_carry_on(tmp_path: Path) -> None:
    book = builtin("difficult-customer")
    child = spawn("start", "difficult", records=tmp_path)
    at_step(child, book, "stay-composed")
    child.send("\x03")
    child.expect("Stop now and resume the call later")
    child.send("\x03")
    child.expect(pexpect.EOF)
    child = spawn("start", "difficult", records=tmp_path)
    child.expect(f"step 1 of {len(book.steps)}")
    child.expect("1 earlier call is saved unfinished: deescalate resume --list")
    child.expect(KEY_LINE)
    child.send("\x03")
    child.expect("Stop now and resume the call later")
    child.send("n")
    at_step(child, book, "stay-composed")
    child.send("q")
    wrap_up(child, outcome="dropped")
    assert front(records_in(tmp_path)[0])["outcome"] == "dropped"


def test_a_closed_terminal_keeps_the_half_typed_note(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    child = spawn("start", "upset", records=tmp_path)
    at_step(child, book, "stay-calm")
    child.send("n")
    child.expect("Note")
    child.send("Half a thought")
    child.expect("Half a thought")
    child.kill(signal.SIGHUP)
    child.expect(pexpect.EOF)
    child.close()

    child = spawn("resume", records=tmp_path)
    at_step(child, book, "stay-calm")
    child.send("n")
    child.expect("Half a thought")
    child.send(", finished\r")
    child.expect(KEY_LINE)
    child.send("q")
    wrap_up(child, outcome="resolved")
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


def test_an_unknown_playbook_is_refused_before_the_call(tmp_path: Path) -> None:
    child = spawn("start", "upsett", records=tmp_path)
    child.expect("did you mean 'upset'")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_start_without_a_playbook_asks_which(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    child = spawn("start", records=tmp_path)
    child.expect("Which playbook")
    child.expect("Upset customer")
    child.send("3\r")  # sorted by id: customer-is-wrong, difficult-customer, upset-customer
    at_step(child, book, "stay-calm")
    child.send("q")
    wrap_up(child, outcome="resolved")
    assert front(records_in(tmp_path)[0])["playbook"] == "upset-customer"


def test_an_unwritable_records_folder_is_refused_before_the_call(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    child = spawn("start", "upset", records=blocked / "records")
    child.expect("can't make the records folder")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_a_new_records_folder_is_announced(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    child = spawn("start", "upset", records=tmp_path / "fresh")
    child.expect(f"step 1 of {len(book.steps)}")
    child.expect("Saving as you go to")
    child.expect("Made the records folder")
    child.expect(KEY_LINE)
    child.send("q")
    wrap_up(child, outcome="resolved")
    assert len(records_in(tmp_path / "fresh")) == 1


def test_a_repeat_caller_sees_earlier_calls_before_the_first_step(tmp_path: Path) -> None:
    book = builtin("upset-customer")
    child = spawn("start", "upset", "--ref", "T-77", "--customer", "Dana R.", records=tmp_path)
    child.expect("Earlier calls")
    child.expect("none")
    at_step(child, book, "stay-calm")
    child.send("q")
    wrap_up(child, outcome="follow-up", summary="Refund agreed")

    child = spawn("start", "wrong", "--ref", "t-77", records=tmp_path)
    child.expect("Earlier calls")
    child.expect("upset-customer")
    child.expect("follow-up")
    child.expect("due ")
    child.expect("Refund agreed")
    child.expect("step 1 of 9")
    child.expect(KEY_LINE)
    child.send("q")
    wrap_up(child, outcome="resolved")
    assert len(records_in(tmp_path)) == 2


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
    child = pexpect.spawn(DEESCALATE, ["start", "upset"], cwd=str(team), env=dict(os.environ),
                          dimensions=(60, 120), encoding="utf-8", timeout=15)
    at_step(child, book, "stay-calm")
    child.send("q")
    wrap_up(child, outcome="resolved")
    assert child.exitstatus == 0
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
    child = pexpect.spawn(DEESCALATE, ["start", "upset"], cwd=str(team), env=dict(os.environ),
                          dimensions=(60, 120), encoding="utf-8", timeout=15)
    at_step(child, book, "stay-calm")
    child.send("q")
    child.expect("How did the call end?")
    child.send("1\r")
    child.expect("One-line summary")
    child.send("Done\r")
    child.expect("Root cause")
    child.send("1\r")
    child.expect("Record written")
    child.expect("warning: git: .* is ignored by .gitignore")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(records_in(team / "records")) == 1
