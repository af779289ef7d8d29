"""The kinds of problem the library reports: each says what went wrong, never how to exit.

Every error here is a problem the user can fix, shown as one line and never as a
traceback. The command line (`deescalate.cli.run`) is the one place that renders
them and turns each kind into an exit code.
"""

from __future__ import annotations

from typing import NamedTuple


class DeescalateError(Exception):
    """A problem the user can fix; `message` says what it is, in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(DeescalateError):
    """A value given on the command line or typed at a prompt that can't be used."""


class NotFound(DeescalateError):
    """No playbook, record, saved call, file or folder goes by the name given."""


class Ambiguous(NotFound):
    """More than one thing goes by the name given."""


class BadFile(DeescalateError):
    """A file that was read but can't be used: too large, not text, not valid."""


class CantRead(DeescalateError):
    """A file or folder the system won't let us read."""


class CantWrite(DeescalateError):
    """A file or folder the system won't let us write: permissions, a full disk."""


class Conflict(DeescalateError):
    """The thing to change is not in the state the change needs (done already, taken,
    or changed by someone else meanwhile)."""


class NoTerminal(DeescalateError):
    """An interactive command run without a terminal."""


class Problem(NamedTuple):
    """One finding about a file, reported as `FILE:LINE:COL: severity: message`."""

    path: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"


class FileInvalid(BadFile):
    """A file of a checked format that has errors, raised where a valid one is needed:
    the first error, and the command that lists them all."""

    command = "playbooks validate"

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.is_error]
        first = errors[0] if errors else problems[0]
        more = len(errors) - 1
        tail = (f" (and {more} more; run `deescalate {self.command} {first.path}`)"
                if more else "")
        super().__init__(f"{first}{tail}")
        self.problems = problems


class PlaybookInvalid(FileInvalid):
    """A playbook that has errors, raised where a valid one is needed."""


class ScenarioInvalid(FileInvalid):
    """A practice scenario that has errors, raised where a valid one is needed."""

    command = "practice validate"
