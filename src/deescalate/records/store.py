"""The records folder: finding records, reading their front matter, filters.

Records live at `<records>/<YYYY>/<MM>/<id>.md`; every `*.md` file below the folder
is read (hidden files and folders are not), so a misplaced record still counts and
`records check` can name it. A record whose front matter can't be used is skipped
and reported, never fatal.

Reading 100,000 front matters takes seconds, so what they say is kept in the records
index (`deescalate.records.index`, a SQLite database in `<records>/.cache/`), which
reads only the files that changed since the last run and answers the commands in SQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from deescalate.errors import Ambiguous, NotFound
from deescalate.records.filters import Filters, normalize
from deescalate.records.folder import (  # noqa: F401 - the folder's files, for callers
    CHUNK,
    PARALLEL_MIN,
    Listing,
    in_parallel_chunks,
    read_file,
    walk,
)
from deescalate.records.summary import Summary

if TYPE_CHECKING:
    import sqlite3

    from deescalate.records.index import Index, Refresh

CACHE_DIR = ".cache"
R = TypeVar("R")


@dataclass
class Scan:
    """Every record in a folder, read or taken from the index (`records` is empty when
    a command asked the index for only some of them)."""

    folder: Path
    records: list[Summary] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, problem)
    read: int = 0  # files read this time
    cached: int = 0  # files whose summary came from the index
    exists: bool = True
    created_cache: Path | None = None  # set when this scan made the index's folder

    def select(self, filters: Filters | None = None) -> list[Summary]:
        """The matching records, newest first."""
        chosen = self.records if filters is None else [r for r in self.records
                                                      if filters.matches(r)]
        return sorted(chosen, key=_newest_first, reverse=True)


def _newest_first(record: Summary) -> tuple[str, str]:
    return record.started, record.id


def display(path: Path) -> str:
    """A path as the user will recognise it: relative to here when it is below here
    (as playbook.display_path, without importing the playbook reader)."""
    try:
        return str(_real(path).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


# -- scanning ----------------------------------------------------------------------------

def ask(folder: Path, work: Callable[[Index, Scan], R], *, cache: bool = True,
        workers: int | None = None) -> R:
    """`work(index, scan)` over the folder's records index, brought up to date first
    (see `deescalate.records.index`): `scan` says what that found, without the
    records, which `work` asks the index for. A missing folder is an empty one."""
    from deescalate.records.index import asking

    exists = folder.is_dir()

    def run(index: Index, done: Refresh) -> R:
        return work(index, Scan(folder, unreadable=done.unreadable, read=done.read,
                                cached=done.cached, exists=exists,
                                created_cache=done.created_cache))

    return asking(folder, run, cache=cache and exists, workers=workers)


def ask_ahead(folder: Path, query: Callable[[sqlite3.Connection], R], *,
              workers: int | None = None) -> tuple[R, Scan]:
    """`query(db)`, which only reads the index, and what bringing the index up to date
    found. When nothing changed, the answer comes from the index as it stood, asked
    while the folder was walked (see `deescalate.records.index.asking_ahead`)."""
    from deescalate.records.index import asking, asking_ahead

    exists = folder.is_dir()
    if exists:
        answer, done = asking_ahead(folder, query, workers=workers)
    else:
        answer, done = asking(folder, lambda index, done: (query(index.db), done),
                              cache=False, workers=workers)
    return answer, Scan(folder, unreadable=done.unreadable, read=done.read,
                        cached=done.cached, exists=exists, created_cache=done.created_cache)


def scan(folder: Path, *, cache: bool = True, workers: int | None = None,
         visits: bool = False) -> Scan:
    """Every record below `folder`, through the index: only what changed since the last
    run is read."""
    def everything(index: Index, result: Scan) -> Scan:
        result.records = index.summaries(order="", visits=visits)
        return result

    return ask(folder, everything, cache=cache, workers=workers)


# -- finding one record ------------------------------------------------------------------

class RecordNotFound(NotFound):
    """No record has the id asked for; `candidates` are the ids it may have meant."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class AmbiguousRecord(RecordNotFound, Ambiguous):
    """More than one record has an id that starts with what was asked for."""


def find_in(index: Index, scan_result: Scan, prefix: str) -> Summary | tuple[str, str]:
    """`find` over the index: only the records that could be meant are taken from it
    (all of them only to say which id was perhaps meant, when none is)."""
    wanted = prefix.strip().removesuffix(".md")
    if wanted and "/" not in prefix and os.sep not in prefix:
        pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        narrowed = Scan(scan_result.folder, index.summaries(
            "r.id LIKE ? ESCAPE '\\'", (pattern,), order=""), scan_result.unreadable)
        if narrowed.records or any(path.rsplit("/", 1)[-1].startswith(wanted)
                                   for path, _ in scan_result.unreadable):
            return find(narrowed, prefix)
    elif wanted:
        relative = prefix.strip()
        narrowed = Scan(scan_result.folder, index.summaries(
            "r.path = ? OR r.path = ?", (relative, relative.lstrip("./")), order=""),
            scan_result.unreadable)
        try:
            return find(narrowed, prefix)
        except RecordNotFound:
            pass
    return find(Scan(scan_result.folder, index.summaries(order=""), scan_result.unreadable),
                prefix)


