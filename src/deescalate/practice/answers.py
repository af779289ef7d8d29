"""`--answers 1,3,2,...`: a practice played from a list of answers, with no terminal.

Each answer answers the next question the practice asks, in order:

- a reply: the number of a reply offered (1 is the first), `e` to escalate, `b` to go
  back (explore mode), or any other words, typed as the trainee's own reply;
- a write-down field: `-` leaves it empty, `=TEXT` writes TEXT, `w` writes what the
  customer said. An answer that is none of these is left for the next question, and
  the field gets what the customer said (the scenario's fact), so a list of numbers
  alone plays a trainee who writes down everything they hear;
- a branch question: the number of the option (1 is the first).

A trainer's CI runs a scenario this way to see it still plays through after the
playbook changed; an answer that doesn't fit stops it with the answer's number.
"""

from __future__ import annotations

from typing import Any

from deescalate.errors import BadInput
from deescalate.playbooks.format import Capture
from deescalate.practice.engine import Intro, Result, stand_in
from deescalate.practice.format import Scenario
from deescalate.practice.model import Reply, Turn, Verdict

ESCALATE, BACK, EMPTY, HEARD, WRITE = "e", "b", "-", "w", "="


def parse(text: str) -> list[str]:
    """The answers of `--answers`, checked for empty ones."""
    answers = [part.strip() for part in text.split(",")]
    for number, answer in enumerate(answers, 1):
        if not answer:
            raise BadInput(f"--answers: answer {number} is empty (answers are separated by "
                           "commas: 1,3,2)")
    return answers


class ScriptedTrainee:
    """A `Trainee` that answers from a list, and says which answer didn't fit."""

    def __init__(self, answers: list[str], scenario: Scenario) -> None:
        self.answers = answers
        self.scenario = scenario
        self.used = 0
        self.feedbacks: list[Verdict] = []
        self.where = "the start"
        self._heard = False  # the last question was a write-down field given what was heard

    @property
    def left(self) -> int:
        return len(self.answers) - self.used

    def _next(self, wanted: str) -> str:
        if self.used >= len(self.answers):
            raise BadInput(f"--answers ran out at {self.where}: {wanted} is needed after the "
                           f"{len(self.answers)} given")
        self.used += 1
        return self.answers[self.used - 1]

    def _bad(self, answer: str, message: str) -> BadInput:
        return BadInput(f"--answers: answer {self.used} ({answer!r}) at {self.where}: {message}")

    def begin(self, intro: Intro) -> None:
        pass

    def reply(self, turn: Turn) -> Reply:
        self.where = f"turn {turn.number}, step {turn.view.step.id!r}"
        self._heard = False
        if turn.ended:  # explore mode, after a hang-up: b takes the reply back
            if self.used < len(self.answers) and self.answers[self.used].lower() == BACK:
                self.used += 1
                return Reply.back()
            return Reply.end()
        answer = self._next("a reply")
        if answer.isascii() and answer.isdigit():
            number = int(answer)
            if not 1 <= number <= len(turn.replies):
                raise self._bad(answer, f"the replies offered are 1 to {len(turn.replies)}")
            return Reply.pick(number - 1)
        if answer.lower() == ESCALATE:
            return Reply.escalate()
        if answer.lower() == BACK:
            if not turn.can_go_back:
                raise self._bad(answer, "going back needs --explore and a step to go back to"
                                if not turn.explore else "there is no step to go back to")
            return Reply.back()
        if answer in (EMPTY, HEARD) or answer.startswith(WRITE):
            raise self._bad(answer, "this answers a write-down field, but a reply is asked for "
                                    f"(a number from 1 to {len(turn.replies)}, e, or words)")
        return Reply.typed(answer)

    def feedback(self, verdict: Verdict) -> None:
        self.feedbacks.append(verdict)

    def heard(self, words: str) -> None:
        pass

    def capture(self, capture: Capture, current: Any, error: str | None) -> str | None:
        fact = self.scenario.fact(capture.id)
        heard = fact if fact is not None else (stand_in(capture) if capture.required else "")
        self._heard = False
        if self.used < len(self.answers):
            answer = self.answers[self.used]
            if answer == EMPTY or answer.lower() == HEARD or answer.startswith(WRITE):
                self.used += 1
                return ("" if answer == EMPTY else heard if answer.lower() == HEARD
                        else answer[len(WRITE):])
        self._heard = True
        return heard

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        self._heard = False
        answer = self._next(f"an answer to {question!r}")
        if not answer.isdigit() or not 1 <= int(answer) <= len(options):
            raise self._bad(answer, f"{question!r} is answered with 1 to {len(options)}: "
                                    + "; ".join(f"{n} {o}" for n, o in enumerate(options, 1)))
        return int(answer) - 1

    def problem(self, message: str) -> None:
        if self._heard:
            raise BadInput(f"--answers: at {self.where}, what the customer said does not fit "
                           f"a write-down field ({message}); give it with =TEXT")
        raise self._bad(self.answers[self.used - 1] if self.used else "", message)

    def finish(self, result: Result) -> None:
        pass
