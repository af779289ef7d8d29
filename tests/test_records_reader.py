"""Reading records: the fast reader agrees with the safe one, or steps aside."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deescalate import safeyaml
from deescalate.records import fastreader, reader
from deescalate.records.format import FIELDS, ID
from deescalate.records.reader import summarize
from deescalate.records.summary import StepVisit, Summary, Unreadable
from tests.recordkit import at, generator, write_call


def outcome(data_or_text: dict | str, path: str = "x.md") -> Summary | str:
    """What the commands make of a front matter: a Summary, or the problem's message."""
    try:
        data = data_or_text if isinstance(data_or_text, dict) else safeyaml.load(
            data_or_text)
        if not isinstance(data, dict):
            return "not a mapping"
        return summarize(data, path)
    except Unreadable as exc:
        return f"unreadable: {exc}"
    except safeyaml.YamlError:
        return "yaml error"


def assert_agrees(head: str) -> bool:
    """If the fast reader takes `head`, it must come to what the safe reader does: the
    same summary. Says whether it took it."""
    quick = fastreader.summary(head, "x.md")
    if quick is not None:
        assert quick == outcome(head), head
    return quick is not None


def head_of(path: Path) -> str:
    return reader.split(reader.decode(path.read_bytes()))[0]


def test_the_fast_reader_takes_the_fields_in_the_formats_order_only(isolated: Path) -> None:
    path = generator().generate(isolated / "records", 1, seed=5, workers=1)[0]
    head = head_of(path)
    assert [line.split(":")[0] for line in head.splitlines() if line[:1].isalpha()] == [
        field.name for field in FIELDS if not field.optional]
    assert fastreader.summary(head, "x.md") == outcome(head)
    lines = head.split("\n")
    agent = next(i for i, line in enumerate(lines) if line.startswith("agent: "))
    lines[agent], lines[agent + 1] = lines[agent + 1], lines[agent]  # agent after customer
    swapped = "\n".join(lines)
    assert fastreader.summary(swapped, "x.md") is None  # not the writer's order: steps aside
    assert outcome(swapped) == outcome(head)  # the safe reader reads it all the same


def test_the_words_yaml_reads_as_not_text_are_the_resolvers() -> None:
    resolver = yaml.resolver.Resolver()
    words = fastreader._WORDS.split("|")
    for word in words:
        assert resolver.resolve(yaml.ScalarNode, word, (True, False)) != fastreader._STR
    # every other word of letters is text to YAML
    for word in ("y", "n", "Y", "N", "yes-no", "Nope", "onward", "offer", "nil", "True1",
                 "Null-ish", "o", "t", "f", "trueish"):
        assert resolver.resolve(yaml.ScalarNode, word, (True, False)) == fastreader._STR


@given(st.from_regex(r"[A-Za-z][A-Za-z ]{0,8}", fullmatch=True))
def test_letter_words_are_text_unless_listed(word: str) -> None:
    resolver = yaml.resolver.Resolver()
    is_text = resolver.resolve(yaml.ScalarNode, word, (True, False)) == fastreader._STR
    assert is_text == (word not in fastreader._WORDS.split("|"))


def test_record_ids_are_always_text_to_yaml() -> None:
    resolver = yaml.resolver.Resolver()
    for identifier in ("20261122-143012-jdoe-upset-customer-7f3a",
                       "20260101-000000-0-0-0000", "19991231-235959-a-b-ffff"):
        assert ID.match(identifier)
        assert resolver.resolve(yaml.ScalarNode, identifier, (True, False)) == fastreader._STR


def test_generated_records_take_the_fast_path_and_agree(isolated: Path) -> None:
    paths = generator().generate(isolated / "records", 200, seed=3, workers=1)
    for path in paths:
        assert assert_agrees(head_of(path)), path


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
words = st.sampled_from(["yes", "no", "null", "~", "true", "0x1f", "1e3", "12", "-3",
                         "2026-02-30", "2026-11-22", "a: b", "a #b", "#x", "'q'", '"dq"',
                         "[x]", "{y}", "- z", "? w", "&a", "*a", "!t", "|", ">", "%",
                         "@", "`", "x,y", "  spaced  ", "tab\there", "line\nbreak",
                         "Zoë", "\u00a0nbsp", "\u2028", "\ufeffbom", "a\\b", "é" * 70])
free_text = st.one_of(text, words, st.lists(words, max_size=4).map(" ".join))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(customer=free_text, ref=free_text, summary=free_text.filter(lambda s: s.strip()),
       notes=st.lists(free_text, max_size=3))
