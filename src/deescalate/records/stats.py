"""What the records say: how calls went, overall or by playbook, agent, outcome, cause, month.

Definitions, so the numbers can be checked by hand:
- resolved: the outcome is `resolved`; escalated: the call was escalated (the
  Escalate key) or its outcome is `escalated`. Shares are of all calls counted.
- call length: `duration_seconds`. The median of an even count is the mean of the
  middle two; the 90th percentile is the nearest rank (the shortest length that at
  least 90% of calls do not exceed).
- mood: the first and the last rating of each call that has one (1 calm to 5
  hostile), averaged. A call cooled down if its last rating is lower than its first,
  heated up if higher, held steady otherwise (also when it was rated only once).
- follow-ups: open when a record has a follow-up date and no done date; overdue
  when open and the date is before today.
- skipped steps: how many calls skipped each step, of the calls with that playbook.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from deescalate.records.format import OUTCOMES
from deescalate.records.summary import Summary

GROUPS: dict[str, Callable[[Summary], str | None]] = {
    "playbook": lambda r: r.playbook,
    "agent": lambda r: r.agent,
    "outcome": lambda r: r.outcome,
    "root-cause": lambda r: r.root_cause,
    "month": lambda r: r.started[:7],
}


@dataclass
class Figures:
    """The numbers for one set of calls."""

    calls: int = 0
    resolved: int = 0
    escalated: int = 0
    share_resolved: float | None = None
    escalation_rate: float | None = None
    median_seconds: float | None = None
    p90_seconds: int | None = None
    mood_rated: int = 0
    mood_start: float | None = None
    mood_end: float | None = None
    cooled: int = 0
    steady: int = 0
    heated: int = 0
    share_cooled: float | None = None
    follow_ups_open: int = 0
    follow_ups_overdue: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SkippedStep:
    playbook: str
    step: str
    skipped: int  # calls that skipped it
    calls: int  # calls with the playbook

    @property
    def share(self) -> float:
        return self.skipped / self.calls if self.calls else 0.0


@dataclass
class Stats:
    figures: Figures
    by: str | None
    groups: list[tuple[str | None, Figures]]
    skipped: list[SkippedStep]
    first_day: str | None
    last_day: str | None


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
    outcomes = result.outcomes
    lengths: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    now = today.isoformat()
    for record in records:
        outcome = record.outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if record.escalated or outcome == "escalated":
            result.escalated += 1
        lengths.append(record.duration)
        first, last = record.mood_start, record.mood_end
        if first is not None and last is not None:
            starts.append(first)
            ends.append(last)
        if record.follow_up is not None and record.follow_up_done is None:
            result.follow_ups_open += 1
            if record.follow_up < now:
                result.follow_ups_overdue += 1
    result.calls = calls = len(lengths)
    result.resolved = outcomes["resolved"]
    if calls:
        result.share_resolved = result.resolved / calls
        result.escalation_rate = result.escalated / calls
    lengths.sort()
    result.median_seconds = median(lengths)
    result.p90_seconds = percentile(lengths, 0.9)
    result.mood_rated = rated = len(starts)
    if rated:
        result.mood_start = sum(starts) / rated
        result.mood_end = sum(ends) / rated
        result.cooled = sum(1 for first, last in zip(starts, ends, strict=True) if last < first)
        result.heated = sum(1 for first, last in zip(starts, ends, strict=True) if last > first)
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
    """Everything `records stats` shows, for `records` (already filtered)."""
    groups: list[tuple[str | None, Figures]] = []
    if by is not None:
        key = GROUPS[by]
        members: dict[str | None, list[Summary]] = defaultdict(list)
        for record in records:
            members[key(record)].append(record)
        groups = [(name, figures(chosen, today)) for name, chosen in members.items()]
        if by == "month":
            groups.sort(key=lambda g: g[0] or "")
        elif by == "outcome":
            groups.sort(key=lambda g: OUTCOMES.index(g[0]) if g[0] in OUTCOMES else 99)
        else:
            groups.sort(key=lambda g: (-g[1].calls, g[0] is None, g[0] or ""))
    starts = list(map(attrgetter("started"), records))
    return Stats(figures(records, today), by, groups, skipped_steps(records, skipped_limit),
                 min(starts)[:10] if starts else None, max(starts)[:10] if starts else None)


def to_dict(stats: Stats) -> dict[str, Any]:
    """The stats as plain data, for `--json`."""
    data: dict[str, Any] = {
        "first_day": stats.first_day,
        "last_day": stats.last_day,
        **stats.figures.to_dict(),
        "skipped_steps": [{"playbook": s.playbook, "step": s.step, "skipped": s.skipped,
                           "calls": s.calls, "share": s.share} for s in stats.skipped],
    }
    if stats.by is not None:
        data["by"] = stats.by
        data["groups"] = [{"key": name, **group.to_dict()} for name, group in stats.groups]
    return data
