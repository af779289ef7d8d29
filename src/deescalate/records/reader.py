"""Reading a record file into a `Summary`: the fast reader first, the safe one always.

Two readers, one answer. `deescalate.records.fastreader` reads the front matter of a
record exactly as the writer lays it out (nearly every record) with a few regular
expressions, in some tens of microseconds. Anything else, a hand edit, another
tool's YAML, a merge, goes to the safe reader here: `deescalate.safeyaml` (caps on
size, nesting and aliases; core tags only) and `summarize`, which checks each field
and says what is wrong. The fast reader returns a Summary only when it is exactly
what the safe reader would make of the same text; the tests hold it to that.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from deescalate.records import format as record_format
from deescalate.records.format import (
    ID,
    ID_EXAMPLE,
    MAX_BYTES,
    MAX_WHOLE,
    OUTCOMES,
    VERSION,
    Field,
    columns,
)
from deescalate.records.summary import (
    Summary,
    Unreadable,
    extra_columns,
    make,
    step_visits,
    whole,
)

_INT = {int}
_STR = {str}
_BOOL = {bool}
_STR_INT = {str, int}


# -- the safe path and the summary -----------------------------------------------------

def split(text: str) -> tuple[str, str]:
    """A record's front matter text and its body; Unreadable if there is no front matter."""
    if not text.startswith("---\n"):
        raise Unreadable("the file does not start with a '---' line")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise Unreadable("the front matter has no closing '---' line")
    return text[4:end + 1], text[end + 5:]


def load_safely(head: str) -> dict[str, Any]:
    """The front matter as data, read by the safe parser alone; Unreadable if it can't be."""
    from deescalate import safeyaml

    try:
        data = safeyaml.load(head)
    except safeyaml.YamlError as exc:
        # Line 1 of the front matter is line 2 of the file.
        raise Unreadable(f"the front matter does not parse (line {exc.line + 1}: "
                         f"{exc.message})") from None
    if not isinstance(data, dict):
        raise Unreadable("the front matter is not a mapping of fields")
    return data


def decode(data: bytes) -> str:
    """A record's text: UTF-8, with Windows line ends read as plain ones."""
    if len(data) > MAX_BYTES:
        raise Unreadable(f"the file is larger than {MAX_BYTES:,} bytes, the most "
                         "a record may be")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte {exc.start} can't be decoded)") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n") if "\r" in text else text


def read(data: bytes, path: str, *, visits: bool = True) -> Summary:
    """The summary of a record file's bytes (with its step visits, unless not
    `visits`: they may then be left out); Unreadable says what is wrong."""
    from deescalate.records.fastreader import load, summary, summary_of_other_times

    head, _ = split(decode(data))
    fast = summary(head, path, visits=visits) or summary_of_other_times(
        head, path, visits=visits)
    if fast is not None:
        return fast
    return summarize(load(head) or load_safely(head), path, visits=visits)


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise Unreadable(f"'{key}' is empty" if key in data else
                             f"the required field '{key}' is missing")
        return None
    if not isinstance(value, str):
        raise Unreadable(f"'{key}' should be text, not {_shown(value)}")
    if required and not value.strip():
        raise Unreadable(f"'{key}' is empty")
    return value


def _int(data: dict[str, Any], key: str, *, default: int | None = None) -> int | None:
    value = data.get(key)
    if value is None:
        return default
    if type(value) is not int or value < 0:
        raise Unreadable(f"'{key}' should be a whole number of at least 0, not {_shown(value)}")
    if value > MAX_WHOLE:
        raise Unreadable(f"'{key}' is {_shown(value)}, more than the {MAX_WHOLE:,} a record "
                         "can hold")
    return value


def _moment(data: dict[str, Any], key: str) -> str:
    """A timestamp field as UTC text, 2026-11-22T14:30:12Z. Taken as YAML reads it
    unquoted, with or without an offset (none: UTC), or quoted, as other tools write
    it: `'2026-11-22T14:30:12Z'` is the same moment."""
    value = data.get(key)
    if isinstance(value, str):
        value = _yaml_timestamp(value)
    if not isinstance(value, datetime):
        if isinstance(value, date):
            raise Unreadable(f"'{key}' is the date {_shown(value)} without a time of day; "
                             "give a date and time like 2026-11-22T14:30:12Z")
        raise Unreadable(f"'{key}' should be a date and time like 2026-11-22T14:30:12Z, "
                         f"not {_shown(data.get(key))}")
    offset = value.utcoffset()
    if offset:
        try:
            value -= offset  # the wall clock in UTC; the slice below drops the offset shown
        except OverflowError:
            raise Unreadable(f"'{key}' {_shown(value)} is out of range: in UTC it falls "
                             "outside the years 1 to 9999") from None
    return value.isoformat()[:19] + "Z"  # strftime takes ten times as long


