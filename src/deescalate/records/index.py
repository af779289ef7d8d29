"""The records index: what every record says, in a SQLite database beside the records.

`<records>/.cache/index.sqlite3` (git-ignored by a `.gitignore` in `.cache/`) holds a
row per record file: its size, modification time and inode when it was read, and
what it says (its summary; the columns come from the record's fields, see
`deescalate.records.rows`), or the problem that keeps it from being read; its step
visits, read with the rest by a command that will use them, else the first time a
per-step report asks for them (`deescalate.records.visits`); and what `records check`
found in it (`deescalate.records.checked`). The commands ask it in SQL: filters,
counts, sums, groups.

Never trusted over the files: each run brings it up to date with the folder
(`deescalate.records.update`). The commands ask it through `store.ask`, which brings it
up to date first; a question that only reads may be asked of the index as it stands
while the folder is walked, its answer kept when the walk finds nothing changed.

This module opens it and repairs it. Many commands at once: the database is in WAL
mode, so readers never wait for a writer; writers take turns (`BEGIN IMMEDIATE`,
waiting up to `BUSY_SECONDS`) and write in batches, so a command reading 100,000
records does not hold the others up. A database that is not one or is damaged is
deleted and made again from the files; one made by another version of the index
(`PRAGMA user_version`, a digest of its tables, see `rows.Layout.version`) is emptied
and filled again. A folder that can't be written, or an index that stays locked, gets
an index in memory for the run: slower, never wrong.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deescalate.records.rows import layout, summaries
from deescalate.records.summary import Summary
from deescalate.records.update import bring_up_to_date
from deescalate.records.visits import fill_visits

CACHE_DIR = ".cache"
INDEX_FILE = "index.sqlite3"
BUSY_SECONDS = 60.0
OLD_CACHES = ("summaries.jsonl", "check.jsonl")  # the JSON Lines caches this replaced
# SQLite's result codes for a file that is not a database, or is damaged.
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


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
    the connection to ask (only the records index's modules write)."""

    def __init__(self, folder: Path, *, persistent: bool = True) -> None:
        self.folder = folder
        self.created_cache: Path | None = None
        self.in_memory = False
        self.db = self._open() if persistent else self._memory()

    # -- opening ---------------------------------------------------------------------

    def _memory(self) -> sqlite3.Connection:
        self.in_memory = True
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        db.executescript(layout().schema)
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
            if db.execute("PRAGMA user_version").fetchone()[0] != layout().version:
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
        table = layout()
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != table.version:
                names = [row[0] for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")]
                for name in names:
                    db.execute(f'DROP TABLE IF EXISTS "{name}"')
                for statement in table.schema.split(";\n"):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {table.version}")
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
                before_change: Callable[[], object] | None = None,
                visits: bool = False) -> Scan:
        """Read what changed in the folder since the index last saw it, with the step
        visits of the files read if `visits` (for a command that will ask for them). A
        damaged index is made again; one that can't be written (read-only, locked for
        longer than BUSY_SECONDS) is left for one in memory, for this run."""
        for attempt in range(3):
            database = None if self.in_memory else str(index_path(self.folder))
            try:
                found = bring_up_to_date(self.db, self.folder, database, BUSY_SECONDS, workers,
                                         before_change, visits=visits)
                return Scan(self.folder, created_cache=self.created_cache,
                            in_memory=self.in_memory, **found._asdict())
            except sqlite3.Error as exc:
                if self.in_memory:
                    raise  # pragma: no cover - a bug, not a damaged file
                if attempt == 0 and damaged(exc):
                    self.rebuild()
                else:
                    self.close()
                    self.db = self._memory()
        raise AssertionError("unreachable")  # pragma: no cover

    def fill_visits(self, where: str = "", params: Sequence[Any] = (), *,
                    workers: int | None = None) -> None:
        """Read the step visits of the records matching `where` that have none yet
        (see `deescalate.records.visits`)."""
        fill_visits(self.db, self.folder, where, params, workers=workers)

    # -- asking it ---------------------------------------------------------------------

    def summaries(self, where: str = "", params: Sequence[Any] = (), *,
                  order: str = "r.started DESC, r.id DESC, r.path DESC", limit: int = 0,
                  visits: bool = False) -> list[Summary]:
        """The records matching `where` (SQL over the records table as `r`), as
        Summaries in `order`, with their step visits if `visits`."""
        if visits:
            self.fill_visits(where, params)
        columns = layout().select + (", r.visits" if visits else "")
        sql = f"{columns} FROM records r WHERE r.problem IS NULL"
        if where:
            sql += f" AND ({where})"
        if order:
            sql += f" ORDER BY {order}"
        if limit > 0:
            sql += f" LIMIT {int(limit)}"
        return summaries(self.db.execute(sql, tuple(params)))

    def count(self, where: str = "", params: Sequence[Any] = ()) -> int:
        sql = "SELECT count(*) FROM records r WHERE r.problem IS NULL"
        if where:
            sql += f" AND ({where})"
        return int(self.db.execute(sql, tuple(params)).fetchone()[0])


