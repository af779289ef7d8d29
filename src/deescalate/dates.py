"""Dates as agents type them, in both directions from today.

`2026-12-01`, `today`, `yesterday`, `tomorrow`, `+3d`, `-3d`, `+2w`, `-2w`,
`last tuesday`, `next friday`, a bare weekday, which means the nearest such day
in the direction the question looks (`prefer`): ahead for a follow-up, back for when
something happened, and a day with its month: `24 nov`, `nov 24`, `24/11`, `24.11.2026`
(numbers in the team's day order, `day_first`; a day with no year is the nearest one
the question's way). `describe` echoes what a date became, so a wrong guess shows.
"""

from __future__ import annotations

import calendar
import os
import re
from datetime import UTC, date, datetime, timedelta
from typing import Literal

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
HINT = ("use a date like {example}, 24 nov, today, yesterday, tomorrow, +3d, -3d, "
        "last tuesday, next friday or a weekday")
MONTHS = [name.lower() for name in calendar.month_name[1:]]
# Locales whose people write the month first in a date of numbers (11/24).
MONTH_FIRST = ("en_US", "en_PH", "en_CA", "fil", "en_AS", "en_GU", "en_UM", "en_VI")
Direction = Literal["future", "past"]
# A moment as the tool writes it into names, UTC: 20261122-143012. Record ids start with
# it (records/format.py); the redactor leaves it alone, though its digits can pass the
# card checksum.
STAMP = r"[0-9]{8}-[0-9]{6}"


def today() -> date:
    return datetime.now(UTC).astimezone().date()


# The day order the settings chose (config `date_order`), once a command has read them.
_ORDER: list[str] = []


def use_order(order: str) -> None:
    """Read dates of numbers in `order` (`day-first` or `month-first`) from now on."""
    _ORDER[:] = [order]


def locale_order() -> str:
    """The agent's locale's day order: month first for the locales that write 11/24."""
    for variable in ("LC_ALL", "LC_TIME", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "month-first" if value.split(".")[0].startswith(MONTH_FIRST) else "day-first"
    return "day-first"


def day_first() -> bool:
    """Whether `24/11` is a day then a month: the settings' `date_order` when a command
    has read it, else `DEESCALATE_DATE_ORDER`, else the agent's locale (day first when
    it says nothing)."""
    if _ORDER:
        return _ORDER[0] == "day-first"
    order = os.environ.get("DEESCALATE_DATE_ORDER", "").strip().lower()
    if order in ("day-first", "month-first"):
        return order == "day-first"
    return locale_order() == "day-first"


def _said(base: date) -> str:
    """What a date question takes, for a message: its example a week from `base`."""
    return HINT.format(example=(base + timedelta(days=7)).isoformat())


def hint(prefer: Direction, base: date | None = None) -> str:
    """Examples of what a date question takes, counted from `base` (default: today)."""
    base = base or today()
    if prefer == "future":
        ahead = base + timedelta(days=7)
        return f"{ahead.isoformat()}, {_numbers(ahead)}, tomorrow, +3d, next friday"
    back = base - timedelta(days=7)
    return f"{back.isoformat()}, {_numbers(back)}, yesterday, -3d, last tuesday"


def _numbers(day: date) -> str:
    return f"{day.day}/{day.month}" if day_first() else f"{day.month}/{day.day}"


def _month(word: str) -> int | None:
    word = word.rstrip(".")
    for index, name in enumerate(MONTHS, 1):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


_NAMED_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? ([a-z]+\.?),?(?: (\d{4}))?|"
                          r"([a-z]+\.?) (\d{1,2})(?:st|nd|rd|th)?,?(?: (\d{4}))?")
_NUMBERS = re.compile(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}|\d{2})?)?")


def _day_and_month(word: str, base: date, prefer: Direction) -> date | None:
    """`24 nov`, `nov 24`, `24/11`, `24.11.2026` as a date; None for another form,
    ValueError for a day its month doesn't have."""
    named = _NAMED_MONTH.fullmatch(word)
    if named:
        day, month_word, year = ((named[1], named[2], named[3]) if named[1]
                                 else (named[5], named[4], named[6]))
        month = _month(month_word)
        if month is None:
            return None
    else:
        numbers = _NUMBERS.fullmatch(word)
        if numbers is None:
            return None
        first, second, year = numbers.groups()
        day, month = (first, int(second)) if day_first() else (second, int(first))
        if not 1 <= month <= 12:
            order = "day/month" if day_first() else "month/day"
            raise ValueError(f"{word!r} has no month {month}: dates here are {order}")
        if year and len(year) == 2:
            year = f"20{year}"
    return _on(int(day), month, int(year) if year else None, base, prefer)


def _on(day: int, month: int, year: int | None, base: date, prefer: Direction) -> date:
    name = calendar.month_name[month]
    most = 29 if month == 2 and year is None else calendar.monthrange(year or base.year,
                                                                       month)[1]
    if not 1 <= day <= most:
        raise ValueError(f"there is no {day} {name}{f' {year}' if year else ''}: "
                         f"{name} has {most} days")
    if year is not None:
        return date(year, month, day)
    for shift in range(5):  # the nearest year the question's way (29 February: leap years)
        candidate = base.year + (shift if prefer == "future" else -shift)
        if day <= calendar.monthrange(candidate, month)[1]:
            when = date(candidate, month, day)
            if (when >= base) if prefer == "future" else (when <= base):
                return when
    raise ValueError(f"there is no {day} {name} near {base.year}")  # pragma: no cover


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
        raise ValueError(f"no date given; {_said(base)}")
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
        pass
    when = _day_and_month(word, base, prefer)
    if when is None:
        raise ValueError(f"{text.strip()!r} is not a date; {_said(base)}")
    return when


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
