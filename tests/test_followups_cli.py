"""`deescalate followups` and `followups done`, on the known records folder."""

from __future__ import annotations

import json
import os


def test_followups_lists_open_ones_by_status(cli, known) -> None:
    result = cli("followups", "--records", known.folder)
    assert result.code == 0, result.err
    lines = [" ".join(line.split()) for line in result.out.splitlines()]
    assert lines[0] == "Overdue (1)"
    assert lines[2].startswith(f"2026-11-10 10d late {known.id('r2')} jdoe Sam Lee T-1001")
    assert lines[4] == "Due today (1)"
    assert lines[6].startswith(f"2026-11-20 today {known.id('r4')} asmith T-2000")
    assert lines[8] == "Upcoming (1)"
    assert lines[10].startswith(f"2026-11-25 in 5d {known.id('r5')} mgarcia dana r.")
    assert "Done" not in result.out


def test_followups_all_json_and_filters(cli, known) -> None:
    items = json.loads(cli("followups", "--all", "--json", "--records", known.folder).out)
    assert [(i["status"], i["id"], i["days"]) for i in items] == [
        ("overdue", known.id("r2"), -10), ("today", known.id("r4"), 0),
        ("upcoming", known.id("r5"), 5), ("done", known.id("r7"), -46)]
    assert items[3]["follow_up_done"] == "2026-10-06"
    mine = json.loads(cli("followups", "--agent", "jdoe", "--json", "--records",
                          known.folder).out)
    assert [i["id"] for i in mine] == [known.id("r2")]
    none = cli("followups", "--agent", "nobody", "--records", known.folder)
    assert none.out == "No follow-ups open.\n"


def test_done_marks_the_record_and_keeps_every_other_byte(cli, known) -> None:
    path = known.paths["r2"]
    before = path.read_bytes()
    mode = os.stat(path).st_mode
    result = cli("followups", "done", known.id("r2")[:15], "--note", "Refund is through.",
                 "--agent", "kim", "--records", known.folder)
    assert result.code == 0, result.err
    assert result.out == (f"Marked done 2026-11-20: {known.id('r2')}\n"
                          f"Updated: records/2026/11/{known.id('r2')}.md\n")
    after = path.read_bytes()
    assert after == before.replace(b"follow_up_done: null", b"follow_up_done: 2026-11-20") \
        + b"\nDone 2026-11-20 by kim: Refund is through.\n"
    assert os.stat(path).st_mode == mode
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    items = json.loads(cli("followups", "--json", "--records", known.folder).out)
    assert known.id("r2") not in [i["id"] for i in items]
    again = cli("followups", "done", known.id("r2"), "--records", known.folder)
    assert again.code == 2
    assert again.err == (f"Records in records (from --records)\ndeescalate: {known.id('r2')}: "
                         "the follow-up was already marked done on 2026-11-20\n")


def test_done_errors(cli, known) -> None:
    no_follow_up = cli("followups", "done", known.id("r1"), "--records", known.folder)
    assert no_follow_up.code == 2
    assert no_follow_up.err.endswith(
        f"\ndeescalate: {known.id('r1')} has no follow-up to mark done\n")
    ambiguous = cli("followups", "done", "2026", "--records", known.folder)
    assert ambiguous.code == 2 and "give more of the id" in ambiguous.err
    broken = cli("followups", "done", "20261103-090000", "--records", known.folder)
    assert broken.code == 2 and "fix the record first" in broken.err
