"""Follow-ups in records: the agenda, and marking one done without touching anything else."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from deescalate import safeyaml
from deescalate.errors import DeescalateError
from deescalate.records import followups
from deescalate.records.reader import split
from deescalate.redaction import Redactor
from tests.recordkit import at, write_call


def test_the_note_is_redacted_and_counted(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5), notes=["mail me at a@example.com"])
    text = path.read_text()
    assert "redactions: 1" in text
    new, found = followups.mark_done_text(
        text, done=date(2026, 11, 6), agent="jdoe",
        note="called +44 20 7946 0958, card 4111 1111 1111 1111", redactor=Redactor())
    assert found == 2
    assert new.endswith("\nDone 2026-11-06 by jdoe: called [redacted: phone], card "
                        "[redacted: card]\n")
    head, _ = split(new)
    data = safeyaml.load(head)
    assert data["redactions"] == 3 and data["follow_up_done"] == date(2026, 11, 6)
    assert new.replace("redactions: 3", "redactions: 1").replace(
        "follow_up_done: 2026-11-06", "follow_up_done: null").startswith(text)


def test_windows_line_ends_stay_windows_line_ends(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))
    text = path.read_text().replace("\n", "\r\n")
    new, _ = followups.mark_done_text(text, done=date(2026, 11, 6), agent="a", note=None,
                                      redactor=Redactor())
    assert new == text.replace("follow_up_done: null", "follow_up_done: 2026-11-06") + \
        "\r\nDone 2026-11-06 by a.\r\n"
    with pytest.raises(DeescalateError, match="mixes Windows and Unix line ends"):
        followups.mark_done_text(text + "\n", done=date(2026, 11, 6), agent="a", note=None,
                                 redactor=Redactor())


def test_a_record_without_the_line_or_the_section(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))
    text = path.read_text()
    trimmed = text.replace("follow_up_done: null\n", "").split("## Follow-up")[0].rstrip()
    new, _ = followups.mark_done_text(trimmed, done=date(2026, 11, 6), agent="a", note="ok",
                                      redactor=Redactor())
    assert "follow_up: 2026-11-05\nfollow_up_done: 2026-11-06\n" in new
    assert new.endswith("\n## Follow-up\n\nDone 2026-11-06 by a: ok\n")


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("follow_up_done: null", "follow_up_done: 2026-11-04"),
     "already marked done on 2026-11-04"),
    (lambda t: t.replace("follow_up: 2026-11-05", "follow_up: null"),
     "no follow-up to mark done"),
    (lambda t: t.replace("follow_up_done: null", "follow_up_done:  # later\n  null"),
     "laid out in a way this command does not change"),
    (lambda t: t.replace("---\n", "", 1), "does not start with a '---' line"),
    (lambda t: t.replace("agent: jdoe", "agent: [jdoe"), "the front matter does not parse"),
])
def test_records_it_will_not_change(isolated: Path, change, message: str) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))
    with pytest.raises(DeescalateError, match=message):
        followups.mark_done_text(change(path.read_text()), done=date(2026, 11, 6), agent="a",
                                 note=None, redactor=Redactor())


def test_a_record_changed_meanwhile_is_left_alone(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))
    before = os.stat(path)
    path.write_text(path.read_text() + "edited\n")
    with pytest.raises(DeescalateError, match="changed while it was being updated"):
        followups.replace_file(path, b"new", before)
    assert path.read_text().endswith("edited\n")
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_agenda_order() -> None:
    from tests.recordkit import summary_record as record


    items = followups.agenda([
        record(1, follow_up="2026-11-25"), record(2, follow_up="2026-11-01"),
        record(3, follow_up="2026-11-20"), record(4, follow_up="2026-11-10"),
        record(5, follow_up="2026-11-22"), record(6),
        record(7, follow_up="2026-10-01", follow_up_done="2026-10-02"),
        record(8, follow_up="2026-11-01", follow_up_done="2026-11-02"),
    ], today=date(2026, 11, 20), include_done=True)
    assert [(i.record.path, i.status, i.days) for i in items] == [
        ("2026/11/2.md", "overdue", -19), ("2026/11/4.md", "overdue", -10),
        ("2026/11/3.md", "today", 0), ("2026/11/5.md", "upcoming", 2),
        ("2026/11/1.md", "upcoming", 5), ("2026/11/8.md", "done", -19),
        ("2026/11/7.md", "done", -50)]


# -- two agents at once ------------------------------------------------------------------

def follow_up_record(folder: Path) -> Path:
    return write_call(folder, started=at("2026-11-02"), outcome="follow-up",
                      follow_up=date(2026, 11, 5))


def slowed_replace(seconds: float = 0.2) -> None:
    """Make every file replacement slow, as on a slow shared file system: the window
    between checking a record and replacing it is then wide open."""
    import time

    real = os.replace

    def slow(src, dst, *args, **kwargs):
        time.sleep(seconds)
        return real(src, dst, *args, **kwargs)

    os.replace = slow  # type: ignore[assignment]


def mark(path: Path, n: int) -> str:
    try:
        followups.mark_done(path, done=date(2026, 11, 6), agent=f"agent{n}",
                            note=f"note number {n}", redactor=Redactor())
    except DeescalateError as exc:
        return exc.message
    return "ok"


def assert_no_note_lost(path: Path, results: dict[int, str]) -> None:
    text = path.read_text()
    done = [n for n, result in results.items() if result == "ok"]
    assert len(done) == 1, results  # one wins; the others are told, and write nothing
    for n, result in results.items():
        assert (f"note number {n}" in text) == (result == "ok"), (n, result)
        if result != "ok":
            assert "the follow-up was already marked done on 2026-11-06" in result
    assert text.count("follow_up_done: 2026-11-06") == 1
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no lock, no temp


def test_threads_marking_one_record_at_once_lose_no_note(isolated: Path,
                                                          monkeypatch) -> None:
    import threading

    path = follow_up_record(isolated / "r")
    monkeypatch.setattr(os, "replace", os.replace)  # restored after the test
    slowed_replace()
    results: dict[int, str] = {}
    start = threading.Barrier(6)

    def run(n: int) -> None:
        start.wait()
        results[n] = mark(path, n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert_no_note_lost(path, results)


def _process(path: str, n: int, start, out) -> None:
    slowed_replace()
    start.wait()
    out.put((n, mark(Path(path), n)))


def test_processes_marking_one_record_at_once_lose_no_note(isolated: Path) -> None:
    import multiprocessing

    path = follow_up_record(isolated / "r")
    context = multiprocessing.get_context("fork")
    start = context.Barrier(4)
    out = context.Queue()
    processes = [context.Process(target=_process, args=(str(path), n, start, out))
                 for n in range(4)]
    for process in processes:
        process.start()
    results = dict(out.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    assert_no_note_lost(path, results)


def test_different_records_at_once_all_get_their_note(isolated: Path, monkeypatch) -> None:
    import threading

    paths = [write_call(isolated / "r", started=at("2026-11-02", f"09:0{n}:00"),
                        outcome="follow-up", follow_up=date(2026, 11, 5)) for n in range(4)]
    monkeypatch.setattr(os, "replace", os.replace)
    slowed_replace(0.05)
    results: dict[int, str] = {}
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, mark(paths[n], n)))
               for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == dict.fromkeys(range(4), "ok")
    for n, path in enumerate(paths):
        assert path.read_text().endswith(f"by agent{n}: note number {n}\n")


def hold_lock(lock: Path, then: str) -> None:
    """Take the record's lock in a process of its own, as another `followups done`
    would, then `then` (Python run while it holds it)."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from deescalate.files import held_lock\n"
                    f"with held_lock(Path({str(lock)!r}), wait=1, stale=600):\n    {then}"],
                   check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def test_a_lock_left_by_a_dead_process_is_taken_over(isolated: Path) -> None:
    import time

    path = follow_up_record(isolated / "r")
    lock = path.with_name(f".{path.name}.lock")
    hold_lock(lock, "import os; os._exit(0)")  # killed while holding it: nothing released
    assert lock.exists()
    began = time.monotonic()
    assert mark(path, 1) == "ok"
    assert time.monotonic() - began < 1  # not the 10 s a live holder is waited for
    assert not lock.exists()


