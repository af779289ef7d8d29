"""Follow-ups: what is owed to customers, and marking one done in its record.

A record owes a follow-up when its front matter has a `follow_up` date and no
`follow_up_done` date. Marking it done changes the record in place, and nothing
else in it: the `follow_up_done` line gets the date, a line saying who did it (and
any note, redacted like everything else in a record) goes at the end of the
`## Follow-up` section, the record's last, and the file is replaced atomically.
The record's lock file is held from reading it to replacing it, so two agents
marking the same record at once can't both write: the second is told it is done.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deescalate.errors import BadFile, CantRead, CantWrite, Conflict, DeescalateError
from deescalate.files import write_atomic
from deescalate.records.format import FOLLOW_UP_HEADING, MAX_BYTES, body_text
from deescalate.records.reader import load_safely, split
from deescalate.records.summary import Summary, Unreadable
from deescalate.redaction import Redactor

if TYPE_CHECKING:
    from deescalate.records.filters import Filters
    from deescalate.records.index import Index

ORDER = {"overdue": 0, "today": 1, "upcoming": 2, "done": 3}
LOCK_WAIT = 10.0  # seconds to wait for another agent's update of the record to finish
STALE = 600.0  # seconds after which any lock is taken to be left over from a crash

_DONE_LINE = re.compile(r"^follow_up_done:[ ]*(?:null|Null|NULL|~)?[ ]*$", re.M)
_DUE_LINE = re.compile(r"^follow_up:[^\n]*\n", re.M)
_REDACTIONS_LINE = re.compile(r"^redactions:[ ]*(0|[1-9][0-9]*)[ ]*$", re.M)


@dataclass(frozen=True)
class FollowUp:
    """One record's follow-up and where it stands on `today`."""

    record: Summary
    due: date
    status: str  # overdue, today, upcoming or done
    days: int  # days from today to the due date; negative when overdue


def status(record: Summary, today: date) -> str | None:
    """overdue, today, upcoming or done; None for a record without a follow-up."""
    if record.follow_up is None:
        return None
    if record.follow_up_done is not None:
        return "done"
    due = record.follow_up
    now = today.isoformat()
    return "overdue" if due < now else "today" if due == now else "upcoming"


def agenda(records: Iterable[Summary], *, today: date,
           include_done: bool = False) -> list[FollowUp]:
    """The follow-ups: overdue (longest overdue first), due today, upcoming (soonest
    first), then, with `include_done`, the done ones (most recently due first)."""
    found = []
    for record in records:
        state = status(record, today)
        if state is None or (state == "done" and not include_done):
            continue
        assert record.follow_up is not None
        due = date.fromisoformat(record.follow_up)
        found.append(FollowUp(record, due, state, (due - today).days))
    found.sort(key=lambda f: (ORDER[f.status], -f.days if f.status == "done" else f.days,
                              f.record.started))
    return found


def owed(index: Index, filters: Filters, *, today: date,
         include_done: bool = False) -> list[FollowUp]:
    """`agenda` of the records in the index that the filters take."""
    where, params = filters.sql()
    where = "r.follow_up IS NOT NULL" + (f" AND {where}" if where else "")
    if not include_done:
        where += " AND r.follow_up_done IS NULL"
    return agenda(index.summaries(where, params, order=""), today=today,
                  include_done=include_done)


