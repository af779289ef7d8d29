"""A small playbook and scenario whose every reply is known, and ways to play them."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from deescalate.playbooks.format import Capture, Playbook
from deescalate.playbooks.loader import check_bytes as check_playbook
from deescalate.practice.engine import Intro, Practice, Result, run_practice
from deescalate.practice.format import Scenario
from deescalate.practice.loader import check_bytes
from deescalate.practice.model import Reply, Turn, Verdict

DRILL = """\
id: drill
title: Drill
escalate: boss
steps:
  - id: greet
    title: Greet
    say: ["Hello, I'm here to help."]
    avoid: ['Saying "calm down"']
  - id: feel
    title: Name it
    do: [Name the feeling you hear]
    say: ["That sounds frustrating."]
    avoid: [Brushing it off]
  - id: facts
    title: Get the facts
    say: ["Could I have your order number?"]
    capture:
      - {id: order-ref, label: Order number, type: line}
      - {id: amount, label: Amount, type: number}
      - {id: note, label: Anything else, type: text}
  - id: decide
    title: Decide
    say: ["Thanks for waiting."]
    branch:
      question: Whose fault is it?
      options:
        - {label: Ours, goto: sorry}
        - {label: Theirs, goto: explain}
        - {label: Stuck, goto: boss}
  - id: sorry
    title: Say sorry
    say: ["I'm sorry, we got this wrong."]
    avoid: ['A vague "sorry for any inconvenience"']
    next: close
  - id: explain
    title: Explain
    say: ["Here's what the records show."]
    avoid: ["Apologising for a fault that isn't ours, such as \\"sorry, that was us\\""]
  - id: close
    title: Close
    say: ["Is there anything else I can do?"]
    next: end
  - id: boss
    title: Supervisor
    say: ["I'm bringing in my supervisor."]
    capture:
      - {id: reason, label: Why, type: text, required: true}
    next: end
"""

CASE = """\
id: drill-case
playbook: drill
title: Drill case
situation: You are taking a call about a drill that broke.
customer_is_right: {right}
needs_escalation: {escalate}
mood: {{start: 3, drift: none}}
opening: My drill broke.
facts:
  order-ref: {{value: AB1, words: "It's AB1.", step: facts}}
  amount: {{value: 12, words: It cost 12., step: facts}}
