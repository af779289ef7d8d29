"""Finding playbooks: the folders searched, first match wins, and what overrides what."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from deescalate.config import Setting
from deescalate.errors import CantRead, NotFound, PlaybookInvalid, Problem
from deescalate.playbooks.format import Playbook
from deescalate.playbooks.loader import check_file
from deescalate.schemacheck import did_you_mean

BUILTIN = "built-in"


def builtin_dir() -> Path:
    """The built-in playbooks: inside the installed package, or the repo's top-level folder."""
    package = Path(__file__).resolve().parents[1]  # src/deescalate, or site-packages/deescalate
    packaged = package / "builtin"  # where the wheel puts the repo's top-level playbooks/
    return packaged if packaged.is_dir() else package.parents[1] / "playbooks"


class Found(Protocol):
    """A file found in a search folder: what `first_wins` needs of it."""

    overrides: list[Any]

    @property
    def id(self) -> str: ...


F = TypeVar("F", bound=Found)


def first_wins(entries: Iterable[F]) -> list[F]:
    """One entry per id, the first found (search order); each lists those it overrides."""
    winners: dict[str, F] = {}
    for entry in entries:
        if entry.id in winners:
            winners[entry.id].overrides.append(entry)
        else:
            entry.overrides = []
            winners[entry.id] = entry
    return list(winners.values())


