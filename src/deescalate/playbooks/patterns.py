"""A capture's `pattern`, read for people and checked for speed.

`example` writes an answer the pattern takes (`LD-[0-9]{6}` -> `LD-123456`), for the
message an agent sees instead of the raw pattern. `runaway` says why a pattern could
take exponential time on a short answer (a repeat inside a repeat, or alternatives
that overlap inside one), so `playbooks validate` refuses it before it freezes a call.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# The standard library's own regular-expression parser (re._parser since Python 3.11).
_p: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_CATEGORY = {_c.CATEGORY_DIGIT: "1", _c.CATEGORY_WORD: "a", _c.CATEGORY_SPACE: " "}


def example(pattern: str) -> str:
    """An answer `pattern` takes, written out; the pattern itself if none can be made."""
    try:
        made = _write(_p.parse(pattern))
    except (re.error, RecursionError, ValueError, TypeError):
        return pattern
    try:
        return made if re.fullmatch(pattern, made) else pattern
    except re.error:  # pragma: no cover
        return pattern


def _write(items: Any) -> str:
    out: list[str] = []
    for op, arg in items:
        if op == _c.LITERAL:
            out.append(chr(arg))
        elif op == _c.IN:
            out.append(_one_of(arg))
        elif op == _c.ANY:
            out.append("x")
        elif op in _REPEATS or op == getattr(_c, "POSSESSIVE_REPEAT", None):
            low, high, body = arg  # a fixed count as it is; else three, as it allows
            times = low if low == high else min(max(low, 3), high)
            out.append(_count_up(_write(body), times) if times else "")
        elif op == _c.SUBPATTERN:
            out.append(_write(arg[-1]))
        elif op == _c.BRANCH:
            out.append(_write(arg[1][0]))
        elif op in (_c.AT,):
            continue
        else:
            raise ValueError(op)
    return "".join(out)


def _one_of(arg: Any) -> str:
    for op, value in arg:
        if op == _c.LITERAL:
            return chr(value)
        if op == _c.RANGE:
            return chr(value[0]) if not chr(value[0]).isdigit() else "1"
        if op == _c.CATEGORY and value in _CATEGORY:
            return _CATEGORY[value]
    raise ValueError(arg)


def _count_up(piece: str, times: int) -> str:
    """`piece` `times` over; one digit counts 1, 2, 3... so `[0-9]{6}` reads 123456."""
    if piece.isdigit() and len(piece) == 1:
        return "".join(str((n % 9) + 1) for n in range(times))
    return piece * times


def runaway(pattern: str) -> str | None:
    """Why matching `pattern` could take exponential time, or None when it can't."""
    try:
        parsed = _p.parse(pattern)
    except (re.error, RecursionError):
        return None
    return _look(parsed, inside=False)


def _look(items: Any, *, inside: bool) -> str | None:
    for op, arg in items:
        if op in _REPEATS:
            _low, high, body = arg
            unbounded = high == _c.MAXREPEAT or high > 50
            if inside and unbounded:
                return "a repeat inside a repeat (like (a+)+)"
            if unbounded and _overlapping_branch(body):
                return "alternatives that overlap inside a repeat (like (a|ab)*)"
            found = _look(body, inside=inside or unbounded)
            if found:
                return found
        elif op == _c.SUBPATTERN:
            found = _look(arg[-1], inside=inside)
            if found:
                return found
        elif op == _c.BRANCH:
            for branch in arg[1]:
                found = _look(branch, inside=inside)
                if found:
                    return found
    return None


def _overlapping_branch(items: Any) -> bool:
    for op, arg in items:
        if op == _c.SUBPATTERN and _overlapping_branch(arg[-1]):
            return True
        if op == _c.BRANCH:
            firsts = [_first(branch) for branch in arg[1]]
            if any(first is None for first in firsts) or len(set(firsts)) < len(firsts):
                return True
    return False


def _first(items: Any) -> int | None:
    """The literal an alternative starts with; None when it isn't one literal."""
    for op, arg in items:
        if op == _c.LITERAL:
            return int(arg)
        return None
    return None
