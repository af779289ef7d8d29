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
- by version: the playbook and its `playbook_version`, e.g. `upset-customer v3`.

`records stats` asks the records index in SQL (`compute_sql`); `compute` does the same
over Summaries in Python, the plain statement of the definitions that the tests hold
the SQL to.

Per step (`--by step`, `step_stats`), for each playbook and each of its steps that
calls reached (and each branch answer given there):
- calls: the calls that reached the step (one `steps` entry each); of all the calls
  that reached any step of the playbook, the share that reached this one;
- skip rate: the share of those calls that skipped it;
- time: the median of the seconds spent on it (all visits together);
- mood change: the mood on leaving minus the mood on arriving, averaged over the
  calls with a rating by the time they arrived. The mood on arriving is the last
  rating given at or before the call first reached the step; on leaving, the last
  one given at or before the call last left it (a lower number is calmer, so a
  negative change is a call cooling down);
- resolved: the share of those calls whose outcome is `resolved`.
Steps are in the order calls reach them (their average place in the record).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
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
    "version": lambda r: version_name(r.playbook, r.playbook_version),
}
BY = (*GROUPS, "step")  # what `--by` takes


def version_name(playbook: str, version: int | None) -> str:
    return f"{playbook} v{version}" if version is not None else f"{playbook} (no version)"


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
        elif by == "version":
            versions = {key(r): (r.playbook, -1 if r.playbook_version is None
                                 else r.playbook_version) for r in records}
            groups.sort(key=lambda g: versions[g[0]])
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


# -- the same, in SQL over the records index --------------------------------------------

_KEYS = {"playbook": "r.playbook", "agent": "r.agent", "outcome": "r.outcome",
         "root-cause": "r.root_cause", "month": "substr(r.started, 1, 7)",
         "version": "r.playbook || char(0) || coalesce(r.playbook_version, -1)"}


def _where(where: str) -> str:
    return "r.problem IS NULL" + (f" AND ({where})" if where else "")


def _figures_sql(db: Any, where: str, params: Sequence[Any], key: str | None, today: date,
                 days: list[str | None] | None = None) -> dict[Any, Figures]:
    """Figures by group (`key`, an SQL expression; None: one group, keyed None). The
    first and last day of the calls counted go into `days`, from the same pass."""
    group = key or "NULL"
    outcomes = ", ".join(f"coalesce(sum(r.outcome = '{name}'), 0)" for name in OUTCOMES)
    found: dict[Any, Figures] = {}
    rows = db.execute(
        f"SELECT {group} AS k, count(*), coalesce(sum(r.escalated OR r.outcome = 'escalated'), 0),"
        " count(r.mood_start), coalesce(sum(r.mood_start), 0), coalesce(sum(r.mood_end), 0),"
        " coalesce(sum(r.mood_end < r.mood_start), 0), coalesce(sum(r.mood_end > r.mood_start), 0),"
        " coalesce(sum(r.follow_up IS NOT NULL AND r.follow_up_done IS NULL), 0),"
        " coalesce(sum(r.follow_up IS NOT NULL AND r.follow_up_done IS NULL"
        f" AND r.follow_up < ?), 0), {outcomes}, min(r.started), max(r.started)"
        f" FROM records r WHERE {_where(where)} GROUP BY k", (today.isoformat(), *params))
    for (name, calls, escalated, rated, starts, ends, cooled, heated, open_, overdue,
         *counts, first, last) in rows:
        if not calls:
            continue
        if days is not None:
            days[:] = [first[:10], last[:10]]
        result = found[name] = Figures(outcomes=dict(zip(OUTCOMES, counts, strict=True)))
        result.calls, result.escalated = calls, escalated
        result.resolved = result.outcomes["resolved"]
        result.share_resolved = result.resolved / calls
        result.escalation_rate = escalated / calls
        result.mood_rated = rated
        if rated:
            result.mood_start, result.mood_end = starts / rated, ends / rated
            result.cooled, result.heated = cooled, heated
            result.steady = rated - cooled - heated
            result.share_cooled = cooled / rated
        result.follow_ups_open, result.follow_ups_overdue = open_, overdue
    for name, (middle, p90) in _order_statistics(db, "r.duration", group, "records r",
                                                 _where(where), params).items():
        if name in found:
            found[name].median_seconds, found[name].p90_seconds = middle, p90
    return found


