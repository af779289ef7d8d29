"""How playbooks look outside a call: tables, readable text and flowcharts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from deescalate.playbooks.format import END, Playbook, Step
from deescalate.playbooks.loader import display_path
from deescalate.text import one_line, shown_in_place

if TYPE_CHECKING:
    from deescalate.playbooks.catalog import Entry


def entry_dict(entry: Entry) -> dict[str, Any]:
    book = entry.playbook
    return {
        "id": entry.id,
        "title": book.title if book else None,
        "summary": book.summary if book else None,
        "version": book.version if book else None,
        "steps": len(book.steps) if book else None,
        "aliases": list(book.aliases) if book else [],
        "source": entry.source,
        "path": str(entry.path),
        "overrides": [{"source": o.source, "path": str(o.path)} for o in entry.overrides],
        "errors": [str(p) for p in entry.problems if p.is_error],
    }


def playbook_table(entries: list[Entry]) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold")
    overriding = any(entry.overrides for entry in entries)
    names = ("ID", "TITLE", "STEPS", "ALIASES", "FROM") + (("OVERRIDES",) if overriding else ())
    for name in names:
        table.add_column(name, no_wrap=name in ("ID", "STEPS"))
    for entry in entries:
        book = entry.playbook
        if book is None:
            title = Text(f"has errors: deescalate playbooks validate {display_path(entry.path)}",
                         style="red")
            steps, aliases = "-", ""
        else:
            title, steps, aliases = (Text(one_line(book.title)), str(len(book.steps)),
                                     ", ".join(book.aliases))
        source = entry.source if entry.source == "built-in" else display_path(entry.path)
        overrides = ", ".join(o.source if o.source == "built-in" else display_path(o.path)
                              for o in entry.overrides)
        cells: list[Text | str] = [Text(entry.id, style="bold"), title, steps, aliases, source]
        table.add_row(*cells, *([overrides] if overriding else []))
    if not entries:
        table.add_row("(none)", "", "", "", "")
    return table


def playbook_text(book: Playbook) -> Text:
    """The whole playbook as readable text, step by step."""
    out = Text()
    out.append(book.title, style="bold")
    version = f", version {book.version}" if book.version else ""
    out.append(f"  ({book.id}{version})\n", style="dim")
    if book.summary:
        out.append(f"{book.summary}\n")
    facts = []
    if book.aliases:
        facts.append(f"also: {', '.join(book.aliases)}")
    if book.escalate:
        facts.append(f"escalate: {book.escalate}")
    if book.path:
        facts.append(f"file: {display_path(book.path)}")
    if facts:
        out.append(" · ".join(facts) + "\n", style="dim")
    for number, step in enumerate(book.steps, 1):
        out.append("\n")
        _step_text(out, book, number, step)
    return shown_in_place(out)


def _step_text(out: Text, book: Playbook, number: int, step: Step) -> None:
    marks = []
    if step.id == book.start:
        marks.append("start")
    if step.id == book.escalate:
        marks.append("escalate")
    label = f"  [{step.id}{'; ' + ', '.join(marks) if marks else ''}]"
    out.append(f"{number}. {step.title}", style="bold cyan")
    out.append(label + "\n", style="dim")
    sections = (("Do", step.do, "• ", ""), ("Say", step.say, "“", "”"),
                ("Avoid", step.avoid, "✗ ", ""), ("Checklist", step.checklist, "☐ ", ""))
    for heading, lines, before, after in sections:
        if lines:
            out.append(f"   {heading}:\n", style="bold")
            for line in lines:
                out.append(f"     {before}{line}{after}\n",
                           style="green" if heading == "Say" else "")
    if step.capture:
        out.append("   Write down:\n", style="bold")
        for capture in step.capture:
            extra = f": {', '.join(capture.choices)}" if capture.choices else ""
            need = "required" if capture.required else "optional"
            out.append(f"     {capture.label} [{capture.id}] ({capture.type}{extra}; {need})\n")
    if step.branch:
        out.append(f"   Ask: {step.branch.question}\n", style="bold")
        for option in step.branch.options:
            out.append(f"     {option.label} → {_target(book, option.goto)}\n")
    else:
        out.append(f"   Then: {_target(book, step.next or END)}\n", style="dim")


def _target(book: Playbook, step_id: str) -> str:
    if step_id == END:
        return "end of call"
    return f"{book.number(step_id)}. {book.step(step_id).title}"


# What Mermaid, or the HTML its labels become, would read in a label, as Mermaid's own
# entity codes: `#` first of all (`#1;` would be a character code), the quote that ends
# the label, HTML's `<`, `>` and `&` (tags and entities), and the backtick that starts
# a Markdown label.
MERMAID_CODES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;",
                 "`": "#96;"}


def mermaid(book: Playbook) -> str:
    """A Mermaid flowchart of the steps and branches."""

    def node(step_id: str) -> str:
        return "done" if step_id == END else f"s{book.number(step_id)}"

    def quote(text: str) -> str:
        return '"' + "".join(MERMAID_CODES.get(ch, ch) for ch in one_line(text)) + '"'

    lines = ["flowchart TD", f"    begin(({quote('Start')})) --> {node(book.start)}"]
    for number, step in enumerate(book.steps, 1):
        title = f"{number}. {step.title}"
        if step.branch:
            lines.append(f"    s{number}{{{quote(title + ': ' + step.branch.question)}}}")
        else:
            lines.append(f"    s{number}[{quote(title)}]")
    lines.append(f"    done(({quote('End of call')}))")
    for step in book.steps:
        if step.branch:
            for option in step.branch.options:
                lines.append(f"    {node(step.id)} -->|{quote(option.label)}| {node(option.goto)}")
        else:
            lines.append(f"    {node(step.id)} --> {node(step.next or END)}")
    if book.escalate:
        lines.append(f"    escalate>{quote('Escalate, from any step')}] -.-> {node(book.escalate)}")
        lines.append(f"    class {node(book.escalate)} escalation")
        lines.append("    classDef escalation stroke:#c00,stroke-width:2px")
    return "\n".join(lines)
