"""`deescalate records ...`: what the team's records say."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from deescalate.cli import common
from deescalate.errors import BadFile, BadInput, CantRead, NotFound
from deescalate.text import glyphs_for, one_line

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from deescalate.config import Config
    from deescalate.records.filters import Filters
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

SinceOption = Annotated[str | None, typer.Option(
    "--since", metavar="DATE",
    help="Only calls started on or after this UTC day: 2026-11-01, yesterday, -7d, monday.")]
UntilOption = Annotated[str | None, typer.Option(
    "--until", metavar="DATE", help="Only calls started on or before this UTC day.")]
AgentFilter = Annotated[str | None, typer.Option(
    "--agent", metavar="NAME", help="Only this agent's calls (exact name).")]
PlaybookFilter = Annotated[str | None, typer.Option(
    "--playbook", metavar="ID", help="Only calls with this playbook id.")]
OutcomeFilter = Annotated[str | None, typer.Option(
    "--outcome", metavar="OUTCOME",
    help="Only calls with this outcome: resolved, follow-up, escalated, unresolved, dropped.")]
RefFilter = Annotated[str | None, typer.Option(
    "--ref", metavar="TEXT",
    help="Only calls with this reference; case is ignored and * matches any text.")]
CustomerFilter = Annotated[str | None, typer.Option(
    "--customer", metavar="NAME",
    help="Only calls with this customer; case is ignored and * matches any text.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def filters(since: str | None, until: str | None, agent: str | None, playbook: str | None,
            outcome: str | None, ref: str | None, customer: str | None) -> Filters:
    from deescalate.records import filters as parse

    return parse.parse(since=since, until=until, agent=agent, playbook=playbook,
                       outcome=outcome, ref=ref, customer=customer)


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
    if source == "default":
        return "your own: no team folder (.deescalate.yaml) here or above"
    if source.startswith("--records"):
        return "from --records"
    if source.startswith("DEESCALATE_RECORDS"):
        return "from DEESCALATE_RECORDS"
    if source.startswith("user file "):
        return f"from your settings, {source.removeprefix('user file ')}"
    return source  # pragma: no cover - every source is named above


def load(records: Path | None, *, quiet: bool = False) -> Scan:
    """Every record in the records folder; says on stderr which folder when it is not
    the team's, and what it had to skip (unless `quiet`, for commands about one record)."""
    from deescalate.records.store import scan

    result = scan(folder(records))
    report(result, quiet=quiet)
    return result


def ask(records: Path | None, work: Callable[[Index, Scan], T], *, quiet: bool = False,
        where: Path | None = None) -> T:
    """`work(index, scan)` over the records folder's index, brought up to date; says on
    stderr which folder when it is not the team's, and what it had to skip (unless
    `quiet`), before `work` prints anything."""
    from deescalate.records.store import ask as asking

    def reported(index: Index, result: Scan) -> T:
        report(result, quiet=quiet)
        return work(index, result)

    return asking(where or folder(records), reported)


