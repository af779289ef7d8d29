"""Bringing the records index up to date with the records folder.

Each run walks the folder and stats every file. For each folder the index keeps a
digest of its files' names, sizes, modification times and inodes, written only after
checking, in the same transaction, that the rows of that folder are exactly those
files as they were; writing any row of a folder clears its digest. A folder whose
digest matches is up to date; in any other, each file is compared with its row, and a
file whose size, modification time or inode differs, or that has no row, is read
again, and a row whose file is gone is deleted. A file modified in the two seconds
before the walk is stored so that the next run reads it again (a second change within
the file system's timestamp resolution could go unseen), and its folder gets no digest.

Many files to read are read in as many processes as there are cores, each writing
what it read through its own connection (`_store_in_worker`). A command that will ask
for the step visits (`records report`, `records stats --by step`, the step rows) has
them read in the same pass (`visits`), rather than each file read again for them after
(`deescalate.records.visits`); the others leave them out, which is quicker.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from deescalate.records.rows import layout, read_rows

RACY_NS = 2_000_000_000
BATCH = 5_000  # records written per transaction


class Found(NamedTuple):
    """What bringing the index up to date found and did."""

    unreadable: list[tuple[str, str]]  # (path, problem)
    read: int  # files read this time
    cached: int  # files whose row was up to date
    files: int  # record files in the folder
    changed: bool  # some row was read again or deleted
    digests: dict[str, str | None]  # the folders', as found


def transaction(db: sqlite3.Connection, work: Callable[[], object]) -> None:
    """Run `work` in one write transaction, taking turns with other commands."""
    db.execute("BEGIN IMMEDIATE")
    try:
        work()
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


def bring_up_to_date(db: sqlite3.Connection, folder: Path, database: str | None,
                     busy: float, workers: int | None,
                     before_change: Callable[[], object] | None = None, *,
                     visits: bool = False) -> Found:
    """Read what changed in the folder since the index last saw it (see above).
    `database` is the index's file, for reading processes to write to (None: the index
    is in memory), `busy` how long they wait for their turn to write; with `visits`,
    the step visits of each file read too."""
    from deescalate.records.folder import PARALLEL_MIN, in_parallel_chunks, walk

    unreadable: list[tuple[str, str]] = []
    started = time.time_ns()
    listings = walk(folder, unreadable)
    digests = {prefix: digest(listing.names, listing.stats)
               for prefix, listing in listings.items()}
    known_digests = dict(db.execute("SELECT folder, digest FROM folders"))
    todo: list[tuple[str, int, int, int]] = []  # path, size, time, inode
    gone: list[str] = []
    stale = []
    files = 0
    for prefix, listing in listings.items():
        files += len(listing.names)
        if known_digests.get(prefix) == digests[prefix]:
            continue
        stale.append(prefix)
        rows = {row[0]: row[1:] for row in db.execute(
            "SELECT path, size, mtime_ns, inode FROM records WHERE folder = ?", (prefix,))}
        for name, seen in zip(listing.names, listing.stats, strict=True):
            path = prefix + name
            if rows.pop(path, None) != seen:
                todo.append((path, *seen))
        gone += rows
    vanished = [prefix for prefix in known_digests if prefix not in listings]
    for prefix in vanished:
        gone += [row[0] for row in db.execute(
            "SELECT path FROM records WHERE folder = ?", (prefix,))]
    found = Found(unreadable, len(todo), files - len(todo), files,
                  bool(todo or gone or vanished), known_digests)
    if found.changed and before_change is not None:
        before_change()
    if gone or vanished:
        transaction(db, lambda: _forget(db, gone, vanished))
    racy = started - RACY_NS
    todo.sort()  # in the order of the table's key: quicker to write
    fresh: set[str] = set()
    cores = workers if workers is not None else (os.cpu_count() or 1)
    if database is not None and cores >= 2 and len(todo) >= PARALLEL_MIN:
        # Each reading process writes what it read, through its own connection.
        work = functools.partial(_store_in_worker, database, busy, racy, visits)
    else:  # here, through this connection (an index in memory is only in this process)
        work, cores = functools.partial(_store_here, db, racy, visits), 1
    for chunk, racy_ones in in_parallel_chunks(work, folder, todo, cores,
                                               batch=BATCH):
        fresh.update(path[:path.rfind("/") + 1] for (path, *_), too_fresh
                     in zip(chunk, racy_ones, strict=True) if too_fresh)
    for prefix in stale:
        if prefix not in fresh:
            transaction(db, lambda prefix=prefix: _seal(  # type: ignore[misc]
                db, prefix, listings[prefix], digests[prefix]))
    unreadable += db.execute(
        "SELECT path, problem FROM records WHERE problem IS NOT NULL").fetchall()
    unreadable.sort()
    return found


def _forget(db: sqlite3.Connection, paths: Sequence[str], vanished: Sequence[str]) -> None:
    db.executemany("DELETE FROM records WHERE path = ?", [(path,) for path in paths])
    _clear(db, {path[:path.rfind("/") + 1] for path in paths})
    db.executemany("DELETE FROM folders WHERE folder = ?", [(p,) for p in vanished])


def _seal(db: sqlite3.Connection, prefix: str, listing: Any, value: str) -> None:
    """Give the folder its digest, if its rows are its files exactly, as walked."""
    rows = {row[0]: row[1:] for row in db.execute(
        "SELECT path, size, mtime_ns, inode FROM records WHERE folder = ?", (prefix,))}
    wanted = {prefix + name: seen
              for name, seen in zip(listing.names, listing.stats, strict=True)}
    if rows == wanted:
        db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?)", (prefix, value))


def _clear(db: sqlite3.Connection, prefixes: set[str]) -> None:
    """Forget the digests of these folders: their rows are changing."""
    db.executemany("INSERT OR REPLACE INTO folders VALUES (?, NULL)",
                   [(prefix,) for prefix in prefixes])


def store_files(db: sqlite3.Connection, folder: str, items: list[tuple[str, int, int, int]],
                racy: int, visits: bool = False) -> list[bool]:
    """Read each file (path, size, time, inode as walked) and write its row (with its
    step visits, if `visits`), all in one write transaction; for each, whether it
    changed too recently to trust its time (its row then gets the time -1, so that the
    next run reads it again)."""
    read = read_rows(folder, [(path, size) for path, size, _, _ in items], visits)
    stored = []
    too_fresh = []
    for (path, size, mtime, inode), row in zip(items, read, strict=True):
        fresh = mtime >= racy
        too_fresh.append(fresh)
        stored.append((path, path[:path.rfind("/") + 1], size, -1 if fresh else mtime, inode,
                       *row))

    def write() -> None:
        table = layout()  # replacing the file's row, if it had one
        db.executemany(table.insert_visits if visits else table.insert, stored)
        _clear(db, {row[1] for row in stored})

    transaction(db, write)
    return too_fresh


def _store_here(db: sqlite3.Connection, racy: int, visits: bool, folder: str,
                items: list[tuple[str, int, int, int]]) -> list[bool]:
    return store_files(db, folder, items, racy, visits)


_connections: dict[str, sqlite3.Connection] = {}  # a reading process's, by database


def _store_in_worker(database: str, busy: float, racy: int, visits: bool, folder: str,
                     items: list[tuple[str, int, int, int]]) -> list[bool]:
    """`store_files` in a reading process, through its own connection to the index: the
    rows go straight to the database, not back through the process that started it."""
    db = _connections.get(database)
    if db is None:
        db = sqlite3.connect(database, timeout=busy, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        _connections[database] = db
    return store_files(db, folder, items, racy, visits)


def digest(names: Sequence[str], stats: Sequence[tuple[int, int, int]]) -> str:
    """What a folder's files are: their names, sizes, times and inodes, in the order
    listed. Python's hash of whole numbers is the same in every process."""
    named = hashlib.blake2b("\0".join(names).encode("utf-8", "surrogateescape"),
                            digest_size=8).hexdigest()
    return f"{named}{hash(tuple(stats)) & 0xFFFF_FFFF_FFFF_FFFF:016x}"
