"""The record of a call, format version 1: Markdown with YAML front matter.

One file per call, never overwritten: `<records>/<YYYY>/<MM>/<id>.md`, where the id is
`<YYYYMMDD>-<HHMMSS>-<agent>-<playbook>-<4 hex>` (UTC). The file is written to a temp
file, flushed, then hard-linked into place, which fails rather than overwrite, so a
crash leaves the whole record or none, and two agents writing in the same second
never collide. Everything typed is redacted before it is rendered.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from deescalate.files import write_exclusive
from deescalate.playbooks.captures import kind_of
from deescalate.playbooks.format import Playbook
from deescalate.records import format as record_format
from deescalate.records.finished import FinishedCall, Marks
from deescalate.records.format import (
    FOLLOW_UP_HEADING,
    HANDOVER_HEADING,
    MOODS,
    VERSION,
    body_text,
    path_in,
)
from deescalate.redaction import Redactor

ATTEMPTS = 50

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Keys in the order given, times as 2026-11-22T14:30:12Z.

    Collections of plain values are written in flow style (`[a, b]`, `{at: 3, text: x}`),
    which keeps the front matter short and is the shape `records.fastreader` reads quickly;
    `captures` always as a block mapping, one field a line, however long its values (a
    flow mapping would wrap, and read badly in a diff).
    """


class Block(dict[str, Any]):
    """A mapping always written as a block, one key a line."""


def _block(dumper: _Dumper, value: Block) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


def _timestamp(dumper: _Dumper, value: datetime) -> yaml.Node:
    text = value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)


def _text(dumper: _Dumper, value: str) -> yaml.Node:
    # Multi-line text reads best as a literal block; the emitter falls back to quotes
    # by itself when a block can't hold the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(datetime, _timestamp)
_Dumper.add_representer(str, _text)
_Dumper.add_representer(Block, _block)


def dump_front_matter(data: dict[str, Any]) -> str:
    """YAML for a record's front matter, written by the dumper so any text round-trips."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=None, width=100)


def slug(text: str, fallback: str) -> str:
    """A file-name-safe form: lowercase letters, digits and single dashes."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return cleaned or fallback


def clean(text: str) -> str:
    """Text that can be written as UTF-8 (a lone surrogate from a broken terminal becomes �)."""
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def record_id(call: FinishedCall, suffix: str) -> str:
    started = parse_iso(call.started)
    return (f"{started:%Y%m%d-%H%M%S}-{slug(call.agent, 'agent')}-"
            f"{slug(call.playbook, 'playbook')}-{suffix}")


