"""The screen: the step panel, and each prompt driven by keys through prompt_toolkit's pipe."""

from __future__ import annotations

import io

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from deescalate.call.engine import Action
from deescalate.call.screen import SKIP_LABEL, TerminalAsker, step_panel
from deescalate.playbooks.format import Capture
from tests.engine_script import builtin, new_call

UP, DOWN, ESC, CTRL_C, ENTER, ALT_ENTER = "\x1b[A", "\x1b[B", "\x1b", "\x03", "\r", "\x1b\r"


@pytest.fixture
def keys():
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


@pytest.fixture
def asker() -> TerminalAsker:
    return TerminalAsker(Console(file=io.StringIO(), width=100), clear=False)


def view(name: str = "upset-customer", step: str | None = None, **kwargs):
    engine = new_call(builtin(name), **kwargs)
    if step:
        engine.call.visits[-1].step = step
    return engine, engine.view()


def render(panel) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(panel)
    return console.file.getvalue()


def test_the_panel_shows_everything_for_the_step() -> None:
    engine, _ = view()
    engine.rate_mood(4)
    engine.toggle(1)
    engine.note("Double charge")
    text = render(step_panel(engine.view()))
    assert "Upset customer" in text and "step 1 of 9" in text and "mood 4 angry" in text
    assert "Steady yourself" in text
    for heading in ("DO", "SAY", "AVOID", "CHECKLIST", "NOTES"):
        assert f"│ {heading}" in text
    assert "“I'm here to help. Tell me what's happened.”" in text
    assert "1 ☐ Took a breath before answering" in text and "2 ☑ Kept a level voice" in text
    assert "Double charge" in text


def test_the_panel_fills_in_placeholders_and_shows_captures_and_the_branch() -> None:
    engine, _panel_view = view(step="close", customer="Dana")
    engine.call.captures["order-ref"] = "AB123456"
    text = render(step_panel(engine.view()))
    assert "against AB123456" in text and "today, Dana." in text
    assert "WRITE DOWN" in text and "What was agreed: …" in text
    _, branching = view(step="acknowledge")
    assert "THEN" in render(step_panel(branching))
    assert "Is the customer calm enough" in render(step_panel(branching))


def test_escalated_calls_say_so() -> None:
    engine, _ = view()
    engine.escalate()
    assert "escalated" in render(step_panel(engine.view()))


@pytest.mark.parametrize(("key", "expected"), [
    (ENTER, (Action.NEXT, None)), ("n", (Action.NOTE, None)), ("m", (Action.MOOD, None)),
    ("s", (Action.SKIP, None)), ("e", (Action.ESCALATE, None)), ("q", (Action.END, None)),
    ("2", (Action.TICK, 1)),
])
def test_each_action_is_one_key(keys, asker, key: str, expected) -> None:
    keys.send_text(key)
    assert asker.action(view()[1]) == expected


def test_keys_that_mean_nothing_here_are_ignored(keys, asker) -> None:
    keys.send_text("xz9b3" + "q")  # b: nowhere to go back to; 9 and 3: no such checklist item
    assert asker.action(view()[1]) == (Action.END, None)


def test_back_is_a_key_once_there_is_somewhere_to_go_back_to(keys, asker) -> None:
    engine, _ = view()
    engine.advance()
    keys.send_text("b")
    assert asker.action(engine.view()) == (Action.BACK, None)


def test_ctrl_c_at_the_action_prompt(keys, asker) -> None:
    keys.send_text(CTRL_C)
    with pytest.raises(KeyboardInterrupt):
        asker.action(view()[1])


def test_mood_is_one_key_and_escape_leaves_it(keys, asker) -> None:
    keys.send_text("7" + "3")
    assert asker.mood(None) == 3
    keys.send_text(ESC)
    assert asker.mood(3) is None


def test_text_with_a_new_line_and_a_default(keys, asker) -> None:
    keys.send_text("first" + ALT_ENTER + "second" + ENTER)
    assert asker.text("Note", key="note", multiline=True) == "first\nsecond"
    keys.send_text(" and more" + ENTER)
    assert asker.text("Summary", key="summary", default="Refund") == "Refund and more"


def test_text_checks_before_taking_the_answer(keys, asker) -> None:
    keys.send_text(ENTER + "done" + ENTER)
    answer = asker.text("Summary", key="s", check=lambda t: None if t.strip() else "needed")
    assert answer == "done"


def test_ctrl_c_while_typing_keeps_what_was_typed(keys, asker) -> None:
    keys.send_text("Customer said" + CTRL_C)
    with pytest.raises(KeyboardInterrupt) as caught:
        asker.text("Note", key="note", multiline=True)
    assert caught.value.typed == "Customer said"


def test_capture_refuses_a_bad_value_until_it_fits(keys, asker) -> None:
    capture = Capture(id="code", label="Code", pattern=r"[A-Z]{2}\d{4}", required=True)
    keys.send_text("ab" + ENTER + "\x7f\x7f" + ENTER + "AB1234" + ENTER)
    assert asker.capture(capture, None, None) == "AB1234"


def test_capture_offers_the_value_already_written(keys, asker) -> None:
    keys.send_text(ENTER)
    assert asker.capture(Capture(id="n", label="N", type="number"), 42, None) == "42"


def test_choice_and_yes_no_captures(keys, asker) -> None:
    pick = Capture(id="p", label="Pick", type="choice", choices=("Refund", "Exchange"),
                   required=True)
    keys.send_text("2" + ENTER)
    assert asker.capture(pick, None, None) == "Exchange"
    optional = Capture(id="ok", label="OK?", type="yes-no")
    keys.send_text(DOWN + DOWN + ENTER)
    assert asker.capture(optional, None, None) is None  # the third entry leaves it empty
    keys.send_text(ENTER)
    assert asker.capture(optional, False, None) == "no"  # the current value is the default
    assert SKIP_LABEL == "(leave empty)"


def test_choose_by_arrow_or_number(keys, asker) -> None:
    options = ["resolved", "follow-up", "escalated"]
    keys.send_text(ENTER)
    assert asker.choose("How did it end?", options, 2) == 2
    keys.send_text(DOWN + ENTER)
    assert asker.choose("How did it end?", options, 0) == 1
    keys.send_text("3" + ENTER)
    assert asker.choose("How did it end?", options) == 2


def test_confirm_stop(keys, asker) -> None:
    keys.send_text("y")
    assert asker.confirm_stop() is True
    keys.send_text("n")
    assert asker.confirm_stop() is False
    keys.send_text(ENTER)
    assert asker.confirm_stop() is False  # carrying on is the default


def test_show_prints_the_notice_once() -> None:
    out = io.StringIO()
    asker = TerminalAsker(Console(file=out, width=100), notice="Saving as you go to /x")
    asker.show(view()[1])
    asker.show(view()[1])
    assert out.getvalue().count("Saving as you go to /x") == 1
    assert out.getvalue().count("Steady yourself") == 2
