"""Windows and macOS branches, run here on Linux by replacing what differs (as CPython's
own tests do), never by skipping: folder listings without inodes, signals a system lacks,
a pager that isn't there, a push that outlives the command, the user's folders, binary
file I/O; and CI type-checks the code as each system sees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from deescalate import files
from tests.conftest import REPO
from tests.recordkit import generator


class WindowsEntry:
    """An os.scandir entry as Windows gives it: its stat() carries no inode (st_ino 0),
    unlike os.stat() of the same file."""

    def __init__(self, entry: os.DirEntry[str]) -> None:
        self._entry = entry
        self.name, self.path = entry.name, entry.path

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_dir(follow_symlinks=follow_symlinks)

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_file(follow_symlinks=follow_symlinks)

    def is_symlink(self) -> bool:
        return self._entry.is_symlink()

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        real = self._entry.stat(follow_symlinks=follow_symlinks)
        fields = list(real[:10])
        fields[1] = 0  # st_ino
        return os.stat_result(fields, {"st_mtime_ns": real.st_mtime_ns})


class WindowsListing:
    def __init__(self, path: str) -> None:
        self._listing = real_scandir(path)

    def __enter__(self) -> WindowsListing:
        return self

    def __exit__(self, *exc: object) -> None:
        self._listing.close()

    def __iter__(self):
        return (WindowsEntry(entry) for entry in self._listing)


real_scandir = os.scandir


@pytest.fixture
def windows_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folder listings as on Windows, and the code told it runs there."""
    monkeypatch.setattr(os, "scandir", WindowsListing)
    monkeypatch.setattr(files, "WINDOWS", True)


def steps_exported(cli, records: Path, out: Path) -> int:
    """How many step rows `records export --rows steps` writes (as Parquet)."""
    import pyarrow.parquet as pq

    result = cli("records", "export", "--format", "parquet", "--rows", "steps",
                 "--records", records, "--output", out)
    assert result.code == 0, result.err
    return int(pq.read_table(out).num_rows)


def test_records_listed_without_inodes_still_give_their_steps(cli, isolated: Path,
                                                               monkeypatch) -> None:
    records = isolated / "records"
    generator().generate(records, 40, seed=3, workers=1)
    on_linux = steps_exported(cli, records, isolated / "linux")
    assert on_linux > 40
    by_step_linux = cli("records", "stats", "--by", "step", "--json", "--records", records)
    assert by_step_linux.code == 0 and '"share_resolved"' in by_step_linux.out
    import shutil

    shutil.rmtree(records / ".cache")
    monkeypatch.setattr(os, "scandir", WindowsListing)
    monkeypatch.setattr(files, "WINDOWS", True)
    assert steps_exported(cli, records, isolated / "windows") == on_linux
    by_step = cli("records", "stats", "--by", "step", "--json", "--records", records)
    assert by_step.code == 0 and by_step.out == by_step_linux.out
    # and again, from the index the first run made
    assert steps_exported(cli, records, isolated / "again") == on_linux
    # a record changed in place is still seen as changed (by its size and time)
    path = next(records.rglob("*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    again = cli("records", "check", "--records", records)
    assert again.code == 0, again.out


def test_a_file_is_known_by_its_inode_only_where_a_listing_has_one(tmp_path: Path,
                                                                   monkeypatch) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x")
    assert files.identity(os.stat(path)) == os.stat(path).st_ino != 0
    monkeypatch.setattr(files, "WINDOWS", True)
    assert files.identity(os.stat(path)) == 0


# -- signals -----------------------------------------------------------------------------

def test_a_call_hangs_up_on_the_signals_windows_has(monkeypatch) -> None:
    """Windows has no SIGHUP (closing the console arrives as SIGBREAK): the call still
    starts, and still saves and stops when the window closes."""
    from deescalate.call import live

    monkeypatch.delattr(signal, "SIGHUP")
    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGUSR1, raising=False)  # a real number here
    assert live.hang_up_signals() == [signal.SIGTERM, signal.SIGUSR1]
    hung_up: list[bool] = []
    before = signal.getsignal(signal.SIGUSR1)
    with live.hang_up_on_signals(lambda: hung_up.append(True)):
        os.kill(os.getpid(), signal.SIGUSR1)
    assert hung_up == [True]
    assert signal.getsignal(signal.SIGUSR1) is before


def test_a_call_hangs_up_on_sighup_where_there_is_one() -> None:
    from deescalate.call import live

    assert live.hang_up_signals() == [signal.SIGHUP, signal.SIGTERM]
    hung_up: list[bool] = []
    with live.hang_up_on_signals(lambda: hung_up.append(True)):
        os.kill(os.getpid(), signal.SIGHUP)
    assert hung_up == [True]


# -- CI ------------------------------------------------------------------------------------

def test_ci_checks_types_as_windows_and_macos_see_them_and_the_release() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pip install -q -e '.[dev]'" in ci
    assert 'for platform in "" win32 darwin; do' in ci
    assert 'python -m mypy ${platform:+--platform "$platform"}' in ci
    assert 'python -m twine check --strict "$dist"/*' in ci


# -- the user's folders ----------------------------------------------------------------------

def folders(cli) -> dict[str, tuple[str, str]]:
    import json

    result = cli("config", "--json")
    assert result.code == 0, result.err
    return {row["name"]: (row["value"], row["source"]) for row in json.loads(result.out)
            if row["name"] != "playbooks"}


@pytest.fixture
def no_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)


