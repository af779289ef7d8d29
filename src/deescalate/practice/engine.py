"""The practice engine: a scripted customer over the call engine, pure Python.

`Practice` plays one scenario against its playbook. The playbook's steps, write-down
fields, branches and escalation work exactly as in a live call, because a
`CallEngine` runs underneath; on top of it the customer has a mood that starts where
the scenario says, creeps up on its own (the drift) and moves with every reply's
rating. At each turn the customer says the scenario's line for their mood, and the
trainee answers with one of a few replies (the step's `say` and `avoid` lines and the
scenario's own, chosen and shuffled by the seed) or in their own words. The call ends
calmed, escalated, hung up, or with the customer still upset.

`run_practice` drives a whole practice through a `Trainee`, the small interface a
practice screen implements (and the `--answers` script, and tests): no screen and no
disk here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from deescalate.call.engine import CallEngine
from deescalate.call.model import utc_now
from deescalate.playbooks.captures import TYPES
from deescalate.playbooks.format import Capture, Playbook, Step
from deescalate.practice.format import (
    CALMED,
    ESCALATED,
    HUNG_UP,
    MOOD_HIGH,
    MOOD_LOW,
    OPENING,
    STILL_UPSET,
    STILL_UPSET_LINE,
    Fact,
    Scenario,
    band,
)
from deescalate.practice.judge import judge
from deescalate.practice.matching import is_apology
from deescalate.practice.model import (
    CARRY_ON,
    SAY,
    SCENARIO,
    Offered,
    Reply,
    ReplyKind,
    Said,
    Turn,
    Verdict,
)
from deescalate.practice.score import ScoreCard, score

OFFERED = 4  # replies offered at a turn, unless the scenario has more of its own
OWN_OFFERED = 3  # of the scenario's own replies at a step, at most
MAX_TURNS = 60  # a customer kept going round in circles this long hangs up
TOO_LONG_LINE = "(The customer has had enough of going round in circles, and hangs up.)"
CARRY_ON_TEXT = "(Go on with the step.)"


def mood_level(mood: float) -> int:
    """A mood kept in quarters, as the 1 to 5 a person would rate it (halves round up)."""
    return min(MOOD_HIGH, max(MOOD_LOW, math.floor(mood + 0.5)))


@dataclass(frozen=True)
class Result:
    """A finished practice: how it ended, every turn, and the score card."""

    scenario: Scenario
    playbook: Playbook
    seed: int
    explore: bool
    agent: str
    started: str  # ISO 8601, UTC
    ending: str  # calmed, escalated, hung-up or still-upset
    ending_line: str
    mood_start: int
    mood_end: int
    said: tuple[Said, ...]
    captures: dict[str, Any]
    visited: tuple[str, ...]  # the steps walked, in order
    escalated: bool
    card: ScoreCard

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        return {
            "scenario": self.scenario.id,
            "playbook": self.playbook.id,
            "playbook_version": self.playbook.version,
            "seed": self.seed,
            "mode": "explore" if self.explore else "scored",
            "agent": self.agent,
            "started": self.started,
            "ending": self.ending,
            "ending_line": self.ending_line,
            "mood": {"start": self.mood_start, "end": self.mood_end},
            "escalated": self.escalated,
            "passed": self.card.passed,
            "score": {"good": self.card.good, "of": self.card.total,
                      "pass_mark": self.card.pass_mark},
            "checks": [check.to_dict() for check in self.card.checks],
            "turns": [_turn_dict(said) for said in self.said],
            "captures": self.captures,
        }


def _turn_dict(said: Said) -> dict[str, Any]:
    data: dict[str, Any] = {"turn": said.turn, "step": said.step, "customer": said.line,
                            "mood": mood_level(said.mood), "offered": list(said.offered)}
    verdict = said.verdict
    if verdict is None:
        data["escalated"] = True
        return data
    data.update({"reply": verdict.said, "typed": verdict.typed, "rating": verdict.rating,
                 "why": verdict.reasons or verdict.why, "mood_after": verdict.mood_after,
                 "apology": verdict.apology, "breaks": verdict.breaks,
                 "customer_answer": said.reaction, "facts_given": list(said.told)})
    return data


class Practice:
    """One practice call: the scenario's customer, the playbook's steps, the trainee's turns.

    A turn is a conversation's: the customer has spoken (their opening, or their answer
    to the last reply), the trainee replies, and the customer answers that reply with
    the step's line for the mood the reply left them in, giving the facts the scenario
    says they give there.
    """

    def __init__(self, scenario: Scenario, playbook: Playbook, *, seed: int,
                 explore: bool = False, agent: str = "trainee",
                 clock: Callable[[], datetime] = utc_now) -> None:
        if scenario.playbook != playbook.id:
            raise ValueError(f"scenario {scenario.id!r} is for playbook {scenario.playbook!r}, "
                             f"not {playbook.id!r}")
        self.scenario = scenario
        self.playbook = playbook
        self.seed = seed
        self.explore = explore
        self.engine = CallEngine.start(
            playbook, "", call_id=f"practice-{scenario.id}", agent=agent,
            customer=scenario.customer, reference=None, records="", clock=clock)
        self.mood = float(scenario.mood_start)
        self.said: list[Said] = []
        self.ending: str | None = None
        self.ending_line = ""
        self.asked: dict[str, int] = {}  # capture id -> the turn whose step asked for it
        self._replied = False  # a reply is given; the write-down fields and branch are next
        # The steps walked forward, for Back and the score card: kept here, so the practice
        # depends on nothing of how the call engine stores its own way back.
        self.trail = [self.engine.step.id]
        self.engine.rate_mood(self.level)

    # -- where the practice is ---------------------------------------------------------

    @property
    def level(self) -> int:
        return mood_level(self.mood)

    @property
    def over(self) -> bool:
        return self.ending is not None

    @property
    def can_take_back_ending(self) -> bool:
        """Explore mode never dead-ends: a hang-up can be taken back."""
        return self.explore and self.ending == HUNG_UP and bool(self.said) \
            and self.said[-1].verdict is not None

    @property
    def step(self) -> Step:
        return self.engine.step

    @property
    def escalated(self) -> bool:
        """Escalated by the key, or by reaching the escalate step and not going back."""
        return (any(said.escalated for said in self.said)
                or (self.playbook.escalate is not None and self.playbook.escalate in self.trail))

    @property
    def listened(self) -> bool:
        """Whether a reply so far has listened: a good one (acknowledged, asked, ...)."""
        return any(said.verdict is not None and said.verdict.rating == "good"
                   for said in self.said)

    def _at_step(self) -> int:
        """How many turns were answered at the current step: seeds its variety."""
        return sum(1 for said in self.said if said.step == self.step.id)

    def _rng(self, purpose: str = "") -> random.Random:
        return random.Random(f"{self.seed}:{self.scenario.id}:{self.step.id}:{self._at_step()}"
                             f"{purpose}")

    def last_words(self) -> str:
        """What the customer said last: their opening, or their answer to the last reply."""
        if not self.said:
            return _with_facts(self.scenario.opening, self.scenario.told_at(OPENING))
        return self.said[-1].reaction

    def turn(self) -> Turn:
        """The turn the trainee is to answer: the same every time it is asked for."""
        if self.can_take_back_ending:
            return Turn(number=len(self.said), view=self.engine.view(), line=self.ending_line,
                        mood=self.level, band=band(self.level), replies=(), explore=True,
                        can_go_back=True, ended=True)
        if self.over or self._replied:
            raise ValueError("there is no reply to give now")
        return Turn(
            number=len(self.said) + 1,
            view=self.engine.view(),
            line=self.last_words(),
            mood=self.level,
            band=band(self.level),
            replies=self._offered(self._rng()),
            explore=self.explore,
            can_go_back=self.explore and len(self.trail) > 1,
        )

    def _candidates(self) -> list[Offered]:
        """Every reply the step offers: its say lines, and the scenario's own replies."""
        step, scenario = self.step, self.scenario
        good = scenario.reaction("good")
        found = [Offered(self.engine.fill(line), "good", SAY, good, is_apology(line),
                         why="One of the playbook's own lines for this step.")
                 for line in step.say]
        own = scenario.step(step.id)
        for reply in own.replies if own else ():
            breaks = step.avoid[reply.breaks - 1] if reply.breaks else None
            found.append(Offered(
                reply.say, reply.rating, SCENARIO,
                reply.mood if reply.mood is not None else scenario.reaction(reply.rating),
                reply.apology if reply.apology is not None else is_apology(reply.say),
                breaks, reply.why, reply.answer))
        return found

    def _offered(self, rng: random.Random) -> tuple[Offered, ...]:
        """Things to say: the scenario's own replies (up to three, chosen by the seed), the
        step's lead say line, and more of its say lines, chosen by the seed, to make up the
        number; shuffled by the seed. `avoid` lines describe behaviour, so they are never
        offered as words. The lead line is always there: it is usually the one that matters
        most at its step (at an apology step, the apology)."""
        candidates = self._candidates()
        says = [c for c in candidates if c.source == SAY]
        own = [c for c in candidates if c.source == SCENARIO]
        chosen = rng.sample(own, min(OWN_OFFERED, len(own)))
        if says:
            chosen.append(says[0])
            chosen += rng.sample(says[1:], min(len(says) - 1, max(0, OFFERED - len(chosen))))
        if not chosen:
            fair = self.scenario.reaction("fair")
            chosen = [Offered(CARRY_ON_TEXT, "fair", CARRY_ON, fair, False,
                              why="This step has no lines to choose from.")]
        rng.shuffle(chosen)
        return tuple(chosen)

    # -- the trainee's answers -----------------------------------------------------------

    def answer(self, reply: Reply) -> Verdict:
        """Take a picked or typed reply: rate it, move the mood, have the customer answer it
        (or hang up)."""
        turn = self.turn()
        if turn.ended:
            raise ValueError("the customer has hung up: go back, or end here")
        if reply.kind is ReplyKind.PICK:
            if reply.index is None or not 0 <= reply.index < len(turn.replies):
                raise ValueError(f"pick one of the replies 1 to {len(turn.replies)}")
            verdict = self._rate(turn.replies[reply.index])
        elif reply.kind is ReplyKind.TYPED:
            if not reply.text.strip():
                raise ValueError("a typed reply needs some words")
            verdict = self._rate_typed(" ".join(reply.text.split()))
        else:
            raise ValueError(f"{reply.kind} is not a reply to rate")
        before = self.mood
        self.mood = min(float(MOOD_HIGH), max(float(MOOD_LOW), self.mood + verdict.change
                                              + self.scenario.drift_per_reply))
        without_drift = mood_level(min(float(MOOD_HIGH), max(float(MOOD_LOW),
                                                             before + verdict.change)))
        hang_up = self.scenario.hang_up_mood
        # the mood the trainee sees: a customer shown at the hang-up mood has hung up
        hanging_up = hang_up is not None and self.level >= hang_up
        told = () if hanging_up else self.scenario.told_at(self.step.id)
        picked = turn.replies[reply.index] if reply.index is not None else None
        reaction = "" if hanging_up else self._reaction(told, picked.answer if picked else "")
        verdict = replace(verdict, mood_after=self.level, reaction=reaction,
                          drifted=self.level != without_drift)
        self.said.append(Said(turn.number, self.step.id, turn.line, before, verdict,
                              offered=tuple(r.text for r in turn.replies), reaction=reaction,
                              told=tuple(fact.capture for fact in told)))
        self.engine.rate_mood(self.level)
        self._replied = True
        if hanging_up:
            self._end(HUNG_UP)
        return verdict

    def _reaction(self, told: tuple[Fact, ...], answer: str = "") -> str:
        """The customer's answer to the reply just given: the scenario's answer to that
        very reply, else the step's line for the mood it left them in; with the facts
        they give here in their own words."""
        own = self.scenario.step(self.step.id)
        lines = own.lines_for(band(self.level)) if own else ()
        line = answer or (self._rng(":answer").choice(lines) if lines else "")
        return _with_facts(line, told)

    def _better(self, said: str) -> str | None:
        for line in self.step.say:
            filled = self.engine.fill(line)
            if filled != said:
                return filled
        return None

    def _rate(self, offered: Offered) -> Verdict:
        better = None if offered.rating == "good" else self._better(offered.text)
        found = judge(offered.text, customer_is_right=self.scenario.customer_is_right,
                      listened=True)
        # a poor reply's why is its author's; a good one's is what it does
        reasons = "; ".join(found.helped) if offered.rating != "poor" else ""
        return Verdict(self.step.id, self.step.title, offered.text, False, offered.rating,
                       offered.change, self.level, self.level, offered.apology,
                       offered.breaks, "" if reasons and offered.source == SAY else offered.why,
                       better, reasons=reasons, shows=found.shows)

    def _rate_typed(self, text: str) -> Verdict:
        """Own words, judged by what they do (`deescalate.practice.judge`)."""
        found = judge(text, customer_is_right=self.scenario.customer_is_right,
                      listened=self.listened, forbidden=self.step.avoid)
        change = self.scenario.reaction(found.rating)
        if found.rating == "fair":
            why = ("Nothing in it calms or heats the customer: no feeling acknowledged, no "
                   "open question, no next step.")
        else:
            why = ""
        better = None if found.rating == "good" else self._better(text)
        breaks = "; ".join(found.hurt) or None
        return Verdict(self.step.id, self.step.title, text, True, found.rating, change,
                       self.level, self.level, found.apology, breaks, why, better,
                       reasons=found.reasons, shows=found.shows)

    def escalate(self) -> None:
        """Bring in a supervisor instead of replying: the playbook's escalate step, or the end.
        ValueError at the escalate step itself: reply there instead."""
        turn = self.turn()
        if turn.ended:
            raise ValueError("the customer has hung up: go back, or end here")
        if self.step.id == self.playbook.escalate:
            raise ValueError("You are bringing in a supervisor already: reply to the customer.")
        self.said.append(Said(turn.number, self.step.id, turn.line, self.mood, None,
                              escalated=True, offered=tuple(r.text for r in turn.replies)))
        self.engine.escalate()
        self._moved()

    def back(self) -> bool:
        """Explore mode: take the last reply back, and go back to its step (after a hang-up,
        the customer is back on the line); False if there is nothing to take back."""
        if self.can_take_back_ending:
            said = self.said.pop()
            self.mood = said.mood
            self.ending, self.ending_line, self._replied = None, "", False
            self._forget_asked()
            self.engine.rate_mood(self.level)
            return True
        if not self.explore or self._replied or self.over or len(self.trail) < 2 \
                or not self.said:
            return False
        said = self.said.pop()
        self.mood = said.mood
        self.trail.pop()
        self.engine.back()
        self._forget_asked()
        self.engine.rate_mood(self.level)
        return True

    def _forget_asked(self) -> None:
        for capture_id, turn in list(self.asked.items()):
            if turn > len(self.said):
                del self.asked[capture_id]

    def write_down(self, capture: Capture, raw: str | None) -> Any:
        """Keep a write-down field's value, as in a live call; CaptureError if it doesn't fit."""
        value = self.engine.set_capture(capture, raw)
        self.asked[capture.id] = len(self.said)
        return value

    def move_on(self, answer: int | None = None) -> None:
        """Leave the step after the reply and the write-down fields (a branch needs its answer)."""
        if not self._replied or self.over:
            raise ValueError("reply first")
        self.engine.advance(answer)
        self._replied = False
        self._moved()

    def _moved(self) -> None:
        if self.engine.call.phase != "steps":
            self._end()
            return
        self.trail.append(self.engine.step.id)
        if len(self.said) >= MAX_TURNS:
            self._end(HUNG_UP, TOO_LONG_LINE)

    def _end(self, kind: str | None = None, line: str | None = None) -> None:
        if self.ending is not None:
            return
        if kind is None:
            if self.escalated:
                kind = ESCALATED
            elif self.level <= self.scenario.calmed_mood:
                kind = CALMED
            else:
                kind = STILL_UPSET
        ending = self.scenario.ending(kind)
        self.ending = kind
        self.ending_line = line or (ending.line if ending else STILL_UPSET_LINE)

    def told(self) -> dict[str, int]:
        """Each fact the customer has given: the turn whose answer gave it (0: the opening)."""
        found = {fact.capture: 0 for fact in self.scenario.told_at(OPENING)}
        for said in self.said:
            for capture_id in said.told:
                found.setdefault(capture_id, said.turn)
        return found

    def result(self) -> Result:
        if self.ending is None:
            raise ValueError("the practice is not over")
        if self.engine.call.phase == "steps":
            self.engine.end_call()
        said = tuple(self.said)
        visited = tuple(self.trail)
        captures = dict(self.engine.call.captures)
        return Result(
            scenario=self.scenario, playbook=self.playbook, seed=self.seed,
            explore=self.explore, agent=self.engine.call.agent,
            started=self.engine.call.started, ending=self.ending,
            ending_line=self.ending_line, mood_start=self.scenario.mood_start,
            mood_end=self.level, said=said, captures=captures, visited=visited,
            escalated=self.escalated,
            card=score(self.scenario, self.playbook, said, captures, visited,
                       escalated=self.escalated, ending=self.ending, mood_end=self.level,
                       fill=self.engine.fill, told=self.told(), asked=dict(self.asked)),
        )


