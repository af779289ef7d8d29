"""The installed `deescalate practice`, driven in a real pseudo-terminal as a person would.

The screen here is the plain line screen (`practice/lines.py`); a twin `Practice` with
the same seed, fed the same answers, says what each turn offers, so the test can
answer as a trainee reading the screen would.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from deescalate.call.layout import where_on_path
from deescalate.playbooks.catalog import Catalog
from deescalate.practice.catalog import ScenarioCatalog
from deescalate.practice.engine import Practice
from deescalate.practice.model import Reply
from tests.test_cli_practice import WAY

pytestmark = pytest.mark.pty
DEESCALATE = str(Path(sys.executable).parent / "deescalate")
PROMPTS = [r"Your reply \([^)]*\): ", r"Write down [^\r\n]*\): ", r"Answer \(1-\d\): ",
           pexpect.EOF]


def play(scenario_id: str, seed: int, *, explore: bool = False) -> tuple[str, list[str]]:
    """A whole practice, good replies only, one step back in explore mode; the screen
    as sent, and the customer's lines in order."""
    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find(scenario_id)
    twin = Practice(case, catalog.playbook_of(case), seed=seed, explore=explore)
    args = ["practice", scenario_id, "--seed", str(seed), *(["--explore"] if explore else [])]
    child = pexpect.spawn(DEESCALATE, args, env={**os.environ, "TERM": "dumb"},
                          dimensions=(40, 100), encoding="utf-8", timeout=15)
    child.delaybeforesend = None  # each answer waits for its prompt: no pause needed
    branches = list(WAY[scenario_id])
    fields: list = []
    lines: list[str] = []
    went_back = not explore
    screen = []
    while True:
        found = child.expect(PROMPTS)
        screen.append(child.before)
        if found == 3:
            break
        screen.append(child.after)
        if found == 0:
            if twin._replied:
                twin.move_on(None)
            turn = twin.turn()
            lines.append(turn.line)
            if not went_back and turn.can_go_back:
                went_back = True
                child.sendline("b")
                twin.back()
                continue
            pick = min(range(len(turn.replies)), key=lambda n: (  # good; an apology if owed
                turn.replies[n].rating != "good",
                not (case.customer_is_right and turn.replies[n].apology)))
            child.sendline(str(pick + 1))
            twin.answer(Reply.pick(pick))
            fields = list(twin.step.capture)
        elif found == 1:
            capture = fields.pop(0)
            fact = case.fact(capture.id)
            value = fact if fact is not None else ("noted" if capture.required else "")
            if capture.type in ("date", "number") and fact is None and capture.required:
                value = "today" if capture.type == "date" else "1"
            child.sendline(value)
            twin.write_down(capture, value)
        else:
            answer = branches.pop(0)
            child.sendline(str(answer))
            twin.move_on(answer - 1)
    child.close()
    assert child.exitstatus == 0, "".join(screen)[-2000:]
    return "".join(screen), lines


@pytest.mark.parametrize("scenario_id", sorted(WAY))
def test_each_builtin_scenario_scored_in_a_terminal(scenario_id: str, isolated: Path) -> None:
    screen, lines = play(scenario_id, 5)
    assert "scored: feedback at the end" in screen
    assert "Good reply" not in screen  # no feedback before the end
    assert "6 of 6 checks good: passed" in screen
    assert "Transcript: " in screen
    assert len(list((isolated.parent / "home/.local/share/deescalate/practice").glob("*.md"))) == 1
    assert lines[0] == ScenarioCatalog(Catalog([])).find(scenario_id).opening


@pytest.mark.parametrize("scenario_id", ["parcel-safe-place", "worn-jacket-refund"])
def test_explore_in_a_terminal_gives_feedback_and_goes_back(scenario_id: str) -> None:
    screen, _ = play(scenario_id, 9, explore=True)
    assert "explore: feedback after every reply" in screen
    assert "Good reply: mood" in screen
    assert ", b to go back)" in screen
    assert "checks good: passed" in screen


def test_the_same_seed_shows_the_same_customer_in_a_terminal() -> None:
    first, lines = play("double-charge", 21)
    again, lines_again = play("double-charge", 21)
    assert lines == lines_again

    def replies(screen: str) -> list[str]:
        return [line.strip() for line in screen.splitlines()
                if line.startswith("  ") and line.strip()[:1].isdigit()]

    assert replies(first) == replies(again)


# -- the same, on the full live-call screen, read through a VT100 emulator ----------------


