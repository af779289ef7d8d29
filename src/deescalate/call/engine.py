"""The call engine: where a call is, what each key does, and what gets recorded.

Pure Python: no screen and no disk. `CallEngine` holds one call's state (a `Call`,
plain data that saves as JSON) and applies the agent's actions to it; `run_call`
drives a whole call through an `Asker`, the small interface the screen implements
and tests script, calling `save` after every answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from deescalate import dates
from deescalate.call.model import Call, Mood, Note, Visit, iso, parse_iso, utc_now
from deescalate.playbooks.format import CALL_FIELDS, END, PLACEHOLDER, Capture, Playbook, Step
from deescalate.records.format import MOODS, NEEDS_FOLLOW_UP, OUTCOMES


class Action(StrEnum):
    """What the agent can do at any step, each one key away."""

    NEXT = "next"
    NOTE = "note"
    MOOD = "mood"
    TICK = "tick"
    BACK = "back"
    SKIP = "skip"
    ESCALATE = "escalate"
    END = "end"


class CaptureError(ValueError):
    """A captured value that doesn't fit its field; the message says what would."""


def parse_capture(capture: Capture, raw: str | None, *, today: date | None = None) -> Any:
    """The value to keep for what the agent typed, None when left empty, or CaptureError."""
    text = (raw or "").strip() if capture.type != "text" else (raw or "").strip("\n")
    if not text.strip():
        if capture.required:
            raise CaptureError(f"{capture.label} is required")
        return None
    if capture.type in ("line", "text"):
        if capture.pattern and not re.fullmatch(capture.pattern, text):
            raise CaptureError(f"{capture.label} should match {capture.pattern}")
        return text
    if capture.type == "number":
        cleaned = re.sub(r"[\s,]", "", text).lstrip("$£€")
        try:
            number = float(cleaned)
        except ValueError:
            raise CaptureError(f"{capture.label} should be a number, like 42 or 19.99") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise CaptureError(f"{capture.label} should be a number, like 42 or 19.99")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if capture.type == "choice":
        for choice in capture.choices:
            if text.lower() == choice.lower():
                return choice
        raise CaptureError(f"{capture.label} should be one of: {', '.join(capture.choices)}")
    if capture.type == "yes-no":
        answer = text.lower()
        if answer in ("y", "yes", "true"):
            return True
        if answer in ("n", "no", "false"):
            return False
        raise CaptureError(f"{capture.label}: answer yes or no")
    if capture.type == "date":
        try:
            return dates.parse_date(text, base=today, future=False).isoformat()
        except ValueError as exc:
            raise CaptureError(f"{capture.label}: {exc}") from None
    raise CaptureError(f"{capture.label}: unknown type {capture.type}")  # pragma: no cover


@dataclass(frozen=True)
class StepView:
    """What the screen shows for the current step."""

    playbook_title: str
    number: int
    total: int
    step: Step
    elapsed: int
    mood: int | None
    say: tuple[str, ...]  # placeholders filled in where the value is known
    ticked: tuple[bool, ...]
    captures: tuple[tuple[Capture, Any], ...]
    notes: tuple[str, ...]
    escalated: bool
    can_go_back: bool


