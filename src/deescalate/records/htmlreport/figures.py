"""What `records report` shows, counted in SQL over the records index: the calls week by
week, what each step of a playbook does, its versions side by side with a verdict on
each figure, and each agent's calls. Plain data, drawn by `charts` and `page`."""

from __future__ import annotations

import functools
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from deescalate.records.proportions import Comparison, Share, compare
from deescalate.records.stats import (
    DIMENSIONS,
    Dimension,
    Figures,
    Stats,
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
T = TypeVar("T")

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
    the one filtered on, else the one with the most calls. What is counted over the
    records and what over their step visits are asked at once, on two connections
    (see `_Beside`)."""
    where, params = filters.sql()
    db = index.db
    counting = _Beside(index, functools.partial(_count, playbook=filters.playbook,
                                                where=where, params=tuple(params),
                                                today=today))
    try:
        index.fill_visits(where, params)
        # The step visits read out of their JSON once, for every question asked of them.
        db.execute("DROP TABLE IF EXISTS temp.report_visits")
        db.execute(f"CREATE TEMP TABLE report_visits AS SELECT * FROM {visits_sql(where)}",
                   tuple(params))
        ticks = _unticked(db)
        counted = counting.result()
        stats = counted.stats
        data = ReportData(stats.figures.calls, stats.figures, stats.first_day,
                          stats.last_day, filters.describe(), today.isoformat(),
                          weeks=stats.groups)
        if not data.calls:
            return data
        data.playbook = counted.playbook
        assert data.playbook is not None
        book = lookup(data.playbook)
        data.playbook_title = book.title if book is not None else None
        _steps(data, db, book, ticks)
        _versions(data, counted.versions)
        _agents(data, counted, lookup, ticks)
    finally:
        counting.close()
        db.execute("DROP TABLE IF EXISTS temp.report_visits")
    return data


@dataclass
class _Counted:
    """What the report counts over the records table (not their step visits)."""

    stats: Stats
    playbook: str | None = None
    versions: dict[Any, Figures] = field(default_factory=dict)
    agents: dict[Any, Figures] = field(default_factory=dict)
    skips: dict[str, dict[str, int]] = field(default_factory=dict)  # by agent, by step


def _count(db: Any, playbook: str | None, where: str, params: Sequence[Any],
           today: date) -> _Counted:
    """Counted over the records matching `where`; the versions of `playbook`, else of
    the playbook with the most calls."""
    stats = compute_sql(db, where, params, by="week", today=today)
    counted = _Counted(stats)
    if not stats.figures.calls:
        return counted
    playbook = counted.playbook = playbook or _most_used(db, where, params)
    chosen = f"({where}) AND r.playbook = ?" if where else "r.playbook = ?"
    counted.versions = grouped(db, chosen, (*params, playbook), _BY_VERSION, today)
    counted.agents = grouped(db, where, params, DIMENSIONS["agent"], today)
    skips: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for agent, skipped, count in db.execute(
            f"SELECT r.agent, r.skipped, count(*) FROM records r WHERE {_where(where)}"
            " AND r.skipped != '[]' GROUP BY r.agent, r.skipped", tuple(params)):
        for step in json.loads(skipped):
            skips[agent][step] += count
    counted.skips = {agent: dict(steps) for agent, steps in skips.items()}
    return counted


class _Beside(Generic[T]):
    """`work(db)` asked in a process of its own, on its own connection to the index, while
    this process asks other questions: two cores, two questions. (Not a thread: two
    threads asking SQLite at once took nearly as long as one asking both, measured over
    100,000 records.) `work` must pickle (a module's function, or a partial of one).
    Asked here instead, when its result is wanted, with one core, an index in memory
    (which only this process sees), or no process to be had."""

    def __init__(self, index: Index, work: Callable[[Any], T]) -> None:
        import os

        from deescalate.records.folder import _pool
        from deescalate.records.index import index_path

        self.index, self.work = index, work
        self.pool: Any = None
        self.future: Any = None
        if index.in_memory or (os.cpu_count() or 1) < 2:
            return
        try:
            self.pool = _pool(1)
            self.future = self.pool.submit(_asked, str(index_path(index.folder)), work)
        except (OSError, ImportError, RuntimeError):  # no processes here
            self.close()
            self.future = None

    def result(self) -> T:
        from concurrent.futures.process import BrokenProcessPool

        if self.future is not None:
            try:
                return self.future.result()  # type: ignore[no-any-return]
            except BrokenProcessPool:  # it died (killed, out of memory): ask here
                self.close()
        return self.work(self.index.db)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None


def _asked(database: str, work: Callable[[Any], T]) -> T:
    """`work(db)` on a connection of its own to the index, in one read transaction."""
    import sqlite3

    from deescalate.records.index import BUSY_SECONDS

    db = sqlite3.connect(database, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        db.execute("BEGIN")  # one snapshot for all it asks
        return work(db)
    finally:
        db.close()


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


def _versions(data: ReportData, groups: dict[Any, Figures]) -> None:
    data.versions = [Version(number, figures) for number, figures in groups.items()]
    numbered = [v for v in data.versions if v.number is not None]
    for older, newer in itertools.pairwise(numbered):
        for name, count, verbs, lower in COMPARED:
            data.verdicts.append(Verdict(name, newer.name, older.name, compare(
                count(newer.figures), count(older.figures), names=(newer.name, older.name),
                verbs=verbs, lower_is_better=lower)))


def _agents(data: ReportData, counted: _Counted, lookup: Lookup,
            ticks: list[tuple[Any, ...]]) -> None:
    skips = counted.skips
    books: dict[str, dict[str, int]] = {}
    ticked: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # items ticked, items on lists
    for agent, name, step, known, unticked in ticks:
        if name not in books:
            books[name] = _items(lookup(name))
        size = books[name].get(step, 0)
        if size and known:
            ticked[agent][0] += known * size - unticked
            ticked[agent][1] += known * size
    for agent, figures in counted.agents.items():
        most = sorted(skips.get(agent, {}).items(), key=lambda item: (-item[1], item[0]))[:3]
        done, total = ticked.get(agent, (0, 0))
        data.agents.append(Agent(agent, figures, most, done / total if total else None))
