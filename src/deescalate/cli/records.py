"""`deescalate records ...`: what the team's records say."""

from __future__ import annotations

import inspect
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from deescalate.cli import common
from deescalate.errors import BadFile, BadInput, CantRead, NotFound
from deescalate.records.export import FORMATS
from deescalate.records.filters import FILTERS, Filters, parse
from deescalate.records.stats import BY_STEP, DIMENSIONS
from deescalate.text import glyphs_for, one_line

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence

    from deescalate.config import Config
    from deescalate.records.index import Index
    from deescalate.records.store import Scan

T = TypeVar("T")

app = typer.Typer(
    help="""List, show, count, export and check the call records in the records folder.

\b
Examples:
  deescalate records list --since -7d --agent jdoe
  deescalate records show 20261122-143012
  deescalate records stats --by playbook
  deescalate records export --format csv --output calls.csv
  deescalate records check
  deescalate records sync
""",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class filtered:  # a decorator, named as one
    """`command` with an option for each filter (`FILTERS`, in their order, as the
    table stands when the command line is built) in place of its parameter `chosen`,
    which gets what they say, parsed (exit 2 when wrong). As a group's callback it does
    not run when a subcommand follows: the filters are not the subcommand's."""

    def __init__(self, command: Callable[..., None]) -> None:
        self.command = command
        for name in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(self, name, getattr(command, name))

    @property
    def __signature__(self) -> inspect.Signature:
        keyword = inspect.Parameter.KEYWORD_ONLY
        options = [inspect.Parameter(name, keyword, default=None, annotation=Annotated[
            str | None, typer.Option(f"--{name}", metavar=spec.metavar, help=spec.help)])
            for name, spec in FILTERS.items()]
        # Typer hands the context to a parameter of its type, whatever its name.
        parameters = [inspect.Parameter("filtered_context", keyword,
                                        annotation=typer.Context)]
        for parameter in inspect.signature(self.command, eval_str=True).parameters.values():
            parameters += options if parameter.name == "chosen" else [
                parameter.replace(kind=keyword)]
        return inspect.Signature(parameters)

    @property
    def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
        return {p.name: p.annotation for p in self.__signature__.parameters.values()}

    def __call__(self, *, filtered_context: typer.Context, **given: Any) -> None:
        if filtered_context.invoked_subcommand is None:
            self.command(chosen=parse(**{name: given.pop(name) for name in FILTERS}),
                         **given)


def folder(records: Path | None, *, must_exist: bool = False,
           settings: Config | None = None) -> Path:
    """The records folder to read, from the flag, the environment or the settings.

    A folder named on the command line or in the environment must be one (else exit
    2); when it is not the team's, the first line on stderr says which it is."""
    from deescalate.records.store import display

    settings = settings or common.settings(records=records)
    setting = settings.records
    path = setting.value
    named = not setting.source.startswith(("team file", "default", "user file"))
    if path.exists() and not path.is_dir():
        raise BadInput(f"{display(path)}: is a file, not a records folder ({setting.source})")
    if not path.exists():
        if named or must_exist:
            raise NotFound(f"{display(path)}: no records folder there ({setting.source})")
        return path
    if settings.team_records is None or not _same(path, settings.team_records):
        common.echo(f"Records in {display(path)} ({_whose(setting.source)})", err=True)
    return path


def _same(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:  # pragma: no cover
        return one == other


def _whose(source: str) -> str:
    if source.startswith("default"):  # perhaps "(the folder an earlier version used ...)"
        note = source.removeprefix("default").strip(" ()")
        return ("your own: no team folder (.deescalate.yaml) here or above"
                + (f"; {note}" if note else ""))
    if source.startswith("--records"):
        return "from --records"
    if source.startswith("DEESCALATE_RECORDS"):
        return "from DEESCALATE_RECORDS"
    if source.startswith("user file "):
        return f"from your settings, {source.removeprefix('user file ')}"
    return source  # pragma: no cover - every source is named above


def ask(records: Path | None, work: Callable[[Index, Scan], T] | None = None, *,
        ahead: Callable[[sqlite3.Connection], T] | None = None, quiet: bool = False,
        where: Path | None = None, visits: bool = False) -> tuple[T, Scan]:
    """`store.ask` over the records folder (`where`, else from the flag or settings);
    says on stderr which folder when it is not the team's, and what it had to skip
    (unless `quiet`), before `work` prints anything. `visits`: `work` asks for step
    visits (read in the same pass as the rest)."""
    from deescalate.records.store import ask as asking

    return asking(where or folder(records), work, ahead=ahead, visits=visits,
                  found=lambda result: report(result, quiet=quiet))


def report(result: Scan, *, quiet: bool = False) -> None:
    from deescalate.records.store import display

    if not result.exists:
        common.echo(f"No records yet: {display(result.folder)} does not exist.", err=True)
    if result.created_cache is not None:
        common.echo(f"Keeping a cache of what the records say in "
                    f"{display(result.created_cache)} (safe to delete).", err=True)
    if result.unreadable and not quiet:
        count = len(result.unreadable)
        what = "1 file or folder" if count == 1 else f"{count:,} files or folders"
        common.warn(f"{what} in the records folder can't be read as records and "
                    f"{'is' if count == 1 else 'are'} left out (deescalate records check "
                    "lists every problem):")
        for path, problem in result.unreadable[:5]:
            common.echo(f"  {display(result.folder / path)}: {one_line(problem)}", err=True)
        if count > 5:
            common.echo(f"  ... and {count - 5} more", err=True)


def _today() -> object:
    from deescalate.dates import today

    return today()


@app.command("list")
@filtered
def list_(
    *,
    chosen: Filters,
    limit: Annotated[int | None, typer.Option(
        "--limit", metavar="N", min=0,
        help="Show at most N records (default: 50 in the table, all with --json; 0: all).",
        show_default=False)] = None,
    json: JsonOption = False,
    records: common.RecordsOption = None,
) -> None:
    """List call records, newest first.

    \b
    Examples:
      deescalate records list --since monday --outcome follow-up
      deescalate records list --customer 'dana*' --json
    """
    from deescalate.records import columns, store, views

    cap = limit if limit is not None else (0 if json else 50)
    (shown, total), _ = ask(records, lambda index, _: store.newest(index, chosen, limit=cap))
    if json:
        common.print_json([columns.row(record) for record in shown])
        return
    out = common.console(wide=True)
    out.print(views.records_table(shown, _today(), width=out.width,  # type: ignore[arg-type]
                                  glyphs=glyphs_for(sys.stdout)), soft_wrap=True)
    if len(shown) < total:
        common.echo(f"{len(shown):,} of {total:,} records shown; --limit 0 shows all.",
                    err=True)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(
        metavar="ID", help="The record's id, or enough of its start to be the only one.")],
    records: common.RecordsOption = None,
) -> None:
    """Show one call record: its facts, then its timeline and wrap-up.

    \b
    Examples:
      deescalate records show 20261122-143012-jdoe-upset-customer-7f3a
      deescalate records show 20261122-1430
    """
    from deescalate.files import NotAFile, read_limited
    from deescalate.records import views
    from deescalate.records.format import MAX_BYTES
    from deescalate.records.reader import decode, split
    from deescalate.records.store import display, find_in
    from deescalate.records.summary import Summary, Unreadable

    where = folder(records)
    found, _ = ask(records, lambda index, result: find_in(index, result, record_id),
                   quiet=True, where=where)
    path = where / (found.path if isinstance(found, Summary) else found[0])
    try:
        text = decode(read_limited(path, MAX_BYTES, follow_links=False))
    except NotAFile as exc:
        raise BadFile(f"{display(path)}: is {exc.what}, not a record file") from None
    except OSError as exc:
        raise CantRead(f"{display(path)}: can't read it ({exc.strerror or exc})") from None
    except Unreadable as exc:  # too large, or not text: nothing to show
        raise BadFile(f"{display(path)}: {exc}") from None
    if not isinstance(found, Summary):
        common.warn(f"{display(path)}: {found[1]}; showing the file as it is")
        common.echo(text.rstrip("\n"))
        return
    try:
        head, body = split(text)
    except Unreadable:  # changed since it was read: show it all
        head, body = "", text
    on_terminal = sys.stdout.isatty()
    common.show_paged(views.record_view(
        found, body, _today(), where=display(path),  # type: ignore[arg-type]
        width=common.console(wide=True).width, markdown=on_terminal,
        glyphs=glyphs_for(sys.stdout), moods=_ratings(head)))


