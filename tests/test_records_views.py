"""How records look in a terminal, piece by piece."""

from __future__ import annotations

import json

from deescalate.records import store


def test_history_lines_show_open_follow_ups(known, today) -> None:
    from deescalate.records.store import history_lines

    found = store.history(known.folder, ref="T-1001")
    assert history_lines(found, today) == [
        "2026-11-05  upset-customer  follow-up  follow-up due 2026-11-10 (overdue)  "
        "Call back about the refund.",
        "2026-10-01  customer-is-wrong  follow-up  Promised a call back.",
    ]


# -- at 80 columns: every id whole, no cell wrapped, nothing padded -----------------------

LONG_AGENT = "bartholomew-fitzgerald-worthington-smythe"[:40]
LONG_PLAYBOOK = "customer-disputes-a-charge-after-a-refund"[:40]


def narrow_folder(folder) -> dict[str, str]:
    """Records with long names and every kind of follow-up; one with an id longer than
    80 columns (a team's own playbook and a long agent name). Returns id -> summary."""
    from datetime import date

    from tests.recordkit import at, write_call

    paths = [
        write_call(folder, started=at("2026-11-02"), agent=LONG_AGENT,
                   playbook_id="difficult-customer", customer="Maximiliana Alexandrovna "
                   "Ivanova-Kowalczyk", ref="TICKET-2026-11-000123456",
                   outcome="follow-up", follow_up=date(2026, 11, 10),
                   summary="Explained the delivery policy at length; the customer accepted "
                           "the tracking evidence and asked for a call back next week."),
        write_call(folder, started=at("2026-11-03"), customer="李小龍", outcome="follow-up",
                   follow_up=date(2026, 11, 25), summary="折り返し電話を約束した。" * 4),
        write_call(folder, started=at("2026-11-04"), summary="Short."),
        write_call(folder, started=at("2026-11-05"), outcome="follow-up",
                   follow_up=date(2026, 11, 6), done=date(2026, 11, 6),
                   summary="Done and dusted."),
    ]
    long_id = f"20261101-090000-{LONG_AGENT}-{LONG_PLAYBOOK}-abcd"
    text = paths[0].read_text().replace(paths[0].stem, long_id).replace(
        "playbook: difficult-customer", f"playbook: {LONG_PLAYBOOK}")
    (folder / "2026" / "11" / f"{long_id}.md").write_text(text)
    summaries = {}
    for path in folder.rglob("*.md"):
        from deescalate.records.reader import read

        record = read(path.read_bytes(), path.name)
        summaries[record.id] = record.summary or ""
    assert len(long_id) > 100 and len(summaries) == 5
    return summaries


def assert_fits(out: str, ids: list[str], most: int = 80) -> None:
    """Every id whole on one line; no line wider than `most` unless it is an id alone;
    no line ends in a space."""
    from deescalate.text import cells as width

    lines = out.splitlines()
    for line in lines:
        assert not line.endswith(" "), repr(line)
        if width(line) > most:  # only to end in an id too long for the line: whole
            assert any(line.endswith(i) and width(i) > most - 30 for i in ids), line
    for identifier in ids:
        assert sum(identifier in line for line in lines) == 1, identifier


def assert_not_wrapped(out: str, texts: list[str]) -> None:
    """Each text is on one line: whole, or its start cut with an ellipsis there."""
    lines = out.splitlines()
    for text in texts:
        assert any(text in line or (line.endswith("…") and text.startswith(
            line.rsplit("  ", 1)[-1].rsplit(" · ", 1)[-1][:-1])) for line in lines), text


def test_records_list_at_80_columns(cli, isolated, today, monkeypatch) -> None:
    summaries = narrow_folder(isolated / "records")
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("records", "list", "--records", "records")
    assert result.code == 0, result.err
    assert_fits(result.out, list(summaries))
    assert_not_wrapped(result.out, [s for s in summaries.values() if s])
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "OUTCOME", "LENGTH", "FOLLOW-UP"]
    assert lines[1] == "  CUSTOMER · REF · SUMMARY"
    # an id longer than 3/5 of the line ends its row's first line; the rest is labelled
    long_id = max(summaries, key=len)
    after = lines[lines.index(long_id) + 1:lines.index(long_id) + 4]
    assert after == [
        "  outcome follow-up · length 5:00 · follow-up 2026-11-10 overdue",
        "  customer Maximiliana Alexandrovna Ivanova-Kowalczyk · ref TICKET-2026-11-0001…",
        "  Explained the delivery policy at length; the customer accepted the tracking e…"]
    wide = cli("records", "list", "--records", "records", "--json")
    assert {row["id"] for row in json.loads(wide.out)} == set(summaries)


