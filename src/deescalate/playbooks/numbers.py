"""Numbers as agents type them: `89,00`, `1.234,50`, `1,234.50`, `£89`, `89 EUR`.

A comma or a point is a decimal mark or a thousands separator by where it stands: with
both, the last one is the decimal mark; one that repeats, or has other than three
digits after it, is plain to read. Only `1,234` and `1.234` (one mark, three digits
after) are ambiguous; they are read by the agent's locale (`decimal_mark`), and the
echo says how they were read, so a wrong guess is seen before it is kept.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

_CURRENCY = r"(?:[$£€¥₹]|[A-Za-z]{3}\.?)"
_MINUS = "-\u2212"  # a hyphen, or the minus sign
_FORM = re.compile(rf"(?P<sign>[{_MINUS}+]?)\s*(?:{_CURRENCY}\s*)?(?P<minus>[{_MINUS}]?)"
                   r"(?P<number>[0-9][0-9.,' \u00a0\u202f]*)"
                   rf"(?:\s*{_CURRENCY})?")
# Locales (by language) whose decimal mark is a comma.
_COMMA = ("de", "fr", "es", "it", "nl", "pt", "ru", "pl", "sv", "da", "fi", "nb", "nn", "no",
          "cs", "sk", "tr", "el", "hu", "ro", "bg", "hr", "sl", "sr", "uk", "lt", "lv", "et",
          "id", "vi", "is", "ca", "eu", "gl")


class Number(NamedTuple):
    value: int | float
    echo: str  # what it became, said back while typing


def decimal_mark() -> str:
    """The agent's decimal mark, by their locale: ',' or '.'."""
    for variable in ("LC_ALL", "LC_NUMERIC", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            language = value.split(".")[0].split("_")[0].lower()
            return "," if language in _COMMA else "."
    return "."


def _problem(label: str) -> ValueError:
    return ValueError(f"{label} should be a number, like 42, 19.99 or 89,00")


def read(text: str, label: str = "The number") -> Number:
    """The number `text` is, with how it was read; ValueError when it is none."""
    form = _FORM.fullmatch(text.strip())
    if form is None or len(text) > 100:
        raise _problem(label)
    digits = re.sub(r"[' \u00a0\u202f]", "", form["number"])
    negative = any(char in _MINUS for char in form["sign"] + form["minus"])
    marks = [char for char in digits if char in ",."]
    note = ""
    if not marks:
        whole, fraction = digits, ""
    else:
        last = max(digits.rfind(","), digits.rfind("."))
        mark = digits[last]
        after = digits[last + 1:]
        if len(set(marks)) == 2 or (marks.count(mark) == 1 and len(after) != 3):
            decimal = mark
        elif marks.count(mark) > 1:
            decimal = ""  # 1,234,567: only separators
        else:  # 1,234 or 1.234: the locale decides
            decimal = mark if mark == decimal_mark() else ""
            note = (f" ({mark} read as the decimal mark)" if decimal
                    else f" ({mark} read as a thousands separator)")
        if decimal and digits.count(decimal) > 1:
            raise _problem(label)
        whole, _, fraction = digits.rpartition(decimal) if decimal else (digits, "", "")
        whole = whole.replace(",", "").replace(".", "")
        if not re.fullmatch(r"[0-9]+", whole) or not re.fullmatch(r"[0-9]*", fraction):
            raise _problem(label)
    sign = "-" if negative else ""
    if not fraction.strip("0"):
        value: int | float = int(sign + whole)
    else:
        value = float(f"{sign}{whole}.{fraction}")
        if value != value or value in (float("inf"), float("-inf")):
            raise _problem(label)
    return Number(value, f"{value:,}".replace(",", " ") + note if abs(value) >= 10_000
                  else f"{value}{note}")
