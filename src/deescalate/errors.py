"""The one error type for problems with the user's input, files or terminal."""

from __future__ import annotations

from typing import NamedTuple

# Exit codes, as PRODUCT.md section 1 fixes them.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class DeescalateError(Exception):
    """A problem the user can fix: shown as one line, never as a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


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


class PlaybookInvalid(DeescalateError):
    """A playbook that has errors, raised where a valid one is needed."""

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.is_error]
        first = errors[0] if errors else problems[0]
        more = len(errors) - 1
        tail = (f" (and {more} more; run `deescalate playbooks validate {first.path}`)"
                if more else "")
        super().__init__(f"{first}{tail}")
        self.problems = problems
