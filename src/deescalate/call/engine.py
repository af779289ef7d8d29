"""The call engine: where a call is, what each key does, and what gets recorded.

Pure Python: no screen and no disk. `CallEngine` holds one call's state (a `Call`,
plain data that saves as JSON) and applies the agent's actions to it; `run_call`
drives a whole call through an `Asker`, the small interface the screen implements
and tests script, calling `save` after every answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from deescalate import dates
from deescalate.call.model import (
    Book,
    Call,
    Marks,
    Mood,
    Note,
    Visit,
    iso,
    mark_key,
    parse_iso,
    utc_now,
)
from deescalate.errors import DeescalateError

# Parsing a capture is the capture table's; these names stay importable from the engine.
from deescalate.playbooks.captures import ANSWER_LIMIT, kind_of
from deescalate.playbooks.captures import CaptureError as CaptureError
from deescalate.playbooks.captures import date_direction as date_direction
from deescalate.playbooks.captures import parse_capture as parse_capture
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
    SWITCH = "switch"
    HANDOVER = "handover"
    CUSTOMER = "customer"
    END = "end"


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
    skipped: bool = False
    answer: str | None = None
    visits: int = 1  # how many times the call has been on this step, this one included
    # Where the step is on the way the call is taking (`number` and `total` are its place
    # in the playbook): its number on that way, how many steps the way has when no
    # question lies ahead (None while one does), and whether it is the way's last step.
    on_path: int = 0
    path_total: int | None = None
    last: bool = False


class CallEngine:
    """Applies the agent's actions to a call."""

    def __init__(self, playbooks: dict[str, Playbook] | Playbook, call: Call,
                 clock: Callable[[], datetime] = utc_now) -> None:
        if isinstance(playbooks, Playbook):
            playbooks = {playbooks.id: playbooks}
        self.playbooks = playbooks
        self.call = call
        self.clock = clock
        self.earlier: list[str] = []  # lines about earlier calls, for the handover brief
        # What the handover brief goes through before it is shown: the team's redaction.
        self.redact: Callable[[str], str] = _as_typed

    @classmethod
    def start(cls, playbook: Playbook, playbook_text: str, *, call_id: str, agent: str,
              customer: str | None, reference: str | None, records: str,
              clock: Callable[[], datetime] = utc_now) -> CallEngine:
        call = Call(
            id=call_id, playbook=playbook.id, agent=agent,
            customer=customer or None, reference=reference or None, records=records,
            started=iso(clock()), books=[_book(playbook, playbook_text)],
        )
        engine = cls(playbook, call, clock)
        engine._enter(playbook.id, playbook.start, forward=True)
        return engine

    # -- where the call is ---------------------------------------------------------

    @property
    def playbook(self) -> Playbook:
        """The playbook the call is on now."""
        return self.playbooks[self.call.playbook]

    def today(self) -> date:
        """The call's local day, by its own clock."""
        return self.clock().astimezone().date()

    def elapsed(self) -> int:
        """Seconds on the call; once it has ended (the wrap-up), its length, so the
        wrap-up, the handover and the record read one clock."""
        until = parse_iso(self.call.ended) if self.call.ended else self.clock()
        return max(0, int((until - parse_iso(self.call.started)).total_seconds()))

    @property
    def visit(self) -> Visit:
        return self.call.visits[-1]

    @property
    def step(self) -> Step:
        return self.playbook.step(self.visit.step)

    @property
    def marks(self) -> Marks:
        return self.call.marks_for(self.call.playbook, self.visit.step)

    @property
    def finished(self) -> bool:
        return self.call.phase == "done"

    def fill(self, phrase: str) -> str:
        """A `say` phrase with its placeholders filled in, or marked where still unknown."""
        labels = {c.id: c.label for c in self.playbook.captures()}

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            known = self._placeholder_value(name)
            if known is not None:  # "Dana R." before a full stop: one stop, not two
                after = match.string[match.end():match.end() + 1]
                return known[:-1] if after and known.endswith(after) and after in ".!?" else known
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

    def path(self) -> tuple[int, int | None, bool]:
        """The step's number on the way the call is taking in this playbook, how many
        steps that way has (None while a question lies ahead), and whether it is the last."""
        book = self.playbook
        walked = list(dict.fromkeys(step for playbook, step in self.call.trail
                                    if playbook == book.id))
        here = self.visit.step
        number = walked.index(here) + 1 if here in walked else len(walked) + 1
        ahead, step = 0, book.step(here)
        while not step.branch and step.next not in (None, END) and ahead <= len(book.steps):
            ahead += 1
            step = book.step(step.next)
        if step.branch:
            return number, None, False
        return number, number + ahead, ahead == 0

    def view(self) -> StepView:
        step = self.step
        marks = self.marks
        here = (self.call.playbook, step.id)
        on_path, path_total, last = self.path()
        return StepView(
            playbook_title=self.playbook.title,
            number=self.playbook.number(step.id),
            total=len(self.playbook.steps),
            step=step,
            elapsed=self.elapsed(),
            mood=self.call.mood[-1].value if self.call.mood else None,
            say=tuple(self.fill(p) for p in step.say),
            ticked=tuple(item in marks.ticked for item in step.checklist),
            captures=tuple((c, self.call.captures.get(c.id)) for c in step.capture),
            notes=tuple(n.text for n in marks.notes),
            escalated=self.call.escalated,
            can_go_back=len(self.call.trail) > 1,
            skipped=marks.skipped,
            answer=marks.answer,
            visits=sum(1 for v in self.call.visits if (v.playbook, v.step) == here),
            on_path=on_path, path_total=path_total, last=last,
        )

    # -- actions -----------------------------------------------------------------

    def note(self, text: str) -> None:
        if text.strip():
            self.marks.notes.append(Note(self.elapsed(), text))

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
        ticked = self.marks.ticked
        if item in ticked:
            ticked.remove(item)
        else:
            ticked.append(item)

    def set_capture(self, capture: Capture, raw: str | None) -> Any:
        """Check and keep a captured value; CaptureError says what is wrong with it."""
        value = parse_capture(capture, raw, today=self.today())
        if value is None:
            self.call.captures.pop(capture.id, None)
        else:
            self.call.captures[capture.id] = value
        return value

    def advance(self, answer: int | None = None) -> str:
        """Leave the step for the next one (a branch needs the chosen option's index)."""
        step = self.step
        if step.branch:
            if answer is None or not 0 <= answer < len(step.branch.options):
                raise ValueError("a branch step needs one of its options")
            option = step.branch.options[answer]
            self.marks.answer = option.label
            target = option.goto
        else:
            assert step.next is not None
            target = step.next
        if not self.marks.skipped:
            self.marks.skip_reason = None
        return self._go(target)

    def skip(self, reason: str | None, answer: int | None = None) -> str:
        marks = self.marks
        marks.skipped = True
        marks.skip_reason = reason.strip() if reason and reason.strip() else None
        return self.advance(answer)

    def back(self) -> str:
        """Return to the step before this one on the way here (in whichever playbook).

        The step left is taken back; an answer given at the step returned to, which led
        away from it, is taken back with it, to be given again."""
        if len(self.call.trail) < 2:
            return self.visit.step
        self._close_visit()
        self.call.trail.pop()
        playbook, step = self.call.trail[-1]
        self.call.marks_for(playbook, step).answer = None
        self._enter(playbook, step, forward=False)
        self._update_escalation()
        return self.visit.step

    def escalate(self) -> str | None:
        """Go to the escalate step, or record the escalation and go to the wrap-up when
        the playbook names none; None (nothing done) when already at the escalate step."""
        target = self.playbook.escalate
        if target and target == self.visit.step:
            return None
        if target:
            return self._go(target)
        self.call.escalated_by_key = True
        self._update_escalation()
        return self._go(END)

    def switch(self, playbook: Playbook, text: str) -> str:
        """Carry on in another playbook, keeping everything so far: where the call left
        it when it was on it before, else at its start."""
        if playbook.id not in self.playbooks or all(b.id != playbook.id for b in self.call.books):
            self.playbooks[playbook.id] = playbook
            self.call.books.append(_book(playbook, text))
        target = self.place_in(playbook.id) or playbook.start
        self._close_visit()
        self.call.playbook = playbook.id
        self._enter(playbook.id, target, forward=True)
        self._update_escalation()
        return target

    def place_in(self, playbook: str) -> str | None:
        """The step the call was last on in `playbook`, None if it never was."""
        book = self.playbooks.get(playbook)
        for visit in reversed(self.call.visits):
            if visit.playbook == playbook and book is not None and visit.step in book._index:
                return visit.step
        return None

    def set_who(self, customer: str | None, reference: str | None) -> None:
        """Set or correct the customer's name and the reference (empty: not known)."""
        self.call.customer = _who(customer, "customer's name")
        self.call.reference = _who(reference, "reference")

    def end_call(self) -> None:
        self._go(END)

    def _go(self, target: str) -> str:
        self._close_visit()
        if target == END:
            self.call.phase = "wrap-up"
            if self.call.ended is None:
                self.call.ended = iso(self.clock())
        else:
            self._enter(self.call.playbook, target, forward=True)
            self._update_escalation()
        return target

    def _enter(self, playbook: str, step_id: str, *, forward: bool) -> None:
        self.call.playbook = playbook
        if forward:
            self.call.trail.append([playbook, step_id])
        self.call.visits.append(Visit(step_id, self.elapsed(), playbook=playbook))

    def _close_visit(self) -> None:
        if self.call.visits and self.call.phase == "steps":
            visit = self.visit
            visit.seconds = max(0, self.elapsed() - visit.at)

    def _update_escalation(self) -> None:
        """Escalated while the escalate step is on the way here, or `e` had no step to go to."""
        on_the_way = any(self.playbooks[book].escalate == step
                         for book, step in self.call.trail if book in self.playbooks)
        self.call.escalated = on_the_way or self.call.escalated_by_key

    # -- the handover brief ----------------------------------------------------------

    def handover(self) -> list[str]:
        """A brief to read aloud or paste to a supervisor, from what the call knows, with
        card numbers, IBANs and whatever else the team redacts taken out."""
        return [self.redact(line) for line in self._brief()]

    def _brief(self) -> list[str]:
        call = self.call
        lines = [f"Handover: {self.playbook.title}"]
        who = [f"Customer: {call.customer or 'not given'}"]
        if call.reference:
            who.append(f"Reference: {call.reference}")
        lines.append(" · ".join(who))
        minutes, seconds = divmod(self.elapsed(), 60)
        time_line = f"On the call: {minutes:02d}:{seconds:02d}"
        if call.mood:
            values = [m.value for m in call.mood]
            trend = ("cooling" if values[-1] < values[0] else
                     "heating up" if values[-1] > values[0] else "steady")
            shown = " → ".join(f"{v} {MOODS[v]}" for v in _squeeze(values))
            time_line += f" · Mood: {shown} ({trend})"
        lines.append(time_line)
        captures = {c.id: c for book in self._used() for c in book.captures()}
        concern = _concern(captures, call.captures)
        if concern:
            lines.append(f"In their words: {concern}")
        facts = [f"  {captures[key].label if key in captures else key}: {_shown(value)}"
                 for key, value in call.captures.items() if value is not None]
        if facts:
            lines += ["Written down:", *facts]
        agreed = []
        for _, step, marks in self._marked():
            if marks.answer is not None and step.branch is not None:
                agreed.append(f"  {step.branch.question} {marks.answer}")
        agreed += [f"  {captures[key].label}: {_shown(value)}"
                   for key, value in call.captures.items()
                   if key in captures and value is not None and _OFFER.search(key)]
        if agreed:
            lines += ["Offered or agreed:", *agreed]
        notes = [f"  {n.at // 60:02d}:{n.at % 60:02d} {_shown(n.text)}"
                 for _, _, marks in self._marked() for n in marks.notes]
        if notes:
            lines += ["Notes:", *notes]
        skipped = [f"  {step.title}{': ' + marks.skip_reason if marks.skip_reason else ''}"
                   for _, step, marks in self._marked() if marks.skipped]
        if skipped:
            lines += ["Steps skipped:", *skipped]
        lines.append(f"Escalated: {'yes' if call.escalated else 'no'}")
        if self.earlier:
            lines += ["Earlier calls:", *(f"  {line}" for line in self.earlier)]
        return lines

    def _used(self) -> list[Playbook]:
        return [self.playbooks[b.id] for b in self.call.books if b.id in self.playbooks]

    def _marked(self) -> list[tuple[str, Step, Marks]]:
        """Each step the call has been on, in the order first reached, with its marks."""
        seen: list[tuple[str, Step, Marks]] = []
        keys: set[str] = set()
        for visit in self.call.visits:
            key = mark_key(visit.playbook, visit.step)
            book = self.playbooks.get(visit.playbook)
            if key in keys or book is None or visit.step not in book._index:
                continue
            keys.add(key)
            seen.append((visit.playbook, book.step(visit.step), self.call.marks_for(
                visit.playbook, visit.step)))
        return seen

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
        when = follow_up_date(text, today=today or self.today())
        self.call.follow_up = when.isoformat()
        return when

    def pending(self) -> Question | None:
        """The first wrap-up question this call needs and has no answer for yet."""
        return next((question for question in WRAP_UP
                     if question.applies(self.call) and not question.answered(self.call)), None)

    def next_question(self) -> str | None:
        """The key of the wrap-up question still to answer, None when all are answered."""
        question = self.pending()
        return question.key if question else None

    def wrap_up_back(self, root_causes: Sequence[str]) -> None:
        """Take back the last answer the agent gave in the wrap-up (and any given on its own
        since); from the first question, back to the step."""
        question = self.pending()
        if question is None:
            return
        for earlier in reversed(WRAP_UP[:WRAP_UP.index(question)]):
            if earlier.applies(self.call):
                earlier.take_back(self)
                if earlier.asks(root_causes):
                    return
        self._back_to_the_step()

    def _back_to_the_step(self) -> None:
        call = self.call
        call.phase = "steps"
        call.ended = None
        call.escalated_by_key = False
        playbook, step = call.trail[-1]
        self._enter(playbook, step, forward=False)
        self._update_escalation()

    def finish(self) -> None:
        if self.next_question() is not None:
            raise ValueError(f"the wrap-up still needs: {self.next_question()}")
        if self.call.ended is None:
            self.call.ended = iso(self.clock())
        self.call.handover = self.handover() if self.call.escalated else None
        self.call.phase = "done"


