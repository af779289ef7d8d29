"""`deescalate records list/show/stats/export` on a folder whose contents are known."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from tests.recordkit import generator

ALL = ["r5", "r4", "r3", "r2", "r1", "r6", "r7", "r8"]  # newest first


def errors(result) -> str:
    """stderr without the one-time note about the cache being made, and without the
    first line naming the records folder (given with --records: not the team's)."""
    return "".join(line for line in result.err.splitlines(True)
                   if not line.startswith(("Keeping a cache", "Records in records ")))


def listed(cli, known, *args: str) -> list[str]:
    """The names (r1...) of the records `records list --json` returns, in order."""
    result = cli("records", "list", "--records", known.folder, "--json", *args)
    assert result.code == 0, result.err
    by_id = {known.id(name): name for name in known.paths}
    return [by_id[row["id"]] for row in json.loads(result.out)]


def test_list_is_newest_first_and_skips_bad_records_with_a_warning(cli, known) -> None:
    result = cli("records", "list", "--records", known.folder, "--json")
    assert result.code == 0
    assert listed(cli, known) == ALL
    assert result.err.startswith("Records in records (from --records)\n")
    assert "warning: 3 files or folders in the records folder can't be read as records and " \
        "are left out (deescalate records check lists every problem):\n" in result.err
    assert "20261103-090000-jdoe-upset-customer-dead.md: the front matter does not parse" \
        in result.err
    assert "20261104-090000-jdoe-upset-customer-beef.md: the required field 'outcome' " \
        "is missing" in result.err
    assert "notes.md: the file does not start with a '---' line" in result.err


@pytest.mark.parametrize(("args", "expected"), [
    (["--since", "2026-11-05"], ["r5", "r4", "r3", "r2"]),
    (["--until", "2026-11-02"], ["r1", "r6", "r7", "r8"]),
    (["--since", "2026-11-02", "--until", "2026-11-10"], ["r3", "r2", "r1"]),
    (["--since", "-5d"], ["r5", "r4"]),  # today is 2026-11-20: from 2026-11-15
    (["--since", "monday"], ["r5"]),  # the Monday before: 2026-11-16
    (["--until", "yesterday", "--since", "2026-11-15"], ["r5", "r4"]),
    (["--agent", "jdoe"], ["r2", "r1", "r7"]),
    (["--agent", "JDOE"], []),
    (["--playbook", "customer-is-wrong"], ["r4", "r7"]),
    (["--outcome", "follow-up"], ["r5", "r4", "r2", "r7"]),
    (["--outcome", "escalated"], ["r3"]),
    (["--ref", "t-1000"], ["r3", "r1"]),
    (["--ref", "T-10*"], ["r3", "r2", "r1", "r7"]),
    (["--customer", "dana r."], ["r5", "r3", "r1"]),
    (["--customer", "  DANA   r. "], ["r5", "r3", "r1"]),
    (["--customer", "dana"], []),
    (["--customer", "dana*"], ["r5", "r3", "r1"]),
    (["--customer", "*dubois"], ["r6"]),
    (["--agent", "asmith", "--outcome", "follow-up"], ["r4"]),
])
def test_list_filters(cli, known, args: list[str], expected: list[str]) -> None:
    assert listed(cli, known, *args) == expected


def test_list_json_has_every_field(cli, known) -> None:
    rows = json.loads(cli("records", "list", "--records", known.folder, "--json",
                          "--ref", "T-1001", "--agent", "jdoe").out)
    assert [row["id"] for row in rows] == [known.id("r2"), known.id("r7")]
    r2 = rows[0]
    assert r2 == {
        "id": known.id("r2"), "started": "2026-11-05T10:00:00Z",
        "ended": "2026-11-05T10:10:00Z", "duration_seconds": 600, "agent": "jdoe",
        "playbook": "upset-customer", "playbook_version": 1,
        "playbooks": ["upset-customer"], "customer": "Sam Lee", "reference": "T-1001",
        "outcome": "follow-up", "escalated": False,
        "root_cause": None, "summary": "Call back about the refund.",
        "follow_up": "2026-11-10", "follow_up_done": None, "mood_start": 5, "mood_end": 3,
        "steps": 4, "skipped_steps": ["stay-calm"], "redactions": 0, "tags": [],
        "path": f"2026/11/{known.id('r2')}.md",
    }
    assert rows[1]["follow_up_done"] == "2026-10-06"


def test_list_table_and_limit(cli, known) -> None:
    result = cli("records", "list", "--records", known.folder, "--limit", "2")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "OUTCOME", "LENGTH", "FOLLOW-UP", "CUSTOMER", "REF",
                                "SUMMARY"]
    assert len(lines) == 3
    assert lines[1].startswith(known.id("r5")) and "2026-11-25 open" in lines[1]
    assert lines[2].startswith(known.id("r4")) and "2026-11-20 open" in lines[2]
    assert "15:00" in lines[2]
    assert "2 of 8 records shown; --limit 0 shows all." in result.err
    everything = cli("records", "list", "--records", known.folder, "--limit", "0")
    assert len(everything.out.splitlines()) == 9
    overdue = [line for line in everything.out.splitlines() if "overdue" in line]
    assert [line.split()[0] for line in overdue] == [known.id("r2")]


