"""A practice call as plain data: what is offered at a turn, what the trainee answered,
how it landed. The engine (`deescalate.practice.engine`) makes these; screens, the
score card and the transcript read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from deescalate.call.engine import StepView


class ReplyKind(StrEnum):
    PICK = "pick"  # one of the replies offered
    TYPED = "typed"  # the trainee's own words, matched roughly
    ESCALATE = "escalate"  # bring in a supervisor, as the Escalate key does in a call
    BACK = "back"  # explore mode: back to the step before, taking its reply back
    END = "end"  # explore mode, after the customer hung up: finish there


@dataclass(frozen=True)
class Reply:
    """What the trainee does at a turn."""

    kind: ReplyKind
    index: int | None = None  # PICK: 0-based, into Turn.replies
    text: str = ""  # TYPED

    @classmethod
    def pick(cls, index: int) -> Reply:
        return cls(ReplyKind.PICK, index=index)

    @classmethod
    def typed(cls, text: str) -> Reply:
        return cls(ReplyKind.TYPED, text=text)

    @classmethod
    def escalate(cls) -> Reply:
        return cls(ReplyKind.ESCALATE)

    @classmethod
    def back(cls) -> Reply:
        return cls(ReplyKind.BACK)

    @classmethod
    def end(cls) -> Reply:
        return cls(ReplyKind.END)


SAY, SCENARIO, TYPED, CARRY_ON = "say", "scenario", "typed", "carry-on"


@dataclass(frozen=True)
class Offered:
    """A reply offered at a turn. A screen shows only `text` before the trainee answers;
    the rest is for the feedback."""

    text: str
    rating: str  # good, fair or poor
    source: str  # say (the playbook's line), scenario (the scenario's own), carry-on
    change: int  # how far it moves the mood
    apology: bool
    breaks: str | None = None  # the avoid line it goes against
    why: str = ""
    answer: str = ""  # the customer's own answer to it, from the scenario


@dataclass(frozen=True)
class Turn:
    """One turn of the practice: the step, what the customer has just said (their opening,
    or their answer to the trainee's last reply), the replies offered. In explore mode a
    customer who hung up gives one more turn, `ended`, with no replies: the trainee goes
    back or ends there."""

    number: int  # 1-based
    view: StepView  # the step, as the live call shows it
    line: str  # the customer's words ('' when they just wait)
    mood: int  # the customer's mood before the reply, 1 to 5
    band: str  # calm, tense or heated
    replies: tuple[Offered, ...]
    explore: bool
    can_go_back: bool  # explore mode, and a step to go back to
    ended: bool = False  # explore mode: the customer hung up; back, or end


@dataclass(frozen=True)
class Verdict:
    """How a reply landed: shown at once in explore mode, on the score card in both."""

    step: str
    step_title: str
    said: str  # the words of the reply, picked or typed
    typed: bool  # typed: rated by a rough match
    rating: str
    change: int
    mood_before: int
    mood_after: int
    apology: bool
    breaks: str | None  # the avoid line it goes against
    why: str
    better: str | None  # the playbook's own line, when the reply was not good
    reasons: str = ""  # what the reply did, by the qualities it shows: why the mood moved
    reaction: str = ""  # the customer's answer to it
    drifted: bool = False  # the mood crept up on its own as well
    shows: tuple[str, ...] = ()  # the qualities it shows (`deescalate.practice.judge`)


@dataclass(frozen=True)
class Said:
    """One turn as it happened, for the score card and the transcript."""

    turn: int
    step: str
    line: str  # the customer's words before the reply
    mood: float  # before the reply
    verdict: Verdict | None  # None when the trainee escalated instead of replying
    escalated: bool = False
    offered: tuple[str, ...] = ()  # the replies offered, in the order shown
    reaction: str = ""  # the customer's answer to the reply
    told: tuple[str, ...] = ()  # the facts (capture ids) the customer gave in that answer
