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
    spans: list[tuple[int, int]] = []
    for match in _cue(redactor.cue, text.isascii()).finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        if spans and start < spans[-1][1]:
            continue  # on a line already taken
        end = text.find("\n", match.end())
        spans.append((start, len(text) if end < 0 else end))
    return spans


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
    for start, end in _lines_to_search(text, redactor):
        for finding in redactor.find(text[start:end], kinds=redactor.by_line):
            first, last = start + finding.start, start + finding.end
            if any(first < e and s < last for s, e in taken):
                continue
            line = text.count("\n", 0, first) + 1
            found.append((line, f"{labels[finding.kind]} that is not redacted"))
    return sorted(found)


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