def test_a_lock_from_long_ago_is_taken_over(isolated: Path) -> None:
    path = follow_up_record(isolated / "r")
    lock = path.with_name(f".{path.name}.lock")
    hold_lock(lock, "import os; os._exit(0)")
    # as if from a machine that went away with it: its pid can't be asked after there
    lines = lock.read_text().split("\n")
    lock.write_text("\n".join([lines[0], "elsewhere", *lines[2:]]))
    long_ago = 1_600_000_000
    os.utime(lock, (long_ago, long_ago))
    assert mark(path, 1) == "ok"
    assert not lock.exists()


def test_a_lock_held_by_a_live_process_is_waited_for_then_named(isolated: Path) -> None:
    from deescalate.files import held_lock

    path = follow_up_record(isolated / "r")
    before = path.read_bytes()
    lock = path.with_name(f".{path.name}.lock")
    with held_lock(lock, wait=1, stale=600), pytest.raises(DeescalateError) as caught:
        followups.mark_done(path, done=date(2026, 11, 6), agent="a", note=None,
                            redactor=Redactor(), wait=0.3)
    assert caught.value.message == (
        f"{path}: another `followups done` is changing this record (process {os.getpid()}); "
        f"try again, or delete {lock} if no one is")
    assert path.read_bytes() == before and not lock.exists()


def test_a_lock_that_could_not_be_written_is_gone(isolated: Path, monkeypatch) -> None:
    """A full disk while the lock is taken: one clear line, and no lock file left to
    make every later `followups done` of the record wait and fail."""
    import errno
    import time

    path = follow_up_record(isolated / "r")
    before = path.read_bytes()
    real_write = os.write

    def full(fd: int, data) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(DeescalateError) as caught:
        followups.mark_done(path, done=date(2026, 11, 6), agent="a", note=None,
                            redactor=Redactor())
    assert caught.value.message == f"{path}: can't lock it (No space left on device)"
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no lock left
    monkeypatch.setattr(os, "write", real_write)  # space again
    began = time.monotonic()
    assert mark(path, 1) == "ok"
    assert time.monotonic() - began < 1


def test_a_failure_while_the_lock_is_held_releases_it(isolated: Path, monkeypatch) -> None:
    path = follow_up_record(isolated / "r")
    lock = path.with_name(f".{path.name}.lock")

    def broken(*args, **kwargs):
        assert lock.exists()  # held while the record is changed
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(followups, "replace_file", broken)
    with pytest.raises(OSError):
        followups.mark_done(path, done=date(2026, 11, 6), agent="a", note=None,
                            redactor=Redactor())
    assert not lock.exists()
