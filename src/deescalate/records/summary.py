"""What the record commands need from one record: a `Summary`, or why not (`Unreadable`).

Both readers make the same `Summary` of a record (`deescalate.records.fastreader` for
the writer's own layout, `deescalate.records.reader` for anything else); the store
caches it, and listing, stats, export and follow-ups use nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from deescalate.records.format import MAX_WHOLE


class StepVisit(NamedTuple):
    """One `steps` entry of a record: a step the call reached, for `records stats --by step`.

    `mood_in` is the last mood rating given at or before the call first reached the
    step, `mood_out` the last one given at or before it last left it (None: no rating
    by then, or times that can't be read). Times are seconds from the call's start."""

    step: str
    playbook: str | None  # the step's playbook when not the record's own (the call switched)
    at: int | None  # first arrival
    seconds: int | None  # all visits together
    skipped: bool
    answer: str | None  # the branch option chosen last
    mood_in: int | None
    mood_out: int | None
    unticked: int | None = None  # checklist items left unticked (None: can't be told)


class Summary(NamedTuple):
    """What the record commands need from one record: a column of
    `deescalate.records.format.FIELDS` each, built by keyword. A column the code reads
    by name is an attribute here; any other is in `more`, by name, and reaches the
    index, the exports and `records show` all the same."""

    id: str
    playbook: str
    playbook_version: int | None
    agent: str
    customer: str | None
    reference: str | None
    started: str  # UTC, 2026-11-22T14:30:12Z, so text order is time order
    ended: str
    duration: int  # seconds
    outcome: str
    escalated: bool
    root_cause: str | None
    summary: str | None
    follow_up: str | None  # 2026-11-25
    follow_up_done: str | None
    mood_start: int | None
    mood_end: int | None
    steps: int  # step visits
    skipped: tuple[str, ...]  # ids of the steps skipped, each once, in call order
    redactions: int
    tags: tuple[str, ...]
    path: str  # relative to the records folder, '/'-separated
    # Every playbook the call used, in order, when it switched (else empty).
    playbooks: tuple[str, ...] = ()
    # One per `steps` entry, in order; empty when the index was asked without them.
    visits: tuple[StepVisit, ...] = ()
    # The columns not named above, (name, value) in the order of the fields.
    more: tuple[tuple[str, Any], ...] = ()

    def get(self, name: str) -> Any:
        """The column `name`, wherever it is kept."""
        if name in _ATTRIBUTES:
            return getattr(self, name)
        return dict(self.more).get(name)

    @property
    def used_playbooks(self) -> tuple[str, ...]:
        """Every playbook the call used, in order: `playbooks`, or just `playbook`."""
        return self.playbooks or (self.playbook,)

    @property
    def day(self) -> str:
        """The UTC date the call started, 2026-11-22."""
        return self.started[:10]

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up is not None and self.follow_up_done is None

    def used(self, playbook: str) -> bool:
        """Whether the call used `playbook` at any point (ended in it, or switched)."""
        return self.playbook == playbook or playbook in self.playbooks


# What Summary has by name: its fields and its properties.
_ATTRIBUTES = frozenset(Summary._fields) | {
    name for name, value in vars(Summary).items() if isinstance(value, property)}


_PICK = itemgetter(*Summary._fields)


def make(values: dict[str, Any], more: tuple[str, ...]) -> Summary:
    """A Summary of the columns in `values`, by name (every one of its fields but
    `more`); those named in `more` (the columns Summary has no attribute for, see
    `extra_columns`) go in its `more`. Quicker than Summary(**values)."""
    values["more"] = tuple((name, values[name]) for name in more) if more else ()
    return Summary._make(_PICK(values))


def extra_columns(names: Iterable[str]) -> tuple[str, ...]:
    """Those of the columns `names` that Summary has no attribute for."""
    return tuple(name for name in names if name not in _ATTRIBUTES)


class Unreadable(ValueError):
    """A record the commands can't use; the message says why, for `records check`."""


def step_visits(entries: Iterable[tuple[str, str | None, int | None, int | None, bool,
                                        str | None, Sequence[tuple[int, int]], int | None]],
                moods: Sequence[tuple[int, int]] | None) -> tuple[StepVisit, ...]:
    """The StepVisits of a record's `steps` entries, each given as (id, playbook, at,
    seconds, skipped, answer, visits as (at, seconds) pairs, how many checklist items
    were left unticked), with the mood across each
    from `moods`, the (at, value) ratings in the order given (None: their times can't
    be read). Both readers make the same visits through this."""
    found = []
    make = StepVisit
    for step, playbook, at, seconds, skipped, answer, visits, unticked in entries:
        mood_in = mood_out = None
        if moods and at is not None and seconds is not None:
            leave = max(start + length for start, length in visits) if visits else at + seconds
            for when, value in moods:
                if when <= leave:
                    mood_out = value
                    if when <= at:
                        mood_in = value
            if mood_in is None:
                mood_out = None
        found.append(make(step, playbook, at, seconds, skipped, answer, mood_in, mood_out,
                          unticked))
    return tuple(found)


def whole(value: Any) -> int | None:
    """`value` if it is a whole number a record may hold (0 to MAX_WHOLE), else None."""
    return value if type(value) is int and 0 <= value <= MAX_WHOLE else None
