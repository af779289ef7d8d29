"""A live call from start to record: the engine, the screen and the stores put together."""

from __future__ import annotations

import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from deescalate.call.engine import CallEngine, CallPaused, Hangup, run_call
from deescalate.call.model import Call, utc_now
from deescalate.call.saved import CallStore, new_call_id
from deescalate.config import Config
from deescalate.errors import BadFile, CantWrite, NoTerminal
from deescalate.playbooks.format import Playbook
from deescalate.playbooks.loader import check_bytes
from deescalate.records.writer import write_record

if TYPE_CHECKING:
    from rich.console import Console

# How long the first step waits for the list of earlier calls; later it shows up at
# the next step instead.
HISTORY_WAIT = 0.5


def require_terminal() -> None:
    """A live call needs a person at a terminal: refuse at once without one."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminal("a live call needs a terminal, and stdin or stdout is not one "
                         "(running under CI or a pipe?)")


def ready_records_folder(folder: Path) -> bool:
    """Make sure the call's record can be written before the call starts; True if made now."""
    existed = folder.is_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CantWrite(f"{folder}: can't make the records folder "
                        f"({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK):
        raise CantWrite(f"{folder}: the records folder is not writable")
    return not existed


def begin(book: Playbook, settings: Config, *, customer: str | None,
          reference: str | None) -> CallEngine:
    """A new call on the first step of `book`."""
    assert book.path is not None
    text = book.path.read_text(encoding="utf-8")
    started = utc_now()
    return CallEngine.start(book, text, call_id=new_call_id(started),
                            agent=settings.agent.value, customer=customer,
                            reference=reference, records=str(settings.records.value),
                            clock=utc_now)


def reopen(call: Call) -> CallEngine:
    """The engine for a saved call, with its playbooks exactly as they were when taken up."""
    books = {}
    for saved in call.books:
        path = Path(saved.path or f"{saved.id}.yaml")
        book, problems = check_bytes(saved.text.encode("utf-8"), path, str(path))
        if book is None:
            raise BadFile(f"the saved call {call.id} holds a playbook that no longer "
                          f"reads ({problems[0]})")
        books[book.id] = book
    if call.playbook not in books:
        raise BadFile(f"the saved call {call.id} is on playbook {call.playbook!r}, "
                      "which it does not hold")
    return CallEngine(books, call)


def run(engine: CallEngine, settings: Config, store: CallStore, console: Console,
        *, notice: str = "", intro: Callable[[], Any] | None = None) -> tuple[Path, str | None]:
    """Run the call to its end and write its record; CallPaused if the agent stops early."""
    from deescalate.call.screen import TerminalAsker

    asker = TerminalAsker(console, engine, notice=notice, intro=intro)
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGHUP, signal.SIGTERM)}

    def hang_up(signum: int, frame: FrameType | None) -> None:
        raise Hangup()  # the engine saves, keeps any half-typed text, and stops

    for sig in previous:
        signal.signal(sig, hang_up)
    try:
        run_call(engine, asker, store.save, settings.root_causes.value)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return finish(engine, settings, store)


def finish(engine: CallEngine, settings: Config, store: CallStore) -> tuple[Path, str | None]:
    """Write the finished call's record, then forget the saved state (in that order).

    Returns the record's path and, when the team commits records and that failed, a
    warning: the record stays written either way.
    """
    folder = Path(engine.call.records)
    if engine.call.record_suffix is None:
        engine.call.record_suffix = secrets.token_hex(2)
        store.save(engine.call)
    try:
        path = write_record(folder, engine.call, engine.playbook, settings.redactor())
    except OSError as exc:
        raise CantWrite(f"{folder}: can't write the record ({exc.strerror or exc}); "
                        f"the call is saved: deescalate resume {engine.call.id}") from None
    store.discard(engine.call.id)
    warning = None
    if settings.git_commit.value:
        from deescalate.records.git import commit_record

        warning = commit_record(path)
    return path, warning


def earlier_calls(folder: Path, *, ref: str | None, customer: str | None) -> Callable[[], Any]:
    """Look up earlier calls with this reference or customer, without holding up the call.

    Returns a function giving the table to show once the lookup is done (None until then,
    and for good if it failed: a call never waits on, or breaks over, its history).
    """
    if not (ref or customer):
        return lambda: None
    found: dict[str, Any] = {}

    def look() -> None:
        try:
            from deescalate.dates import today
            from deescalate.records import store, views

            rows = store.history(folder, ref=ref, customer=customer)
            found["view"] = views.history_view(
                rows, today(), asked={"ref": ref, "customer": customer})
        except Exception:  # the history is a courtesy: the call goes on without it
            found["view"] = None

    worker = threading.Thread(target=look, name="earlier-calls", daemon=True)
    worker.start()
    worker.join(HISTORY_WAIT)
    return lambda: found.get("view")


__all__ = ["CallPaused", "begin", "finish", "reopen", "require_terminal", "run"]
