"""Fitting a step onto the screen at any size, without a terminal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deescalate.call import keys, layout
from deescalate.call.layout import clip, wrap
from deescalate.text import ASCII, UNICODE, cells
from tests.engine_script import builtin, new_call

BUILTINS = ("upset-customer", "customer-is-wrong", "difficult-customer")
STEPS = [(name, step.id) for name in BUILTINS for step in builtin(name).steps]
ROWS_AROUND = 3  # the header above the body, a message line and the key line below it


def view_at(name: str, step_id: str, **kwargs):
    engine = new_call(builtin(name), **kwargs)
    engine.call.visits[-1].step = step_id
    return engine, engine.view()


def plain(lines) -> list[str]:
    return ["".join(text for _, text in line) for line in lines]


def flat(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def test_there_are_26_builtin_steps() -> None:
    assert len(STEPS) == 26


@pytest.mark.parametrize(("name", "step_id"), STEPS, ids=[f"{n}:{s}" for n, s in STEPS])
@pytest.mark.parametrize(("columns", "rows"), [(80, 24), (60, 20), (100, 30)])
def test_every_say_line_of_every_builtin_step_fits(name: str, step_id: str, columns: int,
                                                   rows: int) -> None:
    _, view = view_at(name, step_id)
    lines = plain(layout.body(view, columns, rows - ROWS_AROUND, UNICODE))
    assert len(lines) <= rows - ROWS_AROUND
    assert all(cells(line) <= columns for line in lines)
    for phrase in view.say:
        assert f"“{' '.join(phrase.split())}”" in flat(lines), phrase
    header = plain([layout.header(view, columns, UNICODE, earlier=2)])[0]
    assert cells(header) <= columns
    assert (layout.where_on_path(view) in header
            or layout.where_on_path(view, short=True) in header)  # narrow: 2/2 last
    if columns >= 80:
        assert view.step.title in header


@pytest.mark.parametrize(("name", "step_id"), STEPS, ids=[f"{n}:{s}" for n, s in STEPS])
def test_two_columns_when_wide(name: str, step_id: str) -> None:
    _, view = view_at(name, step_id)
    lines = plain(layout.body(view, 200, 57, UNICODE))
    assert len(lines) <= 57
    left = [line[:(200 - layout.GUTTER) // 2] for line in lines]
    for phrase in view.say:
        assert f"“{' '.join(phrase.split())}”" in flat(left)
    if view.step.checklist or view.step.capture:
        assert any("│" in line for line in lines)


def test_roomy_when_there_is_room_condensed_when_not() -> None:
    _, view = view_at("upset-customer", "acknowledge")
    roomy = plain(layout.body(view, 100, 40, UNICODE))
    assert "DO" in roomy and "" in roomy  # headings on their own line, gaps between
    tight = plain(layout.body(view, 60, 12, UNICODE))
    assert len(tight) <= 12
    assert any("more" in line for line in tight)
    assert tight[0].startswith("SAY")


def test_the_tightest_fit_names_what_is_left_out() -> None:
    _, view = view_at("upset-customer", "ask-questions")
    lines = plain(layout.body(view, 60, 9, UNICODE))
    assert len(lines) <= 9
    assert lines[-1].startswith("+ ") and "do" in lines[-1]


def test_ticks_notes_and_values_show() -> None:
    engine, _ = view_at("upset-customer", "ask-questions")
    engine.toggle(0)
    engine.note("Charged twice")
    engine.call.captures["order-ref"] = "AB123456"
    lines = plain(layout.body(engine.view(), 80, 21, UNICODE))
    text = "\n".join(lines)
    assert "1 ☑" in text and "2 ☐" in text
    assert "Charged twice" in text and "AB123456" in text


def test_ascii_glyphs_for_a_terminal_without_unicode() -> None:
    engine, _ = view_at("upset-customer", "stay-calm")
    engine.toggle(0)
    lines = plain(layout.body(engine.view(), 80, 21, ASCII))
    assert all(line.isascii() for line in lines)
    assert any("[x]" in line for line in lines)


def test_outside_text_never_reaches_the_terminal_as_codes() -> None:
    engine, _ = view_at("upset-customer", "stay-calm")
    engine.note("look \x1b]52;c;ZXZpbA==\x07 here [bold]not bold[/bold] \x9b2J")
    engine.call.customer = "Ana \x1b[2J"
    lines = plain([*layout.body(engine.view(), 80, 21, UNICODE),
                   layout.header(engine.view(), 80, UNICODE)])
    text = "\n".join(lines)
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "␛]52;c;ZXZpbA==␇" in text and "[bold]not bold[/bold]" in text


def test_the_key_line_shortens_words_before_it_drops_a_key() -> None:
    keys = [("Enter", "next", "next"), ("n", "note", "note"), ("m", "mood", "mood"),
            ("e", "escalate", "escalate"), ("q", "end call", "end"), ("?", "keys", "keys")]
    for width in (25, 32, 60, 80):
        line = "".join(text for _, text in layout.key_line(keys, width, ("Enter", "q", "?")))
        assert cells(line) <= width
        assert " Enter " in line and " q " in line and " ? " in line
    full = "".join(t for _, t in layout.key_line(keys, 80, ("Enter", "q", "?")))
    assert full == " Enter next  n note  m mood  e escalate  q end call  ? keys"
    short = "".join(t for _, t in layout.key_line(keys, 40, ("Enter", "q", "?")))
    assert " n " in short and " m " in short and " e " in short  # words went, keys stayed
    tiny = "".join(t for _, t in layout.key_line(keys, 26, ("Enter", "q", "?")))
    assert tiny.endswith(" ? more keys") and " m " not in tiny


def words_of(line: str) -> list[str]:
    return line.split()


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("step_id", ["stay-calm", "listen", "check-fault", "supervisor"])
def test_the_key_line_at_80_and_60_shows_every_key_that_works(step_id: str,
                                                              width: int) -> None:
    """Every key of the key table that works at the step is on the line (b once there is
    somewhere to go back to, 1-N as far as the checklist goes), in the table's order."""
    engine = new_call(builtin("upset-customer"))
    if step_id != "stay-calm":
        engine.advance()
        engine.call.visits[-1].step = step_id
    view = engine.view()
    line = plain([keys.key_line(view, width)])[0]
    assert cells(line) <= width
    working = [pair[0] for key in keys.KEYS if (pair := key.at(view)) is not None]
    assert [word for word in words_of(line) if word in working] == working
    assert "more keys" not in line
    assert ("b" in working) is (step_id != "stay-calm")


