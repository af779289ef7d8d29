"""Writing files so a crash leaves the old file or the new one, never half of either.

Every file the tool writes goes through here: records (`write_exclusive`, which never
replaces anything), saved calls, follow-up updates, exports, the records cache and
the team folder's files (`write_atomic`). Both write a hidden temp file beside the
target, all of it (looping on short writes), flushed to disk, then move it into
place in one step. OSError is the caller's to turn into a message.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

Data = bytes | Iterable[bytes]  # all at once, or chunk by chunk


def temp_beside(path: Path) -> Path:
    """A fresh hidden temp name in the same folder (so a rename stays on one file system)."""
    return path.with_name(f".{path.stem}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of `data`: os.write may write less than it was given."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_temp(path: Path, data: Data, *, mode: int = 0o644, durable: bool = True) -> Path:
    """Write `data` to a new temp file beside `path` (flushed to disk when `durable`);
    returns its path. Nothing is left behind if that fails."""
    temp = temp_beside(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        for chunk in (data,) if isinstance(data, bytes) else data:
            write_all(fd, chunk)
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        discard(temp)
        raise
    os.close(fd)
    return temp


def write_atomic(path: Path, data: Data, *, mode: int = 0o644, durable: bool = True,
                 check: Callable[[], None] | None = None) -> None:
    """Replace `path` with `data` all at once. `check`, if given, runs just before the
    replace and may raise to call it off (say, when the file changed meanwhile). A
    derived file that can be rebuilt may skip the flush to disk (`durable=False`)."""
    temp = write_temp(path, data, mode=mode, durable=durable)
    try:
        if check is not None:
            check()
        os.replace(temp, path)
    finally:
        discard(temp)
    if durable:
        sync_folder(path.parent)


def write_exclusive(path: Path, data: bytes, *, mode: int = 0o644) -> bool:
    """Put `data` at `path` all at once if nothing is there; False if the name is taken.

    The temp file is hard-linked into place, which fails rather than replace anything,
    so two writers can never overwrite each other and a reader never sees half a file.
    """
    temp = write_temp(path, data, mode=mode)
    try:
        try:
            os.link(temp, path)  # fails if the name exists: never overwrites
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                return False
            os.close(fd)
            os.replace(temp, path)
    finally:
        discard(temp)
    sync_folder(path.parent)
    return True


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