class CallEngine:
    """Applies the agent's actions to a call."""

    def __init__(self, playbook: Playbook, call: Call,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.playbook = playbook
        self.call = call
        self.clock = clock

    @classmethod
    def start(cls, playbook: Playbook, playbook_text: str, *, call_id: str, agent: str,
              customer: str | None, reference: str | None, records: str,
              clock: Callable[[], datetime] = utc_now) -> CallEngine:
        call = Call(
            id=call_id, playbook=playbook.id, playbook_version=playbook.version,
            playbook_sha256=playbook.sha256, playbook_text=playbook_text,
            playbook_path=str(playbook.path) if playbook.path else None, agent=agent,
            customer=customer or None, reference=reference or None, records=records,
            started=iso(clock()),
        )
        engine = cls(playbook, call, clock)
        engine._enter(playbook.start, forward=True)
        return engine

    # -- where the call is ---------------------------------------------------------

    def elapsed(self) -> int:
        return max(0, int((self.clock() - parse_iso(self.call.started)).total_seconds()))

    @property
    def visit(self) -> Visit:
        return self.call.visits[-1]

    @property
    def step(self) -> Step:
        return self.playbook.step(self.visit.step)

    @property
    def finished(self) -> bool:
        return self.call.phase == "done"

    def fill(self, phrase: str) -> str:
        """A `say` phrase with its placeholders filled in, or marked where still unknown."""
        labels = {c.id: c.label for c in self.playbook.captures()}

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            known = self._placeholder_value(name)
            if known is not None:
                return known
            if name in labels:
                return f"[{labels[name].lower()}]"
            if name in CALL_FIELDS:
                return {"customer": "[name]", "agent": "[your name]", "ref": "[reference]"}[name]
            return match.group(0)

        return PLACEHOLDER.sub(value, phrase)

    def _placeholder_value(self, name: str) -> str | None:
        if name == "customer":
            return self.call.customer
        if name == "agent":
            return self.call.agent
        if name == "ref":
            return self.call.reference
        value = self.call.captures.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    def view(self) -> StepView:
        step = self.step
        return StepView(
            playbook_title=self.playbook.title,
            number=self.playbook.number(step.id),
            total=len(self.playbook.steps),
            step=step,
            elapsed=self.elapsed(),
            mood=self.call.mood[-1].value if self.call.mood else None,
            say=tuple(self.fill(p) for p in step.say),
            ticked=tuple(item in self.visit.ticked for item in step.checklist),
            captures=tuple((c, self.call.captures.get(c.id)) for c in step.capture),
            notes=tuple(n.text for n in self.visit.notes),
            escalated=self.call.escalated,
            can_go_back=len(self.call.trail) > 1,
        )

    # -- actions -----------------------------------------------------------------

    def note(self, text: str) -> None:
        if text.strip():
            self.visit.notes.append(Note(self.elapsed(), text))

    def rate_mood(self, value: int) -> None:
        if value not in MOODS:
            raise ValueError(f"mood is 1 (calm) to 5 (hostile), not {value}")
        self.call.mood.append(Mood(self.visit.step, self.elapsed(), value))

    def toggle(self, index: int) -> None:
        """Tick or untick checklist item `index` (0-based) of the current step."""
        items = self.step.checklist
        if not 0 <= index < len(items):
            return
        item = items[index]
        ticked = self.visit.ticked
        if item in ticked:
            ticked.remove(item)
        else:
            ticked.append(item)

    def set_capture(self, capture: Capture, raw: str | None) -> Any:
        """Check and keep a captured value; CaptureError says what is wrong with it."""
        value = parse_capture(capture, raw)
        if value is None:
            self.call.captures.pop(capture.id, None)
        else:
            self.call.captures[capture.id] = value
        return value

    def missing_captures(self) -> list[Capture]:
        return [c for c in self.step.capture if self.call.captures.get(c.id) is None]

    def advance(self, answer: int | None = None) -> str:
        """Leave the step for the next one (a branch needs the chosen option's index)."""
        step = self.step
        if step.branch:
            if answer is None or not 0 <= answer < len(step.branch.options):
                raise ValueError("a branch step needs one of its options")
            option = step.branch.options[answer]
            self.visit.answer = option.label
            target = option.goto
        else:
            assert step.next is not None
            target = step.next
        return self._go(target)

    def skip(self, reason: str | None, answer: int | None = None) -> str:
        self.visit.skipped = True
        self.visit.skip_reason = reason.strip() if reason and reason.strip() else None
        return self.advance(answer)

    def back(self) -> str:
        """Return to the step before this one on the way here."""
        if len(self.call.trail) < 2:
            return self.visit.step
        self._close_visit()
        self.call.trail.pop()
        self._enter(self.call.trail[-1], forward=False)
        return self.visit.step

    def escalate(self) -> str:
        """Record the escalation; go to the escalate step, or to the wrap-up if there is none."""
        self.call.escalated = True
        target = self.playbook.escalate
        if target and target != self.visit.step:
            return self._go(target)
        return self._go(END)

    def end_call(self) -> None:
        self._go(END)

    def _go(self, target: str) -> str:
        self._close_visit()
        if target == END:
            self.call.phase = "wrap-up"
            if self.call.ended is None:
                self.call.ended = iso(self.clock())
        else:
            self._enter(target, forward=True)
        return target

    def _enter(self, step_id: str, *, forward: bool) -> None:
        if forward:
            self.call.trail.append(step_id)
        self.call.visits.append(Visit(step_id, self.elapsed()))

    def _close_visit(self) -> None:
        if self.call.visits and self.call.phase == "steps":
            visit = self.visit
            visit.seconds = max(0, self.elapsed() - visit.at)

    # -- the wrap-up ---------------------------------------------------------------

    def default_outcome(self) -> str:
        return "escalated" if self.call.escalated else "resolved"

    def set_outcome(self, outcome: str) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"the outcome is one of {', '.join(OUTCOMES)}")
        self.call.outcome = outcome
        if outcome not in NEEDS_FOLLOW_UP:
            self.call.follow_up = None

    def set_summary(self, text: str) -> None:
        self.call.summary = _summary_line(text)

    def set_root_cause(self, cause: str | None) -> None:
        self.call.root_cause = cause or None
        self.call.root_cause_asked = True

    def set_follow_up(self, text: str, *, today: date | None = None) -> date:
        when = dates.parse_date(text, base=today)
        self.call.follow_up = when.isoformat()
        return when

    def next_question(self) -> str | None:
        """The wrap-up question still to answer: outcome, summary, root-cause, follow-up."""
        call = self.call
        if call.outcome is None:
            return "outcome"
        if call.summary is None:
            return "summary"
        if not call.root_cause_asked:
            return "root-cause"
        if call.outcome in NEEDS_FOLLOW_UP and call.follow_up is None:
            return "follow-up"
        return None

    def finish(self) -> None:
        if self.next_question() is not None:
            raise ValueError(f"the wrap-up still needs: {self.next_question()}")
        if self.call.ended is None:
            self.call.ended = iso(self.clock())
        self.call.phase = "done"


