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
    assert hook["entry"] == "deescalate records check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_try_repo_finds_a_bad_record_in_a_team_repository(isolated: Path) -> None:
    if subprocess.run(["git", "rev-parse"], cwd=REPO, capture_output=True).returncode:
        pytest.skip("not run from a git checkout: pre-commit installs hooks from one")
    team = isolated / "team"
    records = team / "records"
    records.mkdir(parents=True)
    (team / ".deescalate.yaml").write_text("records: records\n")
    write_call(records, started=at("2026-11-02"), customer="Dana R.")
    bad = write_call(records, started=at("2026-11-03"))
    bad.write_text(bad.read_text().replace("outcome: resolved", "outcome: sorted"))
    leak = write_call(records, started=at("2026-11-04"))
    leak.write_text(leak.read_text() + "\nCard 4111 1111 1111 1111 on file.\n")
    git(team, "init", "-q")
    git(team, "add", "-A")
    # No network: pre-commit makes the hook its own virtualenv and pip-installs this
    # repository into it. pip is told there is no index, and takes deescalate's
    # dependencies (and hatchling, to build it) from this test's environment through
    # PYTHONPATH, so nothing is downloaded.
    env = {**os.environ, "PRE_COMMIT_HOME": str(isolated / "pre-commit-home"),
           "PIP_NO_INDEX": "1",
           # pip reads no-* options from the environment inverted: "0" turns isolation off
           "PIP_NO_BUILD_ISOLATION": "0",
           "PYTHONPATH": sysconfig.get_paths()["purelib"], "NO_COLOR": "1",
           "GIT_CONFIG_GLOBAL": str(isolated / "gitconfig")}
    (isolated / "gitconfig").write_text("[user]\n\tname = Test\n\temail = t@example.com\n")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO),
                           "deescalate-records-check", "--all-files"], cwd=team, env=env,
                          capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "deescalate records check" in out and "Failed" in out
    assert f"{bad.name}: 'outcome' is 'sorted'" in out
    assert f"{leak.name}: line" in out and "a card number that is not redacted" in out
    assert "4111" not in out
    bad.write_text(bad.read_text().replace("outcome: sorted", "outcome: resolved"))
    leak.write_text(leak.read_text().replace("4111 1111 1111 1111", "[redacted: card]"))
    again = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO),
                            "deescalate-records-check", "--all-files"], cwd=team, env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout
