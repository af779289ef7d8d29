"""The pre-commit hook this repository ships, run by pre-commit itself as a team would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.recordkit import at, write_call

REPO = Path(__file__).resolve().parents[1]


def test_the_hook_is_declared() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "deescalate-records-check")
    assert hook["entry"] == "deescalate records check --repository"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=True).stdout


def repository(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "-q")
    return folder


def team(folder: Path, *, bad: bool = True) -> tuple[Path, Path]:
    """A team folder with a good record and, if `bad`, one with a bad outcome and one
    with a card number; returns the bad and the leaking record."""
    records = folder / "records"
    records.mkdir(parents=True)
    (folder / ".deescalate.yaml").write_text("records: records\n")
    write_call(records, started=at("2026-11-02"), customer="Dana R.")
    bad_one = write_call(records, started=at("2026-11-03"))
    leak = write_call(records, started=at("2026-11-04"))
    if bad:
        bad_one.write_text(bad_one.read_text().replace("outcome: resolved", "outcome: sorted"))
        leak.write_text(leak.read_text() + "\nCard 4111 1111 1111 1111 on file.\n")
    return bad_one, leak


def own_records_with_a_leak(isolated: Path) -> None:
    """The agent's own records folder (outside any repository), with a leak in it: the
    hook must never check it in place of the repository's."""
    own = isolated.parent / "home/.local/share/deescalate/records"
    leak = write_call(own, started=at("2026-11-05"))
    leak.write_text(leak.read_text() + "\nMail dana@example.com\n")


def test_the_hook_checks_a_team_folder_below_the_root(cli, isolated: Path,
                                                      monkeypatch) -> None:
    top = repository(isolated / "monorepo")
    bad, leak = team(top / "support" / "team")
    (top / "web").mkdir()
    own_records_with_a_leak(isolated)
    monkeypatch.chdir(top)  # where pre-commit runs a hook
    found = cli("records", "check", "--repository")
    assert found.code == 1
    assert found.err.startswith("Records in support/team/records (team file "
                                "support/team/.deescalate.yaml)\n")
    assert f"{bad.name}: 'outcome' is 'sorted'" in found.out
    assert f"{leak.name}: line" in found.out and "4111" not in found.out
    assert "e-mail" not in found.out  # not the agent's own folder
    monkeypatch.chdir(top / "web")  # from any folder of the repository
    assert cli("records", "check", "--repository").code == 1


def test_the_hook_checks_the_root_team_folder_and_passes_a_clean_one(cli, isolated: Path,
                                                                     monkeypatch) -> None:
    top = repository(isolated / "repo")
    team(top, bad=False)
    own_records_with_a_leak(isolated)
    monkeypatch.chdir(top)
    found = cli("records", "check", "--repository")
    assert found.code == 0, found.out
    assert found.err == ("Records in records (team file .deescalate.yaml)\n"
                         "3 records checked: no problems\n")


def test_a_repository_with_no_team_file_is_refused(cli, isolated: Path, monkeypatch) -> None:
    top = repository(isolated / "repo")
    (top / "records").mkdir()
    write_call(top / "records", started=at("2026-11-02"))
    own_records_with_a_leak(isolated)
    monkeypatch.chdir(top)
    refused = cli("records", "check", "--repository")
    assert refused.code == 2 and refused.out == ""
    assert refused.err == (f"deescalate: no .deescalate.yaml in the repository {top}, at "
                           "its root or below, so there are no team records to check "
                           "(`deescalate init` makes one)\n")


def test_the_hook_outside_a_repository_or_reaching_out_of_it_is_refused(
        cli, isolated: Path, monkeypatch) -> None:
    monkeypatch.chdir(isolated)
    outside = cli("records", "check", "--repository")
    assert outside.code == 2
    assert outside.err == (f"deescalate: {isolated}: not in a git repository, so there is "
                           "no repository to find the team folder in\n")
    top = repository(isolated / "repo")
    (top / ".deescalate.yaml").write_text(f"records: {isolated / 'elsewhere'}\n")
    (isolated / "elsewhere").mkdir()
    monkeypatch.chdir(top)
    away = cli("records", "check", "--repository")
    assert away.code == 2
    assert away.err == (f"deescalate: .deescalate.yaml: its records folder "
                        f"{isolated / 'elsewhere'} is outside the repository, so this "
                        "repository has no records of it to check\n")
    assert cli("records", "check", "--repository", "--records", "x").code == 2


def try_repo(folder: Path, isolated: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` of this repository's hook, as a team would run it.

    No network: pre-commit makes the hook its own virtualenv and pip-installs this
    repository into it. pip is told there is no index, and takes deescalate's
    dependencies (and hatchling, to build it) from this test's environment through
    PYTHONPATH, so nothing is downloaded."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(isolated / "pre-commit-home"),
           "PIP_NO_INDEX": "1",
           # pip reads no-* options from the environment inverted: "0" turns isolation off
           "PIP_NO_BUILD_ISOLATION": "0",
           "PYTHONPATH": sysconfig.get_paths()["purelib"], "NO_COLOR": "1",
           "GIT_CONFIG_GLOBAL": str(isolated / "gitconfig")}
    (isolated / "gitconfig").write_text("[user]\n\tname = Test\n\temail = t@example.com\n")
    git(folder, "add", "-A")
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO),
                           "deescalate-records-check", "--all-files"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_try_repo_in_a_monorepo_and_in_a_repository_without_a_team(isolated: Path) -> None:
    if subprocess.run(["git", "rev-parse"], cwd=REPO, capture_output=True).returncode:
        pytest.skip("not run from a git checkout: pre-commit installs hooks from one")
    top = repository(isolated / "monorepo")
    bad, leak = team(top / "support" / "team")
    (top / "README.md").write_text("Our monorepo\n")
    own_records_with_a_leak(isolated)
    done = try_repo(top, isolated)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "deescalate records check" in out and "Failed" in out
    assert "exit code: 1" in out
    assert f"{bad.name}: 'outcome' is 'sorted'" in out
    assert f"{leak.name}: line" in out and "a card number that is not redacted" in out
    assert "4111" not in out and "e-mail" not in out
    bad.write_text(bad.read_text().replace("outcome: sorted", "outcome: resolved"))
    leak.write_text(leak.read_text().replace("4111 1111 1111 1111", "[redacted: card]"))
    again = try_repo(top, isolated)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout

    plain = repository(isolated / "plain")
    write_call(plain / "records", started=at("2026-11-02"))
    refused = try_repo(plain, isolated)
    out = refused.stdout + refused.stderr
    assert refused.returncode == 1, out  # pre-commit's own code for a failed hook
    assert "Failed" in out and "exit code: 2" in out
    assert "no .deescalate.yaml in the repository" in out and "Passed" not in out
