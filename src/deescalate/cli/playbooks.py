"""`deescalate playbooks ...`: the trainer's commands."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from deescalate.cli import common

app = typer.Typer(
    help="""List, show, check and write playbooks.

\b
Examples:
  deescalate playbooks list
  deescalate playbooks show upset-customer --format mermaid
  deescalate playbooks validate playbooks/
  deescalate playbooks new billing-dispute --from customer-is-wrong
""",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)


class Format(StrEnum):
    text = "text"
    mermaid = "mermaid"
    json = "json"


@app.command("list")
def list_(
    json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    playbooks: common.PlaybooksOption = None,
) -> None:
    """List the playbooks you can start, where each comes from and what it overrides.

    \b
    Example:
      deescalate playbooks list --playbooks ~/drafts
    """
    from deescalate.playbooks import views

    entries = common.catalog(playbooks).effective()
    if json:
        common.print_json([views.entry_dict(e) for e in entries])
        return
    common.console().print(views.playbook_table(entries))


@app.command()
def show(
    playbook: Annotated[str, typer.Argument(metavar="PLAYBOOK",
                                            help="An id, an alias or a path to a YAML file.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="How to show it.")] = Format.text,
    playbooks: common.PlaybooksOption = None,
) -> None:
    """Show a playbook step by step, as a flowchart, or as JSON.

    \b
    Examples:
      deescalate playbooks show upset
      deescalate playbooks show customer-is-wrong --format mermaid > flow.mmd
    """
    from deescalate.playbooks import views

    found = common.catalog(playbooks).find(playbook)
    if format is Format.json:
        common.print_json(found.to_dict())
    elif format is Format.mermaid:
        common.echo(views.mermaid(found))
    else:
        common.print_wrapped(views.playbook_text(found))


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="PATH", help="Playbook files or folders; default: every playbook found.",
        show_default=False)] = None,
    playbooks: common.PlaybooksOption = None,
) -> None:
    """Check playbooks and report every problem as FILE:LINE:COL: error|warning: message.

    Exits 1 if any problem is an error, 0 otherwise.

    \b
    Examples:
      deescalate playbooks validate
      deescalate playbooks validate playbooks/refund.yaml
    """
    from deescalate.playbooks.catalog import check_files, expand
    from deescalate.practice.catalog import ScenarioCatalog, check_scenarios_of

    catalog = common.catalog(playbooks)
    files = expand(paths) if paths else [path for path, _ in catalog.files()]
    problems = check_files(files)
    # A scenario names steps of its playbook: a renamed step breaks it, so say so here.
    scenarios, scenario_problems = check_scenarios_of(files, ScenarioCatalog(catalog))
    for problem in problems + scenario_problems:
        common.echo(str(problem))
    summary = common.findings(problems)
    typer.echo(f"{common.count(len(files), 'playbook')} checked: {summary}", err=True)
    if scenarios:
        typer.echo(f"{common.count(scenarios, 'scenario')} checked against "
                   f"{'them' if len(files) != 1 else 'it'}: {common.findings(scenario_problems)}",
                   err=True)
    if any(p.is_error for p in problems + scenario_problems):
        raise typer.Exit(common.EXIT_FINDINGS)



@app.command()
def new(
    id: Annotated[str, typer.Argument(metavar="ID", help="The new playbook's id.")],
    from_: Annotated[str | None, typer.Option("--from", metavar="PLAYBOOK",
                                              help="Start from a copy of this playbook.")] = None,
    playbooks: common.PlaybooksOption = None,
) -> None:
    """Write a new playbook file to start from, in your team's playbook folder.

    Without a team folder it goes to your own playbooks folder. With --from it is
    a copy of that playbook under the new id: the way to adapt a built-in one.

    \b
    Examples:
      deescalate playbooks new billing-dispute
      deescalate playbooks new upset-customer --from upset-customer
    """
    from deescalate.playbooks import authoring

    settings = common.settings(playbooks=playbooks)
    path, note = authoring.new_playbook(id, from_, settings)
    common.wrote(path, "Wrote")
    if note:
        common.echo(note)
    common.echo(f"Check it as you edit: deescalate playbooks validate {path}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the playbook format, for editors.

    \b
    Example:
      deescalate playbooks schema > playbooks/playbook.schema.json
    """
    from deescalate.playbooks.schema import SCHEMA

    common.print_json(SCHEMA)