def _ratings(head: str) -> list[tuple[int, int]] | None:
    """The record's mood ratings as (at, value), in order; None when they can't be read
    (then `show` gives the first and last, as the index has them)."""
    from deescalate.records.format import MOODS
    from deescalate.records.reader import load_safely
    from deescalate.records.summary import Unreadable, whole

    try:
        moods = load_safely(head).get("mood") if head else None
    except Unreadable:
        return None
    if moods is None:
        return []
    found = []
    for mood in moods if isinstance(moods, list) else [None]:
        at = whole(mood.get("at")) if isinstance(mood, dict) else None
        value = mood.get("value") if isinstance(mood, dict) else None
        if at is None or type(value) is not int or value not in MOODS:
            return None
        found.append((at, value))
    return found


GroupBy = StrEnum("GroupBy", [(name, name) for name in (*DIMENSIONS, BY_STEP)])  # type: ignore[misc]


@app.command()
@filtered
def stats(
    by: Annotated[GroupBy | None, typer.Option(
        "--by", help="Also break the figures down by this.", show_default=False)] = None,
    *,
    chosen: Filters,
    json: JsonOption = False,
    playbooks: common.PlaybooksOption = None,
    records: common.RecordsOption = None,
) -> None:
    """Count calls and show what works: resolved and escalated shares, call length,
    mood at the start and the end, the steps skipped most, follow-ups open and overdue.
    --by step shows, for each step of a playbook (and each branch answer), the calls
    that reached it, its skip rate, median time, the mood change across it and the
    share of those calls resolved, with each step's title; --by version compares
    playbook versions; --by week counts by ISO week.

    \b
    Examples:
      deescalate records stats
      deescalate records stats --by agent --since -30d
      deescalate records stats --by month --playbook upset-customer --json
      deescalate records stats --by step --playbook upset-customer
    """
    from deescalate.records import report
    from deescalate.records import stats as figures

    if by == BY_STEP:  # the step visits are read with the records, in the same pass
        (calls, steps), scan = ask(records, lambda index, _: figures.answer_by_step(
            index, chosen), visits=True)
        titles = _titles(steps, playbooks)
        if json:
            common.print_json({"records": calls, "unreadable": len(scan.unreadable),
                               "filters": chosen.describe(), "by": BY_STEP,
                               "playbooks": [_titled(book.to_dict(), titles)
                                             for book in steps]})
            return
        common.echo(report.render_steps(steps, calls=calls, unreadable=len(scan.unreadable),
                                        colour=report.colour_wanted(),
                                        width=report.width_wanted(), titles=titles), nl=False)
        return
    today = _today()
    (calls, numbers), scan = ask(records, ahead=lambda db: figures.answer(
        db, chosen, by=by.value if by else None, today=today))  # type: ignore[arg-type]
    if json:
        common.print_json({"records": calls, "unreadable": len(scan.unreadable),
                           "filters": chosen.describe(), **figures.to_dict(numbers)})
        return
    # Not through common.echo: the report's own colour codes must reach the terminal
    # (outside text in it has been made safe by the report).
    typer.echo(report.render(numbers, unreadable=len(scan.unreadable),
                             colour=report.colour_wanted(), width=report.width_wanted()),
               nl=False)


