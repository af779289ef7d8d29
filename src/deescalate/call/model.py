"""A call as plain data: where it has been, what was noted, how it ended.

Saved as JSON after every answer (by `deescalate.call.saved`), driven by the engine
(`deescalate.call.engine`) and written as a record by `deescalate.records.writer`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

STATE_VERSION = 1


@dataclass
class Note:
    at: int
    text: str


@dataclass
class Visit:
    """One time the call was on a step."""

    step: str
    at: int  # seconds from the start of the call
    seconds: int = 0
    skipped: bool = False
    skip_reason: str | None = None
    ticked: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    answer: str | None = None  # the branch option chosen here


@dataclass
class Mood:
    step: str
    at: int
    value: int


@dataclass
class Call:
    """Everything about one call; saved as JSON after every answer."""

    id: str
    playbook: str
    playbook_version: int | None
    playbook_sha256: str
    playbook_text: str  # the playbook as it was when the call started, to resume exactly
    playbook_path: str | None
    agent: str
    customer: str | None
    reference: str | None
    records: str  # the records folder chosen at the start
    started: str  # ISO 8601, UTC
    visits: list[Visit] = field(default_factory=list)
    trail: list[str] = field(default_factory=list)  # steps walked forward, for Back
    captures: dict[str, Any] = field(default_factory=dict)
    mood: list[Mood] = field(default_factory=list)
    escalated: bool = False
    phase: str = "steps"  # steps, wrap-up, done
    ended: str | None = None
    outcome: str | None = None
    summary: str | None = None
    root_cause: str | None = None
    root_cause_asked: bool = False
    follow_up: str | None = None  # ISO date
    draft: dict[str, str] = field(default_factory=dict)  # text typed when a prompt was cut off
    record_suffix: str | None = None  # chosen before the record is written, to write it once
    state: int = STATE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Call:
        data = dict(data)
        data["visits"] = [Visit(**{**v, "notes": [Note(**n) for n in v.get("notes", [])]})
                          for v in data.get("visits", [])]
        data["mood"] = [Mood(**m) for m in data.get("mood", [])]
        return cls(**data)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
