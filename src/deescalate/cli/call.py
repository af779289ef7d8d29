"""`deescalate start` and `deescalate resume`: the live call."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from deescalate.cli import common
from deescalate.errors import CantWrite, DeescalateError, NotFound

if TYPE_CHECKING:
    from pathlib import Path

    from deescalate.call.engine import CallEngine
    from deescalate.call.saved import CallStore
    from deescalate.config import Config
    from deescalate.playbooks.format import Playbook


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

    Enter moves on; n note, m mood, 1-9 tick, b back, s skip, e escalate, p switch
    playbook, h handover brief, c customer and reference, q end the call and ? all keys
    are one key away. Every
    answer and any text being typed is saved as you go: after Ctrl-C, a closed
    terminal or a crash, `deescalate resume` carries on where the call stopped.

    \b
    Examples:
      deescalate start upset --customer "Dana R." --ref T-1234
      deescalate start
    """
    from deescalate.call import live
    from deescalate.call.engine import who_or_refusal
    from deescalate.call.saved import CallStore

    customer, ref = who_or_refusal(customer, "--customer"), who_or_refusal(ref, "--ref")
    settings = common.settings(playbooks=playbooks, records=records, agent=agent)
    catalog = common.catalog(playbooks)
    book = catalog.find(playbook) if playbook is not None else None  # before the terminal
    live.require_terminal()
    if book is None:
        book = catalog.find(_pick_playbook(catalog))
    said = None
    if settings.agent.source.startswith("default"):
        settings, said = _first_call(settings, playbooks=playbooks, records=records)
    folder = settings.records.value
    made = live.ready_records_folder(folder)
    engine = live.begin(book, settings, customer=customer, reference=ref)
    store = CallStore(settings.state_dir.value)
    notices = [f"Saving as you go to {store.path(engine.call.id)}"]
    if made:
        notices.append(f"Made the records folder {folder}")
    unfinished = len(store.ids())
    if unfinished:
        notices.append(f"{unfinished} earlier call{' is' if unfinished == 1 else 's are'} "
                       "saved unfinished: deescalate resume --list")
    earlier = live.earlier_calls(engine, folder, ref=ref, customer=customer)
    count = earlier()
    if count:
        notices.append(f"{count} earlier call{'s' if count != 1 else ''} with this "
                       f"{'reference' if ref else 'customer'}: h shows them")
    if said:  # last, so it is on the first screen however many lines come before
        notices.append(said)
    _run(engine, settings, store, notices, earlier, playbooks)


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
        try:
            call = store.load(found)
            what = f"{call.playbook}, {call.customer or 'no name'}"
        except DeescalateError:  # a damaged file: removing it is what --discard is for
            what = "a file that did not read as a call"
        try:
            store.discard(found)
        except OSError as exc:  # a folder of that name, or the state folder read-only
            raise CantWrite(f"{store.path(found)}: can't remove it "
                            f"({exc.strerror or exc})") from None
        common.echo(f"Discarded {found} ({what}); it had no record yet.")
        return
    live.require_terminal()
    if call_id is None:
        ids = _readable(store)
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
    notices = [f"Resumed {call.id} from {store.path(call.id)}"]
    if call.draft:
        notices.append("Text you were typing is kept: it comes back in its prompt.")
    _run(engine, settings, store, notices)


def _run(engine: CallEngine, settings: Config, store: CallStore, notices: list[str],
         earlier: Callable[[], int | None] | None = None,
         playbooks: list[Path] | None = None) -> None:
    from deescalate.call import live

    def others() -> list[Playbook]:
        catalog = common.catalog(playbooks)
        return [e.playbook for e in catalog.effective() if e.playbook]

    try:
        path, warning = live.run(engine, settings, store, notices=notices, earlier=earlier,
                                 others=others)
    except live.CallPaused:
        with contextlib.suppress(OSError):  # the terminal may be gone; the call is safe
            common.echo(f"The call is saved. Carry on with: deescalate resume {engine.call.id}")
        raise typer.Exit(common.EXIT_INTERRUPTED) from None
    common.wrote(path, "Record written")
    if warning:
        common.warn(warning)


def _first_call(settings: Config, *, playbooks: list[Path] | None,
                records: Path | None) -> tuple[Config, str]:
    """No agent name set anywhere: ask once, keep it in the user's config; the settings
    now, and where it was kept, for the call's first screen."""
    from deescalate import config
    from deescalate.call.screen import ask_line

    name = ask_line("Your name for call records (asked once)",
                    suggested=config.login_name())
    path = config.save_agent(name)
    return (common.settings(playbooks=playbooks, records=records),
            f"Saved your name in {path}; change it there or with --agent.")


def _pick_playbook(catalog: object) -> str:
    from deescalate.call.screen import pick
    from deescalate.playbooks.catalog import Catalog

    assert isinstance(catalog, Catalog)
    entries = [e for e in catalog.effective() if e.playbook]
    if not entries:
        raise NotFound("no playbooks found; `deescalate playbooks list` shows where "
                       "they are searched for")
    return pick("Which playbook?", [
        (f"{e.playbook.title}  ({e.id})"
         + (f" - {e.playbook.summary}" if e.playbook.summary else ""), e.id)
        for e in entries if e.playbook])


def _pick_saved(store: CallStore, ids: list[str]) -> str:
    from deescalate.call.screen import pick

    return pick("Which call?", [(_describe(call_id, store), store.load(call_id).id)
                                for call_id in reversed(ids)])


def _readable(store: CallStore) -> list[str]:
    """The saved calls that read; one warning for each that doesn't."""
    readable = []
    for call_id in store.ids():
        try:
            store.load(call_id)
        except DeescalateError as exc:
            common.warn(exc.message)
            continue
        readable.append(call_id)
    return readable


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