def find(scan_result: Scan, prefix: str) -> Summary | tuple[str, str]:
    """The record whose id starts with `prefix` (or is it), or an unreadable record's
    (path, problem) when the prefix names its file; RecordNotFound when none or several
    do. A path to the file (with a '/': from here, or from the records folder) names
    one record even when two share an id."""
    wanted = prefix.strip().removesuffix(".md")
    if not wanted:
        raise RecordNotFound("no record id given", [])
    if "/" in prefix or os.sep in prefix:
        return _by_path(scan_result, prefix.strip())
    exact = [r for r in scan_result.records if r.id == wanted]
    if len(exact) == 1:
        return exact[0]
    matches = exact or [r for r in scan_result.records if r.id.startswith(wanted)]
    broken = [(path, problem) for path, problem in scan_result.unreadable
              if path.rsplit("/", 1)[-1].startswith(wanted)]
    if len(matches) == 1 and not broken:
        return matches[0]
    if len({r.id for r in matches}) == 1 and (exact or not broken):
        paths = sorted(display(scan_result.folder / r.path) for r in matches)
        raise AmbiguousRecord(
            f"{len(matches)} records have the id {matches[0].id}: {', '.join(paths)}; give "
            "the path of the one you mean", paths)
    if not matches and len(broken) == 1:
        return broken[0]
    if matches or broken:
        names = sorted({r.id for r in matches}
                       | {p.rsplit("/", 1)[-1].removesuffix(".md") for p, _ in broken})
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise AmbiguousRecord(
            f"{len(names)} records match {prefix!r}: {shown}; give more of the id", names)
    import difflib

    close = difflib.get_close_matches(wanted, [r.id for r in scan_result.records], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise RecordNotFound(f"no record has the id {prefix!r}{hint}", close)


def _by_path(scan_result: Scan, given: str) -> Summary | tuple[str, str]:
    """The record at the path `given`, from here or from the records folder."""
    folder = scan_result.folder
    root = Path(os.path.abspath(folder)).resolve()
    for candidate in (Path(given), folder / given):
        if not os.path.lexists(candidate):
            continue
        try:
            relative = _real(candidate).relative_to(root).as_posix()
        except ValueError:
            raise RecordNotFound(f"{given}: not in the records folder {display(folder)}",
                                 []) from None
        for record in scan_result.records:
            if record.path == relative:
                return record
        for path, problem in scan_result.unreadable:
            if path == relative:
                return path, problem
        raise RecordNotFound(f"{given}: not a record file (records end in .md)", [])
    raise RecordNotFound(f"{given}: no such file", [])


def _real(path: Path) -> Path:
    """`path` made absolute with its folders' links resolved, but not its own last part:
    a link named as a record is itself, not what it points to."""
    absolute = Path(os.path.abspath(path))
    return absolute.parent.resolve() / absolute.name


# -- call history ------------------------------------------------------------------------

def history(folder: Path, *, ref: str | None = None, customer: str | None = None,
            limit: int = 5, exclude: Iterable[str] = ()) -> list[Summary]:
    """Earlier calls with the same reference or the same customer, newest first.

    Either match is enough (a customer who calls about a new ticket is still a repeat
    caller); both compare ignoring case and runs of spaces, with no wildcards.
    """
    wanted_ref = normalize(ref) if ref and ref.strip() else None
    wanted_customer = normalize(customer) if customer and customer.strip() else None
    if wanted_ref is None and wanted_customer is None:
        return []
    skip = set(exclude)
    terms, params = [], []
    if wanted_ref is not None:
        terms.append("r.reference_key = ?")
        params.append(wanted_ref)
    if wanted_customer is not None:
        terms.append("r.customer_key = ?")
        params.append(wanted_customer)

    def earlier(index: Index, _: Scan) -> list[Summary]:
        return [record for record in index.summaries(" OR ".join(terms), params)
                if record.id not in skip]

    found = ask(folder, earlier)
    return found[:limit] if limit > 0 else found


def history_lines(records: Sequence[Summary], today: date) -> list[str]:
    """Earlier calls as plain lines: date, playbook, outcome, and any open follow-up."""
    lines = []
    for record in records:
        line = f"{record.started[:10]}  {record.playbook}  {record.outcome}"
        if record.follow_up is not None and record.follow_up_done is None:
            late = " (overdue)" if record.follow_up < today.isoformat() else ""
            line += f"  follow-up due {record.follow_up}{late}"
        if record.summary:
            line += f"  {record.summary}"
        lines.append(line)
    return lines