def mark_done_text(text: str, *, done: date, agent: str, note: str | None,
                   redactor: Redactor) -> tuple[str, int]:
    """The record's text with its follow-up marked done, and how many redactions the
    note and name needed. DeescalateError if the record can't be changed safely."""
    from deescalate import safeyaml

    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom):]
    crlf = "\r\n" in text
    if crlf:
        if text.count("\n") != text.count("\r\n"):
            raise BadFile("the record mixes Windows and Unix line ends; fix that first")
        text = text.replace("\r\n", "\n")
    try:
        head, body = split(text)
        before = load_safely(head)
    except Unreadable as exc:
        raise BadFile(str(exc)) from None
    if before.get("follow_up") is None:
        raise Conflict("the record has no follow-up to mark done")
    if before.get("follow_up_done") is not None:
        raise Conflict(f"the follow-up was already marked done on "
                       f"{before['follow_up_done']}")

    stamp = f"follow_up_done: {done.isoformat()}"
    line = _DONE_LINE.search(head)
    if line is not None:
        head = head[:line.start()] + stamp + head[line.end():]
    elif "follow_up_done" not in before and (due := _DUE_LINE.search(head)) is not None:
        head = head[:due.end()] + stamp + "\n" + head[due.end():]
    else:
        raise BadFile("the record's follow_up_done line is laid out in a way this "
                      "command does not change; edit it by hand")

    who, found = redactor.redact(" ".join(agent.split()))
    line_text = f"Done {done.isoformat()} by {body_text(who)}"  # typed text, as text
    if note and note.strip():
        cleaned, more = redactor.redact(" ".join(note.split()))
        found += more
        line_text += f": {body_text(cleaned)}"
    else:
        line_text += "."
    expected: dict[str, Any] = {**before, "follow_up_done": done}
    if found:
        counted = _REDACTIONS_LINE.search(head)
        if counted is not None:
            total = int(counted.group(1)) + found
            head = head[:counted.start()] + f"redactions: {total}" + head[counted.end():]
            expected["redactions"] = total
    try:
        after = safeyaml.load(head)
    except safeyaml.YamlError:  # pragma: no cover - we changed one scalar line
        after = None
    if after != expected:
        raise BadFile("the record's front matter is laid out in a way this command "
                      "can't change safely; edit it by hand")

    if body and not body.endswith("\n"):
        body += "\n"
    if FOLLOW_UP_HEADING not in body.split("\n"):
        body += f"\n{FOLLOW_UP_HEADING}\n"
    body += f"\n{line_text}\n"
    result = f"---\n{head}---\n{body}"
    if crlf:
        result = result.replace("\n", "\r\n")
    return bom + result, found


def mark_done(path: Path, *, done: date, agent: str, note: str | None,
              redactor: Redactor, wait: float = LOCK_WAIT) -> int:
    """Mark the record at `path` done, replacing the file atomically; returns the
    number of redactions made in the note and name.

    The record's lock is held from reading it to replacing it, so two agents marking
    it at once can't both write: the second waits, then reads the record marked done
    and is told so. Nothing is lost between a check and a replace."""
    with record_lock(path, wait=wait):
        return _mark_done(path, done=done, agent=agent, note=note, redactor=redactor)


def _mark_done(path: Path, *, done: date, agent: str, note: str | None,
               redactor: Redactor) -> int:
    from deescalate.files import NotAFile, read_limited

    try:
        before = os.lstat(path)
        data = read_limited(path, MAX_BYTES, follow_links=False)
    except NotAFile as exc:
        raise BadFile(f"{path}: is {exc.what}, not a record file") from None
    except OSError as exc:
        raise CantRead(f"{path}: can't read it ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise BadFile(f"{path}: the file is larger than {MAX_BYTES:,} bytes, the most a "
                      "record may be")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadFile(f"{path}: not UTF-8 text") from None
    try:
        new_text, found = mark_done_text(text, done=done, agent=agent, note=note,
                                         redactor=redactor)
    except DeescalateError as exc:
        raise type(exc)(f"{path}: {exc.message}") from None
    replace_file(path, new_text.encode("utf-8"), before)
    return found


# -- the record's lock ---------------------------------------------------------------------
#
# A hidden file beside the record, `.<name>.lock` (see `files.held_lock`): exclusive
# creation works on a shared folder too (NFS, SMB), and a hidden file is never read as a
# record. It is gone when the update is done, however it ends.

@contextlib.contextmanager
def record_lock(path: Path, *, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the record's lock while the block runs; Conflict if another process holds
    it for longer than `wait` seconds."""
    from deescalate.files import LockBusy, held_lock

    lock = path.with_name(f".{path.name}.lock")
    holding = contextlib.ExitStack()
    try:
        holding.enter_context(held_lock(lock, wait=wait, stale=STALE))
    except LockBusy as exc:
        raise Conflict(f"{path}: another `followups done` is changing this record "
                       f"({exc.holder}); try again, or delete {lock} if no one is") from None
    except OSError as exc:
        raise CantWrite(f"{path}: can't lock it ({exc.strerror or exc})") from None
    with holding:  # leaving it releases the lock, however the block ends
        yield


def replace_file(path: Path, data: bytes, before: os.stat_result) -> None:
    """Put `data` at `path` all at once, unless the file changed since `before`."""
    def unchanged() -> None:
        now = os.stat(path)
        if (now.st_size, now.st_mtime_ns, now.st_ino) != (
                before.st_size, before.st_mtime_ns, before.st_ino):
            raise Conflict(f"{path}: the record changed while it was being updated; "
                           "run the command again")

    try:
        write_atomic(path, data, mode=before.st_mode & 0o7777, check=unchanged)
    except OSError as exc:
        raise CantWrite(f"{path}: can't write it ({exc.strerror or exc})") from None
