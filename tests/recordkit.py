"""Records for tests, written by the real call engine and record writer."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

from deescalate.call.engine import CallEngine, run_call
from deescalate.call.record import finished
from deescalate.playbooks.format import Playbook
from deescalate.playbooks.loader import load_file
from deescalate.records.followups import mark_done
from deescalate.records.summary import Summary
from deescalate.records.writer import write_record
from deescalate.redaction import Redactor
from tests.engine_script import Script, wrap_up

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 20)  # a Friday; tests pin deescalate.dates.today to it
_books: dict[str, Playbook] = {}


def playbook(name: str) -> Playbook:
    if name not in _books:
        _books[name] = load_file(REPO / "playbooks" / f"{name}.yaml")
    return _books[name]


def write_call(
    folder: Path,
    *,
    started: datetime,
    seconds: int = 300,
    playbook_id: str = "upset-customer",
    agent: str = "jdoe",
    customer: str | None = None,
    ref: str | None = None,
    outcome: str = "resolved",
    escalate: bool = False,
    root_cause: str | None = None,
    summary: str = "Sorted out.",
    follow_up: date | None = None,
    moods: Sequence[int] = (),
    skip: Sequence[str] = (),
    notes: Sequence[str] = (),
    steps: int = 3,
    done: date | None = None,
    more: dict[str, object] | None = None,
    version: int | None = None,
    ticks: int = 0,
    captures: dict[str, str] | None = None,
    answer: int = 0,
) -> Path:
    """One call's record: `steps` steps walked (those in `skip` skipped), the first mood
    rating at the first step and one more at each step after it, ending `seconds` after
    `started`; `more` gives the fields of the record's table the writer has no rule
    for; `version` the playbook's version; `ticks` how many checklist items are ticked
    at each step walked; `captures` values written down at the step asking for them;
    `answer` the option chosen at each branch."""
    book = playbook(playbook_id)
    if version is not None:
        book = dataclasses.replace(book, version=version)
    wanted = dict(captures or {})
    now = [started.replace(tzinfo=UTC) if started.tzinfo is None else started]
    engine = CallEngine.start(book, "", call_id="test", agent=agent, customer=customer,
                              reference=ref, records=str(folder), clock=lambda: now[0])
    pending = list(moods)
    tick = max(1, seconds // (steps + 2))
    for _ in range(steps):
        if engine.call.phase != "steps":
            break
        if pending:
            engine.rate_mood(pending.pop(0))
        for text in notes:
            engine.note(text)
        notes = ()
        for item in range(ticks):
            engine.toggle(item)
        for capture in engine.step.capture:
            if capture.id in wanted:
                engine.set_capture(capture, wanted.pop(capture.id))
        now[0] += timedelta(seconds=tick)
        chosen = answer if engine.step.branch else None
        if engine.step.id in skip:
            engine.skip("not needed", chosen)
        else:
            engine.advance(chosen)
    if escalate:
        engine.escalate()
    for value in pending:
        if engine.call.phase == "steps":
            engine.rate_mood(value)
    now[0] = engine_start(engine) + timedelta(seconds=seconds)
    if engine.call.phase == "steps":
        engine.end_call()
    answers: dict[str, object] = {"outcome": outcome, "summary": summary,
                                  "root_cause": root_cause}
    if outcome == "follow-up":
        assert follow_up is not None
        answers["follow_up"] = follow_up.isoformat()
    # The wrap-up as an agent answers it, by meaning: a new question takes its default.
    run_call(engine, Script(wrap_up(**answers)), lambda call: None,
             [root_cause] if root_cause else [])
    record = finished(engine.call)
    if more:
        record = dataclasses.replace(record, more=more)
    path = write_record(folder, record, book, Redactor())
    if done is not None:
        mark_done(path, done=done, agent=agent, note=None, redactor=Redactor())
    return path


def summary_record(n: int, **fields: object) -> Summary:
    """A Summary as the record commands see one, with `fields` changed."""
    base = dict(
        id=f"20261101-0900{n:02d}-jdoe-upset-customer-{n:04x}", playbook="upset-customer",
        playbook_version=1, agent="jdoe", customer=None, reference=None,
        started=f"2026-11-01T09:00:{n:02d}Z", ended="2026-11-01T09:10:00Z", duration=60,
        outcome="resolved", escalated=False, root_cause=None, summary=None, follow_up=None,
        follow_up_done=None, mood_start=None, mood_end=None, steps=3, skipped=(),
        redactions=0, tags=(), path=f"2026/11/{n}.md")
    base.update(fields)
    return Summary(**base)


def engine_start(engine: CallEngine) -> datetime:
    return datetime.fromisoformat(engine.call.started.replace("Z", "+00:00"))


def at(day: str, clock: str = "09:00:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}+00:00")


def generator() -> ModuleType:
    """benchmarks/generate_records.py, the generator of realistic records."""
    name = "generate_records"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, REPO / "benchmarks" / "generate_records.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


BROKEN_YAML = """\
---
record: 1
id: 20261103-090000-jdoe-upset-customer-dead
playbook: upset-customer
summary: 'never closed
agent: jdoe
---

