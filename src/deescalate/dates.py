"""Dates as agents type them: `2026-12-01`, `today`, `tomorrow`, `+3d`, `+2w`, `friday`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
HINT = "use a date like 2026-12-01, today, tomorrow, +3d, +2w or a weekday name"


def today() -> date:
    return datetime.now(UTC).astimezone().date()


def parse_date(text: str, *, base: date | None = None, future: bool = True) -> date:
    """The date `text` names, counted from `base` (default: today); ValueError if none.

    A weekday name means the next such day after `base` (a week ahead if it is today).
    With `future`, relative forms count forward; `-3d` is accepted only without it.
    """
    base = base or today()
    word = text.strip().lower()
    if not word:
        raise ValueError(f"no date given; {HINT}")
    if word == "today":
        return base
    if word == "tomorrow":
        return base + timedelta(days=1)
    if word == "yesterday" and not future:
        return base - timedelta(days=1)
    relative = re.fullmatch(r"([+-])\s*(\d{1,4})\s*(d|day|days|w|week|weeks)", word)
    if relative:
        sign, amount, unit = relative.groups()
        if sign == "-" and future:
            raise ValueError(f"{text.strip()!r} is in the past; {HINT}")
        days = int(amount) * (7 if unit.startswith("w") else 1)
        return base + timedelta(days=days if sign == "+" else -days)
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            ahead = (index - base.weekday()) % 7 or 7
            return base + timedelta(days=ahead)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a date; {HINT}") from None