def _with_facts(line: str, facts: tuple[Fact, ...]) -> str:
    """A line with the customer's words for these facts after it, unless it says them."""
    spoken = [line] if line else []
    for fact in facts:
        if fact.words and " ".join(fact.words.split()).lower() not in line.lower():
            spoken.append(fact.words)
    return " ".join(spoken)


@dataclass(frozen=True)
class Intro:
    """What a trainee is told before the call."""

    scenario: Scenario
    playbook: Playbook
    seed: int
    explore: bool
    notes: list[str] = field(default_factory=list)  # e.g. where the transcript will go


class Trainee(Protocol):
    """What a practice needs from a screen, or from a script. Any call may raise
    KeyboardInterrupt, which stops the practice (nothing is written).

    Scored mode and explore mode differ only in what the engine calls: in explore mode
    `feedback` follows every reply at once, and `Turn.can_go_back` allows `Reply.back()`.
    `capture` and `choose` are the live call's `Asker.capture` and `Asker.choose`, so a
    screen that answers a call can answer these too.
    """

    def begin(self, intro: Intro) -> None:
        """The situation, before the customer's first words."""

    def reply(self, turn: Turn) -> Reply:
        """Show the customer's line above the step, with the replies offered (their `text`
        only); return a pick, typed words, an escalation, or (explore mode) back. A turn
        that has `ended` (explore mode, after a hang-up) takes back or end."""

    def feedback(self, verdict: Verdict) -> None:
        """Explore mode: how the reply just given landed, at once."""

    def heard(self, words: str) -> None:
        """The customer's answer to the reply just given, before anything is written down;
        it is also the next turn's `line`."""

    def capture(self, capture: Capture, current: Any, error: str | None) -> str | None:
        """A write-down field's raw answer (None or '' leaves an optional one empty)."""

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        """The index of the branch option chosen."""

    def problem(self, message: str) -> None:
        """Say that an answer did not fit, before asking again."""

    def finish(self, result: Result) -> None:
        """The ending and the score card: in scored mode, the first feedback."""


