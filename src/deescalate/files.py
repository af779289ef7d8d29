"""Writing files so a crash leaves the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def temp_beside(path: Path) -> Path:
    """A fresh hidden temp name in the same folder (so a rename stays on one file system)."""
    return path.with_name(f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_temp(path: Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write `data` to a new temp file beside `path`, flushed to disk; returns its path."""
    temp = temp_beside(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        discard(temp)
        raise
    os.close(fd)
    return temp


def discard(temp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries, so a rename or link into it survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every platform opens folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