@app.command("report")
@filtered
def report_html(
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="FILE.html", help="The HTML file to write.",
        show_default=False)],
    *,
    chosen: Filters,
    playbooks: common.PlaybooksOption = None,
    records: common.RecordsOption = None,
) -> None:
    """Write one HTML page for team leads and trainers: calls and outcomes per week,
    mood at the start and end per week, each step of a playbook as a funnel, playbook
    versions side by side with 95% intervals and a verdict, per-agent figures and
    follow-ups. Self-contained: it opens offline and prints. The playbook is the one
    given with --playbook, else the one with the most calls. Needs the report extra:
    pip install 'deescalate[report]'.

    \b
    Examples:
      deescalate records report --output report.html
      deescalate records report --playbook upset-customer --since -90d -o upset.html
    """
    from deescalate import __version__
    from deescalate.records.export import write_file
    from deescalate.records.htmlreport import charts, figures, page
    from deescalate.records.store import display

    if output.exists() and output.is_dir():
        raise BadInput(f"{display(output)}: is a folder; --output names the HTML file")
    charts.matplotlib()  # the one-line message now, if it is missing
    catalog = common.catalog(playbooks)
    today = _today()
    with common.progress("Building the report", total=6) as step:
        step("reading the records")
        data, scan = ask(records, lambda index, _: figures.gather(
            index, chosen, today=today, lookup=_lookup(catalog)),  # type: ignore[arg-type]
            visits=True)
        data.unreadable = len(scan.unreadable)
        html = page.render(data, version=__version__, progress=step)
    write_file(output, html.encode("utf-8"))
    common.echo(f"Wrote the report of {data.calls:,} call{'s' if data.calls != 1 else ''} "
                f"to {display(output)} ({len(html.encode('utf-8')) / 1024:,.0f} KB)", err=True)


