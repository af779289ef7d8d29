"""The transcript of a practice: one Markdown file in the practice folder.

The practice folder is the team's `practice/` (beside `records/`), or the user's data
folder outside a team. It is never the records folder nor inside it, so `records`
commands never count a practice. A transcript is written once, whole (a temp file
linked into place), and never overwrites another.
"""

from __future__ import annotations

import re
from pathlib import Path

from deescalate.errors import CantWrite
from deescalate.files import write_exclusive
from deescalate.practice.engine import Result, mood_level
from deescalate.text import shown

_SLUG = re.compile(r"[^a-z0-9]+")


def check_folder(folder: Path, records: Path) -> None:
    """Refuse a practice folder where `records` commands would read its transcripts."""
    practice, kept = folder.resolve(), records.resolve()
    if practice == kept or kept in practice.parents:
        raise CantWrite(f"the practice folder {folder} is inside the records folder {records}, "
                        "where transcripts would count as records; keep the records folder "
                        "beside the team's practice/ folder, not above it")


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "trainee"


def file_name(result: Result) -> str:
    stamp = re.sub(r"[^0-9T]", "", result.started).replace("T", "-")
    return f"{stamp}-{_slug(result.agent)}-{result.scenario.id}"


def write(folder: Path, result: Result) -> Path:
    """Write the transcript into `folder` (made if missing); its path."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = render(result).encode("utf-8")
        stem = file_name(result)
        for number in range(1, 1000):
            path = folder / f"{stem}{'' if number == 1 else f'-{number}'}.md"
            if write_exclusive(path, data):
                return path
    except OSError as exc:
        raise CantWrite(f"{folder}: can't write the practice transcript "
                        f"({exc.strerror or exc})") from None
    raise CantWrite(f"{folder}: too many transcripts named {stem}")  # pragma: no cover


def render(result: Result) -> str:
    """The transcript as Markdown: the situation, every turn, what was written down, the card."""
    scenario, book, card = result.scenario, result.playbook, result.card
    version = f" v{book.version}" if book.version else ""
    mode = "explore" if result.explore else "scored"
    verdict = "passed" if card.passed else "not passed"
    lines = [
        f"# Practice: {scenario.title}",
        "",
        f"- Scenario: {scenario.id} ({scenario.difficulty}), playbook {book.id}{version}",
        f"- Trainee: {result.agent} · started {result.started} · seed {result.seed} · {mode}",
        f"- Ending: {result.ending}, mood {result.mood_start} to {result.mood_end}",
        f"- Score: {card.good} of {card.total} checks good, {verdict} "
        f"(pass mark {card.pass_mark}%)",
        "",
        "## The situation",
        "",
        scenario.situation,
        "",
        "## The call",
    ]
    for said in result.said:
        step = book.step(said.step)
        lines += ["", f"### {said.turn}. {step.title} · mood {mood_level(said.mood)}", ""]
        if said.line and said.turn == 1:
            lines += [f"**Customer:** {said.line}", ""]
        verdict_ = said.verdict
        if verdict_ is None:
            lines.append("**You:** (escalated the call)")
            continue
        lines.append(f"**You:** {verdict_.said}")
        how = f"{verdict_.rating}, mood {verdict_.mood_before} to {verdict_.mood_after}"
        if verdict_.reasons:
            how += f": {verdict_.reasons}"
        lines += ["", f"*{how}*"]
        if said.reaction:
            lines += ["", f"**Customer:** {said.reaction}"]
    lines += ["", f"**Customer, at the end:** {result.ending_line}", ""]
    written = [(capture.label, result.captures[capture.id]) for capture in book.captures()
               if result.captures.get(capture.id) is not None]
    if written:
        lines += ["## Written down", ""]
        for label, value in written:
            written_text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            lines.append(f"- {label}: {' '.join(written_text.split())}")
        lines.append("")
    lines += ["## Score card", ""]
    for check in card.checks:
        lines.append(f"- {'good' if check.good else 'missed'}: {check.label}. {check.detail}")
        if check.better:
            lines.append(f"  Better: \u201c{check.better}\u201d")
    lines += ["", f"{card.good} of {card.total} checks good: {verdict} "
                  f"(pass mark {card.pass_mark}%).", ""]
    # Outside text is data: a control code in a scenario or a typed reply is written
    # visibly, so showing the file in a terminal never sends it.
    return shown("\n".join(lines))
