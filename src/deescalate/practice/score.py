"""The score card: plain yes/no checks of a finished practice, each good or missed, each
missed one with the playbook's own line as the better alternative, and a pass mark.

Every check can be verified from the transcript alone:

- feeling: a good reply at the step where the playbook acknowledges the feeling;
- facts: what the customer said, written down at the steps that ask for it (only facts
  said by the time their step asks for them);
- avoid: no harmful reply (one against a line the playbook says to avoid, or own words
  that blame, lecture, say "calm down", quote policy before listening, over-promise);
- apology: an apology where the facts favour the customer, and none where they don't;
- escalation: a supervisor brought in when the scenario needs one, and not otherwise;
- mood: the customer calm at the end (the scenario's calmed mood or below), not gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from deescalate.playbooks.captures import CaptureError, kind_of, parse_capture
from deescalate.playbooks.format import Capture, Playbook, Step
from deescalate.practice.format import HUNG_UP, Scenario
from deescalate.practice.matching import feeling_step, is_apology, similarity
from deescalate.practice.model import Said, Verdict

CHECKS = ("feeling", "facts", "avoid", "apology", "escalation", "mood")


@dataclass(frozen=True)
class Check:
    id: str  # one of CHECKS
    label: str  # what good looks like, in a few words
    good: bool
    detail: str  # what happened
    better: str | None = None  # the playbook's own line, when missed

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "good": self.good, "detail": self.detail,
                "better": self.better}


@dataclass(frozen=True)
class ScoreCard:
    checks: tuple[Check, ...]
    pass_mark: int  # percent

    @property
    def good(self) -> int:
        return sum(check.good for check in self.checks)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def passed(self) -> bool:
        return self.good * 100 >= self.pass_mark * self.total

    def check(self, check_id: str) -> Check | None:
        for check in self.checks:
            if check.id == check_id:
                return check
        return None


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def score(scenario: Scenario, playbook: Playbook, said: Sequence[Said],
          captures: dict[str, Any], visited: Sequence[str], *, escalated: bool,
          ending: str, mood_end: int, fill: Callable[[str], str] = str,
          told: dict[str, int] | None = None, asked: dict[str, int] | None = None,
          ) -> ScoreCard:
    """The score card of a finished practice. `told`: each fact the customer gave, by the
    turn that gave it (0: the opening); `asked`: each field written down, by the turn whose
    step asked for it."""
    replies = [s.verdict for s in said if s.verdict is not None]

    def first_say(step_id: str, unlike: str = "", apologising: bool | None = None) -> str | None:
        for line in playbook.step(step_id).say:
            text = fill(line)
            if text != unlike and (apologising is None or is_apology(text) == apologising):
                return text
        return None

    checks = [
        _feeling(scenario, playbook, replies, visited, first_say),
        _facts(scenario, playbook, captures, told or {}, asked or {}),
        _avoid(replies, first_say),
        _apology(scenario, playbook, replies, first_say, fill),
        _escalation(scenario, playbook, said, visited, escalated, first_say),
        _mood(scenario, replies, ending, mood_end),
    ]
    return ScoreCard(tuple(c for c in checks if c is not None), scenario.pass_mark)


Line = Callable[..., "str | None"]


def _feeling(scenario: Scenario, playbook: Playbook, replies: list[Verdict],
             visited: Sequence[str], first_say: Line) -> Check | None:
    step = feeling_step(playbook, scenario.acknowledge)
    if step is None:
        return None
    label = "Acknowledged the customer's feeling"
    there = [v for v in replies if v.step == step.id]
    if any(v.rating == "good" for v in there):
        said = next(v.said for v in there if v.rating == "good")
        return Check("feeling", label, True, f"At {_quote(step.title)} you said: {said}")
    # own words (or any line) that acknowledge the feeling count wherever they are said
    named = next((v for v in replies if "acknowledge" in v.shows and v.rating != "poor"), None)
    if named is not None:
        return Check("feeling", label, True,
                     f"At {_quote(named.step_title)} you said: {named.said}")
    if step.id not in visited:
        detail = f"The call never reached {_quote(step.title)}."
    elif there:
        detail = f"At {_quote(step.title)} you said: {there[-1].said}"
    else:
        detail = f"At {_quote(step.title)} you did not reply."
    return Check("feeling", label, False, detail, first_say(step.id))


def _same(capture: Capture, fact: str, value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    kind = kind_of(capture)
    if kind is not None and kind.free_text:
        return True  # free text: any words will do
    try:
        expected = parse_capture(capture, fact)
    except CaptureError:  # pragma: no cover - the loader checked every fact
        return True
    if isinstance(expected, str) and isinstance(value, str):
        return " ".join(expected.split()).casefold() == " ".join(value.split()).casefold()
    return bool(expected == value)


def _facts(scenario: Scenario, playbook: Playbook, captures: dict[str, Any],
           told: dict[str, int], asked_at: dict[str, int]) -> Check | None:
    """Only facts the customer said, by the time the step that asks for them asked."""
    known = [(step, capture, fact) for step in playbook.steps for capture in step.capture
             if (fact := scenario.fact_of(capture.id)) is not None and fact.step is not None]
    if not known:
        return None
    label = "Wrote down the facts the customer gave"
    asked = [(step, capture, fact) for step, capture, fact in known
             if capture.id in told and capture.id in asked_at
             and told[capture.id] <= asked_at[capture.id]]
    if not asked:
        return None  # the call never got to a fact said before it was asked for
    missed = [(capture, fact, captures.get(capture.id)) for _, capture, fact in asked
              if not _same(capture, fact.value, captures.get(capture.id))]
    if not missed:
        count = len(asked)
        return Check("facts", label, True, f"All {count} fact{'s' if count != 1 else ''} the "
                                           "customer gave are written down.")
    parts = []
    for capture, fact, value in missed:
        parts.append(f"{capture.label}: {'left empty' if value in (None, '') else repr(value)}"
                     f" (the customer said: {_quote(fact.words)})")
    step = next(step for step, capture, _ in asked if capture is missed[0][0])
    return Check("facts", label, False, "; ".join(parts) + ".", _asking(step, missed[0][0]))


def _asking(step: Step, capture: Capture) -> str | None:
    """The step's line that asks for a fact: the one most like its label, else a question."""
    liked = max(step.say, key=lambda line: similarity(capture.label, line), default=None)
    if liked is not None and similarity(capture.label, liked) >= 0.25:
        return liked
    return next((line for line in step.say if line.rstrip().endswith("?")), None)


