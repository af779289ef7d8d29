"""`deescalate practice ...`: rehearse a playbook against a scripted customer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from deescalate.cli import common
from deescalate.errors import NoTerminal

if TYPE_CHECKING:
    from rich.console import Console

    from deescalate.practice.answers import ScriptedTrainee
    from deescalate.practice.catalog import ScenarioCatalog
    from deescalate.practice.engine import Practice, Result, Trainee
    from deescalate.text import Glyphs

RUN = "run"


class _PracticeGroup(TyperGroup):
    """`practice X ...` is `practice run X ...` unless X is one of the group's commands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = [RUN, *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_PracticeGroup,
    help="""Rehearse a playbook against a scripted customer, before a real call.

`deescalate practice PLAYBOOK` (short for `practice run PLAYBOOK`) plays one of the
playbook's scenarios: the customer speaks, you pick a reply or type your own, their
mood moves, and a score card says what went well and what the playbook would say
instead.

\b
Examples:
  deescalate practice upset
  deescalate practice double-charge --explore
  deescalate practice list
  deescalate practice validate playbooks/
""",
    rich_markup_mode=None,
    add_completion=False,
)


def _catalog(playbooks: list[Path] | None) -> ScenarioCatalog:
    from deescalate.practice.catalog import ScenarioCatalog

    return ScenarioCatalog(common.catalog(playbooks))


def require_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminal("practice needs a terminal to answer at, and stdin or stdout is not "
                         "one; to play a scenario from a script, give --answers 1,3,2,...")


def interactive_trainee(console: Console, practice: Practice) -> Trainee:
    """The screen a person practises at: the live-call screen, or plain lines for a
    terminal that takes no escape codes (TERM=dumb)."""
    from deescalate.text import glyphs_for, plain_terminal

    if plain_terminal():
        from deescalate.practice.lines import LineTrainee

        return LineTrainee(console, glyphs_for(sys.stdout))
    from deescalate.practice.screen import PracticeScreen

    return PracticeScreen(practice, glyphs_for(sys.stdout))