def play_on_screen(scenario_id: str, seed: int, *, explore: bool = False,
                   columns: int = 100, lines: int = 40) -> tuple[list[str], list[str]]:
    """A whole practice on the live-call screen, good replies only, one step back in
    explore mode; each screen where a reply was asked, and the customer's lines."""
    from tests.term import Terminal

    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find(scenario_id)
    book = catalog.playbook_of(case)
    twin = Practice(case, book, seed=seed, explore=explore)
    args = ["practice", scenario_id, "--seed", str(seed), *(["--explore"] if explore else [])]
    term = Terminal(*args, columns=columns, lines=lines)
    screen = term.wait_for("Any key starts the call.")
    assert ("explore: feedback after every reply" if explore else
            "scored: feedback at the end") in " ".join(screen.split())
    term.press("x")
    branches = list(WAY[scenario_id])
    said: list[str] = []
    asked: list[str] = []
    went_back = not explore
    while not twin.over:
        if twin._replied:
            step = twin.step
            for capture in step.capture:
                term.wait_for_question(capture.label)
                fact = case.fact(capture.id)
                value = fact if fact is not None else ("noted" if capture.required else "")
                if capture.type in ("date", "number") and fact is None and capture.required:
                    value = "today" if capture.type == "date" else "1"
                if capture.type in ("choice", "yes-no"):
                    options = list(capture.choices) if capture.type == "choice" else [
                        "yes", "no"]
                    number = options.index(value) + 1 if value in options else len(options) + 1
                    term.press(str(number), "enter")
                else:
                    term.type("\x15" + value)
                    term.press("enter")
                twin.write_down(capture, value)
            answer = None
            if step.branch:
                term.wait_for_question(step.branch.question)
                answer = branches.pop(0)
                term.press(str(answer), "enter")
            twin.move_on(answer - 1 if answer else None)
            continue
        turn = twin.turn()
        # This turn's step with its reply prompt: until it is drawn, the last one's is up.
        step = re.escape(where_on_path(turn.view))
        screen = term.wait_for(re.compile(rf"{step}\b.*Your reply", re.DOTALL))
        asked.append(screen)
        said.append(turn.line)
        if turn.line:
            assert " ".join(turn.line.split())[:40] in " ".join(screen.split())
        if not went_back and turn.can_go_back:
            went_back = True
            term.press("esc")
            twin.back()
            term.wait_gone(turn.view.step.title)
            continue
        pick = min(range(len(turn.replies)), key=lambda n: (
            turn.replies[n].rating != "good",
            not (case.customer_is_right and turn.replies[n].apology)))
        term.press(str(pick + 1), "enter")
        twin.answer(Reply.pick(pick))
        if explore:
            term.wait_for("How that landed")
            term.press("x")
    term.wait_for("Score card")
    card = term.wait_for("checks good")
    term.press("x")
    term.wait_for("Transcript: ")
    assert term.finish() == 0, term.output()[-2000:]
    return [*asked, card], said


@pytest.mark.parametrize("scenario_id", sorted(WAY))
def test_each_builtin_scenario_scored_on_the_live_screen(scenario_id: str,
                                                         isolated: Path) -> None:
    screens, lines = play_on_screen(scenario_id, 5)
    assert "6 of 6 checks good: passed" in " ".join(screens[-1].split())
    assert lines[0] == ScenarioCatalog(Catalog([])).find(scenario_id).opening
    first = screens[0].split("\n")
    assert "step 1 " in first[0] and first[1].startswith("Customer")  # the line on top
    assert len(list((isolated.parent / "home/.local/share/deescalate/practice").glob("*.md"))) == 1


@pytest.mark.parametrize("scenario_id", ["late-fee-twice", "parcel-safe-place", "sofa-delivery"])
def test_each_builtin_scenario_in_explore_on_the_live_screen(scenario_id: str) -> None:
    screens, _ = play_on_screen(scenario_id, 9, explore=True, columns=80, lines=24)
    assert "checks good" in screens[-1]
    assert any("Back a step (explore" in screen for screen in screens)


def test_the_same_seed_shows_the_same_customer_on_the_live_screen() -> None:
    first, lines = play_on_screen("double-charge", 21)
    again, lines_again = play_on_screen("double-charge", 21)
    assert lines == lines_again
    offered = [s.split("Your reply", 1)[1].split("Up/Down", 1)[0] for s in first[:-1]]
    offered_again = [s.split("Your reply", 1)[1].split("Up/Down", 1)[0] for s in again[:-1]]
    assert offered == offered_again


# -- what a trainee sees of the conversation, on the live screen ---------------------------


def start_on_screen(scenario_id: str, seed: int, *, explore: bool = False):  # type: ignore[no-untyped-def]
    """The live screen at the first reply, and a twin practice to know the replies by."""
    from tests.term import Terminal

    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find(scenario_id)
    twin = Practice(case, catalog.playbook_of(case), seed=seed, explore=explore)
    term = Terminal("practice", scenario_id, "--seed", str(seed),
                    *(["--explore"] if explore else []))
    term.wait_for("Any key starts the call.")
    term.press("x")
    term.wait_for_question("Your reply")
    return term, twin


def good(turn) -> int:  # type: ignore[no-untyped-def]
    return next(n for n, r in enumerate(turn.replies) if r.rating == "good")


def worst(turn) -> int:  # type: ignore[no-untyped-def]
    return max(range(len(turn.replies)), key=lambda n: turn.replies[n].change)


