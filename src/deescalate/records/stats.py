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

`records stats` asks the records index in SQL (`compute_sql`, `step_stats`); the tests
hold it to a plain statement of these definitions in Python (`tests/oracle.py`).

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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from deescalate.records.format import OUTCOMES

if TYPE_CHECKING:
    import sqlite3

    from deescalate.records.filters import Filters
    from deescalate.records.index import Index


@dataclass(frozen=True)
class Dimension:
    """A way `records stats --by` breaks the figures down: `key`, SQL over the index's
    records table (as `r`), names each call's group; `order` puts the groups in order
    (SQL over the group: its name as `k`, and aggregates of its calls); `label` heads
    the group's column in the report."""

    key: str
    order: str
    label: str


_MOST_CALLS_FIRST = "count(*) DESC, k IS NULL, k"
# The Thursday of the ISO week (Monday to Sunday) of the day a call started: its year
# is the ISO week's year, and its day of the year tells the week's number (ISO 8601).
_THURSDAY = "date(substr(r.started, 1, 10), '-3 days', 'weekday 4')"

# What `--by` takes, besides `step` (`BY_STEP`, a report of its own: `step_stats`).
DIMENSIONS: dict[str, Dimension] = {
    "playbook": Dimension("r.playbook", _MOST_CALLS_FIRST, "PLAYBOOK"),
    "agent": Dimension("r.agent", _MOST_CALLS_FIRST, "AGENT"),
    "outcome": Dimension("r.outcome", "CASE k " + " ".join(
        f"WHEN '{name}' THEN {place}" for place, name in enumerate(OUTCOMES))
        + " ELSE 99 END, k", "OUTCOME"),
    "root-cause": Dimension("r.root_cause", _MOST_CALLS_FIRST, "ROOT-CAUSE"),
    "week": Dimension(f"printf('%s-W%02d', strftime('%Y', {_THURSDAY}),"
                      f" (strftime('%j', {_THURSDAY}) - 1) / 7 + 1)", "k", "WEEK"),
    "month": Dimension("substr(r.started, 1, 7)", "k", "MONTH"),
    "version": Dimension("r.playbook || CASE WHEN r.playbook_version IS NULL THEN "
                         "' (no version)' ELSE ' v' || r.playbook_version END",
                         "min(r.playbook), min(coalesce(r.playbook_version, -1))", "VERSION"),
}
BY_STEP = "step"


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

def _where(where: str) -> str:
    return "r.problem IS NULL" + (f" AND ({where})" if where else "")


def _figures_sql(db: Any, where: str, params: Sequence[Any], by: Dimension | None,
                 today: date, days: list[str | None] | None = None) -> dict[Any, Figures]:
    """Figures by group (`by`; None: one group, keyed None), in the dimension's order.
    The first and last day of the calls counted go into `days`, from the same pass."""
    group = by.key if by is not None else "NULL"
    order = f" ORDER BY {by.order}" if by is not None else ""
    outcomes = ", ".join(f"coalesce(sum(r.outcome = '{name}'), 0)" for name in OUTCOMES)
    found: dict[Any, Figures] = {}
    rows = db.execute(
        f"SELECT {group} AS k, count(*), coalesce(sum(r.escalated OR r.outcome = 'escalated'), 0),"
        " count(r.mood_start), coalesce(sum(r.mood_start), 0), coalesce(sum(r.mood_end), 0),"
        " coalesce(sum(r.mood_end < r.mood_start), 0), coalesce(sum(r.mood_end > r.mood_start), 0),"
        " coalesce(sum(r.follow_up IS NOT NULL AND r.follow_up_done IS NULL), 0),"
        " coalesce(sum(r.follow_up IS NOT NULL AND r.follow_up_done IS NULL"
        f" AND r.follow_up < ?), 0), {outcomes}, min(r.started), max(r.started)"
        f" FROM records r WHERE {_where(where)} GROUP BY k{order}",
        (today.isoformat(), *params))
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


def grouped(db: Any, where: str, params: Sequence[Any], by: Dimension, today: date
            ) -> dict[Any, Figures]:
    """The figures of the calls matching `where`, by a dimension of one's own (`by`)."""
    return _figures_sql(db, where, params, by, today)


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
    """Everything `records stats` shows (but `--by step`) for the records of the index
    `db` matching `where` (SQL over its records table as `r`)."""
    days: list[str | None] = [None, None]
    overall = _figures_sql(db, where, params, None, today, days).get(None) or Figures(
        outcomes=dict.fromkeys(OUTCOMES, 0))
    groups: list[tuple[str | None, Figures]] = []
    if by is not None:
        groups = list(_figures_sql(db, where, params, DIMENSIONS[by], today).items())
    return Stats(overall, by, groups, _skipped_sql(db, where, params, skipped_limit), *days)


def answer(db: sqlite3.Connection, filters: Filters, *, by: str | None, today: date
           ) -> tuple[int, Stats]:
    """`records stats` (but `--by step`) over the index `db`: the calls counted, and the
    figures. Only reads: it may be asked while the folder is walked."""
    found = compute_sql(db, *filters.sql(), by=by, today=today)
    return found.figures.calls, found


def answer_by_step(index: Index, filters: Filters) -> tuple[int, list[PlaybookSteps]]:
    """`records stats --by step`: the calls counted, and each playbook's steps (only
    the playbook filtered on, if one is); reads the step visits not read yet."""
    where, params = filters.sql()
    index.fill_visits(where, params)
    return index.count(where, params), step_stats(index.db, where, params,
                                                  playbook=filters.playbook)


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


_VISITS = ("(SELECT r.path AS path, r.outcome AS outcome, r.agent AS agent,"
           " coalesce(json_extract(j.value, '$[1]'), r.playbook) AS book,"
           " json_extract(j.value, '$[0]') AS step, j.key AS place,"
           " json_extract(j.value, '$[3]') AS seconds, json_extract(j.value, '$[4]') AS skipped,"
           " json_extract(j.value, '$[5]') AS answer, json_extract(j.value, '$[6]') AS mood_in,"
           " json_extract(j.value, '$[7]') AS mood_out, json_extract(j.value, '$[8]') AS unticked"
           " FROM records r, json_each(r.visits) j WHERE {where} AND r.visits != '[]')")


def visits_sql(where: str = "") -> str:
    """The step visits of the records matching `where`, as SQL for a FROM: a row per
    visit, with its record's path, outcome and agent, the step's playbook (`book`),
    `step`, `place`, `seconds`, `skipped`, `answer`, `mood_in`, `mood_out` and
    `unticked` (how many checklist items were left unticked)."""
    return _VISITS.format(where=_where(where))


def step_stats(db: Any, where: str = "", params: Sequence[Any] = (), *,
               playbook: str | None = None, visits: str | None = None
               ) -> list[PlaybookSteps]:
    """Per playbook (only `playbook`, if given), what each step did to the calls that
    reached it; see the module's docstring for the definitions. Counts the step visits
    the index holds: `Index.fill_visits` reads those not read yet. `visits` names a
    table made of `visits_sql` already (then `where` and `params` are not used)."""
    if visits is not None:
        where, params = "", ()
    else:
        visits = visits_sql(where)
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