# The most a customer's name or a reference may hold; a note or any other typed answer.
WHO_LIMIT = 200
TEXT_LIMIT = ANSWER_LIMIT


def _who(text: str | None, what: str) -> str | None:
    value = " ".join((text or "").split())
    if len(value) > WHO_LIMIT:
        raise ValueError(f"the {what} is {len(value):,} characters; at most {WHO_LIMIT} fit")
    return value or None


def who_or_refusal(text: str | None, flag: str) -> str | None:
    """A customer's name or reference given on the command line, as kept; BadInput when
    it is longer than fits."""
    from deescalate.errors import BadInput

    try:
        return _who(text, flag)
    except ValueError as exc:
        raise BadInput(str(exc).replace(f"the {flag} is", f"{flag} is")) from None


def _as_typed(text: str) -> str:
    return text


def _book(playbook: Playbook, text: str) -> Book:
    return Book(playbook.id, playbook.version, playbook.sha256, text,
                str(playbook.path) if playbook.path else None)


def _squeeze(values: list[int]) -> list[int]:
    """Mood ratings with repeats in a row taken out: 4 4 3 3 2 -> 4 3 2."""
    return [v for i, v in enumerate(values) if i == 0 or values[i - 1] != v]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


_OFFER = re.compile(r"offer|agree|solution|promise|refund|remedy")