def _avoid(replies: list[Verdict], first_say: Line) -> Check:
    label = "No harmful reply"
    broken = [v for v in replies if v.breaks or v.rating == "poor"]
    if not broken:
        return Check("avoid", label, True, "Every reply kept clear of what the playbook says "
                                           "to avoid.")
    detail = "; ".join(f"at {_quote(v.step_title)} you said {_quote(v.said)}"
                       + (f" ({v.breaks})" if v.breaks else "") for v in broken)
    first = broken[0]
    return Check("avoid", label, False, detail[0].upper() + detail[1:] + ".",
                 first_say(first.step, first.said))


def _apology(scenario: Scenario, playbook: Playbook, replies: list[Verdict],
             first_say: Line, fill: Callable[[str], str]) -> Check:
    apologies = [v for v in replies if v.apology]
    if scenario.customer_is_right:
        label = "Apologised, as the facts favour the customer"
        sincere = [v for v in apologies if v.rating != "poor"]
        if sincere:
            return Check("apology", label, True,
                         f"At {_quote(sincere[0].step_title)} you said: {sincere[0].said}")
        better = next((fill(line) for step in playbook.steps for line in step.say
                       if is_apology(line)), None)
        if better is None:
            better = next((reply.say for step in scenario.steps for reply in step.replies
                           if reply.rating == "good" and (reply.apology if reply.apology
                                                          is not None else is_apology(reply.say))),
                          None)
        detail = ("The only apology was one to avoid: " + apologies[0].said if apologies
                  else "The facts favour the customer, and there was no apology.")
        return Check("apology", label, False, detail, better)
    label = "No apology for a fault that isn't ours"
    if not apologies:
        return Check("apology", label, True, "The facts favour us, and you did not apologise.")
    first = apologies[0]
    better = first_say(first.step, first.said, False)
    if better is None:  # a step that only apologises: what the branch that led here offered
        better = next((line for step in playbook.steps if step.branch
                       and any(o.goto == first.step for o in step.branch.options)
                       for option in step.branch.options if option.goto != first.step
                       and option.goto in {s.id for s in playbook.steps}
                       and (line := first_say(option.goto, first.said, False))), None)
    return Check("apology", label, False,
                 f"At {_quote(first.step_title)} you said: {first.said}", better)


def _escalation(scenario: Scenario, playbook: Playbook, said: Sequence[Said],
                visited: Sequence[str], escalated: bool, first_say: Line) -> Check:
    target = playbook.escalate
    if scenario.needs_escalation:
        label = "Brought in a supervisor, as this call needs"
        if escalated:
            return Check("escalation", label, True, "You escalated the call.")
        return Check("escalation", label, False, "The call needed a supervisor, and you did "
                                                 "not escalate it.",
                     first_say(target) if target else None)
    label = "Resolved it without a supervisor"
    if not escalated:
        return Check("escalation", label, True, "You kept the call and did not escalate it.")
    where = next((s.step for s in said if s.escalated), None)
    if where is None and target is not None and target in visited:
        at = list(visited).index(target)
        where = visited[at - 1] if at > 0 else None
    step = playbook.step(where) if where else None
    detail = (f"You escalated at {_quote(step.title)}, though you could have resolved it."
              if step else "You escalated, though you could have resolved the call.")
    return Check("escalation", label, False, detail, first_say(step.id) if step else None)


def _mood(scenario: Scenario, replies: list[Verdict], ending: str, mood_end: int) -> Check:
    calm = scenario.calmed_mood
    label = f"Left the customer calm (mood {calm} or below)"
    start = scenario.mood_start
    if ending == HUNG_UP:
        detail = f"Mood {start} to {mood_end}: the customer hung up."
    else:
        detail = f"Mood {start} to {mood_end} at the end of the call."
    good = ending != HUNG_UP and mood_end <= calm
    worst = next((v for v in sorted(replies, key=lambda v: -v.change) if v.rating != "good"),
                 None)
    return Check("mood", label, good, detail, None if good or worst is None else worst.better)
