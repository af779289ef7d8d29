"""`records check`: what a team's CI runs over the records folder.

Each finding is `PATH: problem`. A record is a problem when its front matter does
not parse or misses a required field (what every other command would skip), when
its file name or folder breaks the naming scheme `YYYY/MM/<id>.md` or does not
match its id, when it holds anything the team's redactor would redact (each kind of
`redaction.KINDS` the team has not turned off, and the team's own patterns) that is
not redacted, and when two records have one id; so is anything in the folder that
can't be read as a record (a link, a FIFO, a folder that can't be listed). Cards and
IBANs are looked for harder than the redactor looks, so that what slipped past it, or
was typed in by hand, is found. Found text is never printed, only its kind's label
and line: a CI log is no place for a card number.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deescalate.records.folder import in_parallel_chunks
from deescalate.records.format import FILE_NAME
from deescalate.records.format import MAX_BYTES as RECORD_BYTES
from deescalate.records.store import display
from deescalate.redaction import Redactor

if TYPE_CHECKING:
    from deescalate.records.index import Index
    from deescalate.records.store import Scan

MAX_BYTES = 2_000_000


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # relative to the records folder, '/'-separated
    line: int  # 0 when the problem is the whole file
    message: str

    def show(self, folder: Path) -> str:
        where = display(folder / self.path)
        return f"{where}: {'line ' + str(self.line) + ': ' if self.line else ''}{self.message}"


def naming(path: str, identifier: str | None) -> list[str]:
    """What is wrong with where a record is and what it is called."""
    parts = path.split("/")
    name = parts[-1]
    if not FILE_NAME.match(name):
        return ["the file name does not follow the scheme "
                "<YYYYMMDD>-<HHMMSS>-<agent>-<playbook>-<4 hex digits>.md"]
    problems = []
    wanted = f"{name[0:4]}/{name[4:6]}"
    if parts[:-1] != [name[0:4], name[4:6]]:
        problems.append(f"the file should be in the folder {wanted}/ (by the date in its name)")
    if identifier is not None and identifier != name[:-3]:
        problems.append(f"its id is {identifier!r}, but its file name says {name[:-3]!r}")
    return problems


@functools.cache
def _cue(pattern: str, ascii_only: bool) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII if ascii_only else 0)  # ASCII: the same, quicker


def _lines_to_search(text: str, redactor: Redactor) -> list[tuple[int, int]]:
    """The spans of `text` worth handing to the redactor's kinds that are looked for by
    line. None of them spans lines, and each says what a line holding one has (an @, a
    run of seven or more digits and separators: its cue), so only lines where a cue
    matches are searched: ten times quicker over a folder. A kind without a cue (the
    team's own patterns could match anything) has all of the text searched."""
    if not redactor.by_line:
        return []
    if redactor.cue is None:
        return [(0, len(text))]
    ascii_only = text.isascii()
    found: list[re.Match[str]] = list(_cue(redactor.cue, ascii_only).finditer(text))
    if redactor.more_cues:
        for cue in redactor.more_cues:
            found += _cue(cue, ascii_only).finditer(text)
        found.sort(key=lambda match: match.start())
    spans: list[tuple[int, int]] = []
    for match in found:
        start = text.rfind("\n", 0, match.start()) + 1
        if spans and start < spans[-1][1]:
            continue  # on a line already taken
        end = text.find("\n", match.end())
        start, end = _wrapped(text, start, len(text) if end < 0 else end)
        if spans and start <= spans[-1][1]:
            start = spans.pop()[0]
        spans.append((start, end))
    return spans


# A line ending in a digit (or a bracket or + that starts a number), and a line starting
# with one (after its indentation or a quote): a number may run on from one to the other.
_RUNS_ON = re.compile(r"[0-9(+\-./][ \t]*\Z")
_RUNS_IN = re.compile(r"[ \t'\"]*[0-9(]")


def _wrapped(text: str, start: int, end: int) -> tuple[int, int]:
    """The line text[start:end], with the line before it and the one after it when a
    number may be wrapped from one to the other: `+44 20` at a line's end and `7946
    0958` at the next one's start."""
    if start > 0 and _RUNS_IN.match(text, start):
        before = text.rfind("\n", 0, start - 1) + 1
        if _RUNS_ON.search(text, before, start - 1):
            start = before
    if end < len(text) and _RUNS_ON.search(text, start, end) and _RUNS_IN.match(text, end + 1):
        after = text.find("\n", end + 1)
        end = len(text) if after < 0 else after
    return start, end


_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t'\"]*")


def _unwrapped(chunk: str) -> tuple[str, list[tuple[int, int]]]:
    """`chunk` as one line: each line break (with the spaces around it) as one space, or
    as nothing after a dash, dot, slash or bracket that a number goes on from; and where
    each joined piece starts, (in the line, in the chunk), to find a line again."""
    parts, starts, last = [], [(0, 0)], 0
    length = 0
    for match in _LINE_BREAK.finditer(chunk):
        piece = chunk[last:match.start()]
        parts.append(piece)
        length += len(piece)
        joiner = "" if piece[-1:] in "-./(" else " "
        parts.append(joiner)
        length += len(joiner)
        last = match.end()
        starts.append((length, last))
    parts.append(chunk[last:])
    return "".join(parts), starts


def unredacted(text: str, redactor: Redactor) -> list[tuple[int, str]]:
    """(line, what) for each thing in `text` that should have been redacted.

    Card numbers and IBANs are looked for harder than the redactor looks (digit groups
    of any size, anything but letters between them, across lines and YAML escapes), over
    all of the text: so that what slipped through, or was typed in by hand, is found."""
    found = []
    taken = []
    labels = redactor.labels
    for finding in redactor.find_anywhere(text):
        taken.append((finding.start, finding.end))
        found.append((text.count("\n", 0, finding.start) + 1,
                      f"{labels[finding.kind]} that is not redacted"))
    found += _across_notes(text, redactor, taken)
    for start, end in _lines_to_search(text, redactor):
        for first, last, kind in _by_line(text[start:end], redactor):
            first, last = start + first, start + last
            if any(first < e and s < last for s, e in taken):
                continue
            taken.append((first, last))
            line = text.count("\n", 0, first) + 1
            found.append((line, f"{labels[kind]} that is not redacted"))
    return sorted(found)


# A note in the body, as the writer writes it: `- Note at 03:12: text`.
_NOTE = re.compile(r"^- Note at [0-9:]+: (.*)$", re.MULTILINE)


def _across_notes(text: str, redactor: Redactor, taken: list[tuple[int, int]]
                  ) -> list[tuple[int, str]]:
    """(line, what) for each card or IBAN typed over two or more notes one after the
    other (`4111 1111` in one, `1111 1111` in the next), as the writer finds them at
    the end of a call: each note alone holds too few digits to be anything."""
    if "- Note at " not in text:
        return []
    notes = list(_NOTE.finditer(text))
    texts = [note[1] for note in notes]
    if not any(before[-1:].isdigit() or after[:1].isdigit()
               for before, after in itertools.pairwise(texts)):
        return []  # no note ends or starts with a digit where the next one goes on
    parts, _ = redactor.across(texts)
    found = []
    for number in sorted(parts):
        if number > 0 and number - 1 in parts:
            continue  # the rest of one found in the note before
        (start, end), kind = parts[number][-1]
        first = notes[number].start(1) + start
        if any(first < e and s < first + end - start for s, e in taken):
            continue
        found.append((text.count("\n", 0, first) + 1,
                      f"{redactor.labels[kind]} that is not redacted"))
    return found


def _by_line(chunk: str, redactor: Redactor) -> list[tuple[int, int, str]]:
    """(start, end, kind) of what the kinds looked for line by line find in `chunk`:
    on each of its lines, and, when it is more than one line, what runs from one line
    on to the next (found in the lines joined)."""
    kinds = redactor.by_line
    if "\n" not in chunk:
        return [(f.start, f.end, f.kind) for f in redactor.find(chunk, kinds=kinds)]
    found = []
    at = 0
    for line in chunk.split("\n"):
        found += [(at + f.start, at + f.end, f.kind) for f in redactor.find(line, kinds=kinds)]
        at += len(line) + 1
    joined, starts = _unwrapped(chunk)
    for finding in redactor.find(joined, kinds=kinds):
        into = [(a, w) for a, w in starts if a <= finding.start]
        if len([a for a, _ in starts if finding.start < a < finding.end]) == 0:
            continue  # on one line: found above
        a, w = into[-1]
        first = w + finding.start - a
        found.append((first, first + finding.end - finding.start, finding.kind))
    return found


def inspect_files(folder: str, items: list[tuple[str, int, str | None]], *,
                  redactor: Redactor) -> list[list[tuple[int, str]]]:
    """What is wrong with each file (path, size, its record's id or None) that can be
    known from the file alone: its name and place, and what it holds unredacted, as
    (line, message) pairs (line 0: the whole file)."""
    from deescalate.files import read_limited

    results: list[list[tuple[int, str]]] = []
    for path, size, identifier in items:
        found = [(0, problem) for problem in naming(path, identifier)]
        if size <= RECORD_BYTES:  # a larger file is reported as that; its text not searched
            try:
                data = read_limited(os.path.join(folder, path), MAX_BYTES, follow_links=False)
            except OSError:
                data = None  # the scan has reported it as unreadable
            if data is not None:
                found += unredacted(data[:MAX_BYTES].decode("utf-8", "replace"), redactor)
        results.append(found)
    return results


def check(folder: Path, redactor: Redactor, *, workers: int | None = None,
          cache: bool = True) -> tuple[list[Finding], int]:
    """Every finding in the records folder, sorted, and how many files were checked.

    What was found in each file is kept in the records index beside what the file
    says: a file is searched again only when it changed, or when the team's redaction
    settings or this version of the finder differ from those it was searched with."""
    from deescalate.records.store import ask

    return ask(folder, functools.partial(_check, redactor=redactor, workers=workers),
               cache=cache, workers=workers)[0]


def _check(index: Index, result: Scan, *, redactor: Redactor, workers: int | None
           ) -> tuple[list[Finding], int]:
    from deescalate.records.checked import check_key, set_checked, unchecked

    db = index.db
    check_key(index, _cache_key(redactor))
    todo = unchecked(index)
    ids = dict(db.execute("SELECT path, id FROM records WHERE checked IS NULL"))
    work = functools.partial(inspect_files, redactor=redactor)
    items = [(path, size, ids.get(path)) for path, size, _, _ in todo]
    fresh: dict[str, list[tuple[int, str]]] = {}
    done = 0
    for part, found in in_parallel_chunks(work, index.folder, items, workers, batch=5_000,
                                          minimum=500):
        rows = todo[done:done + len(part)]
        done += len(part)
        for (path, _, _), lines in zip(part, found, strict=True):
            fresh[path] = lines
        set_checked(index, [(row, json.dumps(lines)) for row, lines
                           in zip(rows, found, strict=True)])
    findings: list[Finding] = []
    for path, value in db.execute(
            "SELECT path, checked FROM records WHERE checked IS NOT NULL AND checked != '[]'"):
        if path not in fresh:
            findings += [Finding(path, line, what) for line, what in json.loads(value)]
    for path, lines in fresh.items():
        findings += [Finding(path, line, what) for line, what in lines]
    for path, problem in result.unreadable:
        findings.append(Finding(path, 0, problem))
        if path.endswith(".md"):  # not a folder, or a broken link of another name
            findings += [Finding(path, 0, more) for more in naming(path, None)]
    for identifier, joined in db.execute(
            "SELECT id, group_concat(path, char(0)) FROM records WHERE problem IS NULL"
            " GROUP BY id HAVING count(*) > 1"):
        paths = joined.split("\0")
        for path in paths:
            others = ", ".join(sorted(p for p in paths if p != path))
            findings.append(Finding(path, 0, f"the id {identifier} is also the id of {others}"))
    checked = db.execute("SELECT count(*) FROM records").fetchone()[0]
    return sorted(set(findings)), checked


def _cache_key(redactor: Redactor) -> str:
    """What the findings kept depend on: what the redactor looks for (the kinds the
    settings leave on, the team's patterns, each kind's label), and the code that finds
    things (its hash, so a new version of deescalate never trusts old findings)."""
    import hashlib

    from deescalate import redaction

    code = hashlib.sha256()
    for module in (redaction, sys.modules[__name__]):
        code.update(Path(module.__file__ or "").read_bytes())
    return json.dumps({"code": code.hexdigest()[:16],
                       "redact": redactor.describe()})
