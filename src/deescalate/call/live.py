"""A live call from start to record: the engine, the screen and the stores put together."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from deescalate import safeyaml
from deescalate.call.engine import CallEngine, CallPaused, run_call
from deescalate.call.model import Call, utc_now
from deescalate.call.plain import PlainScreen
from deescalate.call.saved import CallStore, new_call_id
from deescalate.config import Config
from deescalate.errors import BadFile, CantWrite, DeescalateError, NoTerminal
from deescalate.playbooks.format import Playbook
from deescalate.playbooks.loader import check_bytes

if TYPE_CHECKING:
    from deescalate.call.screen import LiveScreen

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
    text = safeyaml.read_text(book.path, what="playbook")  # regular, and never too much
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


def _columns() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 80


class Saver:
    """Saves the call after every answer; a state folder that can't be written (full,
    read-only, gone) never stops the call: the screen is told once, and every later
    save tries again."""

    def __init__(self, store: CallStore, tell: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.tell = tell or (lambda message: None)
        self.failing = False
        self.lock = threading.Lock()

    def __call__(self, call: Call) -> bool:
        with self.lock:
            try:
                self.store.save(call)
            except (OSError, DeescalateError) as exc:
                if not self.failing:
                    self.failing = True
                    reason = getattr(exc, "strerror", None) or getattr(exc, "message", exc)
                    self.tell(f"Can't save the call to {self.store.folder} ({reason}); "
                              "the call goes on and saving is tried again after each answer.")
                return False
            if self.failing:
                self.failing = False
                self.tell("Saving works again.")
            return True


def run(engine: CallEngine, settings: Config, store: CallStore, *,
        notices: Sequence[str] = (), earlier: Callable[[], int | None] | None = None,
        others: Callable[[], list[Playbook]] | None = None) -> tuple[Path, str | None]:
    """Run the call to its end and write its record; CallPaused if the agent stops early."""
    from deescalate.dates import use_order
    from deescalate.text import glyphs_for, plain_terminal

    glyphs = glyphs_for(sys.stdout)
    saver = Saver(store)
    use_order(settings.date_order.value)

    def typing(key: str, text: str) -> None:
        if text.strip():
            engine.call.draft[key] = text
        else:
            engine.call.draft.pop(key, None)
        saver(engine.call)

    screen: LiveScreen | PlainScreen
    if plain_terminal():
        screen = PlainScreen(engine, glyphs, notices=notices, earlier=earlier,
                             width=_columns())
    else:
        from deescalate.call.screen import LiveScreen

        screen = LiveScreen(engine, glyphs, notices=notices, earlier=earlier,
                            on_typing=typing)
    saver.tell = screen.problem
    engine.redact = _lazy_redaction(settings)
    if not isinstance(screen, PlainScreen):
        screen.keep_brief = lambda lines: str(keep_brief(store, engine.call.id, lines))
    with hang_up_on_signals(screen.hang_up):
        screen.run(lambda: run_call(engine, screen, saver, settings.root_causes.value, others))
    return finish(engine, settings, store, saver)


# The signals that end a call from outside: the terminal closed (SIGHUP on POSIX; on
# Windows closing the console window or Ctrl-Break arrives as SIGBREAK) or the process
# told to stop (SIGTERM). Each system has only some of them.
HANG_UP_SIGNALS = ("SIGHUP", "SIGTERM", "SIGBREAK")


def hang_up_signals() -> list[signal.Signals]:
    """The hang-up signals this system has."""
    found = (getattr(signal, name, None) for name in HANG_UP_SIGNALS)
    return [sig for sig in found if sig is not None]


@contextlib.contextmanager
def hang_up_on_signals(hang_up: Callable[[], None]) -> Iterator[None]:
    """Call `hang_up` (the engine saves, keeps any half-typed text, and stops) on any
    hang-up signal while the block runs; the handlers before come back after."""
    def handler(signum: int, frame: FrameType | None) -> None:
        hang_up()

    previous = {sig: signal.signal(sig, handler) for sig in hang_up_signals()}
    try:
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before if before is not None else signal.SIG_DFL)


def _lazy_redaction(settings: Config) -> Callable[[str], str]:
    """The team's redaction, made when first used (not before the first step is drawn)."""
    made: list[Callable[[str], tuple[str, int]]] = []

    def redact(text: str) -> str:
        if not made:
            made.append(settings.redactor().redact)
        return made[0](text)[0]

    return redact


