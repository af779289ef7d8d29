"""A finished call as the record writer takes it: plain data, whoever ran the call.

The call room (`deescalate.call`) makes one of its own model when a call ends; the
writer (`deescalate.records.writer`) needs nothing else, so the records room does not
depend on how calls are run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Visit(NamedTuple):
    """One time the call was on a step."""

    playbook: str  # the playbook the step belongs to
    step: str
    at: int  # seconds from the start of the call
    seconds: int


class Rating(NamedTuple):
    """A mood rating: at a step, seconds from the start, 1 to 5."""

    step: str
    at: int
    value: int


@dataclass(frozen=True)
class Marks:
    """What the agent marked at one step, kept across visits."""

    ticked: tuple[str, ...] = ()
    notes: tuple[tuple[int, str], ...] = ()  # (seconds from the start, text)
    skipped: bool = False
    skip_reason: str | None = None
    answer: str | None = None  # the branch option chosen
    taken_back: bool = False  # the call went back from the step (`b`) and not on again


@dataclass(frozen=True)
class FinishedCall:
    """Everything a call's record says. A front matter field of the same name is
    written from the attribute here; any other field of `format.FIELDS` from `more`."""

    playbook: str  # the playbook the call ended in
    playbook_version: int | None
    playbook_sha256: str
    agent: str
    customer: str | None
    reference: str | None
    started: str  # ISO 8601, UTC
    ended: str | None
    outcome: str | None
    escalated: bool
    root_cause: str | None
    summary: str | None
    follow_up: str | None  # ISO date
    visits: tuple[Visit, ...] = ()
    marks: Mapping[tuple[str, str], Marks] = field(default_factory=dict)  # (playbook, step)
    mood: tuple[Rating, ...] = ()
    captures: Mapping[str, Any] = field(default_factory=dict)
    handover: tuple[str, ...] | None = None  # the brief, when the call was escalated
    record_suffix: str | None = None  # the record's id ends in it, when set
    more: Mapping[str, Any] = field(default_factory=dict)  # other fields, by name
