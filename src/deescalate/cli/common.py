"""What every command shares: its options, settings loading and output helpers.

Only typer and the standard library are imported here: `--help` must stay fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from deescalate.config import Config
    from deescalate.playbooks.catalog import Catalog

# Exit codes: 0 ok; 1 what was checked is not ok; 2 bad usage or bad input, of any
# kind (see `deescalate.cli.exit_code`); 130 after Ctrl-C.
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
    Rich's 80, unless COLUMNS says otherwise. Piped, no line ends in padding."""
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if wide and not os.environ.get("COLUMNS") and not stream.isatty():
        width = 120
    from deescalate.text import plain_terminal

    plain = plain_terminal()
    file = stream if stream.isatty() else cast(IO[str], _Trimmed(stream))
    return Console(file=file, highlight=False,
                   soft_wrap=False, width=width, color_system=None if plain else "auto",
                   emoji=False, markup=True)


class _Trimmed:
    """A stream that drops the spaces Rich pads lines with, for output that is piped or
    redirected: `deescalate playbooks list | cat` ends no line in spaces."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._partial = ""

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        if lines:
            self._stream.write("\n".join(line.rstrip(" ") for line in lines) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self._stream.write(self._partial)
            self._partial = ""
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, encoding, fileno, ...
        return getattr(self._stream, name)


def print_wrapped(text: Any) -> None:
    """Print a Rich `Text` wrapped between words to the width, but never inside a word
    longer than a line (a path, an id): that stays whole, for copying, and the terminal
    wraps it softly. (Rich would fold it with hard line breaks.)"""
    from rich._wrap import divide_line  # what Text.wrap uses, without its folding

    out = console()
    for line in text.split("\n", allow_blank=True):
        for piece in line.divide(divide_line(str(line), out.width, fold=False)):
            piece.rstrip()
            out.print(piece, soft_wrap=True)


def show_paged(renderable: Any) -> None:
    """Print `renderable`; on a terminal, through a pager when it is longer than the
    screen, as git does ($PAGER, else `less` with LESS=FRX unless LESS is set)."""
    out = console(wide=True)
    if not sys.stdout.isatty():
        out.print(renderable, soft_wrap=True)
        return
    with out.capture() as captured:
        out.print(renderable, soft_wrap=True)
    text = captured.get()
    if text.count("\n") < out.height:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from rich.pager import Pager

    class SystemPager(Pager):
        def show(self, content: str) -> None:
            _page(content)

    with out.pager(SystemPager(), styles=True):
        out.print(renderable, soft_wrap=True)


def _page(text: str) -> None:
    import os
    import shutil
    import subprocess

    command = os.environ.get("PAGER", "").strip()
    if not command and shutil.which("less"):
        command = "less"
    if not command or command == "cat":  # no pager set, and no `less` (as on Windows)
        sys.stdout.write(text)
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # quit if one screen, keep colours, leave the text
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    assert process.stdin is not None
    try:
        with process.stdin as pipe:
            pipe.write(text.encode(encoding, "replace"))
    except (OSError, KeyboardInterrupt):
        pass  # the pager was quit early
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C is the pager's; wait until it is done
            continue
    if code in NO_SUCH_COMMAND:  # no such pager: the text is not lost
        sys.stdout.write(text)


# What a shell answers for a command it can't find: sh 127, Windows's cmd.exe 9009.
NO_SUCH_COMMAND = (127, 9009)


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


@contextlib.contextmanager
def progress(what: str, *, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr while the work in the block runs, when stderr is a
    terminal (else nothing); yields `step(label)`, which moves it on by one."""
    import os

    from deescalate.text import plain_terminal

    if not sys.stderr.isatty() or plain_terminal():
        yield lambda _: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                   console=console(stderr=True), transient=True,
                   disable=bool(os.environ.get("DEESCALATE_NO_PROGRESS")))
    task = bar.add_task(what, total=total)

    def step(label: str) -> None:
        bar.update(task, advance=1, description=f"{what}: {label}")

    with bar:
        yield step


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
    """JSON for scripts; DEL and the C1 controls, which JSON leaves raw, as \\u escapes."""
    import json

    from deescalate.text import json_text

    sys.stdout.write(json_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
                     + "\n")
