"""The columns a record is exported under: one list for CSV, JSON Lines, Parquet and
`--json`, derived from the record's fields (`deescalate.records.format.FIELDS`, in the
order `format.export_columns` gives), and each record's values for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from deescalate.records import format as record_format
from deescalate.records.format import Field, export_columns
from deescalate.records.summary import Summary, extra_columns


class Columns:
    """The export columns for one version of the record's fields, in export order
    (`format.export_columns`), and each record's values for them."""

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        self.columns = export_columns(fields)
        self.names = tuple(column.export_name for column in self.columns)
        sources = [column.exported or column.name for column in self.columns]
        more = set(extra_columns(sources))
        self._lists = [place for place, column in enumerate(self.columns)
                       if column.kind == "words"]
        self._getters: list[Callable[[Summary], Any]] = [
            attrgetter(source) if source not in more else
            lambda record, source=source: record.get(source)  # type: ignore[misc]
            for source in sources]
        # With every column an attribute, one attrgetter takes the whole row at once.
        getters = self._getters
        self._get: Callable[[Summary], Any] = (
            attrgetter(*sources) if not more and len(sources) > 1
            else lambda record: tuple(get(record) for get in getters))

    def values(self, record: Summary) -> list[Any]:
        """The record's values, in column order; lists as lists."""
        values = list(self._get(record))
        for place in self._lists:
            values[place] = list(values[place])
        return values

    def column(self, place: int, records: Sequence[Summary]) -> list[Any]:
        """The values of the column at `place` for each record; lists as lists."""
        values = list(map(self._getters[place], records))
        return [list(value) for value in values] if place in self._lists else values


_columns: Columns | None = None  # made when first asked for: not at import, for start-up


def columns() -> Columns:
    """The export columns for the fields as they are now (`format.FIELDS`)."""
    global _columns
    if _columns is None or _columns.fields is not record_format.FIELDS:
        _columns = Columns(record_format.FIELDS)
    return _columns


def row(record: Summary) -> dict[str, Any]:
    """One record as a row of plain values, in column order."""
    chosen = columns()
    return dict(zip(chosen.names, chosen.values(record), strict=True))
