"""records sync: a bare repository as the team's origin, two agents' clones."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from deescalate.records import store
from deescalate.records.sync import merge_record
from tests.recordkit import at, write_call

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def team(isolated: Path, monkeypatch) -> dict[str, Path]:
    """origin (bare) and two clones of the team folder, `ana` and `ben`."""
    config = isolated / "gitconfig"
    config.write_text("[user]\n\tname = Agent\n\temail = agent@example.com\n"
                      "[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    origin = isolated / "origin.git"
    git(isolated, "init", "-q", "--bare", str(origin))
    first = isolated / "ana"
    git(isolated, "clone", "-q", str(origin), str(first))
    (first / ".deescalate.yaml").write_text("records: records\ngit: {commit: true}\n")
    (first / "records").mkdir()
    (first / "records" / ".gitkeep").write_text("")
    git(first, "add", "-A")
    git(first, "commit", "-q", "-m", "Team folder")
    git(first, "push", "-q", "-u", "origin", "main")
    second = isolated / "ben"
    git(isolated, "clone", "-q", str(origin), str(second))
    return {"origin": origin, "ana": first, "ben": second}


def ids(folder: Path) -> set[str]:
    return {r.id for r in store.scan(folder / "records", cache=False).records}


def test_both_agents_end_with_every_record(cli, team, monkeypatch) -> None:
    written = {name: [write_call(team[name] / "records", started=at(f"2026-11-0{n}"),
                                 agent=name) for n in range(1, 4)] for name in ("ana", "ben")}
    for name in ("ana", "ben", "ana"):
        monkeypatch.chdir(team[name])
        result = cli("records", "sync")
        assert result.code == 0, result.err
        assert result.out.startswith("Synced: ")
    every = {path.stem for paths in written.values() for path in paths}
    assert ids(team["ana"]) == ids(team["ben"]) == every
    assert git(team["ana"], "status", "--porcelain") == ""


def test_the_same_follow_up_done_on_both_keeps_both_notes(cli, team, monkeypatch) -> None:
    monkeypatch.chdir(team["ana"])
    path = write_call(team["ana"] / "records", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 10))
    assert cli("records", "sync").code == 0
    monkeypatch.chdir(team["ben"])
    assert cli("records", "sync").code == 0
    record = path.stem
    for name, note in (("ana", "Refund confirmed by phone"), ("ben", "Sent the form again")):
        monkeypatch.chdir(team[name])
        monkeypatch.setenv("DEESCALATE_AGENT", name)
        done = cli("followups", "done", record, "--note", note)
        assert done.code == 0, done.err
    for name in ("ana", "ben", "ana"):
        monkeypatch.chdir(team[name])
        result = cli("records", "sync")
        assert result.code == 0, result.err
    for name in ("ana", "ben"):
        text = (team[name] / path.relative_to(team["ana"])).read_text()
        assert "by ana: Refund confirmed by phone" in text
        assert "by ben: Sent the form again" in text
        assert "<<<<<<<" not in text and text.count("follow_up_done: 2026-") == 1
    assert (team["ana"] / path.relative_to(team["ana"])).read_text() == (
        team["ben"] / path.relative_to(team["ana"])).read_text()
    assert store.scan(team["ben"] / "records", cache=False).unreadable == []


def test_no_remote_is_one_line_and_loses_nothing(cli, isolated, monkeypatch) -> None:
    config = isolated / "gitconfig"
    config.write_text("[user]\n\tname = A\n\temail = a@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    folder = isolated / "solo"
    (folder / "records").mkdir(parents=True)
    (folder / ".deescalate.yaml").write_text("records: records\n")
    git(folder, "init", "-q")
    path = write_call(folder / "records", started=at("2026-11-02"))
    monkeypatch.chdir(folder)
    result = cli("records", "sync")
    assert result.code == 2
    assert result.err.strip().count("\n") == 0
    assert "no remote to sync with" in result.err and "git remote add" in result.err
    assert path.exists()


def test_an_unreachable_remote_is_one_line_and_the_record_is_kept(cli, team,
                                                                   monkeypatch) -> None:
    git(team["ana"], "remote", "set-url", "origin", str(team["origin"]) + "-gone")
    path = write_call(team["ana"] / "records", started=at("2026-11-05"))
    monkeypatch.chdir(team["ana"])
    result = cli("records", "sync")
    assert result.code == 2
    assert result.err.strip().count("\n") == 0
    assert "can't reach the remote 'origin'" in result.err
    assert "committed here" in result.err
    assert path.exists()
    assert f"records/2026/11/{path.name}" in git(team["ana"], "ls-files")  # committed
    git(team["ana"], "remote", "set-url", "origin", str(team["origin"]))
    assert cli("records", "sync").code == 0
    monkeypatch.chdir(team["ben"])
    assert cli("records", "sync").code == 0
    assert path.stem in ids(team["ben"])


def test_a_record_committed_and_pushed_without_waiting(cli, team, monkeypatch) -> None:
    (team["ana"] / ".deescalate.yaml").write_text(
        "records: records\ngit: {commit: true, push: true}\n")
    monkeypatch.chdir(team["ana"])
    from deescalate.records.git import commit_record
    from deescalate.records.sync import push_later

    path = write_call(team["ana"] / "records", started=at("2026-11-06"))
    assert commit_record(path) is None
    push_later(path)
    import time

    for _ in range(100):
        if path.name in git(team["origin"], "ls-tree", "-r", "--name-only", "main"):
            break
        time.sleep(0.1)
    assert path.name in git(team["origin"], "ls-tree", "-r", "--name-only", "main")


BASE = "---\nrecord: 1\nfollow_up_done: null\nredactions: 1\n---\n# Call\n\n## Follow-up\n\nDue.\n"


def test_the_merge_keeps_both_lines_and_only_settles_follow_ups() -> None:
    ours = BASE.replace("null", "2026-11-11").replace("redactions: 1", "redactions: 2") + (
        "\nDone 2026-11-11 by ana: [redacted: phone]\n")
    theirs = BASE.replace("null", "2026-11-10") + "\nDone 2026-11-10 by ben: ok\n"
    merged = merge_record(BASE, ours, theirs)
    assert merged is not None
    assert "follow_up_done: 2026-11-10" in merged and "redactions: 2" in merged
    assert merged.endswith("Due.\n\nDone 2026-11-11 by ana: [redacted: phone]\n\n"
                           "Done 2026-11-10 by ben: ok\n")
    assert merge_record(BASE, ours, ours) == ours
    other = BASE.replace("record: 1", "record: 1\ncustomer: X") + "\nDone\n"
    assert merge_record(BASE, ours, other) is None
    assert merge_record(BASE, ours, BASE.replace("# Call", "# Changed")) is None
    assert os.environ.get("GIT_DIR") is None


# What git hands the merge driver can be anything a teammate or a merge put in a
# record: the driver must settle it, or leave it to git's own merge, never fail.
# 300 + 300 cases; none failed when written.


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.text(max_size=300), st.text(max_size=300))
def test_the_merge_of_any_three_texts_settles_or_declines(base, ours, theirs) -> None:
    merged = merge_record(base, ours, theirs)
    assert merged is None or isinstance(merged, str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 400), st.text(max_size=12)), max_size=4),
       st.text(max_size=40), st.text(max_size=40))
@example(cuts=[(31, "\\")], mine="", yours="")  # a backslash in the date: once a crash
def test_the_merge_of_mangled_records_keeps_both_notes_or_declines(cuts, mine, yours) -> None:
    base = BASE
    for at_, text in cuts:  # a damaged or hand-edited record
        base = base[:at_] + text + base[at_:]
    ours, theirs = base + f"\nDone by ana: {mine}\n", base + f"\nDone by ben: {yours}\n"
    merged = merge_record(base, ours, theirs)
    if merged is not None:
        assert f"Done by ana: {mine}" in merged and f"Done by ben: {yours}" in merged


def test_the_driver_leaves_what_it_cannot_settle_to_git(tmp_path: Path) -> None:
    from deescalate.records.sync import merge_files

    base, ours, theirs = (tmp_path / name for name in ("base", "ours", "theirs"))
    base.write_bytes(b"---\nrecord: 1\n---\nline\n")
    ours.write_bytes(b"---\nrecord: 1\n---\nmine \xff\n")
    theirs.write_bytes(b"---\nrecord: 2\n---\nyours\n")
    assert merge_files(base, ours, theirs) is False  # a conflict, with git's markers
    assert b"<<<<<<<" in ours.read_bytes() and b"\xff" in ours.read_bytes()


def test_the_driver_by_hand_with_files_that_are_not_there_is_one_line(cli, tmp_path) -> None:
    result = cli("records", "merge", str(tmp_path / "gone"), str(tmp_path / "a"),
                 str(tmp_path / "b"))
    assert result.code == 2 and "can't read" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    os.mkfifo(tmp_path / "pipe")
    result = cli("records", "merge", str(tmp_path / "pipe"), str(tmp_path / "a"),
                 str(tmp_path / "b"))
    assert result.code == 2 and "not a file to merge" in result.err