def test_linux_folders_are_the_xdg_ones(cli, isolated: Path, no_xdg) -> None:
    home = isolated.parent / "home"
    found = folders(cli)
    assert found["records"] == (str(home / ".local/share/deescalate/records"), "default")
    assert found["state"] == (str(home / ".local/state/deescalate/calls"), "default")
    assert found["user file"] == (str(home / ".config/deescalate/config.yaml"),
                                  "not there (optional)")


def as_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs
    import platformdirs.macos

    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.macos.MacOS)


def as_windows(monkeypatch: pytest.MonkeyPatch, local: Path) -> None:
    """platformdirs as on Windows, the system's folder lookup answering `local` for
    %LOCALAPPDATA%."""
    import platformdirs
    import platformdirs.windows

    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    monkeypatch.setattr(platformdirs.windows, "get_win_folder",
                        lambda name: str(local) if name == "CSIDL_LOCAL_APPDATA" else "")


def test_macos_folders_are_in_application_support(cli, isolated: Path, no_xdg,
                                                  monkeypatch) -> None:
    as_macos(monkeypatch)
    support = isolated.parent / "home/Library/Application Support/deescalate"
    found = folders(cli)
    assert found["records"] == (str(support / "records"), "default")
    assert found["state"] == (str(support / "calls"), "default")
    assert found["practice"] == (str(support / "practice"), "default")
    assert found["user file"][0] == str(support / "config.yaml")


def test_windows_folders_are_in_local_appdata(cli, isolated: Path, no_xdg,
                                              monkeypatch) -> None:
    local = isolated.parent / "home/AppData/Local"
    as_windows(monkeypatch, local)
    found = folders(cli)
    assert found["records"] == (str(local / "deescalate/records"), "default")
    assert found["state"] == (str(local / "deescalate/calls"), "default")
    assert found["user file"][0] == str(local / "deescalate/config.yaml")
    # the name asked for once is kept there
    from deescalate.config import save_agent

    assert save_agent("Dana Jones") == local / "deescalate/config.yaml"


def test_an_earlier_versions_folders_are_still_found_and_said_so(cli, isolated: Path,
                                                                 no_xdg, monkeypatch) -> None:
    """Before platformdirs, ~/.config, ~/.local/share and ~/.local/state held the user's
    folders on every system: a Windows user's name, records and saved calls stay found."""
    home = isolated.parent / "home"
    old_config = home / ".config/deescalate"
    old_config.mkdir(parents=True)
    (old_config / "config.yaml").write_text("agent: old-name\n")
    (home / ".local/share/deescalate/records").mkdir(parents=True)
    (home / ".local/state/deescalate/calls").mkdir(parents=True)
    local = home / "AppData/Local"
    as_windows(monkeypatch, local)
    monkeypatch.delenv("DEESCALATE_AGENT")
    found = folders(cli)
    new = local / "deescalate"
    assert found["agent"] == ("old-name", f"user file {old_config / 'config.yaml'}")
    assert found["user file"] == (
        str(old_config / "config.yaml"),
        f"exists; the folder an earlier version used, still used; new ones go in {new}")
    assert found["records"] == (
        str(home / ".local/share/deescalate/records"),
        f"default (the folder an earlier version used, still used; new ones go in {new})")
    assert found["state"][0] == str(home / ".local/state/deescalate/calls")
    listed = cli("records", "list")
    assert listed.code == 0
    assert listed.err.splitlines()[0] == (
        f"Records in {home / '.local/share/deescalate/records'} (your own: no team folder "
        f"(.deescalate.yaml) here or above; the folder an earlier version used, still used; "
        f"new ones go in {new})")
    # each is looked for on its own: saved calls in the new place win, the rest stay
    (new / "calls").mkdir(parents=True)
    found = folders(cli)
    assert found["state"] == (str(new / "calls"), "default")
    assert found["records"][0] == str(home / ".local/share/deescalate/records")
    assert found["agent"][0] == "old-name"