def test_records_with_any_text_agree(isolated: Path, customer: str, ref: str, summary: str,
                                     notes: list[str]) -> None:
    folder = isolated / "fuzz"
    path = write_call(folder, started=at("2026-11-02"), customer=customer or None,
                      ref=ref or None, summary=summary, notes=notes, moods=(3, 2))
    head = head_of(path)
    assert_agrees(head)
    summary_of = outcome(head)
    assert isinstance(summary_of, Summary)
    path.unlink()


MUTATIONS = ["'", '"', "#", ":", "-", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">",
             " ", "\t", "\n", "\n\n", "  ", "x", "0", "\\", "yes", ": ", " #", "\u2028",
             "\x00", "é"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    choice = rng.randrange(6)
    if choice == 0 and len(lines) > 2:  # drop a line
        del lines[rng.randrange(len(lines) - 1)]
        return "\n".join(lines)
    if choice == 1 and len(lines) > 2:  # repeat a line
        index = rng.randrange(len(lines) - 1)
        lines.insert(index, lines[index])
        return "\n".join(lines)
    if choice == 2 and len(lines) > 3:  # swap two lines
        a, b = rng.sample(range(len(lines) - 1), 2)
        lines[a], lines[b] = lines[b], lines[a]
        return "\n".join(lines)
    position = rng.randrange(len(text))
    if choice == 3:  # delete a character
        return text[:position] + text[position + 1:]
    if choice == 4:  # replace a character
        return text[:position] + rng.choice(MUTATIONS) + text[position + 1:]
    return text[:position] + rng.choice(MUTATIONS) + text[position:]


def test_mutated_records_agree_or_go_the_safe_way(isolated: Path) -> None:
    """Random edits of real records: where the fast reader still takes one, it must
    read it as the safe reader does, down to the same problem or the same summary."""
    paths = generator().generate(isolated / "records", 40, seed=11, workers=1)
    heads = [head_of(path) for path in paths]
    rng = random.Random(2026)
    quick = 0
    for round_ in range(4000):
        head = heads[round_ % len(heads)]
        for _ in range(rng.randrange(1, 3)):
            head = mutate(head, rng)
        if not head.endswith("\n"):
            head += "\n"
        quick += assert_agrees(head)
    assert quick > 400  # many edits leave a record it still reads


def base_front() -> dict:
    return {
        "record": 1, "id": "20261122-143012-jdoe-upset-customer-7f3a",
        "playbook": "upset-customer", "playbook_version": 3, "playbook_sha256": "9c1f",
        "agent": "jdoe", "customer": "Dana R.", "reference": "T-1234",
        "started": datetime(2026, 11, 22, 14, 30, 12, tzinfo=UTC),
        "ended": datetime(2026, 11, 22, 14, 36, 40, tzinfo=UTC), "duration_seconds": 388,
        "outcome": "follow-up", "escalated": False, "root_cause": "billing-error",
        "summary": "Refund issued.", "follow_up": date(2026, 11, 25), "follow_up_done": None,
        "mood": [{"step": "stay-calm", "at": 12, "value": 4},
                 {"step": "offer", "at": 301, "value": 2}],
        "steps": [{"id": "stay-calm", "at": 0, "seconds": 40, "skipped": False},
                  {"id": "listen", "at": 40, "seconds": 10, "skipped": True},
                  {"id": "listen", "at": 50, "seconds": 10, "skipped": True}],
        "captures": {"order": "AB123456"}, "redactions": 1, "tags": ["vip"],
    }


def test_summary_of_a_full_front_matter() -> None:
    summary = summarize(base_front(), "2026/11/x.md")
    assert summary == Summary(
        id="20261122-143012-jdoe-upset-customer-7f3a", playbook="upset-customer",
        playbook_version=3, agent="jdoe", customer="Dana R.", reference="T-1234",
        started="2026-11-22T14:30:12Z", ended="2026-11-22T14:36:40Z", duration=388,
        outcome="follow-up", escalated=False, root_cause="billing-error",
        summary="Refund issued.", follow_up="2026-11-25", follow_up_done=None, mood_start=4,
        mood_end=2, steps=3, skipped=("listen",), redactions=1, tags=("vip",),
        path="2026/11/x.md", visits=(
            # no rating by the first arrival; then the rating at 12 s is the mood in and
            # out, the one at 301 s comes after both listen entries end
            StepVisit("stay-calm", None, 0, 40, False, None, None, None),
            StepVisit("listen", None, 40, 10, True, None, 4, 4),
            StepVisit("listen", None, 50, 10, True, None, 4, 4)))
    assert summary.day == "2026-11-22" and summary.follow_up_open


@pytest.mark.parametrize(("started", "follow_up"), [
    ("'2026-11-22T14:30:12Z'", "'2026-11-25'"),  # quoted, as other tools write them
    ('"2026-11-22T14:30:12Z"', '"2026-11-25"'),
    ("2026-11-22T15:30:12+01:00", "2026-11-25"),
    ("'2026-11-22T09:30:12-05:00'", "' 2026-11-25 '"),
    ("2026-11-22 14:30:12", "2026-11-25T23:30:00-05:00"),  # the date written, not UTC's
    ("'2026-11-22 14:30:12.75 Z'", "'2026-11-25T00:00:00Z'"),
    ("2026-11-22t14:30:12Z", "'2026-11-25 08:00:00'"),
    ("!!timestamp '2026-11-22T14:30:12Z'", "!!timestamp 2026-11-25"),
])
def test_every_spelling_of_a_moment_is_the_same_moment(started: str, follow_up: str) -> None:
    text = "\n".join(f"{key}: {value}" for key, value in [
        ("record", 1), ("id", "20261122-143012-jdoe-upset-customer-7f3a"),
        ("playbook", "upset-customer"), ("agent", "jdoe"), ("started", started),
        ("ended", "2026-11-22T14:36:40Z"), ("duration_seconds", 388),
        ("outcome", "follow-up"), ("escalated", "false"), ("follow_up", follow_up)]) + "\n"
    got = reader.read(f"---\n{text}---\n".encode(), "x.md")
    assert (got.started, got.follow_up) == ("2026-11-22T14:30:12Z", "2026-11-25"), text


def test_times_in_other_zones_are_kept_in_utc() -> None:
    front = base_front()
    front["started"] = safeyaml.load("t: 2026-11-22T15:30:12+01:00")["t"]
    front["ended"] = datetime(2026, 11, 22, 14, 36, 40)  # no zone: taken as UTC
    summary = summarize(front, "x.md")
    assert summary.started == "2026-11-22T14:30:12Z"
    assert summary.ended == "2026-11-22T14:36:40Z"


@pytest.mark.parametrize(("change", "problem"), [
    ({"outcome": None}, "'outcome' is empty"),
    ({"outcome": "won"}, "'outcome' is 'won', not one of resolved, follow-up, escalated, "
                         "unresolved, dropped"),
    ({"record": 2}, "'record' is '2'; this version of deescalate reads record format 1"),
    ({"record": True}, "'record' is 'true'"),
    ({"id": "not-an-id"}, "'id' 'not-an-id' is not a record id"),
    ({"agent": ""}, "'agent' is empty"),
    ({"agent": 7}, "'agent' should be text, not '7'"),
    ({"customer": ["a"]}, "'customer' should be text, not a list"),
    ({"started": date(2026, 11, 22)}, "'started' is the date '2026-11-22' without a time "
                                      "of day; give a date and time like 2026-11-22T14:30:12Z"),
    ({"started": "2026-11-22"}, "'started' is the date '2026-11-22' without a time of day"),
    ({"started": "2026-02-30T10:00:00Z"}, "'started' should be a date and time like "
                                          "2026-11-22T14:30:12Z, not '2026-02-30T10:00:00Z'"),
    ({"started": datetime.fromisoformat("0001-01-01T00:00:00+01:00")},
     "'started' '0001-01-01T00:00:00+01:00' is out of range: in UTC it falls outside the "
     "years 1 to 9999"),
    ({"ended": "9999-12-31T23:59:59-01:00"}, "'ended' '9999-12-31T23:59:59-01:00' is out of "
                                             "range"),
    ({"duration_seconds": 10 ** 9}, "'duration_seconds' is '1000000000', more than the "
                                    "999,999,999 a record can hold"),
    ({"redactions": 10 ** 4000}, "'redactions' is '1000000000000000000000000000000000000...', "
                                 "more than the 999,999,999"),
    ({"playbook_version": 2 ** 64}, "'playbook_version' is '18446744073709551616', more than"),
    ({"started": "yesterday"}, "'started' should be a date and time"),
    ({"duration_seconds": -1}, "'duration_seconds' should be a whole number of at least 0"),
    ({"duration_seconds": 1.5}, "'duration_seconds' should be a whole number"),
    ({"duration_seconds": None}, "'duration_seconds' is empty"),
    ({"escalated": "no"}, "'escalated' should be true or false, not 'no'"),
    ({"follow_up": "next week"}, "'follow_up' should be a date like 2026-11-25 or null, not "
                                 "'next week'"),
    ({"follow_up": 20261125}, "'follow_up' should be a date like 2026-11-25 or null, not "
                              "'20261125'"),
    ({"follow_up_done": "soon"}, "'follow_up_done' should be a date"),
    ({"mood": [{"step": "a", "at": 1, "value": 6}]}, "each 'mood' entry should be"),
    ({"mood": [{"step": "a", "at": 1, "value": True}]}, "each 'mood' entry should be"),
    ({"mood": [{"step": "a", "value": 2}]}, "each 'mood' entry should be"),
    ({"mood": ["calm"]}, "each 'mood' entry should be"),
    ({"mood": {"step": "a"}}, "'mood' should be a list, not a mapping"),
    ({"steps": [{"at": 0}]}, "each 'steps' entry should be a mapping with an 'id'"),
    ({"steps": [{"id": "a", "skipped": "yes"}]}, "each 'steps' entry should be"),
    ({"steps": ["a"]}, "each 'steps' entry should be"),
    ({"tags": [1]}, "'tags' should be a list of words"),
    ({"captures": ["a"]}, "'captures' should be a mapping, not a list"),
    ({"redactions": "one"}, "'redactions' should be a whole number"),
    ({"playbook_version": "3"}, "'playbook_version' should be a whole number"),
])
def test_problems_are_named(change: dict, problem: str) -> None:
    front = {**base_front(), **change}
    with pytest.raises(Unreadable) as caught:
        summarize(front, "x.md")
    assert str(caught.value).startswith(problem)


@pytest.mark.parametrize("key", [field.name for field in FIELDS if field.required])
def test_each_required_field_is_required(key: str) -> None:
    front = base_front()
    del front[key]
    with pytest.raises(Unreadable, match=f"the required field '{key}' is missing"):
        summarize(front, "x.md")


@pytest.mark.parametrize("key", ["customer", "reference", "root_cause", "summary",
                                 "follow_up", "follow_up_done", "mood", "steps", "captures",
                                 "redactions", "tags", "playbook_version",
                                 "playbook_sha256"])
def test_optional_fields_may_be_missing(key: str) -> None:
    front = base_front()
    del front[key]
    summarize(front, "x.md")


def test_reading_whole_files(isolated: Path) -> None:
    path = write_call(isolated / "r", started=at("2026-11-02"), customer="Zoë")
    data = path.read_bytes()
    plain = reader.read(data, "a.md")
    assert plain.customer == "Zoë"
    windows = reader.read(data.replace(b"\n", b"\r\n"), "a.md")
    with_bom = reader.read(b"\xef\xbb\xbf" + data, "a.md")
    assert windows == plain == with_bom
    for broken, problem in [
        (b"no front matter", "the file does not start with a '---' line"),
        (b"---\nrecord: 1\n", "the front matter has no closing '---' line"),
        (b"---\n\xff\xfe\n---\n", "not UTF-8 text (byte 4 can't be decoded)"),
        (b"---\n- a\n---\n", "the front matter is not a mapping of fields"),
        (b"---\na: [\n---\n", "the front matter does not parse (line"),
        (b"---\na: *x\n---\n", "the front matter does not parse (line 2: the alias *x"),
        (b"---\na: !!python/object:os.system x\n---\n", "the front matter does not parse"),
        (b"---\n" + b"a: 1\n" * 2 + b"---\n", "the front matter does not parse (line 3: "
                                             "the key 'a' appears twice)"),
        (b"x" * 1_000_001, "the file is larger than 1,000,000 bytes"),
    ]:
        with pytest.raises(Unreadable) as caught:
            reader.read(broken, "a.md")
        assert str(caught.value).startswith(problem), (broken[:40], str(caught.value))


BOMB = "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
               for prev, name in zip("abcdef", "bcdefg", strict=True))


@pytest.mark.parametrize("hostile", [
    "a: " + "[" * 100_000,
    "a: " + "{" * 100_000,
    "a: " + "[a, " * 50_000,
    "a: [" + "a, " * 60_000 + "a]",
    "a: &a [x]\n" + BOMB,
])
def test_hostile_front_matter_is_refused_not_a_crash(hostile: str) -> None:
    data = f"---\nrecord: 1\n{hostile}\n---\n".encode()
    with pytest.raises(Unreadable, match="the front matter does not parse"):
        reader.read(data, "a.md")
