"""Saved calls: private, atomic, listed, resumed and discarded; never lost before the record."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from deescalate import config
from deescalate.call import live as livecall
from deescalate.call.engine import run_call
from deescalate.call.saved import CallStore
from deescalate.errors import DeescalateError
from tests.engine_script import Script, builtin, end_call, new_call, note, round_trip, wrap_up


def finished(records: Path):
    engine = new_call(builtin("upset-customer"), records=records)
    run_call(engine, Script(note("Keep me"), end_call(),
                            wrap_up(outcome="resolved", summary="Done", root_cause=None)),
             lambda c: None, ["other"])
    return engine


def test_saved_state_is_private_and_round_trips(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "state" / "calls")
    engine = new_call(builtin("upset-customer"))
    engine.note("A note with ünïcödé and \"quotes\"")
    store.save(engine.call)
    path = store.path(engine.call.id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert store.load(engine.call.id) == round_trip(engine.call)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_ids_find_and_discard(tmp_path: Path) -> None:
    store = CallStore(tmp_path)
    for call_id in ("20261122-100000-aaaa", "20261122-110000-bbbb", "20261123-090000-cccc"):
        engine = new_call(builtin("upset-customer"))
        engine.call.id = call_id
        store.save(engine.call)
    assert store.ids() == ["20261122-100000-aaaa", "20261122-110000-bbbb",
                           "20261123-090000-cccc"]
    assert store.find("20261123") == "20261123-090000-cccc"
    with pytest.raises(DeescalateError, match="matches 2 saved calls"):
        store.find("20261122")
    with pytest.raises(DeescalateError, match="no saved call 'x'"):
        store.find("x")
    store.discard("20261122-100000-aaaa")
    assert len(store.ids()) == 2


def test_a_damaged_saved_call_is_one_clear_message(tmp_path: Path) -> None:
    store = CallStore(tmp_path)
    (tmp_path / "20261122-100000-aaaa.json").write_text("{not json")
    with pytest.raises(DeescalateError, match=r"can.t be read.*--discard 20261122-100000-aaaa"):
        store.load("20261122-100000-aaaa")


def test_the_state_stays_until_the_record_is_written(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls")
    blocked = tmp_path / "records"
    blocked.write_text("a file where the records folder should be")
    engine = finished(blocked)
    store.save(engine.call)
    with pytest.raises(DeescalateError, match="the call is saved: deescalate resume"):
        livecall.finish(engine, config.load(), store)
    assert store.ids() == [engine.call.id]
    saved = store.load(engine.call.id)
    assert saved.record_suffix is not None
    assert saved.marks_for(saved.playbook, saved.visits[0].step).notes[0].text == "Keep me"


def test_finishing_twice_writes_one_record(tmp_path: Path) -> None:
    """A crash after the record is placed but before the state is removed."""
    store = CallStore(tmp_path / "calls")
    engine = finished(tmp_path / "records")
    store.save(engine.call)
    settings = config.load()
    first, _ = livecall.finish(engine, settings, store)
    store.save(engine.call)  # as if the process died before forgetting the call
    again, _ = livecall.finish(livecall.reopen(store.load(engine.call.id)), settings, store)
    assert again == first
    assert list((tmp_path / "records").rglob("*.md")) == [first]
    assert store.ids() == []


def test_resume_list_and_discard_from_the_command_line(cli, isolated: Path) -> None:
    assert cli("resume", "--list").out == "No saved calls.\n"
    store = CallStore(config.load().state_dir.value)
    engine = new_call(builtin("difficult-customer"), customer="Sam P.")
    store.save(engine.call)
    listed = cli("resume", "--list")
    assert listed.code == 0
    assert listed.out.startswith(f"{engine.call.id}  difficult-customer  Sam P. · T-1  at "
                                 "stay-composed")
    gone = cli("resume", "--discard", engine.call.id[:15])
    assert gone.code == 0 and "Discarded" in gone.out
    assert store.ids() == []
    missing = cli("resume", "--discard", "nothing")
    assert missing.code == 2 and "no saved call 'nothing'" in missing.err
