"""The records folder: finding records, reading their front matter, a cache, filters.

Records live at `<records>/<YYYY>/<MM>/<id>.md`; every `*.md` file below the folder
is read (hidden files and folders are not), so a misplaced record still counts and
`records check` can name it. A record whose front matter can't be used is skipped
and reported, never fatal.

Reading 100,000 front matters takes seconds, so the summaries are kept in a derived
cache, `<records>/.cache/summaries.jsonl` (git-ignored by a `.gitignore` inside the
cache folder). An entry is used only while its file has the same size, modification
time and inode as when it was read; anything else is read again. A file modified in
the two seconds before a scan is not cached at all, since a second change within the
file system's timestamp resolution could go unseen. Delete the cache at any time.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from deescalate.errors import Ambiguous, NotFound
from deescalate.files import write_atomic, write_exclusive
from deescalate.records.filters import Filters, normalize
from deescalate.records.format import MAX_BYTES
from deescalate.records.reader import read
from deescalate.records.summary import Summary, Unreadable

CACHE_DIR = ".cache"
CACHE_FILE = "summaries.jsonl"
# Bump when Summary or the way records are read changes: older caches are then ignored.
CACHE_VERSION = 2
RACY_NS = 2_000_000_000
PARALLEL_MIN = 2_000  # below this many files to read, one process is quicker
CHUNK = 1_000
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Scan:
    """Every record in a folder, read or taken from the cache."""

    folder: Path
    records: list[Summary] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, problem)
    read: int = 0  # files read this time
    cached: int = 0  # files whose summary came from the cache
    exists: bool = True
    created_cache: Path | None = None  # set when this scan made the cache folder
    # Each record file found: its size, modification time (ns) and inode, by path.
    files: dict[str, tuple[int, int, int]] = field(default_factory=dict)

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


# -- finding files -----------------------------------------------------------------------

def find_files(folder: Path, problems: list[tuple[str, str]] | None = None
               ) -> Iterator[tuple[str, int, int, int]]:
    """Each record file below `folder`: its '/'-separated path, size, mtime (ns), inode.

    Only regular files are records. What can't be one is added to `problems` as
    (path, problem): a `.md` that is a link, a FIFO, a device or a socket, a broken
    link of any name, and a folder that can't be read (so the records in it are
    missing). Links to folders are not followed, and not a problem."""
    stack = [(str(folder), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            if problems is not None and (prefix or not isinstance(exc, FileNotFoundError)):
                problems.append((prefix, f"can't read this folder ({exc.strerror or exc}), "
                                         "so no record in it is counted"))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{name}/"))
                elif entry.is_file(follow_symlinks=False):
                    if name.endswith(".md"):
                        info = entry.stat(follow_symlinks=False)
                        yield f"{prefix}{name}", info.st_size, info.st_mtime_ns, info.st_ino
                elif problems is not None:
                    problem = _not_a_record(entry)
                    if problem is not None:
                        problems.append((f"{prefix}{name}", problem))
            except OSError:
                continue  # vanished while we looked


def _not_a_record(entry: os.DirEntry[str]) -> str | None:
    """Why a directory entry that is not a regular file or a folder can't be read as a
    record; None when it is no business of ours (a link to a folder, or to a file not
    named as a record)."""
    from deescalate.files import kind_of

    if entry.is_symlink():
        target = _link_target(entry.path)
        if not os.path.exists(entry.path):
            return f"is a broken symbolic link (to {target})"
        if not entry.name.endswith(".md"):
            return None
        return (f"is a symbolic link (to {target}), not a file: records are read only "
                "from regular files")
    if not entry.name.endswith(".md"):
        return None
    return (f"is {kind_of(entry.stat(follow_symlinks=False).st_mode)}, not a file: "
            "records are read only from regular files")


def _link_target(path: str) -> str:
    try:
        target = os.readlink(path)
    except OSError:  # pragma: no cover - changed meanwhile
        return "somewhere"
    return target if len(target) <= 60 else target[:57] + "..."


# -- reading -----------------------------------------------------------------------------

def read_file(folder: str, path: str, size: int = -1) -> Summary | str:
    """The summary of one record file, or what is wrong with it. `size`, from a stat
    just before, saves asking again (the file may still have changed since). Only a
    regular file is read, never past MAX_BYTES."""
    from deescalate.files import NotAFile, read_limited

    try:
        data = read_limited(f"{folder}/{path}", MAX_BYTES, follow_links=False,
                            size_hint=size)
    except NotAFile as exc:
        return f"is {exc.what}, not a file: records are read only from regular files"
    except OSError as exc:
        return f"can't read the file ({exc.strerror or exc})"
    try:
        return read(data, path)
    except Unreadable as exc:
        return str(exc)
    except RecursionError:  # pragma: no cover - the readers cap nesting long before this
        return "the front matter is nested too deeply"
    except Exception as exc:  # pragma: no cover - a bug: one record must not stop them all
        return (f"could not be read: a bug in deescalate ({type(exc).__name__}); "
                "please report it")


def read_files(folder: str, files: list[tuple[str, int]]) -> list[Summary | str]:
    return [read_file(folder, path, size) for path, size in files]


def in_parallel(work: Callable[[str, list[T]], list[R]], folder: Path, items: list[T],
                workers: int | None = None, *, minimum: int = PARALLEL_MIN) -> list[R]:
    """`work(folder, chunk)` over chunks of `items`, in as many processes as there are
    cores when there are enough items to pay for starting them; results in order."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(items) < minimum:
        return work(str(folder), items)
    try:
        import multiprocessing
        import threading
        from concurrent.futures import ProcessPoolExecutor

        # fork: the workers already have everything imported and start at once. Not
        # from a process with other threads (say, `start` looking up a caller's history
        # while the first step shows): a fork there can inherit a held lock.
        methods = multiprocessing.get_all_start_methods()
        if threading.active_count() == 1 and "fork" in methods:
            method = "fork"
        else:
            method = "forkserver" if "forkserver" in methods else "spawn"
        context = multiprocessing.get_context(method)
        chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
        with ProcessPoolExecutor(min(workers, 8), mp_context=context) as pool:
            results: list[R] = []
            for part in pool.map(work, [str(folder)] * len(chunks), chunks):
                results += part
            return results
    except (OSError, ImportError, RuntimeError):  # no processes here (or one broke)
        return work(str(folder), items)


