"""Calls in progress, kept in the user's state folder so nothing typed is ever lost.

Each call is one JSON file, rewritten atomically (temp file, fsync, rename) after every
answer, readable only by its owner. It is removed once the call's record is on disk.
Card numbers, IBANs and the like are redacted before a call is saved (what it needs to
resume is kept); a file that does not hold a call is one clear error, never a crash.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from deescalate.call.model import Call
from deescalate.errors import Ambiguous, BadFile, NotFound
from deescalate.files import NotAFile, read_limited, write_atomic

# A saved call is a few kilobytes; one of hours of notes, a few hundred. A file larger
# than this is not one of ours.
MAX_BYTES = 16_000_000


def _check(call: Call) -> None:
    """ValueError unless the call read holds what a call needs, of the right types."""
    from deescalate.call.model import parse_iso

    texts = {"id": call.id, "playbook": call.playbook, "agent": call.agent,
             "records": call.records, "started": call.started}
    for name, value in texts.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"its {name} is not text")
    for name in ("customer", "reference", "summary", "outcome", "follow_up", "ended"):
        if not isinstance(getattr(call, name), str | None):
            raise ValueError(f"its {name} is not text")
    if call.phase not in ("steps", "wrap-up", "done"):
        raise ValueError(f"its phase is {call.phase!r}")
    parse_iso(call.started)
    if not call.books or not all(isinstance(b.text, str) and isinstance(b.id, str)
                                 for b in call.books):
        raise ValueError("it holds no playbook")
    if not call.visits or not all(isinstance(v.step, str) and isinstance(v.at, int)
                                  for v in call.visits):
        raise ValueError("it has no step it was on")
    if not all(isinstance(pair, list) and len(pair) == 2 for pair in call.trail):
        raise ValueError("its way through the steps is not readable")
    if not isinstance(call.captures, dict) or not isinstance(call.draft, dict):
        raise ValueError("its captures are not readable")


def new_call_id(started: datetime) -> str:
    """A sortable id: the UTC start time and four random hex digits."""
    return f"{started:%Y%m%d-%H%M%S}-{os.urandom(2).hex()}"


def always_redacted() -> Callable[[str], str]:
    """What a saved call goes through: the kinds always redacted (cards, IBANs)."""
    from deescalate.redaction import Redactor, settings

    redactor = Redactor(off=settings())
    done: dict[str, str] = {}  # a call is saved after every answer: most of it is as before

    def redact(text: str) -> str:
        redacted = done.get(text)
        if redacted is None:
            redacted = redactor.redact(text)[0]
            if len(done) > 2000:
                done.clear()
            done[text] = redacted
        return redacted

    return redact


# Parts of a saved call that are not typed text: the playbooks as they were, names,
# times and moods.
_NOT_TYPED = {"books", "trail", "visits", "id", "playbook", "agent", "records", "started",
              "ended", "phase", "outcome", "root_cause", "follow_up", "record_suffix", "state",
              "mood", "escalated", "escalated_by_key", "root_cause_asked"}


def _scrubbed(data: Any, redact: Callable[[str], str]) -> Any:
    """`data` with every piece of text in it redacted, numbers too (a card typed into a
    number field is a number)."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, bool) or data is None:
        return data
    if isinstance(data, int | float):
        text = str(data)
        redacted = redact(text)
        return data if redacted == text else redacted
    if isinstance(data, dict):
        return {name: _scrubbed(value, redact) for name, value in data.items()}
    if isinstance(data, list):
        return [_scrubbed(item, redact) for item in data]
    return data


class CallStore:
    """The saved state of unfinished calls."""

    def __init__(self, folder: Path, redact: Callable[[str], str] | None = None) -> None:
        self.folder = folder
        self._redact = redact

    def path(self, call_id: str) -> Path:
        return self.folder / f"{call_id}.json"

    def save(self, call: Call) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.path(call.id)
        if self._redact is None:
            self._redact = always_redacted()
        redact = self._redact
        saved = {name: value if name in _NOT_TYPED else _scrubbed(value, redact)
                 for name, value in call.to_dict().items()}
        data = json.dumps(saved, ensure_ascii=False).encode("utf-8", "surrogatepass")
        write_atomic(path, data, mode=0o600)

    def load(self, call_id: str) -> Call:
        path = self.path(call_id)
        try:
            raw = read_limited(path, MAX_BYTES)  # only a regular file, and never too much
            if len(raw) > MAX_BYTES:
                raise BadFile(f"{path}: the saved call is larger than {MAX_BYTES:,} bytes; "
                              f"`deescalate resume --discard {call_id}` removes it")
            data = json.loads(raw.decode("utf-8", "surrogatepass"))
            if not isinstance(data, dict):
                raise ValueError(f"it holds a {type(data).__name__}, not a call")
            call = Call.from_dict(data)
            _check(call)
            return call
        except FileNotFoundError:
            raise NotFound(f"no saved call {call_id!r}; "
                           "`deescalate resume --list` shows them") from None
        except NotAFile as exc:
            raise BadFile(f"{path}: is {exc.what}, not a saved call; "
                          f"`deescalate resume --discard {call_id}` removes it") from None
        except (OSError, ValueError, TypeError, KeyError, AttributeError,
                RecursionError) as exc:
            reason = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
            raise BadFile(f"{path}: the saved call can't be read ({reason[:200]}); "
                          f"`deescalate resume --discard {call_id}` removes it") from None

    def ids(self) -> list[str]:
        """Saved call ids, oldest first."""
        try:
            return sorted(p.stem for p in self.folder.glob("*.json"))
        except OSError:
            return []

    def find(self, prefix: str) -> str:
        """The one saved call whose id starts with `prefix`."""
        matches = [i for i in self.ids() if i.startswith(prefix)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFound(f"no saved call {prefix!r}; "
                           "`deescalate resume --list` shows them")
        raise Ambiguous(f"{prefix!r} matches {len(matches)} saved calls: "
                        f"{', '.join(matches)}")

    def discard(self, call_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(call_id).unlink()