def test_the_key_line_keeps_words_while_they_fit() -> None:
    _, view = view_at("upset-customer", "stay-calm")
    assert plain([keys.key_line(view, 200)]) == [
        " Enter next  n note  m mood  1-2 tick  s skip  e escalate  p playbook  h handover"
        "  c customer  q end call  ? keys"]
    assert "e escalate" in plain([keys.key_line(view, 80)])[0]
    assert plain([keys.key_line(view, 40)])[0].endswith(" ? more keys")


@given(st.text(max_size=200), st.integers(min_value=1, max_value=120))
@settings(max_examples=300)
def test_wrap_and_clip_keep_to_the_width(text: str, width: int) -> None:
    text = text.replace("\r", "")
    for line in wrap(text, width):
        assert cells(line) <= width or len(line) == 1  # one wide character in one cell
    assert cells(clip(text, width)) <= width


def test_wrapped_text_keeps_its_indent() -> None:
    """A score card's indented lines stay indented, and so do the lines they wrap onto."""
    from deescalate.call.layout import wrap

    card = "Score card\n  ✓ Wrote down the facts the customer gave, every one of them"
    assert wrap(card, 30) == ["Score card", "  ✓ Wrote down the facts the",
                              "  customer gave, every one of", "  them"]
    assert wrap("   ", 10) == [""]
    assert wrap(" " * 20 + "word", 10) == ["word"]  # no room to indent: as before
