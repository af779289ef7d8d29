"""The installed `deescalate practice`, driven in a real pseudo-terminal as a person would.

The screen here is the plain line screen (`practice/lines.py`); a twin `Practice` with
the same seed, fed the same answers, says what each turn offers, so the test can
answer as a trainee reading the screen would.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

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
