"""Which records a command looks at: `--since --until --agent --playbook --outcome --ref
--customer`, as typed, checked and asked of the index.

`FILTERS` is the one statement of them: each filter's option, its help, how what was
typed becomes its value, and the SQL condition that value sets over the index. The
commands' options (`cli.records.filtered`), `parse`, `Filters.sql` and
`Filters.describe` all read it, so a new filter is one entry there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from deescalate.errors import BadInput

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def normalize(text: str) -> str:
    """Text as names and references are compared: case and runs of spaces ignored."""
    return " ".join(text.split()).casefold()


def pattern(text: str) -> str:
    """A name or reference as typed, compared as `normalize` says; a `*` in it matches
    any text, and spaces beside a `*` are not wanted ("dana *" is "dana*")."""
    wanted = normalize(text)
    return re.sub(r" ?\* ?", "*", wanted) if "*" in wanted else wanted


@dataclass(frozen=True)
class Filter:
    """One filter: `--NAME METAVAR` with `help`; `parse(text, today, earlier)` makes its
    value from what was typed (ValueError says what is wrong; `earlier` holds the values
    of the filters before it); `sql(value)` is its condition over the index's records
    table (as `r`) and the condition's parameters."""

    metavar: str
    help: str
    parse: Callable[[str, date | None, dict[str, Any]], Any]
    sql: Callable[[Any], tuple[str, list[Any]]]


def _text(text: str, today: date | None, earlier: dict[str, Any]) -> str:
    return text


def _since(text: str, today: date | None, earlier: dict[str, Any]) -> date:
    return parse_day(text, today=today)


def _until(text: str, today: date | None, earlier: dict[str, Any]) -> date:
    until = parse_day(text, today=today)
    since = earlier.get("since")
    if since is not None and since > until:
        raise BadInput(f"--since {since} is after --until {until}: no call can match")
    return until


def _outcome(text: str, today: date | None, earlier: dict[str, Any]) -> str:
    from deescalate.records.format import OUTCOMES

    if text not in OUTCOMES:
        import difflib

        close = difflib.get_close_matches(text.strip().lower(), OUTCOMES, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"{text!r} is not an outcome (one of {', '.join(OUTCOMES)}){hint}")
    return text


def _equal(column: str) -> Callable[[Any], tuple[str, list[Any]]]:
    return lambda value: (f"r.{column} = ?", [value])


def _matching(column: str) -> Callable[[str], tuple[str, list[Any]]]:
    """Equal to the pattern (see `pattern`) in `column`, the normalized text."""
    def sql(text: str) -> tuple[str, list[Any]]:
        wanted = pattern(text)
        if "*" not in wanted:
            return f"r.{column} = ?", [wanted]
        return f"r.{column} GLOB ?", ["*".join(_glob_literal(part)
                                               for part in wanted.split("*"))]
    return sql


def _until_sql(until: date) -> tuple[str, list[Any]]:
    if until >= date.max:
        return "", []
    return "r.started < ?", [(until + timedelta(days=1)).isoformat()]


def _playbook_sql(playbook: str) -> tuple[str, list[Any]]:
    # Any playbook the call used: the one it ended in, or one it switched from.
    return ("(r.playbook = ? OR (r.playbooks IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM json_each(r.playbooks) WHERE value = ?)))", [playbook, playbook])


# The filters, in the order of their options. Dates are inclusive and compare with the
# UTC date the call started; agent, playbook and outcome match exactly; reference and
# customer ignore case and runs of spaces, and a `*` in them matches any text.
FILTERS: dict[str, Filter] = {
    "since": Filter("DATE", "Only calls started on or after this UTC day: 2026-11-01, "
                    "yesterday, -7d, monday.", _since,
                    lambda since: ("r.started >= ?", [since.isoformat()])),
    "until": Filter("DATE", "Only calls started on or before this UTC day.", _until,
                    _until_sql),
    "agent": Filter("NAME", "Only this agent's calls (exact name).", _text, _equal("agent")),
    "playbook": Filter("ID", "Only calls with this playbook id.", _text, _playbook_sql),
    "outcome": Filter("OUTCOME", "Only calls with this outcome: resolved, follow-up, "
                      "escalated, unresolved, dropped.", _outcome, _equal("outcome")),
    "ref": Filter("TEXT", "Only calls with this reference; case is ignored and * matches "
                  "any text.", _text, _matching("reference_key")),
    "customer": Filter("NAME", "Only calls with this customer; case is ignored and * "
                       "matches any text.", _text, _matching("customer_key")),
}


class Filters:
    """Which records to look at: a value for each filter given (see FILTERS); every
    filter given must match."""

    def __init__(self, **given: Any) -> None:
        unknown = set(given) - set(FILTERS)
        if unknown:
            raise TypeError(f"no such filter: {', '.join(sorted(unknown))}")
        self.given = {name: given[name] for name in FILTERS if given.get(name) is not None}

    def __getattr__(self, name: str) -> Any:
        if name in FILTERS:
            return self.__dict__["given"].get(name)
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and other.given == self.given

    def __hash__(self) -> int:
        return hash(tuple(self.given.items()))

    def __repr__(self) -> str:
        return f"Filters({', '.join(f'{k}={v!r}' for k, v in self.given.items())})"

    def sql(self) -> tuple[str, list[Any]]:
        """The filters as a condition over the index's records table (as `r`), and its
        parameters."""
        terms: list[str] = []
        params: list[Any] = []
        for name, value in self.given.items():
            term, more = FILTERS[name].sql(value)
            if term:
                terms.append(term)
                params += more
        return " AND ".join(terms), params

    def describe(self) -> dict[str, str]:
        """The filters given, for JSON output."""
        return {name: str(value) for name, value in self.given.items()}


def _glob_literal(text: str) -> str:
    """`text` matching only itself in a GLOB pattern."""
    return re.sub(r"([\[\]?*])", r"[\1]", text).replace("[]]", "]")


def parse_day(text: str, *, today: date | None = None) -> date:
    """A day for --since or --until: 2026-11-01, today, yesterday, -7d, +3d, -2w, or a
    weekday name, which means the most recent such day (today, if it is one)."""
    from deescalate import dates

    base = today or dates.today()
    word = text.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return base - timedelta(days=(base.weekday() - index) % 7)
    return dates.parse_date(text, base=base, prefer="past")


def parse(*, today: date | None = None, **typed: str | None) -> Filters:
    """Filters from what was typed (by filter name); DeescalateError (exit 2) for anything
    that is wrong. A value left blank is wrong too, once every filter has parsed."""
    if set(typed) - set(FILTERS):
        raise TypeError(f"no such filter: {', '.join(sorted(set(typed) - set(FILTERS)))}")
    values: dict[str, Any] = {}
    for name, spec in FILTERS.items():
        text = typed.get(name)
        if text is not None:
            try:
                values[name] = spec.parse(text, today, values)
            except ValueError as exc:
                raise BadInput(f"--{name}: {exc}") from None
    for name, value in values.items():
        if isinstance(value, str) and not value.strip():
            raise BadInput(f"--{name}: give a value, not an empty text")
    return Filters(**values)
