"""The live call for a terminal that takes no escape codes (`TERM=dumb`): lines in, lines out.

The same engine and the same fitting as the full screen, printed as plain text, with
each answer typed on a line and Enter. Nothing here sends a control code: every line
is outside text made safe by `text.shown`, and the glyphs suit the output's encoding.
Text typed into a line is the terminal's until Enter, so a killed process loses the
line being typed (the full screen keeps it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, TypeVar

from deescalate.call import keys, layout
from deescalate.call.engine import (
    Action,
    Check,
    GoBack,
    Hangup,
    Preview,
    StepView,
    capture_prompt,
)
from deescalate.playbooks.format import Capture
from deescalate.records.format import MOODS
from deescalate.text import Glyphs, one_line, picked, shown

if TYPE_CHECKING:
    from deescalate.call.engine import CallEngine

T = TypeVar("T")
BACK = "<"  # typed alone: go back, as Esc does on the full screen


class PlainScreen:
    """The engine's Asker over plain lines."""

    def __init__(self, engine: CallEngine, glyphs: Glyphs, *, notices: Sequence[str] = (),
                 earlier: Callable[[], int | None] | None = None,
                 out: IO[str] | None = None, read: Callable[[str], str] | None = None,
                 width: int = 80) -> None:
        self.engine = engine
        self.glyphs = glyphs
        self.notices = list(notices)
        self.earlier = earlier or (lambda: None)
        self.out = out or sys.stdout
        self.read = read or input
        self.width = width

    def run(self, work: Callable[[], T]) -> T:
        return work()

    def hang_up(self) -> None:
        raise Hangup()

    def _say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _ask(self, prompt: str) -> str:
        try:
            return self.read(prompt)
        except EOFError:
            raise Hangup() from None

    def show(self, view: StepView) -> None:
        lines = [layout.header(view, self.width, self.glyphs, earlier=self.earlier() or 0),
                 *layout.body(view, self.width, 10_000, self.glyphs)]
        self._say()
        for line in lines:
            self._say("".join(text for _, text in line).rstrip())
        for notice in self.notices:
            self._say(shown(notice))
        self.notices.clear()

    def heading(self, text: str) -> None:
        self._say()
        self._say(text)

    def problem(self, message: str) -> None:
        self._say(f"! {shown(message)}")

    def action(self, view: StepView) -> tuple[Action, int | None]:
        while True:
            found = keys.typed(self._ask(keys.prompt()).strip().lower(), view)
            if found is None:
                self.problem("That does nothing here; ? shows the keys.")
                continue
            key, item = found
            if key.action is not None:
                return key.action, item
            for line in keys.help_lines():
                self._say(line)

    def text(self, label: str, *, key: str, default: str = "", multiline: bool = False,
             hint: str = "", check: Check | None = None, preview: Preview | None = None) -> str:
        while True:
            suffix = f" [{one_line(default)}]" if default else ""
            extra = f" ({hint})" if hint else ""
            typed = self._ask(f"{one_line(label)}{extra}{suffix}, {BACK} goes back: ")
            if typed.strip() == BACK:
                raise GoBack(default)
            answer = typed if typed or not default else default
            problem = check(answer) if check else None
            if problem:
                self.problem(problem)
                continue
            became = preview(answer) if preview else None
            if became:
                self._say(f"  {self.glyphs.arrow} {became}")
            return answer

    def capture(self, capture: Capture, current: Any, error: str | None,
                draft: str = "") -> str | None:
        label = one_line(capture.label) + ("" if capture.required else " (optional)")
        ask = capture_prompt(capture, self.engine.today)
        if ask.options:
            options = [*ask.options, *([] if capture.required else ["(leave empty)"])]
            index = self.choose(label, options)
            return None if options[index] == "(leave empty)" else options[index]
        current_text = draft or ("" if current is None else str(current))
        return self.text(label, key=f"capture:{capture.id}", default=current_text,
                         check=ask.check)

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        self._say(shown(question))
        for index, option in enumerate(options, 1):
            self._say(f"  {index} {one_line(option)}")
        while True:
            mark = f" [{default + 1}]" if default is not None else ""
            typed = self._ask(f"Number{mark}, {BACK} goes back: ").strip()
            if typed == BACK:
                raise GoBack()
            if not typed and default is not None:
                return default
            number = picked(typed, len(options))
            if number is not None:
                return number - 1
            self.problem(f"Type a number from 1 to {len(options)}.")

    def mood(self, current: int | None) -> int | None:
        words = ", ".join(f"{value} {word}" for value, word in MOODS.items())
        while True:
            typed = self._ask(f"Customer's mood now? {words} (Enter leaves it): ").strip()
            if not typed:
                return None
            number = picked(typed, max(MOODS))
            if number in MOODS:
                return number
            self.problem("Type 1 to 5, or Enter to leave it.")

    def brief(self, lines: list[str]) -> None:
        self._say()
        for line in lines:
            self._say(shown(line))

    def confirm_stop(self) -> bool:
        typed = self._ask("Paused; everything so far is saved. Stop now and resume later? "
                          "[y/N] ")
        return typed.strip().lower() in ("y", "yes")
