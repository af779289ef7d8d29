"""The command line: argument handling over the library, and the one place errors are shown.

Two things keep `deescalate --help` within its budget (see `benchmarks/run.py`):
Typer's rich help is off (it imports Rich and Markdown on every `--help`), and
commands are turned into Click commands only when they are run, not all at once.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

try:  # newer Typer carries its own copy of Click
    from typer._click.exceptions import UsageError as _UsageError
except ImportError:  # pragma: no cover - older Typer uses Click itself
    from click.exceptions import UsageError as _UsageError  # type: ignore[import-not-found,no-redef]

from deescalate import __version__
from deescalate.cli.common import EXIT_INTERRUPTED, EXIT_USAGE
from deescalate.errors import (
    Ambiguous,
    BadFile,
    BadInput,
    CantRead,
    CantWrite,
    Conflict,
    DeescalateError,
    NoTerminal,
    NotFound,
)

# name: (module, attribute, summary). The attribute is a function for one command, a
# Typer app for a group of them. The summary is the first line of its help, repeated
# here so `deescalate --help` imports none of the command modules (a test keeps the
# two the same).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "start": ("deescalate.cli.call", "start",
              "Start a call: walk through a playbook step by step, then write its record."),
    "resume": ("deescalate.cli.call", "resume",
               "Carry on with a call that was stopped, exactly where it stopped."),
    "playbooks": ("deescalate.cli.playbooks", "app", "List, show, check and write playbooks."),
    "records": ("deescalate.cli.records", "app",
                "List, show, count, export and check the call records in the records folder."),
    "followups": ("deescalate.cli.followups", "app",
                  "List the follow-ups owed to customers: overdue, due today, upcoming."),
    "init": ("deescalate.cli.team", "init", "Make a team folder: settings, a records folder "
                                            "and a playbooks folder, ready for git."),
    "config": ("deescalate.cli.team", "show_config",
               "Show each effective setting and where it came from."),
}


class LazyGroup(TyperGroup):
    """The root group: builds a command only when it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            target = _target(cmd_name)
            if not isinstance(target, typer.Typer):
                single = typer.Typer(rich_markup_mode=None, add_completion=False)
                single.command(cmd_name)(target)
                target = single
            command = typer.main.get_command(target)
            command.name = cmd_name
            self.commands[cmd_name] = command
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, summary) for name, (_, _, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except _UsageError as exc:
            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches and "Did you mean" not in exc.message:
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {matches[0]!r}?"
            raise


def _target(name: str) -> Any:
    module, attribute, _ = COMMANDS[name]
    return getattr(importlib.import_module(module), attribute)


app = typer.Typer(
    cls=LazyGroup,
    name="deescalate",
    help="""A de-escalation coach for customer calls: playbooks step by step, records in git.

\b
Examples:
  deescalate start upset --customer "Dana R." --ref T-1234
  deescalate playbooks list
  deescalate playbooks validate playbooks/
""",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"deescalate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """A de-escalation coach for customer calls."""


# Each kind of problem the library reports, and the exit code it ends the command with.
# All of them are the user's to fix, so all are 2 for now; the table is where to change
# that. `records check` and `playbooks validate` exit 1 on findings by themselves.
EXIT_CODES: dict[type[DeescalateError], int] = {
    BadInput: EXIT_USAGE,
    NotFound: EXIT_USAGE,
    Ambiguous: EXIT_USAGE,
    BadFile: EXIT_USAGE,
    CantRead: EXIT_USAGE,
    CantWrite: EXIT_USAGE,
    Conflict: EXIT_USAGE,
    NoTerminal: EXIT_USAGE,
}


def exit_code(error: DeescalateError) -> int:
    """The exit code for a kind of problem: its own, or its nearest parent kind's."""
    for kind in type(error).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return EXIT_USAGE


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]) and return the exit code."""
    command = typer.main.get_command(app)
    _forgiving_output()
    try:
        command.main(args=list(argv) if argv is not None else None,
                     prog_name="deescalate", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except DeescalateError as exc:
        from deescalate.cli.common import colour
        from deescalate.text import shown

        typer.secho(f"deescalate: {shown(exc.message)}", fg="red", err=True, color=colour())
        return exit_code(exc)
    except KeyboardInterrupt:
        typer.echo("", err=True)
        return EXIT_INTERRUPTED
    return 0


def _forgiving_output() -> None:
    """A character the terminal's encoding lacks prints as '?', never as a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            with contextlib.suppress(ValueError, OSError):  # a closed or odd stream
                reconfigure(errors="replace")


def main() -> None:
    sys.exit(run())
