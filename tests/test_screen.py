"""The live screen's questions, each driven by keys through prompt_toolkit's pipe."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from deescalate.call import keys
from deescalate.call.engine import Action, CallEngine, GoBack, Hangup
from deescalate.call.plain import PlainScreen
from deescalate.call.screen import SKIP_LABEL, LiveScreen
from deescalate.playbooks.format import Capture
from deescalate.text import UNICODE
from tests.engine_script import builtin, new_call

UP, DOWN, ESC, CTRL_C, ENTER, ALT_ENTER = "\x1b[A", "\x1b[B", "\x1b", "\x03", "\r", "\x1b\r"


def drive(ask: Callable[[LiveScreen], Any], *keys: str, engine: CallEngine | None = None,
          pause: float = 0.08, typing: list | None = None) -> tuple[Any, LiveScreen]:
    """Run one question on a live screen, pressing `keys` (a number waits that long)."""
    engine = engine or new_call(builtin("upset-customer"))
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        screen = LiveScreen(engine, UNICODE, on_typing=(
            (lambda key, text: typing.append((key, text))) if typing is not None else None))

        def feed() -> None:
            time.sleep(0.3)
            for key in keys:
                if isinstance(key, float):
                    time.sleep(key)
                elif callable(key):
                    key(screen)
                else:
                    pipe.send_text(key)
                    time.sleep(pause)

        threading.Thread(target=feed, daemon=True).start()
        return screen.run(lambda: ask(screen)), screen


def action(*keys: str, engine: CallEngine | None = None):
    engine = engine or new_call(builtin("upset-customer"))
    screen_view = engine.view()

    def ask(screen: LiveScreen):
        screen.show(screen_view)
        return screen.action(screen_view)

    return drive(ask, *keys, engine=engine)


@pytest.mark.parametrize(("key", "expected"), [
    (ENTER, Action.NEXT), ("n", Action.NOTE), ("N", Action.NOTE), ("m", Action.MOOD),
    ("s", Action.SKIP), ("S", Action.SKIP), ("e", Action.ESCALATE), ("p", Action.SWITCH),
    ("h", Action.HANDOVER), ("H", Action.HANDOVER), ("q", Action.END), ("Q", Action.END),
])
def test_each_action_is_one_key_in_either_case(key: str, expected: Action) -> None:
    (got, item), _ = action(key)
    assert (got, item) == (expected, None)


def test_digits_tick_their_item_and_only_theirs() -> None:
    (got, item), _ = action("2")
    assert (got, item) == (Action.TICK, 1)
    screens: list[str] = []
    (got, item), _screen = action("7", 0.2, lambda s: screens.append(seen(s)), "q")
    assert got is Action.END  # stay-calm has two items
    assert "There is no item 7 to tick here" in screens[0]


def seen(screen: LiveScreen) -> str:
    return "\n".join("".join(t for _, t in line) for line in screen._top_lines(80, 23))


def test_keys_that_mean_nothing_say_where_the_keys_are() -> None:
    screens: list[str] = []
    (got, _), _ = action("z", 0.2, lambda s: screens.append(seen(s)), "q")
    assert got is Action.END
    assert "That key does nothing here; ? shows the keys." in screens[0]


def test_back_needs_somewhere_to_go_back_to() -> None:
    engine = new_call(builtin("upset-customer"))
    screens: list[str] = []
    (got, _), _screen = action("b", 0.2, lambda s: screens.append(seen(s)), "q", engine=engine)
    assert got is Action.END
    assert "This is the first step: nothing to go back to." in screens[0]
    engine.advance()
    (got, _), _ = action("b", engine=engine)
    assert got is Action.BACK


def test_question_mark_shows_every_key_and_any_key_returns() -> None:
    screens: list[str] = []
    (got, _), screen = action("?", 0.2, lambda s: screens.append(seen(s)), "x", 0.2,
                              lambda s: screens.append(seen(s)), "q")
    assert got is Action.END and screen.overlay is None
    for word in ("p      switch to another playbook", "h      the handover brief",
                 "q      end the call"):
        assert word in screens[0]
    assert "SAY" in screens[1]  # the key that closed the keys did nothing else


HOLD = keys.Key("t", Action.HANDOVER, "hold", "put the customer on hold", rank=keys.ALWAYS)


def test_a_key_added_to_the_table_is_bound_shown_prompted_and_in_help(monkeypatch) -> None:
    """One entry in `keys.KEYS`, and nothing else, makes a working key on both screens."""
    monkeypatch.setattr(keys, "KEYS", (*keys.KEYS, HOLD))
    key_lines: list[str] = []
    screens: list[str] = []
    (got, item), _ = action(lambda s: key_lines.append("".join(t for _, t in s._bottom())),
                            "?", 0.2, lambda s: screens.append(seen(s)), "x", 0.1, "T")
    assert (got, item) == (Action.HANDOVER, None)
    assert key_lines[0].endswith(" ? keys  t hold")
    assert "  t      put the customer on hold" in screens[0].splitlines()  # indented as written
    engine = new_call(builtin("upset-customer"))
    prompts: list[str] = []
    answers = iter(["?", "t"])
    out = io.StringIO()
    plain = PlainScreen(engine, UNICODE, out=out,
                        read=lambda prompt: prompts.append(prompt) or next(answers))
    assert plain.action(engine.view()) == (Action.HANDOVER, None)
    assert prompts[0] == ("Enter next, n note, m mood, 1-9 tick, b back, s skip, e escalate, "
                          "p playbook, h handover, c customer, q end, ? keys, t hold > ")
    assert "  t      put the customer on hold" in out.getvalue().splitlines()


def test_mood_is_one_key_and_esc_leaves_it() -> None:
    assert drive(lambda s: s.mood(None), "4")[0] == 4
    assert drive(lambda s: s.mood(3), ESC)[0] is None


def test_text_with_a_new_line_and_a_default() -> None:
    got, _ = drive(lambda s: s.text("Note", key="k", default="Charged", multiline=True),
                   " twice", ALT_ENTER, "since March", ENTER)
    assert got == "Charged twice\nsince March"


def test_text_checks_before_taking_the_answer() -> None:
    def ask(screen: LiveScreen):
        return screen.text("Summary", key="k", check=lambda t: None if t.strip() else "empty")

    screens: list[str] = []
    got, _screen = drive(ask, ENTER, 0.2, lambda s: screens.append(seen(s)), "Done", ENTER)
    assert got == "Done" and "empty" in screens[0]


def test_esc_in_text_goes_back_with_what_was_typed() -> None:
    with pytest.raises(GoBack) as back:
        drive(lambda s: s.text("Note", key="k"), "half a thought", ESC)
    assert back.value.typed == "half a thought"


def test_ctrl_c_while_typing_keeps_what_was_typed() -> None:
    with pytest.raises(KeyboardInterrupt) as stop:
        drive(lambda s: s.text("Note", key="k"), "half", CTRL_C)
    assert stop.value.typed == "half"  # type: ignore[attr-defined]


def test_text_being_typed_is_handed_on_within_a_second_or_so() -> None:
    typing: list = []
    got, _ = drive(lambda s: s.text("Note", key="note:x"), "Customer said", 1.5, ENTER,
                   typing=typing)
    assert got == "Customer said"
    assert ("note:x", "Customer said") in typing


def test_capture_refuses_a_bad_value_until_it_fits() -> None:
    capture = Capture(id="amount", label="Amount", type="number", required=True)
    got, _ = drive(lambda s: s.capture(capture, None, None), "lots", ENTER,
                   "\x7f" * 4, "42", ENTER)
    assert got == "42"


def test_capture_offers_the_draft_or_the_value_already_written() -> None:
    capture = Capture(id="ref", label="Order", type="line")
    assert drive(lambda s: s.capture(capture, "AB1", None), ENTER)[0] == "AB1"
    assert drive(lambda s: s.capture(capture, "AB1", None, draft="AB12"), ENTER)[0] == "AB12"


def test_choice_and_yes_no_captures() -> None:
    choice = Capture(id="c", label="Pick", type="choice", choices=("Refund", "Exchange"))
    assert drive(lambda s: s.capture(choice, None, None), "2", ENTER)[0] == "Exchange"
    optional = Capture(id="o", label="Maybe", type="yes-no", required=False)
    assert drive(lambda s: s.capture(optional, None, None), "3", ENTER)[0] is None
    assert drive(lambda s: s.capture(optional, True, None), ENTER)[0] == "yes"
    assert SKIP_LABEL == "(leave empty)"


def test_choose_by_arrow_or_number_and_esc_goes_back() -> None:
    options = ["resolved", "follow-up", "escalated"]
    assert drive(lambda s: s.choose("How?", options, 0), DOWN, DOWN, UP, ENTER)[0] == 1
    assert drive(lambda s: s.choose("How?", options, 0), "3", ENTER)[0] == 2
    assert drive(lambda s: s.choose("How?", options, 2), ENTER)[0] == 2
    with pytest.raises(GoBack):
        drive(lambda s: s.choose("How?", options, 0), ESC)


def test_confirm_stop() -> None:
    assert drive(lambda s: s.confirm_stop(), "y")[0] is True
    assert drive(lambda s: s.confirm_stop(), "n")[0] is False
    assert drive(lambda s: s.confirm_stop(), ESC)[0] is False


def test_the_brief_stays_until_a_key() -> None:
    screens: list[str] = []

    def shown(screen: LiveScreen) -> None:  # the brief once drawn (slower on a busy machine)
        deadline = time.monotonic() + 10
        while "Customer: Dana" not in seen(screen) and time.monotonic() < deadline:
            time.sleep(0.02)
        screens.append(seen(screen))

    got, screen = drive(lambda s: s.brief(["Handover: Upset customer", "Customer: Dana"]),
                        shown, "x")
    assert got is None and screen.overlay is None
    assert "Customer: Dana" in screens[0]


def test_a_date_answer_is_echoed_as_the_day_it_became() -> None:
    capture = Capture(id="problem-started", label="When the problem started", type="date")
    screens: list[str] = []
    got, _ = drive(lambda s: s.capture(capture, None, None), "yesterday", 0.2,
                   lambda s: screens.append(seen(s)), ENTER)
    assert got == "yesterday"
    assert "→ Sat 21 Nov 2026 (yesterday)" in screens[0]  # the engine's clock: 2026-11-22


def test_a_hangup_stops_the_question_at_once() -> None:
    engine = new_call(builtin("upset-customer"))
    view = engine.view()
    holder: list[LiveScreen] = []

    def ask(screen: LiveScreen):
        holder.append(screen)
        threading.Timer(0.4, screen.hang_up).start()
        screen.show(view)
        return screen.action(view)

    with pytest.raises(Hangup):
        drive(ask, engine=engine)
    assert holder[0].gone


def test_the_plain_screen_takes_only_plain_digits_as_numbers() -> None:
    """'²' and '٣' pass `str.isdigit` but are no number to pick: a hint, not a crash."""
    engine = new_call(builtin("upset-customer"))
    answers = iter(["²", "٣", "1", "²", "2"])
    out = io.StringIO()
    plain = PlainScreen(engine, UNICODE, out=out, read=lambda prompt: next(answers))
    assert plain.action(engine.view()) == (Action.TICK, 0)
    assert plain.choose("Which?", ["one", "two"]) == 1
    assert "Type a number from 1 to 2." in out.getvalue()


def test_messages_under_a_step_are_shown_whole_or_not_at_all() -> None:
    """A path wrapped over two lines is never shown without the words before it."""
    from deescalate.call.screen import _latest_whole

    notices = [("class:notice", "Saving as you go to /home/someone/.local/state/deescalate/"
                                "calls/20261202-152053-31f2.json"),
               ("class:notice", "Made the records folder /home/someone/records"),
               ("class:notice", "Saved your name in /home/someone/.config/deescalate/"
                                "config.yaml; change it there or with --agent.")]
    lines = ["".join(text for _, text in line) for line in _latest_whole(notices, 80, 5)]
    assert lines[0].startswith("Saving as you go") and len(lines) == 5
    lines = ["".join(text for _, text in line) for line in _latest_whole(notices, 80, 4)]
    assert lines[0].startswith("Made the records folder") and len(lines) == 3
    long = [("", "word " * 200)]
    assert len(_latest_whole(long, 40, 5)) == 5