# -- the cache ---------------------------------------------------------------------------
#
# One JSON line naming the format, then lines of up to CHUNK entries, each
# [path, size, mtime_ns, inode, summary-without-path or null, problem or null], then a
# line with the CRC-32 of the entry lines and their count. The CRC stands for checking
# each row's types, which would double the time of a warm run: a cache cut short or
# damaged is not used at all, and one of another version of the format is ignored.

def cache_path(folder: Path) -> Path:
    return folder / CACHE_DIR / CACHE_FILE


_HEADER = {"cache": "deescalate record summaries", "version": CACHE_VERSION}
# A few values, many times: one copy of each. Taken by name, so a new field moves nothing.
_INTERNED = tuple(Summary._fields.index(name)
                  for name in ("playbook", "agent", "outcome", "root_cause"))
# Mostly empty, and then all the same empty tuple.
_LISTS = tuple(Summary._fields.index(name) for name in ("skipped", "tags"))


def _read_cache(path: Path, found: dict[str, tuple[int, int, int]]
                ) -> tuple[dict[str, Summary | str], int] | None:
    """The cached summary or problem of each file in `found` that has not changed since,
    and how many entries the cache held; None if there is no usable cache."""
    import zlib

    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, on every way out
    except OSError:
        return None
    reused: dict[str, Summary | str] = {}
    crc = count = 0
    make, intern = Summary._make, sys.intern
    try:
        with handle:
            if json.loads(handle.readline()) != _HEADER:
                return None
            for line in handle:
                if line.startswith(b"{"):
                    trailer = json.loads(line)
                    if trailer != {"crc32": crc, "entries": count}:
                        return None
                    return reused, count
                crc = zlib.crc32(line, crc)
                for path_, size, mtime, inode, row, problem in json.loads(line):
                    count += 1
                    stat = found.get(path_)
                    if stat is None or stat[0] != size or stat[1] != mtime or stat[2] != inode:
                        continue
                    if row is None:
                        reused[path_] = str(problem)
                        continue
                    for index in _INTERNED:
                        if row[index] is not None:
                            row[index] = intern(row[index])
                    for index in _LISTS:
                        row[index] = tuple(row[index])
                    row.append(path_)
                    reused[path_] = make(row)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return None  # no trailer: cut short


def _write_cache(folder: Path, entries: Iterator[list[Any]]) -> Path | None:
    """Write the cache atomically; returns the cache folder if this made it. Never fails."""
    return write_rows(folder, CACHE_FILE, _HEADER, entries)


