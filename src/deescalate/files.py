"""Writing files so a crash leaves the old file or the new one, never half of either;
reading other people's files so that no file can hang or flood us; and lock files.

Every file the tool writes goes through here: records (`write_exclusive`, which never
replaces anything), saved calls, follow-up updates, exports, the records cache and
the team folder's files (`write_atomic`). Both write a hidden temp file beside the
target, all of it (looping on short writes), flushed to disk, then move it into
place in one step. OSError is the caller's to turn into a message.

Files that others write (records, playbooks, settings) are read with `read_limited`:
only a regular file is read (a FIFO, a device or a socket is never opened for
reading, so nothing blocks), and never more than a cap, whatever size the file
claims to be.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

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


class NotAFile(OSError):
    """A path that is not a regular file: a folder, a FIFO, a device, a socket, or a
    symbolic link where links are not followed. `what` says which, in words."""

    def __init__(self, path: str | os.PathLike[str], what: str) -> None:
        super().__init__(errno.EINVAL, f"is {what}, not a regular file", str(path))
        self.what = what


def kind_of(mode: int) -> str:
    """What a file of this `st_mode` is, in words: 'a folder', 'a named pipe (FIFO)', ..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_limited(path: str | os.PathLike[str], limit: int, *, follow_links: bool = True,
                 size_hint: int = -1) -> bytes:
    """The bytes of the regular file at `path`, at most `limit + 1` of them (so a caller
    can tell a file over the limit), whatever size the file claims to be.

    A FIFO, device or socket is refused before it is opened for reading (NotAFile), so
    nothing can block or stream forever; a file swapped for one meanwhile is refused
    after opening (opened without blocking, then checked). With `follow_links` False a
    symbolic link is refused too. `size_hint`, a size from a stat just before, lets a
    regular file be read in one call. Other failures are the OSError of the system.
    """
    if size_hint < 0:
        info = os.stat(path) if follow_links else os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(path, kind_of(info.st_mode))
        size_hint = info.st_size
    try:
        fd = os.open(path, _READ_FLAGS | (0 if follow_links else _NOFOLLOW))
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links:
            raise NotAFile(path, "a symbolic link") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(path, kind_of(info.st_mode))
        wanted = min(max(size_hint, 0), limit) + 1
        chunks = [os.read(fd, wanted)]
        total = len(chunks[0])
        # Fewer bytes than asked for: the end of a regular file, so no second call. More
        # than the stat said: the file grew since, or the stat was wrong; read on.
        while total <= limit and (len(chunks) > 1 or total == wanted):
            more = os.read(fd, min(limit + 1 - total, 1 << 20))
            if not more:
                break
            chunks.append(more)
            total += len(more)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# -- lock files --------------------------------------------------------------------------
#
# Whoever creates the lock file (O_CREAT|O_EXCL, which works on NFS and SMB folders too)
# holds the lock; it is removed when done. A lock left by a process that died (on this
# machine: its pid is gone; anywhere: older than `stale` seconds) is taken over, so a
# crash can't block what it locked.


class LockBusy(OSError):
    """The lock is held by another process for longer than we would wait."""

    def __init__(self, lock: Path, holder: str) -> None:
        super().__init__(errno.EBUSY, f"held by {holder}", str(lock))
        self.holder = holder


def acquire_lock(lock: Path, *, wait: float, stale: float) -> None:
    """Create `lock`, waiting up to `wait` seconds while another process holds it;
    LockBusy after that. The file says who holds it (host, pid, since when)."""
    import json
    import socket  # here, not at the top: every records command imports this module

    deadline = time.monotonic() + wait
    pause = 0.005
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _holder(lock)
            if holder is not None and _left_over(holder, stale):
                _take_over(lock, holder)
                continue
            if time.monotonic() >= deadline:
                raise LockBusy(lock, _describe(holder)) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
            continue
        try:
            write_all(fd, json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                                      "since": time.time()}).encode())
        finally:
            os.close(fd)
        return


def release_lock(lock: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(lock)


class _Holder(NamedTuple):
    inode: int
    age: float  # seconds since the lock file was made
    host: str
    pid: int


def _holder(lock: Path) -> _Holder | None:
    """Who holds the lock, as its file says; None if it is gone meanwhile."""
    import json

    try:
        info = os.stat(lock)
    except OSError:
        return None
    try:
        with open(lock, "rb") as handle:
            data = json.loads(handle.read(4096) or b"{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    pid = data.get("pid")
    return _Holder(info.st_ino, time.time() - info.st_mtime, str(data.get("host", "")),
                   pid if isinstance(pid, int) else 0)


def _left_over(holder: _Holder, stale: float) -> bool:
    """Whether the lock was left by a process that is gone."""
    import socket

    if holder.age > stale:
        return True
    if holder.host != socket.gethostname() or holder.pid <= 0:
        return False  # another machine's, or still being written: wait for it
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, and is someone else's
        return False
    return False


def _take_over(lock: Path, holder: _Holder) -> None:
    """Remove a left-over lock, and only that one: it is moved aside first, and put
    back if, meanwhile, it was replaced by a live process's lock."""
    aside = lock.with_name(f"{lock.name}.{os.getpid()}.{os.urandom(3).hex()}.stale")
    try:
        os.rename(lock, aside)
    except OSError:
        return  # another waiter took it over first
    try:
        if os.stat(aside).st_ino != holder.inode:
            with contextlib.suppress(OSError):
                os.link(aside, lock)  # a live lock: back where it was
    finally:
        discard(aside)


def _describe(holder: _Holder | None) -> str:
    if holder is None:
        return "a moment ago"
    who = f"process {holder.pid}" + (f" on {holder.host}" if holder.host else "")
    return f"{who}, for {holder.age:.0f} s"
