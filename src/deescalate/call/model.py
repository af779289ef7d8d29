"""A call as plain data: where it has been, what was noted, how it ended.

Saved as JSON after every answer (by `deescalate.call.saved`), driven by the engine
(`deescalate.call.engine`) and written as a record by `deescalate.records.writer`.

What the agent marks at a step (ticks, notes, a skip, a branch answer) belongs to the
step, not to one visit: going back and forward again keeps it. Visits keep the times.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

STATE_VERSION = 2


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
    playbook: str = ""  # the playbook the step belongs to


@dataclass
class Marks:
    """What the agent marked at one step, kept across visits."""

    ticked: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: bool = False
    skip_reason: str | None = None
    answer: str | None = None  # the branch option chosen here


@dataclass
class Mood:
    step: str
    at: int
    value: int


@dataclass
class Book:
    """A playbook the call used, as it was when the call took it up."""

    id: str
    version: int | None
    sha256: str
    text: str  # to resume exactly, whatever happens to the file meanwhile
    path: str | None


@dataclass
class Call:
    """Everything about one call; saved as JSON after every answer."""

    id: str
    playbook: str  # the playbook the call is on now
    agent: str
    customer: str | None
    reference: str | None
    records: str  # the records folder chosen at the start
    started: str  # ISO 8601, UTC
    books: list[Book] = field(default_factory=list)  # every playbook taken up, in order
    visits: list[Visit] = field(default_factory=list)
    marks: dict[str, Marks] = field(default_factory=dict)  # by `mark_key(playbook, step)`
    trail: list[list[str]] = field(default_factory=list)  # [playbook, step] walked, for Back
    captures: dict[str, Any] = field(default_factory=dict)
    mood: list[Mood] = field(default_factory=list)
    escalated: bool = False
    escalated_by_key: bool = False  # `e` with no escalate step: the wrap-up's Esc undoes it
    phase: str = "steps"  # steps, wrap-up, done
    ended: str | None = None
    outcome: str | None = None
    summary: str | None = None
    root_cause: str | None = None
    root_cause_asked: bool = False
    follow_up: str | None = None  # ISO date
    handover: list[str] | None = None  # the brief, kept when the call is escalated
    draft: dict[str, str] = field(default_factory=dict)  # text typed into an open prompt
    record_suffix: str | None = None  # chosen before the record is written, to write it once
    state: int = STATE_VERSION

    def book(self, playbook: str | None = None) -> Book:
        wanted = playbook or self.playbook
        for book in self.books:
            if book.id == wanted:
                return book
        raise KeyError(wanted)

    def marks_for(self, playbook: str, step: str) -> Marks:
        return self.marks.setdefault(mark_key(playbook, step), Marks())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Call:
        data = dict(data)
        if data.get("state", 1) == 1:
            data = _from_first_version(data)
        data["books"] = [Book(**b) for b in data.get("books", [])]
        data["visits"] = [Visit(**v) for v in data.get("visits", [])]
        data["marks"] = {key: Marks(**{**m, "notes": [Note(**n) for n in m.get("notes", [])]})
                         for key, m in data.get("marks", {}).items()}
        data["mood"] = [Mood(**m) for m in data.get("mood", [])]
        return cls(**data)


def mark_key(playbook: str, step: str) -> str:
    return f"{playbook}/{step}"


def _from_first_version(data: dict[str, Any]) -> dict[str, Any]:
    """A call saved by the first version (marks kept per visit), read as this one."""
    data = dict(data)
    book = data["playbook"]
    data["books"] = [{"id": book, "version": data.pop("playbook_version", None),
                      "sha256": data.pop("playbook_sha256", ""),
                      "text": data.pop("playbook_text", ""),
                      "path": data.pop("playbook_path", None)}]
    marks: dict[str, dict[str, Any]] = {}
    visits = []
    for visit in data.get("visits", []):
        mark = marks.setdefault(mark_key(book, visit["step"]),
                                {"ticked": [], "notes": [], "skipped": False,
                                 "skip_reason": None, "answer": None})
        mark["ticked"] = list(visit.get("ticked", []))
        mark["notes"] += visit.get("notes", [])
        mark["skipped"] = bool(visit.get("skipped"))
        mark["skip_reason"] = visit.get("skip_reason")
        mark["answer"] = visit.get("answer") or mark["answer"]
        visits.append({"step": visit["step"], "at": visit["at"],
                       "seconds": visit.get("seconds", 0), "playbook": book})
    data["visits"] = visits
    data["marks"] = marks
    data["trail"] = [[book, step] for step in data.get("trail", [])]
    data["state"] = STATE_VERSION
    return data


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