@app.command(RUN)
def run(
    target: Annotated[str | None, typer.Argument(
        metavar="PLAYBOOK|SCENARIO", help="A playbook (id, alias or path) or a scenario "
                                          "(id or path); default: any scenario.",
        show_default=False)] = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", metavar="ID", help="Which of the playbook's scenarios to play; "
                                         "default: one picked by the seed.")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", metavar="N", help="Replay the same customer: the same scenario, lines and "
                                    "order of replies.")] = None,
    explore: Annotated[bool, typer.Option(
        "--explore", help="Feedback after every reply, and b (Esc on the screen) goes back a "
                          "step, after a hang-up too.")] = False,
    answers: Annotated[str | None, typer.Option(
        "--answers", metavar="1,3,2,...",
        help="Play without a terminal, answering each question in turn: a reply's number, "
             "e (escalate), b (back), or words; for a write-down field - (empty), =TEXT or "
             "w (what the customer said, also when left out); a branch option's number. "
             "Exits 1 if the score card does not pass.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    agent: common.AgentOption = None,
    playbooks: common.PlaybooksOption = None,
) -> None:
    """Play a scenario: the customer's line at each step, your reply, then a score card.

    The transcript goes to the team's practice/ folder (your data folder outside a
    team), never to the records. `deescalate practice X` is short for
    `deescalate practice run X`.

    \b
    Examples:
      deescalate practice upset --explore
      deescalate practice run upset-customer --scenario double-charge --seed 7
      deescalate practice double-charge --seed 7 --answers 2,1,1,1,2,2,1,3,1,1,2 --json
    """
    import os

    from deescalate.practice import answers as scripted
    from deescalate.practice import transcript
    from deescalate.practice.catalog import ScenarioCatalog
    from deescalate.practice.engine import Practice, run_practice
    from deescalate.text import glyphs_for

    given = scripted.parse(answers) if answers is not None else None
    settings = common.settings(playbooks=playbooks, agent=agent)
    from deescalate.playbooks.catalog import Catalog

    catalog = ScenarioCatalog(Catalog(settings.playbook_dirs))
    if seed is None:
        seed = int.from_bytes(os.urandom(3), "big") % 100_000
    chosen, book = catalog.choose(target, scenario, seed, need_one=given is not None)
    folder = settings.practice_dir.value
    transcript.check_folder(folder, settings.records.value)
    if given is None:
        require_terminal()
    practice = Practice(chosen, book, seed=seed, explore=explore, agent=settings.agent.value)
    glyphs = glyphs_for(sys.stdout)
    if given is not None:
        trainee = scripted.ScriptedTrainee(given, chosen)
        result = run_practice(practice, trainee)
    else:
        result = _play_at_terminal(practice, f"Replay this customer with: "
                                             f"deescalate practice {chosen.id} --seed {seed}")
    path = transcript.write(folder, result)
    if json:
        common.print_json({**result.to_dict(), "transcript": str(path)})
    elif given is not None:
        _print_feedback(trainee, result, glyphs)
    else:  # the screen has closed: the card stays on the terminal
        _print_card(result, glyphs)
    if not json:
        common.wrote(path, "Transcript")
    if given is not None:
        if trainee.left:
            common.warn(f"{trainee.left} of the answers {'was' if trainee.left == 1 else 'were'}"
                        " not used: the call ended before them")
        if not result.card.passed:
            raise typer.Exit(common.EXIT_FINDINGS)


def _play_at_terminal(practice: Practice, replay: str) -> Result:
    """Play at the screen `interactive_trainee` picks, saying at the end how to replay."""
    from deescalate.practice.engine import run_practice
    from deescalate.practice.screen import PracticeScreen

    person = interactive_trainee(common.console(), practice)

    def play() -> Result:
        return run_practice(practice, person, notes=[replay])

    # a full-screen view runs the practice inside it, in its worker thread
    return person.run(play) if isinstance(person, PracticeScreen) else play()


def _print_feedback(trainee: ScriptedTrainee, result: Result, glyphs: Glyphs) -> None:
    """What an --answers run said of each reply, then the score card."""
    from deescalate.practice.views import verdict_lines

    for verdict in trainee.feedbacks:
        common.echo(f"{verdict.step}: {verdict.said}")
        for line in verdict_lines(verdict, glyphs):
            common.echo(f"  {line}")
    _print_card(result, glyphs)


def _print_card(result: Result, glyphs: Glyphs) -> None:
    """The customer's last words and the score card, wrapped to the terminal."""
    from deescalate.practice.views import card_lines, fitted

    lines = [f"Customer: {glyphs.open_quote}{result.ending_line}{glyphs.close_quote}", "",
             *card_lines(result, glyphs)]
    for line in fitted(lines, common.console().width):
        common.echo(line)


@app.command("list")
def list_(
    json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    playbooks: common.PlaybooksOption = None,
) -> None:
    """List the scenarios you can practise, with the playbook each one is for.

    \b
    Example:
      deescalate practice list --playbooks ~/drafts
    """
    from deescalate.practice import views

    entries = sorted(_catalog(playbooks).effective(),
                     key=lambda e: (e.scenario.playbook if e.scenario else "", e.id))
    if json:
        common.print_json([views.entry_dict(e) for e in entries])
        return
    common.console().print(views.scenario_table(entries))


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="PATH", help="Scenario files, or folders (a playbook folder means its "
                             "scenarios/ folder); default: every scenario found.",
        show_default=False)] = None,
    walk: Annotated[int | None, typer.Option(
        "--walk", metavar="N", min=1, max=10_000,
        help="Also play N random and N best-reply walks of each valid scenario and "
             "report the endings they reached.")] = None,
    playbooks: common.PlaybooksOption = None,
) -> None:
    """Check scenarios and report every problem as FILE:LINE:COL: error|warning: message.

    Each scenario is checked against the playbook it names, and played through: a
    warning where one reply from the start ends the call, where a fact is asked for
    before the customer says it, where a step's lines are never spoken, and where
    the scenario can't be won. Exits 1 if any problem is an error, 0 otherwise.

    \b
    Examples:
      deescalate practice validate
      deescalate practice validate playbooks/scenarios/refund-storm.yaml
      deescalate practice validate --walk 50
    """
    from deescalate.playbooks.catalog import expand
    from deescalate.practice.catalog import SCENARIOS, check_files
    from deescalate.practice.format import Scenario

    catalog = _catalog(playbooks)
    files = (expand(paths, "scenarios", inner=SCENARIOS) if paths
             else [path for path, _ in catalog.files()])
    valid: list[Scenario] = []
    problems = check_files(files, catalog, valid)
    for problem in problems:
        common.echo(str(problem))
    if walk:
        from deescalate.practice.walk import describe, walks

        for scenario in valid:
            common.echo(describe(scenario, walks(scenario, catalog.playbook_of(scenario),
                                                 walk), walk))
    errors = sum(p.is_error for p in problems)
    summary = common.findings(problems)
    typer.echo(f"{common.count(len(files), 'scenario')} checked: {summary}", err=True)
    if errors:
        raise typer.Exit(common.EXIT_FINDINGS)



@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format, for editors.

    \b
    Example:
      deescalate practice schema > playbooks/scenarios/scenario.schema.json
    """
    from deescalate.practice.schema import SCHEMA

    common.print_json(SCHEMA)