def write_rows(folder: Path, name: str, header: dict[str, Any],
               entries: Iterator[list[Any]]) -> Path | None:
    """Write a derived file of JSON rows to `<folder>/.cache/<name>` all at once: the
    header, lines of up to CHUNK rows, and a trailer with their CRC-32 and count.
    Returns the cache folder if this made it. Never fails: a folder that can't be
    written only means the next run reads the files again."""
    import zlib

    directory = folder / CACHE_DIR
    made = None
    try:
        if not directory.is_dir():
            directory.mkdir()
            made = directory
        ignore = directory / ".gitignore"
        if not ignore.exists():
            write_exclusive(ignore, b"# derived by deescalate: never commit, delete at will\n*\n")

        def lines() -> Iterator[bytes]:
            yield json.dumps(header).encode("ascii") + b"\n"
            crc = count = 0
            while chunk := list(itertools.islice(entries, CHUNK)):
                line = json.dumps(chunk, separators=(",", ":")).encode("ascii") + b"\n"
                crc = zlib.crc32(line, crc)
                count += len(chunk)
                yield line
            yield json.dumps({"crc32": crc, "entries": count}).encode() + b"\n"

        # Derived and rebuilt when lost, so not flushed to disk: that would cost more
        # than reading a folder's worth of records again after a power cut.
        write_atomic(directory / name, lines(), durable=False)
    except OSError:
        pass  # a read-only folder: every run reads the files, which is slower, not wrong
    return made


def read_rows(folder: Path, name: str, header: dict[str, Any]) -> list[list[Any]] | None:
    """The rows of `<folder>/.cache/<name>` if it was written with this `header` and
    is whole (its CRC-32 and count agree); None for a missing, damaged or other one."""
    import zlib

    try:
        handle = open(folder / CACHE_DIR / name, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return None
    rows: list[list[Any]] = []
    crc = 0
    try:
        with handle:
            if json.loads(handle.readline()) != header:
                return None
            for line in handle:
                if line.startswith(b"{"):
                    ok = json.loads(line) == {"crc32": crc, "entries": len(rows)}
                    return rows if ok else None
                crc = zlib.crc32(line, crc)
                chunk = json.loads(line)
                if not isinstance(chunk, list) or not all(isinstance(r, list) for r in chunk):
                    return None
                rows += chunk
    except (OSError, ValueError):
        return None
    return None  # no trailer: cut short


# -- scanning ----------------------------------------------------------------------------

def scan(folder: Path, *, cache: bool = True, workers: int | None = None) -> Scan:
    """Every record below `folder`, from the cache where the file has not changed."""
    import gc

    # Nothing made here refers back to itself, and the collector, run again and again
    # as a hundred thousand summaries pile up, would take a third of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _scan(folder, cache, workers)
    finally:
        if collecting:
            gc.enable()


def _scan(folder: Path, cache: bool, workers: int | None) -> Scan:
    result = Scan(folder)
    if not folder.is_dir():
        result.exists = False
        return result
    started = time.time_ns()
    found = result.files = {path: (size, mtime, inode) for path, size, mtime, inode
                            in find_files(folder, result.unreadable)}
    cached = _read_cache(cache_path(folder), found) if cache else None
    reused, held = cached if cached is not None else ({}, -1)
    todo: list[str] = []
    for path in found:
        hit = reused.get(path)
        if hit is None:
            todo.append(path)
        elif isinstance(hit, str):
            result.unreadable.append((path, hit))
        else:
            result.records.append(hit)
    result.cached = len(reused)
    result.read = len(todo)
    new = dict(zip(todo, in_parallel(read_files, folder, [(p, found[p][0]) for p in todo],
                                     workers), strict=True))
    for path, outcome in new.items():
        if isinstance(outcome, str):
            result.unreadable.append((path, outcome))
        else:
            result.records.append(outcome)
    if cache and (new or held != len(reused)):
        racy = started - RACY_NS

        def entries() -> Iterator[list[Any]]:
            for path, (size, mtime, inode) in found.items():
                outcome = reused.get(path)
                if outcome is None:
                    outcome = new[path]
                    if mtime >= racy:
                        continue  # too fresh to trust its time: read it again next time
                if isinstance(outcome, str):
                    yield [path, size, mtime, inode, None, outcome]
                else:
                    yield [path, size, mtime, inode, list(outcome[:-1]), None]

        result.created_cache = _write_cache(folder, entries())
    result.unreadable.sort()
    return result


# -- finding one record ------------------------------------------------------------------

class RecordNotFound(NotFound):
    """No record has the id asked for; `candidates` are the ids it may have meant."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class AmbiguousRecord(RecordNotFound, Ambiguous):
    """More than one record has an id that starts with what was asked for."""


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
    found = [
        record for record in scan(folder).records
        if record.id not in skip and (
            (wanted_ref is not None and record.reference is not None
             and normalize(record.reference) == wanted_ref)
            or (wanted_customer is not None and record.customer is not None
                and normalize(record.customer) == wanted_customer))
    ]
    found.sort(key=_newest_first, reverse=True)
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
