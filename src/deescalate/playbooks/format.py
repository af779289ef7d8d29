"""The playbook model, format version 1: what a valid playbook is, as typed data.

The format itself is stated once, as the JSON Schema in `deescalate.playbooks.schema`;
`deescalate.playbooks.loader` reads a YAML file against it into these types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

END = "end"
# Placeholders a `say` phrase may use besides the playbook's capture ids.
CALL_FIELDS = ("customer", "agent", "ref")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Capture:
    """A fact to write down at a step."""

    id: str
    label: str
    type: str = "line"  # a name in the capture table, `deescalate.playbooks.captures.TYPES`
    required: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    label: str
    goto: str


@dataclass(frozen=True, slots=True)
class Branch:
    question: str
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One screen of the call: what to do, say, avoid, tick and write down."""

    id: str
    title: str
    do: tuple[str, ...] = ()
    say: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    checklist: tuple[str, ...] = ()
    capture: tuple[Capture, ...] = ()
    next: str | None = None
    branch: Branch | None = None


@dataclass(frozen=True)
class Playbook:
    """A valid playbook; `start` is always set, and `next` is resolved on every step."""

    id: str
    title: str
    steps: tuple[Step, ...]
    start: str
    summary: str = ""
    version: int | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    escalate: str | None = None
    path: Path | None = None
    sha256: str = ""
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({step.id: n for n, step in enumerate(self.steps)})

    def step(self, step_id: str) -> Step:
        return self.steps[self._index[step_id]]

    def number(self, step_id: str) -> int:
        """The step's 1-based position in the playbook."""
        return self._index[step_id] + 1

    def successors(self, step: Step) -> list[str]:
        """Where a step can lead: its branch's targets, else its one next step (maybe `end`)."""
        if step.branch:
            return [option.goto for option in step.branch.options]
        assert step.next is not None
        return [step.next]

    def captures(self) -> Iterator[Capture]:
        for step in self.steps:
            yield from step.capture

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the file format's shape (for JSON output)."""
        def clean(obj: Any) -> Any:
            if isinstance(obj, tuple | list):
                return [clean(item) for item in obj]
            if hasattr(obj, "__dataclass_fields__"):
                return {name: clean(getattr(obj, name)) for name in obj.__dataclass_fields__
                        if not name.startswith("_") and name not in ("path", "sha256")}
            return obj
        data: dict[str, Any] = clean(self)
        data["source"] = str(self.path) if self.path else None
        data["sha256"] = self.sha256
        return data
