"""`deescalate start` and `deescalate resume`: the live call."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deescalate.cli import common
from deescalate.errors import DeescalateError, NotFound

if TYPE_CHECKING:
    from rich.console import Console

    from deescalate.call.engine import CallEngine
    from deescalate.call.saved import CallStore
    from deescalate.config import Config


def start(
    playbook: Annotated[str | None, typer.Argument(
        metavar="PLAYBOOK", help="An id, an alias or a path to a YAML file; "
                                 "asked for when left out.", show_default=False)] = None,
    customer: Annotated[str | None, typer.Option("--customer", metavar="TEXT",
                                                 help="The customer's name.")] = None,
    ref: Annotated[str | None, typer.Option("--ref", metavar="TEXT",
                                            help="The ticket or case reference.")] = None,
    agent: common.AgentOption = None,
    records: common.RecordsOption = None,
    playbooks: common.PlaybooksOption = None,
) -> None:
    """Start a call: walk through a playbook step by step, then write its record.

    Enter moves on; n note, m mood, 1-9 tick, b back, s skip, e escalate and q end the
    call are one key away. Everything is saved as you go: after Ctrl-C, a closed
    terminal or a crash, `deescalate resume` carries on where the call stopped.

    \b
    Examples:
      deescalate start upset --customer "Dana R." --ref T-1234
      deescalate start
    """
    from deescalate.call import live
    from deescalate.call.saved import CallStore

    live.require_terminal()
    settings = common.settings(playbooks=playbooks, records=records, agent=agent)
    catalog = common.catalog(playbooks)
    console = common.console()
    if playbook is None:
        playbook = _pick_playbook(catalog)
    book = catalog.find(playbook)
    folder = settings.records.value
    made = live.ready_records_folder(folder)
    engine = live.begin(book, settings, customer=customer, reference=ref)
    store = CallStore(settings.state_dir.value)
    notice = f"Saving as you go to {store.path(engine.call.id)}"
    if made:
        notice += f"\nMade the records folder {folder}"
    unfinished = len(store.ids())
    if unfinished:
        notice += (f"\n{unfinished} earlier call{' is' if unfinished == 1 else 's are'} saved "
                   "unfinished: deescalate resume --list")
    history = live.earlier_calls(folder, ref=ref, customer=customer)
    _run(engine, settings, store, console, notice, history)


def resume(
    call_id: Annotated[str | None, typer.Argument(
        metavar="CALL_ID", help="The saved call (a prefix of its id is enough).",
        show_default=False)] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the saved calls.")] = False,
    discard: Annotated[str | None, typer.Option("--discard", metavar="CALL_ID",
                                                help="Delete a saved call.")] = None,
    records: common.RecordsOption = None,
) -> None:
    """Carry on with a call that was stopped, exactly where it stopped.

    \b
    Examples:
      deescalate resume
      deescalate resume --list
      deescalate resume 20261122-1430
    """
    from deescalate.call import live
    from deescalate.call.saved import CallStore

    settings = common.settings(records=records)
    store = CallStore(settings.state_dir.value)
    if list_:
        _list_saved(store)
        return
    if discard:
        found = store.find(discard)
        call = store.load(found)
        store.discard(found)
        common.echo(f"Discarded {found} ({call.playbook}, {call.customer or 'no name'}); "
                    "it had no record yet.")
        return
    live.require_terminal()
    console = common.console()
    if call_id is None:
        ids = store.ids()
        if not ids:
            raise NotFound("there is no saved call to resume")
        call_id = ids[0] if len(ids) == 1 else _pick_saved(store, ids)
    call = store.load(store.find(call_id))
    engine = live.reopen(call)
    if records is not None:
        call.records = str(settings.records.value)
    if engine.finished:
        path, warning = live.finish(engine, settings, store)
        common.wrote(path, "Record written")
        if warning:
            common.warn(warning)
        return
    _run(engine, settings, store, console, f"Resumed {call.id} from {store.path(call.id)}")


def _run(engine: CallEngine, settings: Config, store: CallStore, console: Console,
         notice: str, intro: Callable[[], Any] | None = None) -> None:
    from deescalate.call import live

    try:
        path, warning = live.run(engine, settings, store, console, notice=notice,
                                     intro=intro)
    except live.CallPaused:
        with contextlib.suppress(OSError):  # the terminal may be gone; the call is safe
            console.print(f"\nThe call is saved. Carry on with: [bold]deescalate resume "
                          f"{engine.call.id}[/bold]")
        raise typer.Exit(common.EXIT_INTERRUPTED) from None
    console.print(f"\nRecord written: [bold]{path}[/bold]")
    if warning:
        common.warn(warning)


def _pick_playbook(catalog: object) -> str:
    from deescalate.call.screen import pick
    from deescalate.playbooks.catalog import Catalog

    assert isinstance(catalog, Catalog)
    entries = [e for e in catalog.effective() if e.playbook]
    if not entries:
        raise NotFound("no playbooks found; `deescalate playbooks list` shows where "
                       "they are searched for")
    return pick("Which playbook?", [(f"{e.playbook.title}  ({e.id})", e.id)
                                    for e in entries if e.playbook])


def _pick_saved(store: CallStore, ids: list[str]) -> str:
    from deescalate.call.screen import pick

    return pick("Which call?", [(_describe(call_id, store), store.load(call_id).id)
                                for call_id in reversed(ids)])


def _describe(call_id: str, store: CallStore) -> str:
    call = store.load(call_id)
    where = (f"at {call.visits[-1].step}" if call.phase == "steps" and call.visits
             else "in the wrap-up")
    who = " · ".join(x for x in (call.customer, call.reference) if x) or "no name"
    return f"{call.id}  {call.playbook}  {who}  {where}  (started {call.started})"


def _list_saved(store: CallStore) -> None:
    ids = store.ids()
    if not ids:
        common.echo("No saved calls.")
        return
    for call_id in ids:
        try:
            common.echo(_describe(call_id, store))
        except DeescalateError as exc:
            common.warn(exc.message)
