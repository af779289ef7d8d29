"""A scripted Asker and helpers to drive the call engine without a terminal."""

from __future__ import annotations

import copy
import itertools
import json
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from deescalate.call import engine as call_engine
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


class WrapUp:
    """Answers to the wrap-up's questions by key; a list answers a question in turn (after
    a problem or an Esc). A question not named gets the default answer (`Script`)."""

    def __init__(self, answers: dict[str, Any]) -> None:
        known = {question.key for question in call_engine.WRAP_UP}
        unknown = set(answers) - known
        assert not unknown, f"no wrap-up question is called {unknown}; there are {known}"
        self.left = {key: deque(value if isinstance(value, list) else [value])
                     for key, value in answers.items()}

    def answer(self, key: str) -> Any:
        if key not in self.left:
            return DEFAULT
        assert self.left[key], f"the script ran out of answers to the wrap-up's {key}"
        return self.left[key].popleft()

    @property
    def used(self) -> bool:
        return not any(self.left.values())


DEFAULT = object()  # a wrap-up question the script does not name: take the default answer
# The default answer to a wrap-up question asked as text, by its key; any other gets
# the text offered, else ANSWER.
DEFAULT_TEXT = {"summary": "Sorted out on the call", "follow-up": "+3d"}
ANSWER = "Answered by the test script"


def wrap_up(**answers: Any) -> tuple[str, WrapUp]:
    """The wrap-up, answered by meaning: `wrap_up(outcome="follow-up", summary="...",
    root_cause=None, follow_up="+3d")`. A choice is the option's text or its index (None:
    the option offered, for the root cause "(none)"); an exception is raised there (GoBack
    for Esc); a list answers the same question again after a problem or an Esc. Questions
    not named get the one offered, else DEFAULT_TEXT, so a new question breaks no script."""
    return ("wrap-up", WrapUp({key.replace("_", "-"): value for key, value in answers.items()}))


Answers = list[tuple[str, Any]]


def note(text: Any) -> Answers:
    return [("action", Action.NOTE), ("text", text)]


def rate_mood(value: Any) -> Answers:
    return [("action", Action.MOOD), ("mood", value)]


def tick(item: int) -> Answers:
    return [("action", (Action.TICK, item))]


def next_step(*captures: Any, branch: Any = None) -> Answers:
    """Enter: the step's write-down fields in order, then its branch (text or index)."""
    return [("action", Action.NEXT), *(("capture", value) for value in captures),
            *([("choose", branch)] if branch is not None else [])]


def skip(reason: Any = "", branch: Any = None) -> Answers:
    return [("action", Action.SKIP), ("text", reason),
            *([("choose", branch)] if branch is not None else [])]


def escalate() -> Answers:
    return [("action", Action.ESCALATE)]


def end_call() -> Answers:
    return [("action", Action.END)]


class Script:
    """An Asker that answers from a list of (kind, value) pairs, in order.

    Lists of pairs (from the step helpers) are taken in order; a `wrap_up(...)` answers
    the wrap-up's questions by key until the call asks something else."""

    def __init__(self, *answers: tuple[str, Any] | Answers) -> None:
        self.clock: Clock | None = None  # ticked on every answer, when set
        self.answers: deque[tuple[str, Any]] = deque()
        self.shown: list[StepView] = []
        self.headings: list[str] = []
        self.problems: list[str] = []
        self.asked: list[tuple[str, Any]] = []
        self.questions: list[tuple[str, Any]] = []  # (key, detail) of each wrap-up question
        self.briefs: list[list[str]] = []
        self.add(*answers)

    def add(self, *answers: tuple[str, Any] | Answers) -> None:
        for item in answers:
            self.answers.extend(item if isinstance(item, list) else [item])

    def left_over(self) -> list[tuple[str, Any]]:
        """The answers no question took (a wrap-up whose answers were all used is done)."""
        return [(kind, value) for kind, value in self.answers
                if not (kind == "wrap-up" and value.used)]

    def asked_in_wrap_up(self, key: str) -> list[Any]:
        """What was shown each time the wrap-up asked the question `key`."""
        return [detail for asked, detail in self.questions if asked == key]

    def _next(self, kind: str, detail: Any = None, question: str | None = None) -> Any:
        self.asked.append((kind, detail))
        if question is not None:
            self.questions.append((question, detail))
        while question is None and self.answers and self.answers[0][0] == "wrap-up":
            done = self.answers.popleft()[1]  # the call moved on from the wrap-up
            assert done.used, f"wrap-up answers left over at a {kind} question: {done.left}"
        if question is not None and self.answers and self.answers[0][0] == "wrap-up":
            value = self.answers[0][1].answer(question)
        else:
            assert self.answers, f"the script ran out at a {kind} question ({detail})"
            expected, value = self.answers.popleft()
            assert expected == kind, f"expected a {expected} question, got {kind} ({detail})"
        if self.clock is not None:
            self.clock.tick()
        if isinstance(value, BaseException):
            raise value
        return value

    @staticmethod
    def _question(label: str, key: str | None = None) -> str | None:
        """The key of the wrap-up question asked with this prompt, None outside the wrap-up."""
        for question in call_engine.WRAP_UP:  # looked up now: a test may add a question
            if (question.key == key) if key is not None else (question.label == label):
                return question.key
        return None

    def show(self, view: StepView) -> None:
        self.shown.append(view)

    def heading(self, text: str) -> None:
        self.headings.append(text)

    def action(self, view: StepView) -> tuple[Action, int | None]:
        value = self._next("action", view.step.id)
        return value if isinstance(value, tuple) else (value, None)

    def text(self, label: str, *, key: str, default: str = "", multiline: bool = False,
             hint: str = "", check: Any = None, preview: Any = None) -> str:
        question = self._question(label, key)
        value = self._next("text", (label, default), question)
        if value is DEFAULT or (question is not None and value is None):
            value = DEFAULT_TEXT.get(question or "", default or ANSWER)
            problem = check(value) if check is not None else None
            assert not problem, (f"the default answer {value!r} to the wrap-up's {question} "
                                 f"does not fit ({problem}): name it in wrap_up()")
        if check is not None and value is not None:
            problem = check(value)
            if problem:
                self.problems.append(problem)
        return str(value)

    def capture(self, capture: Capture, current: Any, error: str | None,
                draft: str = "") -> str | None:
        return self._next("capture", (capture.id, current, error))  # type: ignore[no-any-return]

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        key = self._question(question)
        value = self._next("choose", (question, options, default), key)
        if value is DEFAULT or (key is not None and value is None):
            return default or 0
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
    script.add(wrap_up(outcome="resolved", summary="Sorted out on the call"))
    return script


def round_trip(call: Call) -> Call:
    """The call as it comes back from its saved JSON."""
    return Call.from_dict(json.loads(json.dumps(copy.deepcopy(call.to_dict()))))
