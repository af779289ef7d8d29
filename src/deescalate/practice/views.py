"""How practice looks outside the call: the list of scenarios, a reply's feedback, the
score card. Cards and feedback are plain lines (the caller makes them safe to print);
the list is a Rich table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deescalate.playbooks.loader import display_path
from deescalate.practice.engine import Result
from deescalate.practice.format import CALMED, ESCALATED, HUNG_UP, STILL_UPSET
from deescalate.practice.model import Verdict
from deescalate.text import UNICODE, Glyphs

if TYPE_CHECKING:
    from rich.table import Table

    from deescalate.practice.catalog import Entry


def entry_dict(entry: Entry) -> dict[str, Any]:
    scenario = entry.scenario
    data: dict[str, Any] = scenario.to_dict() if scenario else {"id": entry.id}
    data.update({
        "source": entry.source,
        "path": str(entry.path),
        "overrides": [{"source": o.source, "path": str(o.path)} for o in entry.overrides],
        "errors": [str(p) for p in entry.problems if p.is_error],
    })
    return data


def scenario_table(entries: list[Entry]) -> Table:
    """Scenarios with their playbook; where they come from only when not all are built in."""
    from rich.table import Table
    from rich.text import Text

    from deescalate.text import literal

    table = Table(box=None, pad_edge=False, header_style="bold")
    overriding = any(entry.overrides for entry in entries)
    showing_source = overriding or any(entry.source != "built-in" or entry.scenario is None
                                       for entry in entries)
    names = ["ID", "PLAYBOOK", "LEVEL", "FAVOURS", "TITLE"]
    if showing_source:
        names.insert(4, "FROM")
    if overriding:
        names.insert(5, "OVERRIDES")
    longest = {"ID": max((len(e.id) for e in entries), default=2),
               "PLAYBOOK": max((len(e.scenario.playbook) for e in entries if e.scenario),
                               default=8)}
    for name in names:
        # an id or a path is never cut short or broken across lines, so it can be copied;
        # the title wraps instead
        wraps = name in ("TITLE", "OVERRIDES")
        table.add_column(name, no_wrap=not wraps, overflow="fold" if wraps else "ignore",
                         min_width=longest.get(name), ratio=1 if name == "TITLE" else None)
    for entry in entries:
        scenario = entry.scenario
        if scenario is None:
            cells: list[Any] = [literal(entry.id, "bold"), "-", "", ""]
            title: Any = Text("has errors: see deescalate practice validate", style="red")
        else:
            cells = [literal(scenario.id, "bold"), literal(scenario.playbook),
                     scenario.difficulty, "customer" if scenario.customer_is_right else "us"]
            title = literal(scenario.title)
        if showing_source:
            cells.append(entry.source if entry.source == "built-in" else display_path(entry.path))
        if overriding:
            cells.append(", ".join(o.source if o.source == "built-in" else display_path(o.path)
                                   for o in entry.overrides))
        table.add_row(*cells, title)
    if not entries:
        table.add_row("(none)", *[""] * (len(names) - 1))
    return table


def _quoted(text: str, glyphs: Glyphs) -> str:
    return f"{glyphs.open_quote}{text}{glyphs.close_quote}"


def verdict_lines(verdict: Verdict, glyphs: Glyphs = UNICODE) -> list[str]:
    """Explore mode's feedback on one reply: how it landed and why, in a line, then the
    playbook's better line."""
    mood = f"mood {verdict.mood_before} {glyphs.arrow} {verdict.mood_after}"
    how = f"{verdict.rating.capitalize()} reply"
    lines = [f"{how}, {verdict.reasons}: {mood}." if verdict.reasons else f"{how}: {mood}."]
    if verdict.why:
        lines.append(verdict.why)
    if verdict.drifted:
        lines.append("The wait wears on them too: the mood creeps up a little with every "
                     "reply, whatever it is.")
    if verdict.breaks and not verdict.typed and verdict.breaks not in verdict.why:
        lines.append(f"The playbook says to avoid: {verdict.breaks}")
    if verdict.better:
        lines.append(f"Better: {_quoted(verdict.better, glyphs)}")
    return lines


ENDING_WORDS = {CALMED: "the customer calmed down", ESCALATED: "escalated to a supervisor",
                HUNG_UP: "the customer hung up",
                STILL_UPSET: "the call ended with the customer still upset"}


def card_lines(result: Result, glyphs: Glyphs = UNICODE) -> list[str]:
    """The score card as lines of text."""
    card, scenario = result.card, result.scenario
    mode = "explore" if result.explore else "scored"
    lines = [
        f"Score card: {scenario.title} ({scenario.id}, playbook {result.playbook.id}) "
        f"{glyphs.dot} seed {result.seed} {glyphs.dot} {mode}",
        f"Ending: {ENDING_WORDS.get(result.ending, result.ending)}, mood {result.mood_start} "
        f"{glyphs.arrow} {result.mood_end}. {_quoted(result.ending_line, glyphs)}",
        "",
    ]
    for check in card.checks:
        lines.append(f"  {'good' if check.good else 'missed':<6}  {check.label}")
        if not check.good:
            lines.append(f"          {check.detail}")
            if check.better:
                lines.append(f"          Better: {_quoted(check.better, glyphs)}")
    verdict = "passed" if card.passed else "not passed"
    lines += ["", f"{card.good} of {card.total} checks good: {verdict} "
                  f"(pass mark {card.pass_mark}%)."]
    return lines


def fitted(lines: list[str], width: int) -> list[str]:
    """Card or feedback lines wrapped to a terminal `width`, each keeping its indent, and a
    check's detail hanging under its label, so a long line still reads as one item."""
    import textwrap

    out: list[str] = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        hang = 8 if line.startswith(("  good ", "  missed ")) else 0
        out += textwrap.wrap(line, width=max(20, width - 1),
                             subsequent_indent=" " * (indent + hang), break_long_words=False,
                             break_on_hyphens=False) or [""]
    return out
