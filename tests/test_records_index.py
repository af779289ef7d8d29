"""The records index (records/index.py): incremental, rebuilt when damaged or of another
version, never trusted over the files, and safe with many commands and writers at once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from deescalate.records import index, store
from deescalate.records.filters import Filters
from deescalate.records.rows import layout
from tests import oracle
from tests.recordkit import at, generator, write_call

OLD = 1_600_000_000_000_000_000  # 2020: never too fresh to trust


def age(folder: Path) -> None:
    for path in folder.rglob("*.md"):
        os.utime(path, ns=(OLD, OLD))


def fresh_read(folder: Path) -> list:
    """What the folder says, read from the files alone (an index in memory)."""
    return sorted(store.scan(folder, cache=False).records)


def test_each_change_is_seen_and_only_it_is_read(known) -> None:
    age(known.folder)
    assert store.scan(known.folder).read == 11
    assert store.scan(known.folder).read == 0
    r1, r2, r3 = known.paths["r1"], known.paths["r2"], known.paths["r3"]
    # changed: same size and time, another inode (as an editor that saves by renaming does)
    text = r1.read_text().replace("customer: Dana R.", "customer: Dana Q.")
    saved = r1.with_name(".saving")
    saved.write_text(text)
    os.utime(saved, ns=(OLD, OLD))
    os.replace(saved, r1)
    # added
    added = write_call(known.folder, started=at("2026-11-19"), agent="newbie")
    os.utime(added, ns=(OLD, OLD))
    # removed
    r2.unlink()
    # renamed, into another folder (a record put where it belongs)
    moved = known.folder / "2026" / "10" / r3.name
    r3.rename(moved)
    again = store.scan(known.folder)
    assert again.read == 3  # r1, the new one, and r3 under its new name
    assert again.records and sorted(again.records) == fresh_read(known.folder)
    by_id = {r.id: r for r in again.records}
    assert by_id[known.id("r1")].customer == "Dana Q."
    assert "newbie" in {r.agent for r in again.records}
    assert known.id("r2") not in by_id
    assert by_id[known.id("r3")].path == f"2026/10/{r3.name}"
    assert store.scan(known.folder).read == 0


def test_a_same_size_change_in_place_is_seen_by_its_time(known) -> None:
    age(known.folder)
    store.scan(known.folder)
    r1 = known.paths["r1"]
    r1.write_text(r1.read_text().replace("outcome: resolved", "outcome: dropped!"[:15]))
    os.utime(r1, ns=(OLD + 1, OLD + 1))
    again = store.scan(known.folder)
    assert again.read == 1
    assert sorted(again.records) == fresh_read(known.folder)


def test_a_folder_removed_whole_is_forgotten(known) -> None:
    import shutil

    age(known.folder)
    store.scan(known.folder)
    shutil.rmtree(known.folder / "2026" / "10")
    again = store.scan(known.folder)
    assert again.read == 0 and sorted(again.records) == fresh_read(known.folder)
    assert not {r.path for r in again.records if r.path.startswith("2026/10/")}


def test_files_changed_just_now_are_read_again_until_they_settle(known) -> None:
    age(known.folder)
    now = time.time_ns()
    os.utime(known.paths["r2"], ns=(now, now))
    store.scan(known.folder)
    assert store.scan(known.folder).read == 1  # r2, too fresh to trust its time
    os.utime(known.paths["r2"], ns=(OLD, OLD))
    store.scan(known.folder)
    assert store.scan(known.folder).read == 0


@pytest.mark.parametrize("damage", ["garbage", "cut", "pages", "empty"])
def test_a_damaged_index_is_made_again(known, damage) -> None:
    age(known.folder)
    good = store.scan(known.folder)
    path = index.index_path(known.folder)
    data = path.read_bytes()
    assert len(data) > 8192
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all\n" * 500)
    elif damage == "cut":
        path.write_bytes(data[:len(data) // 2 + 7])
    elif damage == "pages":  # the header intact, every page after the first scrambled
        path.write_bytes(data[:4096] + bytes(b ^ 0x5A for b in data[4096:]))
    else:
        path.write_bytes(b"")
    again = store.scan(known.folder)
    assert sorted(again.records) == sorted(good.records)
    assert again.unreadable == good.unreadable
    assert store.scan(known.folder).read == 0  # made again on disk, not only in memory


def test_a_damaged_index_is_made_again_by_a_command_too(cli, known) -> None:
    age(known.folder)
    first = cli("records", "stats", "--records", known.folder, "--json")
    index.index_path(known.folder).write_bytes(b"\0" * 20000)
    again = cli("records", "stats", "--records", known.folder, "--json")
    assert again.code == 0 and again.out == first.out


def test_an_index_of_another_version_is_emptied_and_filled_again(known) -> None:
    age(known.folder)
    good = store.scan(known.folder)
    db = sqlite3.connect(index.index_path(known.folder))
    db.execute("UPDATE records SET outcome = 'resolved', customer = 'Someone Else'")
    db.execute(f"PRAGMA user_version = {layout().version + 1}")
    db.execute("CREATE TABLE from_the_future (x)")
    db.commit()
    db.close()
    again = store.scan(known.folder)
    assert again.read == 11 and sorted(again.records) == sorted(good.records)
    db = sqlite3.connect(index.index_path(known.folder))
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert "from_the_future" not in tables


def test_the_old_json_caches_are_removed(known) -> None:
    cache = known.folder / ".cache"
    cache.mkdir()
    (cache / "summaries.jsonl").write_text("{}\n")
    (cache / "check.jsonl").write_text("{}\n")
    store.scan(known.folder)
    assert sorted(p.name for p in cache.iterdir()) == [".gitignore", "index.sqlite3"]


def test_an_index_held_by_another_for_too_long_is_not_waited_for(known, monkeypatch) -> None:
    age(known.folder)
    store.scan(known.folder)
    known.paths["r1"].write_text(known.paths["r1"].read_text() + "\nmore\n")
    holder = sqlite3.connect(index.index_path(known.folder), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(index, "BUSY_SECONDS", 0.2)
    try:
        result = store.scan(known.folder)  # answers from an index in memory
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sorted(result.records) == fresh_read(known.folder)


def test_sql_filters_take_the_same_records_as_python(isolated: Path) -> None:
    folder = isolated / "records"
    generator().generate(folder, 300, seed=11, workers=1)
    records = store.scan(folder).records
    cases = [Filters(), Filters(agent="jdoe"), Filters(outcome="follow-up"),
             Filters(playbook="upset-customer"), Filters(since=date(2026, 6, 1)),
             Filters(until=date(2026, 3, 31)), Filters(customer="dana*"),
             Filters(customer="DANA  r."), Filters(ref="t-1*"), Filters(ref="*3"),
             Filters(since=date(2026, 5, 1), until=date(2026, 5, 31), outcome="resolved")]

    def ids(index_, _):
        return [[r.id for r in index_.summaries(*f.sql())] for f in cases]

    got, _ = store.ask(folder, ids)
    for chosen, found in zip(cases, got, strict=True):
        wanted = [r.id for r in oracle.select(records, chosen)]
        assert found == wanted, chosen
        assert found or chosen.customer or chosen.ref  # the cases do select something


# -- many at once ---------------------------------------------------------------------

WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.recordkit import write_call
folder = Path(sys.argv[1])
start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=int(sys.argv[2]))
for n in range(int(sys.argv[3])):
    write_call(folder, started=start + timedelta(seconds=n), agent=f"writer{{sys.argv[2]}}")
"""


