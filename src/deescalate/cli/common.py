"""What every command shares: its options, settings loading and output helpers.

Only typer and the standard library are imported here: `--help` must stay fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from deescalate.config import Config
    from deescalate.playbooks.catalog import Catalog

# Exit codes: 0 ok; 1 what was checked is not ok; 2 bad usage or bad input, of any
# kind (see `deescalate.cli.exit_code`); 130 after Ctrl-C.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

PlaybooksOption = Annotated[
    list[Path] | None,
    typer.Option("--playbooks", metavar="DIR",
                 help="A folder of playbooks to search first (repeatable)."),
]
RecordsOption = Annotated[
    Path | None,
    typer.Option("--records", metavar="DIR", help="The records folder to use."),
]
AgentOption = Annotated[
    str | None,
    typer.Option("--agent", metavar="NAME", help="Your name as it goes into records."),
]


def settings(*, playbooks: list[Path] | None = None, records: Path | None = None,
             agent: str | None = None) -> Config:
    from deescalate import config

    return config.load(agent=agent, records=records, playbooks=playbooks)


def catalog(playbooks: list[Path] | None = None) -> Catalog:
    from deescalate.playbooks.catalog import Catalog

    return Catalog(settings(playbooks=playbooks).playbook_dirs)


def console(stderr: bool = False, *, wide: bool = False) -> Console:
    """A Rich console; `wide` gives tables piped to a file or program 120 columns, not
    Rich's 80, unless COLUMNS says otherwise."""
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if wide and not os.environ.get("COLUMNS") and not stream.isatty():
        width = 120
    from deescalate.text import plain_terminal

    plain = plain_terminal()
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width,
                   color_system=None if plain else "auto", emoji=False, markup=True)


def colour(stream: Any = None) -> bool | None:
    """False when no escape codes may be sent (TERM=dumb, NO_COLOR); else Click decides."""
    import os

    from deescalate.text import plain_terminal

    return False if plain_terminal() or os.environ.get("NO_COLOR") else None


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line; outside text in it is shown as data, never as terminal codes."""
    from deescalate.text import shown

    typer.echo(shown(text), err=err, nl=nl)


def warn(text: str) -> None:
    from deescalate.text import shown

    typer.secho(f"warning: {shown(text)}", fg="yellow", err=True, color=colour())


def wrote(path: Path, what: str) -> None:
    """Tell the user where something was written."""
    echo(f"{what}: {path}")


def count(number: int, noun: str) -> str:
    """'1 playbook', '2 playbooks'."""
    return f"{number} {noun}{'s' if number != 1 else ''}"


def findings(problems: list[Any]) -> str:
    """What a check found, for its summary line: 'no problems' or 'N errors, M warnings'."""
    if not problems:
        return "no problems"
    errors = sum(p.is_error for p in problems)
    return f"{count(errors, 'error')}, {count(len(problems) - errors, 'warning')}"


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
