"""Practice on the live-call screen: the customer's line above the step, replies to pick.

`PracticeScreen` is a `Trainee` built on `call.screen.LiveScreen`, so a practice looks
and feels like the call it rehearses: the same step view, keys and prompts, with the
customer's words on top and the replies offered as the question. The practice engine
runs in the screen's worker thread, as the call engine does in a call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deescalate.call.engine import GoBack
from deescalate.call.screen import LiveScreen
from deescalate.playbooks.format import Capture
from deescalate.practice.model import Reply, Turn, Verdict
from deescalate.practice.views import card_lines, verdict_lines

if TYPE_CHECKING:
    from deescalate.practice.engine import Intro, Practice, Result
    from deescalate.text import Glyphs

OWN_WORDS = "Say it in my own words"
ESCALATE = "Escalate: bring in a supervisor"
BACK = "Back a step (explore)"


class PracticeScreen(LiveScreen):
    """The `Trainee` for a person at a full terminal."""

    def __init__(self, practice: Practice, glyphs: Glyphs) -> None:
        super().__init__(practice.engine, glyphs)

    def begin(self, intro: Intro) -> None:
        scenario, g = intro.scenario, self.glyphs
        mode = ("explore: feedback after every reply, and Esc goes back a step"
                if intro.explore else "scored: feedback at the end")
        self.brief([f"Practice: {scenario.title}",
                    f"{intro.playbook.title} {g.dot} {scenario.difficulty} {g.dot} "
                    f"seed {intro.seed} {g.dot} {mode}", "", scenario.situation, "",
                    *intro.notes, "", "Any key starts the call."], title="Practice")

    def reply(self, turn: Turn) -> Reply:
        g = self.glyphs
        self.show(turn.view)
        mood = f" (mood {turn.mood}, {turn.band})" if turn.explore else ""
        said = (f"Customer{mood}: {g.open_quote}{turn.line}{g.close_quote}" if turn.line
                else f"The customer waits for you{mood}.")
        self.lead = [("class:customer", said)]
        options = [offered.text for offered in turn.replies] + [OWN_WORDS, ESCALATE]
        if turn.can_go_back:
            options.append(BACK)
        while True:
            try:
                index = self.choose("Your reply", options, 0, wrap=True)
            except GoBack:
                if turn.can_go_back:
                    return Reply.back()
                continue
            if index < len(turn.replies):
                return Reply.pick(index)
            chosen = options[index]
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

    def feedback(self, verdict: Verdict) -> None:
        self.brief(verdict_lines(verdict, self.glyphs), title="How that landed")

    def capture(self, capture: Capture, current: Any, error: str | None,
                draft: str = "") -> str | None:
        self.lead = []
        return super().capture(capture, current, error, draft)

    def finish(self, result: Result) -> None:
        g = self.glyphs
        self.brief([f"Customer: {g.open_quote}{result.ending_line}{g.close_quote}", "",
                    *card_lines(result, g)], title="Score card")
