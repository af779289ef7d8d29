"""The playbook format, version 1, as a JSON Schema.

The schema is the single statement of the format's shape: `playbooks schema` prints
it for editors, and the loader walks a playbook's YAML nodes with it
(`deescalate.schemacheck.check_node`), so every problem carries the line and column
of the key or value at fault. Rules that need the whole playbook (ids that must
exist, reachability) live in `loader.py`, and the schema states them too where JSON
Schema can, for editors.
"""

from __future__ import annotations

from typing import Any

from deescalate.playbooks.captures import TYPES
from deescalate.playbooks.format import CALL_FIELDS, END
from deescalate.schemacheck import ID_PATTERN

# Any YAML scalar but null is text to `playbooks validate`, which reads the words as
# written (`title: 2024`, `say: [yes]`), so the schema takes numbers and true/false where
# it takes text; `minLength` and `pattern` apply to text alone, as in JSON Schema.
TEXT = ["string", "number", "boolean"]
# An id is text of lowercase letters, digits and dashes; written as a whole number, or
# as true/false, its words are such text too.
ID = ["string", "integer", "boolean"]


def _text(description: str, **more: Any) -> dict[str, Any]:
    return {"type": TEXT, "minLength": 1, "description": description, **more}


def _lines(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": TEXT, "minLength": 1},
            "description": description}


def _id(description: str, **more: Any) -> dict[str, Any]:
    return {"type": ID, "pattern": ID_PATTERN, "minimum": 0, "description": description,
            **more}


def _rule(schema: dict[str, Any], message: str) -> dict[str, Any]:
    """`schema`, with the message an editor shows when it fails (yaml-language-server and
    VS Code read `errorMessage`; it goes on the part that fails, not on the whole)."""
    return {**schema, "errorMessage": message}


def _only_for(key: str, kind: str) -> dict[str, Any]:
    """`key` is only for captures of type `kind` (a capture without a type is a line)."""
    message = f"'{key}' is only for captures of type {kind}"
    given: dict[str, Any] = {"properties": {"type": _rule({"const": kind}, message)}}
    if kind != "line":
        given["required"] = ["type"]
    return {"if": {"required": [key]}, "then": _rule(given, message)}


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "deescalate playbook, format version 1",
    "description": "A step-by-step guide an agent follows during a customer call.",
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "steps"],
    "properties": {
        "id": _id("The playbook's id; defaults to the file name without .yaml."),
        "title": _text("Shown at the top of every step."),
        "summary": {"type": TEXT, "description": "One line for lists."},
        "version": {"type": "integer", "minimum": 1,
                    "description": "Bump it when you change the playbook; copied into records."},
        "tags": {"type": "array", "items": {"type": TEXT, "minLength": 1},
                 "description": "Words to group playbooks by."},
        "aliases": {"type": "array", "items": _id("Another name `deescalate start` accepts."),
                    "description": "Other names `deescalate start` accepts."},
        "start": _id("The first step's id; defaults to the first step."),
        "escalate": _id("The step the Escalate key jumps to."),
        "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"},
                  "description": "The steps, in order."},
    },
    "$defs": {
        "step": {
            "type": "object",
            "description": "One step of the call: what to do, say, avoid and write down.",
            "additionalProperties": False,
            "required": ["id", "title"],
            "allOf": [_rule({"not": {"required": ["next", "branch"]}},
                            "a step has either 'next' or 'branch', not both")],
            "properties": {
                "id": _id("Unique in the playbook; `end` is reserved.", allOf=[_rule(
                    {"not": {"const": END}},
                    "the step id 'end' is reserved for the end of the call")]),
                "title": _text("The step's name, shown above what to do."),
                "do": _lines("What to do: short imperative lines."),
                "say": _lines("Phrases to say aloud. {customer}, {agent}, {ref} or a "
                              "capture's id in braces is filled in once known."),
                "avoid": _lines("What not to say or do."),
                "checklist": _lines("Items to tick; the record lists what was left unticked."),
                "capture": {"type": "array", "items": {"$ref": "#/$defs/capture"},
                            "description": "Facts to write down at this step."},
                "next": _id("The step after this one, or `end`; defaults to the following "
                            "step. Not with `branch`."),
                "branch": {"$ref": "#/$defs/branch",
                           "description": "A question whose answer says which step is next; "
                                          "instead of `next`."},
            },
        },
        "capture": {
            "type": "object",
            "description": "A fact to write down: asked for at the step, kept in the record.",
            "additionalProperties": False,
            "required": ["id", "label"],
            "properties": {
                "id": _id(f"Unique in the playbook; {', '.join(CALL_FIELDS)} are the call's "
                          "own.", allOf=[_rule({"not": {"enum": list(CALL_FIELDS)}},
                                               "this capture id is reserved for the call's "
                                               "own field")]),
                "label": _text("The question the agent answers, as shown."),
                "type": {"enum": TYPES.names, "default": "line",  # the capture table's
                         "description": "What kind of answer: " + ", ".join(TYPES.names)
                                        + "; line when not given."},
                "required": {"type": "boolean", "default": False,
                             "description": "Whether the step can't be left without it."},
                "choices": {"type": "array", "minItems": 1,
                            "items": {"type": TEXT, "minLength": 1},
                            "description": "The answers to pick from; for type choice only."},
                "pattern": {"type": "string", "format": "regex",
                            "description": "A regular expression the whole value must match; "
                                           "for type line only."},
            },
            "allOf": [
                {"if": {"properties": {"type": {"const": "choice"}}, "required": ["type"]},
                 "then": _rule({"required": ["choices"]},
                               "a capture of type choice needs 'choices'")},
                _only_for("choices", "choice"),
                _only_for("pattern", "line"),
            ],
        },
        "branch": {
            "type": ["object", "null"],  # only ever an optional key's value: see _unset
            "additionalProperties": False,
            "required": ["question", "options"],
            "description": "A decision instead of `next`: a question and where each "
                           "answer leads.",
            "properties": {
                "question": _text("The question the agent answers to go on."),
                "options": {"type": "array", "minItems": 2,
                            "items": {"$ref": "#/$defs/option"},
                            "description": "The answers, at least two."},
            },
        },
        "option": {
            "type": "object",
            "description": "One answer to the branch's question.",
            "additionalProperties": False,
            "required": ["label", "goto"],
            "properties": {
                "label": _text("The answer, as shown."),
                "goto": _id("The step this answer leads to, or `end`."),
            },
        },
    },
}


def _unset(schema: Any) -> None:
    """`key:` with nothing after it means "not set" to `playbooks validate`: say so for
    every key a mapping may leave out, so that an editor agrees. Not for a key that
    names one of a list (a capture's `type`): empty there, both refuse it."""
    if isinstance(schema, list):
        for item in schema:
            _unset(item)
        return
    if not isinstance(schema, dict):
        return
    for name, value in schema.get("properties", {}).items():
        if name in schema.get("required", ()) or not isinstance(value, dict):
            continue
        if isinstance(value.get("type"), list):
            value["type"] = [*value["type"], "null"]
        elif "type" in value:
            value["type"] = [value["type"], "null"]
    for value in schema.values():
        if isinstance(value, dict | list):
            _unset(value)


_unset(SCHEMA)