def _day(data: dict[str, Any], key: str) -> str | None:
    """A date field as 2026-11-25, or None. Quoted (`'2026-11-25'`) is the same date;
    a date and time gives the date written in it."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = _yaml_timestamp(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if not isinstance(value, date):
        raise Unreadable(f"'{key}' should be a date like 2026-11-25 or null, not "
                         f"{_shown(data.get(key))}")
    return value.isoformat()


_USUAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?\Z")


def _yaml_timestamp(text: str) -> Any:
    """What YAML makes of `text` written unquoted, when that is a date or a date and
    time; else `text` itself. Other tools quote timestamps, and mean the same."""
    from deescalate.safeyaml import timestamp, timestamp_pattern

    text = text.strip()
    usual = _USUAL_TIME.match(text)
    if usual is not None:
        # The usual spellings, 2026-11-22T14:30:12Z and 2026-11-25, as YAML reads them
        # (a date that does not exist stays text there too), without its constructor.
        try:
            return (datetime.fromisoformat(text) if usual[1] else date.fromisoformat(text))
        except ValueError:
            return text
    if not timestamp_pattern().fullmatch(text):
        return text
    return timestamp(text)


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Unreadable(f"'{key}' should be a list, not {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return repr(text if len(text) <= 40 else text[:37] + "...")


def summarize(data: dict[str, Any], path: str, *, visits: bool = True) -> Summary:
    """The summary of a record's front matter; Unreadable names the first problem.
    Without `visits`, its step visits are left out (never a reason to refuse one)."""
    fields = record_format.FIELDS
    for field in fields:
        if field.required and field.name not in data:
            raise Unreadable(f"the required field '{field.name}' is missing")
    values: dict[str, Any] = {"path": path}
    order, more = _plan(fields)
    for field in order:
        _READ[field.kind](data, field, values)
    # The moods and steps readers leave their checked lists for the step visits.
    moods = values.pop(_MOODS)
    values["visits"] = _visits(values["visits"], moods) if visits else ()
    return make(values, more)


def _plan(fields: tuple[Field, ...]) -> tuple[tuple[Field, ...], Any]:
    """The fields in the order `summarize` checks them, and the extra columns: worked
    out once for each table of fields (a test may change the table). Kept by the
    table's identity: hashing every field each time would cost more than the rest."""
    kept = _plans.get(id(fields))
    if kept is not None and kept[0] is fields:
        return kept[1], kept[2]
    first = [field for name in _FIRST for field in fields if field.name == name]
    order = (*first, *(field for field in fields if field.name not in _FIRST))
    more = extra_columns(column.name for column in columns(fields))
    _plans[id(fields)] = (fields, order, more)
    return order, more


_plans: dict[int, tuple[tuple[Field, ...], tuple[Field, ...], Any]] = {}


# Checked first, in this order (the order `records check` has always named a record's
# first problem in); the other fields follow in the order of FIELDS.
_FIRST = ("record", "id", "outcome", "escalated", "duration_seconds", "mood", "steps",
          "tags", "captures")
_MOODS = " moods"  # where the moods reader leaves the checked ratings: not a column


def _column(field: Field) -> str:
    kept = _columns.get(id(field))
    if kept is not None and kept[0] is field:
        return kept[1]
    name = field.summed_up[0].name if field.summed_up else field.name
    _columns[id(field)] = (field, name)
    return name


_columns: dict[int, tuple[Field, str]] = {}  # by the field's identity, as _plans


