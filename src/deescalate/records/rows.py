"""The records index's `records` table, derived from the record's fields.

Its columns are those of `deescalate.records.format.FIELDS` (see `format.columns`), after
the file's own (path, folder, size, time, inode, problem) and before the two read
later (step visits, what `records check` found). Rows are written with their columns
named and read by the names the query gives (`cursor.description`), so a field added
to the table is a column here with no other change; the index's version is a digest
of the table's text, so an index made before the change is made again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from operator import attrgetter, itemgetter
from typing import Any

from deescalate.records import format as record_format
from deescalate.records.format import COLUMN_KINDS, PATH, Field
from deescalate.records.summary import StepVisit, Summary, extra_columns

# Bump when what the readers make of a record changes: an index of another version is
# emptied and filled again from the files. (A change of the table's columns changes the
# version by itself.)
READERS = 3

FILE_COLUMNS = ("path", "folder", "size", "mtime_ns", "inode")  # what `store_files` gives
_HEAD = """
CREATE TABLE IF NOT EXISTS records (
    path TEXT PRIMARY KEY,      -- relative to the records folder, '/'-separated
    folder TEXT NOT NULL,       -- the path up to its last '/' (with it)
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,  -- -1: read too soon after a change, read it again
    inode INTEGER NOT NULL,
    problem TEXT,               -- why the file can't be used as a record, NULL if it can
"""
_TAIL = """
    visits TEXT,                -- JSON list of StepVisit lists (unticked counts last),
                                -- NULL: not read yet (see records.visits)
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


def _words_out(value: str | None) -> tuple[str, ...]:
    return tuple(json.loads(value)) if value and value != "[]" else ()


def _visits_out(value: str | None) -> tuple[StepVisit, ...]:
    if not value:
        return ()
    return tuple(StepVisit(step, playbook, at, seconds, bool(skipped), answer, *rest)
                 for step, playbook, at, seconds, skipped, answer, *rest in json.loads(value))


# How a stored value is read back, by column kind (others are as stored).
_OUT: dict[str, Callable[[Any], Any]] = {"bool": bool, "words": _words_out}


class Layout:
    """The table for one version of the fields: its SQL, and rows in and out."""

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        optional = {column.name for field in fields if field.optional
                    for column in field.summed_up}
        self.columns = tuple(column for field in fields for column in field.summed_up)
        self.more = extra_columns(column.name for column in self.columns)
        attributes = [column.name for column in self.columns if column.name not in self.more]
        self.keyed = tuple(column.name for column in self.columns if column.keyed)
        # Written in this order: the Summary's attributes, its `more`, then the keys.
        written = [*attributes, *self.more]
        kinds = {column.name: column.kind for column in self.columns}
        get = attrgetter(*attributes)
        self._get = get if len(attributes) > 1 else lambda record: (get(record),)
        # Where a row (after `problem`) has values not stored as they are: true/false as
        # 1/0, lists as JSON ("[]" when empty, or NULL for an optional field's).
        at = [(place, kinds[name], name in optional) for place, name in enumerate(written, 1)]
        self._bools = [place for place, kind, _ in at if kind == "bool"]
        self._lists = [place for place, kind, maybe in at if kind == "words" and not maybe]
        self._lists_or_null = [place for place, kind, maybe in at if kind == "words" and maybe]
        self._keys = [written.index(name) + 1 for name in self.keyed]
        said = [*written, *(f"{name}_key" for name in self.keyed)]
        inserted = [*FILE_COLUMNS, "problem", *said]
        self.insert = (f"INSERT OR REPLACE INTO records ({', '.join(inserted)}) "
                       f"VALUES ({', '.join('?' * len(inserted))})")
        # The same with the step visits last, for a refresh that reads them too.
        self.insert_visits = (f"INSERT OR REPLACE INTO records ({', '.join(inserted)}, visits)"
                              f" VALUES ({', '.join('?' * (len(inserted) + 1))})")
        self.empty = (None,) * len(said)  # after the problem, for a file that can't be read
        lines = [f"    {c.name} {COLUMN_KINDS[c.kind][0]}," for c in self.columns]
        lines += [f"    {name}_key TEXT,  -- case and runs of spaces ignored"
                  for name in self.keyed]
        self.schema = _HEAD + "\n".join(lines) + _TAIL
        self.version = int(hashlib.blake2b(f"{READERS}\n{self.schema}".encode(),
                                           digest_size=4).hexdigest(), 16) & 0x7FFF_FFFF
        self.select = "SELECT " + ", ".join(f"r.{name}" for name in (*written, PATH.name))
        self._readers: dict[tuple[str, ...], Callable[[Sequence[Any]], Summary]] = {}

    def row(self, record: Summary, normalize: Callable[[str], str]) -> list[Any]:
        """The columns after path, folder, size, time and inode: problem (None), what
        the record says, and the keys (`normalize`d)."""
        row: list[Any] = [None, *self._get(record)]
        if self.more:
            extra = dict(record.more)
            row += [extra.get(name) for name in self.more]
        for place in self._bools:
            value = row[place]
            row[place] = None if value is None else 1 if value else 0
        dumps = json.dumps
        for place in self._lists:
            value = row[place]
            row[place] = dumps(value) if value else "[]"
        for place in self._lists_or_null:
            value = row[place]
            row[place] = dumps(value) if value else None
        if self._keys:
            row += [normalize(row[place]) if row[place] is not None else None
                    for place in self._keys]
        return row

    def reader(self, names: tuple[str, ...]) -> Callable[[Sequence[Any]], Summary]:
        """Make a Summary of a row whose columns are `names` (a query's description)."""
        found = self._readers.get(names)
        if found is None:
            found = self._readers[names] = self._make_reader(names)
        return found

    def _make_reader(self, names: tuple[str, ...]) -> Callable[[Sequence[Any]], Summary]:
        at = {name: place for place, name in enumerate(names)}
        kinds = {column.name: column.kind for column in self.columns}
        decode = [(place, _OUT[kinds[name]]) for name, place in at.items()
                  if kinds.get(name) in _OUT]
        if "visits" in at:
            decode.append((at["visits"], _visits_out))
        more = [(name, at[name]) for name in self.more if name in at]
        # What Summary takes, in its order: a row's column, or its default after the row.
        defaults = Summary._field_defaults
        places: list[int] = []
        constants: list[Any] = []
        for name in Summary._fields:
            if name in at and name != "more":
                places.append(at[name])
            else:
                places.append(len(names) + len(constants))
                constants.append(defaults[name])  # KeyError: a column missing from the query
        pick = itemgetter(*places)
        make = Summary._make
        slot = places[Summary._fields.index("more")]

        def read(row: Sequence[Any]) -> Summary:
            values = [*row, *constants]
            for place, function in decode:
                values[place] = function(values[place])
            if more:
                values[slot] = tuple((name, values[place]) for name, place in more)
            return make(pick(values))

        return read


_layouts: dict[int, Layout] = {}


def layout() -> Layout:
    """The table for the fields as they are now (`format.FIELDS`)."""
    fields = record_format.FIELDS
    found = _layouts.get(id(fields))
    if found is None or found.fields is not fields:
        found = _layouts[id(fields)] = Layout(fields)
    return found


def visits_json(visits: Sequence[StepVisit]) -> str:
    """A record's step visits as the index keeps them (`visits` column)."""
    return json.dumps(visits, separators=(",", ":")) if visits else "[]"


def read_rows(folder: str, items: list[tuple[str, int]], visits: bool = False
              ) -> list[Sequence[Any]]:
    """The index's columns (after path, folder, size, time and inode) for each file:
    what it says, or what is wrong with it; and with `visits`, its step visits last
    (None for a file that can't be read), for `Layout.insert_visits`. Run in the
    reading processes."""
    from deescalate.records.filters import normalize
    from deescalate.records.folder import read_file

    table = layout()
    rows: list[Sequence[Any]] = []
    for path, size in items:
        r = read_file(folder, path, size, visits=visits)
        if isinstance(r, str):
            rows.append((r, *table.empty, None) if visits else (r, *table.empty))
        elif visits:
            rows.append([*table.row(r, normalize), visits_json(r.visits)])
        else:
            rows.append(table.row(r, normalize))
    return rows


def summaries(cursor: Any) -> list[Summary]:
    """The Summaries of a query's rows, read by the names of its columns."""
    read = layout().reader(tuple(column[0] for column in cursor.description))
    return [read(row) for row in cursor]
