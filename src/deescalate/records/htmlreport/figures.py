"""What `records report` shows, counted in SQL over the records index: the calls week by
week, what each step of a playbook does, its versions side by side with a verdict on
each figure, and each agent's calls. Plain data, drawn by `charts` and `page`."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from deescalate.records.proportions import Comparison, Share, compare
from deescalate.records.stats import (
    DIMENSIONS,
    Dimension,
    Figures,
    StepFigures,
    compute_sql,
    grouped,
    step_stats,
    visits_sql,
)

if TYPE_CHECKING:
    from deescalate.playbooks.format import Playbook
    from deescalate.records.filters import Filters
    from deescalate.records.index import Index

Lookup = Callable[[str], "Playbook | None"]

# The figures compared between versions: (name, how it is counted, the verbs for more
# and fewer, whether fewer is better).
COMPARED: tuple[tuple[str, Callable[[Figures], Share], tuple[str, str], bool], ...] = (
    ("resolved", lambda f: Share(f.resolved, f.calls),
     ("resolves more calls", "resolves fewer calls"), False),
    ("escalated", lambda f: Share(f.escalated, f.calls),
     ("escalates more calls", "escalates fewer calls"), True),
    ("cooled", lambda f: Share(f.cooled, f.mood_rated),
     ("cools more calls down", "cools fewer calls down"), False),
)
_BY_VERSION = Dimension("r.playbook_version", "k IS NULL, k", "VERSION")


@dataclass
class Step:
    """One step of the playbook as the funnel shows it."""

    figures: StepFigures
    title: str  # the playbook's title for it, or its id when the playbook doesn't say
    checklist: float | None  # items ticked of the items on its list, over its visits
    items: int  # on its checklist (0: none, or the playbook is not found)


@dataclass
class Version:
    number: int | None
    figures: Figures

    @property
    def name(self) -> str:
        return "no version" if self.number is None else f"version {self.number}"


@dataclass
class Verdict:
    figure: str  # "resolved", "escalated" or "cooled"
    newer: str
    older: str
    comparison: Comparison


@dataclass
class Agent:
    name: str
    figures: Figures
    skipped: list[tuple[str, int]]  # the steps they skip most, with how many times
    checklist: float | None


@dataclass
class ReportData:
    calls: int
    overall: Figures
    first_day: str | None
    last_day: str | None
    filters: dict[str, str]
    today: str
    weeks: list[tuple[str | None, Figures]] = field(default_factory=list)
    playbook: str | None = None
    playbook_title: str | None = None
    playbook_calls: int = 0
    steps: list[Step] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    agents: list[Agent] = field(default_factory=list)
    unreadable: int = 0


def gather(index: Index, filters: Filters, *, today: date, lookup: Lookup) -> ReportData:
    """Everything the report shows for the records matching `filters`; the playbook is
    the one filtered on, else the one with the most calls."""
    where, params = filters.sql()
    db = index.db
    stats = compute_sql(db, where, params, by="week", today=today)
    data = ReportData(stats.figures.calls, stats.figures, stats.first_day, stats.last_day,
                      filters.describe(), today.isoformat(), weeks=stats.groups)
    if not data.calls:
        return data
    index.fill_visits(where, params)
    data.playbook = filters.playbook or _most_used(db, where, params)
    book = lookup(data.playbook)
    data.playbook_title = book.title if book is not None else None
    # The step visits read out of their JSON once, for every question asked of them.
    db.execute("DROP TABLE IF EXISTS temp.report_visits")
    db.execute(f"CREATE TEMP TABLE report_visits AS SELECT * FROM {visits_sql(where)}",
               tuple(params))
    try:
        ticks = _unticked(db)
        _steps(data, db, book, ticks)
        _versions(data, db, where, params, today)
        _agents(data, db, where, params, today, lookup, ticks)
    finally:
        db.execute("DROP TABLE IF EXISTS temp.report_visits")
    return data


def _where(where: str) -> str:
    return "r.problem IS NULL" + (f" AND ({where})" if where else "")


def _most_used(db: Any, where: str, params: Sequence[Any]) -> str:
    row = db.execute(f"SELECT r.playbook, count(*) AS n FROM records r WHERE {_where(where)}"
                     " GROUP BY r.playbook ORDER BY n DESC, r.playbook LIMIT 1",
                     tuple(params)).fetchone()
    return str(row[0])


def _unticked(db: Any) -> list[tuple[Any, ...]]:
    """(agent, book, step, visits whose unticked count is known, items left unticked)
    over the visits not skipped."""
    return list(db.execute(
        "SELECT agent, book, step, count(unticked), coalesce(sum(unticked), 0)"
        " FROM report_visits WHERE NOT skipped GROUP BY agent, book, step"))


def _items(book: Playbook | None) -> dict[str, int]:
    return {step.id: len(step.checklist) for step in book.steps} if book is not None else {}


def _steps(data: ReportData, db: Any, book: Playbook | None,
           ticks: list[tuple[Any, ...]]) -> None:
    assert data.playbook is not None
    found = step_stats(db, playbook=data.playbook, visits="report_visits")
    if not found:
        return
    data.playbook_calls = found[0].calls
    titles = {step.id: step.title for step in book.steps} if book is not None else {}
    items = _items(book)
    done: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, name, step_id, known, unticked in ticks:
        if name == data.playbook:
            done[step_id][0] += known
            done[step_id][1] += unticked
    for step in found[0].steps:
        size = items.get(step.step, 0)
        known, unticked = done.get(step.step, (0, 0))
        completion = 1 - unticked / (known * size) if size and known else None
        data.steps.append(Step(step, titles.get(step.step, step.step), completion, size))


def _versions(data: ReportData, db: Any, where: str, params: Sequence[Any],
              today: date) -> None:
    chosen = f"({where}) AND r.playbook = ?" if where else "r.playbook = ?"
    groups = grouped(db, chosen, (*params, data.playbook), _BY_VERSION, today)
    data.versions = [Version(number, figures) for number, figures in groups.items()]
    numbered = [v for v in data.versions if v.number is not None]
    for older, newer in itertools.pairwise(numbered):
        for name, count, verbs, lower in COMPARED:
            data.verdicts.append(Verdict(name, newer.name, older.name, compare(
                count(newer.figures), count(older.figures), names=(newer.name, older.name),
                verbs=verbs, lower_is_better=lower)))


def _agents(data: ReportData, db: Any, where: str, params: Sequence[Any], today: date,
            lookup: Lookup, ticks: list[tuple[Any, ...]]) -> None:
    groups = grouped(db, where, params, DIMENSIONS["agent"], today)
    skips: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for agent, skipped, count in db.execute(
            f"SELECT r.agent, r.skipped, count(*) FROM records r WHERE {_where(where)}"
            " AND r.skipped != '[]' GROUP BY r.agent, r.skipped", tuple(params)):
        for step in json.loads(skipped):
            skips[agent][step] += count
    books: dict[str, dict[str, int]] = {}
    ticked: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # items ticked, items on lists
    for agent, name, step, known, unticked in ticks:
        if name not in books:
            books[name] = _items(lookup(name))
        size = books[name].get(step, 0)
        if size and known:
            ticked[agent][0] += known * size - unticked
            ticked[agent][1] += known * size
    for agent, figures in groups.items():
        most = sorted(skips[agent].items(), key=lambda item: (-item[1], item[0]))[:3]
        done, total = ticked.get(agent, (0, 0))
        data.agents.append(Agent(agent, figures, most, done / total if total else None))
