"""The records index: what every record says, in a SQLite database beside the records.

`<records>/.cache/index.sqlite3` (git-ignored by a `.gitignore` in `.cache/`) holds a
row per record file: its size, modification time and inode when it was read, and
what it says (its summary), or the problem that keeps it from being read; its step
visits, read the first time a per-step report asks for them (`Index.fill_visits`);
and what `records check` found in it. The commands ask it in SQL: filters, counts,
sums, groups.

Never trusted over the files. Each run walks the folder and stats every file. For
each folder it keeps a digest of its files' names, sizes, modification times and
inodes, written only after checking, in the same transaction, that the rows of that
folder are exactly those files as they were; writing any row of a folder clears its
digest. A folder whose digest matches is up to date; in any other, each file is
compared with its row, and a file whose size, modification time or inode differs,
or that has no row, is read again, and a row whose file is gone is deleted. A file
modified in the two seconds before the walk is stored so that the next run reads it
again (a second change within the file system's timestamp resolution could go
unseen), and its folder gets no digest.

Many files to read are read in as many processes as there are cores, each writing
what it read through its own connection. The commands ask it through `store.ask`,
which brings it up to date first; a question that only reads may be asked of the
index as it stands while the folder is walked, its answer kept when the walk finds
nothing changed.

Many commands at once: the database is in WAL mode, so readers never wait for a
writer; writers take turns (`BEGIN IMMEDIATE`, waiting up to `BUSY_SECONDS`) and
write in batches, so a command reading 100,000 records does not hold the others up.
A database that is not one or is damaged is deleted and made again from the files;
one made by another version of the index (`PRAGMA user_version`) is emptied and
filled again. A folder that can't be written, or an index that stays locked, gets an
index in memory for the run: slower, never wrong.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deescalate.records.summary import StepVisit, Summary

CACHE_DIR = ".cache"
INDEX_FILE = "index.sqlite3"
# Bump when the tables, or what the readers make of a record, change: an index of
# another version is emptied and filled again from the files.
VERSION = 2
RACY_NS = 2_000_000_000
BUSY_SECONDS = 60.0
BATCH = 5_000  # records written per transaction
OLD_CACHES = ("summaries.jsonl", "check.jsonl")  # the JSON Lines caches this replaced
# SQLite's result codes for a file that is not a database, or is damaged.
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    path TEXT PRIMARY KEY,      -- relative to the records folder, '/'-separated
    folder TEXT NOT NULL,       -- the path up to its last '/' (with it)
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,  -- -1: read too soon after a change, read it again
    inode INTEGER NOT NULL,
    problem TEXT,               -- why the file can't be used as a record, NULL if it can
    id TEXT, playbook TEXT, playbook_version INTEGER, agent TEXT,
    customer TEXT, reference TEXT,
    customer_key TEXT, reference_key TEXT,  -- case and runs of spaces ignored
    started TEXT, ended TEXT, duration INTEGER, outcome TEXT, escalated INTEGER,
    root_cause TEXT, summary TEXT, follow_up TEXT, follow_up_done TEXT,
    mood_start INTEGER, mood_end INTEGER, steps INTEGER,
    skipped TEXT,               -- JSON list of step ids
    redactions INTEGER,
    tags TEXT,                  -- JSON list
    playbooks TEXT,             -- JSON list when the call switched playbook, else NULL
    visits TEXT,                -- JSON list of StepVisit lists, one per `steps` entry,
                                -- NULL: not read yet (see Index.fill_visits)
    checked TEXT                -- JSON list of what `records check` found, NULL: not yet
);
CREATE INDEX IF NOT EXISTS records_folder ON records (folder);
CREATE INDEX IF NOT EXISTS records_problem ON records (path) WHERE problem IS NOT NULL;
CREATE TABLE IF NOT EXISTS folders (
    folder TEXT PRIMARY KEY,
    digest TEXT                 -- NULL: compare its files one by one
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID
"""

# The columns a Summary is made from, in its field order.
SUMMARY_COLUMNS = ("id", "playbook", "playbook_version", "agent", "customer", "reference",
                   "started", "ended", "duration", "outcome", "escalated", "root_cause",
                   "summary", "follow_up", "follow_up_done", "mood_start", "mood_end",
                   "steps", "skipped", "redactions", "tags", "path", "playbooks")
SELECT_SUMMARY = "SELECT " + ", ".join(f"r.{name}" for name in SUMMARY_COLUMNS)
_INSERT = f"INSERT OR REPLACE INTO records VALUES ({', '.join(['?'] * 32)})"
_EMPTY = (None,) * 26


