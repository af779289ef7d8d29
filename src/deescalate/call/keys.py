"""The keys of the live call, stated once: `KEYS`, one `Key` for each.

Everything that names a key reads it from here: the full screen's key bindings and
its key line, the plain screen's prompt and the words it takes, the `?` help, and the
test that compares the README's key table. A new key is one more `Key` below (and, if
it does something new, an `Action` in `call/engine.py` and what it does there); the
README's key table and `start`'s help name it too, and tests hold them to this table.

No terminal and no toolkit here, so the table is read and tested without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from deescalate.call import layout
from deescalate.call.engine import Action, StepView
from deescalate.text import picked

ALWAYS = 0  # the key line's rank for a key it never drops
LAST = 99  # the rank of a key shown only as room allows, in the table's order


@dataclass(frozen=True)
class Key:
    """One key at a step: what it does, and how each screen shows it."""

    # How the key line, `?` and the README show it: "Enter", "n", "1-9" (a range), "?".
    key: str
    # What the engine does; None: the screen shows these keys.
    action: Action | None
    # Its word on the key line, and its line in `?`.
    label: str
    help: str
    # Who keeps a place on a short key line: ALWAYS, then 1, 2, ..., then LAST, in
    # the table's order.
    rank: int = LAST
    # The plain screen prompts with `word` (when not `label`) and takes `typed` (when
    # not `key`; a range takes its numbers).
    word: str = ""
    typed: str | None = None
    # What the full screen binds, in prompt_toolkit's names; when empty, `key` in either
    # case, or each number of a range.
    presses: tuple[str, ...] = ()
    # Its key-line word at a step that asks a question, when not `label`.
    on_branch: str = ""
    # A key that `needs` something of the step is left off the key line without it,
    # and pressing it says `refusal`. A range's numbers `reach` as far as the step has
    # items; a number past that says `refusal`, with the number for {number}.
    needs: Callable[[StepView], bool] | None = None
    reach: Callable[[StepView], int] | None = None
    refusal: str = ""
    # A shorter word, for a key line short of room.
    short: str = ""

    @property
    def numbers(self) -> range:
        """The numbers a range such as "1-9" stands for (none for another key)."""
        first, dash, last = self.key.partition("-")
        if not (dash and first.isdigit() and last.isdigit()):
            return range(0)
        return range(int(first), int(last) + 1)

    def bound(self) -> tuple[str, ...]:
        """The keys the full screen binds to this one."""
        if self.presses:
            return self.presses
        if self.numbers:
            return tuple(str(number) for number in self.numbers)
        return tuple(dict.fromkeys((self.key.lower(), self.key.upper())))

    def refused(self, view: StepView, number: int | None = None) -> str:
        """Why pressing it (or its `number`) does nothing at this step; "" if it works."""
        if self.needs is not None and not self.needs(view):
            return self.refusal
        if number is not None and self.reach is not None and number > self.reach(view):
            return self.refusal.format(number=number)
        return ""

    def at(self, view: StepView) -> tuple[str, str] | None:
        """The key and its word on the key line at this step, or None to leave it out."""
        if self.needs is not None and not self.needs(view):
            return None
        key = self.key
        if self.reach is not None:
            last = min(self.reach(view), self.numbers[-1])
            if last < self.numbers[0]:
                return None
            key = f"{self.numbers[0]}-{last}" if last > self.numbers[0] else str(last)
        return key, (self.on_branch if self.on_branch and view.step.branch else self.label)


def _can_go_back(view: StepView) -> bool:
    return view.can_go_back


def _checklist(view: StepView) -> int:
    return len(view.step.checklist)


KEYS: tuple[Key, ...] = (
    Key("Enter", Action.NEXT, "next", "next step (asks what to write down first)",
        rank=ALWAYS, typed="", presses=("enter", "c-j"), on_branch="answer"),
    Key("n", Action.NOTE, "note", "add a note", rank=2),
    Key("m", Action.MOOD, "mood", "rate the customer's mood, 1 calm to 5 hostile", rank=3),
    Key("1-9", Action.TICK, "tick", "tick or untick a checklist item", reach=_checklist,
        refusal="There is no item {number} to tick here; ? shows the keys."),
    Key("b", Action.BACK, "back", "back to the step before (out of escalation too)", rank=4,
        needs=_can_go_back, refusal="This is the first step: nothing to go back to."),
    Key("s", Action.SKIP, "skip", "skip this step"),
    Key("e", Action.ESCALATE, "escalate", "escalate: go to the playbook's escalation step",
        rank=1),
    Key("p", Action.SWITCH, "playbook", "switch to another playbook, keeping everything so far",
        short="book"),
    Key("h", Action.HANDOVER, "handover", "the handover brief, to read out, save or copy",
        short="brief"),
    Key("c", Action.CUSTOMER, "customer", "set or correct the customer's name and reference",
        short="name"),
    Key("q", Action.END, "end call", "end the call and wrap up (Esc there comes back)",
        rank=ALWAYS, word="end", short="end"),
    Key("?", None, "keys", "these keys", rank=ALWAYS),
)


def help_lines() -> list[str]:
    """What every key does, for `?` on either screen."""
    return ["Keys at every step (upper or lower case):",
            *(f"  {key.key:<7}{key.help}" for key in KEYS),
            "In a question: Enter answers, Esc goes back, Ctrl-C pauses the call.",
            "Everything is saved as you go: `deescalate resume` carries on after a crash."]


def key_line(view: StepView, width: int) -> layout.Line:
    """The full screen's last line at a step: every key that works there, words shortened
    or left off before a key is, and "? more keys" when even that is not enough."""
    shown = [(*pair, key.short) for key in KEYS if (pair := key.at(view)) is not None]
    ranked = sorted((key for key in KEYS if ALWAYS < key.rank < LAST), key=lambda k: k.rank)
    return layout.key_line(shown, width, [key.key for key in KEYS if key.rank == ALWAYS],
                           priority=[key.key for key in ranked])


def prompt() -> str:
    """The plain screen's question at a step: every key, as a word to type."""
    return ", ".join(f"{key.key} {key.word or key.label}" for key in KEYS) + " > "


def typed(word: str, view: StepView) -> tuple[Key, int | None] | None:
    """The key a line typed on the plain screen means, with the item a number picks."""
    for key in KEYS:
        if key.numbers:
            number = picked(word, key.reach(view)) if key.reach is not None else None
            if number is not None:
                return key, number - 1
        elif word == (key.key.lower() if key.typed is None else key.typed):
            return key, None
    return None