def minutes(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class _Scrubber:
    """Redacts text and counts what it took out."""

    def __init__(self, redactor: Redactor, pieces: Sequence[str] = ()) -> None:
        """`pieces`: what was typed in the call, in order, so that a card or IBAN typed
        over two notes or captures is found (each piece's part redacted where it is)."""
        self.redactor = redactor
        cleaned = [clean(piece) for piece in pieces]
        found, self.count = redactor.across(cleaned)
        self.parts = {cleaned[number]: spans for number, spans in found.items()}

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        text = clean(text)
        for (start, end), kind in sorted(self.parts.get(text, ()), reverse=True):
            text = f"{text[:start]}[redacted: {kind}]{text[end:]}"
        redacted, found = self.redactor.redact(text)
        self.count += found
        return redacted

    def value(self, value: Any) -> Any:
        """A capture's value, redacted whatever its type: a card typed into a `number`
        field is a number, and is written as the text `[redacted: card]`."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if _digits(value) in self.parts:
                return self(_digits(value))
            redacted, found = self.redactor.redact(_digits(value))
            if found:
                self.count += found
                return redacted
        return value


def _digits(value: int | float) -> str:
    """A number as it was typed: a whole float without its `.0`."""
    whole = isinstance(value, float) and value.is_integer() and abs(value) < 1e20
    return str(int(value)) if whole else str(value)


def _typed(call: FinishedCall) -> list[str]:
    """What the agent typed in the call, in the order typed: the notes by time, then the
    captured values (strings and numbers)."""
    notes = sorted((at, text) for marks in call.marks.values() for at, text in marks.notes)
    values = [value if isinstance(value, str) else _digits(value)
              for value in call.captures.values()
              if isinstance(value, str | int | float) and not isinstance(value, bool)]
    return [text for _, text in notes] + values


Books = Mapping[str, Playbook]


def _books(playbook: Playbook | Books) -> Books:
    return {playbook.id: playbook} if isinstance(playbook, Playbook) else playbook


def step_entries(call: FinishedCall, books: Books, scrub: _Scrubber) -> list[dict[str, Any]]:
    """One entry per step the call reached, in the order first reached: the step's final
    marks, its first arrival, its total time and, when it was visited more than once,
    each visit's time."""
    entries: dict[str, dict[str, Any]] = {}
    for visit in call.visits:
        book = visit.playbook
        key = f"{book}/{visit.step}"
        entry = entries.get(key)
        if entry is None:
            marks = call.marks.get((book, visit.step), Marks())
            known = books.get(book)
            checklist = (known.step(visit.step).checklist
                         if known and visit.step in _ids(known) else ())
            entry = entries[key] = {
                "id": visit.step, "at": visit.at, "seconds": 0,
                "skipped": marks.skipped,
                "unticked": [item for item in checklist if item not in marks.ticked],
                "notes": [{"at": at, "text": scrub(text)} for at, text in marks.notes],
            }
            if marks.skipped and marks.skip_reason:
                entry["skip_reason"] = scrub(marks.skip_reason)
            if marks.answer is not None:
                entry["answer"] = marks.answer
            if marks.taken_back:  # left with `b`: nothing here was left undone
                entry["unticked"] = []
                entry["taken_back"] = True
            if book != call.playbook:
                entry["playbook"] = book
            entry["visits"] = []
        entry["seconds"] += visit.seconds
        entry["visits"].append({"at": visit.at, "seconds": visit.seconds})
    for entry in entries.values():
        if len(entry["visits"]) < 2:
            del entry["visits"]
    return list(entries.values())


def render(call: FinishedCall, playbook: Playbook | Books, redactor: Redactor,
           identifier: str) -> str:
    """The whole record: front matter, then the body for people."""
    books = _books(playbook)
    final = books[call.playbook]
    scrub = _Scrubber(redactor, _typed(call))
    started, ended = parse_iso(call.started), parse_iso(call.ended or call.started)
    steps = step_entries(call, books, scrub)
    used = [book for number, book in enumerate(visit.playbook for visit in call.visits)
            if number == 0 or call.visits[number - 1].playbook != book]  # every switch
    given: dict[str, Any] = {
        "record": VERSION,
        "id": identifier,
        "started": started,
        "ended": ended,
        "duration_seconds": max(0, int((ended - started).total_seconds())),
        "follow_up": date.fromisoformat(call.follow_up) if call.follow_up else None,
        "follow_up_done": None,
        "mood": [{"step": m.step, "at": m.at, "value": m.value} for m in call.mood],
        "steps": steps,
        "playbooks": used if used and used != [call.playbook] else None,
        "captures": _captures(call, scrub),
        "redactions": 0,
        "tags": [],
    }
    front = _front(call, given, scrub)
    handover = [scrub(line) or "" for line in call.handover] if call.handover else None
    body = _body(front, final, books, handover)
    front["redactions"] = scrub.count
    return f"---\n{dump_front_matter(front)}---\n\n{body}"


def _front(call: FinishedCall, given: dict[str, Any], scrub: _Scrubber) -> dict[str, Any]:
    """The front matter in the order of the fields: each as `given`, else the call's
    attribute of its name (or its entry in `call.more`), redacted when it is typed
    text. An optional field with nothing to say is left out."""
    front: dict[str, Any] = {}
    for field in record_format.FIELDS:
        name = field.name
        if name in given:
            value = given[name]
        else:
            value = getattr(call, name) if hasattr(call, name) else call.more.get(name)
            if field.kind == "text" and isinstance(value, str):
                value = scrub(value)
        if field.optional and value in (None, "", [], ()):
            continue
        front[name] = value
    return front


def _captures(call: FinishedCall, scrub: _Scrubber) -> dict[str, Any]:
    """The captured values as written: each redacted, whatever its type."""
    return Block((key, scrub.value(value)) for key, value in call.captures.items())


def _moods_by_step(front: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """Each mood rating under the step entry it was given at (by its number in `steps`):
    the entry of its step whose visit it falls in, else the first entry of its step;
    -1 for a rating at a step the record doesn't list."""
    placed: dict[int, list[dict[str, Any]]] = {}
    for mood in sorted(front["mood"], key=lambda mood: mood["at"]):
        same = [n for n, entry in enumerate(front["steps"]) if entry["id"] == mood["step"]]
        within = [n for n in same if any(
            span["at"] <= mood["at"] <= span["at"] + span["seconds"]
            for span in front["steps"][n].get("visits") or [front["steps"][n]])]
        placed.setdefault((within or same or [-1])[0], []).append(mood)
    return placed


def _ids(playbook: Playbook) -> set[str]:
    return {step.id for step in playbook.steps}


def _indent(text: str) -> str:
    """Typed text, as text (see `format.body_text`), kept inside its Markdown list item."""
    return body_text(text).replace("\n", "\n  ")


def _body(front: dict[str, Any], playbook: Playbook, books: Books,
          handover: list[str] | None) -> str:
    """The Markdown for people, from the (already redacted) front matter."""
    who = " · ".join(body_text(str(x)) for x in (front["customer"], front["reference"]) if x)
    lines = [f"# {body_text(playbook.title)}{': ' + who if who else ''}", ""]
    lines += [body_text(front["summary"]) if front["summary"] else "(no summary)", "",
              "## Timeline", ""]
    moods = _moods_by_step(front)
    for number, entry in enumerate(front["steps"]):
        book = books.get(entry.get("playbook", front["playbook"]))
        step = book.step(entry["id"]) if book and entry["id"] in _ids(book) else None
        title = body_text(step.title) if step else entry["id"]
        if "playbook" in entry:
            title += f" ({entry['playbook']})"
        lines.append(f"### {minutes(entry['at'])} {title}")
        lines.append("")
        items: list[str] = []
        if "visits" in entry:
            items.append("Visited " + str(len(entry["visits"])) + " times: " + ", ".join(
                f"{minutes(v['at'])} for {minutes(v['seconds'])}" for v in entry["visits"]))
        if entry["skipped"]:
            reason = entry.get("skip_reason")
            items.append(f"Skipped{': ' + _indent(reason) if reason else ''}")
        if entry.get("taken_back"):
            items.append("Taken back (b): the call went back from here")
        timed = [(mood["at"], 0, f"Mood {mood['value']} ({MOODS[mood['value']]}) at "
                                 f"{minutes(mood['at'])}") for mood in moods.pop(number, [])]
        timed += [(note["at"], 1, f"Note at {minutes(note['at'])}: {_indent(note['text'])}")
                  for note in entry["notes"]]
        items += [text for _, _, text in sorted(timed, key=lambda item: item[:2])]
        for capture in step.capture if step else ():
            value = front["captures"].get(capture.id)
            if value is not None and not entry["skipped"]:
                kind = kind_of(capture)  # how its type reads: a yes-no as yes or no
                shown = kind.shown(value) if kind else str(value)
                items.append(f"{_indent(capture.label)}: {_indent(shown)}")
        if entry.get("answer"):
            question = step.branch.question if step and step.branch else "Answer"
            items.append(f"{_indent(question)} → {_indent(entry['answer'])}")
        items += [f"Not ticked: {_indent(item)}" for item in entry["unticked"]]
        lines += [f"- {item}" for item in items] or ["- (nothing noted)"]
        lines.append("")
    left = [mood for ratings in moods.values() for mood in ratings]
    for mood in left:  # ratings the timeline could not place: at a step it doesn't list
        lines.append(f"- Mood {mood['value']} ({MOODS[mood['value']]}) at "
                     f"{minutes(mood['at'])}, step {mood['step']}")
    lines += [""] if left else []
    lines += ["## Wrap-up", ""]
    lines.append(f"- Outcome: {front['outcome']}")
    lines.append(f"- Escalated: {'yes' if front['escalated'] else 'no'}")
    lines.append(f"- Root cause: {front['root_cause'] or 'not given'}")
    lines.append(f"- Length: {minutes(front['duration_seconds'])}")
    if front["mood"]:
        first, last = front["mood"][0]["value"], front["mood"][-1]["value"]
        trend = "cooled down" if last < first else "heated up" if last > first else "held steady"
        lines.append(f"- Mood: {first} → {last} ({trend})")
    version = f" v{front['playbook_version']}" if front["playbook_version"] else ""
    lines.append(f"- Agent: {body_text(front['agent'])} · Playbook: {front['playbook']}"
                 f"{version}")
    if "playbooks" in front:
        lines.append(f"- Playbooks used: {' → '.join(front['playbooks'])}")
    if handover:
        lines += ["", HANDOVER_HEADING, "", *(f"    {line}" for line in handover)]
    lines += ["", FOLLOW_UP_HEADING, ""]
    due = front["follow_up"]
    lines.append(f"Due {due.isoformat()}." if due else "None set.")
    return "\n".join(lines) + "\n"


def write_record(folder: Path, call: FinishedCall, playbook: Playbook | Books,
                 redactor: Redactor) -> Path:
    """Write the call's record under `folder`, exclusively and atomically; returns its path.

    The first name tried ends in `call.record_suffix` when the call has one. If a file
    of that name already holds exactly this record, an earlier attempt wrote it (and
    was cut off before it could say so): it is not written twice.
    """
    for attempt in range(ATTEMPTS):
        suffix = call.record_suffix if attempt == 0 and call.record_suffix else None
        identifier = record_id(call, suffix or secrets.token_hex(2))
        path = path_in(folder, identifier)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = render(call, playbook, redactor, identifier).encode("utf-8")
        if write_exclusive(path, data):
            return path
        if suffix and _holds(path, data):
            return path
    raise FileExistsError(f"no free record name in {folder} after {ATTEMPTS} tries")


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False