@dataclass
class Scan:
    """What bringing the index up to date found and did (and, from `store.scan`, every
    record: `records` is empty when a command asked the index for only some)."""

    folder: Path
    records: list[Summary] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, problem)
    read: int = 0  # files read this time
    cached: int = 0  # files whose row was up to date
    files: int = 0  # record files in the folder
    exists: bool = True  # False: there is no such folder (an empty one is asked)
    created_cache: Path | None = None  # set when this run made the cache folder
    in_memory: bool = False  # the folder's own index could not be used
    changed: bool = False  # some row was read again or deleted by this run
    digests: dict[str, str | None] = field(default_factory=dict)  # the folders' as found


def index_path(folder: Path) -> Path:
    return folder / CACHE_DIR / INDEX_FILE


def damaged(error: sqlite3.Error) -> bool:
    """Whether SQLite says the file is not a database, or a damaged one."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _DAMAGED
    text = str(error)
    return "malformed" in text or "not a database" in text  # pragma: no cover


def _clear_way(path: Path) -> None:
    """Remove the database's files that are not files of our own: a link (which SQLite
    would follow, to change or empty another database), a FIFO or a device (which could
    block), or a hard link to a file elsewhere. They can only have been put in `.cache/`
    by someone else; the index is made again from the records."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            info = os.lstat(f"{path}{suffix}")
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            os.unlink(f"{path}{suffix}")