# Broken
"""

MISSING_OUTCOME = """\
---
record: 1
id: 20261104-090000-jdoe-upset-customer-beef
playbook: upset-customer
agent: jdoe
started: 2026-11-04T09:00:00Z
ended: 2026-11-04T09:05:00Z
duration_seconds: 300
escalated: false
---

# No outcome
"""


def team_folder(records: Path) -> dict[str, Path]:
    """The known folder the records tests use: eight good records, three bad files and
    a file that is not a record. Returns the good records' paths by name."""
    paths = {
        "r1": write_call(records, started=at("2026-11-02", "09:00:00"), seconds=300,
                         agent="jdoe", customer="Dana R.", ref="T-1000", moods=(4, 2),
                         root_cause="billing-error", summary="Refund issued."),
        "r2": write_call(records, started=at("2026-11-05", "10:00:00"), seconds=600,
                         agent="jdoe", customer="Sam Lee", ref="T-1001", moods=(5, 3),
                         outcome="follow-up", follow_up=date(2026, 11, 10),
                         skip=("stay-calm",), summary="Call back about the refund."),
        "r3": write_call(records, started=at("2026-11-10", "11:00:00"), seconds=120,
                         playbook_id="difficult-customer", agent="asmith",
                         customer="Dana R.", ref="T-1000", moods=(3, 4), escalate=True,
                         outcome="escalated", summary="Passed to a supervisor."),
        "r4": write_call(records, started=at("2026-11-15", "12:00:00"), seconds=900,
                         playbook_id="customer-is-wrong", agent="asmith", ref="T-2000",
                         outcome="follow-up", follow_up=date(2026, 11, 20),
                         root_cause="misunderstanding", summary="Checking the invoice."),
        "r5": write_call(records, started=at("2026-11-18", "13:00:00"), seconds=60,
                         agent="mgarcia", customer="dana r.", moods=(2,),
                         outcome="follow-up", follow_up=date(2026, 11, 25),
                         summary="Send the form."),
        "r6": write_call(records, started=at("2026-10-30", "14:00:00"), seconds=450,
                         agent="mgarcia", customer="Chloé Dubois", ref="T-3000",
                         outcome="unresolved", skip=("stay-calm", "listen"),
                         root_cause="policy", summary="Would not accept the policy."),
        "r7": write_call(records, started=at("2026-10-01", "08:00:00"), seconds=240,
                         playbook_id="customer-is-wrong", agent="jdoe", customer="Sam Lee",
                         ref="T-1001", outcome="follow-up", follow_up=date(2026, 10, 5),
                         done=date(2026, 10, 6), summary="Promised a call back."),
        "r8": write_call(records, started=at("2026-09-15", "16:30:00"), seconds=30,
                         agent="asmith", customer="Priya Khan", ref="T-4000",
                         outcome="dropped", summary="Line dropped."),
    }
    month = records / "2026" / "11"
    (month / "20261103-090000-jdoe-upset-customer-dead.md").write_text(BROKEN_YAML)
    (month / "20261104-090000-jdoe-upset-customer-beef.md").write_text(MISSING_OUTCOME)
    (month / "notes.md").write_text("Just some notes, no front matter.\n")
    (month / "README.txt").write_text("not a record\n")
    return paths
