"""Walking a scenario with no trainee: what a trainer's checks need to know about it.

A walk plays a whole practice with a rule for picking replies: `best` takes the reply
that calms the customer most (an apology only where the facts call for one), `random`
any reply offered. Write-down fields get what the customer said (or a stand-in for a
required field), so the walks test the scenario, not a trainee's typing.

`practice validate` warns when no best-reply walk, down any of the playbook's
branches, passes the score card (the scenario can't be won), and when one reply from
the start can end the call; `practice validate --walk N` plays N random and N
best-reply walks and reports the endings they reached.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from deescalate.playbooks.format import Capture, Playbook
from deescalate.practice.engine import (
    Intro,
    Practice,
    Result,
    mood_level,
    run_practice,
    stand_in,
)
from deescalate.practice.format import HUNG_UP, RATINGS, Scenario
from deescalate.practice.model import Reply, Turn, Verdict


class Stuck(Exception):
    """A walk met a write-down field that neither the customer's words nor a stand-in fit."""


RANK = {rating: rank for rank, rating in enumerate(RATINGS)}  # good first
MAX_WALKS = 64  # best-reply walks tried down the branches before giving up on a win


def best(scenario: Scenario) -> Callable[[Turn, random.Random], int]:
    """The reply that calms most: good before fair before poor, the biggest drop in mood,
    an apology only where the facts favour the customer."""
    def pick(turn: Turn, rng: random.Random) -> int:
        return min(range(len(turn.replies)), key=lambda i: (
            RANK[turn.replies[i].rating], turn.replies[i].change,
            turn.replies[i].apology != scenario.customer_is_right))
    return pick


def any_reply(turn: Turn, rng: random.Random) -> int:
    return rng.randrange(len(turn.replies))


class Walker:
    """A `Trainee` that replies by a rule and answers branches from a plan (then the first
    option), or, with no plan, by chance."""

    def __init__(self, scenario: Scenario, pick: Callable[[Turn, random.Random], int],
                 rng: random.Random, plan: list[int] | None = None) -> None:
        self.scenario = scenario
        self.pick = pick
        self.rng = rng
        self.plan = plan  # None: branches by chance
        self.branches: list[int] = []  # how many options each branch question had
        self.chosen: list[int] = []
        self._tried: dict[str, int] = {}  # capture id -> how many answers were refused

    def begin(self, intro: Intro) -> None:
        pass

    def reply(self, turn: Turn) -> Reply:
        if turn.ended:
            return Reply.end()
        return Reply.pick(self.pick(turn, self.rng))

    def feedback(self, verdict: Verdict) -> None:
        pass

    def heard(self, words: str) -> None:
        pass

    def capture(self, capture: Capture, current: Any, error: str | None) -> str | None:
        fact = self.scenario.fact(capture.id)
        tries = [fact] if fact is not None else []
        tries += [stand_in(capture) if capture.required else ""]
        if error is not None:  # the last try did not fit: the next, or give up
            self._tried[capture.id] = self._tried.get(capture.id, 0) + 1
        else:
            self._tried[capture.id] = 0
        if self._tried[capture.id] >= len(tries):
            raise Stuck(capture.id)
        return tries[self._tried[capture.id]]

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        number = len(self.chosen)
        if self.plan is None:
            answer = self.rng.randrange(len(options))
        else:
            answer = self.plan[number] if number < len(self.plan) else 0
        self.branches.append(len(options))
        self.chosen.append(answer)
        return answer

    def problem(self, message: str) -> None:
        pass

    def finish(self, result: Result) -> None:
        pass


def walk(scenario: Scenario, book: Playbook, *, seed: int, pick: Callable[[Turn, random.Random],
         int], plan: list[int] | None = None) -> tuple[Result, Walker]:
    walker = Walker(scenario, pick, random.Random(seed), plan or [])
    return run_practice(Practice(scenario, book, seed=seed), walker), walker


def winnable(scenario: Scenario, book: Playbook, seed: int = 0) -> bool:
    """Whether a best-reply walk down some way through the branches passes the score card."""
    plans: list[list[int]] = [[]]
    tried = 0
    while plans and tried < MAX_WALKS:
        plan = plans.pop(0)
        tried += 1
        try:
            result, walker = walk(scenario, book, seed=seed, pick=best(scenario), plan=plan)
        except Stuck:
            continue  # a field no walk can fill: that way is not a win
        if result.card.passed:
            return True
        # every other answer to the branches this walk met past its plan
        for number in range(len(plan), len(walker.chosen)):
            for option in range(1, walker.branches[number]):
                plans.append([*walker.chosen[:number], option])
    return False


def first_reply_ends(scenario: Scenario, book: Playbook) -> str | None:
    """The first reply that would end the call at once (the customer hangs up), if any:
    any reply the first step can offer, or own words rated poor."""
    hang_up = scenario.hang_up_mood
    if hang_up is None:
        return None
    practice = Practice(scenario, book, seed=0)
    replies = [(c.text, c.change) for c in practice._candidates()]
    replies.append(("own words rated poor", scenario.reaction("poor")))
    for text, change in replies:
        if mood_level(scenario.mood_start + change + scenario.drift_per_reply) >= hang_up:
            return text
    return None


@dataclass
class Walks:
    """What N walks of each kind reached."""

    endings: dict[str, Counter[str]] = field(default_factory=dict)  # kind -> ending -> count
    passed: Counter[str] = field(default_factory=Counter)  # kind -> walks that passed
    shortest: dict[str, int] = field(default_factory=dict)  # kind -> fewest replies
    at_once: Counter[str] = field(default_factory=Counter)  # kind -> ended at the first reply


def walks(scenario: Scenario, book: Playbook, count: int, seed: int = 0) -> Walks:
    """`count` random and `count` best-reply walks, branches answered by chance."""
    found = Walks()
    for kind, pick in (("random", any_reply), ("best-reply", best(scenario))):
        endings: Counter[str] = Counter()
        for number in range(count):
            rng = random.Random(f"{seed}:{kind}:{number}")
            walker = Walker(scenario, pick, rng)
            try:
                result = run_practice(Practice(scenario, book, seed=seed + number), walker)
            except Stuck as exc:
                endings[f"stuck at a field ({exc})"] += 1
                continue
            endings[result.ending] += 1
            found.passed[kind] += result.card.passed
            replies = sum(1 for said in result.said if said.verdict is not None)
            found.shortest[kind] = min(found.shortest.get(kind, replies), replies)
            found.at_once[kind] += replies <= 1 and result.ending == HUNG_UP
        found.endings[kind] = endings
    return found


def describe(scenario: Scenario, found: Walks, count: int) -> str:
    """One line of what the walks reached."""
    parts = []
    for kind, endings in found.endings.items():
        reached = ", ".join(f"{ending} {n}" for ending, n in sorted(endings.items()))
        parts.append(f"{count} {kind} walks ended {reached} (passed {found.passed[kind]}, "
                     f"shortest {found.shortest.get(kind, 0)} replies)")
    return f"{scenario.id}: " + "; ".join(parts)
