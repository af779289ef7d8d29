"""Finding and reading records, through the index; finding one record or a caller's
history. The index itself: tests/test_records_index.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deescalate.records import folder as folder_module
from deescalate.records import store
from deescalate.records.folder import read_file
from deescalate.records.summary import Summary
from tests.recordkit import at, generator, write_call

OLD = 1_600_000_000_000_000_000  # 2020: well before any scan, so never too fresh to cache


def age(folder: Path) -> None:
    """Give every record an old modification time, as a checkout from last week has."""
    for path in folder.rglob("*.md"):
        os.utime(path, ns=(OLD, OLD))


def test_scan_reads_good_records_and_names_bad_ones(known) -> None:
    result = store.scan(known.folder)
    assert sorted(r.id for r in result.records) == sorted(known.id(n) for n in known.paths)
    assert [(path, problem.split(" (")[0]) for path, problem in result.unreadable] == [
        ("2026/11/20261103-090000-jdoe-upset-customer-dead.md",
         "the front matter does not parse"),
        ("2026/11/20261104-090000-jdoe-upset-customer-beef.md",
         "the required field 'outcome' is missing"),
        ("2026/11/notes.md", "the file does not start with a '---' line"),
    ]
    assert result.read == 11 and result.cached == 0


def test_hidden_files_and_folders_are_not_records(known) -> None:
    (known.folder / ".git").mkdir()
    (known.folder / ".git" / "x.md").write_text("not a record")
    (known.folder / "2026" / "11" / ".half-written.md").write_text("---\n")
    (known.folder / "2026" / "11" / ".x.1.ab.tmp").write_text("---\n")
    assert len(store.scan(known.folder).unreadable) == 3


def test_the_second_scan_reads_nothing_and_agrees(known) -> None:
    age(known.folder)
    first = store.scan(known.folder)
    assert first.created_cache == known.folder / ".cache"
    assert (known.folder / ".cache" / ".gitignore").read_text().endswith("\n*\n")
    second = store.scan(known.folder)
    assert second.read == 0 and second.cached == 11
    assert second.created_cache is None
    assert sorted(second.records) == sorted(first.records)
    assert second.unreadable == first.unreadable


def test_only_changed_files_are_read_again(known) -> None:
    age(known.folder)
    store.scan(known.folder)
    r1 = known.paths["r1"]
    r1.write_text(r1.read_text().replace("customer: Dana R.", "customer: Dana Quinn"))
    os.utime(r1, ns=(OLD, OLD))  # same time: the size gives it away
    broken = known.folder / "2026/11/20261104-090000-jdoe-upset-customer-beef.md"
    broken.unlink()
    again = store.scan(known.folder)
    assert again.read == 1 and again.cached == 9
    assert next(r for r in again.records if r.id == known.id("r1")).customer == "Dana Quinn"
    assert len(again.unreadable) == 2


def test_a_same_size_change_is_seen_by_its_time(known) -> None:
    age(known.folder)
    store.scan(known.folder)
    r1 = known.paths["r1"]
    r1.write_text(r1.read_text().replace("customer: Dana R.", "customer: Dana Q."))
    os.utime(r1, ns=(OLD + 10**9, OLD + 10**9))
    again = store.scan(known.folder)
    assert again.read == 1
    assert next(r for r in again.records if r.id == known.id("r1")).customer == "Dana Q."


def test_deleting_the_cache_changes_nothing(known) -> None:
    age(known.folder)
    first = store.scan(known.folder)
    import shutil

    shutil.rmtree(known.folder / ".cache")
    second = store.scan(known.folder)
    assert sorted(second.records) == sorted(first.records) and second.read == 11


def test_without_cache_nothing_is_written(known) -> None:
    store.scan(known.folder, cache=False)
    assert not (known.folder / ".cache").exists()


def test_a_read_only_folder_still_scans(known) -> None:
    if os.geteuid() == 0:
        # root writes anywhere; stand in for a read-only folder with a cache path
        # that can't be a folder
        (known.folder / ".cache").write_text("a file where the cache folder would be")
    else:
        os.chmod(known.folder, 0o555)
    try:
        result = store.scan(known.folder)
        assert len(result.records) == 8
    finally:
        os.chmod(known.folder, 0o755)


def test_many_files_are_read_in_parallel_with_the_same_result(isolated: Path,
                                                              monkeypatch) -> None:
    folder = isolated / "records"
    generator().generate(folder, 60, seed=5, workers=1)
    monkeypatch.setattr(folder_module, "PARALLEL_MIN", 10)
    monkeypatch.setattr(folder_module, "CHUNK", 7)
    parallel = store.scan(folder, cache=False, workers=2)
    serial = store.scan(folder, cache=False, workers=1)
    assert parallel.records == serial.records and len(serial.records) == 60


def test_a_scan_from_a_thread_reads_in_parallel_too(isolated: Path, monkeypatch) -> None:
    import threading

    folder = isolated / "records"
    generator().generate(folder, 30, seed=6, workers=1)
    monkeypatch.setattr(folder_module, "PARALLEL_MIN", 10)
    monkeypatch.setattr(folder_module, "CHUNK", 7)
    found: list[store.Scan] = []
    thread = threading.Thread(target=lambda: found.append(store.scan(folder, workers=2)))
    thread.start()
    thread.join(timeout=120)
    assert len(found[0].records) == 30
    assert found[0].records == store.scan(folder, cache=False, workers=1).records


def test_a_missing_folder_is_an_empty_scan(isolated: Path) -> None:
    result = store.scan(isolated / "nowhere")
    assert not result.exists and result.records == []


def test_find_by_id_prefix_or_file_name(known) -> None:
    result = store.scan(known.folder)
    r3 = known.id("r3")
    assert store.find(result, r3).id == r3
    assert store.find(result, r3[:11]).id == r3
    assert store.find(result, f"{r3}.md").id == r3
    broken = store.find(result, "20261103-0900")
    assert broken[0] == "2026/11/20261103-090000-jdoe-upset-customer-dead.md"
    with pytest.raises(store.AmbiguousRecord) as many:
        store.find(result, "202611")
    assert len(many.value.candidates) == 7
    with pytest.raises(store.RecordNotFound, match="no record has the id 'zzz'"):
        store.find(result, "zzz")
    with pytest.raises(store.RecordNotFound, match="no record id given"):
        store.find(result, " ")


def test_history_by_reference_or_customer(known) -> None:
    found = store.history(known.folder, ref="t-1000")
    assert [r.id for r in found] == [known.id("r3"), known.id("r1")]
    by_name = store.history(known.folder, customer="DANA  R.")
    assert [r.id for r in by_name] == [known.id("r5"), known.id("r3"), known.id("r1")]
    either = store.history(known.folder, ref="T-1001", customer="Priya Khan")
    assert [r.id for r in either] == [known.id("r2"), known.id("r7"), known.id("r8")]
    assert [r.id for r in store.history(known.folder, customer="dana r.", limit=2)] == [
        known.id("r5"), known.id("r3")]
    assert store.history(known.folder, customer="dana*") == []  # no wildcards here
    assert store.history(known.folder) == []
    assert store.history(known.folder, ref=" ", customer="") == []
    assert store.history(known.folder / "missing", ref="T-1000") == []
    skipped = store.history(known.folder, ref="T-1000", exclude=[known.id("r3")])
    assert [r.id for r in skipped] == [known.id("r1")]


def test_a_new_record_is_seen_at_once(isolated: Path) -> None:
    folder = isolated / "records"
    write_call(folder, started=at("2026-11-02"), customer="A")
    assert len(store.scan(folder).records) == 1
    write_call(folder, started=at("2026-11-03"), customer="B")
    second = store.scan(folder)
    assert sorted(r.customer for r in second.records if isinstance(r, Summary)) == ["A", "B"]


def special_files(month: Path) -> dict[str, str]:
    """A `.md` of every kind that is not a regular file, and the problem each one is."""
    import contextlib
    import socket

    only = "not a file: records are read only from regular files"
    os.mkfifo(month / "20261101-000000-a-fifo-000a.md")
    (month / "20261101-000000-a-zero-000b.md").symlink_to("/dev/zero")
    (month / "20261101-000000-a-passwd-000c.md").symlink_to("/etc/passwd")
    (month / "20261101-000000-a-stdin-000d.md").symlink_to("/dev/stdin")
    (month / "20261101-000000-a-tty-000e.md").symlink_to("/dev/tty")
    (month / "20261101-000000-a-gone-000f.md").symlink_to("/nowhere/at/all")
    (month / "notes-link").symlink_to("gone.txt")
    with socket.socket(socket.AF_UNIX) as server, contextlib.chdir(month):
        server.bind("20261101-000000-a-sock-0010.md")  # relative: a socket's path is short
    return {
        "20261101-000000-a-fifo-000a.md": f"is a named pipe (FIFO), {only}",
        "20261101-000000-a-zero-000b.md": f"is a symbolic link (to /dev/zero), {only}",
        "20261101-000000-a-passwd-000c.md": f"is a symbolic link (to /etc/passwd), {only}",
        "20261101-000000-a-stdin-000d.md": f"is a symbolic link (to /dev/stdin), {only}",
        "20261101-000000-a-tty-000e.md": f"is a symbolic link (to /dev/tty), {only}",
        "20261101-000000-a-gone-000f.md": "is a broken symbolic link (to /nowhere/at/all)",
        "notes-link": "is a broken symbolic link (to gone.txt)",
        "20261101-000000-a-sock-0010.md": f"is a socket, {only}",
    }


def test_only_regular_files_are_read_and_the_rest_are_named(known) -> None:
    month = known.folder / "2026" / "11"
    expected = special_files(month)
    (known.folder / "elsewhere").mkdir()
    (known.folder / "2026" / "linked").symlink_to(known.folder / "elsewhere")  # not followed
    result = store.scan(known.folder)
    problems = dict(result.unreadable)
    for name, problem in expected.items():
        assert problems[f"2026/11/{name}"] == problem
    assert len(result.records) == 8 and len(result.unreadable) == 3 + len(expected)


def test_a_file_swapped_for_a_fifo_after_the_walk_is_not_waited_on(known) -> None:
    path = known.paths["r1"]
    relative = path.relative_to(known.folder).as_posix()
    size = path.stat().st_size
    path.unlink()
    os.mkfifo(path)
    assert read_file(str(known.folder), relative, size) == (
        "is a named pipe (FIFO), not a file: records are read only from regular files")


def test_a_folder_that_cant_be_read_is_named(known, locked) -> None:
    result = store.scan(known.folder)
    assert ("2026/10/", "can't read this folder (Permission denied), so no record in it is "
            "counted") in result.unreadable
    assert len(result.records) == 6  # r6 and r7 are in 2026/10


def test_a_record_is_found_by_its_path_when_two_share_an_id(known, isolated: Path) -> None:
    r3 = known.paths["r3"]
    twin = known.folder / "2026" / "10" / r3.name
    twin.write_bytes(r3.read_bytes())
    result = store.scan(known.folder)
    with pytest.raises(store.AmbiguousRecord) as caught:
        store.find(result, r3.stem)
    assert str(caught.value) == (
        f"2 records have the id {r3.stem}: records/2026/10/{r3.name}, "
        f"records/2026/11/{r3.name}; give the path of the one you mean")
    with pytest.raises(store.AmbiguousRecord, match="2 records have the id"):
        store.find(result, r3.stem[:12])
    assert store.find(result, f"records/2026/10/{r3.name}").path == f"2026/10/{r3.name}"
    assert store.find(result, f"2026/11/{r3.name}").path == f"2026/11/{r3.name}"
    assert store.find(result, str(twin)).path == f"2026/10/{r3.name}"
    with pytest.raises(store.RecordNotFound, match="not in the records folder"):
        store.find(result, "/etc/passwd")
    with pytest.raises(store.RecordNotFound, match=r"records/2026/x\.md: no such file"):
        store.find(result, "records/2026/x.md")
    link = known.folder / "2026" / "11" / "20261101-000000-a-passwd-000c.md"
    link.symlink_to("/etc/passwd")
    found = store.find(store.scan(known.folder), f"records/2026/11/{link.name}")
    assert found == (f"2026/11/{link.name}", "is a symbolic link (to /etc/passwd), not a file: "
                     "records are read only from regular files")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_command_that_asks_for_step_visits_has_them_read_in_the_same_pass(
        isolated: Path, monkeypatch, workers: int) -> None:
    """`records report`, `stats --by step` and the step rows: each file is read once,
    its step visits with the rest, never again for them (`records.visits`)."""
    import sqlite3

    from deescalate.records import visits as visits_module
    from deescalate.records.folder import read_file
    from deescalate.records.index import index_path

    folder = isolated / "records"
    generator().generate(folder, 40, seed=7, workers=1)
    (folder / "2026" / "broken.md").write_text("---\nid: [unclosed\n---\n")
    for path in folder.rglob("*.md"):
        os.utime(path, ns=(10**18, 10**18))  # long enough ago for the index to trust
    monkeypatch.setattr(folder_module, "PARALLEL_MIN", 10)  # the reading processes' way
    monkeypatch.setattr(folder_module, "CHUNK", 7)

    def never(*_: object) -> list:
        raise AssertionError("a file was read a second time for its step visits")

    monkeypatch.setattr(visits_module, "read_visits", never)
    found = store.scan(folder, workers=workers, visits=True)
    assert found.read == 41 and len(found.records) == 40 and len(found.unreadable) == 1
    for record in found.records:  # as the reader makes them from the file
        whole = read_file(str(folder), record.path)
        assert not isinstance(whole, str) and record.visits == whole.visits
    assert sum(bool(record.visits) for record in found.records) > 20
    db = sqlite3.connect(index_path(folder))
    assert db.execute("SELECT count(*) FROM records WHERE visits IS NULL").fetchone() == (1,)
    assert db.execute("SELECT problem IS NOT NULL FROM records WHERE visits IS NULL"
                      ).fetchone() == (1,)
    db.close()
    # A refresh that leaves them out stores none for what it reads again.
    changed = found.records[0].path
    os.utime(folder / changed, ns=(10**18 + 10**9, 10**18 + 10**9))
    assert store.scan(folder, workers=workers).read == 1
    monkeypatch.undo()
    again = store.scan(folder, workers=workers, visits=True)
    assert again.read == 0 and sorted(again.records) == sorted(found.records)
    assert sorted(store.scan(folder, cache=False, visits=True).records) == sorted(found.records)