def keep_brief(store: CallStore, call_id: str, lines: list[str]) -> Path:
    """Write the (redacted) handover brief beside the saved call, for a supervisor."""
    from deescalate.files import write_atomic

    store.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = store.folder / f"{call_id}-handover.txt"
    write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8", "replace"), mode=0o600)
    return path


def finish(engine: CallEngine, settings: Config, store: CallStore,
           saver: Saver | None = None) -> tuple[Path, str | None]:
    """Write the finished call's record, then forget the saved state (in that order).

    Returns the record's path and, when the team commits records and that failed, a
    warning: the record stays written either way.
    """
    folder = Path(engine.call.records)
    saver = saver or Saver(store)
    if engine.call.record_suffix is None:
        engine.call.record_suffix = os.urandom(2).hex()
        saver(engine.call)
    from deescalate.call.record import finished as record_of
    from deescalate.records.writer import write_record  # only now: not before the first step

    warning = None
    try:
        path = write_record(folder, record_of(engine.call), engine.playbooks,
                            settings.redactor())
    except OSError as exc:
        reason = f"{folder}: can't write the record ({exc.strerror or exc})"
        if saver(engine.call):  # the call is safe in the state folder: resume writes it
            raise CantWrite(f"{reason}; the call is saved: deescalate resume "
                            f"{engine.call.id}") from None
        path, warning = _written_elsewhere(engine, settings, reason, store)
    with contextlib.suppress(OSError):  # the record is safe; a stale state is only clutter
        store.discard(engine.call.id)
    if warning is not None:
        return path, warning
    if settings.git_commit.value:
        from deescalate.records.git import commit_record

        warning = commit_record(path)
        if warning is None and settings.git_push.value:
            from deescalate.records.sync import push_later

            push_later(path)
    return path, warning


def fallback_folders() -> list[Path]:
    """Where a record goes when neither the records folder nor the state folder can be
    written: a folder in the user's home, then the system's temp folder."""
    import tempfile

    return [Path.home() / "deescalate-records", Path(tempfile.gettempdir()) / "deescalate-records"]


def _written_elsewhere(engine: CallEngine, settings: Config, reason: str,
                       store: CallStore) -> tuple[Path, str]:
    """Write the record to the first fallback folder that takes it; CantWrite if none."""
    from deescalate.call.record import finished as record_of
    from deescalate.records.writer import write_record

    for folder in fallback_folders():
        try:
            path = write_record(folder, record_of(engine.call), engine.playbooks,
                                settings.redactor())
        except OSError:
            continue
        return path, (f"{reason}, and the call could not be saved to {store.folder} either; "
                      f"so the record is written to {path}: move it into the records folder")
    raise CantWrite(f"{reason}, and the call could not be saved to {store.folder}, "
                    f"{' or '.join(str(f) for f in fallback_folders())}: nothing could be "
                    "written anywhere") from None


def earlier_calls(engine: CallEngine, folder: Path, *, ref: str | None,
                  customer: str | None) -> Callable[[], int | None]:
    """Look up earlier calls with this reference or customer, without holding up the call.

    Returns a function giving how many there are once the lookup is done (None until
    then, and for good if it failed: a call never waits on, or breaks over, its
    history). The newest few go into the engine for the handover brief.
    """
    if not (ref or customer):
        return lambda: None
    found: dict[str, int] = {}

    def look() -> None:
        try:
            from deescalate.dates import today
            from deescalate.records import store

            rows = store.history(folder, ref=ref, customer=customer, limit=0)
            lines = store.history_lines(rows[:5], today())
            engine.earlier = lines
            found["count"] = len(rows)
        except Exception:  # the history is a courtesy: the call goes on without it
            return

    worker = threading.Thread(target=look, name="earlier-calls", daemon=True)
    worker.start()
    worker.join(HISTORY_WAIT)
    return lambda: found.get("count")


__all__ = ["CallPaused", "begin", "finish", "reopen", "require_terminal", "run"]