Check = Callable[[str], "str | None"]


class Asker(Protocol):
    """What the engine needs from a screen. Any call may raise KeyboardInterrupt."""

    def show(self, view: StepView) -> None: ...

    def heading(self, text: str) -> None:
        """A heading between parts of the call, such as the wrap-up."""

    def action(self, view: StepView) -> tuple[Action, int | None]:
        """The next action; for TICK, the 0-based checklist item."""

    def text(self, label: str, *, key: str, default: str = "", multiline: bool = False,
             hint: str = "", check: Check | None = None) -> str:
        """Free text; `key` names the prompt so a cut-off draft can be kept.

        `check` returns what is wrong with an answer (or None), so a screen can say so
        before the answer is taken; the engine checks again either way.
        """

    def capture(self, capture: Capture, current: Any, error: str | None) -> str | None:
        """A capture's raw answer (None or '' leaves an optional one empty)."""

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        """The index of the chosen option."""

    def mood(self, current: int | None) -> int | None:
        """A mood from 1 to 5, or None to leave it."""

    def problem(self, message: str) -> None:
        """Tell the agent their answer did not fit, before asking again."""

    def confirm_stop(self) -> bool:
        """After Ctrl-C: True to save and stop, False to go on with the call."""


class CallPaused(Exception):
    """The agent stopped the call part-way; it is saved and can be resumed."""


class Hangup(KeyboardInterrupt):
    """Stop at once without asking: the terminal is gone or the process must end."""


def run_call(engine: CallEngine, asker: Asker, save: Callable[[Call], None],
             root_causes: list[str]) -> Call:
    """Drive the call from where it is to a finished wrap-up, saving after every answer."""
    save(engine.call)
    while not engine.finished:
        try:
            if engine.call.phase == "steps":
                _step_turn(engine, asker)
            else:
                _wrap_up_turn(engine, asker, root_causes)
        except KeyboardInterrupt as interrupt:
            save(engine.call)
            if isinstance(interrupt, Hangup):
                raise CallPaused(engine.call.id) from None
            try:
                stop = asker.confirm_stop()
            except KeyboardInterrupt:  # a second Ctrl-C: save and stop
                stop = True
            if stop:
                raise CallPaused(engine.call.id) from None
        save(engine.call)
    return engine.call


