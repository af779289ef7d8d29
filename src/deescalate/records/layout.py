"""Tables that fit the terminal without cutting an id or wrapping a cell.

The record commands show tables of ids, dates and counts (never cut: an id is copied
into the next command) beside free text (customer, reference, summary: cut with an
ellipsis to fit). When a row does not fit on one line, bars are left out first, then
headers get shorter, then each row takes two lines: what fits on the first, and the
rest on an indented second line, labelled. No cell is ever wrapped, no line padded at
its end, and an id longer than the terminal is printed whole (the terminal wraps it,
softly: copying it gives it back whole).

Plain data in, lines of (text, style) segments out: `views` turns them into Rich text,
`report` into plain text, so `records stats` need not import Rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deescalate.text import cells

GAP = 2  # spaces between columns
INDENT = 2  # the second line of a row that takes two
MIN_TEXT = 10  # the narrowest a free-text column is cut to, on a one-line row

Segment = tuple[str, str]  # text, style ('' for none)
Line = list[Segment]


@dataclass(frozen=True)
class Column:
    name: str
    keep: bool = True  # never cut: ids, dates, counts
    right: bool = False  # aligned to the right (numbers)
    cap: int | None = None  # the most a free-text column takes on a one-line row
    short: str | None = None  # a shorter header, for narrow terminals
    meaning: str | None = None  # what the short header stands for, said under the table
    optional: bool = False  # left out when the row would not fit (a bar)
    label: bool | None = None  # named on a row's second line (default: kept columns)

    @property
    def labelled(self) -> bool:
        return self.keep if self.label is None else self.label




def fit(text: str, most: int, ellipsis: str = "…") -> str:
    """`text` cut to `most` columns, ending in `ellipsis` when cut."""
    if cells(text) <= most:
        return text
    room = max(0, most - cells(ellipsis))
    cut = ""
    for char in text:
        if cells(cut + char) > room:
            break
        cut += char
    return cut + ellipsis if most >= cells(ellipsis) else cut


def table(columns: Sequence[Column], rows: Sequence[Sequence[Segment]], most: int | None,
          *, ellipsis: str = "…", dot: str = "·") -> list[Line]:
    """The lines of a table of `rows` (a (text, style) cell per column) that fits in
    `most` columns (None: any width), header first."""
    sizes = _natural(columns, rows)
    if most is None or _needs(columns, sizes) <= most:
        return _one_line(columns, rows, sizes, most, ellipsis)
    kept = [i for i, column in enumerate(columns) if not column.optional]
    columns = [columns[i] for i in kept]  # without bars
    rows = [[row[i] for i in kept] for row in rows]
    sizes = _natural(columns, rows)
    if _needs(columns, sizes) <= most:
        return _one_line(columns, rows, sizes, most, ellipsis)
    if any(column.short for column in columns):
        short = [Column(c.short or c.name, c.keep, c.right, c.cap, label=c.label)
                 for c in columns]
        short_sizes = _natural(short, rows)
        if _needs(short, short_sizes) <= most:
            legend = _legend([c for c in columns if c.short], most, dot)
            return _one_line(short, rows, short_sizes, most, ellipsis) + legend
    return _two_lines(columns, rows, sizes, most, ellipsis, dot)


def _natural(columns: Sequence[Column], rows: Sequence[Sequence[Segment]]) -> list[int]:
    sizes = []
    for i, column in enumerate(columns):
        size = max([cells(column.name)] + [cells(row[i][0]) for row in rows])
        sizes.append(min(size, column.cap) if column.cap and not column.keep else size)
    return sizes


def _needs(columns: Sequence[Column], sizes: Sequence[int]) -> int:
    """The narrowest one-line row: kept columns whole, free text down to MIN_TEXT."""
    total = sum(size if column.keep else min(size, MIN_TEXT)
                for column, size in zip(columns, sizes, strict=True))
    return total + GAP * (len(columns) - 1)


def _one_line(columns: Sequence[Column], rows: Sequence[Sequence[Segment]],
              sizes: list[int], most: int | None, ellipsis: str) -> list[Line]:
    sizes = list(sizes)
    if most is not None:
        over = sum(sizes) + GAP * (len(columns) - 1) - most
        # Free text gives way from the right: the summary first, then the others.
        for i in reversed(range(len(columns))):
            if over <= 0:
                break
            if not columns[i].keep:
                give = min(over, sizes[i] - min(sizes[i], MIN_TEXT))
                sizes[i] -= give
                over -= give
    header = [(column.name, "bold") for column in columns]
    return [_aligned(columns, header, sizes, ellipsis)] + [
        _aligned(columns, row, sizes, ellipsis) for row in rows]


def _aligned(columns: Sequence[Column], segments: Sequence[Segment], sizes: Sequence[int],
             ellipsis: str) -> Line:
    line: Line = []
    last = len(columns) - 1
    for i, (column, (text, style)) in enumerate(zip(columns, segments, strict=True)):
        if not column.keep:
            text = fit(text, sizes[i], ellipsis)
        pad = " " * max(0, sizes[i] - cells(text))
        if column.right:
            line.append((pad, ""))
            line.append((text, style))
        else:
            line.append((text, style))
            if i < last:
                line.append((pad, ""))
        if i < last:
            line.append((" " * GAP, ""))
    return _trimmed(line)


def _trimmed(line: Line) -> Line:
    """The line without spaces at its end: piped output is never padded."""
    while line and not line[-1][0].strip():
        line.pop()
    if line:
        text, style = line[-1]
        line[-1] = (text.rstrip(" "), style)
    return line


def _two_lines(columns: Sequence[Column], rows: Sequence[Sequence[Segment]],
               sizes: Sequence[int], most: int | None, ellipsis: str, dot: str
               ) -> list[Line]:
    """Rows of two lines: the first column and the kept columns after it that fit, then
    the rest, each labelled (free text is not), on an indented second line.

    A cell wider than three fifths of the line (an id of a long agent's name and a
    long playbook's) does not set its column's width: its row's first line ends with
    it, whole, and the cells after it join the second."""
    assert most is not None
    sizes = [max([cells(column.name)] + [cells(row[i][0]) for row in rows
                                         if cells(row[i][0]) <= most * 3 // 5])
             if column.keep else size
             for i, (column, size) in enumerate(zip(columns, sizes, strict=True))]
    first = [0]
    used = sizes[0]
    for i in range(1, len(columns)):
        if not columns[i].keep or used + GAP + sizes[i] > most:
            break
        first.append(i)
        used += GAP + sizes[i]
    rest = [i for i in range(len(columns)) if i not in first]
    top = [columns[i] for i in first]
    top_sizes = [sizes[i] for i in first]
    lines = [_aligned(top, [(column.name, "bold") for column in top], top_sizes, ellipsis)]
    if rest:
        names = f" {dot} ".join(columns[i].name for i in rest if columns[i].name)
        lines.append([(" " * INDENT, ""), (fit(names, most - INDENT, ellipsis), "bold")])
    for row in rows:
        shown = len(first)
        for place, i in enumerate(first):
            if cells(row[i][0]) > sizes[i]:
                shown = place + 1  # the row's first line ends with this long cell
                break
        lines.append(_aligned(top[:shown], [row[i] for i in first[:shown]],
                              top_sizes[:shown], ellipsis))
        moved = first[shown:] + rest
        pieces = [(columns[i], row[i]) for i in moved if row[i][0]]
        lines += _pieces(pieces, most, ellipsis, dot)
    return lines


def _pieces(pieces: Sequence[tuple[Column, Segment]], most: int, ellipsis: str,
            dot: str) -> list[Line]:
    """The second line of a row: kept values labelled with their column's name, free
    text as it is (cut to what is left of the line); more lines if the values need."""
    lines: list[Line] = []
    line: Line = []
    used = INDENT
    for column, (text, style) in pieces:
        label = f"{column.name.lower()} " if column.labelled and column.name else ""
        sep = f" {dot} " if line else ""
        room = most - used - cells(sep) - cells(label)
        if line and (cells(text) > room if column.keep else room < MIN_TEXT):
            lines.append(line)  # this piece starts a line of its own
            line, used, sep = [], INDENT, ""
            room = most - used - cells(label)
        if not line:
            line = [(" " * INDENT, "")]
        if sep:
            line.append((sep, ""))
        if label:
            line.append((label, "dim"))
        if not column.keep:
            text = fit(text, max(MIN_TEXT, room), ellipsis)
        line.append((text, style))
        used += cells(sep) + cells(label) + cells(text)
    if line:
        lines.append(_trimmed(line))
    return lines


def _legend(columns: Sequence[Column], most: int | None, dot: str) -> list[Line]:
    """What the shortened headers stand for."""
    said = [f"{c.short} {c.meaning or c.name.lower()}" for c in columns]
    if not said:
        return []
    lines: list[Line] = []
    text = ""
    for piece in said:
        joined = f"{text} {dot} {piece}" if text else piece
        if text and most is not None and cells(joined) > most:
            lines.append([(text, "dim")])
            joined = piece
        text = joined
    lines.append([(text, "dim")])
    return lines
