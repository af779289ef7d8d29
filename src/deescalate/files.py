"""Writing files so a crash leaves the old file or the new one, never half of either;
reading other people's files so that no file can hang or flood us; and lock files.
On every system: files are opened in binary mode, and locks come from filelock.

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
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

Data = bytes | Iterable[bytes]  # all at once, or chunk by chunk

# Every file is opened in binary mode: on Windows os.open's default, text mode, would
# write LF as CRLF and end a read at Ctrl-Z. (0 where there is no such flag.)
BINARY = getattr(os, "O_BINARY", 0)
# Whether a folder listing's entries carry each file's inode: Windows's do not (os.scandir
# gives 0 there, os.stat the real number), so a file is known by size and time alone.
WINDOWS = sys.platform == "win32"


def identity(info: os.stat_result) -> int:
    """A file's inode, as a folder listing would give it (0 on Windows, where it can't)."""
    return 0 if WINDOWS else info.st_ino


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
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY, mode)
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
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY, mode)
            except FileExistsError:
                return False
            os.close(fd)
            os.replace(temp, path)
    finally:
        discard(temp)
    sync_folder(path.parent)
    return True


def swap_folder(new: Path, target: Path) -> None:
    """Put the folder `new` (written beside `target`) at `target` in one rename; a
    folder already there is moved aside first and removed only after."""
    import shutil

    aside = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(3).hex()}.old")
    if target.exists():
        os.rename(target, aside)
    try:
        os.rename(new, target)
    except OSError:
        if aside.exists():
            os.rename(aside, target)  # the old one back where it was
        raise
    if aside.exists():
        shutil.rmtree(aside)


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


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | BINARY
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
# filelock's SoftFileLock: whoever creates the lock file (exclusively, which works on NFS
# and SMB folders too, where fcntl and Windows locks may not reach the other machine)
# holds the lock; the file says who (host, pid) and goes when the holder is done. A lock
# whose holder died (on this machine, on any system: its pid is gone) or that is older
# than `stale` seconds is taken over, and one that could not be written (a full disk) is
# removed there and then, so no failure leaves a lock that blocks the next command.


class LockBusy(OSError):
    """The lock is held by another process for longer than we would wait."""

    def __init__(self, lock: Path, holder: str) -> None:
        super().__init__(errno.EBUSY, f"held by {holder}", str(lock))
        self.holder = holder


@contextlib.contextmanager
def held_lock(lock: Path, *, wait: float, stale: float) -> Iterator[None]:
    """Hold `lock` while the block runs, waiting up to `wait` seconds while another
    process holds it (LockBusy after that). Other failures are the system's OSError,
    with no lock file left behind."""
    import warnings

    from filelock import SoftFileLock, SoftFileLockLifetimeWarning, Timeout

    # filelock warns that an age limit can overlap a live holder; ours hold a lock for
    # milliseconds, and `stale` is minutes, there for a holder on a machine that is gone.
    warnings.filterwarnings("ignore", category=SoftFileLockLifetimeWarning)
    handle = SoftFileLock(lock, timeout=wait, lifetime=stale, thread_local=False)
    try:
        handle.acquire()
    except Timeout:
        raise LockBusy(lock, _describe(handle.pid)) from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            handle.release()


def _describe(pid: int | None) -> str:
    return "a process that is still writing it" if pid is None else f"process {pid}"
