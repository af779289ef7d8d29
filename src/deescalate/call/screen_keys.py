"""The live screen's key bindings, mode by mode: at a step (from the key table in
`call/keys.py`), typing, choosing, rating the mood, confirming a stop, reading the keys
or the brief, and between questions.

Imported only by `call/screen.py`. prompt_toolkit is imported inside `bindings`, so
the screen can draw the first step before it has loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from deescalate.call import keys
from deescalate.call.engine import GoBack, StepView
from deescalate.call.handoff import Drafts, Handoff
from deescalate.records.format import MOODS

if TYPE_CHECKING:
    from prompt_toolkit.filters import Filter
    from prompt_toolkit.key_binding import KeyBindings

Handler = Callable[[Any], None]
Add = Callable[..., Callable[[Handler], Handler]]  # KeyBindings.add


class Screen(Protocol):
    """What the keys read and change on the live screen."""

    handoff: Handoff
    drafts: Drafts
    view: StepView | None
    overlay: list[str] | None  # the keys or the handover brief, over the step
    scroll: int
    selected: int
    messages: list[tuple[str, str]]
    rejected: list[tuple[str, str]]  # those about the answer being typed
    notices: list[str]
    buffer: Any  # prompt_toolkit's Buffer, the text being typed

    def brief_to_file(self) -> None: ...

    def brief_to_clipboard(self) -> None: ...


def bindings(screen: Screen) -> KeyBindings:
    """Every key of the live screen, each bound in the mode where it works."""
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings

    bound = KeyBindings()

    def mode(*kinds: str | None) -> Condition:
        return Condition(lambda: screen.overlay is None and screen.handoff.kind() in kinds)

    _between(bound.add, screen, mode(None))
    _at_step(bound.add, screen, mode("action"))
    _overlaid(bound.add, screen, Condition(lambda: screen.overlay is not None))
    _typing(bound.add, screen, mode("text"))
    _choosing(bound.add, screen, mode("choose"))
    _choice_letters(bound.add, screen, mode("choose"))
    _rating(bound.add, screen, mode("mood"))
    _confirming(bound.add, screen, mode("confirm"))
    _anywhere(bound.add, screen)
    return bound


# Each function below takes `KeyBindings.add` (as `add`), the screen and the filter of
# its mode.

def _between(add: Add, screen: Screen, between: Filter) -> None:
    """Keys typed while the engine is busy between questions wait for the next one."""
    @add("<any>", filter=between)
    @add("enter", filter=between)
    @add("escape", filter=between, eager=True)
    def _wait(event: Any) -> None:
        screen.handoff.early.extend(event.key_sequence)


def _at_step(add: Add, screen: Screen, acting: Filter) -> None:
    """The keys of the key table, and a word for any other key."""
    for key in keys.KEYS:
        for press in key.bound():
            add(press, filter=acting)(_pressing(screen, key, press))

    @add("<any>", filter=acting)
    def _unknown(event: Any) -> None:
        screen.messages[:] = [("class:problem", "That key does nothing here; ? shows the keys.")]


def _pressing(screen: Screen, key: keys.Key, press: str) -> Handler:
    """What pressing `press`, one of `key`'s keys, does at a step."""
    number = int(press) if key.numbers else None

    def pressed(event: Any) -> None:
        view = screen.view
        refusal = key.refused(view, number) if view is not None else ""
        if refusal:
            screen.messages[:] = [("class:problem", refusal)]
            return
        if key.action is None:
            screen.overlay = keys.help_lines()
            screen.scroll = 0
            return
        if screen.handoff.kind() != "action":
            return
        screen.messages.clear()
        screen.notices.clear()
        screen.handoff.reply((key.action, None if number is None else number - 1))

    return pressed


def _overlaid(add: Add, screen: Screen, overlaid: Filter) -> None:
    """Reading the keys or the brief: Up and Down scroll, any other key closes it."""
    @add("up", filter=overlaid)
    def _up(event: Any) -> None:
        screen.scroll = max(0, screen.scroll - 1)

    @add("down", filter=overlaid)
    @add("pagedown", filter=overlaid)
    def _down(event: Any) -> None:
        screen.scroll += 1

    @add("w", filter=overlaid)
    @add("W", filter=overlaid)
    def _write(event: Any) -> None:
        if not _keeping(screen):
            _close(event)
            return
        screen.brief_to_file()

    @add("y", filter=overlaid)
    @add("Y", filter=overlaid)
    def _copy(event: Any) -> None:
        if not _keeping(screen):
            _close(event)
            return
        screen.brief_to_clipboard()

    @add("<any>", filter=overlaid)
    @add("enter", filter=overlaid)
    @add("escape", filter=overlaid, eager=True)
    def _close(event: Any) -> None:
        screen.overlay = None
        request = screen.handoff.request
        if request is not None and request.kind == "brief":
            request.answer(None)


