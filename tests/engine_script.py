"""A scripted Asker and helpers to drive the call engine without a terminal."""

from __future__ import annotations

import copy
import itertools
import json
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from deescalate.call.engine import Action, CallEngine, StepView
from deescalate.call.model import Call
from deescalate.playbooks.catalog import builtin_dir
from deescalate.playbooks.format import END, Capture, Playbook
from deescalate.playbooks.loader import load_file

START = datetime(2026, 11, 22, 14, 30, 12, tzinfo=UTC)


class Clock:
    """Call time that moves on `step` seconds with every answer a Script gives."""

    def __init__(self, step: int = 5) -> None:
        self.now = START
        self.step = step

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> None:
        self.now += timedelta(seconds=self.step)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C in the middle of typing `typed`."""

    def __init__(self, typed: str = "") -> None:
        super().__init__()
        self.typed = typed


class Script:
    """An Asker that answers from a list of (kind, value) pairs, in order."""

    def __init__(self, *answers: tuple[str, Any]) -> None:
        self.clock: Clock | None = None  # ticked on every answer, when set
        self.answers = deque(answers)
        self.shown: list[StepView] = []
        self.headings: list[str] = []
        self.problems: list[str] = []
        self.asked: list[tuple[str, Any]] = []
        self.briefs: list[list[str]] = []

    def add(self, *answers: tuple[str, Any]) -> None:
        self.answers.extend(answers)

    def _next(self, kind: str, detail: Any = None) -> Any:
        self.asked.append((kind, detail))
        assert self.answers, f"the script ran out at a {kind} question ({detail})"
        expected, value = self.answers.popleft()
        if self.clock is not None:
            self.clock.tick()
        assert expected == kind, f"expected a {expected} question, got {kind} ({detail})"
        if isinstance(value, BaseException):
            raise value
        return value

    def show(self, view: StepView) -> None:
        self.shown.append(view)

    def heading(self, text: str) -> None:
        self.headings.append(text)

    def action(self, view: StepView) -> tuple[Action, int | None]:
        value = self._next("action", view.step.id)
        return value if isinstance(value, tuple) else (value, None)

    def text(self, label: str, *, key: str, default: str = "", multiline: bool = False,
             hint: str = "", check: Any = None, preview: Any = None) -> str:
        value = self._next("text", (label, default))
        if check is not None and value is not None:
            problem = check(value)
            if problem:
                self.problems.append(problem)
        return str(value)

    def capture(self, capture: Capture, current: Any, error: str | None,
                draft: str = "") -> str | None:
        return self._next("capture", (capture.id, current, error))  # type: ignore[no-any-return]

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        value = self._next("choose", (question, options, default))
        return options.index(value) if isinstance(value, str) else int(value)

    def mood(self, current: int | None) -> int | None:
        return self._next("mood", current)  # type: ignore[no-any-return]

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def brief(self, lines: list[str]) -> None:
        self.briefs.append(lines)

    def confirm_stop(self) -> bool:
        return bool(self._next("stop"))


def builtin(name: str) -> Playbook:
    return load_file(builtin_dir() / f"{name}.yaml")


def new_call(book: Playbook, *, customer: str | None = "Dana R.", reference: str | None = "T-1",
             records: Path = Path("records"), clock: Clock | None = None) -> CallEngine:
    assert book.path is not None
    return CallEngine.start(book, book.path.read_text(), call_id="20261122-143012-abcd",
                            agent="jdoe", customer=customer, reference=reference,
                            records=str(records), clock=clock or Clock())


def answer_for(capture: Capture) -> str | None:
    """A valid answer for a required capture; None leaves an optional one empty."""
    if not capture.required:
        return None
    return {"line": "AB123456", "text": "Said in their own words", "number": "42",
            "date": "2026-11-20", "yes-no": "yes"}.get(
        capture.type, capture.choices[0] if capture.choices else "x")


def route_through(book: Playbook, step_id: str, option: int) -> list[str]:
    """Step ids from the start, through `option` of `step_id`, to the end (shortest)."""
    def shortest(source: str, target: str) -> list[str]:
        paths = {source: [source]}
        queue = deque([source])
        while queue:
            current = queue.popleft()
            if current == target:
                return paths[current]
            if current == END:
                continue
            for nxt in book.successors(book.step(current)):
                if nxt not in paths:
                    paths[nxt] = [*paths[current], nxt]
                    queue.append(nxt)
        raise AssertionError(f"no way from {source} to {target}")

    branch = book.step(step_id).branch
    assert branch is not None
    head = shortest(book.start, step_id)
    tail = shortest(branch.options[option].goto, END)
    return [*head, *tail]


def walk(book: Playbook, route: list[str]) -> Script:
    """Answers that walk a call along `route` (ending with END), then a wrap-up."""
    script = Script()
    for here, there in itertools.pairwise(route):
        step = book.step(here)
        script.add(("action", Action.NEXT))
        for capture in step.capture:
            script.add(("capture", answer_for(capture)))
        if step.branch:
            targets = [o.goto for o in step.branch.options]
            script.add(("choose", targets.index(there)))
    script.add(("choose", "resolved"), ("text", "Sorted out on the call"), ("choose", 0))
    return script


def round_trip(call: Call) -> Call:
    """The call as it comes back from its saved JSON."""
    return Call.from_dict(json.loads(json.dumps(copy.deepcopy(call.to_dict()))))
