"""The records folder on disk: walking it for record files, and reading them.

`walk` lists every `*.md` regular file below the folder (hidden files and folders
are not looked at) and names what can't be a record (a link, a FIFO, a folder that
can't be listed). `read_file` reads one record's front matter into a `Summary`, or
says what is wrong with it; `in_parallel_chunks` spreads reading
over the machine's cores. The records index (`deescalate.records.index`) is built on
these; `deescalate.records.store` is how the commands use both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from deescalate.records.format import MAX_BYTES
from deescalate.records.reader import read
from deescalate.records.summary import Summary, Unreadable

PARALLEL_MIN = 2_000  # below this many files to read, one process is quicker
CHUNK = 1_000
T = TypeVar("T")
R = TypeVar("R")


# -- finding files -----------------------------------------------------------------------

class Listing(NamedTuple):
    """The record files directly in one folder, in the order the system lists them."""

    names: list[str]
    stats: list[tuple[int, int, int]]  # size, modification time (ns), inode


def walk(folder: Path, problems: list[tuple[str, str]] | None = None) -> dict[str, Listing]:
    """Each folder below `folder` (and itself) holding record files, by its
    '/'-separated path ending in '/' ('' for `folder` itself): the `*.md` regular files
    directly in it. Hidden files and folders are skipped.

    Only regular files are records. What can't be one is added to `problems` as
    (path, problem): a `.md` that is a link, a FIFO, a device or a socket, a broken
    link of any name, and a folder that can't be read (so the records in it are
    missing). Links to folders are not followed, and not a problem."""
    from deescalate.files import WINDOWS

    found: dict[str, Listing] = {}
    stack = [(str(folder), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = os.scandir(directory)
        except OSError as exc:
            if problems is not None and (prefix or not isinstance(exc, FileNotFoundError)):
                problems.append((prefix, f"can't read this folder ({exc.strerror or exc}), "
                                         "so no record in it is counted"))
            continue
        names: list[str] = []
        stats: list[tuple[int, int, int]] = []
        with entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, f"{prefix}{name}/"))
                    elif entry.is_file(follow_symlinks=False):
                        if name.endswith(".md"):
                            info = entry.stat(follow_symlinks=False)
                            # files.identity, inline: this runs once per file
                            stats.append((info.st_size, info.st_mtime_ns,
                                          0 if WINDOWS else info.st_ino))
                            names.append(name)
                    elif problems is not None:
                        problem = _not_a_record(entry)
                        if problem is not None:
                            problems.append((f"{prefix}{name}", problem))
                except OSError:
                    continue  # vanished while we looked
        if names:
            found[prefix] = Listing(names, stats)
    return found


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

def read_file(folder: str, path: str, size: int = -1, *, visits: bool = True) -> Summary | str:
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
        return read(data, path, visits=visits)
    except Unreadable as exc:
        return str(exc)
    except RecursionError:  # pragma: no cover - the readers cap nesting long before this
        return "the front matter is nested too deeply"
    except Exception as exc:  # pragma: no cover - a bug: one record must not stop them all
        return (f"could not be read: a bug in deescalate ({type(exc).__name__}); "
                "please report it")


def in_parallel_chunks(work: Callable[[str, list[T]], list[R]], folder: Path, items: list[T],
                       workers: int | None = None, *, batch: int = CHUNK,
                       minimum: int = PARALLEL_MIN) -> Iterator[tuple[list[T], list[R]]]:
    """`work(folder, chunk)` over `items`, in as many processes as there are cores when
    there are at least `minimum` items to pay for starting them (else here, `batch`
    items at a time); each part's items and results handed on as soon as they are
    ready, in order, so a caller can store them without holding them all."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    done = 0
    if workers >= 2 and len(items) >= minimum:
        try:
            with _pool(workers) as pool:
                chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
                for part, results in zip(chunks, pool.map(
                        work, [str(folder)] * len(chunks), chunks), strict=True):
                    yield part, results
                    done += len(part)
        except (OSError, ImportError, RuntimeError):  # no processes here (or one broke)
            pass
    for start in range(done, len(items), batch):
        part = items[start:start + batch]
        yield part, work(str(folder), part)


def _pool(workers: int) -> Any:
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
    return ProcessPoolExecutor(min(workers, 8), mp_context=multiprocessing.get_context(method))