def _concern(captures: dict[str, Capture], values: dict[str, Any]) -> str | None:
    """The customer's concern in their words: a field about the concern, else the first
    free-text field written down."""
    for key, capture in captures.items():
        if "concern" in f"{key} {capture.label}".lower() and values.get(key):
            return _shown(values[key])
    return None


def follow_up_date(text: str, *, today: date | None = None) -> date:
    """A follow-up date as typed, looking ahead; ValueError for a day in the past."""
    when = dates.parse_date(text, base=today, prefer="future")
    return dates.not_in_the_past(when, base=today)


Check = Callable[[str], "str | None"]
Preview = Callable[[str], "str | None"]


class GoBack(Exception):
    """The agent pressed Esc in a prompt: go back to where the question came from.

    `typed` holds any text that was in the prompt, so it can be offered again."""

    def __init__(self, typed: str = "") -> None:
        super().__init__()
        self.typed = typed


class Asker(Protocol):
    """What the engine needs from a screen. Any call may raise KeyboardInterrupt, and
    any question GoBack (Esc)."""

    def show(self, view: StepView) -> None: ...

    def heading(self, text: str) -> None:
        """A heading between parts of the call, such as the wrap-up."""

    def action(self, view: StepView) -> tuple[Action, int | None]:
        """The next action; for TICK, the 0-based checklist item."""

    def text(self, label: str, *, key: str, default: str = "", multiline: bool = False,
             hint: str = "", check: Check | None = None, preview: Preview | None = None) -> str:
        """Free text; `key` names the prompt so text being typed can be kept.

        `check` returns what is wrong with an answer (or None), so a screen can say so
        before the answer is taken; the engine checks again either way. `preview` says
        what the answer so far would become (a date, say), shown as it is typed.
        """

    def capture(self, capture: Capture, current: Any, error: str | None,
                draft: str = "") -> str | None:
        """A capture's raw answer (None or '' leaves an optional one empty)."""

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        """The index of the chosen option."""

    def mood(self, current: int | None) -> int | None:
        """A mood from 1 to 5, or None to leave it."""

    def problem(self, message: str) -> None:
        """Tell the agent their answer did not fit, before asking again."""

    def brief(self, lines: list[str]) -> None:
        """Show the handover brief until the agent goes back to the call."""

    def confirm_stop(self) -> bool:
        """After Ctrl-C: True to save and stop, False to go on with the call."""