def test_twenty_commands_at_once_while_records_are_written_and_marked_done(
        isolated: Path, monkeypatch) -> None:
    folder = isolated / "records"
    paths = generator().generate(folder, 400, seed=21, workers=1)
    repo = str(Path(__file__).resolve().parents[1])
    # The tests' folder first, then the code under test as this run found it.
    path = os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "DEESCALATE_AGENT": "tester"}
    due = [store.scan(folder, cache=False)]
    open_ = [r for r in due[0].records if r.follow_up_open]
    assert len(open_) >= 10
    writers = [subprocess.Popen([sys.executable, "-c", WRITER.format(repo=repo), str(folder),
                                 str(n), "15"], env=env) for n in range(3)]
    commands = []
    kinds = [["records", "stats", "--json"], ["records", "list", "--json", "--limit", "0"],
             ["records", "export", "--format", "jsonl"], ["followups", "--json"],
             ["records", "check"]]
    for n in range(20):
        argv = [sys.executable, "-m", "deescalate", *kinds[n % len(kinds)],
                "--records", str(folder)]
        commands.append(subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE))
    done = []
    for record in open_[:10]:
        marked = subprocess.run(
            [sys.executable, "-m", "deescalate", "followups", "done", record.id, "--note",
             "called back", "--records", str(folder)], env=env, capture_output=True,
            text=True, timeout=300)
        assert marked.returncode == 0, marked.stderr
        done.append(record.id)
    for process in writers:
        assert process.wait(timeout=300) == 0
    for process in commands:
        _, err = process.communicate(timeout=300)
        assert process.returncode in (0, 1), err.decode()  # check: 1 for findings
        assert b"Traceback" not in err
    truth = store.scan(folder, cache=False)
    assert len(truth.records) == len(paths) + 45
    after = store.scan(folder)
    assert sorted(after.records) == sorted(truth.records)
    assert after.unreadable == truth.unreadable
    marked = {r.id for r in after.records if r.follow_up_done is not None} - {
        r.id for r in due[0].records if r.follow_up_done is not None}
    assert marked == set(done)
    counted = subprocess.run([sys.executable, "-m", "deescalate", "records", "stats", "--json",
                              "--records", str(folder)], env=env, capture_output=True,
                             text=True, check=True)
    import json

    assert json.loads(counted.stdout)["records"] == len(paths) + 45


