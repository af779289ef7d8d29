"""What the record commands need from one record: a `Summary`, or why not (`Unreadable`).

Both readers make the same `Summary` of a record (`deescalate.records.fastreader` for
the writer's own layout, `deescalate.records.reader` for anything else); the store
caches it, and listing, stats, export and follow-ups use nothing else.
"""

from __future__ import annotations

from typing import NamedTuple


class Summary(NamedTuple):
    """What the record commands need from one record; a plain tuple, so it caches as JSON."""

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

    @property
    def day(self) -> str:
        """The UTC date the call started, 2026-11-22."""
        return self.started[:10]

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up is not None and self.follow_up_done is None


class Unreadable(ValueError):
    """A record the commands can't use; the message says why, for `records check`."""
