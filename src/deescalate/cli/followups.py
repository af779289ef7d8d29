"""`deescalate followups`: what is owed to customers, and marking it done."""

from __future__ import annotations

from typing import Annotated

import typer

from deescalate.cli import common
from deescalate.cli.records import JsonOption, ask, filtered, folder
from deescalate.errors import BadFile, Conflict
from deescalate.records.filters import Filters

app = typer.Typer(
    help="""List the follow-ups owed to customers: overdue, due today, upcoming.

\b
Examples:
  deescalate followups
  deescalate followups --agent jdoe --all
  deescalate followups done 20261122-143012 --note "Refund confirmed"
""",
    rich_markup_mode=None,
    add_completion=False,
)


@app.callback(invoke_without_command=True)
@filtered
def main(
    all: Annotated[bool, typer.Option("--all", help="Include the follow-ups already done.")
                   ] = False,
    *,
    chosen: Filters,
    json: JsonOption = False,
    records: common.RecordsOption = None,
) -> None:
    """List the follow-ups owed to customers."""
    from deescalate.dates import today
    from deescalate.records import columns
    from deescalate.records.followups import owed

    items, _ = ask(records, lambda index, _: owed(index, chosen, today=today(),
                                                  include_done=all))
    if json:
        common.print_json([{"status": item.status, "due": item.due.isoformat(),
                            "days": item.days, **columns.row(item.record)} for item in items])
        return
    import sys

    from deescalate.records import views
    from deescalate.text import glyphs_for

    out = common.console(wide=True)
    out.print(views.followups_view(items, width=out.width, glyphs=glyphs_for(sys.stdout)),
              soft_wrap=True)


@app.command()
def done(
    record_id: Annotated[str, typer.Argument(
        metavar="ID", help="The record's id, or enough of its start to be the only one.")],
    note: Annotated[str | None, typer.Option(
        "--note", metavar="TEXT", help="What was done; added to the record (redacted).")
    ] = None,
    agent: common.AgentOption = None,
    records: common.RecordsOption = None,
) -> None:
    """Mark a record's follow-up done: set follow_up_done to today and add a line (and
    your note) to the record's Follow-up section, changing nothing else in the file.

    \b
    Examples:
      deescalate followups done 20261122-143012-jdoe-upset-customer-7f3a
      deescalate followups done 20261122-1430 --note "Refund showed on the statement"
    """
    from deescalate.dates import today
    from deescalate.records.followups import mark_done
    from deescalate.records.store import display, find_in
    from deescalate.records.summary import Summary

    settings = common.settings(records=records, agent=agent)
    where = folder(records, must_exist=True, settings=settings)
    found, _ = ask(records, lambda index, result: find_in(index, result, record_id),
                   quiet=True, where=where)
    if not isinstance(found, Summary):
        raise BadFile(f"{display(where / found[0])}: {found[1]}; fix the "
                      "record first (deescalate records check)")
    if found.follow_up is None:
        raise Conflict(f"{found.id} has no follow-up to mark done")
    if found.follow_up_done is not None:
        raise Conflict(f"{found.id}: the follow-up was already marked done on "
                       f"{found.follow_up_done}")
    path = where / found.path
    when = today()
    mark_done(path, done=when, agent=settings.agent.value, note=note, redactor=settings.redactor())
    common.echo(f"Marked done {when.isoformat()}: {found.id}")
    common.echo(f"Updated: {display(path)}")
    if settings.git_commit.value:
        from deescalate.records.git import commit_record

        warning = commit_record(path, message=f"Follow-up done: {found.id}")
        if warning is not None:
            common.warn(warning)
        elif settings.git_push.value:
            from deescalate.records.sync import push_later

            push_later(path)
