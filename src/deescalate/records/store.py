"""How the commands ask the records folder: through its index (`ask`), and what they
ask of it: every record, the records filters take, one record by id or path, a
customer's earlier calls.

Records live at `<records>/<YYYY>/<MM>/<id>.md`; every `*.md` file below the folder
is read (hidden files and folders are not), so a misplaced record still counts and
`records check` can name it. A record whose front matter can't be used is skipped
and reported, never fatal.

Reading 100,000 front matters takes seconds, so what they say is kept in the records
index (`deescalate.records.index`, a SQLite database in `<records>/.cache/`), which
reads only the files that changed since the last run and answers the commands in SQL.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from deescalate.errors import Ambiguous, NotFound
from deescalate.records.filters import Filters, normalize
from deescalate.records.index import Scan as Scan  # what asking found: commands' name
from deescalate.records.summary import Summary

if TYPE_CHECKING:
    import sqlite3
    import threading

    from deescalate.records.index import Index

OLDEST_FIRST = "r.started, r.id, r.path"
R = TypeVar("R")


def display(path: Path) -> str:
    """A path as the user will recognise it: relative to here when it is below here
    (as playbook.display_path, without importing the playbook reader)."""
    try:
        return str(_real(path).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


# -- asking the index --------------------------------------------------------------------

def ask(folder: Path, work: Callable[[Index, Scan], R] | None = None, *,
        ahead: Callable[[sqlite3.Connection], R] | None = None, cache: bool = True,
        workers: int | None = None, found: Callable[[Scan], object] | None = None,
        visits: bool = False) -> tuple[R, Scan]:
    """`work(index, scan)` over the folder's records index brought up to date first
    (see `deescalate.records.index`), and `scan`, what that found (without the records,
    which `work` asks the index for). `found(scan)`, if given, is told before `work`
    runs. `visits`: `work` will ask for step visits, so the files read to bring the
    index up to date are read with theirs (one pass, not two). A missing folder is an
    empty one. If the index turns out to be damaged halfway, it is made again and
    `work` run again.

    Or `ahead(db)`, a question that only reads the index: it is first asked of the
    index as it stands, in a second thread and a read transaction of its own, while the
    folder is walked. When the walk finds every folder as that snapshot knew it (the
    same digests, and no file read again or gone), its answer stands and costs no time
    after the walk; when anything changed, it is dropped (the question interrupted) and
    asked again of the index brought up to date."""
    import sqlite3

    from deescalate.records.index import Index, damaged

    if work is None:
        assert ahead is not None, "ask what? give work or ahead"
        query = ahead

        def work(index: Index, _: Scan) -> R:  # the same question, once up to date
            return query(index.db)

    exists = folder.is_dir()
    index = Index(folder, persistent=cache and exists)
    early = _Ahead(index, ahead) if ahead is not None and exists else None
    try:
        for attempt in range(2):
            scan = index.refresh(workers=workers, visits=visits,
                                 before_change=early.stop if early is not None else None)
            scan.exists = exists
            if found is not None:
                found(scan)
            if early is not None and attempt == 0 and early.stands(scan):
                return early.answer, scan
            try:
                return work(index, scan), scan
            except sqlite3.DatabaseError as exc:
                if attempt or not damaged(exc) or index.in_memory:
                    raise
                index.rebuild()
        raise AssertionError("unreachable")  # pragma: no cover
    finally:
        if early is not None:
            early.close()
        index.close()


class _Ahead:
    """`query` asked of an index as it stands, in a thread of its own, while the folder
    is walked (see `ask`); nothing is asked of an index made this run or in memory."""

    def __init__(self, index: Index, query: Callable[[sqlite3.Connection], Any]) -> None:
        import sqlite3
        import threading

        from deescalate.records.index import BUSY_SECONDS, index_path

        self.query = query
        self.found: dict[str, Any] = {}
        self.reader: sqlite3.Connection | None = None
        self.thread: threading.Thread | None = None
        if not index.in_memory and index.db.execute(
                "SELECT EXISTS (SELECT 1 FROM folders WHERE digest IS NOT NULL)").fetchone()[0]:
            self.reader = sqlite3.connect(index_path(index.folder), timeout=BUSY_SECONDS,
                                          isolation_level=None, check_same_thread=False)
            self.thread = threading.Thread(target=self._ask, daemon=True)
            self.thread.start()

    def _ask(self) -> None:
        assert self.reader is not None
        try:
            self.reader.execute("BEGIN")
            self.found["digests"] = dict(self.reader.execute(
                "SELECT folder, digest FROM folders"))
            self.found["answer"] = self.query(self.reader)
            self.reader.execute("COMMIT")
        except Exception as exc:  # interrupted, busy, damaged: asked again after
            self.found["failed"] = exc

    def stop(self) -> None:
        """Drop the question: the index is about to change."""
        if self.thread is not None and self.thread.is_alive():
            assert self.reader is not None
            self.reader.interrupt()
            self.thread.join()

    def stands(self, scan: Scan) -> bool:
        """Whether the answer found ahead is the answer: nothing changed meanwhile."""
        if self.thread is None:
            return False
        self.thread.join()
        return (not scan.changed and not scan.in_memory and "answer" in self.found
                and self.found["digests"] == scan.digests)

    @property
    def answer(self) -> Any:
        return self.found["answer"]

    def close(self) -> None:
        import sqlite3

        self.stop()
        if self.reader is not None:
            with contextlib.suppress(sqlite3.Error):
                self.reader.close()


def scan(folder: Path, *, cache: bool = True, workers: int | None = None,
         visits: bool = False) -> Scan:
    """Every record below `folder`, through the index: only what changed since the last
    run is read."""
    records, result = ask(folder, lambda index, _: index.summaries(order="", visits=visits),
                          cache=cache, workers=workers, visits=visits)
    result.records = records
    return result


# -- what the commands ask ---------------------------------------------------------------

def newest(index: Index, filters: Filters, *, limit: int = 0) -> tuple[list[Summary], int]:
    """`records list`: the records the filters take, newest first (at most `limit`,
    if above 0), and how many they take in all."""
    where, params = filters.sql()
    return index.summaries(where, params, limit=limit), index.count(where, params)


def oldest_first(index: Index, filters: Filters, *, visits: bool = False) -> list[Summary]:
    """`records export`: the records the filters take, oldest first, with their step
    visits if `visits`."""
    return index.summaries(*filters.sql(), order=OLDEST_FIRST, visits=visits)


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

    found, _ = ask(folder, earlier)
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
