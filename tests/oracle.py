"""What the records commands answer, stated plainly in Python, for the tests to hold the
SQL the commands run to: which records filters take, and the figures of `records
stats` (see `deescalate.records.stats` for the definitions).

Slow and obvious on purpose. Each filter and each `--by` dimension has its statement
here, by name: the tests check that every entry of `filters.FILTERS` and
`stats.DIMENSIONS` has one, so a new entry without one fails loudly.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from deescalate.records.filters import Filters, normalize
from deescalate.records.format import OUTCOMES
from deescalate.records.stats import Figures, SkippedStep, Stats
from deescalate.records.summary import Summary

# -- filters -------------------------------------------------------------------------------


def matcher(pattern: str) -> Callable[[str], bool]:
    """A test for text equal to `pattern` (see `normalize`), where `*` matches anything."""
    wanted = normalize(pattern)
    if "*" not in wanted:
        return lambda text: normalize(text) == wanted
    wanted = re.sub(r" ?\* ?", "*", wanted)  # "dana *" is "dana*": matches "Dana" too
    regex = re.compile(".*".join(re.escape(part) for part in wanted.split("*")), re.DOTALL)
    return lambda text: regex.fullmatch(normalize(text)) is not None


def _pattern(field: str) -> Callable[[str, Summary], bool]:
    """A record without the field never matches; one with it empty matches `*`."""
    def test(pattern: str, record: Summary) -> bool:
        value = getattr(record, field)
        return value is not None and matcher(pattern)(value)
    return test


# Whether a record passes each filter, given the filter's value.
MATCHES: dict[str, Callable[[Any, Summary], bool]] = {
    "since": lambda since, r: r.started[:10] >= since.isoformat(),
    "until": lambda until, r: r.started[:10] <= until.isoformat(),
    "agent": lambda agent, r: r.agent == agent,
    "playbook": lambda playbook, r: r.used(playbook),
    "outcome": lambda outcome, r: r.outcome == outcome,
    "ref": _pattern("reference"),
    "customer": _pattern("customer"),
}


def matches(filters: Filters, record: Summary) -> bool:
    return all(MATCHES[name](value, record) for name, value in filters.given.items())


def select(records: Iterable[Summary], filters: Filters | None = None) -> list[Summary]:
    """The records the filters take, newest first (as `records list` shows them)."""
    chosen = [r for r in records if filters is None or matches(filters, r)]
    return sorted(chosen, key=lambda r: (r.started, r.id, r.path), reverse=True)


# -- stats ---------------------------------------------------------------------------------


def version_name(playbook: str, version: int | None) -> str:
    return f"{playbook} v{version}" if version is not None else f"{playbook} (no version)"


def _most_calls_first(groups: list[tuple[Any, Figures]], records: list[Summary]) -> None:
    groups.sort(key=lambda g: (-g[1].calls, g[0] is None, g[0] or ""))


def _by_version(groups: list[tuple[Any, Figures]], records: list[Summary]) -> None:
    versions = {version_name(r.playbook, r.playbook_version): (
        r.playbook, -1 if r.playbook_version is None else r.playbook_version) for r in records}
    groups.sort(key=lambda g: versions[g[0]])


# Each `--by` dimension: the group of a record, and how the groups are put in order.
GROUPS: dict[str, tuple[Callable[[Summary], str | None],
                        Callable[[list[tuple[Any, Figures]], list[Summary]], None]]] = {
    "playbook": (lambda r: r.playbook, _most_calls_first),
    "agent": (lambda r: r.agent, _most_calls_first),
    "outcome": (lambda r: r.outcome, lambda groups, _: groups.sort(
        key=lambda g: (OUTCOMES.index(g[0]) if g[0] in OUTCOMES else 99, g[0]))),
    "root-cause": (lambda r: r.root_cause, _most_calls_first),
    "week": (lambda r: "{}-W{:02d}".format(*date.fromisoformat(r.started[:10]).isocalendar()[:2]),
             lambda groups, _: groups.sort(key=lambda g: g[0])),
    "month": (lambda r: r.started[:7], lambda groups, _: groups.sort(key=lambda g: g[0])),
    "version": (lambda r: version_name(r.playbook, r.playbook_version), _by_version),
}


def median(values: list[int]) -> float | None:
    """The median of already sorted values (the mean of the middle two for an even count)."""
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    total = values[middle - 1] + values[middle]
    return total // 2 if total % 2 == 0 else total / 2


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile of already sorted values."""
    if not values:
        return None
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]


