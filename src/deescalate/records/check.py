"""`records check`: what a team's CI runs over the records folder.

Each finding is `PATH: problem`. A record is a problem when its front matter does
not parse or misses a required field (what every other command would skip), when
its file name or folder breaks the naming scheme `YYYY/MM/<id>.md` or does not
match its id, when it holds a card number, IBAN, social security number, e-mail
address or phone number (or a match for one of the team's own redact patterns) that
is not redacted, and when two records have one id; so is anything in the folder
that can't be read as a record (a link, a FIFO, a folder that can't be listed).
Cards and IBANs are looked for harder than the redactor looks, so that what slipped
past it, or was typed in by hand, is found. Found text is never printed, only its
kind and line: a CI log is no place for a card number.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deescalate.records.format import FILE_NAME
from deescalate.records.format import MAX_BYTES as RECORD_BYTES
from deescalate.records.store import (
    RACY_NS,
    display,
    in_parallel,
    read_rows,
    scan,
    write_rows,
)
from deescalate.redaction import Redactor

_CANDIDATE = re.compile(r"@|\d[\d ()./+-]{5,}\d")
_CANDIDATE_ASCII = re.compile(_CANDIDATE.pattern, re.ASCII)  # the same, quicker
KINDS = {"card": "a card number", "iban": "an IBAN", "ssn": "a social security number",
         "email": "an e-mail address", "phone": "a phone number"}
ALWAYS = ("card", "iban")  # looked for harder, over all of the text
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
    """The spans of `text` worth handing to the redactor. E-mail addresses, phone and
    social security numbers never span lines, and each needs an @ or a run of seven or
    more digits and separators, so only lines with one of those are searched: ten times
    quicker over a folder. The team's own patterns could match anything: with any of
    them, all of the text is searched."""
    if redactor.patterns:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    for match in (_CANDIDATE_ASCII if text.isascii() else _CANDIDATE).finditer(text):
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
    from deescalate.redaction import numbers

    found = []
    taken = []
    for finding in numbers(text, thorough=True):
        taken.append((finding.start, finding.end))
        found.append((text.count("\n", 0, finding.start) + 1,
                      f"{KINDS[finding.kind]} that is not redacted"))
    for start, end in _lines_to_search(text, redactor):
        for finding in redactor.find(text[start:end], numbers=False):
            first, last = start + finding.start, start + finding.end
            if any(first < e and s < last for s, e in taken):
                continue
            line = text.count("\n", 0, first) + 1
            what = KINDS.get(finding.kind, f"text matching the redact pattern {finding.kind!r}")
            found.append((line, f"{what} that is not redacted"))
    return sorted(found)


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


def check(folder: Path, redactor: Redactor, *, workers: int | None = None,
          cache: bool = True) -> tuple[list[Finding], int]:
    """Every finding in the records folder, sorted, and how many files were checked.

    What the redactor would have found in each file is kept in `.cache/check.jsonl`,
    like the summaries: a file with the same size, modification time and inode as
    then is not read again, as long as the team's redaction settings and this
    version of the finder are those it was written with."""
    import time

    started = time.time_ns()
    result = scan(folder, workers=workers, cache=cache)
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
    found = result.files  # what the scan walked: not walked again
    header = _cache_header(redactor)
    reused: dict[str, list[Finding]] = {}
    for row in (read_rows(folder, CACHE_FILE, header) or []) if cache else []:
        try:
            path, size, mtime, inode, lines = row
            if found.get(path) == (size, mtime, inode):
                reused[path] = [Finding(path, line, what) for line, what in lines]
        except (TypeError, ValueError):  # a row of another shape: read that file again
            continue
    # A file over a record's size is reported as that; its text is not searched.
    todo = sorted(path for path in found if path not in reused
                  and found[path][0] <= RECORD_BYTES)
    work = functools.partial(inspect_files, redactor=redactor)
    fresh = dict(zip(todo, in_parallel(work, folder, todo, workers, minimum=500),
                     strict=True))
    for path_findings in (*reused.values(), *fresh.values()):
        findings += path_findings
    if cache and fresh:
        racy = started - RACY_NS

        def rows() -> Iterator[list[Any]]:
            for path, (size, mtime, inode) in found.items():
                if path in fresh and mtime >= racy:
                    continue  # too fresh to trust its time: read it again next time
                kept = reused.get(path) or fresh.get(path, [])
                yield [path, size, mtime, inode, [[f.line, f.message] for f in kept]]

        write_rows(folder, CACHE_FILE, header, rows())
    return sorted(set(findings)), len(found)


CACHE_FILE = "check.jsonl"


def _cache_header(redactor: Redactor) -> dict[str, Any]:
    """What the cached findings depend on: the redaction settings, and the code that
    finds things (its hash, so a new version of deescalate never trusts old findings)."""
    import hashlib

    from deescalate import redaction

    code = hashlib.sha256()
    for module in (redaction, sys.modules[__name__]):
        code.update(Path(module.__file__ or "").read_bytes())
    return {"cache": "deescalate check findings", "code": code.hexdigest()[:16],
            "redact": [redactor.emails, redactor.phones, [list(p) for p in redactor.patterns]]}