def remove(path: Path) -> None:
    """Delete a database and its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")


class Index:
    """An open records index. `refresh` brings it up to date with the folder; `db` is
    the connection to ask (only this module writes)."""

    def __init__(self, folder: Path, *, persistent: bool = True) -> None:
        self.folder = folder
        self.created_cache: Path | None = None
        self.in_memory = False
        self.db = self._open() if persistent else self._memory()

    # -- opening ---------------------------------------------------------------------

    def _memory(self) -> sqlite3.Connection:
        self.in_memory = True
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        db.executescript(SCHEMA)
        return db

    def _open(self) -> sqlite3.Connection:
        """The folder's index, made if missing, made again if damaged, emptied if of
        another version; an index in memory if the folder can't hold one."""
        directory = self.folder / CACHE_DIR
        try:
            try:
                kind = directory.lstat().st_mode
            except FileNotFoundError:
                directory.mkdir()
                self.created_cache = directory
            else:
                if not stat.S_ISDIR(kind):  # a link (to who knows where) or a file
                    return self._memory()
            _clear_way(directory / INDEX_FILE)
            ignore = directory / ".gitignore"
            if not ignore.exists():
                from deescalate.files import write_exclusive

                with contextlib.suppress(FileExistsError):
                    write_exclusive(ignore, b"# derived by deescalate: never commit, "
                                            b"delete at will\n*\n")
        except OSError:
            return self._memory()
        path = directory / INDEX_FILE
        for attempt in range(2):
            try:
                return self._connect(path)
            except sqlite3.Error as exc:
                if attempt or not damaged(exc):
                    break
                remove(path)  # not a database, or damaged: start again from the files
            except OSError:
                break
        return self._memory()

    def _connect(self, path: Path) -> sqlite3.Connection:
        fresh = not path.exists()
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None,
                             check_same_thread=False)
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            # Derived data: a power cut may lose the last writes, which the next run
            # makes again, but never damages the database.
            db.execute("PRAGMA synchronous=NORMAL")
            if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                self._make_tables(db)
            else:  # reads the schema: a damaged file fails here, not halfway through
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            db.close()
            raise
        if fresh:
            for name in OLD_CACHES:
                with contextlib.suppress(OSError):
                    os.unlink(path.parent / name)
        return db

    @staticmethod
    def _make_tables(db: sqlite3.Connection) -> None:
        """Drop the tables another version made and make ours, once, whichever of several
        commands gets there first."""
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                names = [row[0] for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")]
                for name in names:
                    db.execute(f'DROP TABLE IF EXISTS "{name}"')
                for statement in SCHEMA.split(";\n"):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {VERSION}")
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()

    def rebuild(self) -> None:
        """Forget a damaged index and start again (in memory if need be)."""
        self.close()
        if not self.in_memory:
            remove(index_path(self.folder))
            self.db = self._open()
        else:  # pragma: no cover - an index in memory is not damaged by others
            self.db = self._memory()

    # -- bringing it up to date ------------------------------------------------------

    def refresh(self, *, workers: int | None = None,
                before_change: Callable[[], object] | None = None) -> Scan:
        """Read what changed in the folder since the index last saw it. A damaged index
        is made again; one that can't be written (read-only, locked for longer than
        BUSY_SECONDS) is left for one in memory, for this run."""
        for attempt in range(3):
            try:
                return self._refresh(workers, before_change)
            except sqlite3.Error as exc:
                if self.in_memory:
                    raise  # pragma: no cover - a bug, not a damaged file
                if attempt == 0 and damaged(exc):
                    self.rebuild()
                else:
                    self.close()
                    self.db = self._memory()
        raise AssertionError("unreachable")  # pragma: no cover

    def _refresh(self, workers: int | None,
                 before_change: Callable[[], object] | None = None) -> Scan:
        from deescalate.records.folder import PARALLEL_MIN, in_parallel_chunks, walk

        result = Scan(self.folder, created_cache=self.created_cache,
                      in_memory=self.in_memory)
        started = time.time_ns()
        listings = walk(self.folder, result.unreadable)
        digests = {prefix: digest(listing.names, listing.stats)
                   for prefix, listing in listings.items()}
        db = self.db
        known_digests = result.digests = dict(db.execute("SELECT folder, digest FROM folders"))
        todo: list[tuple[str, int, int, int]] = []  # path, size, time, inode
        gone: list[str] = []
        stale = []
        for prefix, listing in listings.items():
            result.files += len(listing.names)
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
        result.read = len(todo)
        result.cached = result.files - len(todo)
        result.changed = bool(todo or gone or vanished)
        if result.changed and before_change is not None:
            before_change()
        if gone or vanished:
            self._write(lambda: self._forget(gone, vanished))
        racy = started - RACY_NS
        todo.sort()  # in the order of the table's key: quicker to write
        fresh: set[str] = set()
        cores = workers if workers is not None else (os.cpu_count() or 1)
        if not self.in_memory and cores >= 2 and len(todo) >= PARALLEL_MIN:
            # Each reading process writes what it read, through its own connection.
            work = functools.partial(_store_in_worker, str(index_path(self.folder)), racy)
        else:  # here, through this connection (an index in memory is only in this process)
            work, cores = functools.partial(_store_here, db, racy), 1
        for chunk, racy_ones in in_parallel_chunks(work, self.folder, todo, cores,
                                                   batch=BATCH):
            fresh.update(path[:path.rfind("/") + 1] for (path, *_), too_fresh
                         in zip(chunk, racy_ones, strict=True) if too_fresh)
        for prefix in stale:
            if prefix not in fresh:
                self._write(lambda prefix=prefix: self._seal(  # type: ignore[misc]
                    prefix, listings[prefix], digests[prefix]))
        result.unreadable += db.execute(
            "SELECT path, problem FROM records WHERE problem IS NOT NULL").fetchall()
        result.unreadable.sort()
        return result

    def _write(self, work: Callable[[], object]) -> None:
        """Run `work` in one write transaction, taking turns with other commands."""
        _transaction(self.db, work)

    def _forget(self, paths: Sequence[str], vanished: Sequence[str]) -> None:
        db = self.db
        db.executemany("DELETE FROM records WHERE path = ?", [(path,) for path in paths])
        _clear(db, {path[:path.rfind("/") + 1] for path in paths})
        db.executemany("DELETE FROM folders WHERE folder = ?", [(p,) for p in vanished])

    def _seal(self, prefix: str, listing: Any, value: str) -> None:
        """Give the folder its digest, if its rows are its files exactly, as walked."""
        rows = {row[0]: row[1:] for row in self.db.execute(
            "SELECT path, size, mtime_ns, inode FROM records WHERE folder = ?", (prefix,))}
        wanted = {prefix + name: seen
                  for name, seen in zip(listing.names, listing.stats, strict=True)}
        if rows == wanted:
            self.db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?)", (prefix, value))

    # -- what `records check` found ----------------------------------------------------

    def check_key(self, key: str) -> None:
        """Forget what `records check` found unless it was found with `key` (the
        redaction settings and the finder's code)."""
        db = self.db
        old = db.execute("SELECT value FROM meta WHERE key = 'check'").fetchone()
        if old is None or old[0] != key:
            def reset() -> None:
                db.execute("UPDATE records SET checked = NULL WHERE checked IS NOT NULL")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('check', ?)", (key,))

            self._write(reset)

    def unchecked(self) -> list[tuple[str, int, int, int]]:
        """(path, size, time, inode) of each row `records check` has not looked at."""
        return self.db.execute("SELECT path, size, mtime_ns, inode FROM records "
                               "WHERE checked IS NULL ORDER BY path").fetchall()

    def set_checked(self, found: Sequence[tuple[tuple[str, int, int, int], str]]) -> None:
        """Keep what `records check` found in each file ((path, size, time, inode) as
        `unchecked` gave them, JSON), if its row has not been replaced meanwhile."""
        if found:
            self._write(lambda: self.db.executemany(
                "UPDATE records SET checked = ? WHERE path = ? AND size = ? AND "
                "mtime_ns = ? AND inode = ?", [(value, *row) for row, value in found]))

    # -- step visits, read when first asked for -----------------------------------------

    def fill_visits(self, where: str = "", params: Sequence[Any] = (), *,
                    workers: int | None = None) -> None:
        """Read the step visits of the records matching `where` that have none yet.

        Only `records stats --by step` and the Parquet step rows use them, and reading
        them takes a third of the time of reading a record: so a refresh leaves them
        out, and they are read here, once, the first time they are asked for."""
        from deescalate.records.folder import in_parallel_chunks

        sql = ("SELECT path, size, mtime_ns, inode FROM records r"
               " WHERE r.problem IS NULL AND r.visits IS NULL")
        if where:
            sql += f" AND ({where})"
        todo = self.db.execute(sql + " ORDER BY path", tuple(params)).fetchall()
        for chunk, found in in_parallel_chunks(read_visits, self.folder, todo, workers,
                                               batch=BATCH):
            rows = [(value, *row) for row, value in zip(chunk, found, strict=True)
                    if value is not None]
            if rows:
                self._write(lambda rows=rows: self.db.executemany(  # type: ignore[misc]
                    "UPDATE records SET visits = ? WHERE path = ? AND size = ? AND "
                    "mtime_ns = ? AND inode = ? AND visits IS NULL", rows))

    # -- asking it ---------------------------------------------------------------------

    def summaries(self, where: str = "", params: Sequence[Any] = (), *,
                  order: str = "r.started DESC, r.id DESC, r.path DESC", limit: int = 0,
                  visits: bool = False) -> list[Summary]:
        """The records matching `where` (SQL over the records table as `r`), as
        Summaries in `order`, with their step visits if `visits`."""
        if visits:
            self.fill_visits(where, params)
        columns = SELECT_SUMMARY + (", r.visits" if visits else "")
        sql = f"{columns} FROM records r WHERE r.problem IS NULL"
        if where:
            sql += f" AND ({where})"
        if order:
            sql += f" ORDER BY {order}"
        if limit > 0:
            sql += f" LIMIT {int(limit)}"
        return [summary_of(row) for row in self.db.execute(sql, tuple(params))]

    def count(self, where: str = "", params: Sequence[Any] = ()) -> int:
        sql = "SELECT count(*) FROM records r WHERE r.problem IS NULL"
        if where:
            sql += f" AND ({where})"
        return int(self.db.execute(sql, tuple(params)).fetchone()[0])