def yaml_files(folder: Path) -> list[Path]:
    """The YAML files directly in `folder`, by name; none if it is not there."""
    try:
        return sorted(p for p in folder.iterdir()
                      if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except PermissionError:
        raise CantRead(f"{folder}: permission denied") from None


def expand(paths: Iterable[Path], what: str = "playbooks", *, inner: str | None = None
           ) -> list[Path]:
    """The files named on a command line: a file as it is, a folder as its YAML files
    (those of its `inner` folder, when it has one: a playbook folder's scenarios)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            nested = path / inner if inner is not None else None
            found = yaml_files(nested if nested is not None and nested.is_dir() else path)
            if not found:
                raise NotFound(f"{path}: no {what} (*.yaml) in this folder")
            files += found
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            raise NotFound(f"{path}: no such file or folder")
    return files


def is_path(name: str) -> bool:
    """Whether a PLAYBOOK argument names a file rather than an id or alias."""
    return "/" in name or "\\" in name or name.endswith((".yaml", ".yml"))


@dataclass
class Entry:
    """One playbook file found in a search folder."""

    path: Path
    source: str
    playbook: Playbook | None
    problems: list[Problem]
    overrides: list[Entry] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.playbook.id if self.playbook else self.path.stem


class Catalog:
    """The playbooks a run can see, searched in order, first match wins."""

    def __init__(self, dirs: list[Setting[Path]], *, builtins: bool = True) -> None:
        self.dirs = list(dirs)
        if builtins:
            self.dirs.append(Setting(builtin_dir(), BUILTIN))
        self._entries: list[Entry] | None = None

    def files(self) -> list[tuple[Path, str]]:
        """Every playbook file in search order, with the source of its folder."""
        return [(path, setting.source) for setting in self.dirs
                for path in yaml_files(setting.value)]

    def all_entries(self) -> list[Entry]:
        """Every file, checked; later files with an id seen before are marked as overridden."""
        if self._entries is None:
            self._entries = []
            for path, source in self.files():
                playbook, problems = check_file(path)
                self._entries.append(Entry(path, source, playbook, problems))
        return self._entries

    def effective(self) -> list[Entry]:
        """One entry per id, the first found; each lists the entries it overrides."""
        return first_wins(self.all_entries())

    def find(self, name: str) -> Playbook:
        """The playbook a PLAYBOOK argument names: a path, an id or an alias."""
        if is_path(name):
            from deescalate.playbooks.loader import load_file

            return load_file(Path(name))
        quick = self._find_quickly(name)
        if quick is not None:
            return quick
        entries = self.effective()
        for entry in entries:
            if entry.id == name:
                if entry.playbook is None:
                    raise PlaybookInvalid(entry.problems)
                return entry.playbook
        for entry in entries:
            if entry.playbook and name in entry.playbook.aliases:
                return entry.playbook
        names = {e.id for e in entries} | {a for e in entries if e.playbook
                                           for a in e.playbook.aliases}
        hint = did_you_mean(name, names)
        if not hint:
            hint = "; `deescalate playbooks list` shows them all"
        raise NotFound(f"no playbook is called {name!r}{hint}")


    def _find_quickly(self, name: str) -> Playbook | None:
        """The playbook `name` means, checking only its own file, when every file's id and
        aliases can be read off its plain top-level lines; None to search the slow way.

        `start` uses this so the first step is not held up by checking every playbook."""
        if self._entries is not None:
            return None
        probes = []
        for path, _ in self.files():
            probe = _probe(path)
            if probe is None:
                return None
            probes.append((path, *probe))
        if len({(path.parent, ident) for path, ident, _ in probes}) < len(probes):
            return None  # an id twice in one folder: the full search says which one wins
        chosen = next((path for path, ident, _ in probes if ident == name), None)
        if chosen is None:
            chosen = next((path for path, _, aliases in probes if name in aliases), None)
        if chosen is None:
            return None
        playbook, _ = check_file(chosen)
        if playbook is None or name not in (playbook.id, *playbook.aliases):
            return None
        return playbook


_TOP_ID = re.compile(r"^id:[ \t]*([a-z0-9][a-z0-9-]*)[ \t]*(?:#.*)?$", re.MULTILINE)
_TOP_ALIASES = re.compile(r"^aliases:[ \t]*\[([a-z0-9, \t-]*)\][ \t]*(?:#.*)?$", re.MULTILINE)
_BLOCK = re.compile(r"^(?:title|steps):", re.MULTILINE)
_ODD = re.compile(r"^(?:<<|[\"'?&*!{\[])", re.MULTILINE)  # merges, quoted keys, flow: read it


PROBE_BYTES = 64_000


def _probe(path: Path) -> tuple[str, set[str]] | None:
    """A playbook file's id and aliases from its plain top-level lines, or None if the
    file is written in a way that needs the YAML reader to tell."""
    from deescalate.files import read_limited

    try:
        data = read_limited(path, PROBE_BYTES)  # a FIFO or device: refused, never waited on
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if len(data) > PROBE_BYTES:
        return None  # the YAML reader says what is wrong with a file this large
    if not _BLOCK.search(text) or _ODD.search(text) or text.count("\nid:") > 1:
        return None
    ident = _TOP_ID.search(text)
    if ident is None and re.search(r"^id:", text, re.MULTILINE):
        return None
    aliases = _TOP_ALIASES.search(text)
    if aliases is None and re.search(r"^aliases:", text, re.MULTILINE):
        return None
    names = {a.strip() for a in aliases.group(1).split(",") if a.strip()} if aliases else set()
    return (ident.group(1) if ident else path.stem), names


# Below this many files a second process costs more than it saves.
PARALLEL_FROM = 64


def check_files(paths: list[Path]) -> list[Problem]:
    """Every problem in these files, including ids two of them share in one folder."""
    problems: list[Problem] = []
    names: list[_Names] = []
    for found, name in _check_all(paths):
        problems += found
        if name:
            names.append(name)
    return problems + _clashes(names)


@dataclass(frozen=True)
class _Names:
    """What a valid playbook is called, for checks across files."""

    path: Path
    id: str
    aliases: tuple[str, ...]


def _check_one(path: Path) -> tuple[list[Problem], _Names | None]:
    playbook, problems = check_file(path)
    return problems, _Names(path, playbook.id, playbook.aliases) if playbook else None


def _check_all(paths: list[Path]) -> list[tuple[list[Problem], _Names | None]]:
    """Check each path, in order; on several cores, in several processes."""
    import os
    import sys

    workers = min(os.cpu_count() or 1, 4)
    if len(paths) < PARALLEL_FROM or workers < 2 or not sys.platform.startswith("linux"):
        return [_check_one(path) for path in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with everything already imported
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(paths) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_check_one, paths, chunksize=chunk))


def _clashes(playbooks: list[_Names]) -> list[Problem]:
    """Two playbooks of one folder with one id (error); an alias naming another playbook (warning).

    The same id in different folders is an override, which is how a team adapts a
    built-in playbook, so it is not reported.
    """
    from deescalate.playbooks.loader import display_path

    problems: list[Problem] = []
    by_folder: dict[tuple[Path, str], _Names] = {}
    names: dict[str, tuple[_Names, str]] = {}
    for playbook in playbooks:
        key = (playbook.path.parent.resolve(), playbook.id)
        if key in by_folder:
            problems.append(Problem(display_path(playbook.path), _line_of(playbook.path, "id"),
                                    1, "error", f"the playbook id {playbook.id!r} is also used "
                                                f"by {display_path(by_folder[key].path)}"))
            continue
        by_folder[key] = playbook
        names.setdefault(playbook.id, (playbook, "id"))
    for playbook in by_folder.values():
        for alias in playbook.aliases:
            other, kind = names.get(alias, (playbook, ""))
            if other.id != playbook.id:
                problems.append(Problem(
                    display_path(playbook.path), _line_of(playbook.path, "aliases"), 1,
                    "warning", f"the alias {alias!r} is already the {kind} of "
                               f"{display_path(other.path)}, which `start` will pick"))
            names.setdefault(alias, (playbook, "alias"))
    return problems


def _line_of(path: Path, key: str) -> int:
    """The line of a top-level key in a file, for messages about the whole file (else 1)."""
    from deescalate.files import read_limited
    from deescalate.safeyaml import MAX_BYTES

    try:
        text = read_limited(path, MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return 1
