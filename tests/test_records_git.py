"""Committing a new record alone, in a real git repository with other work in progress."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from deescalate.records.git import commit_record, work_tree
from tests.recordkit import at, write_call


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=True)
    return done.stdout


@pytest.fixture
def repo(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(isolated / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    team = isolated / "team"
    team.mkdir()
    git(team, "init", "-q", "-b", "main")
    git(team, "config", "user.email", "team@example.com")
    git(team, "config", "user.name", "Team")
    (team / "staged.txt").write_text("one\n")
    (team / "unstaged.txt").write_text("one\n")
    git(team, "add", ".")
    git(team, "commit", "-q", "-m", "start")
    return team


def test_the_record_alone_is_committed(repo: Path) -> None:
    (repo / "staged.txt").write_text("one\ntwo\n")
    git(repo, "add", "staged.txt")
    (repo / "unstaged.txt").write_text("one\nthree\n")
    (repo / "untracked.txt").write_text("new\n")
    path = write_call(repo / "records", started=at("2026-11-02"))
    status_before = git(repo, "status", "--porcelain")
    staged_before = git(repo, "diff", "--cached")
    assert commit_record(path) is None
    relative = path.relative_to(repo).as_posix()
    assert git(repo, "log", "-1", "--format=%s").strip() == f"Record {path.stem}"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [relative]
    assert git(repo, "show", f"HEAD:{relative}") == path.read_text()
    # everything else exactly as it was: staged still staged, unstaged still unstaged
    assert git(repo, "diff", "--cached") == staged_before
    assert git(repo, "status", "--porcelain") == status_before.replace(
        "?? records/\n", "")
    assert (repo / "unstaged.txt").read_text() == "one\nthree\n"


def test_outside_a_repository_nothing_happens(isolated: Path) -> None:
    path = write_call(isolated / "records", started=at("2026-11-02"))
    assert work_tree(path) is None
    assert commit_record(path) is None


def test_a_first_commit_in_an_empty_repository(isolated: Path, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(isolated / "gitconfig"))
    fresh = isolated / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q")
    git(fresh, "config", "user.email", "a@example.com")
    git(fresh, "config", "user.name", "A")
    path = write_call(fresh / "records", started=at("2026-11-02"))
    assert commit_record(path, message="First record") is None
    assert git(fresh, "log", "--format=%s").strip() == "First record"


def test_a_failed_commit_is_a_warning_and_leaves_the_index_alone(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'records must be reviewed' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "staged.txt").write_text("changed\n")
    git(repo, "add", "staged.txt")
    path = write_call(repo / "records", started=at("2026-11-02"))
    warning = commit_record(path)
    assert warning is not None
    assert warning.startswith("git: could not commit records/2026/11/")
    assert warning.endswith(": records must be reviewed")
    assert path.exists()
    assert git(repo, "diff", "--cached", "--name-only").split() == ["staged.txt"]
    assert git(repo, "log", "--format=%s").split() == ["start"]


def test_an_ignored_records_folder_is_a_warning(repo: Path) -> None:
    (repo / ".gitignore").write_text("records/\n")
    path = write_call(repo / "records", started=at("2026-11-02"))
    warning = commit_record(path)
    assert warning == (f"git: {path.relative_to(repo).as_posix()} is ignored by .gitignore, "
                       "so it was not committed")


def test_no_git_identity_is_a_warning(repo: Path, monkeypatch) -> None:
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "user.useConfigOnly", "true")  # no identity made up from the host
    path = write_call(repo / "records", started=at("2026-11-02"))
    warning = commit_record(path)
    assert warning is not None and warning.startswith("git: could not commit")
    assert git(repo, "status", "--porcelain", "--", "records").startswith("??")


def test_git_missing_is_a_warning_not_a_crash(repo: Path, monkeypatch) -> None:
    path = write_call(repo / "records", started=at("2026-11-02"))
    monkeypatch.setenv("PATH", "/nonexistent")
    assert commit_record(path) == f"git: no git command found, so {path.name} was not committed"