def _transaction(db: sqlite3.Connection, work: Callable[[], object]) -> None:
    """Run `work` in one write transaction, taking turns with other commands."""
    db.execute("BEGIN IMMEDIATE")
    try:
        work()
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


def _clear(db: sqlite3.Connection, prefixes: set[str]) -> None:
    """Forget the digests of these folders: their rows are changing."""
    db.executemany("INSERT OR REPLACE INTO folders VALUES (?, NULL)",
                   [(prefix,) for prefix in prefixes])


def store_files(db: sqlite3.Connection, folder: str, items: list[tuple[str, int, int, int]],
                racy: int) -> list[bool]:
    """Read each file (path, size, time, inode as walked) and write its row, all in one
    write transaction; for each, whether it changed too recently to trust its time (its
    row then gets the time -1, so that the next run reads it again)."""
    read = read_rows(folder, [(path, size) for path, size, _, _ in items])
    stored = []
    too_fresh = []
    for (path, size, mtime, inode), row in zip(items, read, strict=True):
        fresh = mtime >= racy
        too_fresh.append(fresh)
        stored.append((path, path[:path.rfind("/") + 1], size, -1 if fresh else mtime, inode,
                       *row))

    def write() -> None:
        db.executemany(_INSERT, stored)  # replacing the file's row, if it had one
        _clear(db, {row[1] for row in stored})

    _transaction(db, write)
    return too_fresh


