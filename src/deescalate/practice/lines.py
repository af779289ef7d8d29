"""A plain practice screen: each turn printed as lines, each answer typed and Enter.

The simplest `Trainee` for a person at a terminal: it needs no full-screen view, so it
works in any terminal, through `script` or a screen reader. The live-call screen can
take its place (see `deescalate.cli.practice.interactive_trainee`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from deescalate.playbooks.format import Capture
from deescalate.practice.engine import Intro, Result
from deescalate.practice.model import Reply, Turn, Verdict
from deescalate.practice.views import card_lines, verdict_lines
from deescalate.text import Glyphs, literal, picked

if TYPE_CHECKING:
    from rich.console import Console


class LineTrainee:
    """Asks each question on a line of its own; Ctrl-C or Ctrl-D stops the practice."""

    def __init__(self, console: Console, glyphs: Glyphs,
                 ask: Callable[[str], str] = input) -> None:
        self.console = console
        self.glyphs = glyphs
        self._ask = ask
        self.situation = ""
        self._last_heard = ""

    def _input(self, prompt: str) -> str:
        try:
            return self._ask(prompt)
        except EOFError:
            raise KeyboardInterrupt from None

    def _say(self, text: str = "", style: str = "", *, hang: int | None = None) -> None:
        """A line, wrapped to the terminal with its indent kept (plus `hang` more after the
        first line), so a long reply or check still reads as one item."""
        import textwrap

        indent = len(text) - len(text.lstrip(" "))
        width = max(20, self.console.width - 1)
        wrapped = textwrap.fill(text, width=width, subsequent_indent=" " * (indent + (hang or 0)),
                                break_long_words=False, break_on_hyphens=False) if text else ""
        self.console.print(literal(wrapped, style), soft_wrap=True)

    def begin(self, intro: Intro) -> None:
        scenario = intro.scenario
        mode = ("explore: feedback after every reply, and b goes back a step" if intro.explore
                else "scored: feedback at the end")
        self._say(f"Practice: {scenario.title}", "bold")
        self._say(f"{intro.playbook.title} {self.glyphs.dot} {scenario.difficulty} "
                  f"{self.glyphs.dot} seed {intro.seed} {self.glyphs.dot} {mode}", "dim")
        self._say()
        self._say(scenario.situation)
        self.situation = scenario.situation
        for note in intro.notes:
            self._say(note, "dim")

    def reply(self, turn: Turn) -> Reply:
        view = turn.view
        g = self.glyphs
        if turn.ended:
            self._say(f"The customer hung up: {g.open_quote}{turn.line}{g.close_quote}", "bold")
            answer = self._input("b takes that reply back, Enter ends the practice: ")
            return Reply.back() if answer.strip().lower() == "b" else Reply.end()
        self._say()
        self._say(f"{g.rule * 3} {turn.number}. {view.step.title} (step {view.number} of "
                  f"{view.total}) {g.rule * 3}", "bold cyan")
        if turn.line and turn.line != self._last_heard:
            self._say(f"Customer: {g.open_quote}{turn.line}{g.close_quote}", "bold")
        elif not turn.line:
            self._say("(The customer waits for you.)", "dim")
        self._last_heard = ""
        if turn.explore:
            self._say(f"Mood {turn.mood} ({turn.band})", "dim")
        for line in view.step.do:
            self._say(f"  {g.bullet} {line}", "dim")
        if view.step.capture:
            labels = ", ".join(c.label for c in view.step.capture)
            self._say(f"  Then write down: {labels}", "dim")
        self._say()
        for number, offered in enumerate(turn.replies, 1):
            self._say(f"  {number}  {offered.text}", hang=3)
        keys = f"1-{len(turn.replies)}" if len(turn.replies) > 1 else "1"
        back = ", b to go back" if turn.can_go_back else ""
        while True:
            answer = self._input(f"Your reply ({keys}, your own words, e to escalate, "
                                 f"s for the situation{back}): ")
            answer = " ".join(answer.split())
            chosen = picked(answer, len(turn.replies))
            if chosen is not None:
                return Reply.pick(chosen - 1)
            if answer.lower() == "s":
                self._say(self.situation)
                continue
            if answer.lower() == "e":
                return Reply.escalate()
            if answer.lower() == "b" and turn.can_go_back:
                return Reply.back()
            if len(answer) > 1 and not answer.isdigit():
                return Reply.typed(answer)
            self.problem(f"Type a number from {keys}, e, or a reply in your own words.")

    def feedback(self, verdict: Verdict) -> None:
        style = {"good": "green", "fair": "yellow", "poor": "red"}.get(verdict.rating, "")
        for number, line in enumerate(verdict_lines(verdict, self.glyphs)):
            self._say(f"  {line}", style if number == 0 else "")

    def heard(self, words: str) -> None:
        g = self.glyphs
        self._say(f"Customer: {g.open_quote}{words}{g.close_quote}", "bold")
        self._last_heard = words

    def capture(self, capture: Capture, current: Any, error: str | None) -> str | None:
        need = "" if capture.required else ", Enter leaves it empty"
        hint = f" [{current}]" if current not in (None, "") else ""
        answer = self._input(f"Write down {capture.label} ({capture.type}{need}){hint}: ")
        if not answer.strip() and current not in (None, ""):
            return str(current)
        return answer

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        self._say(question, "bold")
        for number, option in enumerate(options, 1):
            self._say(f"  {number}  {option}")
        while True:
            answer = self._input(f"Answer (1-{len(options)}): ").strip()
            chosen = picked(answer, len(options))
            if chosen is not None:
                return chosen - 1
            self.problem(f"Type a number from 1 to {len(options)}.")

    def problem(self, message: str) -> None:
        self._say(message, "red")

    def finish(self, result: Result) -> None:
        self._say()
        self._say(f"Customer: {self.glyphs.open_quote}{result.ending_line}"
                  f"{self.glyphs.close_quote}", "bold")
        self._say()
        for line in card_lines(result, self.glyphs):
            self._say(line, hang=8 if line.startswith(("  good ", "  missed ")) else 0)