class CallPaused(Exception):
    """The agent stopped the call part-way; it is saved and can be resumed."""


class Hangup(KeyboardInterrupt):
    """Stop at once without asking: the terminal is gone or the process must end."""


Other = Callable[[], "list[Playbook]"]


def run_call(engine: CallEngine, asker: Asker, save: Callable[[Call], object],
             root_causes: Sequence[str], others: Other | None = None) -> Call:
    """Drive the call from where it is to a finished wrap-up, saving after every answer.

    `others` lists the playbooks the call can switch to (`p`).
    """
    save(engine.call)
    while not engine.finished:
        try:
            if engine.call.phase == "steps":
                _step_turn(engine, asker, others)
            else:
                _wrap_up_turn(engine, asker, root_causes)
        except GoBack:
            if engine.call.phase == "wrap-up":
                engine.wrap_up_back(root_causes)
        except KeyboardInterrupt as interrupt:
            save(engine.call)
            if isinstance(interrupt, Hangup):
                raise CallPaused(engine.call.id) from None
            try:
                stop = asker.confirm_stop()
            except (KeyboardInterrupt, GoBack) as again:  # a second Ctrl-C: save and stop
                stop = not isinstance(again, GoBack)
            if stop:
                raise CallPaused(engine.call.id) from None
        save(engine.call)
    return engine.call


