"""`text.cells`: the one measure of how wide text is on a terminal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deescalate import text
from deescalate.call import layout as call_layout
from deescalate.records import layout as records_layout


def test_both_layouts_measure_with_the_one_function() -> None:
    """Neither layout has a measure of its own: both take `text.cells`."""
    assert call_layout.cells is text.cells and records_layout.cells is text.cells
    assert not hasattr(records_layout, "width")


def test_zero_width_characters_take_no_cell_and_wide_ones_two() -> None:
    assert text.cells("") == 0
    assert text.cells("Dana R.") == 7
    assert text.cells("a\u200bb") == 2  # a zero-width space
    assert text.cells("a\u200db\ufeff") == 2  # a joiner and a byte-order mark
    assert text.cells("Rene\u0301e") == 5  # a combining acute accent
    assert text.cells("1\u20e3") == 1  # an enclosing keycap
    assert text.cells("Renée") == 5
    assert text.cells("折り返し") == 8
    assert text.cells("\uff21\uff22") == 4  # fullwidth A and B
    assert text.cells("→…“”") == 4


@given(st.text(), st.text())
def test_the_width_of_text_is_the_sum_of_its_characters(left: str, right: str) -> None:
    both = text.cells(left + right)
    assert both == text.cells(left) + text.cells(right)
    assert both == sum(text.cells(char) for char in left + right)
    assert all(text.cells(char) in (0, 1, 2) for char in left + right)


def test_a_records_table_lines_up_past_a_zero_width_character() -> None:
    columns = [records_layout.Column("id"), records_layout.Column("customer", keep=False)]
    rows = [[("a\u200b1", ""), ("Dana", "")], [("b2", ""), ("Sam", "")]]
    lines = ["".join(part for part, _ in line)
             for line in records_layout.table(columns, rows, None)]
    assert lines == ["id  customer", "a\u200b1  Dana", "b2  Sam"]
