"""Laying out tables to a width: ids whole, free text cut, nothing wrapped or padded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deescalate.records.layout import Column, fit, table
from deescalate.text import cells as width

COLUMNS = [Column("ID"), Column("N", right=True), Column("", optional=True),
           Column("NOTE", keep=False)]


def text(lines) -> list[str]:
    return ["".join(piece for piece, _ in line) for line in lines]


def test_one_line_a_row_when_it_fits() -> None:
    rows = [[("abc-123", ""), ("7", ""), ("███", ""), ("a note", "")],
            [("x", ""), ("12", ""), ("█", ""), ("", "")]]
    assert text(table(COLUMNS, rows, None)) == [
        "ID        N       NOTE", "abc-123   7  ███  a note", "x        12  █"]
    assert text(table(COLUMNS, rows, 19)) == ["ID        N  NOTE", "abc-123   7  a note",
                                              "x        12"]  # the bar goes first
    assert text(table(COLUMNS, rows, 18)) == ["ID        N", "  NOTE", "abc-123   7",
                                              "  a note", "x        12"]


def test_two_lines_a_row_when_it_does_not() -> None:
    rows = [[("a-rather-long-id", ""), ("7", ""), ("", ""), ("a note that goes on", "")]]
    # an id longer than 3/5 of the line ends its row's first line; the rest goes below
    assert text(table(COLUMNS, rows, 16)) == [
        "ID  N", "  NOTE", "a-rather-long-id", "  n 7", "  a note that g…"]


def test_cuts_by_columns_not_characters() -> None:
    assert fit("折り返し電話", 7) == "折り返…" and width(fit("折り返し電話", 7)) == 7
    assert fit("abcdef", 5, "...") == "ab..." and fit("abc", 5) == "abc"


@given(st.lists(st.tuples(st.text(alphabet="abc-0123", min_size=1, max_size=60),
                          st.text(max_size=80)), min_size=1, max_size=5),
       st.integers(min_value=20, max_value=120))
def test_ids_are_whole_and_lines_fit(rows: list[tuple[str, str]], most: int) -> None:
    columns = [Column("ID"), Column("NOTE", keep=False)]
    cells = [[(i, ""), (" ".join(note.split()), "")] for i, note in rows]
    lines = text(table(columns, cells, most))
    for identifier, _ in rows:
        assert any(identifier in line for line in lines)
    for line in lines:
        assert not line.endswith(" ")
        assert width(line) <= most or any(line.endswith(i) for i, _ in rows)
