"""What `records check` found in each record, kept in the records index.

A row's `checked` column holds it (JSON), cleared when the row is read again; all of
them are cleared when `records check` looks with other settings (`check_key`).
"""

from __future__ import annotations

from collections.abc import Sequence

from deescalate.records.index import Index
from deescalate.records.update import transaction


def check_key(index: Index, key: str) -> None:
    """Forget what `records check` found unless it was found with `key` (the
    redaction settings and the finder's code)."""
    db = index.db
    old = db.execute("SELECT value FROM meta WHERE key = 'check'").fetchone()
    if old is None or old[0] != key:
        def reset() -> None:
            db.execute("UPDATE records SET checked = NULL WHERE checked IS NOT NULL")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('check', ?)", (key,))

        transaction(db, reset)


def unchecked(index: Index) -> list[tuple[str, int, int, int]]:
    """(path, size, time, inode) of each row `records check` has not looked at."""
    return index.db.execute("SELECT path, size, mtime_ns, inode FROM records "
                            "WHERE checked IS NULL ORDER BY path").fetchall()


def set_checked(index: Index, found: Sequence[tuple[tuple[str, int, int, int], str]]) -> None:
    """Keep what `records check` found in each file ((path, size, time, inode) as
    `unchecked` gave them, JSON), if its row has not been replaced meanwhile."""
    if found:
        transaction(index.db, lambda: index.db.executemany(
            "UPDATE records SET checked = ? WHERE path = ? AND size = ? AND "
            "mtime_ns = ? AND inode = ?", [(value, *row) for row, value in found]))