def figures(records: Iterable[Summary], today: date) -> Figures:
    """The numbers for `records`."""
    result = Figures(outcomes=dict.fromkeys(OUTCOMES, 0))
    lengths: list[int] = []
    moods: list[tuple[int, int]] = []
    for record in records:
        result.outcomes[record.outcome] = result.outcomes.get(record.outcome, 0) + 1
        result.escalated += record.escalated or record.outcome == "escalated"
        lengths.append(record.duration)
        if record.mood_start is not None and record.mood_end is not None:
            moods.append((record.mood_start, record.mood_end))
        if record.follow_up is not None and record.follow_up_done is None:
            result.follow_ups_open += 1
            result.follow_ups_overdue += record.follow_up < today.isoformat()
    result.calls = calls = len(lengths)
    result.resolved = result.outcomes["resolved"]
    if calls:
        result.share_resolved = result.resolved / calls
        result.escalation_rate = result.escalated / calls
    lengths.sort()
    result.median_seconds = median(lengths)
    result.p90_seconds = percentile(lengths, 0.9)
    result.mood_rated = rated = len(moods)
    if rated:
        result.mood_start = sum(first for first, _ in moods) / rated
        result.mood_end = sum(last for _, last in moods) / rated
        result.cooled = sum(1 for first, last in moods if last < first)
        result.heated = sum(1 for first, last in moods if last > first)
        result.steady = rated - result.cooled - result.heated
        result.share_cooled = result.cooled / rated
    return result


def skipped_steps(records: Iterable[Summary], limit: int = 10) -> list[SkippedStep]:
    """The steps skipped most often, most first."""
    calls: Counter[str] = Counter()
    skips: Counter[tuple[str, str]] = Counter()
    for record in records:
        calls[record.playbook] += 1
        for step in record.skipped:
            skips[record.playbook, step] += 1
    found = [SkippedStep(playbook, step, count, calls[playbook])
             for (playbook, step), count in skips.items()]
    found.sort(key=lambda s: (-s.skipped, -s.share, s.playbook, s.step))
    return found[:limit] if limit > 0 else found


def compute(records: list[Summary], *, by: str | None = None, today: date,
            skipped_limit: int = 10) -> Stats:
    """Everything `records stats` shows (but `--by step`), for `records` (filtered)."""
    groups: list[tuple[str | None, Figures]] = []
    if by is not None:
        key, order = GROUPS[by]
        members: dict[str | None, list[Summary]] = defaultdict(list)
        for record in records:
            members[key(record)].append(record)
        groups = [(name, figures(chosen, today)) for name, chosen in members.items()]
        order(groups, records)
    starts = [r.started for r in records]
    return Stats(figures(records, today), by, groups, skipped_steps(records, skipped_limit),
                 min(starts)[:10] if starts else None, max(starts)[:10] if starts else None)


# -- an index of given records -------------------------------------------------------------


def index_of(records: Iterable[Summary]) -> sqlite3.Connection:
    """An index in memory holding `records` (Summaries made by hand), by column name,
    for the SQL the commands run."""
    from deescalate.records.rows import layout

    table = layout()  # the index's own table and insert: the one statement of its columns
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(table.schema)
    for n, record in enumerate(records):
        path = record.path or f"{n}.md"
        db.execute(table.insert, (path, "", 0, 0, n,
                                  *table.row(record._replace(path=path), normalize)))
    return db