def _record(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    version = data[field.name]
    if version != VERSION or type(version) is not int:
        raise Unreadable(f"'record' is {_shown(version)}; this version of deescalate reads "
                         f"record format {VERSION}")


def _id(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    identifier = _text(data, field.name, required=True)
    assert identifier is not None
    if not ID.match(identifier):
        raise Unreadable(f"'id' {_shown(identifier)} is not a record id like {ID_EXAMPLE}")
    values[_column(field)] = identifier


def _outcome(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    outcome = _text(data, field.name, required=True)
    if outcome not in OUTCOMES:
        raise Unreadable(f"'outcome' is {_shown(outcome)}, not one of {', '.join(OUTCOMES)}")
    values[_column(field)] = _intern(outcome)


def _bool(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    value = data.get(field.name)
    if value is None and not field.required:
        value = field.default
    elif not isinstance(value, bool):
        raise Unreadable(f"'{field.name}' should be true or false, not {_shown(value)}")
    values[_column(field)] = value


def _whole(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    value = _int(data, field.name, default=field.default)
    if value is None and field.required:
        raise Unreadable(f"'{field.name}' is empty")
    values[_column(field)] = value


def _text_field(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    value = _text(data, field.name, required=field.required)
    if value is not None and field.kind == "name":
        value = _intern(value)
    values[_column(field)] = field.default if value is None else value


def _moment_field(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    empty = data.get(field.name) is None and not field.required
    values[_column(field)] = field.default if empty else _moment(data, field.name)


def _day_field(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    values[_column(field)] = _day(data, field.name)


def _words(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    words = _list(data, field.name)
    if not all(isinstance(word, str) for word in words):
        raise Unreadable(f"'{field.name}' should be a list of words")
    values[_column(field)] = tuple(words)


def _moods(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    moods = _list(data, field.name)
    try:  # comprehensions and type sets, not a loop of checks: this runs 100,000 times
        ratings = [entry["value"] for entry in moods]
        kinds = {type(entry["step"]) for entry in moods} | {type(entry["at"]) for entry in moods}
    except (TypeError, KeyError):
        kinds = set()
        ratings = [None]
    if ratings and (not {type(value) for value in ratings} <= _INT or min(ratings) < 1
                    or max(ratings) > 5 or not kinds <= _STR_INT):
        raise Unreadable("each 'mood' entry should be {step: ID, at: SECONDS, value: 1-5}")
    values["mood_start"] = ratings[0] if ratings else None
    values["mood_end"] = ratings[-1] if ratings else None
    values[_MOODS] = moods


def _steps(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    steps = _list(data, field.name)
    try:
        ids = [entry["id"] for entry in steps]
        flags = [entry.get("skipped", False) for entry in steps]
    except (TypeError, KeyError, AttributeError):
        ids = [None]
        flags = []
    if not {type(identifier) for identifier in ids} <= _STR or not {
            type(flag) for flag in flags} <= _BOOL:
        raise Unreadable("each 'steps' entry should be a mapping with an 'id' and "
                         "'skipped: true|false'")
    values["steps"] = len(steps)
    values["skipped"] = tuple(dict.fromkeys(
        identifier for identifier, flag in zip(ids, flags, strict=True) if flag))
    values["visits"] = steps


def _playbooks(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    used = data.get(field.name)  # never a reason to refuse: the record's own playbook stands
    values[_column(field)] = (tuple(name for name in used if isinstance(name, str))
                              if isinstance(used, list) else ())


def _captures(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    captures = data.get(field.name)
    if captures is not None and not isinstance(captures, dict):
        raise Unreadable(f"'captures' should be a mapping, not {_shown(captures)}")


def _unread(data: dict[str, Any], field: Field, values: dict[str, Any]) -> None:
    """A field not summed up and never a reason to refuse (`playbook_sha256`)."""


_READ: dict[str, Callable[[dict[str, Any], Field, dict[str, Any]], None]] = {
    "record": _record, "id": _id, "outcome": _outcome, "bool": _bool, "whole": _whole,
    "count": _whole, "text": _text_field, "name": _text_field,
    "moment": _moment_field, "day": _day_field, "words": _words, "moods": _moods,
    "steps": _steps, "playbooks": _playbooks, "captures": _captures, "sha256": _unread,
}


def _visits(steps: list[Any], moods: list[Any]) -> tuple[Any, ...]:
    """The StepVisits of checked `steps` entries; a value of the wrong kind in the parts
    not checked (times, answer, playbook) is left out, never a reason to refuse."""
    entries = []
    for entry in steps:
        visits = entry.get("visits")
        spans: list[tuple[int | None, int | None]] = []
        if isinstance(visits, list):
            for visit in visits:
                span = ((whole(visit.get("at")), whole(visit.get("seconds")))
                        if isinstance(visit, dict) else (None, None))
                if None in span:
                    spans = []
                    break
                spans.append(span)
        answer, playbook = entry.get("answer"), entry.get("playbook")
        unticked = entry.get("unticked")
        entries.append((entry["id"], playbook if isinstance(playbook, str) else None,
                        whole(entry.get("at")), whole(entry.get("seconds")),
                        entry.get("skipped", False),
                        answer if isinstance(answer, str) else None, spans,
                        len(unticked) if isinstance(unticked, list) else None))
    times = [whole(mood["at"]) for mood in moods]
    ratings = None if None in times else [(when, mood["value"])
                                          for when, mood in zip(times, moods, strict=True)]
    return step_visits(entries, ratings)  # type: ignore[arg-type]


def _intern(value: str | None) -> Any:
    """One copy of each agent, playbook and outcome name, however many records share it."""
    return sys.intern(value) if value is not None else None