def _store_here(db: sqlite3.Connection, racy: int, folder: str,
                items: list[tuple[str, int, int, int]]) -> list[bool]:
    return store_files(db, folder, items, racy)


_connections: dict[str, sqlite3.Connection] = {}  # a reading process's, by database


def _store_in_worker(database: str, racy: int, folder: str,
                     items: list[tuple[str, int, int, int]]) -> list[bool]:
    """`store_files` in a reading process, through its own connection to the index: the
    rows go straight to the database, not back through the process that started it."""
    db = _connections.get(database)
    if db is None:
        db = sqlite3.connect(database, timeout=BUSY_SECONDS, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        _connections[database] = db
    return store_files(db, folder, items, racy)


def digest(names: Sequence[str], stats: Sequence[tuple[int, int, int]]) -> str:
    """What a folder's files are: their names, sizes, times and inodes, in the order
    listed. Python's hash of whole numbers is the same in every process."""
    named = hashlib.blake2b("\0".join(names).encode("utf-8", "surrogateescape"),
                            digest_size=8).hexdigest()
    return f"{named}{hash(tuple(stats)) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


def read_rows(folder: str, items: list[tuple[str, int]]) -> list[tuple[Any, ...]]:
    """The index's columns (after path, folder, size, time and inode) for each file:
    what it says, or what is wrong with it. Run in the reading processes."""
    from deescalate.records.filters import normalize
    from deescalate.records.folder import read_file

    dumps = json.dumps
    rows: list[tuple[Any, ...]] = []
    for path, size in items:
        r = read_file(folder, path, size, visits=False)
        if isinstance(r, str):
            rows.append((r, *_EMPTY))
            continue
        rows.append((
            None, r.id, r.playbook, r.playbook_version, r.agent, r.customer, r.reference,
            normalize(r.customer) if r.customer is not None else None,
            normalize(r.reference) if r.reference is not None else None,
            r.started, r.ended, r.duration, r.outcome, int(r.escalated), r.root_cause,
            r.summary, r.follow_up, r.follow_up_done, r.mood_start, r.mood_end, r.steps,
            dumps(r.skipped) if r.skipped else "[]", r.redactions,
            dumps(r.tags) if r.tags else "[]",
            dumps(r.playbooks) if r.playbooks else None,
            None, None))
    return rows


def read_visits(folder: str, items: list[tuple[str, int, int, int]]) -> list[str | None]:
    """The step visits (JSON) of each file (path, size, time, inode as its row has
    them), or None when the file is no longer the one its row was read from (the next
    refresh reads it again). Run in the reading processes."""
    from deescalate.records.folder import read_file

    found: list[str | None] = []
    for path, size, mtime, inode in items:
        try:
            info = os.stat(f"{folder}/{path}", follow_symlinks=False)
        except OSError:
            found.append(None)
            continue
        if (info.st_size, info.st_ino) != (size, inode) or mtime not in (info.st_mtime_ns, -1):
            found.append(None)
            continue
        r = read_file(folder, path, size)
        found.append(None if isinstance(r, str) else
                     json.dumps(r.visits, separators=(",", ":")) if r.visits else "[]")
    return found


def summary_of(row: Sequence[Any]) -> Summary:
    """A Summary from a row of SELECT_SUMMARY (and the visits, if asked for)."""
    (identifier, playbook, version, agent, customer, reference, started, ended, duration,
     outcome, escalated, root_cause, summary, follow_up, done, mood_start, mood_end, steps,
     skipped, redactions, tags, path, playbooks, *visits) = row
    return Summary(identifier, playbook, version, agent, customer, reference, started, ended,
                   duration, outcome, bool(escalated), root_cause, summary, follow_up, done,
                   mood_start, mood_end, steps,
                   tuple(json.loads(skipped)) if skipped != "[]" else (), redactions,
                   tuple(json.loads(tags)) if tags != "[]" else (), path,
                   tuple(json.loads(playbooks)) if playbooks is not None else (),
                   tuple(_visit(entry) for entry in json.loads(visits[0]))
                   if visits and visits[0] else ())


def _visit(entry: list[Any]) -> StepVisit:
    step, playbook, at, seconds, skipped, answer, mood_in, mood_out = entry
    return StepVisit(step, playbook, at, seconds, bool(skipped), answer, mood_in, mood_out)