def _ask_text(engine: CallEngine, asker: Asker, label: str, key: str, **kwargs: Any) -> str:
    """Ask for text, keeping a cut-off draft in the call so nothing typed is lost."""
    draft = engine.call.draft.pop(key, "")
    try:
        return asker.text(label, key=key, default=draft or kwargs.pop("default", ""), **kwargs)
    except KeyboardInterrupt as interrupt:
        typed = getattr(interrupt, "typed", "")
        if typed:
            engine.call.draft[key] = typed
        raise


def _step_turn(engine: CallEngine, asker: Asker) -> None:
    view = engine.view()
    asker.show(view)
    action, item = asker.action(view)
    step = engine.step
    if action is Action.NEXT:
        _ask_captures(engine, asker)
        engine.advance(_branch_answer(asker, step))
    elif action is Action.NOTE:
        engine.note(_ask_text(engine, asker, "Note", key=f"note:{step.id}", multiline=True))
    elif action is Action.MOOD:
        value = asker.mood(view.mood)
        if value is not None:
            engine.rate_mood(value)
    elif action is Action.TICK and item is not None:
        engine.toggle(item)
    elif action is Action.BACK:
        engine.back()
    elif action is Action.SKIP:
        reason = _ask_text(engine, asker, "Why skip it? (optional)", key=f"skip:{step.id}")
        engine.skip(reason, _branch_answer(asker, step))
    elif action is Action.ESCALATE:
        engine.escalate()
    elif action is Action.END:
        engine.end_call()


def _ask_captures(engine: CallEngine, asker: Asker) -> None:
    for capture in engine.step.capture:
        error = None
        while True:
            raw = asker.capture(capture, engine.call.captures.get(capture.id), error)
            try:
                engine.set_capture(capture, raw)
                break
            except ValueError as exc:
                error = str(exc)
                asker.problem(error)


def _branch_answer(asker: Asker, step: Step) -> int | None:
    if not step.branch:
        return None
    return asker.choose(step.branch.question, [o.label for o in step.branch.options])


def _problem_of(parse: Callable[[str], Any]) -> Check:
    """A Check from a function that raises ValueError on a bad answer."""

    def check(text: str) -> str | None:
        try:
            parse(text)
        except ValueError as exc:
            return str(exc)
        return None

    return check


def _summary_line(text: str) -> str:
    line = " ".join(text.split())
    if not line:
        raise ValueError("a one-line summary is needed")
    return line


def _wrap_up_turn(engine: CallEngine, asker: Asker, root_causes: list[str]) -> None:
    question = engine.next_question()
    if question is None:
        engine.finish()
    elif question == "outcome":
        minutes, seconds = divmod(engine.elapsed(), 60)
        asker.heading(f"Wrap-up · {minutes:02d}:{seconds:02d}"
                      f"{' · escalated' if engine.call.escalated else ''}")
        default = OUTCOMES.index(engine.default_outcome())
        engine.set_outcome(OUTCOMES[asker.choose("How did the call end?", list(OUTCOMES),
                                                 default)])
    elif question == "summary":
        text = _ask_text(engine, asker, "One-line summary", key="summary",
                         check=_problem_of(_summary_line))
        try:
            engine.set_summary(text)
        except ValueError as exc:
            asker.problem(str(exc))
    elif question == "root-cause":
        if not root_causes:
            engine.set_root_cause(None)
            return
        options = ["(none)", *root_causes]
        index = asker.choose("Root cause", options, 0)
        engine.set_root_cause(None if index == 0 else options[index])
    elif question == "follow-up":
        text = _ask_text(engine, asker, "Follow up on", key="follow-up",
                         hint="2026-12-01, tomorrow, +3d or a weekday",
                         check=_problem_of(dates.parse_date))
        try:
            engine.set_follow_up(text)
        except ValueError as exc:
            asker.problem(str(exc))
