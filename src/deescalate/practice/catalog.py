"""Finding scenarios: the `scenarios/` folder of each playbook folder, first match wins.

Scenarios live with playbooks: a team's `playbooks/scenarios/`, the user's
`playbooks/scenarios/`, and the built-in ones. A scenario with the id of one found
earlier in the search is overridden by it, as playbooks are. Each scenario is checked
against the playbook a practice would use: the first one with its id in the search.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from deescalate import safeyaml
from deescalate.config import Setting
from deescalate.errors import (
    BadInput,
    DeescalateError,
    NotFound,
    Problem,
    ScenarioInvalid,
)
from deescalate.playbooks.catalog import Catalog, first_wins, is_path, yaml_files
from deescalate.playbooks.format import Playbook
from deescalate.playbooks.loader import display_path
from deescalate.practice.format import Scenario
from deescalate.practice.loader import Playbooks, check_file, playbook_named
from deescalate.schemacheck import did_you_mean

SCENARIOS = "scenarios"  # the folder inside a playbook folder


@dataclass
class Entry:
    """One scenario file found in a search folder."""

    path: Path
    source: str
    scenario: Scenario | None
    problems: list[Problem]
    overrides: list[Entry] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.scenario.id if self.scenario else self.path.stem


class ScenarioCatalog:
    """The scenarios a run can see, beside the playbooks it can see."""

    def __init__(self, playbooks: Catalog) -> None:
        self.playbooks = playbooks
        self.dirs = [Setting(d.value / SCENARIOS, d.source) for d in playbooks.dirs]
        self._entries: list[Entry] | None = None
        self._known: dict[str, Playbook | None] | None = None

    def known(self) -> dict[str, Playbook | None]:
        """Each playbook id a practice can use, to its playbook (None if it has errors)."""
        if self._known is None:
            self._known = {entry.id: entry.playbook for entry in self.playbooks.effective()}
        return self._known

    def known_for(self, path: Path) -> Playbooks:
        """The playbooks a scenario file is checked against: those of the playbook folder it
        sits in first (when that folder is not searched anyway), then the search."""
        known = self.known()
        if path.parent.name != SCENARIOS:
            return known
        home = path.parent.parent.resolve()
        if any(d.value.resolve() == home for d in self.playbooks.dirs):
            return known
        from deescalate.playbooks.loader import check_file as check_playbook

        local: dict[str, Playbook | None] = {}
        for file in yaml_files(home):
            book, _ = check_playbook(file)
            local.setdefault(book.id if book else file.stem, book)
        return {**known, **local}

    def files(self) -> list[tuple[Path, str]]:
        """Every scenario file in search order, with the source of its folder."""
        return [(path, setting.source) for setting in self.dirs
                for path in yaml_files(setting.value)]

    def all_entries(self) -> list[Entry]:
        if self._entries is None:
            self._entries = []
            for path, source in self.files():
                scenario, problems = check_file(path, self.known())
                self._entries.append(Entry(path, source, scenario, problems))
        return self._entries

    def effective(self) -> list[Entry]:
        """One entry per id, the first found; each lists the entries it overrides."""
        return first_wins(self.all_entries())

    def find(self, name: str) -> Scenario:
        """The scenario a SCENARIO argument names: a path or an id."""
        if is_path(name):
            from deescalate.practice.loader import load_file

            path = Path(name)
            return load_file(path, self.known_for(path))
        for entry in self.effective():
            if entry.id == name:
                if entry.scenario is None:
                    raise ScenarioInvalid(entry.problems)
                return entry.scenario
        hint = did_you_mean(name, [e.id for e in self.effective()])
        raise NotFound(f"no scenario is called {name!r}"
                       f"{hint or '; `deescalate practice list` shows them all'}")

    def of(self, playbook_id: str) -> list[Scenario]:
        """The valid scenarios of a playbook, by id."""
        return sorted((e.scenario for e in self.effective()
                       if e.scenario is not None and e.scenario.playbook == playbook_id),
                      key=lambda s: s.id)

    def playbook_of(self, scenario: Scenario) -> Playbook:
        found = self.known_for(scenario.path).get(scenario.playbook) if scenario.path else None
        if found is None:
            found = self.playbooks.find(scenario.playbook)
        return found

    def choose(self, target: str | None, scenario_id: str | None, seed: int, *,
               need_one: bool = False) -> tuple[Scenario, Playbook]:
        """The scenario to play, from `practice [PLAYBOOK|SCENARIO] [--scenario ID]`.

        A playbook with several scenarios gets one picked by the seed, so the same seed
        replays the same customer; with no target at all, a scripted run (`need_one`)
        must say which.
        """
        if scenario_id is not None:
            scenario = self.find(scenario_id)
            if target is not None and not is_path(target):
                book = self._playbook(target)
                if scenario.playbook != book.id:
                    raise BadInput(f"scenario {scenario.id!r} is for playbook "
                                   f"{scenario.playbook!r}, not {book.id!r}")
            return scenario, self.playbook_of(scenario)
        if target is None:
            choices = sorted((e.scenario for e in self.effective() if e.scenario is not None),
                             key=lambda s: s.id)
            if not choices:
                raise NotFound("no scenarios found; `deescalate practice list` shows where "
                               "they are searched for")
            if need_one:
                raise BadInput("name the scenario to play: `deescalate practice list` shows them")
            scenario = random.Random(seed).choice(choices)
            return scenario, self.playbook_of(scenario)
        if is_path(target) or target in {e.id for e in self.effective()}:
            scenario = self.find(target)
            return scenario, self.playbook_of(scenario)
        book = self._playbook(target)
        scenarios = self.of(book.id)
        if not scenarios:
            raise NotFound(f"playbook {book.id!r} has no scenarios to practise; write one in "
                           f"a {SCENARIOS}/ folder beside it")
        return random.Random(seed).choice(scenarios), book

    def _playbook(self, name: str) -> Playbook:
        try:
            return self.playbooks.find(name)
        except NotFound:
            names = {e.id for e in self.effective()} | set(self.known())
            names |= {alias for book in self.known().values() if book for alias in book.aliases}
            hint = did_you_mean(name, names) or "; `deescalate practice list` shows them all"
            raise NotFound(f"no playbook or scenario is called {name!r}{hint}") from None


def check_files(paths: list[Path], catalog: ScenarioCatalog,
                found_ok: list[Scenario] | None = None) -> list[Problem]:
    """Every problem in these scenario files (played through, too), and ids two of them
    share in one folder. The valid scenarios are added to `found_ok` when given."""
    problems: list[Problem] = []
    seen: dict[tuple[Path, str], Path] = {}
    for path in paths:
        scenario, found = check_file(path, catalog.known_for(path), play=True)
        problems += found
        if scenario is None:
            continue
        if found_ok is not None:
            found_ok.append(scenario)
        key = (path.parent.resolve(), scenario.id)
        if key in seen:
            problems.append(Problem(display_path(path), _line_of(path, "id"), 1, "error",
                                    f"the scenario id {scenario.id!r} is also used by "
                                    f"{display_path(seen[key])}"))
        else:
            seen[key] = path
    return problems


def check_scenarios_of(playbook_files: list[Path], catalog: ScenarioCatalog,
                       ) -> tuple[int, list[Problem]]:
    """The scenarios that name one of these playbooks, checked against it: how many, and
    their problems (a step renamed in the playbook breaks a scenario that names it).

    The scenarios looked at are those in a `scenarios/` folder beside the playbooks and
    those the search finds.
    """
    from deescalate.playbooks.loader import check_file as check_playbook

    scenario_files: list[Path] = []
    for path in [p.parent / SCENARIOS for p in playbook_files] + [d.value for d in catalog.dirs]:
        for file in yaml_files(path):
            if file.resolve() not in {f.resolve() for f in scenario_files}:
                scenario_files.append(file)
    named: dict[Path, str] = {}
    for file in scenario_files:
        try:
            data = safeyaml.read_bytes(file, what="scenario")
        except DeescalateError:
            continue  # reported when the scenario itself is checked
        name = playbook_named(data)
        if name:
            named[file] = name
    wanted = set(named.values())
    books: dict[str, Playbook | None] = {}
    for path in playbook_files:
        if not wanted - set(books):
            break
        try:
            text = safeyaml.read_bytes(path, what="playbook")
        except DeescalateError:
            continue  # reported when the playbook itself is checked
        if path.stem not in wanted and not any(name.encode() in text for name in wanted):
            continue  # can't be one of them: no need to read it again
        book, _ = check_playbook(path)
        if book is not None and book.id in wanted:
            books.setdefault(book.id, book)
    problems: list[Problem] = []
    count = 0
    for file, name in named.items():
        if name in books:
            count += 1
            problems += check_file(file, {name: books[name]})[1]
    return count, problems


def _line_of(path: Path, key: str) -> int:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if line.startswith(f"{key}:"):
                    return number
    except OSError:
        pass
    return 1
