"""The live-call screen: one Rich panel per step, and the prompts that answer the engine.

Rich draws; prompt_toolkit and questionary ask. They are imported only when the first
prompt is shown, so the first step is on screen before they load. Every prompt uses
`unsafe_ask`, so Ctrl-C arrives as KeyboardInterrupt and the engine handles it in one
place; whatever was typed into a cut-off prompt travels with it as `typed`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from deescalate.call.engine import Action, Check, StepView, parse_capture
from deescalate.playbooks.format import Capture
from deescalate.records.format import MOODS

if TYPE_CHECKING:
    from deescalate.call.engine import CallEngine

KEYS_HELP = [("Enter", "next"), ("n", "note"), ("m", "mood"), ("1-9", "tick"), ("b", "back"),
             ("s", "skip"), ("e", "escalate"), ("q", "end call")]
_ACTION_KEYS = {"enter": Action.NEXT, "c-m": Action.NEXT, "c-j": Action.NEXT,
                "n": Action.NOTE, "m": Action.MOOD, "b": Action.BACK, "s": Action.SKIP,
                "e": Action.ESCALATE, "q": Action.END}
SKIP_LABEL = "(leave empty)"

# prompt_toolkit asks the terminal where the cursor is after every prompt and, when a
# terminal never answers, waits a whole second before the next one. Our prompts are a
# line or a short list and need no such measuring, so the question is not asked.
os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
NEW_LINE_HINT = "Enter saves · Alt+Enter adds a line"


def clock(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def step_panel(view: StepView) -> Panel:
    """Everything the agent needs for one step, at a glance."""
    step = view.step
    parts: list[Any] = [Text(step.title, style="bold")]

    def section(heading: str, style: str) -> None:
        parts.append(Text(""))
        parts.append(Text(heading, style=f"bold {style}"))

    if step.do:
        section("DO", "cyan")
        parts += [Text(f"  • {line}") for line in step.do]
    if view.say:
        section("SAY", "green")
        for phrase in view.say:
            parts.append(Text(f"  “{phrase}”", style="bold green"))
    if step.avoid:
        section("AVOID", "red")
        parts += [Text(f"  ✗ {line}", style="red") for line in step.avoid]
    if step.checklist:
        section("CHECKLIST", "yellow")
        for number, (item, done) in enumerate(zip(step.checklist, view.ticked, strict=True), 1):
            mark = "☑" if done else "☐"
            key = str(number) if number <= 9 else " "
            parts.append(Text(f"  {key} {mark} {item}", style="dim" if done else ""))
    if view.captures:
        section("WRITE DOWN (asked when you press Enter)", "magenta")
        for capture, value in view.captures:
            shown = "" if value is None else (("yes" if value else "no")
                                              if isinstance(value, bool) else str(value))
            need = "" if capture.required else " (optional)"
            line = Text(f"  {capture.label}{need}: ")
            line.append(shown or "…", style="bold" if shown else "dim")
            parts.append(line)
    if view.notes:
        section("NOTES", "blue")
        parts += [Text(f"  {note}") for note in view.notes]
    if step.branch:
        section("THEN", "cyan")
        parts.append(Text(f"  {step.branch.question}"))
    mood = f"mood {view.mood} {MOODS[view.mood]}" if view.mood else "mood not rated"
    escalated = " · escalated" if view.escalated else ""
    return Panel(
        Group(*parts),
        title=f"[bold]{view.playbook_title}[/bold]",
        title_align="left",
        subtitle=f"step {view.number} of {view.total} · {clock(view.elapsed)} · {mood}{escalated}",
        subtitle_align="right",
        border_style="red" if view.escalated else "cyan",
        padding=(0, 1),
    )


class TerminalAsker:
    """The engine's Asker for a person at a terminal."""

    def __init__(self, console: Console, engine: CallEngine | None = None,
                 *, clear: bool = True, notice: str = "",
                 intro: Callable[[], Any] | None = None) -> None:
        self.console = console
        self.engine = engine  # for the live clock in the key line
        self.clear = clear
        self.notice = notice  # shown once, under the first step
        self.intro = intro  # asked at each step until it has something to show above it

    # -- showing ---------------------------------------------------------------

    def show(self, view: StepView) -> None:
        if self.clear and self.console.is_terminal:
            self.console.clear()
        above = self.intro() if self.intro else None
        if above is not None:
            self.console.print(above)
            self.intro = None
        self.console.print(step_panel(view))
        if self.notice:
            self.console.print(Text(self.notice, style="dim"))
            self.notice = ""

    def heading(self, text: str) -> None:
        from rich.rule import Rule

        self.console.print(Rule(text, style="cyan"))

    def problem(self, message: str) -> None:
        self.console.print(Text(message, style="bold red"))

    # -- one-key prompts -----------------------------------------------------------

    def action(self, view: StepView) -> tuple[Action, int | None]:
        items = len(view.step.checklist)

        def line() -> list[tuple[str, str]]:
            seconds = self.engine.elapsed() if self.engine else view.elapsed
            shown = [(k, "answer" if k == "Enter" and view.step.branch else what)
                     for k, what in KEYS_HELP
                     if (k != "1-9" or items) and (k != "b" or view.can_go_back)]
            tokens: list[tuple[str, str]] = []
            for key, what in shown:
                key = key if key != "1-9" else (f"1-{min(items, 9)}" if items > 1 else "1")
                tokens += [("class:key", f" {key} "), ("", f"{what} ")]
            tokens.append(("class:clock", f"  {clock(seconds)}"))
            return tokens

        extra = {str(n): (Action.TICK, n - 1) for n in range(1, min(items, 9) + 1)}
        keys: dict[str, tuple[Action, int | None]] = {
            key: (action, None) for key, action in _ACTION_KEYS.items()
            if action is not Action.BACK or view.can_go_back}
        keys.update(extra)
        result: tuple[Action, int | None] = _one_key(line, keys)
        return result

    def mood(self, current: int | None) -> int | None:
        def line() -> list[tuple[str, str]]:
            tokens = [("class:question", "Customer's mood now? ")]
            for value, word in MOODS.items():
                tokens += [("class:key", f" {value} "), ("", f"{word} ")]
            return [*tokens, ("class:dim", "  Esc: leave it")]

        keys: dict[str, int | None] = {str(value): value for value in MOODS}
        keys["escape"] = None
        result: int | None = _one_key(line, keys)
        return result

    # -- questions -----------------------------------------------------------------

    def text(self, label: str, *, key: str, default: str = "", multiline: bool = False,
             hint: str = "", check: Check | None = None) -> str:
        import questionary

        hint = hint or (NEW_LINE_HINT if multiline else "")

        def valid(answer: str) -> bool | str:
            return (check(answer) if check else None) or True

        question = questionary.text(label, default=default, instruction=hint or None,
                                    validate=valid,
                                    key_bindings=_new_line_keys() if multiline else None)
        return str(_ask(question))

    def capture(self, capture: Capture, current: Any, error: str | None) -> str | None:
        import questionary

        label = capture.label + ("" if capture.required else " (optional)")
        if capture.type in ("choice", "yes-no"):
            options = list(capture.choices) if capture.type == "choice" else ["yes", "no"]
            if not capture.required:
                options.append(SKIP_LABEL)
            default = _choice_default(current, options)
            answer = _ask(questionary.select(label, options, default=default,
                                             use_shortcuts=len(options) <= 9,
                                             use_jk_keys=False))
            return None if answer == SKIP_LABEL else str(answer)
        shown = "" if current is None else str(current)
        hints = {"date": "2026-12-01, today, +3d, friday", "number": "a number",
                 "text": NEW_LINE_HINT}
        hint = hints.get(capture.type, "Enter to skip" if not capture.required else "")

        def valid(raw: str) -> bool | str:
            try:
                parse_capture(capture, raw)
            except ValueError as exc:
                return str(exc)
            return True

        question = questionary.text(label, default=shown, instruction=hint or None,
                                    validate=valid,
                                    key_bindings=_new_line_keys()
                                    if capture.type == "text" else None)
        return str(_ask(question))

    def choose(self, question: str, options: list[str], default: int | None = None) -> int:
        import questionary

        choices = [questionary.Choice(label, value=index) for index, label in enumerate(options)]
        chosen = choices[default] if default is not None else None
        answer = _ask(questionary.select(question, choices, default=chosen,
                                         use_shortcuts=len(options) <= 9, use_jk_keys=False))
        return int(answer)

    def confirm_stop(self) -> bool:
        import questionary

        self.console.print(Text("Paused. Everything so far is saved.", style="bold yellow"))
        answer = _ask(questionary.confirm("Stop now and resume the call later?", default=False))
        return bool(answer)