def _ask_text(engine: CallEngine, asker: Asker, label: str, key: str, **kwargs: Any) -> str:
    """Ask for text, keeping what was typed in the call if the prompt is cut off or left."""
    draft = engine.call.draft.get(key, "")
    try:
        answer = asker.text(label, key=key, default=draft or kwargs.pop("default", ""),
                            **kwargs)
    except (KeyboardInterrupt, GoBack) as interrupt:
        typed = getattr(interrupt, "typed", "")
        if typed.strip():
            engine.call.draft[key] = typed
        else:
            engine.call.draft.pop(key, None)
        raise
    engine.call.draft.pop(key, None)
    return answer


def _step_turn(engine: CallEngine, asker: Asker, others: Other | None) -> None:
    view = engine.view()
    asker.show(view)
    action, item = asker.action(view)
    step = engine.step
    if action is Action.NEXT:
        _ask_captures(engine, asker)
        engine.advance(_branch_answer(asker, step))
    elif action is Action.NOTE:
        engine.note(_ask_text(engine, asker, "Note", key=f"note:{engine.call.playbook}/{step.id}",
                              multiline=True, check=_problem_of(_typed_text)))
    elif action is Action.MOOD:
        value = asker.mood(view.mood)
        if value is not None:
            engine.rate_mood(value)
    elif action is Action.TICK and item is not None:
        engine.toggle(item)
    elif action is Action.BACK:
        engine.back()
    elif action is Action.SKIP:
        reason = _ask_text(engine, asker, "Why skip it? (optional)",
                           key=f"skip:{engine.call.playbook}/{step.id}")
        engine.skip(reason, _branch_answer(asker, step))
    elif action is Action.ESCALATE:
        if engine.escalate() is None:
            asker.problem("This is the escalation step already: Enter moves on, b goes back.")
    elif action is Action.SWITCH:
        _switch(engine, asker, others)
    elif action is Action.HANDOVER:
        asker.brief(engine.handover())
    elif action is Action.CUSTOMER:
        _ask_who(engine, asker)
    elif action is Action.END:
        engine.end_call()