def _order_statistics(db: Any, value: str, group: str, source: str, where: str,
                      params: Sequence[Any]) -> dict[Any, tuple[float | None, int | None]]:
    """The median and the nearest-rank 90th percentile of `value` in each group, from
    how often each value occurs (seconds recur: a thousand or so distinct values in
    100,000 calls), which SQLite counts four times quicker than it ranks every row."""
    counted: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    for name, v, times in db.execute(
            f"SELECT {group} AS k, {value} AS v, count(*) FROM {source} WHERE {where}"
            f" AND {value} IS NOT NULL GROUP BY k, v ORDER BY k, v", tuple(params)):
        counted[name].append((v, times))
    found: dict[Any, tuple[float | None, int | None]] = {}
    for name, values in counted.items():
        count = sum(times for _, times in values)
        wanted = {(count + 1) // 2, count // 2 + 1, (9 * count + 9) // 10}
        ranks: dict[int, int] = {}
        seen = 0
        for v, times in values:
            for rank in [r for r in wanted if seen < r <= seen + times]:
                ranks[rank] = v
                wanted.discard(rank)
            seen += times
            if not wanted:
                break
        if count % 2:
            middle: float | None = ranks[(count + 1) // 2]
        else:
            total = ranks[count // 2] + ranks[count // 2 + 1]
            middle = total // 2 if total % 2 == 0 else total / 2
        found[name] = (middle, ranks[(9 * count + 9) // 10])
    return found


def _skipped_sql(db: Any, where: str, params: Sequence[Any], limit: int) -> list[SkippedStep]:
    """One pass: calls by playbook and by the list of steps skipped (few lists recur),
    each list then counted step by step here."""
    calls: dict[str, int] = defaultdict(int)
    skips: dict[tuple[str, str], int] = defaultdict(int)
    for playbook, skipped, count in db.execute(
            f"SELECT r.playbook, r.skipped, count(*) FROM records r WHERE {_where(where)}"
            " GROUP BY r.playbook, r.skipped", tuple(params)):
        calls[playbook] += count
        if skipped != "[]":
            for step in json.loads(skipped):
                skips[playbook, step] += count
    found = [SkippedStep(playbook, step, count, calls[playbook])
             for (playbook, step), count in skips.items()]
    found.sort(key=lambda s: (-s.skipped, -s.share, s.playbook, s.step))
    return found[:limit] if limit > 0 else found


def compute_sql(db: Any, where: str = "", params: Sequence[Any] = (), *,
                by: str | None = None, today: date, skipped_limit: int = 10) -> Stats:
    """What `compute` gives for the records of the index `db` matching `where` (SQL over
    its records table as `r`), counted by SQL."""
    days: list[str | None] = [None, None]
    overall = _figures_sql(db, where, params, None, today, days).get(None) or Figures(
        outcomes=dict.fromkeys(OUTCOMES, 0))
    groups: list[tuple[str | None, Figures]] = []
    if by is not None:
        found = _figures_sql(db, where, params, _KEYS[by], today)
        if by == "version":
            def name(key: str) -> str:
                playbook, _, version = key.rpartition("\0")
                return version_name(playbook, None if version == "-1" else int(version))

            ordered = sorted(found, key=lambda k: (k.rpartition("\0")[0],
                                                   int(k.rpartition("\0")[2])))
            groups = [(name(key), found[key]) for key in ordered]
        else:
            groups = list(found.items())
            if by == "month":
                groups.sort(key=lambda g: g[0] or "")
            elif by == "outcome":
                groups.sort(key=lambda g: OUTCOMES.index(g[0]) if g[0] in OUTCOMES else 99)
            else:
                groups.sort(key=lambda g: (-g[1].calls, g[0] is None, g[0] or ""))
    return Stats(overall, by, groups, _skipped_sql(db, where, params, skipped_limit), *days)


# -- per step ---------------------------------------------------------------------------

@dataclass
class StepFigures:
    """What happened at one step of a playbook (or, with `answer`, to the calls that gave
    that branch answer there)."""

    step: str
    answer: str | None
    calls: int
    share_of_calls: float  # of the calls that reached any step of the playbook
    skipped: int
    skip_rate: float
    median_seconds: float | None
    mood_rated: int  # calls with a mood on arriving
    mood_change: float | None  # on leaving minus on arriving, averaged
    cooled: int  # calls calmer on leaving
    heated: int
    resolved: int
    share_resolved: float
    answers: list[StepFigures] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.answer is None:
            data.pop("answer")
            data["answers"] = [answer.to_dict() for answer in self.answers]
        else:
            data.pop("answers")
        return data


@dataclass
class PlaybookSteps:
    playbook: str
    calls: int  # calls that reached any step of it
    steps: list[StepFigures]

    def to_dict(self) -> dict[str, Any]:
        return {"playbook": self.playbook, "calls": self.calls,
                "steps": [step.to_dict() for step in self.steps]}


_VISITS = ("(SELECT r.path AS path, r.outcome AS outcome,"
           " coalesce(json_extract(j.value, '$[1]'), r.playbook) AS book,"
           " json_extract(j.value, '$[0]') AS step, j.key AS place,"
           " json_extract(j.value, '$[3]') AS seconds, json_extract(j.value, '$[4]') AS skipped,"
           " json_extract(j.value, '$[5]') AS answer, json_extract(j.value, '$[6]') AS mood_in,"
           " json_extract(j.value, '$[7]') AS mood_out"
           " FROM records r, json_each(r.visits) j WHERE {where} AND r.visits != '[]')")


def step_stats(db: Any, where: str = "", params: Sequence[Any] = (), *,
               playbook: str | None = None) -> list[PlaybookSteps]:
    """Per playbook (only `playbook`, if given), what each step did to the calls that
    reached it; see the module's docstring for the definitions. Counts the step visits
    the index holds: `Index.fill_visits` reads those not read yet."""
    visits = _VISITS.format(where=_where(where))
    chosen = "book = ?" if playbook is not None else "1"
    extra = (playbook,) if playbook is not None else ()
    args = (*params, *extra)
    calls = dict(db.execute(f"SELECT book, count(DISTINCT path) FROM {visits} WHERE {chosen}"
                            " GROUP BY book", args))
    figures = ("count(DISTINCT path), coalesce(sum(skipped), 0), count(mood_in),"
               " coalesce(sum(mood_out - mood_in), 0), coalesce(sum(mood_out < mood_in), 0),"
               " coalesce(sum(mood_out > mood_in), 0), coalesce(sum(outcome = 'resolved'), 0)")

    def made(book: str, step: str, answer: str | None, row: Sequence[Any],
             middle: float | None) -> StepFigures:
        reached, skipped, rated, change, cooled, heated, resolved = row
        return StepFigures(step, answer, reached, reached / calls[book], skipped,
                           skipped / reached, middle, rated,
                           change / rated if rated else None, cooled, heated, resolved,
                           resolved / reached)

    medians = _order_statistics(db, "seconds", "book || char(0) || step", visits, chosen,
                                args)
    steps: dict[str, list[tuple[float, StepFigures]]] = defaultdict(list)
    by_step: dict[tuple[str, str], StepFigures] = {}
    for book, step, place, *row in db.execute(
            f"SELECT book, step, avg(place), {figures} FROM {visits} WHERE {chosen}"
            " GROUP BY book, step", args):
        found = made(book, step, None, row, medians.get(f"{book}\0{step}", (None, None))[0])
        by_step[book, step] = found
        steps[book].append((place, found))
    medians = _order_statistics(db, "seconds", "book || char(0) || step || char(0) || answer",
                                visits, f"{chosen} AND answer IS NOT NULL", args)
    for book, step, answer, *row in db.execute(
            f"SELECT book, step, answer, {figures} FROM {visits} WHERE {chosen}"
            " AND answer IS NOT NULL GROUP BY book, step, answer ORDER BY answer", args):
        middle = medians.get(f"{book}\0{step}\0{answer}", (None, None))[0]
        by_step[book, step].answers.append(made(book, step, answer, row, middle))
    for found in by_step.values():
        found.answers.sort(key=lambda a: (-a.calls, a.answer or ""))
    return [PlaybookSteps(book, calls[book],
                          [f for _, f in sorted(steps[book], key=lambda p: (p[0], p[1].step))])
            for book in sorted(steps, key=lambda b: (-calls[b], b))]
