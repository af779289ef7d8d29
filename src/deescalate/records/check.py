"""`records check`: what a team's CI runs over the records folder.

Each finding is `PATH: problem`. A record is a problem when its front matter does
not parse or misses a required field (what every other command would skip), when
its file name or folder breaks the naming scheme `YYYY/MM/<id>.md` or does not
match its id, when it holds a card number, e-mail address or phone number (or a
match for one of the team's own redact patterns) that is not redacted, and when
two records have one id. Found text is never printed, only its kind and line:
a CI log is no place for a card number.
"""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from deescalate.records.format import FILE_NAME
from deescalate.records.store import display, find_files, in_parallel, scan
from deescalate.redaction import Redactor

_CANDIDATE = re.compile(r"@|[0-9][0-9 ().+-]{5,}[0-9]")
KINDS = {"card": "a card number", "email": "an e-mail address", "phone": "a phone number"}
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


def _lines_to_search(text: str, redactor: Redactor) -> list[tuple[int, int]]:
    """The spans of `text` worth handing to the redactor. Cards, e-mail addresses and
    phone numbers never span lines, and each needs an @ or a run of seven or more
    digits and separators, so only lines with one of those are searched: ten times
    quicker over a folder. The team's own patterns could match anything: with any of
    them, all of the text is searched."""
    if redactor.patterns:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    for match in _CANDIDATE.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        if spans and start < spans[-1][1]:
            continue  # on a line already taken
        end = text.find("\n", match.end())
        spans.append((start, len(text) if end < 0 else end))
    return spans


def unredacted(text: str, redactor: Redactor) -> list[tuple[int, str]]:
    """(line, what) for each thing in `text` that should have been redacted."""
    found = []
    for start, end in _lines_to_search(text, redactor):
        for finding in redactor.find(text[start:end]):
            line = text.count("\n", 0, start + finding.start) + 1
            what = KINDS.get(finding.kind, f"text matching the redact pattern {finding.kind!r}")
            found.append((line, f"{what} that is not redacted"))
    return found


def inspect_files(folder: str, paths: list[str], *, redactor: Redactor) -> list[list[Finding]]:
    """The redaction findings of each file."""
    from deescalate.files import read_limited

    results: list[list[Finding]] = []
    for path in paths:
        try:
            data = read_limited(os.path.join(folder, path), MAX_BYTES, follow_links=False)
        except OSError:
            results.append([])  # the scan has reported it as unreadable
            continue
        text = data[:MAX_BYTES].decode("utf-8", "replace")
        results.append([Finding(path, line, what) for line, what in unredacted(text, redactor)])
    return results


def check(folder: Path, redactor: Redactor, *, workers: int | None = None
          ) -> tuple[list[Finding], int]:
    """Every finding in the records folder, sorted, and how many files were checked."""
    result = scan(folder, workers=workers)
    findings: list[Finding] = []
    ids: dict[str, list[str]] = defaultdict(list)
    for record in result.records:
        ids[record.id].append(record.path)
        findings += [Finding(record.path, 0, problem) for problem in naming(record.path,
                                                                            record.id)]
    for path, problem in result.unreadable:
        findings.append(Finding(path, 0, problem))
        if path.endswith(".md"):  # not a folder, or a broken link of another name
            findings += [Finding(path, 0, more) for more in naming(path, None)]
    for identifier, paths in ids.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(sorted(p for p in paths if p != path))
                findings.append(Finding(path, 0, f"the id {identifier} is also the id of "
                                                 f"{others}"))
    paths = sorted(path for path, *_ in find_files(folder))
    work = functools.partial(inspect_files, redactor=redactor)
    for found in in_parallel(work, folder, paths, workers, minimum=500):
        findings += found
    return sorted(set(findings)), len(paths)
