"""Records folders as other people leave them: any front matter, any bytes, any file type.

Whatever is in a records folder, every records command gives its answer for the
records it can read, one warning naming what it can't, the exit code it should, and
never a traceback, a hang or an unbounded read. The readers are fuzzed on their own
(many cases, quickly), then whole folders through every command.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from deescalate.errors import DeescalateError
from deescalate.records import fastreader, reader, store
from deescalate.records.summary import Summary, Unreadable
from deescalate.text import shown as visible
from tests.test_safeyaml import values as yaml_values

# -- front matter ------------------------------------------------------------------------

GOOD = {  # a valid front matter, field by field, as YAML text
    "record": "1", "id": "20261122-143012-jdoe-upset-customer-7f3a",
    "playbook": "upset-customer", "playbook_version": "3", "playbook_sha256": "9c1f",
    "agent": "jdoe", "customer": "Dana R.", "reference": "T-1234",
    "started": "2026-11-22T14:30:12Z", "ended": "2026-11-22T14:36:40Z",
    "duration_seconds": "388", "outcome": "follow-up", "escalated": "false",
    "root_cause": "billing-error", "summary": "Refund issued.", "follow_up": "2026-11-25",
    "follow_up_done": "null",
    "mood": "\n- {step: stay-calm, at: 12, value: 4}\n- {step: offer, at: 301, value: 2}",
    "steps": "\n- id: stay-calm\n  at: 0\n  seconds: 40\n  skipped: false\n  unticked: []\n"
             "  notes: []",
    "captures": "{order: AB123456}", "redactions": "1", "tags": "[vip]",
}
ODD = [  # values people, scripts and merges leave in records
    "9" * 4301, "9" * 400, str(10 ** 20), "-1", "1.5", "0x" + "f" * 5000, "1e400", ".nan",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "'2026-11-22T14:30:12Z'",
    "2026-02-30T00:00:00Z", "2026-11-22 14:30:12.123456789 +05:30", "2026-11-22",
    "'2026-11-25'", "!!timestamp soon", "!!bool maybe", "!!int ''", "!!float ''",
    "!!binary aGk=", "!!str 5", "!!map x", "!!python/name:os.system x", "!foo x", "~", "''",
    "[]", "{}", "[[[[1]]]]", "&a [1, *a]", "*nowhere", "|\n  block\n  text", ">-\n  folded",
    "'unterminated", "\"\\x1b[31mred\"", "[bold]markup[/]", "yes", "NO", "-", "? x",
]
LIBERAL = {  # other spellings of good values, which must read as the same
    "started": ["'2026-11-22T14:30:12Z'", "2026-11-22 15:30:12 +01:00",
                "\"2026-11-22T09:30:12-05:00\"", "2026-11-22t14:30:12.5Z"],
    "ended": ["'2026-11-22T14:36:40Z'", "2026-11-22T14:36:40"],
    "follow_up": ["'2026-11-25'", "2026-11-25T10:00:00Z", "~", "null"],
    "escalated": ["no", "No", "off", "FALSE"], "customer": ["~", "''", "'1234'"],
    "mood": ["[]", "~"], "steps": ["[]"], "captures": ["{}", "~"], "tags": ["~", "[]"],
}
FIELDS = list(GOOD)


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    """A front matter: the good one with fields changed, dropped, repeated or moved."""
    fields = dict(GOOD)
    for key in draw(st.lists(st.sampled_from(list(LIBERAL)), max_size=3, unique=True)):
        fields[key] = draw(st.sampled_from(LIBERAL[key]))
    changes = draw(st.sampled_from([0, 0, 1, 1, 2]))  # some stay readable
    for key in draw(st.lists(st.sampled_from(FIELDS), min_size=changes, max_size=changes,
                             unique=True)):
        fields[key] = draw(st.one_of(st.sampled_from(ODD), yaml_values))
    if draw(st.integers(0, 4)) == 0:
        del fields[draw(st.sampled_from(FIELDS))]
    order = list(fields)
    if draw(st.booleans()):
        order = draw(st.permutations(order))
    lines = [f"{key}:{'' if fields[key].startswith(chr(10)) else ' '}{fields[key]}"
             for key in order]
    if draw(st.integers(0, 9)) == 0 and lines:
        lines.append(lines[0])  # a key twice, as a careless merge leaves it
    return "\n".join(lines) + "\n"


def record_bytes(head: str, body: str = "\n# A call\n") -> bytes:
    return f"---\n{head}---\n{body}".encode("utf-8", "surrogatepass")


def read_or_refuse(data: bytes) -> Summary | str:
    """What the commands make of a file: a Summary, or the one problem, never more."""
    try:
        result: Summary | str = reader.read(data, "x.md")
    except Unreadable as exc:
        result = str(exc)
        assert result and "\n" not in result and len(result) < 400, result
    return result


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matters())
def test_any_front_matter_is_a_summary_or_one_problem(head: str) -> None:
    result = read_or_refuse(record_bytes(head))
    event("read" if isinstance(result, Summary) else "refused")
    if isinstance(result, Summary):  # what a reader takes, the cache and JSON can hold
        json.dumps(list(result))
        assert 0 <= result.duration < 10 ** 9
    quick = fastreader.summary(head, "x.md")
    if quick is not None:
        assert quick == result


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_are_a_summary_or_one_problem(data: bytes) -> None:
    read_or_refuse(data)
    read_or_refuse(b"---\n" + data + b"\n---\n")


# -- whole folders, through every command ----------------------------------------------

SPECIAL = ["fifo", "dev-zero", "dev-tty", "dev-stdin", "etc-passwd", "broken-link",
           "folder-link", "socket", "folder-named-md", "huge", "not-utf8"]
NAMES = ["notes.md", "Call Notes.md", "\x1b[31mred\x1b[0m.md", "[bold]x[/].md", "é.md",
         "2026/11/x.md", "deep/er/still/20261101-000000-a-b-0001.md"]


@st.composite
def folders(draw: st.DrawFn) -> list[tuple[str, str, bytes]]:
    """Entries of a records folder: (kind, relative path, content)."""
    entries = []
    for n in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["record", "record", "record", "bytes", "special"]))
        identifier = f"20261122-1430{n:02d}-jdoe-upset-customer-{n:04x}"
        name = draw(st.one_of(st.just(f"2026/11/{identifier}.md"), st.sampled_from(NAMES)))
        if kind == "record":
            head = draw(front_matters()).replace(GOOD["id"], identifier)
            entries.append(("record", name, record_bytes(head)))
        elif kind == "bytes":
            entries.append(("bytes", name, draw(st.binary(max_size=300))))
        else:
            entries.append((draw(st.sampled_from(SPECIAL)), name, b""))
    return entries


def make(folder: Path, entries: list[tuple[str, str, bytes]]) -> None:
    for kind, name, data in entries:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            continue  # two entries drew one name: the first stays
        if kind in ("record", "bytes"):
            path.write_bytes(data)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind.startswith(("dev-", "etc-")):
            path.symlink_to("/" + kind.replace("-", "/", 1))
        elif kind == "broken-link":
            path.symlink_to(folder / "nowhere")
        elif kind == "folder-link":
            path.symlink_to(folder)
        elif kind == "socket":
            with socket.socket(socket.AF_UNIX) as server, contextlib.chdir(path.parent):
                server.bind(path.name)
        elif kind == "folder-named-md":
            path.mkdir()
        elif kind == "huge":
            with open(path, "wb") as handle:
                handle.truncate(50_000_000)  # sparse: claims 50 MB
        elif kind == "not-utf8":
            path.write_bytes(b"---\nrecord: 1\ncustomer: caf\xe9\n---\n")


@contextlib.contextmanager
def no_hang(seconds: int = 30) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"a command took more than {seconds} s: it hangs")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


ALLOWED_ERR = re.compile(
    r"Records in .*|Keeping a cache of what the records say in .*|"
    r"warning: (1 file or folder|[\d,]+ files or folders) in the records folder can't be "
    r"read as records and (is|are) left out \(deescalate records check lists every "
    r"problem\):|  .+: .+|  \.\.\. and [\d,]+ more|No records yet: .*|"
    r"[\d,]+ of [\d,]+ records shown; --limit 0 shows all\.")


def quiet_but_warnings(err: str) -> None:
    """stderr holds only the folder's name, the cache note and the one warning."""
    assert "Traceback" not in err and "a bug in deescalate" not in err, err
    for line in err.splitlines():
        assert ALLOWED_ERR.fullmatch(line), repr(line)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(folders())
