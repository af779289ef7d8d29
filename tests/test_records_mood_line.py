"""`records show` draws the call's mood over time on one line, values beside it: for a
call with no rating, one, and many; in ASCII where bars can't be drawn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deescalate.records.views import mood_line
from deescalate.text import ASCII
from tests.recordkit import write_call

LEVELS = {1: "▁", 2: "▃", 3: "▄", 4: "▆", 5: "█"}


def expected_cells(ratings: list[tuple[int, int]], duration: int) -> str:
    """The line drawn by hand: 24 cells over the call, each the last rating by then."""
    cells = ""
    for cell in range(24):
        moment = duration * cell / 24
        by_then = [value for at, value in ratings if at <= moment]
        cells += LEVELS[by_then[-1]] if by_then else "·"
    return cells


def shown_mood(cli, folder, path) -> str:
    result = cli("records", "show", path.stem, "--records", folder)
    assert result.code == 0, result.err
    return next(line for line in result.out.splitlines() if line.startswith("Mood"))


def test_no_rating_one_and_many(cli, isolated, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # the many ratings on one line
    folder = isolated / "records"
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    none = write_call(folder, started=start, seconds=240, moods=())
    one = write_call(folder, started=start + timedelta(hours=1), seconds=240, moods=(5,))
    many = write_call(folder, started=start + timedelta(hours=2), seconds=480, steps=6,
                      moods=(5, 4, 4, 3, 2, 1))
    assert shown_mood(cli, folder, none) == "Mood      not rated"
    assert shown_mood(cli, folder, one) == (
        "Mood      │" + expected_cells([(0, 5)], 240) + "│ 5 (hostile) at 0:00 · rated once")
    # write_call rates at each step walked, a step every 480 // 8 = 60 seconds.
    ratings = [(60 * n, value) for n, value in enumerate((5, 4, 4, 3, 2, 1))]
    line = shown_mood(cli, folder, many)
    assert line == ("Mood      │" + expected_cells(ratings, 480) + "│ " + " → ".join(
        f"{value} ({word}) at {at // 60}:{at % 60:02d}" for (at, value), word in zip(
            ratings, ["hostile", "angry", "angry", "upset", "uneasy", "calm"], strict=True))
        + " · cooled down")
    assert "█" in line and "▁" in line


def test_the_line_in_ascii_and_a_rating_after_the_start() -> None:
    line = mood_line([(30, 4), (90, 2)], 120, ASCII)
    assert line == ("|" + "." * 6 + "4" * 12 + "2" * 6
                    + "| 4 (angry) at 0:30 -> 2 (uneasy) at 1:30 | cooled down")
    assert line.isascii()


def test_the_readme_line_is_the_readme_call_drawn() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("Mood      │"))
    # The README's record: 17 seconds long, rated 4 at 0:01 and 2 at 0:12.
    assert line == "Mood      " + mood_line([(1, 4), (12, 2)], 17)
    assert "duration_seconds: 17" in readme and "{step: offer-solution, at: 12, value: 2}" in readme
