"""Dates as agents type them, in both directions from today.

`2026-12-01`, `today`, `yesterday`, `tomorrow`, `+3d`, `-3d`, `+2w`, `-2w`,
`last tuesday`, `next friday`, and a bare weekday, which means the nearest such day
in the direction the question looks (`prefer`): ahead for a follow-up, back for when
something happened. `describe` echoes what a date became, so a wrong guess shows.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Literal

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
HINT = ("use a date like 2026-12-01, today, yesterday, tomorrow, +3d, -3d, "
        "last tuesday, next friday or a weekday")
PAST_HINT = "2026-11-20, yesterday, -3d, last tuesday, monday"
FUTURE_HINT = "2026-12-01, tomorrow, +3d, next friday, monday"
Direction = Literal["future", "past"]
# A moment as the tool writes it into names, UTC: 20261122-143012. Record ids start with
# it (records/format.py); the redactor leaves it alone, though its digits can pass the
# card checksum.
STAMP = r"[0-9]{8}-[0-9]{6}"


def today() -> date:
    return datetime.now(UTC).astimezone().date()


def _weekday(word: str) -> int | None:
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def parse_date(text: str, *, base: date | None = None, prefer: Direction = "future") -> date:
    """The date `text` names, counted from `base` (default: today); ValueError if none.

    `last monday` is the Monday before `base`, `next monday` the one after it; a bare
    weekday is the nearest such day after `base` (`prefer="future"`) or before it
    (`prefer="past"`), never `base` itself.
    """
    base = base or today()
    word = " ".join(text.strip().lower().split())
    if not word:
        raise ValueError(f"no date given; {HINT}")
    named = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if word in named:
        return base + timedelta(days=named[word])
    relative = re.fullmatch(r"([+-]) ?(\d{1,4}) ?(d|day|days|w|week|weeks)", word)
    if relative:
        sign, amount, unit = relative.groups()
        days = int(amount) * (7 if unit.startswith("w") else 1)
        return base + timedelta(days=days if sign == "+" else -days)
    way, _, name = word.rpartition(" ")
    if way in ("", "last", "next", "this", "on") and (index := _weekday(name)) is not None:
        back = way == "last" or (way in ("", "on") and prefer == "past")
        if back:
            return base - timedelta(days=(base.weekday() - index) % 7 or 7)
        return base + timedelta(days=(index - base.weekday()) % 7 or 7)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a date; {HINT}") from None


def describe(day: date, *, base: date | None = None) -> str:
    """`day` as a person reads it: `Tue 1 Dec 2026 (tomorrow)`, `Fri 27 Nov 2026 (3 days ago)`."""
    base = base or today()
    delta = (day - base).days
    when = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(delta)
    if when is None:
        when = f"in {delta} days" if delta > 0 else f"{-delta} days ago"
    return f"{day:%a} {day.day} {day:%b %Y} ({when})"


def not_in_the_past(day: date, *, base: date | None = None) -> date:
    """`day`, or ValueError when it is before `base` (a follow-up can't be owed in the past)."""
    base = base or today()
    if day < base:
        raise ValueError(f"{day.isoformat()} is in the past; a follow-up needs today "
                         "or a later day")
    return day