def run_practice(practice: Practice, trainee: Trainee, *,
                 notes: list[str] | None = None) -> Result:
    """Play the practice from its first turn to its ending, through `trainee`."""
    trainee.begin(Intro(practice.scenario, practice.playbook, practice.seed,
                        practice.explore, list(notes or [])))
    while not practice.over or practice.can_take_back_ending:
        turn = practice.turn()
        reply = trainee.reply(turn)
        if reply.kind is ReplyKind.END:
            if turn.ended:
                break
            trainee.problem("The call is still going: reply, or escalate.")
            continue
        if reply.kind is ReplyKind.BACK:
            if not practice.back():
                trainee.problem("There is no step to go back to.")
            continue
        if reply.kind is ReplyKind.ESCALATE:
            try:
                practice.escalate()
            except ValueError as exc:
                trainee.problem(str(exc))
            continue
        try:
            verdict = practice.answer(reply)
        except ValueError as exc:
            trainee.problem(str(exc))
            continue
        if practice.explore:
            trainee.feedback(verdict)
        if verdict.reaction:
            trainee.heard(verdict.reaction)
        if practice.over:
            continue  # explore mode may take a hang-up back
        _write_down(practice, trainee)
        step = practice.step
        answer = None
        if step.branch:
            answer = trainee.choose(step.branch.question, [o.label for o in step.branch.options])
        practice.move_on(answer)
    result = practice.result()
    trainee.finish(result)
    return result


def _write_down(practice: Practice, trainee: Trainee) -> None:
    for capture in practice.step.capture:
        error = None
        while True:
            raw = trainee.capture(capture, practice.engine.call.captures.get(capture.id), error)
            try:
                practice.write_down(capture, raw)
                break
            except ValueError as exc:
                error = str(exc)
                trainee.problem(error)


def stand_in(capture: Capture) -> str:
    """Something that fits a required field the scenario knows no fact for."""
    return TYPES[capture.type].stand_in(capture)