def finish_step(term, twin) -> None:  # type: ignore[no-untyped-def]
    """After a reply: write down what the step asks (the scenario's fact, else "noted"),
    answer its branch with the first option, and wait for the next turn's replies."""
    for capture in twin.step.capture:
        term.wait_for_question(capture.label)
        fact = twin.scenario.fact(capture.id) or "noted"
        term.type("\x15" + fact)
        term.press("enter")
        twin.write_down(capture, fact)
    if twin.step.branch:
        term.wait_for_question(twin.step.branch.question)
        term.press("1", "enter")
    twin.move_on(0 if twin.step.branch else None)
    term.wait_for_question("Your reply")


def test_the_customer_answers_the_reply_after_it_is_given() -> None:
    """Turn order: the customer's answer comes after the reply, and stays on screen while
    it is written down; nothing is picked before the trainee picks."""
    term, twin = start_on_screen("double-charge", 4)
    screen = term.settle()
    assert "> " not in screen  # no reply preselected
    assert "SAY" not in screen  # the step's say lines are among the replies, not above them
    term.press("enter")  # Enter with nothing picked picks nothing
    assert "Pick a reply first" in term.wait_for("Pick a reply first")
    answers = ["stay-calm", "listen", "acknowledge", "ask-questions"]
    for step in answers:
        turn = twin.turn()
        assert turn.view.step.id == step
        reply = turn.replies[good(turn)]
        before = term.text()
        assert "The order number's AB123456." not in before  # not said before it is asked
        term.press(str(good(turn) + 1), "enter")
        twin.answer(Reply.pick(good(turn)))
        for capture in twin.step.capture:
            term.wait_for_question(capture.label)
            screen = term.settle()  # the whole frame, header included, not a part of it
            fact = twin.scenario.fact(capture.id)
            if step == "ask-questions":  # the customer's answer, while it is written down
                assert "The order number's AB123456." in " ".join(screen.split())
            # the header follows the mood the reply left, at once
            assert f"mood {twin.level} " in screen.split("\n")[0]
            term.type("\x15" + (fact or "noted"))
            term.press("enter")
            twin.write_down(capture, fact or "noted")
        if twin.step.branch:
            term.wait_for_question(twin.step.branch.question)
            term.press("1", "enter")
        twin.move_on(0 if twin.step.branch else None)
        assert reply.text
    screen = term.wait_for_question("Your reply")
    # the next turn opens with the answer to the reply before it
    assert twin.turn().line.startswith("Sure, happy to help. The order number's AB123456.")
    assert "Customer:" in screen and "AB123456" in screen
    term.kill()


def test_explore_goes_back_after_a_hang_up() -> None:
    term, twin = start_on_screen("worn-jacket-refund", 44650, explore=True)
    while True:
        turn = twin.turn()
        pick = worst(turn)
        term.press(str(pick + 1), "enter")
        twin.answer(Reply.pick(pick))
        term.wait_for("How that landed")
        term.press("x")
        if twin.over:
            break
        finish_step(term, twin)
    screen = term.wait_for("The customer hung up")
    assert "Take that reply back" in screen
    step_title = twin.step.title
    term.press("esc")  # back: the customer is on the line again, at the same step
    twin.back()
    term.wait_gone("The customer hung up")
    screen = term.wait_for_question("Your reply")
    assert step_title in screen and "hung up" not in screen
    turn = twin.turn()
    term.press(str(good(turn) + 1), "enter")
    term.wait_for("How that landed")
    term.kill()


def test_the_score_card_stays_on_the_terminal_after_the_practice() -> None:
    term, twin = start_on_screen("worn-jacket-refund", 3)
    while not twin.over:  # the worst replies: a short practice to the card
        turn = twin.turn()
        pick = worst(turn)
        term.press(str(pick + 1), "enter")
        twin.answer(Reply.pick(pick))
        if twin.over:
            break
        finish_step(term, twin)
    term.wait_for("Ending: the customer hung up")
    term.press("x")
    after = term.wait_for("Transcript: ")
    assert term.finish() == 0  # a practice at the terminal ends well, passed or not
    # on the screen once the practice has closed: the card's end and the transcript
    assert "checks good: not passed" in after and "Transcript: " in after
    assert "Better: " in after
    # and the whole card, printed after the full-screen view gave the terminal back
    printed = term.output().rsplit("\x1b[?1049l", 1)[-1]
    assert "Score card: A refund for a jacket worn for a year" in printed
    assert "Ending: the customer hung up" in printed


def test_s_rereads_the_situation_at_any_reply() -> None:
    term, twin = start_on_screen("sofa-delivery", 2)
    term.press("s")
    screen = term.wait_for("The situation")
    assert "You are taking a call from Ben Adeyemi" in " ".join(screen.split())
    term.press("x")
    term.wait_gone("The situation")
    term.wait_for_question("Your reply")
    turn = twin.turn()
    term.press(str(good(turn) + 1), "enter")  # and later, at the next step, again
    twin.answer(Reply.pick(good(turn)))
    twin.move_on()
    term.wait_for(twin.step.title)
    term.wait_for_question("Your reply")
    term.press("S")
    screen = term.wait_for("The situation")
    assert "fixed morning slot this Saturday" in " ".join(screen.split())
    term.kill()