steps:
  - id: greet
    lines: {{calm: Hi again., tense: Well?, heated: Listen to me!}}
    replies:
      - {{say: "Oh, here we go.", rating: poor}}
  - id: feel
    lines: {{calm: It's fine., tense: It's annoying., heated: It's a disgrace!}}
    replies:
      - {{say: "Calm down, it's only a drill.", rating: poor, breaks: 1, mood: 2}}
  - id: facts
    lines: {{calm: Sure., tense: Fine., heated: Ugh.}}
  - id: decide
    lines: {{calm: So?}}
  - id: sorry
    replies:
      - {{say: "Sorry for any inconvenience.", rating: poor, breaks: 1}}
  - id: explain
    replies:
      - {{say: "Sorry, that was us.", rating: poor, breaks: 1}}
endings:
  calmed: {{line: Thanks.}}
  escalated: {{line: I'll hold.}}
  hung-up: {{line: Goodbye!}}
"""


def playbook() -> Playbook:
    book, problems = check_playbook(DRILL.encode(), Path("drill.yaml"), "drill.yaml")
    assert book is not None, problems
    return book


def scenario(right: bool = True, escalate: bool = False, text: str | None = None) -> Scenario:
    data = text if text is not None else CASE.format(right=str(right).lower(),
                                                     escalate=str(escalate).lower())
    found, problems = check_bytes(data.encode(), Path("drill-case.yaml"), "drill-case.yaml",
                                  {"drill": playbook()})
    assert found is not None, "\n".join(map(str, problems))
    return found


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class ByText:
    """A trainee that picks replies by their words: a script that reads like the call.

    Each item answers the next question: a reply's exact text (it must be offered),
    ('type', words), 'escalate' or 'back'; an int for a branch (0-based); write-down
    fields take `writes` (capture id to raw text; default: the scenario's fact).
    """

    def __init__(self, script: list[Any], writes: dict[str, str] | None = None,
                 scenario: Scenario | None = None) -> None:
        self.script = list(script)
        self.writes = writes or {}
        self.scenario = scenario
        self.turns: list[Turn] = []
        self.feedbacks: list[Verdict] = []
        self.heard_lines: list[str] = []
        self.problems: list[str] = []
        self.result: Result | None = None

    def begin(self, intro: Intro) -> None:
        self.scenario = intro.scenario

    def reply(self, turn: Turn) -> Reply:
        self.turns.append(turn)
        if turn.ended:  # a hang-up in explore mode: take it back, or end
            return Reply.back() if self.script and self.script[0] == "back" and \
                self.script.pop(0) else Reply.end()
        item = self.script.pop(0)
        if item == "escalate":
            return Reply.escalate()
        if item == "back":
            return Reply.back()
        if isinstance(item, tuple):
            return Reply.typed(item[1])
        texts = [offered.text for offered in turn.replies]
        assert item in texts, f"{item!r} is not offered at {turn.view.step.id}: {texts}"
        return Reply.pick(texts.index(item))

    def feedback(self, verdict: Verdict) -> None:
        self.feedbacks.append(verdict)

    def heard(self, words: str) -> None:
        self.heard_lines.append(words)

    def capture(self, capture: Capture, current: Any, error: str | None) -> str | None:
        if capture.id in self.writes:
            return self.writes.pop(capture.id)
        assert self.scenario is not None
        fact = self.scenario.fact(capture.id)
        return fact if fact is not None else ("noted" if capture.required else "")

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        item = self.script.pop(0)
        assert isinstance(item, int), f"{question}: expected a branch answer, got {item!r}"
        return item

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def finish(self, result: Result) -> None:
        self.result = result


def play(script: list[Any], *, right: bool = True, escalate: bool = False, seed: int = 1,
         explore: bool = False, writes: dict[str, str] | None = None,
         case: Scenario | None = None) -> tuple[Result, ByText]:
    case = case or scenario(right, escalate)
    trainee = ByText(script, writes)
    result = run_practice(Practice(case, playbook(), seed=seed, explore=explore), trainee)
    assert not trainee.script, f"left over: {trainee.script}"
    return result, trainee


def card(result: Result) -> dict[str, bool]:
    return {check.id: check.good for check in result.card.checks}


# The best replies of the drill, step by step, on the way the facts favour the customer.
PERFECT_RIGHT = ["Hello, I'm here to help.", "That sounds frustrating.",
                 "Could I have your order number?", "Thanks for waiting.", 0,
                 "I'm sorry, we got this wrong.", "Is there anything else I can do?"]
PERFECT_WRONG = ["Hello, I'm here to help.", "That sounds frustrating.",
                 "Could I have your order number?", "Thanks for waiting.", 1,
                 "Here's what the records show.", "Is there anything else I can do?"]


def good_answers(practice: Practice, branches: list[int]) -> str:
    """The --answers of a run that picks a good reply at every turn (an apology first
    when the facts favour the customer) and the given branch options (1-based)."""
    answers: list[str] = []
    plan = list(branches)
    while not practice.over:
        turn = practice.turn()
        ranked = sorted(range(len(turn.replies)), key=lambda i: (
            turn.replies[i].rating != "good",
            not (practice.scenario.customer_is_right and turn.replies[i].apology)))
        answers.append(str(ranked[0] + 1))
        practice.answer(Reply.pick(ranked[0]))
        if practice.over:
            break
        for capture in practice.step.capture:
            fact = practice.scenario.fact(capture.id)
            practice.write_down(capture, fact if fact is not None else
                                ("noted" if capture.required else ""))
        answer = None
        if practice.step.branch:
            answer = plan.pop(0)
            answers.append(str(answer))
            answer -= 1
        practice.move_on(answer)
    return ",".join(answers)
