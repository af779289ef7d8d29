"""The playbook schema (`playbooks schema`, which editors check with) and `playbooks
validate` agree: over the same good and broken playbooks, run through jsonschema and
through the validator, each takes and refuses the same ones, wherever JSON Schema can
say the rule; the rules it can't (ids that must exist, the step graph, duplicates) are
the validator's alone, and listed as such."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from deescalate.playbooks.loader import check_bytes
from deescalate.playbooks.schema import SCHEMA
from tests.conftest import BUILTINS

HEAD = "title: T\nsteps:\n"
ONE = "  - {id: a, title: A}\n"


def steps(*lines: str) -> str:
    return HEAD + "".join(f"  {line}\n" for line in lines)


GOOD = {
    "minimal": HEAD + ONE,
    "every top key": "id: p\ntitle: T\nsummary: S\nversion: 2\ntags: [x]\naliases: [q]\n"
                     "start: a\nescalate: b\nsteps:\n" + ONE + "  - {id: b, title: B}\n",
    "a title written as a number": "title: 2024\nsteps:\n" + ONE,
    "say lines written as true and a number": steps("- {id: a, title: A, say: [true, 3.0]}"),
    "ids written as whole numbers": steps("- {id: 1, title: A, next: 2}", "- {id: 2, title: B}"),
    "a label written as yes": steps(
        "- id: a", "  title: A", "  branch:", "    question: Q?",
        "    options: [{label: yes, goto: end}, {label: no, goto: end}]"),
    "choices on a choice": steps("- id: a", "  title: A",
                                 "  capture: [{id: c, label: C, type: choice, choices: [x]}]"),
    "a pattern on a line": steps("- id: a", "  title: A",
                                 "  capture: [{id: c, label: C, pattern: '^[A-Z]+$'}]"),
    "a pattern on a typed line": steps(
        "- id: a", "  title: A", "  capture: [{id: c, label: C, type: line, pattern: x}]"),
    "every capture type": steps("- id: a", "  title: A", "  capture:",
                                *[f"    - {{id: c{n}, label: C, type: {kind}}}" for n, kind in
                                  enumerate(["line", "text", "number", "yes-no", "date"])]),
    "next end": steps("- {id: a, title: A, next: end}"),
    "an empty key means not set": steps("- id: a", "  title: A", "  say:"),
}

# Broken in a way JSON Schema can say: both must refuse it.
BROKEN = {
    "no title": "steps:\n" + ONE,
    "no steps": "title: T\n",
    "no step": "title: T\nsteps: []\n",
    "an empty title": "title: ''\nsteps:\n" + ONE,
    "an unknown key": HEAD + "  - {id: a, title: A, sya: [x]}\n",
    "an unknown top key": "titel: T\n" + HEAD + ONE,
    "a bad step id": steps("- {id: Bad Id, title: A}"),
    "a negative step id": steps("- {id: -1, title: A}"),
    "a step id with a dot": steps("- {id: 1.5, title: A}"),
    "the step id end": steps("- {id: end, title: A}"),
    "a step without a title": steps("- {id: a}"),
    "next and branch": steps(
        "- id: a", "  title: A", "  next: end", "  branch:", "    question: Q?",
        "    options: [{label: x, goto: end}, {label: y, goto: end}]"),
    "a branch of one option": steps("- id: a", "  title: A", "  branch:", "    question: Q?",
                                    "    options: [{label: x, goto: end}]"),
    "an option without goto": steps("- id: a", "  title: A", "  branch:", "    question: Q?",
                                    "    options: [{label: x}, {label: y, goto: end}]"),
    "a choice without choices": steps("- id: a", "  title: A",
                                      "  capture: [{id: c, label: C, type: choice}]"),
    "choices on a line": steps("- id: a", "  title: A",
                               "  capture: [{id: c, label: C, choices: [x]}]"),
    "choices on a number": steps("- id: a", "  title: A",
                                 "  capture: [{id: c, label: C, type: number, choices: [x]}]"),
    "a pattern on a number": steps("- id: a", "  title: A",
                                   "  capture: [{id: c, label: C, type: number, pattern: x}]"),
    "a pattern on a choice": steps(
        "- id: a", "  title: A",
        "  capture: [{id: c, label: C, type: choice, choices: [x], pattern: x}]"),
    "a pattern that is no regex": steps("- id: a", "  title: A",
                                        "  capture: [{id: c, label: C, pattern: '(['}]"),
    "the capture id customer": steps("- id: a", "  title: A",
                                     "  capture: [{id: customer, label: C}]"),
    "the capture id ref": steps("- id: a", "  title: A", "  capture: [{id: ref, label: C}]"),
    "an unknown capture type": steps("- id: a", "  title: A",
                                     "  capture: [{id: c, label: C, type: money}]"),
    "an empty capture type": steps("- id: a", "  title: A",
                                   "  capture: [{id: c, label: C, type: }]"),
    "required not true or false": steps("- id: a", "  title: A",
                                        "  capture: [{id: c, label: C, required: maybe}]"),
    "version 0": "version: 0\n" + HEAD + ONE,
    "version as text": "version: two\n" + HEAD + ONE,
    "a bad alias": "aliases: [Not Ok]\n" + HEAD + ONE,
    "tags not a list": "tags: x\n" + HEAD + ONE,
    "say not a list": steps("- {id: a, title: A, say: hello}"),
    "a say line that is a list": steps("- {id: a, title: A, say: [[x]]}"),
    "an empty say line": steps("- {id: a, title: A, say: ['']}"),
    "a step that is text": HEAD + "  - just text\n",
}

# Rules that need the whole playbook, which JSON Schema can't state: the validator's alone.
WHOLE_FILE = {
    "goto naming no step": steps("- id: a", "  title: A", "  branch:", "    question: Q?",
                                 "    options: [{label: x, goto: nowhere}, {label: y, goto: end}]"),
    "next naming no step": steps("- {id: a, title: A, next: nowhere}"),
    "start naming no step": "start: nowhere\n" + HEAD + ONE,
    "a step id twice": steps("- {id: a, title: A}", "- {id: a, title: B}"),
    "a capture id twice": steps("- id: a", "  title: A", "  capture: [{id: c, label: C}]",
                                "- id: b", "  title: B", "  capture: [{id: c, label: C}]"),
    "a loop with no way out": steps("- {id: a, title: A, next: b}", "- {id: b, title: B, next: a}"),
}


def schema_ok(text: str) -> bool:
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return not list(validator.iter_errors(yaml.safe_load(text)))


def validate_ok(text: str, tmp_path: Path) -> bool:
    _, problems = check_bytes(text.encode(), tmp_path / "p.yaml", "p.yaml")
    return not [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize("name", [*GOOD, *(path.name for path in BUILTINS)])
def test_both_take_a_good_playbook(name: str, tmp_path: Path) -> None:
    text = GOOD[name] if name in GOOD else next(p for p in BUILTINS if p.name == name).read_text()
    assert (schema_ok(text), validate_ok(text, tmp_path)) == (True, True)


@pytest.mark.parametrize("name", BROKEN)
def test_both_refuse_a_broken_playbook(name: str, tmp_path: Path) -> None:
    assert (schema_ok(BROKEN[name]), validate_ok(BROKEN[name], tmp_path)) == (False, False)


@pytest.mark.parametrize("name", WHOLE_FILE)
def test_what_needs_the_whole_file_is_the_validators(name: str, tmp_path: Path) -> None:
    text = WHOLE_FILE[name]
    assert (schema_ok(text), validate_ok(text, tmp_path)) == (True, False)


def subschemas(schema: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(schema, dict):
        found.append((where, schema))
        for key, value in schema.items():
            found += subschemas(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += subschemas(value, f"{where}/{index}")
    return found


def test_every_property_has_a_description_and_every_rule_a_message() -> None:
    properties = [(f"{where}/{name}", value) for where, schema in subschemas(SCHEMA)
                  if where.endswith("/properties") is False and isinstance(
                      schema.get("properties"), dict) and not where.endswith("/if")
                  and not where.endswith("/then") for name, value in schema["properties"].items()]
    assert len(properties) == 28  # 9 of a playbook, 9 of a step, 6 of a capture, 2 and 2
    bare = [where for where, value in properties if "description" not in value]
    assert bare == []
    for where, schema in subschemas(SCHEMA):
        if "not" in schema or ("const" in schema and "/then/" in where):
            assert "errorMessage" in schema, where


def test_an_editor_reads_the_rules_in_words() -> None:
    """The messages an editor shows come from the rule that failed, not 'Matches a schema
    that is not allowed.'"""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    document = yaml.safe_load(BROKEN["next and branch"])
    failed = [error for error in validator.iter_errors(document)]
    assert [e.schema.get("errorMessage") for e in failed] == [
        "a step has either 'next' or 'branch', not both"]
    document = yaml.safe_load(textwrap.dedent(BROKEN["the step id end"]))
    assert [e.schema.get("errorMessage") for e in validator.iter_errors(document)] == [
        "the step id 'end' is reserved for the end of the call"]


def test_an_empty_capture_type_is_named_as_such(tmp_path: Path) -> None:
    _, problems = check_bytes(BROKEN["an empty capture type"].encode(), tmp_path / "p.yaml",
                              "p.yaml")
    assert [p.message for p in problems] == [
        "capture 'c': 'type' is empty; it must be one of: line, text, number, choice, "
        "yes-no, date"]