def _keeping(screen: Screen) -> bool:
    """Whether the brief on screen can be written out or copied (the handover brief)."""
    request = screen.handoff.request
    return bool(request is not None and request.kind == "brief" and request.payload.get("keep"))


def _typing(add: Add, screen: Screen, typing: Filter) -> None:
    """Enter saves (once the answer passes its check), Alt+Enter a new line, Esc back."""
    @add("enter", filter=typing)
    def _save(event: Any) -> None:
        request = screen.handoff.request
        assert request is not None
        text = screen.buffer.text
        check = request.payload["check"]
        problem = check(text) if check else None
        if problem:
            screen.messages[:] = screen.rejected[:] = [("class:problem", problem)]
            return
        screen.messages.clear()
        screen.notices.clear()
        screen.drafts.flush()
        request.answer(text)

    @add("escape", "enter", filter=typing)
    def _new_line(event: Any) -> None:
        request = screen.handoff.request
        if request is not None and request.payload["multiline"]:
            screen.buffer.insert_text("\n")

    @add("escape", filter=typing)
    def _back_from_text(event: Any) -> None:
        screen.messages.clear()
        screen.handoff.reply(error=GoBack(screen.buffer.text))


def _choosing(add: Add, screen: Screen, choosing: Filter) -> None:
    """Up, Down or a number picks; Enter takes it; Esc goes back."""
    def options() -> int:
        request = screen.handoff.request
        assert request is not None
        return len(request.payload["options"])

    @add("up", filter=choosing)
    def _choice_up(event: Any) -> None:
        screen.selected = max(0, screen.selected - 1)

    @add("down", filter=choosing)
    def _choice_down(event: Any) -> None:
        screen.selected = min(options() - 1, screen.selected + 1)

    for digit in range(1, 10):
        def number(event: Any, value: int = digit) -> None:
            if value <= options():
                screen.selected = value - 1

        add(str(digit), filter=choosing)(number)

    @add("enter", filter=choosing)
    def _choose(event: Any) -> None:
        screen.messages.clear()
        screen.handoff.reply(screen.selected)

    @add("escape", filter=choosing, eager=True)
    def _back_from_choice(event: Any) -> None:
        screen.messages.clear()
        screen.handoff.reply(error=GoBack())


def _choice_letters(add: Add, screen: Screen, choosing: Filter) -> None:
    """A letter the question names (its payload's `letters`, letter to option) picks that
    option at once; other letters do nothing, as before."""
    @add("<any>", filter=choosing)
    def _letter(event: Any) -> None:
        request = screen.handoff.request
        letters = request.payload.get("letters") if request is not None else None
        key = event.key_sequence[0].key
        if letters and isinstance(key, str) and key.lower() in letters:
            screen.messages.clear()
            screen.handoff.reply(letters[key.lower()])


def _rating(add: Add, screen: Screen, rating: Filter) -> None:
    """A mood is one key; Esc leaves it."""
    for value in MOODS:
        def rate(event: Any, value: int = value) -> None:
            screen.handoff.reply(value)

        add(str(value), filter=rating)(rate)

    @add("escape", filter=rating, eager=True)
    def _leave_mood(event: Any) -> None:
        screen.handoff.reply(None)


def _confirming(add: Add, screen: Screen, confirming: Filter) -> None:
    """y stops; n, Enter or Esc carries on."""
    @add("y", filter=confirming)
    @add("Y", filter=confirming)
    def _stop(event: Any) -> None:
        screen.handoff.reply(True)

    @add("n", filter=confirming)
    @add("N", filter=confirming)
    @add("enter", filter=confirming)
    @add("escape", filter=confirming, eager=True)
    def _carry_on(event: Any) -> None:
        screen.handoff.reply(False)


def _anywhere(add: Add, screen: Screen) -> None:
    """Ctrl-C interrupts the question, keeping what was typed; between questions it waits."""
    @add("c-c")
    @add("<sigint>")
    def _interrupt(event: Any) -> None:
        request = screen.handoff.request
        screen.overlay = None
        if request is None or request.done.is_set():
            screen.handoff.early.extend(event.key_sequence)
            return
        interrupt = KeyboardInterrupt()
        interrupt.typed = (screen.buffer.text  # type: ignore[attr-defined]
                           if request.kind == "text" else "")
        screen.drafts.flush()
        request.answer(error=interrupt)