def ask_ahead(records: Path | None, query: Callable[[sqlite3.Connection], T]
              ) -> tuple[T, int]:
    """`query(db)` over the records folder's index, which it only reads, brought up to
    date (and asked while the folder is walked: see `store.ask_ahead`); and how many
    files were left out. Says what `ask` says on stderr."""
    from deescalate.records.store import ask_ahead as asking

    answer, result = asking(folder(records), query)
    report(result)
    return answer, len(result.unreadable)


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
def list_(
    since: SinceOption = None,
    until: UntilOption = None,
    agent: AgentFilter = None,
    playbook: PlaybookFilter = None,
    outcome: OutcomeFilter = None,
    ref: RefFilter = None,
    customer: CustomerFilter = None,
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
    from deescalate.records import export, views

    chosen_filters = filters(since, until, agent, playbook, outcome, ref, customer)
    where, params = chosen_filters.sql()
    cap = limit if limit is not None else (0 if json else 50)
    shown, total = ask(records, lambda index, _: (index.summaries(where, params, limit=cap),
                                                  index.count(where, params)))
    if json:
        common.print_json([export.row(record) for record in shown])
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
    found = ask(records, lambda index, result: find_in(index, result, record_id), quiet=True,
                where=where)
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
        body = split(text)[1]
    except Unreadable:  # changed since it was read: show it all
        body = text
    on_terminal = sys.stdout.isatty()
    common.show_paged(views.record_view(
        found, body, _today(), where=display(path),  # type: ignore[arg-type]
        width=common.console(wide=True).width, markdown=on_terminal,
        glyphs=glyphs_for(sys.stdout)))


class GroupBy(StrEnum):
    playbook = "playbook"
    agent = "agent"
    outcome = "outcome"
    root_cause = "root-cause"
    month = "month"
    version = "version"
    step = "step"


@app.command()
def stats(
    by: Annotated[GroupBy | None, typer.Option(
        "--by", help="Also break the figures down by this.", show_default=False)] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    agent: AgentFilter = None,
    playbook: PlaybookFilter = None,
    outcome: OutcomeFilter = None,
    ref: RefFilter = None,
    customer: CustomerFilter = None,
    json: JsonOption = False,
    records: common.RecordsOption = None,
) -> None:
    """Count calls and show what works: resolved and escalated shares, call length,
    mood at the start and the end, the steps skipped most, follow-ups open and overdue.
    --by step shows, for each step of a playbook (and each branch answer), the calls
    that reached it, its skip rate, median time, the mood change across it and the
    share of those calls resolved; --by version compares playbook versions.

    \b
    Examples:
      deescalate records stats
      deescalate records stats --by agent --since -30d
      deescalate records stats --by month --playbook upset-customer --json
      deescalate records stats --by step --playbook upset-customer
    """
    from deescalate.records import stats as figures

    chosen_filters = filters(since, until, agent, playbook, outcome, ref, customer)
    where, params = chosen_filters.sql()
    today = _today()

    def count(db: sqlite3.Connection) -> tuple[int, object]:
        if by is GroupBy.step:
            calls = db.execute(f"SELECT count(*) FROM records r WHERE r.problem IS NULL"
                               f"{' AND (' + where + ')' if where else ''}",
                               tuple(params)).fetchone()[0]
            return calls, figures.step_stats(db, where, params, playbook=playbook)
        found = figures.compute_sql(db, where, params, by=by.value if by else None,
                                    today=today)  # type: ignore[arg-type]
        return found.figures.calls, found

    if by is GroupBy.step:  # the step visits are read the first time they are asked for
        def steps(index: Index, result: Scan) -> tuple[tuple[int, object], int]:
            index.fill_visits(where, params)
            return count(index.db), len(result.unreadable)

        (calls, numbers), unreadable = ask(records, steps)
    else:
        (calls, numbers), unreadable = ask_ahead(records, count)
    from deescalate.records import report

    if isinstance(numbers, list):  # by step
        if json:
            common.print_json({"records": calls, "unreadable": unreadable,
                               "filters": chosen_filters.describe(), "by": "step",
                               "playbooks": [book.to_dict() for book in numbers]})
            return
        common.echo(report.render_steps(numbers, calls=calls, unreadable=unreadable,
                                        colour=report.colour_wanted(),
                                        width=report.width_wanted()), nl=False)
        return
    assert isinstance(numbers, figures.Stats)
    if json:
        common.print_json({"records": calls, "unreadable": unreadable,
                           "filters": chosen_filters.describe(),
                           **figures.to_dict(numbers)})
        return
    # Not through common.echo: the report's own colour codes must reach the terminal
    # (outside text in it has been made safe by the report).
    typer.echo(report.render(numbers, unreadable=unreadable,
                             colour=report.colour_wanted(), width=report.width_wanted()),
               nl=False)


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


class Rows(StrEnum):
    calls = "calls"
    steps = "steps"


@app.command()
def export(
    format: Annotated[Format, typer.Option(
        "--format", "-f",
        help="csv for spreadsheets, jsonl (JSON Lines) for scripts, parquet (a "
             "dataset in the --output folder, by year and month) for warehouses.")
    ] = Format.csv,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE",
        help="Write here instead of to stdout (for parquet: the dataset's folder).",
        show_default=False)] = None,
    rows_wanted: Annotated[Rows, typer.Option(
        "--rows", help="parquet: a row per call, or per step visit.")] = Rows.calls,
    since: SinceOption = None,
    until: UntilOption = None,
    agent: AgentFilter = None,
    playbook: PlaybookFilter = None,
    outcome: OutcomeFilter = None,
    ref: RefFilter = None,
    customer: CustomerFilter = None,
    records: common.RecordsOption = None,
) -> None:
    """Export one row per call record, oldest first, as CSV or JSON Lines; or a
    Parquet dataset partitioned by year and month, a row per call or per step visit.

    \b
    Examples:
      deescalate records export --format csv --output calls.csv
      deescalate records export --format jsonl --since 2026-11-01 | gzip > november.jsonl.gz
      deescalate records export --format parquet --output warehouse/calls
      deescalate records export --format parquet --rows steps --output warehouse/steps
    """
    import sys

    from deescalate.records import export as rows

    chosen_filters = filters(since, until, agent, playbook, outcome, ref, customer)
    where, params = chosen_filters.sql()
    if format is Format.parquet:
        from deescalate.records import parquet

        if output is None:
            raise BadInput("--format parquet writes a dataset: give its folder with --output")
        parquet.schema()  # the one-line message now, if pyarrow is missing
        steps = rows_wanted is Rows.steps
        chosen = ask(records, lambda index, _: index.summaries(
            where, params, order="r.started, r.id, r.path", visits=steps))
        written = parquet.write(chosen, output, rows=rows_wanted.value)
        from deescalate.records.store import display

        what = "step visit" if steps else "record"
        common.echo(f"Wrote {written:,} {what}{'s' if written != 1 else ''} to "
                    f"{display(output)} (Parquet, by year and month)", err=True)
        return
    chosen = ask(records, lambda index, _: index.summaries(where, params,
                                                          order="r.started, r.id, r.path"))
    if output is None:
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(newline="")  # CSV's own \r\n, not translated again
        rows.write(chosen, sys.stdout, format.value)
        return
    from deescalate.records.store import display

    rows.write_file(output, rows.to_text(chosen, format.value).encode("utf-8"))
    common.echo(f"Wrote {len(chosen):,} record{'s' if len(chosen) != 1 else ''} to "
                f"{display(output)}", err=True)


@app.command()
def check(
    records: common.RecordsOption = None,
) -> None:
    """Check the records folder, for a team's CI: exit 1 with a PATH: problem line for
    each record whose front matter does not parse or misses a required field, whose
    file name breaks the naming scheme, that holds an unredacted card number, e-mail
    address or phone number, or that shares its id with another.

    \b
    Examples:
      deescalate records check
      deescalate records check --records support-team/records
    """
    from deescalate.records import check as checking

    settings = common.settings(records=records)
    where = folder(records, must_exist=True, settings=settings)
    findings, checked = checking.check(where, settings.redactor())
    for finding in findings:
        common.echo(one_line(finding.show(where)))
    files = len({finding.path for finding in findings})
    count = f"{checked:,} record{'s' if checked != 1 else ''} checked"
    if findings:
        common.echo(f"{count}: {len(findings):,} problem{'s' if len(findings) != 1 else ''} "
                    f"in {files:,} file{'s' if files != 1 else ''}", err=True)
        raise typer.Exit(common.EXIT_FINDINGS)
    common.echo(f"{count}: no problems", err=True)


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