def test_list_with_no_match_and_no_folder(cli, known, isolated) -> None:
    result = cli("records", "list", "--records", known.folder, "--agent", "nobody")
    assert result.code == 0 and "(no records)" in result.out
    for command in (["records", "list"], ["records", "stats"], ["records", "export"],
                    ["records", "check"], ["records", "show", "x"], ["followups"],
                    ["followups", "done", "x"]):
        missing = cli(*command, "--records", isolated / "nowhere")
        assert missing.code == 2, command
        assert missing.err == "deescalate: nowhere: no records folder there (--records flag)\n"
    (isolated / "a-file").write_text("not a folder\n")
    given_a_file = cli("records", "list", "--records", "a-file")
    assert given_a_file.code == 2
    assert given_a_file.err == "deescalate: a-file: is a file, not a records folder " \
                               "(--records flag)\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--outcome", "resolve"], "--outcome: 'resolve' is not an outcome (one of resolved, "
                               "follow-up, escalated, unresolved, dropped); did you mean "
                               "'resolved'?"),
    (["--since", "the other tuesday"], "--since: 'the other tuesday' is not a date"),
    (["--since", "2026-11-10", "--until", "2026-11-01"],
     "--since 2026-11-10 is after --until 2026-11-01: no call can match"),
    (["--agent", " "], "--agent: give a value, not an empty text"),
])
def test_bad_filters_exit_2_with_one_line(cli, known, args: list[str], message: str) -> None:
    for command in (["records", "list"], ["records", "stats"], ["records", "export"],
                    ["followups"]):
        result = cli(*command, "--records", known.folder, *args)
        assert result.code == 2, command
        assert result.err.startswith(f"deescalate: {message}"), result.err
        assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_show_by_id_and_by_prefix(cli, known) -> None:
    full = cli("records", "show", known.id("r3"), "--records", known.folder)
    assert full.code == 0, full.err
    out = full.out
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[:8] == [
        f"Record {known.id('r3')}",
        "Started 2026-11-10 11:00:00 UTC · 2:00 long",
        "Agent asmith",
        "Playbook difficult-customer v1",
        "Customer Dana R. · T-1000",
        "Outcome escalated",
        "Mood │" + "▄" * 5 + "▆" * 19 + "│ 3 (upset) at 0:00 → 4 (angry) at 0:24 · heated up",
        f"File records/2026/11/{known.id('r3')}.md",
    ]
    assert full.err.startswith("Records in records (from --records)\n")
    assert errors(full) == ""
    assert "Difficult customer: Dana R. · T-1000" in out  # the record's own title
    assert "Wrap-up" in out and "Passed to a supervisor." in out
    prefix = cli("records", "show", "20261110-11", "--records", known.folder)
    assert prefix.code == 0 and prefix.out == out