def _typed_text(text: str) -> str:
    if len(text) > TEXT_LIMIT:
        raise ValueError(f"that is {len(text):,} characters; at most {TEXT_LIMIT:,} fit "
                         "in one answer: split it, or cut it down")
    return text


def _ask_who(engine: CallEngine, asker: Asker) -> None:
    """`c`: set or correct the customer's name and the reference."""
    call = engine.call

    def check(what: str) -> Check:
        return _problem_of(lambda text: _who(text, what))

    customer = _ask_text(engine, asker, "Customer's name (empty: not known)", key="who:customer",
                         default=call.customer or "", check=check("customer's name"))
    reference = _ask_text(engine, asker, "Reference (empty: none)", key="who:reference",
                          default=call.reference or "", check=check("reference"))
    engine.set_who(customer, reference)


def _switch(engine: CallEngine, asker: Asker, others: Other | None) -> None:
    books = [b for b in (others() if others else []) if b.id != engine.call.playbook]
    if not books:
        asker.problem("There is no other playbook to switch to.")
        return
    labels = [f"{b.title} ({b.id})" + (f" - {b.summary}" if b.summary else "") for b in books]
    chosen = books[asker.choose("Switch to which playbook? (Esc: stay)", labels)]
    place = engine.place_in(chosen.id)
    where = (f"back where it was left, at {chosen.step(place).title}" if place
             else f"at its start, {chosen.step(chosen.start).title}")
    if asker.choose(f"Switch to {chosen.title}, {where}?",
                    [f"Switch to {chosen.title}", f"Stay on {engine.playbook.title}"], 1) != 0:
        return
    text = engine.call.book(chosen.id).text if any(
        b.id == chosen.id for b in engine.call.books) else None
    if text is None:
        from deescalate import safeyaml

        try:
            assert chosen.path is not None
            text = safeyaml.read_text(chosen.path, what="playbook")
        except (DeescalateError, AssertionError) as exc:
            asker.problem(f"{chosen.id} can't be read now ({exc}); staying on this playbook.")
            return
    engine.switch(chosen, text)


