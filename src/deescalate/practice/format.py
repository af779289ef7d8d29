"""The scenario model, format version 1: a scripted customer for one playbook, as typed data.

The format itself is stated once, as the JSON Schema in `deescalate.practice.schema`;
`deescalate.practice.loader` reads a YAML file against it, and against the playbook
the scenario names, into these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The customer's mood runs from 1 (calm) to 5 (the end of their patience), as the
# agent rates it in a live call. A scenario writes the customer's lines for three
# bands of it.
MOOD_LOW, MOOD_HIGH = 1, 5
BANDS = ("calm", "tense", "heated")
BAND_OF_MOOD = {1: "calm", 2: "calm", 3: "tense", 4: "heated", 5: "heated"}

RATINGS = ("good", "fair", "poor")
# How far a reply moves the mood, by its rating, unless the scenario says otherwise.
REACTIONS = {"good": -1, "fair": 0, "poor": 1}
# How much crosser the customer gets with every reply, whatever it is.
DRIFTS = {"none": 0.0, "slow": 0.25, "fast": 0.5}
DIFFICULTIES = ("easy", "medium", "hard")

CALMED = "calmed"
ESCALATED = "escalated"
HUNG_UP = "hung-up"
STILL_UPSET = "still-upset"  # the call reached its end and the customer is not calm
ENDINGS = (CALMED, ESCALATED, HUNG_UP, STILL_UPSET)
CALMED_MOOD = 2  # the call ends calmed at this mood or below, unless the scenario says
HANG_UP_MOOD = 5  # a customer who hangs up does so at this mood, unless the scenario says
STILL_UPSET_LINE = "(The customer is still unhappy as the call ends.)"
PASS_MARK = 80  # percent of the score card's checks that must be good
OPENING = "opening"  # a fact's `step` when the customer gives it in their first words


def band(mood: int) -> str:
    """The band of lines a mood from 1 to 5 calls for."""
    return BAND_OF_MOOD[min(MOOD_HIGH, max(MOOD_LOW, mood))]


@dataclass(frozen=True, slots=True)
class OwnReply:
    """A reply the scenario offers at a step, besides the playbook's own lines."""

    say: str
    rating: str  # good, fair or poor
    mood: int | None = None  # how far it moves the mood; None: by its rating
    apology: bool | None = None  # None: told from its words
    breaks: int | None = None  # the step's `avoid` line it goes against, counted from 1
    why: str = ""  # feedback for the trainee
    answer: str = ""  # the customer's answer to this reply; empty: the step's line


@dataclass(frozen=True, slots=True)
class Fact:
    """Something the customer tells, for a write-down field of the playbook: the value as
    the agent would type it, the customer's own words for it, and where they say them
    (`OPENING`, or a step: in their answer to the trainee's reply there). A fact written
    as a bare value (`step` None) is never said, so the score card never asks for it."""

    capture: str
    value: str
    words: str = ""
    step: str | None = None


@dataclass(frozen=True, slots=True)
class ScenarioStep:
    """What the customer says at one step of the playbook once the trainee has replied
    there, by the mood band the reply left them in, and poor replies a person might
    actually say there."""

    id: str
    lines: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (band, variants) in BANDS order
    replies: tuple[OwnReply, ...] = ()

    def lines_for(self, wanted: str) -> tuple[str, ...]:
        """The lines of the band asked for, else of the nearest band that has some."""
        given = dict(self.lines)
        index = BANDS.index(wanted)
        for distance in range(len(BANDS)):
            for near in (index - distance, index + distance):
                if 0 <= near < len(BANDS) and given.get(BANDS[near]):
                    return given[BANDS[near]]
        return ()


@dataclass(frozen=True, slots=True)
class Ending:
    kind: str  # one of ENDINGS
    line: str  # the customer's last words
    mood: int | None = None  # calmed: at or below; hung-up: at or above


@dataclass(frozen=True)
class Scenario:
    """A valid scenario, checked against the playbook it names."""

    id: str
    title: str
    playbook: str
    situation: str
    customer_is_right: bool
    opening: str
    mood_start: int
    steps: tuple[ScenarioStep, ...]
    endings: tuple[Ending, ...]
    summary: str = ""
    customer: str | None = None
    difficulty: str = "medium"
    drift: str = "slow"
    reactions: tuple[tuple[str, int], ...] = tuple(REACTIONS.items())
    facts: tuple[Fact, ...] = ()
    needs_escalation: bool = False
    acknowledge: str | None = None  # the step where the feeling is acknowledged
    pass_mark: int = PASS_MARK
    path: Path | None = None
    sha256: str = ""
    _steps: dict[str, ScenarioStep] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._steps.update({step.id: step for step in self.steps})

    def step(self, step_id: str) -> ScenarioStep | None:
        return self._steps.get(step_id)

    def ending(self, kind: str) -> Ending | None:
        for ending in self.endings:
            if ending.kind == kind:
                return ending
        return None

    def reaction(self, rating: str) -> int:
        return dict(self.reactions)[rating]

    @property
    def drift_per_reply(self) -> float:
        return DRIFTS[self.drift]

    @property
    def calmed_mood(self) -> int:
        ending = self.ending(CALMED)
        return ending.mood if ending and ending.mood is not None else CALMED_MOOD

    @property
    def hang_up_mood(self) -> int | None:
        """The mood at which the customer hangs up; None if they never do."""
        ending = self.ending(HUNG_UP)
        if ending is None:
            return None
        return ending.mood if ending.mood is not None else HANG_UP_MOOD

    def fact(self, capture_id: str) -> str | None:
        """The value the customer gives for a write-down field, if any."""
        found = self.fact_of(capture_id)
        return found.value if found else None

    def fact_of(self, capture_id: str) -> Fact | None:
        return next((fact for fact in self.facts if fact.capture == capture_id), None)

    def told_at(self, where: str) -> tuple[Fact, ...]:
        """The facts the customer gives at `where`: OPENING or a step id."""
        return tuple(fact for fact in self.facts if fact.step == where)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "id": self.id, "title": self.title, "summary": self.summary,
            "playbook": self.playbook, "customer": self.customer,
            "customer_is_right": self.customer_is_right, "difficulty": self.difficulty,
            "needs_escalation": self.needs_escalation, "mood": self.mood_start,
            "drift": self.drift, "source": str(self.path) if self.path else None,
            "sha256": self.sha256,
        }
