"""Shared fixtures: every test runs in its own folders, never the real home."""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from deescalate.cli import run

WORKERS = 4


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """The processes `-n auto` (in addopts) starts. For the suite or a folder of it, 4:
    most of its time is spent waiting on pseudo-terminals and subprocesses, so 4 keep
    even 2 cores busy. 0 (this process alone) for test files named one by one, which run
    sooner here than workers start. PYTEST_XDIST_AUTO_NUM_WORKERS, or -n N, says otherwise."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist's own hook reads it
    named = [arg for arg in config.args if not Path(arg.split("::")[0]).is_dir()]
    return 0 if named else WORKERS


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Send config, data, state and home to a temp dir, and work from an empty folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    for name in list(os.environ):
        if name.startswith("DEESCALATE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DEESCALATE_AGENT", "tester")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `deescalate ARGS...` in-process; returns exit code, stdout and stderr."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def write(isolated: Path):
    """Write a dedented text file below the working folder; returns its path."""

    def make(name: str, text: str) -> Path:
        path = isolated / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return make


REPO = Path(__file__).resolve().parents[1]
BUILTINS = sorted((REPO / "playbooks").glob("*.yaml"))


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch):
    """Pin the tool's idea of today to recordkit.TODAY, a Friday."""
    from deescalate import dates
    from tests.recordkit import TODAY

    monkeypatch.setattr(dates, "today", lambda: TODAY)
    return TODAY


@pytest.fixture(scope="session")
def known_source(tmp_path_factory: pytest.TempPathFactory):
    """The known records folder (see recordkit.team_folder), built once."""
    from tests.recordkit import team_folder

    folder = tmp_path_factory.mktemp("known") / "records"
    paths = team_folder(folder)
    return folder, {name: path.relative_to(folder) for name, path in paths.items()}


@dataclass
class Known:
    folder: Path
    paths: dict[str, Path]  # the good records, by name (r1 ... r8)

    def id(self, name: str) -> str:
        return self.paths[name].stem


@pytest.fixture
def known(known_source, isolated: Path, today) -> Known:
    """A fresh copy of the known records folder under the working folder, today pinned."""
    import shutil

    source, relative = known_source
    folder = isolated / "records"
    shutil.copytree(source, folder)
    return Known(folder, {name: folder / path for name, path in relative.items()})


@pytest.fixture
def locked(known, monkeypatch) -> Path:
    """The known folder's 2026/10, which can't be listed (root reads any folder, so chmod
    can't show this: listing it is made to fail)."""
    import os

    real = os.scandir
    folder = known.folder / "2026" / "10"

    def scandir(path):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return folder
