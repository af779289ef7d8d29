"""`deescalate init` and `deescalate config`: the team folder and the effective settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deescalate.cli import common


def init(
    directory: Annotated[Path | None, typer.Argument(
        metavar="DIR", help="The team folder; default: the current folder.",
        show_default=False)] = None,
) -> None:
    """Make a team folder: settings, a records folder and a playbooks folder, ready for git.

    The playbooks folder gets the playbook schema, and its scenarios/ folder the
    scenario schema, for editors.

    Running it again adds only what is missing and changes nothing that exists.

    \b
    Example:
      deescalate init support-team && cd support-team && git init
    """
    from deescalate.errors import CantWrite
    from deescalate.practice.schema import install
    from deescalate.records.team import init_team

    folder = (directory or Path.cwd()).resolve()
    for path, done in init_team(folder):
        common.echo(f"{done}: {path}")
    try:  # the scenario format's schema, beside the team's scenarios
        path, done = install(folder / "playbooks")
    except OSError as exc:
        raise CantWrite(f"{exc.filename or folder}: can't write ({exc.strerror or exc})") from None
    common.echo(f"{done}: {path}")


def show_config(
    json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    playbooks: common.PlaybooksOption = None,
    records: common.RecordsOption = None,
    agent: common.AgentOption = None,
) -> None:
    """Show each effective setting and where it came from.

    \b
    Example:
      deescalate config
    """
    from deescalate.playbooks.catalog import BUILTIN, builtin_dir

    settings = common.settings(playbooks=playbooks, records=records, agent=agent)
    patterns = settings.redact_patterns
    rows: list[tuple[str, object, str]] = [
        ("agent", settings.agent.value, settings.agent.source),
        ("records", settings.records.value, settings.records.source),
        *[("playbooks", d.value, d.source) for d in settings.playbook_dirs],
        ("playbooks", builtin_dir(), BUILTIN),
        ("root_causes", ", ".join(settings.root_causes.value), settings.root_causes.source),
        *[(f"redact.{name}", s.value, s.source) for name, s in settings.redact_settings()],
        ("redact.patterns", ", ".join(f"{p.name}: {p.pattern}" for p in patterns.value) or "none",
         patterns.source),
        ("git.commit", settings.git_commit.value, settings.git_commit.source),
        ("git.push", settings.git_push.value, settings.git_push.source),
        ("date_order", settings.date_order.value, settings.date_order.source),
        ("state", settings.state_dir.value, settings.state_dir.source),
        ("practice", settings.practice_dir.value, settings.practice_dir.source),
        ("team file", settings.team_file or "none found", "searched from the current folder up"),
        ("user file", settings.user_file,
         ("exists" if settings.user_file.is_file() else "not there (optional)")
         + (f"; {settings.user_file_note}" if settings.user_file_note else "")),
    ]
    if json:
        common.print_json([{"name": n, "value": _plain(v), "source": s} for n, v, s in rows])
        return
    width = max(len(name) for name, _, _ in rows)
    for name, value, source in rows:
        shown = ("true" if value else "false") if isinstance(value, bool) else value
        common.echo(f"{name:<{width}}  {shown}  ({source})")


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Path) else value
