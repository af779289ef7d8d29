"""Calls in progress, kept in the user's state folder so nothing typed is ever lost.

Each call is one JSON file, rewritten atomically (temp file, fsync, rename) after every
answer, readable only by its owner. It is removed once the call's record is on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime
from pathlib import Path

from deescalate.call.model import Call
from deescalate.errors import Ambiguous, BadFile, NotFound
from deescalate.files import NotAFile, read_limited, write_atomic

# A saved call is a few kilobytes; one of hours of notes, a few hundred. A file larger
# than this is not one of ours.
MAX_BYTES = 16_000_000


def new_call_id(started: datetime) -> str:
    """A sortable id: the UTC start time and four random hex digits."""
    return f"{started:%Y%m%d-%H%M%S}-{os.urandom(2).hex()}"


class CallStore:
    """The saved state of unfinished calls."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, call_id: str) -> Path:
        return self.folder / f"{call_id}.json"

    def save(self, call: Call) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.path(call.id)
        data = json.dumps(call.to_dict(), ensure_ascii=False).encode("utf-8", "surrogatepass")
        write_atomic(path, data, mode=0o600)

    def load(self, call_id: str) -> Call:
        path = self.path(call_id)
        try:
            raw = read_limited(path, MAX_BYTES)  # only a regular file, and never too much
            if len(raw) > MAX_BYTES:
                raise BadFile(f"{path}: the saved call is larger than {MAX_BYTES:,} bytes; "
                              f"`deescalate resume --discard {call_id}` removes it")
            data = json.loads(raw.decode("utf-8", "surrogatepass"))
            return Call.from_dict(data)
        except FileNotFoundError:
            raise NotFound(f"no saved call {call_id!r}; "
                           "`deescalate resume --list` shows them") from None
        except NotAFile as exc:
            raise BadFile(f"{path}: is {exc.what}, not a saved call") from None
        except (OSError, ValueError, TypeError) as exc:
            raise BadFile(f"{path}: the saved call can't be read ({exc}); "
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
