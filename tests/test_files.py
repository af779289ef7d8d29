"""The one atomic writer: whole files or none, never a replaced record, short writes looped."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from deescalate import files

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "deescalate"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def short_writes(monkeypatch):
    """os.write that writes at most 3 bytes a call, as a pipe or a signal may make it."""
    real = os.write
    calls = []

    def write(fd: int, data) -> int:
        calls.append(len(data))
        return real(fd, bytes(data[:3]))

    monkeypatch.setattr(os, "write", write)
    return calls


def test_short_writes_are_written_out_whole(tmp_path: Path, short_writes) -> None:
    target = tmp_path / "call.json"
    files.write_atomic(target, b"0123456789" * 10)
    assert target.read_bytes() == b"0123456789" * 10
    assert len(short_writes) == 34  # 100 bytes, 3 at a time
    assert files.write_exclusive(tmp_path / "record.md", b"abcdefg")
    assert (tmp_path / "record.md").read_bytes() == b"abcdefg"
    assert leftovers(tmp_path) == []


def test_write_atomic_replaces_and_takes_chunks(tmp_path: Path) -> None:
    target = tmp_path / "cache.jsonl"
    target.write_bytes(b"old")
    files.write_atomic(target, (line for line in [b"a\n", b"b\n", b"c\n"]), durable=False)
    assert target.read_bytes() == b"a\nb\nc\n"
    files.write_atomic(target, b"private", mode=0o600)
    assert target.stat().st_mode & 0o777 == 0o600
    assert leftovers(tmp_path) == []


def test_a_check_that_fails_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "record.md"
    target.write_bytes(b"as it was")

    def changed() -> None:
        raise RuntimeError("changed meanwhile")

    with pytest.raises(RuntimeError):
        files.write_atomic(target, b"new", check=changed)
    assert target.read_bytes() == b"as it was" and leftovers(tmp_path) == []


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_bytes(b"as it was")

    def chunks():
        yield b"half"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        files.write_atomic(target, chunks())
    assert target.read_bytes() == b"as it was" and leftovers(tmp_path) == []


def test_write_exclusive_never_replaces(tmp_path: Path) -> None:
    target = tmp_path / "20261122-143012-jdoe-upset-customer-7f3a.md"
    assert files.write_exclusive(target, b"first")
    assert not files.write_exclusive(target, b"second")
    assert target.read_bytes() == b"first" and leftovers(tmp_path) == []


# Ways of writing a file other than through deescalate.files.
OTHER_WRITERS = re.compile(r"os\.replace\(|os\.rename\(|\.write_text\(|\.write_bytes\(|"
                           r"open\([^)]*['\"][wxa]b?['\"]|os\.O_WRONLY|os\.O_CREAT")


def test_every_file_is_written_through_the_one_writer() -> None:
    writers = sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
                     if OTHER_WRITERS.search(path.read_text(encoding="utf-8")))
    assert writers == ["files.py"]


@pytest.mark.parametrize("hint", [-1, 0, 5, 99, 100, 101, 5000])
def test_read_limited_reads_the_whole_file_whatever_size_it_was_said_to_be(
        tmp_path: Path, hint: int) -> None:
    from deescalate.files import read_limited

    path = tmp_path / "f"
    data = bytes(range(256)) * 40  # 10,240 bytes
    path.write_bytes(data)
    assert read_limited(path, 20_000, size_hint=hint) == data
    assert read_limited(path, 1_000, size_hint=hint) == data[:1_001]  # the limit, and one
    path.write_bytes(data[:100])
    assert read_limited(path, 20_000, size_hint=hint) == data[:100]