def _choice_default(current: Any, options: list[str]) -> str | None:
    if isinstance(current, bool):
        return "yes" if current else "no"
    return current if current in options else None


def _ask(question: Any) -> Any:
    """Ask with `unsafe_ask`; a cut-off answer keeps what was typed on the exception."""
    try:
        return question.unsafe_ask()
    except KeyboardInterrupt as interrupt:
        buffer = getattr(question.application, "current_buffer", None)
        interrupt.typed = buffer.text if buffer is not None else ""  # type: ignore[attr-defined]
        raise


def _new_line_keys() -> Any:
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("escape", "enter")
    def _(event: Any) -> None:
        event.current_buffer.insert_text("\n")

    return bindings


def _one_key(line: Any, keys: dict[str, Any]) -> Any:
    """Show a one-line prompt and return the value of the first mapped key pressed."""
    import questionary
    from prompt_toolkit.application import Application
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.layout import FormattedTextControl, Layout, Window
    from prompt_toolkit.styles import Style

    bindings = KeyBindings()
    for key, value in keys.items():
        def pick(event: Any, value: Any = value) -> None:
            event.app.exit(result=value)

        bindings.add(key, eager=True)(pick)

    @bindings.add("c-c")
    def _interrupt(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add("<any>")
    def _ignore(event: Any) -> None:
        """Other keys do nothing, so a stray key never moves the call on."""

    style = Style.from_dict({"key": "reverse bold", "clock": "bold", "question": "bold",
                             "dim": "#888888"})
    app: Application[Any] = Application(
        layout=Layout(Window(FormattedTextControl(line), height=1, dont_extend_height=True)),
        key_bindings=bindings, style=style, full_screen=False, erase_when_done=True,
        refresh_interval=1.0,
    )
    return _ask(questionary.Question(app))


def pick(question: str, options: list[tuple[str, str]]) -> str:
    """Ask which of `options` (label, value) the agent means; returns its value."""
    import questionary

    choices = [questionary.Choice(label, value=value) for label, value in options]
    return str(questionary.select(question, choices, use_shortcuts=len(choices) <= 9,
                                  use_jk_keys=False).unsafe_ask())
