"""`records stats --by step` and `--by version`: asserted exactly against the truth
worked out here from the records' front matter, by the definitions in stats.py."""

from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from deescalate.records import stats, store
from tests import oracle
from tests.recordkit import TODAY, generator, playbook

SWITCHED = """\
---
record: 1
id: 20261102-100000-jdoe-customer-is-wrong-0001
playbook: customer-is-wrong
playbook_version: 2
playbook_sha256: abc
agent: jdoe
customer: null
reference: null
started: 2026-11-02T10:00:00Z
ended: 2026-11-02T10:05:00Z
duration_seconds: 300
outcome: resolved
escalated: false
root_cause: null
summary: Switched half way.
follow_up: null
follow_up_done: null
mood:
- {step: listen, at: 0, value: 5}
- {step: listen, at: 50, value: 4}
- {step: explain, at: 200, value: 2}
steps:
- id: listen
  at: 0
  seconds: 90
  skipped: false
  unticked: []
  notes: []
  playbook: upset-customer
  visits:
  - {at: 0, seconds: 60}
  - {at: 120, seconds: 30}
- id: check-fault
  at: 60
  seconds: 60
  skipped: false
  unticked: []
  notes: []
  answer: 'No: the customer is mistaken'
  playbook: upset-customer
- id: explain
  at: 150
  seconds: 150
  skipped: true
  unticked: []
  notes: []
playbooks: [upset-customer, customer-is-wrong]
captures: {}
redactions: 0
tags: []
---
"""


def truth(folder: Path, playbook: str | None = None) -> dict:
    """What --by step should say, from the front matter by the definitions alone."""
    reached: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    answers: dict[tuple[str, str, str], list] = defaultdict(list)
    for path in sorted(folder.rglob("*.md")):
        front = yaml.safe_load(path.read_text().split("---\n")[1])
        moods = [(m["at"], m["value"]) for m in front["mood"]]
        for place, entry in enumerate(front["steps"]):
            book = entry.get("playbook", front["playbook"])
            if playbook is not None and book != playbook:
                continue
            spans = entry.get("visits") or [entry]
            leave = max(span["at"] + span["seconds"] for span in spans)
            arriving = [v for at, v in moods if at <= entry["at"]]
            leaving = [v for at, v in moods if at <= leave]
            change = leaving[-1] - arriving[-1] if arriving else None
            visit = (path, entry["seconds"], entry["skipped"], change,
                     front["outcome"] == "resolved", place)
            reached[book][entry["id"]].append(visit)
            if "answer" in entry:
                answers[book, entry["id"], entry["answer"]].append(visit)

    def figures(visits: list, calls: int) -> dict:
        changes = [v[3] for v in visits if v[3] is not None]
        return {"calls": len(visits), "share_of_calls": len(visits) / calls,
                "skipped": sum(v[2] for v in visits),
                "skip_rate": sum(v[2] for v in visits) / len(visits),
                "median_seconds": statistics.median(v[1] for v in visits),
                "mood_rated": len(changes),
                "mood_change": sum(changes) / len(changes) if changes else None,
                "cooled": sum(c < 0 for c in changes), "heated": sum(c > 0 for c in changes),
                "resolved": sum(v[4] for v in visits),
                "share_resolved": sum(v[4] for v in visits) / len(visits)}

    books = {}
    for book, steps in reached.items():
        calls = len({v[0] for visits in steps.values() for v in visits})
        order = sorted(steps, key=lambda s: (statistics.mean(v[5] for v in steps[s]), s))
        books[book] = {"calls": calls, "steps": [
            {"step": step, **figures(steps[step], calls), "answers": sorted(
                [{"step": step, "answer": answer, **figures(visits, calls)}
                 for (b, s, answer), visits in answers.items() if (b, s) == (book, step)],
                key=lambda a: (-a["calls"], a["answer"]))}
            for step in order]}
    return books


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    records = tmp_path_factory.mktemp("steps") / "records"
    generator().generate(records, 400, seed=7, workers=1)
    (records / "2026" / "11" / "20261102-100000-jdoe-customer-is-wrong-0001.md").write_text(
        SWITCHED)
    return records


def as_data(books: list[stats.PlaybookSteps]) -> dict:
    found = {}
    for book in books:
        data = book.to_dict()
        found[data.pop("playbook")] = data
    return found


def test_every_step_of_every_playbook(folder: Path) -> None:
    found, _ = store.ask(folder, lambda index, _: (index.fill_visits(),
                                                    stats.step_stats(index.db))[1])
    wanted = truth(folder)
    assert as_data(found) == wanted
    assert [book.playbook for book in found] == sorted(
        wanted, key=lambda b: (-wanted[b]["calls"], b))
    upset = as_data(found)["upset-customer"]
    assert any(step["answers"] for step in upset["steps"])  # branch answers were counted
    assert any(step["mood_rated"] for step in upset["steps"])


def test_one_playbook_with_a_filter_counts_a_call_that_switched_from_it(folder: Path) -> None:
    from deescalate.records.filters import Filters

    where, params = Filters(playbook="upset-customer").sql()
    found, _ = store.ask(folder, lambda index, _: (
        index.fill_visits(where, params),
        stats.step_stats(index.db, where, params, playbook="upset-customer"))[1])
    assert [book.playbook for book in found] == ["upset-customer"]
    assert as_data(found) == truth(folder, "upset-customer")
    listen = next(s for s in found[0].steps if s.step == "check-fault")
    assert "No: the customer is mistaken" in {a.answer for a in listen.answers}


def test_the_command_by_step_and_by_version(cli, folder: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("records", "stats", "--by", "step", "--playbook", "upset-customer", "--json",
                 "--records", folder)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["by"] == "step" and data["filters"] == {"playbook": "upset-customer"}
    titles = {step.id: step.title for step in playbook("upset-customer").steps}
    for book in data["playbooks"]:
        for step in book["steps"]:
            assert step.pop("title") == titles[step["step"]]  # beside each id
    assert {b["playbook"]: {k: v for k, v in b.items() if k != "playbook"}
            for b in data["playbooks"]} == truth(folder, "upset-customer")
    text = cli("records", "stats", "--by", "step", "--playbook", "upset-customer",
               "--records", folder)
    assert text.code == 0 and "upset-customer:" in text.out and "  →  " in text.out
    assert re.search(r"\nstay-calm +Steady yourself +\d", text.out)  # the title beside it
    assert all(len(line) <= 80 for line in text.out.splitlines())
    versions = cli("records", "stats", "--by", "version", "--json", "--records", folder)
    groups = {g["key"]: g["calls"] for g in json.loads(versions.out)["groups"]}
    assert groups["customer-is-wrong v2"] == 1
    assert sum(groups.values()) == 401


def test_sql_and_python_agree_on_every_grouping(folder: Path) -> None:
    records = store.scan(folder).records
    for by in (None, *stats.DIMENSIONS):
        wanted = oracle.compute(records, by=by, today=TODAY)
        got, _ = store.ask(folder, lambda index, _, by=by: stats.compute_sql(
            index.db, by=by, today=TODAY))
        assert stats.to_dict(got) == stats.to_dict(wanted), by
