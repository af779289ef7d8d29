"""Which records a command looks at: `--since --until --agent --playbook --outcome --ref
--customer`, as typed, checked and matched."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from deescalate.errors import BadInput
from deescalate.records.format import OUTCOMES
from deescalate.records.summary import Summary

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def normalize(text: str) -> str:
    """Text as names and references are compared: case and runs of spaces ignored."""
    return " ".join(text.split()).casefold()


def matcher(pattern: str) -> Callable[[str], bool]:
    """A test for text equal to `pattern` (see `normalize`), where `*` matches anything."""
    wanted = normalize(pattern)
    if "*" not in wanted:
        return lambda text: normalize(text) == wanted
    wanted = re.sub(r" ?\* ?", "*", wanted)  # "dana *" is "dana*": matches "Dana" too
    regex = re.compile(".*".join(re.escape(part) for part in wanted.split("*")), re.DOTALL)
    return lambda text: regex.fullmatch(normalize(text)) is not None


@dataclass(frozen=True)
class Filters:
    """Which records to look at; every filter given must match.

    Dates are inclusive and compare with the UTC date the call started. Agent,
    playbook and outcome match exactly. Reference and customer match ignoring case
    and runs of spaces, and a `*` in them matches any text (`--customer 'dana*'`).
    """

    since: date | None = None
    until: date | None = None
    agent: str | None = None
    playbook: str | None = None
    outcome: str | None = None
    ref: str | None = None
    customer: str | None = None
    _ref: Callable[[str], bool] | None = field(default=None, init=False, repr=False,
                                               compare=False)
    _customer: Callable[[str], bool] | None = field(default=None, init=False, repr=False,
                                                    compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ref", matcher(self.ref) if self.ref is not None else None)
        object.__setattr__(self, "_customer",
                           matcher(self.customer) if self.customer is not None else None)

    def matches(self, record: Summary) -> bool:
        day = record.started[:10]
        if self.since is not None and day < self.since.isoformat():
            return False
        if self.until is not None and day > self.until.isoformat():
            return False
        if self.agent is not None and record.agent != self.agent:
            return False
        if self.playbook is not None and not record.used(self.playbook):
            return False
        if self.outcome is not None and record.outcome != self.outcome:
            return False
        if self._ref is not None and not (record.reference and self._ref(record.reference)):
            return False
        return self._customer is None or bool(record.customer
                                                and self._customer(record.customer))

    def sql(self) -> tuple[str, list[Any]]:
        """The filters as a condition over the index's records table (as `r`), and its
        parameters: the same records `matches` takes."""
        from datetime import timedelta

        terms: list[str] = []
        params: list[Any] = []
        if self.since is not None:
            terms.append("r.started >= ?")
            params.append(self.since.isoformat())
        if self.until is not None and self.until < date.max:
            terms.append("r.started < ?")
            params.append((self.until + timedelta(days=1)).isoformat())
        for column, value in (("agent", self.agent), ("outcome", self.outcome)):
            if value is not None:
                terms.append(f"r.{column} = ?")
                params.append(value)
        if self.playbook is not None:
            # Any playbook the call used: the one it ended in, or one it switched from.
            terms.append("(r.playbook = ? OR (r.playbooks IS NOT NULL AND EXISTS "
                         "(SELECT 1 FROM json_each(r.playbooks) WHERE value = ?)))")
            params += [self.playbook, self.playbook]
        for column, pattern in (("reference_key", self.ref), ("customer_key", self.customer)):
            if pattern is not None:
                wanted = normalize(pattern)
                if "*" in wanted:
                    wanted = re.sub(r" ?\* ?", "*", wanted)
                    terms.append(f"r.{column} GLOB ?")
                    params.append("*".join(_glob_literal(part) for part in wanted.split("*")))
                else:
                    terms.append(f"r.{column} = ?")
                    params.append(wanted)
        return " AND ".join(terms), params

    def describe(self) -> dict[str, str]:
        """The filters given, for JSON output."""
        values = {"since": self.since, "until": self.until, "agent": self.agent,
                  "playbook": self.playbook, "outcome": self.outcome, "ref": self.ref,
                  "customer": self.customer}
        return {key: str(value) for key, value in values.items() if value is not None}


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


def parse(*, since: str | None = None, until: str | None = None, agent: str | None = None,
          playbook: str | None = None, outcome: str | None = None, ref: str | None = None,
          customer: str | None = None, today: date | None = None) -> Filters:
    """Filters from what was typed; DeescalateError (exit 2) for anything that is wrong."""
    days: dict[str, date | None] = {}
    for name, text in (("since", since), ("until", until)):
        try:
            days[name] = parse_day(text, today=today) if text is not None else None
        except ValueError as exc:
            raise BadInput(f"--{name}: {exc}") from None
    if days["since"] and days["until"] and days["since"] > days["until"]:
        raise BadInput(f"--since {days['since']} is after --until {days['until']}: "
                       "no call can match")
    if outcome is not None and outcome not in OUTCOMES:
        import difflib

        close = difflib.get_close_matches(outcome.strip().lower(), OUTCOMES, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise BadInput(f"--outcome: {outcome!r} is not an outcome (one of "
                       f"{', '.join(OUTCOMES)}){hint}")
    for name, value in (("agent", agent), ("playbook", playbook), ("ref", ref),
                        ("customer", customer)):
        if value is not None and not value.strip():
            raise BadInput(f"--{name}: give a value, not an empty text")
    return Filters(since=days["since"], until=days["until"], agent=agent, playbook=playbook,
                   outcome=outcome, ref=ref, customer=customer)
