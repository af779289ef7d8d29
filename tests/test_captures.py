"""The capture table: every type's entry works end to end, and a type added to the table
at test time is taken by the schema, the engine, both screens, the record and practice."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from deescalate.call.engine import CaptureError, capture_prompt, parse_capture, run_call
from deescalate.call.plain import PlainScreen
from deescalate.call.record import finished
from deescalate.call.screen import LiveScreen
from deescalate.playbooks import captures
from deescalate.playbooks.captures import TYPES, CaptureType
from deescalate.playbooks.format import Capture
from deescalate.playbooks.loader import check_bytes
from deescalate.playbooks.schema import SCHEMA
from deescalate.practice.engine import stand_in
from deescalate.records import fastreader
from deescalate.records.reader import read, split
from deescalate.records.writer import write_record
from deescalate.redaction import Redactor
from tests.engine_script import Clock, Script, end_call, next_step, wrap_up

TODAY = date(2026, 11, 22)


def _money(capture: Capture, text: str, _: date | None) -> str:
    found = re.fullmatch(r"(?:€\s*|EUR\s*)?([0-9]+(?:\.[0-9]{1,2})?)(?:\s*EUR)?", text)
    if found is None:
        raise CaptureError(f"{capture.label} should be an amount, like 12.50 EUR")
    # The currency first: the fast reader leaves plain text that starts with a digit to the
    # safe reader, and every record of this type would read slowly.
    return f"EUR {float(found[1]):.2f}"


MONEY = CaptureType(_money, hint=lambda _: "an amount, like 12.50 EUR",
                    stand_in=lambda _: "EUR 1.00", shown=lambda value: f"{value} (money)")

PLAYBOOK = b"""title: Refunds
steps:
  - id: ask
    title: Ask
    capture:
      - {id: refund, label: Refund owed, type: money, required: true}
"""


@pytest.fixture
def money(monkeypatch: pytest.MonkeyPatch) -> CaptureType:
    monkeypatch.setitem(TYPES, "money", MONEY)
    return MONEY


def test_the_schema_enum_is_the_table() -> None:
    enum = SCHEMA["$defs"]["capture"]["properties"]["type"]["enum"]
    assert enum == list(TYPES) == ["line", "text", "number", "choice", "yes-no", "date"]


def test_a_type_unknown_to_the_table_is_refused() -> None:
    _, problems = check_bytes(PLAYBOOK, Path("refunds.yaml"), "refunds.yaml")
    assert [p.message for p in problems if "money" in p.message]


def test_a_type_added_to_the_table_is_valid_and_parsed(money: CaptureType) -> None:
    enum = SCHEMA["$defs"]["capture"]["properties"]["type"]["enum"]
    assert enum[-1] == "money"
    book, problems = check_bytes(PLAYBOOK, Path("refunds.yaml"), "refunds.yaml")
    assert problems == [] and book is not None
    capture = book.step("ask").capture[0]
    assert parse_capture(capture, " €12.5 ") == "EUR 12.50"
    with pytest.raises(CaptureError, match=r"like 12\.50 EUR"):
        parse_capture(capture, "twelve")
    with pytest.raises(CaptureError, match="is required"):
        parse_capture(capture, "  ")


def test_the_table_is_left_as_it_was_after_a_test_adds_to_it() -> None:
    assert "money" not in TYPES and "money" not in TYPES.names


class Asked:
    """Stands in for a screen's own questions, to see what its `capture` asks them."""

    def __init__(self, answer: str) -> None:
        from tests.engine_script import builtin, new_call

        self.engine = new_call(builtin("upset-customer"))
        self.answer = answer
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def text(self, label: str, **kwargs: Any) -> str:
        self.asked.append((label, kwargs))
        return self.answer

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        self.asked.append((question, {"options": options, "default": default}))
        return 0


@pytest.mark.parametrize("screen", [LiveScreen, PlainScreen])
def test_both_screens_ask_for_a_new_type_as_the_table_says(money: CaptureType,
                                                           screen: Any) -> None:
    capture = Capture("refund", "Refund owed", "money", required=True)
    asked = Asked("12.5")
    assert screen.capture(asked, capture, None, None) == "12.5"
    [(label, kwargs)] = asked.asked
    assert label == "Refund owed" and kwargs["key"] == "capture:refund"
    assert kwargs["check"]("twelve") == "Refund owed should be an amount, like 12.50 EUR"
    assert kwargs["check"]("12.5") is None
    if screen is LiveScreen:  # the plain screen shows no hints
        assert kwargs["hint"] == "an amount, like 12.50 EUR"