def _ask_captures(engine: CallEngine, asker: Asker) -> None:
    for capture in engine.step.capture:
        error = None
        key = f"capture:{capture.id}"
        while True:
            draft = engine.call.draft.get(key, "")
            try:
                raw = asker.capture(capture, engine.call.captures.get(capture.id), error,
                                    draft=draft)
            except (KeyboardInterrupt, GoBack) as interrupt:
                typed = getattr(interrupt, "typed", "")
                if typed.strip():
                    engine.call.draft[key] = typed
                raise
            engine.call.draft.pop(key, None)
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


def date_preview(parse: Callable[[str], date], today: date | None = None) -> Preview:
    """A Preview saying which day a date answer became, as it is typed."""

    def preview(text: str) -> str | None:
        if not text.strip():
            return None
        try:
            return dates.describe(parse(text), base=today)
        except ValueError:
            return None

    return preview


@dataclass(frozen=True)
class CapturePrompt:
    """How a screen asks for a capture, by its type: picked from `options`, else typed."""

    options: tuple[str, ...]
    hint: str
    multiline: bool
    check: Check
    preview: Preview | None
    shown: Callable[[Any], str]

    def chosen(self, current: Any) -> int | None:
        """Which option the value kept so far is, if any."""
        if current is None:
            return None
        word = self.shown(current)
        return self.options.index(word) if word in self.options else None


def capture_prompt(capture: Capture, today: Callable[[], date]) -> CapturePrompt:
    """The prompt for a capture, from its type in the capture table."""
    kind = kind_of(capture)
    assert kind is not None, capture.type  # a loaded playbook names only known types

    def check(raw: str) -> str | None:
        try:
            parse_capture(capture, raw, today=today())
        except ValueError as exc:
            return str(exc)
        return None

    preview = None
    if kind.preview is not None:
        base, describe = today(), kind.preview

        def preview(text: str) -> str | None:
            if not text.strip():
                return None
            try:
                return describe(capture, text, base)
            except ValueError:
                return None

    return CapturePrompt(kind.options(capture), kind.hint(capture), kind.free_text, check,
                         preview, kind.shown)


def _summary_line(text: str) -> str:
    line = " ".join(text.split())
    if not line:
        raise ValueError("a one-line summary is needed")
    return line


def _wrap_up_turn(engine: CallEngine, asker: Asker, root_causes: Sequence[str]) -> None:
    question = engine.pending()
    if question is None:
        engine.finish()
        return
    answer = question.ask(engine, asker, root_causes) if question.asks(root_causes) else None
    try:
        question.set(engine, answer)
    except ValueError as exc:
        asker.problem(str(exc))
        return
    engine.call.draft.pop(question.key, None)


# -- the wrap-up's questions ---------------------------------------------------------


def _always(_: Any) -> bool:
    return True


@dataclass(frozen=True, eq=False)
class Question:
    """One question of the wrap-up: when it applies, how it is asked, set and taken back.

    `ask` puts it to the agent and returns the answer; `set` keeps it on the call (a
    ValueError is said to the agent and the question asked again); `asks` says whether
    the team's settings give the agent anything to answer, and when they don't, the
    question is answered None on its own (and Esc passes over it).
    """

    key: str
    label: str  # the prompt: a test script finds the question by it
    answered: Callable[[Call], bool]
    ask: Callable[[CallEngine, Asker, Sequence[str]], Any]
    set: Callable[[CallEngine, Any], object]
    take_back: Callable[[CallEngine], None]
    applies: Callable[[Call], bool] = _always  # whether this call needs it at all
    asks: Callable[[Sequence[str]], bool] = _always  # given the team's root causes