def _lookup(catalog: Any) -> Callable[[str], Any]:
    """The playbook with an id, or None (gone, or broken): the report goes on without
    its titles and checklists."""
    from deescalate.errors import DeescalateError

    found: dict[str, Any] = {}

    def lookup(name: str) -> Any:
        if name not in found:
            try:
                found[name] = catalog.find(name)
            except DeescalateError:
                found[name] = None
        return found[name]

    return lookup


def _titles(books: Sequence[Any], playbooks: list[Path] | None) -> dict[tuple[str, str], str]:
    """The title of each step, by (playbook, step), of the playbooks found."""
    lookup = _lookup(common.catalog(playbooks))
    found = {}
    for book in books:
        playbook = lookup(book.playbook)
        if playbook is not None:
            found.update({(book.playbook, step.id): step.title for step in playbook.steps})
    return found


def _titled(book: dict[str, Any], titles: dict[tuple[str, str], str]) -> dict[str, Any]:
    """`--json` of one playbook's steps, each with its title (null when not found)."""
    for step in book["steps"]:
        step["title"] = titles.get((book["playbook"], step["step"]))
    return book


Format = StrEnum("Format", [(name, name) for name in FORMATS])  # type: ignore[misc]


class Rows(StrEnum):
    calls = "calls"
    steps = "steps"