def test_records_list_uses_one_line_a_record_when_it_fits(cli, isolated, today,
                                                          monkeypatch) -> None:
    summaries = narrow_folder(isolated / "records")
    monkeypatch.setenv("COLUMNS", "200")
    out = cli("records", "list", "--records", "records").out
    assert_fits(out, list(summaries), most=200)
    assert len(out.splitlines()) == 1 + len(summaries)
    assert out.splitlines()[0].split() == ["ID", "OUTCOME", "LENGTH", "FOLLOW-UP",
                                           "CUSTOMER", "REF", "SUMMARY"]


def test_followups_at_80_columns(cli, isolated, today, monkeypatch) -> None:
    summaries = narrow_folder(isolated / "records")
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("followups", "--all", "--records", "records")
    assert result.code == 0, result.err
    shown = [i for i in summaries if i in result.out]
    assert len(shown) == 4  # those with a follow-up
    assert_fits(result.out, shown)
    assert_not_wrapped(result.out, [summaries[i] for i in shown])
    for identifier in shown:  # what `followups done` needs, whole
        assert cli("followups", "done", identifier, "--records", "records").code in (0, 2)


def test_stats_by_playbook_at_80_columns(cli, isolated, today, monkeypatch) -> None:
    narrow_folder(isolated / "records")
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("records", "stats", "--by", "playbook", "--records", "records").out
    assert_fits(out, [LONG_PLAYBOOK])
    by = out.split("By playbook\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert by[0].split()[:5] == ["PLAYBOOK", "CALLS", "RESOLVED", "ESCALATED", "MEDIAN"]
    assert by[1].startswith("  ") and by[1].endswith(" · OPEN · OVERDUE")
    assert sorted(line.split()[0] for line in by[2::2]) == [
        LONG_PLAYBOOK, "difficult-customer", "upset-customer"]
    assert all(line.startswith("  ") and line.endswith(("overdue 0", "overdue 1"))
               for line in by[3::2])
    shorter = cli("records", "stats", "--by", "agent", "--records", "records").out
    assert_fits(shorter, [LONG_AGENT])


def test_playbooks_list_at_80_columns(cli, isolated, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("playbooks", "list")
    assert result.code == 0
    assert_fits(result.out, ["customer-is-wrong", "difficult-customer", "upset-customer"])
    assert len(result.out.splitlines()) == 4  # a header and a line each: nothing wrapped


def test_paths_are_never_split(cli, isolated, today, monkeypatch) -> None:
    deep = isolated / ("a-folder-with-a-rather-long-name-" * 3) / "records"
    summaries = narrow_folder(deep)
    monkeypatch.setenv("COLUMNS", "40")
    identifier = next(i for i in summaries if i.startswith("20261103"))
    result = cli("records", "show", identifier, "--records", deep)
    path = f"{deep.relative_to(isolated)}/2026/11/{identifier}.md"
    assert [line.split() for line in result.out.splitlines() if line.startswith("File ")] \
        == [["File", path]]
    assert result.err.startswith(f"Records in {deep.relative_to(isolated)} (from --records)\n")
    assert not any(line.endswith(" ") for line in result.out.splitlines())
    assert "# Upset customer: 李小龍\n" in result.out  # piped: the record's own Markdown


def test_show_pages_a_long_record_on_a_terminal(cli, isolated, today, monkeypatch,
                                                capsys) -> None:
    import sys

    summaries = narrow_folder(isolated / "records")
    identifier = next(i for i in summaries if i.startswith("20261103"))
    paged = isolated / "paged.txt"
    monkeypatch.setenv("PAGER", f"cat > {paged}")
    monkeypatch.setenv("LINES", "20")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    result = cli("records", "show", identifier, "--records", "records")
    assert result.code == 0, result.err
    assert result.out == ""
    text = paged.read_text()
    assert identifier in text and "Timeline" in text and len(text.splitlines()) > 20
    paged.unlink()
    monkeypatch.setenv("LINES", "500")  # it fits the screen: no pager, as git does
    short = cli("records", "show", identifier, "--records", "records")
    assert identifier in short.out and not paged.exists()
