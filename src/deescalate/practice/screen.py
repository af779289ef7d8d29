"""Practice on the live-call screen: the customer's words above the step, replies to pick.

`PracticeScreen` is a `Trainee` built on `call.screen.LiveScreen`, so a practice looks
and feels like the call it rehearses: the same step view, keys and prompts, with the
customer's words on top and the replies offered as the question. The practice engine
runs in the screen's worker thread, as the call engine does in a call.

The step's `say` lines are not shown above the replies (they are among the replies,
and would give the answer away); the feedback and the score card quote them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from deescalate.call.engine import GoBack, StepView
from deescalate.call.screen import LiveScreen
from deescalate.playbooks.format import Capture
from deescalate.practice.model import Reply, Turn, Verdict
from deescalate.practice.views import card_lines, verdict_lines

if TYPE_CHECKING:
    from deescalate.practice.engine import Intro, Practice, Result
    from deescalate.text import Glyphs

OWN_WORDS = "Say it in my own words"
ESCALATE = "Escalate: bring in a supervisor"
SITUATION = "Re-read the situation (s)"
BACK = "Back a step (explore, or Esc)"
TAKE_BACK = "Take that reply back (Esc)"
END = "End the practice here"
NOTHING_PICKED = "Pick a reply first: its number, or Up/Down, then Enter."


class PracticeScreen(LiveScreen):
    """The `Trainee` for a person at a full terminal."""

    def __init__(self, practice: Practice, glyphs: Glyphs) -> None:
        super().__init__(practice.engine, glyphs)
        self.practice = practice
        self.situation: list[str] = []

    def _view(self, view: StepView | None = None) -> StepView:
        """The step as the practice shows it: its say lines kept for the replies."""
        view = view or self.engine.view()
        return replace(view, say=(), step=replace(view.step, say=()))

    def _customer(self, words: str, mood: str = "") -> None:
        g = self.glyphs
        said = (f"Customer{mood}: {g.open_quote}{words}{g.close_quote}" if words
                else f"The customer waits for you{mood}.")
        self.lead = [("class:customer", said)]

    def begin(self, intro: Intro) -> None:
        scenario, g = intro.scenario, self.glyphs
        mode = ("explore: feedback after every reply, and Esc goes back a step"
                if intro.explore else "scored: feedback at the end")
        self.situation = [f"Practice: {scenario.title}",
                          f"{intro.playbook.title} {g.dot} {scenario.difficulty} {g.dot} "
                          f"seed {intro.seed} {g.dot} {mode}", "", scenario.situation]
        self.brief([*self.situation, "", *intro.notes, "",
                    "s re-reads this at any reply. Any key starts the call."],
                   title="Practice")

    def reply(self, turn: Turn) -> Reply:
        self.show(self._view(turn.view))
        if turn.ended:
            return self._ended(turn)
        self._customer(turn.line, f" (mood {turn.mood}, {turn.band})" if turn.explore else "")
        options = [offered.text for offered in turn.replies] + [OWN_WORDS, ESCALATE, SITUATION]
        if turn.can_go_back:
            options.append(BACK)
        while True:
            try:
                index = self._pick("Your reply", options)
            except GoBack:
                if turn.can_go_back:
                    return Reply.back()
                continue
            if index < len(turn.replies):
                return Reply.pick(index)
            chosen = options[index]
            if chosen == SITUATION:
                self.brief(self.situation, title="The situation")
                continue
            if chosen == ESCALATE:
                return Reply.escalate()
            if chosen == BACK:
                return Reply.back()
            try:
                words = self.text("Your reply, in your own words", key="practice:reply")
            except GoBack:
                continue
            if words.strip():
                return Reply.typed(" ".join(words.split()))

    def _ended(self, turn: Turn) -> Reply:
        """Explore mode, after a hang-up: take the reply back, or end."""
        g = self.glyphs
        self.lead = [("class:customer", f"The customer hung up: {g.open_quote}{turn.line}"
                                        f"{g.close_quote}")]
        while True:
            try:
                index = self._pick("The call is over", [TAKE_BACK, END, SITUATION])
            except GoBack:
                return Reply.back()
            if index == 0:
                return Reply.back()
            if index == 1:
                return Reply.end()
            self.brief(self.situation, title="The situation")

    def _pick(self, question: str, options: list[str]) -> int:
        """A choice with nothing picked at first, and `s` for the situation (the live
        screen's choice takes letters a question names)."""
        letters = {"s": options.index(SITUATION)} if SITUATION in options else {}
        while True:
            index = int(self._ask("choose", question=question, options=options, default=-1,
                                  wrap=True, letters=letters))
            if index >= 0:
                return index
            self.problem(NOTHING_PICKED)

    def feedback(self, verdict: Verdict) -> None:
        self.show(self._view())  # the header's mood follows the reply at once
        self.brief(verdict_lines(verdict, self.glyphs), title="How that landed")

    def heard(self, words: str) -> None:
        # the customer's answer stays on screen while it is written down
        self._customer(words)
        self.show(self._view())

    def capture(self, capture: Capture, current: Any, error: str | None,
                draft: str = "") -> str | None:
        self.show(self._view())
        return super().capture(capture, current, error, draft)

    def choose(self, question: str, options: list[str], default: int | None = None, *,
               wrap: bool = False) -> int:
        self.show(self._view())
        return super().choose(question, options, default, wrap=wrap)

    def finish(self, result: Result) -> None:
        g = self.glyphs
        self.brief([f"Customer: {g.open_quote}{result.ending_line}{g.close_quote}", "",
                    *card_lines(result, g), "", "Any key closes the practice; the card "
                                                "stays on the terminal."], title="Score card")