@app.command()
@filtered
def export(
    format: Annotated[Format, typer.Option(
        "--format", "-f", help=", ".join(spec.help for spec in FORMATS.values()) + ".")
    ] = Format.csv,  # type: ignore[attr-defined]
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE",
        help="Write here instead of to stdout (for parquet: the dataset's folder).",
        show_default=False)] = None,
    rows_wanted: Annotated[Rows, typer.Option(
        "--rows", help="A row per call, or per step the call reached (with its notes, "
        "branch answer, checklist and captures).")] = Rows.calls,
    replace: Annotated[bool, typer.Option(
        "--replace", help="For parquet: let filters other than --since and --until "
        "replace the months they write with only the rows they match.")] = False,
    *,
    chosen: Filters,
    playbooks: common.PlaybooksOption = None,
    records: common.RecordsOption = None,
) -> None:
    """Export one row per call record, oldest first, as CSV or JSON Lines; or a
    Parquet dataset partitioned by year and month. --rows steps gives a row per step
    each call reached instead, with what was noted, answered, ticked and written down.

    \b
    Examples:
      deescalate records export --format csv --output calls.csv
      deescalate records export --format jsonl --since 2026-11-01 | gzip > november.jsonl.gz
      deescalate records export --format parquet --output warehouse/calls
      deescalate records export --format parquet --rows steps --output warehouse/steps
      deescalate records export --format jsonl --rows steps --playbook upset-customer
    """
    from deescalate.records import store
    from deescalate.records.store import display

    spec = FORMATS[format.value]
    if spec.dataset is not None and output is not None:
        _keeps_other_rows(output, chosen, replace)
    where = folder(records)

    def taken(visits: bool = False) -> list[Any]:
        found = ask(records, lambda index, _: store.oldest_first(index, chosen,
                                                                 visits=visits),
                    where=where, visits=visits)[0]
        if not visits:
            return found
        from deescalate.records.steprows import rows

        return rows(where, found, _lookup(common.catalog(playbooks)))

    if spec.dataset is not None:
        if output is None:
            raise BadInput(f"--format {format.value} writes a dataset: give its folder "
                           "with --output")
        steps = rows_wanted is Rows.steps
        written = spec.dataset(taken, output, rows_wanted.value)
        what = "step visit" if steps else "record"
        if not written:
            common.echo(f"No {what}s to export: nothing written to {display(output)}",
                        err=True)
            return
        common.echo(f"Wrote {written:,} {what}{'s' if written != 1 else ''} to "
                    f"{display(output)} ({spec.kind})", err=True)
        return
    assert spec.write is not None
    steps = rows_wanted is Rows.steps
    if steps and spec.write_steps is None:
        raise BadInput(f"--format {format.value} writes a row per call only, not --rows steps")
    found = taken(steps)
    if output is None:
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(newline="")  # CSV's own \r\n, not translated again
        (spec.write_steps if steps and spec.write_steps else spec.write)(found, sys.stdout)
        return
    from deescalate.records.export import to_text, write_file

    write_file(output, to_text(found, format.value, steps=steps).encode("utf-8"))
    what = "step row" if steps else "record"
    common.echo(f"Wrote {len(found):,} {what}{'s' if len(found) != 1 else ''} to "
                f"{display(output)}", err=True)


def _keeps_other_rows(output: Path, chosen: Filters, replace: bool) -> None:
    """Refuse (exit 2) an export into a dataset that would replace its months with only
    some of their rows: one filtered by more than the days, without --replace."""
    from deescalate.records.store import display

    narrowing = [name for name in chosen.given if name not in ("since", "until")]
    if narrowing and not replace and output.is_dir() and any(output.glob("year=*")):
        raise BadInput(
            f"{display(output)} holds a dataset, and --{narrowing[0]} would replace each "
            "month it writes with only the rows it matches: export to a new folder, or "
            "add --replace")


@app.command()
def check(
    records: common.RecordsOption = None,
    repository: Annotated[bool, typer.Option(
        "--repository", help="Check the team folder of the git repository here: the "
        ".deescalate.yaml at its root or in a folder below (as the pre-commit hook does); "
        "exit 2 if there is none.")] = False,
) -> None:
    """Check the records folder, for a team's CI: exit 1 with a PATH: problem line for
    each record whose front matter does not parse or misses a required field, whose
    file name breaks the naming scheme, that holds an unredacted card number, e-mail
    address or phone number, or that shares its id with another.

    \b
    Examples:
      deescalate records check
      deescalate records check --records support-team/records
      deescalate records check --repository
    """
    from deescalate.records import check as checking

    if repository:
        if records is not None:
            raise BadInput("--repository checks the team folders of the repository; "
                           "--records names another folder: give one or the other")
        found = [_check_team(team, checking) for team in _repository_teams()]
        if any(found):
            raise typer.Exit(common.EXIT_FINDINGS)
        return
    settings = common.settings(records=records)
    where = folder(records, must_exist=True, settings=settings)
    if _check_folder(where, settings, checking):
        raise typer.Exit(common.EXIT_FINDINGS)