def _ask_outcome(engine: CallEngine, asker: Asker, _: Sequence[str]) -> str:
    minutes, seconds = divmod(engine.elapsed(), 60)
    asker.heading(f"Wrap-up · {minutes:02d}:{seconds:02d}"
                  f"{' · escalated' if engine.call.escalated else ''}")
    given = engine.call.draft.get(OUTCOME.key)
    default = OUTCOMES.index(given if given in OUTCOMES else engine.default_outcome())
    return OUTCOMES[asker.choose(OUTCOME.label, list(OUTCOMES), default)]


def _ask_summary(engine: CallEngine, asker: Asker, _: Sequence[str]) -> str:
    return _ask_text(engine, asker, SUMMARY.label, key=SUMMARY.key,
                     check=_problem_of(_summary_line))


def _take_back_summary(engine: CallEngine) -> None:
    call = engine.call
    if call.summary is not None:  # offered again as the draft, not lost
        call.draft.setdefault("summary", call.summary)
    call.summary = None


def _ask_root_cause(engine: CallEngine, asker: Asker, root_causes: Sequence[str]) -> str | None:
    options = ["(none)", *root_causes]
    given = engine.call.draft.get(ROOT_CAUSE.key)
    index = asker.choose(ROOT_CAUSE.label, options, options.index(given) if given in options
                         else 0)
    return None if index == 0 else options[index]


def _take_back_root_cause(engine: CallEngine) -> None:
    call = engine.call
    if call.root_cause_asked:  # offered again, not lost
        call.draft[ROOT_CAUSE.key] = call.root_cause or "(none)"
    call.root_cause = None
    call.root_cause_asked = False


def _take_back_outcome(engine: CallEngine) -> None:
    call = engine.call
    if call.outcome is not None:  # offered again, not lost
        call.draft[OUTCOME.key] = call.outcome
    call.outcome = None


def _take_back_follow_up(engine: CallEngine) -> None:
    call = engine.call
    if call.follow_up is not None:  # offered again, not lost
        call.draft.setdefault(FOLLOW_UP.key, call.follow_up)
    call.follow_up = None


def _ask_follow_up(engine: CallEngine, asker: Asker, _: Sequence[str]) -> str:
    def parse(text: str) -> date:
        return follow_up_date(text, today=engine.today())

    return _ask_text(engine, asker, FOLLOW_UP.label, key=FOLLOW_UP.key,
                     hint=dates.hint("future", engine.today()), check=_problem_of(parse),
                     preview=date_preview(parse, engine.today()))


OUTCOME = Question(
    "outcome", "How did the call end? (Esc: back to the step)",
    answered=lambda call: call.outcome is not None, ask=_ask_outcome,
    set=CallEngine.set_outcome, take_back=_take_back_outcome)
SUMMARY = Question(
    "summary", "One-line summary",
    answered=lambda call: call.summary is not None,
    ask=_ask_summary,
    set=CallEngine.set_summary, take_back=_take_back_summary)
ROOT_CAUSE = Question(
    "root-cause", "Root cause",
    answered=lambda call: call.root_cause_asked, ask=_ask_root_cause,
    set=CallEngine.set_root_cause, take_back=_take_back_root_cause,
    asks=bool)  # asked only when the team keeps a list of root causes
FOLLOW_UP = Question(
    "follow-up", "Follow up on",
    answered=lambda call: call.follow_up is not None, ask=_ask_follow_up,
    set=CallEngine.set_follow_up,
    take_back=_take_back_follow_up,
    applies=lambda call: call.outcome in NEEDS_FOLLOW_UP)

# The wrap-up, in the order it is asked: a new question is one entry here.
WRAP_UP: list[Question] = [OUTCOME, SUMMARY, ROOT_CAUSE, FOLLOW_UP]
