"""Step visits in the records index: read the first time a per-step report asks."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deescalate.records.rows import visits_json
from deescalate.records.update import BATCH, transaction


def fill_visits(db: sqlite3.Connection, folder: Path, where: str = "",
                params: Sequence[Any] = (), *, workers: int | None = None) -> None:
    """Read the step visits of the records matching `where` that have none yet.

    Only `records stats --by step`, `records report` and the step rows use them, and reading
    them takes a third of the time of reading a record: so a refresh leaves them
    out, unless the command asking will use them (`Index.refresh(visits=True)`, which
    reads them with the rest of each file it reads), and they are read here, once, the
    first time they are asked for."""
    from deescalate.records.folder import in_parallel_chunks

    sql = ("SELECT path, size, mtime_ns, inode FROM records r"
           " WHERE r.problem IS NULL AND r.visits IS NULL")
    if where:
        sql += f" AND ({where})"
    todo = db.execute(sql + " ORDER BY path", tuple(params)).fetchall()
    for chunk, found in in_parallel_chunks(read_visits, folder, todo, workers,
                                           batch=BATCH):
        rows = [(value, *row) for row, value in zip(chunk, found, strict=True)
                if value is not None]
        if rows:
            transaction(db, lambda rows=rows: db.executemany(  # type: ignore[misc]
                "UPDATE records SET visits = ? WHERE path = ? AND size = ? AND "
                "mtime_ns = ? AND inode = ? AND visits IS NULL", rows))



def read_visits(folder: str, items: list[tuple[str, int, int, int]]) -> list[str | None]:
    """The step visits (JSON) of each file (path, size, time, inode as its row has
    them), or None when the file is no longer the one its row was read from (the next
    refresh reads it again). Run in the reading processes."""
    from deescalate.files import identity
    from deescalate.records.folder import read_file

    found: list[str | None] = []
    for path, size, mtime, inode in items:
        try:
            info = os.stat(f"{folder}/{path}", follow_symlinks=False)
        except OSError:
            found.append(None)
            continue
        if (info.st_size, identity(info)) != (size, inode) or mtime not in (info.st_mtime_ns, -1):
            found.append(None)
            continue
        r = read_file(folder, path, size)
        found.append(None if isinstance(r, str) else visits_json(r.visits))
    return found