def _repository_teams() -> list[Config]:
    """The settings of each team folder in the git repository here; exit 2 with a line
    saying why when there is none, or a team's records are outside the repository."""
    from deescalate import config
    from deescalate.records.git import team_files
    from deescalate.records.store import display

    top, teams = team_files(Path.cwd())
    if not teams:
        raise NotFound(f"no {config.TEAM_FILE} in the repository {top}, at its root or "
                       "below, so there are no team records to check (`deescalate init` "
                       "makes one)")
    found = []
    for team in teams:
        settings = config.load(cwd=team.parent)
        records = settings.team_records
        assert records is not None  # a team file always names its records folder
        inside = records.resolve()
        if inside != top.resolve() and top.resolve() not in inside.parents:
            raise BadInput(f"{display(team)}: its records folder {records} is outside the "
                           "repository, so this repository has no records of it to check")
        found.append(settings)
    return found


def _check_team(settings: Config, checking: Any) -> bool:
    from deescalate.records.store import display

    assert settings.team_records is not None
    where = settings.team_records
    if not where.is_dir():
        raise NotFound(f"{display(where)}: no records folder there (team file "
                       f"{display(settings.team_file or where)})")
    common.echo(f"Records in {display(where)} (team file "
                f"{display(settings.team_file or where)})", err=True)
    return _check_folder(where, settings, checking)


def _check_folder(where: Path, settings: Config, checking: Any) -> bool:
    """Check one records folder, printing what is found; True if anything was."""
    findings, checked = checking.check(where, settings.redactor())
    for finding in findings:
        common.echo(one_line(finding.show(where)))
    files = len({finding.path for finding in findings})
    count = f"{checked:,} record{'s' if checked != 1 else ''} checked"
    if findings:
        common.echo(f"{count}: {len(findings):,} problem{'s' if len(findings) != 1 else ''} "
                    f"in {files:,} file{'s' if files != 1 else ''}", err=True)
        return True
    common.echo(f"{count}: no problems", err=True)
    return False


@app.command()
def sync(
    records: common.RecordsOption = None,
) -> None:
    """Share the records through git: commit what is new or changed in the records
    folder (that folder alone), pull with rebase, push. A follow-up marked done on two
    machines keeps both notes.

    \b
    Examples:
      deescalate records sync
      deescalate records sync --records support-team/records
    """
    from deescalate.records.sync import sync as syncing

    done = syncing(folder(records, must_exist=True))
    parts = [f"committed {done.committed:,} record file{'s' if done.committed != 1 else ''}"
             if done.committed else "nothing new to commit",
             f"pulled {done.pulled:,} commit{'s' if done.pulled != 1 else ''}",
             f"pushed {done.pushed:,} commit{'s' if done.pushed != 1 else ''}"]
    common.echo("Synced: " + ", ".join(parts))


@app.command(hidden=True)
def merge(
    base: Annotated[Path, typer.Argument()],
    ours: Annotated[Path, typer.Argument()],
    theirs: Annotated[Path, typer.Argument()],
) -> None:
    """git's merge driver for records (set up by records sync): keeps every follow-up
    note when two machines marked the same follow-up done.

    \b
    Examples:
      git config merge.deescalate-record.driver "deescalate records merge %O %A %B"
    """
    from deescalate.records.sync import merge_files

    if not merge_files(base, ours, theirs):
        raise typer.Exit(1)