# -- the pager ---------------------------------------------------------------------------------

def test_no_pager_set_and_no_less_prints_the_text(monkeypatch, capsys) -> None:
    """Windows has no `less`: with no PAGER, the text is printed, not lost."""
    import shutil

    from deescalate.cli import common

    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    ran: list[object] = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: ran.append(a))
    common._page("line one\nline two\n")
    assert capsys.readouterr().out == "line one\nline two\n" and ran == []


class FakePager:
    """A shell that could not find the pager, answering `code` as it would."""

    def __init__(self, code: int) -> None:
        self.code = code
        self.stdin = open(os.devnull, "wb")  # noqa: SIM115 - closed by the pager code

    def wait(self) -> int:
        return self.code


@pytest.mark.parametrize("code", [127, 9009], ids=["sh", "cmd.exe"])
def test_a_pager_the_shell_cant_find_still_shows_the_text(monkeypatch, capsys,
                                                          code: int) -> None:
    from deescalate.cli import common

    monkeypatch.setenv("PAGER", "no-such-pager")
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: FakePager(code))
    common._page("the record\n")
    assert capsys.readouterr().out == "the record\n"


def test_a_pager_that_ran_is_not_followed_by_the_text(monkeypatch, capsys) -> None:
    from deescalate.cli import common

    monkeypatch.setenv("PAGER", "some-pager")
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: FakePager(0))
    common._page("the record\n")
    assert capsys.readouterr().out == ""


# -- the background push ----------------------------------------------------------------------

def test_the_background_push_outlives_the_command_on_each_system(monkeypatch,
                                                                 tmp_path: Path) -> None:
    from deescalate.records import sync

    started: list[dict[str, object]] = []
    monkeypatch.setattr(sync, "work_tree", lambda path: tmp_path)
    monkeypatch.setattr(subprocess, "Popen", lambda args, **options: started.append(options))
    sync.push_later(tmp_path / "record.md")
    assert started[-1]["start_new_session"] is True and "creationflags" not in started[-1]
    # Windows: no sessions; a process group of its own and no console instead
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)
    monkeypatch.setattr(subprocess, "DETACHED_PROCESS", 0x8, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    sync.push_later(tmp_path / "record.md")
    monkeypatch.undo()
    assert started[-1]["creationflags"] == 0x208 and "start_new_session" not in started[-1]


# -- binary file I/O ---------------------------------------------------------------------------

def test_every_file_is_opened_binary(monkeypatch, tmp_path: Path) -> None:
    """On Windows os.open defaults to text mode (LF written as CRLF, a read ending at
    Ctrl-Z): every open asks for O_BINARY. Here the flag is given Windows's value and
    taken off again before the real open, which has no such flag."""
    O_BINARY = 0x8000
    opened: list[int] = []
    real_open = os.open

    def windows_open(path, flags, *args, **kwargs):
        opened.append(flags)
        return real_open(path, flags & ~O_BINARY, *args, **kwargs)

    monkeypatch.setattr(files, "BINARY", O_BINARY)
    monkeypatch.setattr(files, "_READ_FLAGS", files._READ_FLAGS | O_BINARY)
    monkeypatch.setattr(os, "open", windows_open)
    data = b"line one\nline two \x1a and on\r\n"
    files.write_atomic(tmp_path / "a", data)
    assert files.write_exclusive(tmp_path / "b", data)
    assert files.read_limited(tmp_path / "a", 1000) == data
    assert (tmp_path / "b").read_bytes() == data
    file_opens = [flags for flags in opened if not flags & getattr(os, "O_DIRECTORY", 0)
                  and flags != os.O_RDONLY]  # sync_folder opens the folder itself
    assert len(file_opens) >= 3 and all(flags & O_BINARY for flags in file_opens)


# -- the terminal ------------------------------------------------------------------------------

def test_the_live_screen_holds_keys_with_termios_only_where_there_is_one(monkeypatch) -> None:
    """Windows has no termios: the view starts and ends without it."""
    import termios
    import types

    from deescalate.call.screen import LiveScreen

    def refuse(*args: object) -> None:
        raise AssertionError("termios used on Windows")

    monkeypatch.setattr(termios, "tcgetattr", refuse)
    monkeypatch.setattr(termios, "tcsetattr", refuse)
    monkeypatch.setattr(sys, "platform", "win32")
    screen = types.SimpleNamespace(_terminal_settings=["kept from before"])
    LiveScreen._hold_keys(screen)  # type: ignore[arg-type]
    assert screen._terminal_settings is None
    screen._terminal_settings = ["as if held"]
    LiveScreen._give_back_terminal(screen)  # type: ignore[arg-type]
    monkeypatch.undo()