def test_a_new_type_is_written_in_the_record_and_read_back_fast(
        money: CaptureType, tmp_path: Path) -> None:
    book, _ = check_bytes(PLAYBOOK, Path("refunds.yaml"), "refunds.yaml")
    assert book is not None
    from deescalate.call.engine import CallEngine

    engine = CallEngine.start(book, PLAYBOOK.decode(), call_id="20261122-143012-abcd",
                              agent="jdoe", customer=None, reference=None,
                              records=str(tmp_path), clock=Clock())
    script = Script(next_step("twelve", "€12.5"),  # the only step: then the wrap-up
                    wrap_up(outcome="resolved", summary="Refund agreed"))
    run_call(engine, script, lambda call: None, [])
    assert script.problems == ["Refund owed should be an amount, like 12.50 EUR"]
    path = write_record(tmp_path, finished(engine.call), book, Redactor())
    text = path.read_text(encoding="utf-8")
    head, _ = split(text)
    assert yaml.safe_load(head)["captures"] == {"refund": "EUR 12.50"}
    assert "Refund owed: EUR 12.50 (money)" in text  # the timeline, as the type shows it
    quick = fastreader.summary(head, "r.md")
    assert quick is not None and quick == read(path.read_bytes(), "r.md")


def test_a_new_type_has_a_stand_in_in_practice(money: CaptureType) -> None:
    capture = Capture("refund", "Refund owed", "money", required=True)
    assert stand_in(capture) == "EUR 1.00"
    assert parse_capture(capture, stand_in(capture)) == "EUR 1.00"


def _capture(name: str) -> Capture:
    return Capture(f"a-{name}", f"A {name}", name, required=True,
                   choices=("Refund", "Exchange") if name == "choice" else ())


@pytest.mark.parametrize("name", list(TYPES))
def test_every_type_s_stand_in_fits_and_its_prompt_checks_it(name: str) -> None:
    capture = _capture(name)
    value = parse_capture(capture, stand_in(capture), today=TODAY)
    assert value is not None
    prompt = capture_prompt(capture, lambda: TODAY)
    if prompt.options:  # picked: every option is a fitting answer
        assert all(parse_capture(capture, option) is not None for option in prompt.options)
        assert prompt.chosen(value) is not None
    else:
        assert prompt.check(stand_in(capture)) is None


@pytest.mark.parametrize("name", list(TYPES))
def test_every_type_s_value_keeps_a_record_on_the_fast_path(name: str, tmp_path: Path) -> None:
    """A type whose values the fast reader can't take would send every record holding
    one to the slow reader, with no test failing: here one would."""
    capture = _capture(name)
    value = parse_capture(capture, stand_in(capture), today=TODAY)
    text = f"""title: One
steps:
  - id: one
    title: One
    capture:
      - {{id: {capture.id}, label: {capture.label}, type: {name}, required: true{
        ", choices: [Refund, Exchange]" if name == "choice" else ""}}}
"""
    book, problems = check_bytes(text.encode(), Path("one.yaml"), "one.yaml")
    assert problems == [] and book is not None
    from deescalate.call.engine import CallEngine

    engine = CallEngine.start(book, text, call_id="20261122-143012-abcd", agent="jdoe",
                              customer=None, reference=None, records=str(tmp_path),
                              clock=Clock())
    engine.set_capture(book.step("one").capture[0], stand_in(capture))
    run_call(engine, Script(end_call(), wrap_up(outcome="resolved")), lambda call: None, [])
    path = write_record(tmp_path, finished(engine.call), book, Redactor())
    head, _ = split(path.read_text(encoding="utf-8"))
    assert yaml.safe_load(head)["captures"] == {capture.id: value}
    quick = fastreader.summary(head, "r.md")
    assert quick is not None and quick == read(path.read_bytes(), "r.md")


def test_the_table_module_stays_light() -> None:
    """Imported by the schema, so by `playbooks validate`: no room above it, nothing heavy."""
    import ast

    tree = ast.parse(Path(captures.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert imported <= {"__future__", "re", "collections", "collections.abc", "dataclasses",
                        "datetime", "typing", "deescalate", "deescalate.playbooks.format",
                        # the standard library only, and imported when a value is read
                        "deescalate.playbooks.numbers", "deescalate.playbooks.patterns"}
