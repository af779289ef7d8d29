"""The capture types: what each kind of write-down field takes, in one table.

A capture's `type` in a playbook names an entry of TYPES. The schema's enum, the call
engine's parsing, the screens' prompts, the record's timeline and the practice's
stand-ins all read it from here, so a new type is one entry (copier keeps its question
types the same way). Pure Python: only the standard library and `dates`.
"""

from __future__ import annotations

import re
from collections import UserDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from deescalate import dates
from deescalate.playbooks.format import Capture

# What a capture keeps in the call and writes in the record: text, a number or yes/no.
Value = str | int | float | bool


class CaptureError(ValueError):
    """A captured value that doesn't fit its field; the message says what would."""


def _typed(_: Capture) -> tuple[str, ...]:
    return ()


def _no_hint(_: Capture) -> str:
    return ""


def _written_down(_: Capture) -> str:
    return "(written down in practice)"


@dataclass(frozen=True)
class CaptureType:
    """One capture type: how its answer is read, asked and shown.

    `parse` gets the answer as typed, stripped and never empty, and returns the value to
    keep, or raises CaptureError saying what would fit; the record writes that value as it
    is, so it must be one of `Value`.
    """

    parse: Callable[[Capture, str, date | None], Value]
    options: Callable[[Capture], tuple[str, ...]] = _typed  # picked from these; () is typed
    hint: Callable[[Capture], str] = _no_hint  # shown under the prompt while typing
    # What a typed answer will become (a date, say), or ValueError while it is no answer.
    preview: Callable[[Capture, str, date | None], str] | None = None
    # Free text: typed over several lines and kept with its spaces; in practice any words
    # fit the scenario's fact.
    free_text: bool = False
    stand_in: Callable[[Capture], str] = _written_down  # fits in practice when no fact does
    shown: Callable[[Any], str] = str  # the value as words, in the record's timeline


NUMBER_HINT = "a number: 89,00 · 1.234,50 · 1,234.50 · £89 · 89 EUR"
# The longest answer a one-line field takes when it has a pattern (matched against no
# more), and the longest typed answer of any kind.
LINE_LIMIT = 200
ANSWER_LIMIT = 4000


def _text(capture: Capture, text: str, _: date | None) -> str:
    if len(text) > ANSWER_LIMIT:
        raise CaptureError(f"{capture.label} is {len(text):,} characters; at most "
                           f"{ANSWER_LIMIT:,} fit in one answer: cut it down")
    if capture.pattern:
        from deescalate.playbooks.patterns import example

        if len(text) > LINE_LIMIT or not (
                re.fullmatch(capture.pattern, text)
                or re.fullmatch(capture.pattern, text := text.upper())):
            raise CaptureError(f"{capture.label} should look like "
                               f"{example(capture.pattern)}")
    return text


def _number(capture: Capture, text: str, _: date | None) -> int | float:
    from deescalate.playbooks.numbers import read

    try:
        return read(text, capture.label).value
    except ValueError as exc:
        raise CaptureError(str(exc)) from None


def _number_preview(capture: Capture, text: str, _: date | None) -> str:
    from deescalate.playbooks.numbers import read

    return read(text, capture.label).echo


def _choice(capture: Capture, text: str, _: date | None) -> str:
    for choice in capture.choices:
        if text.lower() == choice.lower():
            return choice
    raise CaptureError(f"{capture.label} should be one of: {', '.join(capture.choices)}")


def _yes_no(capture: Capture, text: str, _: date | None) -> bool:
    answer = text.lower()
    if answer in ("y", "yes", "true"):
        return True
    if answer in ("n", "no", "false"):
        return False
    raise CaptureError(f"{capture.label}: answer yes or no")


def _yes_or_no(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


_AHEAD = re.compile(r"\b(by|due|will|until|follow|next|deadline|promised?|expected|back)\b",
                    re.IGNORECASE)


def date_direction(capture: Capture) -> dates.Direction:
    """Which way a bare weekday points for a date field: ahead for `Fix complete by`,
    `When it will be done`; back for `When the problem started`, `Date of purchase`."""
    return "future" if _AHEAD.search(f"{capture.label} {capture.id.replace('-', ' ')}") else "past"


def _day(capture: Capture, text: str, today: date | None) -> date:
    return dates.parse_date(text, base=today, prefer=date_direction(capture))


def _date(capture: Capture, text: str, today: date | None) -> str:
    try:
        return _day(capture, text, today).isoformat()
    except ValueError as exc:
        raise CaptureError(f"{capture.label}: {exc}") from None


def _date_hint(capture: Capture) -> str:
    return dates.hint(date_direction(capture))


def _date_preview(capture: Capture, text: str, today: date | None) -> str:
    return dates.describe(_day(capture, text, today), base=today)


class Types(UserDict[str, CaptureType]):
    """The table of capture types by name, keeping `names` (the schema's enum, a plain
    list) in step with its keys, also when a test adds a type for a while."""

    def __init__(self, types: dict[str, CaptureType]) -> None:
        self.names: list[str] = []
        super().__init__(types)

    def __setitem__(self, name: str, kind: CaptureType) -> None:
        if name not in self.data:
            self.names.append(name)
        self.data[name] = kind

    def __delitem__(self, name: str) -> None:
        del self.data[name]
        self.names.remove(name)


TYPES = Types({
    "line": CaptureType(_text),
    "text": CaptureType(_text, free_text=True),
    "number": CaptureType(_number, hint=lambda _: NUMBER_HINT, preview=_number_preview,
                          stand_in=lambda _: "0"),
    "choice": CaptureType(_choice, options=lambda capture: capture.choices,
                          stand_in=lambda capture: capture.choices[0]),
    "yes-no": CaptureType(_yes_no, options=lambda _: ("yes", "no"), stand_in=lambda _: "yes",
                          shown=_yes_or_no),
    "date": CaptureType(_date, hint=_date_hint, preview=_date_preview,
                        stand_in=lambda _: "today"),
})


def kind_of(capture: Capture) -> CaptureType | None:
    """The capture's type, None for a name not in the table (the loader refuses those)."""
    return TYPES.get(capture.type)


def parse_capture(capture: Capture, raw: str | None, *, today: date | None = None) -> Any:
    """The value to keep for what the agent typed, None when left empty, or CaptureError."""
    kind = kind_of(capture)
    text = (raw or "").strip("\n") if kind and kind.free_text else (raw or "").strip()
    if not text.strip():
        if capture.required:
            raise CaptureError(f"{capture.label} is required")
        return None
    if kind is None:  # pragma: no cover - a loaded playbook names only known types
        raise CaptureError(f"{capture.label}: unknown type {capture.type}")
    return kind.parse(capture, text, today)