def test_show_ambiguous_unknown_and_unreadable(cli, known) -> None:
    ambiguous = cli("records", "show", "202611", "--records", known.folder)
    assert ambiguous.code == 2
    assert errors(ambiguous).startswith("deescalate: 7 records match '202611': "
                                    "20261102-090000-jdoe-upset-customer-")
    assert "20261103-090000-jdoe-upset-customer-dead" in ambiguous.err
    assert ambiguous.err.endswith(" and 2 more; give more of the id\n")
    unknown = cli("records", "show", known.id("r1")[:-1] + "x", "--records", known.folder)
    assert unknown.code == 2
    assert f"did you mean {known.id('r1')!r}?" in unknown.err
    broken = cli("records", "show", "20261103-090000", "--records", known.folder)
    assert broken.code == 0
    assert "the front matter does not parse" in broken.err
    assert broken.out.startswith("---\nrecord: 1\nid: 20261103-090000-jdoe-upset-customer-dead")


def stats_json(cli, known, *args: str) -> dict:
    result = cli("records", "stats", "--records", known.folder, "--json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_stats_over_everything(cli, known) -> None:
    data = stats_json(cli, known)
    assert data["records"] == 8 and data["unreadable"] == 3 and data["filters"] == {}
    assert data["first_day"] == "2026-09-15" and data["last_day"] == "2026-11-18"
    assert data["calls"] == 8
    assert data["resolved"] == 1 and data["share_resolved"] == 0.125
    assert data["escalated"] == 1 and data["escalation_rate"] == 0.125
    # lengths 30 60 120 240 300 450 600 900
    assert data["median_seconds"] == 270 and data["p90_seconds"] == 900
    # moods: r1 4→2, r2 5→3, r3 3→4, r5 2 (once)
    assert data["mood_rated"] == 4
    assert data["mood_start"] == 3.5 and data["mood_end"] == 2.75
    assert (data["cooled"], data["steady"], data["heated"]) == (2, 1, 1)
    assert data["share_cooled"] == 0.5
    # r2 due 11-10 (overdue), r4 due today, r5 due 11-25; r7 done
    assert data["follow_ups_open"] == 3 and data["follow_ups_overdue"] == 1
    assert data["outcomes"] == {"resolved": 1, "follow-up": 4, "escalated": 1,
                                "unresolved": 1, "dropped": 1}
    assert data["skipped_steps"] == [
        {"playbook": "upset-customer", "step": "stay-calm", "skipped": 2, "calls": 5,
         "share": 0.4},
        {"playbook": "upset-customer", "step": "listen", "skipped": 1, "calls": 5,
         "share": 0.2},
    ]
    assert "groups" not in data


def test_stats_with_filters_and_groups(cli, known) -> None:
    data = stats_json(cli, known, "--agent", "jdoe", "--by", "playbook")
    assert data["records"] == 3 and data["filters"] == {"agent": "jdoe"}
    assert data["by"] == "playbook"
    assert [(g["key"], g["calls"]) for g in data["groups"]] == [
        ("upset-customer", 2), ("customer-is-wrong", 1)]
    upset = data["groups"][0]
    assert upset["median_seconds"] == 450 and upset["p90_seconds"] == 600
    assert upset["follow_ups_overdue"] == 1
    months = stats_json(cli, known, "--by", "month")["groups"]
    assert [(g["key"], g["calls"]) for g in months] == [("2026-09", 1), ("2026-10", 2),
                                                        ("2026-11", 5)]
    causes = stats_json(cli, known, "--by", "root-cause")["groups"]
    assert [(g["key"], g["calls"]) for g in causes] == [
        (None, 5), ("billing-error", 1), ("misunderstanding", 1), ("policy", 1)]
    outcomes = stats_json(cli, known, "--by", "outcome")["groups"]
    assert [g["key"] for g in outcomes] == ["resolved", "follow-up", "escalated",
                                            "unresolved", "dropped"]
    agents = stats_json(cli, known, "--by", "agent", "--since", "2026-11-01")["groups"]
    assert [(g["key"], g["calls"], g["follow_ups_open"]) for g in agents] == [
        ("asmith", 2, 1), ("jdoe", 2, 1), ("mgarcia", 1, 1)]
    empty = stats_json(cli, known, "--customer", "nobody")
    assert empty["calls"] == 0 and empty["median_seconds"] is None
    assert empty["share_resolved"] is None and empty["skipped_steps"] == []


STATS_BY_AGENT = """\
8 records · calls from 2026-09-15 to 2026-11-18 (UTC) · 3 unreadable, not counted

Calls        8
Resolved      12.5%  ██▌ 1
Escalated     12.5%  ██▌ 1
Call length  median 4:30 · 90% take at most 15:00
Mood         3.5 at the start → 2.8 at the end · of 4 rated calls, 50.0% cooled down, \
1 held steady, 1 heated up
Follow-ups   3 open · 1 overdue

Outcomes
OUTCOME     CALLS                        SHARE
resolved        1  █████                 12.5%
follow-up       4  ████████████████████  50.0%
escalated       1  █████                 12.5%
unresolved      1  █████                 12.5%
dropped         1  █████                 12.5%

By agent
AGENT    CALLS              RESOLVED  ESCALATED  MEDIAN    P90     MOOD  COOLED  OPEN  OVERDUE
asmith       3  ██████████        0%        33%    2:00  15:00  3.0→4.0      0%     1        0
jdoe         3  ██████████       33%         0%    5:00  10:00  4.5→2.5    100%     1        1
mgarcia      2  ██████▋           0%         0%    4:15   7:30  2.0→2.0      0%     1        0
"""


def test_stats_table(cli, known) -> None:
    result = cli("records", "stats", "--records", known.folder, "--by", "agent")
    assert result.code == 0
    assert result.out == STATS_BY_AGENT
    nothing = cli("records", "stats", "--records", known.folder, "--agent", "nobody")
    assert nothing.out == "0 records · 3 unreadable, not counted\n"
    bad = cli("records", "stats", "--records", known.folder, "--by", "weekday")
    assert bad.code == 2 and "weekday" in bad.err


def test_stats_in_colour_on_a_terminal(known, monkeypatch) -> None:
    from deescalate.records import report, stats, store

    monkeypatch.delenv("NO_COLOR")
    numbers, _ = store.ask(known.folder, lambda index, _: stats.compute_sql(
        index.db, today=known_today()))
    text = report.render(numbers, colour=True)
    assert "\033[1m8 records" in text and "\033[32m50.0% cooled down\033[0m" in text
    assert "\033[31m1 overdue\033[0m" in text
    assert not report.colour_wanted(open(os.devnull, "w"))  # noqa: SIM115


def known_today():
    from tests.recordkit import TODAY

    return TODAY


def test_export_csv_and_jsonl(cli, known, isolated) -> None:
    result = cli("records", "export", "--records", known.folder, "--format", "csv")
    assert result.code == 0
    rows = list(csv.DictReader(io.StringIO(result.out, newline="")))
    assert [row["id"] for row in rows] == [known.id(n) for n in reversed(ALL)]  # oldest first
    r2 = next(row for row in rows if row["id"] == known.id("r2"))
    assert r2["escalated"] == "false" and r2["root_cause"] == "" and r2["mood_start"] == "5"
    assert r2["skipped_steps"] == "stay-calm" and r2["duration_seconds"] == "600"
    assert result.out.startswith("id,started,ended,duration_seconds,agent,playbook,")
    assert "\r\n" in result.out
    lines = cli("records", "export", "--records", known.folder, "--format", "jsonl",
                "--outcome", "follow-up").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [
        known.id("r7"), known.id("r2"), known.id("r4"), known.id("r5")]
    chloe = cli("records", "export", "--records", known.folder, "-f", "jsonl",
                "--customer", "chloé dubois").out
    assert json.loads(chloe)["customer"] == "Chloé Dubois" and "Chloé" in chloe
    written = cli("records", "export", "--records", known.folder, "--format", "csv",
                  "--output", "out.csv", "--agent", "jdoe")
    assert written.code == 0 and written.out == ""
    assert written.err.endswith("Wrote 3 records to out.csv\n")
    assert len((isolated / "out.csv").read_text().splitlines()) == 4
    nowhere = cli("records", "export", "--records", known.folder, "--output",
                  isolated / "no" / "dir" / "x.csv")
    assert nowhere.code == 2 and "can't write it" in nowhere.err


def test_records_folder_from_the_team_file(cli, known, isolated) -> None:
    assert cli("init", ".").code == 0
    # the team file's records: records is the folder the known records are in
    data = json.loads(cli("records", "list", "--json").out)
    assert len(data) == 8
    (isolated / "sub").mkdir()
    import os

    os.chdir(isolated / "sub")
    assert len(json.loads(cli("records", "list", "--json").out)) == 8


def test_generated_folder_counts_add_up(cli, isolated, today) -> None:
    folder = isolated / "generated"
    paths = generator().generate(folder, 300, seed=7, workers=1)
    assert len(paths) == 300
    rows = json.loads(cli("records", "list", "--records", folder, "--json").out)
    assert len(rows) == 300
    data = stats_json_at(cli, folder)
    assert data["calls"] == 300 and data["unreadable"] == 0
    assert sum(data["outcomes"].values()) == 300
    assert data["resolved"] == sum(row["outcome"] == "resolved" for row in rows)
    assert data["follow_ups_open"] == sum(
        row["follow_up"] is not None and row["follow_up_done"] is None for row in rows)
    by_playbook = stats_json_at(cli, folder, "--by", "playbook")["groups"]
    assert sorted(g["calls"] for g in by_playbook) == [100, 100, 100]
    export = cli("records", "export", "--records", folder, "-f", "jsonl").out.splitlines()
    assert len(export) == 300
    check = cli("records", "check", "--records", folder)
    assert check.code == 0, check.out
    assert check.err == "Records in generated (from --records)\n300 records checked: no problems\n"


def stats_json_at(cli, folder, *args: str) -> dict:
    result = cli("records", "stats", "--records", folder, "--json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_records_commands_never_import_questionary() -> None:
    from tests.test_cli_help import modules_after

    for args in (["records", "list"], ["records", "stats"], ["followups"]):
        loaded = modules_after(*args)
        assert "questionary" not in loaded and "prompt_toolkit" not in loaded, args


RECORDS_COMMANDS = [["records", "list"], ["records", "stats"], ["records", "export"],
                    ["records", "check"], ["followups"]]


def test_every_records_command_names_a_folder_that_is_not_the_teams(cli, known,
                                                                     isolated, monkeypatch) -> None:
    own = isolated.parent / "home" / ".local" / "share" / "deescalate" / "records"
    own.parent.mkdir(parents=True)
    known.folder.rename(own)
    for command in RECORDS_COMMANDS:
        first = cli(*command).err.splitlines()[0]
        assert first == (f"Records in {own} (your own: no team folder (.deescalate.yaml) "
                         "here or above)"), command
    monkeypatch.setenv("DEESCALATE_RECORDS", str(own))
    assert cli("records", "stats").err.splitlines()[0] == (
        f"Records in {own} (from DEESCALATE_RECORDS)")
    monkeypatch.delenv("DEESCALATE_RECORDS")
    own.rename(known.folder)
    assert cli("init", ".").code == 0  # a team folder whose records: are these
    for command in RECORDS_COMMANDS:
        assert "Records in" not in cli(*command).err, command
        assert "Records in" not in cli(*command, "--records", "records").err, command
    (isolated / "other").mkdir()
    assert cli("records", "list", "--records", "other").err.splitlines()[0] == (
        "Records in other (from --records)")


def test_a_missing_folder_from_the_environment_is_exit_2(cli, isolated, monkeypatch) -> None:
    monkeypatch.setenv("DEESCALATE_RECORDS", str(isolated / "typo"))
    result = cli("records", "stats")
    assert result.code == 2
    assert result.err == ("deescalate: typo: no records folder there (DEESCALATE_RECORDS "
                          "environment variable)\n")
    monkeypatch.delenv("DEESCALATE_RECORDS")
    personal = cli("records", "stats")  # the personal folder, not made until the first call
    assert personal.code == 0 and "No records yet:" in personal.err


def test_stats_in_colour_sends_its_own_codes_and_shows_the_records(cli, isolated, today,
                                                                  monkeypatch) -> None:
    import sys

    from tests.recordkit import at, write_call

    folder = isolated / "records"
    path = write_call(folder, started=at("2026-11-02"), agent="jdoe")
    path.write_text(path.read_text().replace("agent: jdoe", 'agent: "j\\e[31mdoe\\e]0;t\\a"'))
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    out = cli("records", "stats", "--by", "agent", "--records", folder).out
    assert "\x1b[1mCalls" in out  # the report's own colour reaches the terminal
    assert "j␛[31mdoe␛]0;t␇" in out  # the record's codes are marks
    assert "\x1b[31m" not in out and "\x1b]0" not in out