def _count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM records WHERE problem IS NULL").fetchone()[0])


def test_asked_ahead_the_answer_stands_only_when_nothing_changed(known, monkeypatch) -> None:
    age(known.folder)
    calls: list[int] = []

    def query(db: sqlite3.Connection) -> int:
        calls.append(1)
        return _count(db)

    n = len(fresh_read(known.folder))
    assert store.ask(known.folder, ahead=query)[0] == n  # a new index: asked once
    calls.clear()
    answer, done = store.ask(known.folder, ahead=query)
    assert (answer, done.changed, len(calls)) == (n, False, 1)  # asked while walking
    added = write_call(known.folder, started=at("2026-11-19"), agent="newbie")
    os.utime(added, ns=(OLD, OLD))
    calls.clear()
    answer, done = store.ask(known.folder, ahead=query)
    assert (answer, done.changed) == (n + 1, True)
    assert len(calls) in (1, 2)  # the early one interrupted, or dropped


def test_asked_ahead_an_index_changed_by_another_command_meanwhile_is_asked_again(
        known, monkeypatch) -> None:
    """Another command adds a record to the index after the early question's snapshot
    and before this walk: the walk finds the folder as the index now says, so nothing is
    read here, but the early answer is of the index before, and is dropped."""
    import threading

    from deescalate.records import folder as folder_module

    age(known.folder)
    n = len(store.scan(known.folder).records)
    asked = threading.Event()
    walk = folder_module.walk

    def late_walk(*args, **kwargs):
        assert asked.wait(10)
        return walk(*args, **kwargs)

    monkeypatch.setattr(folder_module, "walk", late_walk)
    answers: list[int] = []

    def query(db: sqlite3.Connection) -> int:
        answers.append(_count(db))
        if len(answers) == 1:  # the early question, in its snapshot: another command writes
            added = write_call(known.folder, started=at("2026-11-19"), agent="newbie")
            os.utime(added, ns=(OLD, OLD))
            monkeypatch.setattr(folder_module, "walk", walk)
            store.scan(known.folder)
            monkeypatch.setattr(folder_module, "walk", late_walk)
            asked.set()
        return answers[-1]

    answer, done = store.ask(known.folder, ahead=query)
    assert answers[0] == n and not done.changed and done.read == 0
    assert answer == n + 1


def test_step_visits_are_read_the_first_time_they_are_asked_for(known) -> None:
    from deescalate.records.folder import read_file

    age(known.folder)
    store.scan(known.folder)
    db = sqlite3.connect(index.index_path(known.folder))
    unread = "SELECT count(*) FROM records WHERE problem IS NULL AND visits IS NULL"
    readable = len(fresh_read(known.folder))
    assert db.execute(unread).fetchone()[0] == readable  # a refresh leaves them out
    records = store.scan(known.folder, visits=True).records
    assert db.execute(unread).fetchone()[0] == 0
    for record in records:  # as the reader makes them from the file
        whole = read_file(str(known.folder), record.path)
        assert not isinstance(whole, str) and record.visits == whole.visits
    assert any(record.visits for record in records)
    r1 = known.paths["r1"]
    r1.write_text(r1.read_text().replace("customer: Dana R.", "customer: Dana Q."))
    os.utime(r1, ns=(OLD + 10**9, OLD + 10**9))
    store.scan(known.folder)
    assert db.execute(unread).fetchone()[0] == 1  # read again: its visits with it, later
    assert store.scan(known.folder, visits=True).records
    assert db.execute(unread).fetchone()[0] == 0


def test_a_link_in_the_cache_never_leads_the_index_to_another_database(known,
                                                                       tmp_path: Path) -> None:
    """Only someone else can have put a link, a FIFO or a hard link where the index
    goes: the index is made again in its place, and what they point at is untouched."""
    age(known.folder)
    wanted = fresh_read(known.folder)
    other = tmp_path / "precious.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE precious (x)")
        db.execute("INSERT INTO precious VALUES (1)")
    db.close()
    cache = known.folder / ".cache"
    cache.mkdir()
    before = other.read_bytes()
    (cache / "index.sqlite3").symlink_to(other)
    assert sorted(store.scan(known.folder).records) == wanted
    os.unlink(cache / "index.sqlite3")
    os.link(other, cache / "index.sqlite3")  # a hard link to it
    assert sorted(store.scan(known.folder).records) == wanted
    assert other.read_bytes() == before
    os.mkfifo(cache / "index.sqlite3-wal")  # would block whoever reads it
    assert sorted(store.scan(known.folder).records) == wanted
    assert (cache / "index.sqlite3").is_file() and not (cache / "index.sqlite3").is_symlink()


def test_a_cache_folder_that_is_a_link_is_not_written_through(known, tmp_path: Path) -> None:
    age(known.folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (known.folder / ".cache").symlink_to(elsewhere)
    assert sorted(store.scan(known.folder).records) == fresh_read(known.folder)
    assert list(elsewhere.iterdir()) == []  # an index in memory for the run
