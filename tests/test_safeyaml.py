"""The hardened YAML reader: whatever the text, plain values or its own error, never another.

It reads playbooks, settings and records, so one file that makes it raise anything but
`YamlError` would stop every command that reads that file's folder.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from deescalate import safeyaml
from deescalate.errors import DeescalateError


def plain(value: object) -> bool:
    """Whether `value` is made only of the plain values a reader can use."""
    if isinstance(value, dict):
        return all(plain(k) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(item) for item in value)
    return value is None or isinstance(value, str | int | float | bool | bytes | date | datetime)


def loads_or_refuses(text: str) -> object:
    """What the reader makes of `text`: plain values, or its YamlError with a position."""
    try:
        value = safeyaml.load(text)
    except safeyaml.YamlError as exc:
        assert exc.line >= 1 and exc.col >= 1
        assert exc.message and "\n" not in exc.message and len(exc.message) <= 250
        return exc
    assert plain(value), value
    if isinstance(value, dict | list):
        str(value)  # every value can be shown: no number too large to print
    return value


@pytest.mark.parametrize(("text", "message"), [
    ("started: !!timestamp soon", "can't read 'soon' as !!timestamp"),
    ("escalated: !!bool maybe", "can't read 'maybe' as !!bool"),
    ("redactions: !!int ''", "can't read '' as !!int"),
    ("x: !!float ''", "can't read '' as !!float"),
    ("x: !!int '-'", "can't read '-' as !!int"),
    ("x: !!timestamp ''", "can't read '' as !!timestamp"),
    ("x: !!bool ''", "can't read '' as !!bool"),
    ("x: !!timestamp 2026-01-01T00:00:00+99:00", "can't read '2026-01-01T00:00:00+99:00' as"),
    ("x: !!map x", "the tag !!map is for a mapping, not a single value"),
    ("x: !!seq x", "the tag !!seq is for a list, not a single value"),
    ("x: !!str [1]", "the tag !!str can't be given to a list"),
    ("x: !!seq {a: 1}", "the tag !!seq can't be given to a mapping"),
    ("x: !!int 0x" + "f" * 5000, "is too large"),
    ("x: !!int " + "9" * 4301, "the number 99999"),
    ("x: " + "9" * 4301, "is too large"),
    ("? !!map x\n: 1", "the tag !!map is for a mapping"),
    ("git: {commit: !!bool maybe}", "can't read 'maybe' as !!bool"),
])
def test_explicit_tags_that_do_not_fit_are_this_readers_error(text: str, message: str) -> None:
    with pytest.raises(safeyaml.YamlError) as caught:
        safeyaml.load(text)
    assert message in caught.value.message
    assert len(caught.value.message) < 200
    assert caught.value.line == text.count("\n", 0, text.index("!!") if "!!" in text
                                           else len(text)) + 1


def test_tags_that_fit_still_read() -> None:
    assert safeyaml.load("a: !!int '42'\nb: !!str 42\nc: !!timestamp 2026-11-22T14:30:12Z\n"
                         "d: !!seq [1]\ne: !!map {f: 1}\ng: ! [x]\n") == {
        "a": 42, "b": "42", "c": datetime.fromisoformat("2026-11-22T14:30:12+00:00"),
        "d": [1], "e": {"f": 1}, "g": ["x"]}


TAGS = ["", "!!timestamp ", "!!bool ", "!!int ", "!!float ", "!!null ", "!!str ",
        "!!binary ", "!!map ", "!!seq ", "!!set ", "!!omap ", "!!pairs ", "!foo ", "! ",
        "!<tag:yaml.org,2002:int> ", "!!python/name:os.system ", "&a ", "!e!x "]
VALUES = ["soon", "maybe", "''", '""', "~", "null", "yes", "No", "on", ".inf", "-.NaN", "0x1F",
          "0b101", "0o17", "017", "1_000", "1:20:30", "190:20:30.15", "-", "_", ".", "3.",
          "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-11-22",
          "2026-02-30", "2026-11-22 14:30:12.5 -5", "2026-11-22t14:30:12Z",
          "'2026-11-22T14:30:12Z'", "*a", "*b", "é", "x y", "'it''s'", '"a\\tb"']
JUNK = ["[", "]", "{", "}", ":", "- x", "? x", "|", ">-", "#", "%YAML 1.1", "---", "...", "\t",
        "\u2028", "\x85", "\ufeff"]
scalars = st.one_of(
    st.sampled_from(VALUES),
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30).map(str),
    st.integers(min_value=4000, max_value=4400).map(lambda n: "9" * n),
    st.sampled_from(JUNK),
)
tags = st.one_of(st.just(""), st.sampled_from(TAGS))


def _tagged(pair: tuple[str, str]) -> str:
    return pair[0] + pair[1]


tagged = st.tuples(tags, scalars).map(_tagged)


def _flow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(tags, st.lists(inner, max_size=4)).map(
            lambda p: p[0] + "[" + ", ".join(p[1]) + "]"),
        st.tuples(tags, st.lists(st.tuples(inner, inner), max_size=3)).map(
            lambda p: p[0] + "{" + ", ".join(f"{k}: {v}" for k, v in p[1]) + "}"))


values = st.one_of(tagged, tagged, _flow(tagged), _flow(st.one_of(tagged, _flow(tagged))))
KEYS = ["record", "id", "started", "ended", "duration_seconds", "escalated", "follow_up",
        "mood", "steps", "title", "git", "commit", "redact", "x"]
documents = st.lists(st.tuples(st.sampled_from(KEYS), values, st.sampled_from([0, 0, 0, 2])),
                     max_size=6).map(
    lambda lines: "".join(f"{' ' * indent}{key}: {value}\n" for key, value, indent in lines))


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_yaml_with_any_tag_is_values_or_a_yaml_error(text: str) -> None:
    outcome = loads_or_refuses(text)
    event("refused" if isinstance(outcome, safeyaml.YamlError) else "read")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*"!&*[]{}:,-?|>'\"#%@` \n\t0123456789abtyz.+~_",
                                 "!!", "\u2028", "\x00", "\ufeff"]), max_size=60).map("".join))
def test_any_text_made_of_yamls_own_marks_is_values_or_a_yaml_error(text: str) -> None:
    loads_or_refuses(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_read_as_a_file_are_text_or_one_message(data: bytes) -> None:
    try:
        text = safeyaml.decode(data)
    except safeyaml.YamlError:
        return
    loads_or_refuses(text)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_a_settings_file_with_any_tag_is_one_message(isolated: Path, text: str) -> None:
    from deescalate.config import TEAM_SCHEMA, read_settings

    path = isolated / ".deescalate.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        read_settings(path, TEAM_SCHEMA)
    except DeescalateError as exc:
        assert "\n" not in exc.message


def test_a_bad_tag_in_the_team_file_is_one_line_for_every_command(cli, isolated: Path) -> None:
    (isolated / ".deescalate.yaml").write_text("records: records\ngit: {commit: !!bool maybe}\n")
    for args in (["records", "list"], ["records", "check"], ["followups"], ["playbooks", "list"],
                 ["config"]):
        result = cli(*args)
        assert result.code == 2, args
        assert result.err == (f"deescalate: {isolated / '.deescalate.yaml'}:2:15: can't read "
                              "'maybe' as !!bool\n"), args


@pytest.mark.parametrize("kind", ["fifo", "zero", "folder"])
def test_only_regular_files_are_read(isolated: Path, kind: str) -> None:
    import os

    path = isolated / "x.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    with pytest.raises(DeescalateError) as caught:
        safeyaml.read_bytes(path, what="playbook")
    what = {"fifo": "a named pipe (FIFO)", "zero": "a device", "folder": "a folder"}[kind]
    assert caught.value.message == f"{path}: is {what}, not a playbook"