def test_every_command_on_any_folder_warns_and_answers(cli, today, entries) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-records-"))
    try:
        make(folder, entries)
        with no_hang():
            run_every_command(cli, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_every_command(cli, folder: Path) -> None:
    scan = store.scan(folder, cache=False)
    good, bad = len(scan.records), len(scan.unreadable)
    event(f"{good} readable, {bad} not")
    for args in (["records", "list"], ["records", "stats", "--by", "playbook"],
                 ["records", "export", "-f", "csv"], ["followups", "--all"]):
        result = cli(*args, "--records", folder)
        assert result.code == 0, (args, result.err)
        quiet_but_warnings(result.err)
        if bad:
            assert f" {bad:,} files or folders " in result.err or (
                bad == 1 and " 1 file or folder " in result.err), result.err
    listed = cli("records", "list", "--json", "--records", folder)
    assert len(json.loads(listed.out)) == good
    stats = json.loads(cli("records", "stats", "--json", "--records", folder).out)
    assert (stats["calls"], stats["unreadable"]) == (good, bad)
    exported = cli("records", "export", "-f", "jsonl", "--records", folder).out
    assert len(exported.splitlines()) == good
    check = cli("records", "check", "--records", folder)
    assert "Traceback" not in check.err
    assert check.code == (1 if check.out else 0), check.err
    if bad:
        assert check.code == 1
        for path, _ in scan.unreadable:
            assert visible(store.display(folder / path)) in check.out, path
    for record in scan.records:
        shown = cli("records", "show", f"{folder}/{record.path}", "--records", folder)
        assert shown.code == 0 and record.id in shown.out, shown.err
    for path, _ in scan.unreadable:
        shown = cli("records", "show", str(folder / path), "--records", folder)
        assert shown.code in (0, 2), shown.err
        assert "Traceback" not in shown.err
        if shown.code == 2:
            assert shown.err.splitlines()[-1].startswith("deescalate: ")
    for record in scan.records:
        if record.follow_up is not None and record.follow_up_done is None:
            done = cli("followups", "done", f"{folder}/{record.path}", "--records", folder)
            assert done.code in (0, 2) and "Traceback" not in done.err, done.err
    store.history(folder, ref="T-1234", customer="Dana R.")


# -- the cases the issue names, one by one ------------------------------------------------

HOSTILE = {
    "started at year 1 with an offset": ("started", "0001-01-01T00:00:00+01:00"),
    "ended at year 9999 with an offset": ("ended", "9999-12-31T23:59:59-01:00"),
    "a 4,301-digit duration": ("duration_seconds", "9" * 4301),
    "an enormous duration": ("duration_seconds", "9" * 300),
    "!!timestamp soon": ("started", "!!timestamp soon"),
    "!!bool maybe": ("escalated", "!!bool maybe"),
    "!!int ''": ("redactions", "!!int ''"),
}


def test_a_hostile_folder_names_each_case_and_stops_nothing(cli, isolated: Path,
                                                             today) -> None:
    from tests.recordkit import at, write_call

    folder = isolated / "records"
    month = folder / "2026" / "11"
    good = write_call(folder, started=at("2026-11-02"), outcome="follow-up",
                      follow_up=__import__("datetime").date(2026, 11, 5))
    text = good.read_text()
    expected: dict[str, str] = {}
    for n, (case, (key, value)) in enumerate(HOSTILE.items()):
        identifier = f"20261103-0900{n:02d}-jdoe-upset-customer-{n:04x}"
        body = re.sub(rf"^{key}: .*$", f"{key}: {value}", text.replace(good.stem, identifier),
                      count=1, flags=re.M)
        (month / f"{identifier}.md").write_text(body)
        expected[f"records/2026/11/{identifier}.md"] = case
    for n in (1, 2):  # two records with enormous durations: no overflow in the median
        identifier = f"20261104-0900{n:02d}-jdoe-upset-customer-{n:04x}"
        (month / f"{identifier}.md").write_text(
            re.sub(r"^duration_seconds: .*$", f"duration_seconds: {10 ** 18 + n}",
                   text.replace(good.stem, identifier), count=1, flags=re.M))
        expected[f"records/2026/11/{identifier}.md"] = "enormous"
    quoted = re.sub(r"^(started|ended|follow_up): (.*)$", r"\1: '\2'", text, flags=re.M)
    quoted_id = "20261105-090000-jdoe-upset-customer-0000"
    (month / f"{quoted_id}.md").write_text(quoted.replace(good.stem, quoted_id))
    specials = {
        "20261106-090000-a-fifo-0001.md": lambda p: os.mkfifo(p),
        "20261106-090000-a-tty-0002.md": lambda p: p.symlink_to("/dev/tty"),
        "20261106-090000-a-stdin-0003.md": lambda p: p.symlink_to("/dev/stdin"),
        "20261106-090000-a-zero-0004.md": lambda p: p.symlink_to("/dev/zero"),
        "20261106-090000-a-passwd-0005.md": lambda p: p.symlink_to("/etc/passwd"),
    }
    for name, make_it in specials.items():
        make_it(month / name)
        expected[f"records/2026/11/{name}"] = name
    twin = folder / "2026" / "10" / good.name
    twin.parent.mkdir(parents=True)
    twin.write_bytes(good.read_bytes())

    with no_hang():
        check = cli("records", "check", "--records", "records")
        assert check.code == 1
        named = {line.split(": ")[0] for line in check.out.splitlines()}
        assert set(expected) <= named, set(expected) - named
        assert f"records/2026/11/{quoted_id}.md" not in named  # quoted times: the same
        for args in (["records", "list", "--json"], ["records", "stats", "--json"],
                     ["records", "export", "-f", "jsonl"], ["followups", "--json", "--all"]):
            result = cli(*args, "--records", "records")
            assert result.code == 0, (args, result.err)
            quiet_but_warnings(result.err)
        stats = json.loads(cli("records", "stats", "--json", "--records", "records").out)
        assert (stats["calls"], stats["unreadable"]) == (3, len(expected))
        follow = json.loads(cli("followups", "--json", "--records", "records").out)
        assert quoted_id in {item["id"] for item in follow}  # the quoted follow-up counts
        for name in specials:
            shown = cli("records", "show", name.removesuffix(".md"), "--records", "records")
            assert shown.code == 2 and shown.err.endswith("not a record file\n"), shown.err
            assert "root:" not in shown.out  # /etc/passwd is never printed
        both = cli("records", "show", good.stem, "--records", "records")
        assert both.code == 2 and "give the path of the one you mean" in both.err
        one = cli("records", "show", f"records/2026/10/{good.name}", "--records", "records")
        assert one.code == 0 and good.stem in one.out
        done = cli("followups", "done", f"records/2026/10/{good.name}", "--records",
                   "records")
        assert done.code == 0, done.err
        assert store.history(folder, ref="nothing") == []


def test_a_file_claiming_gigabytes_is_read_no_further_than_the_cap(isolated: Path) -> None:
    import tracemalloc

    folder = isolated / "records"
    (folder / "2026" / "11").mkdir(parents=True)
    path = folder / "2026" / "11" / "20261101-000000-a-huge-0001.md"
    with open(path, "wb") as handle:
        handle.truncate(3_000_000_000)  # sparse: 3 GB of zero bytes, claimed
    tracemalloc.start()
    with no_hang(10):
        result = store.scan(folder, cache=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.unreadable == [(path.relative_to(folder).as_posix(),
                                  "the file is larger than 1,000,000 bytes, the most a "
                                  "record may be")]
    assert peak < 20_000_000


@pytest.mark.parametrize("command", [["records", "list"], ["records", "stats"],
                                     ["records", "export"], ["records", "check"],
                                     ["followups"]])
def test_a_folder_that_cant_be_read_is_a_warning_and_check_fails(cli, known, locked,
                                                                 command) -> None:
    result = cli(*command, "--records", known.folder)
    named = "records/2026/10: can't read this folder (Permission denied), so no record in " \
            "it is counted"
    if command == ["records", "check"]:
        assert result.code == 1 and named in result.out
    else:
        assert result.code == 0 and f"  {named}\n" in result.err


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(folders())
def test_every_commands_library_path_on_any_folder(entries) -> None:
    """The same folders, more of them, through what each command runs under its
    argument handling, held to the plain statement of what it should answer: the index
    asked as list, export, follow-ups and stats ask it, the tables and reports drawn,
    both exports, check, show (find, bounded read, view), followups done's record lock
    and check, and the earlier-calls lookup a call makes."""
    from datetime import date

    from deescalate.records import export, followups, report, stats, views
    from deescalate.records.filters import parse
    from tests import oracle

    folder = Path(tempfile.mkdtemp(prefix="fuzz-library-"))
    today = date(2026, 11, 20)
    chosen = parse(since="2026-01-01", customer="*")
    everything = parse()

    def ask_as_the_commands_do(index, _):
        return (index.summaries(order=""), store.newest(index, chosen),
                store.oldest_first(index, chosen, visits=True),
                followups.owed(index, everything, today=today, include_done=True),
                stats.answer(index.db, everything, by="playbook", today=today),
                stats.answer_by_step(index, everything))

    try:
        make(folder, entries)
        with no_hang():
            asked, scan = store.ask(folder, ask_as_the_commands_do, cache=False, workers=1)
            every, (listed, total), exported, owed, (calls, numbers), (_, steps) = asked
            scan.records = every
            assert listed == oracle.select(every, chosen) and total == len(listed)
            assert [r._replace(visits=()) for r in exported] == listed[::-1]
            assert owed == followups.agenda(every, today=today, include_done=True)
            assert calls == len(every)
            assert stats.to_dict(numbers) == stats.to_dict(
                oracle.compute(every, by="playbook", today=today))
            for width in (80, None):
                views.records_table(listed, today, width=width)
                views.followups_view(owed, width=width)
                report.render(numbers, unreadable=len(scan.unreadable), width=width)
                report.render_steps(steps, calls=calls, unreadable=0, width=width)
            for form, spec in export.FORMATS.items():
                if spec.write is not None:
                    export.to_text(exported, form)
            check_and_show(folder, scan, today)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_and_show(folder: Path, scan: store.Scan, today) -> None:
    """`records check`, `records show` of each file, `followups done` of each open
    follow-up and the earlier-calls lookup, over a folder `scan` found."""
    from deescalate.files import NotAFile, read_limited
    from deescalate.records import check, followups, views
    from deescalate.records.format import MAX_BYTES
    from deescalate.redaction import Redactor

    findings, checked = check.check(folder, Redactor(), workers=1, cache=False)
    assert checked >= len(scan.records)
    assert {f.path for f in findings} >= {path for path, _ in scan.unreadable}
    for path in [r.path for r in scan.records] + [p for p, _ in scan.unreadable]:
        try:
            found = store.find(scan, str(folder / path))
        except store.RecordNotFound:
            assert path.endswith("/") or not path.endswith(".md")  # a folder
            continue
        try:
            text = reader.decode(read_limited(folder / path, MAX_BYTES, follow_links=False))
        except (NotAFile, OSError, Unreadable):
            continue
        if isinstance(found, Summary):
            views.record_view(found, text, today, where=path, width=80, markdown=False)
    for record in scan.records:
        if record.follow_up is not None and record.follow_up_done is None:
            with contextlib.suppress(DeescalateError):  # the user's to fix
                followups.mark_done(folder / record.path, done=today, agent="a",
                                    note="x", redactor=Redactor(), wait=1)
    store.history(folder, ref="T-1234", customer="Dana R.")
