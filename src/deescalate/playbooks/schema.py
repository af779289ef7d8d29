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
from deescalate.schemacheck import ID_PATTERN


def _lines(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "minLength": 1},
            "description": description}


def _id(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": ID_PATTERN, "description": description}


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "deescalate playbook, format version 1",
    "description": "A step-by-step guide an agent follows during a customer call.",
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "steps"],
    "properties": {
        "id": _id("The playbook's id; defaults to the file name without .yaml."),
        "title": {"type": "string", "minLength": 1,
                  "description": "Shown at the top of every step."},
        "summary": {"type": "string", "description": "One line for lists."},
        "version": {"type": "integer", "minimum": 1,
                    "description": "Bump it when you change the playbook; copied into records."},
        "tags": {"type": "array", "items": {"type": "string", "minLength": 1},
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
            "additionalProperties": False,
            "required": ["id", "title"],
            "not": {"required": ["next", "branch"]},
            "properties": {
                "id": _id("Unique in the playbook; `end` is reserved."),
                "title": {"type": "string", "minLength": 1},
                "do": _lines("What to do: short imperative lines."),
                "say": _lines("Phrases to say aloud. {customer}, {agent}, {ref} or a "
                              "capture's id in braces is filled in once known."),
                "avoid": _lines("What not to say or do."),
                "checklist": _lines("Items to tick; the record lists what was left unticked."),
                "capture": {"type": "array", "items": {"$ref": "#/$defs/capture"},
                            "description": "Facts to write down at this step."},
                "next": _id("The step after this one, or `end`; defaults to the following step."),
                "branch": {"$ref": "#/$defs/branch"},
            },
        },
        "capture": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "label"],
            "properties": {
                "id": _id("Unique in the playbook."),
                "label": {"type": "string", "minLength": 1},
                "type": {"enum": TYPES.names, "default": "line"},  # the capture table's
                "required": {"type": "boolean", "default": False},
                "choices": {"type": "array", "minItems": 1,
                            "items": {"type": "string", "minLength": 1},
                            "description": "For type choice only."},
                "pattern": {"type": "string", "format": "regex",
                            "description": "A regular expression the whole value must match; "
                                           "for type line only."},
            },
            "allOf": [
                {"if": {"properties": {"type": {"const": "choice"}}, "required": ["type"]},
                 "then": {"required": ["choices"]}},
            ],
        },
        "branch": {
            "type": "object",
            "additionalProperties": False,
            "required": ["question", "options"],
            "description": "A decision instead of `next`.",
            "properties": {
                "question": {"type": "string", "minLength": 1},
                "options": {"type": "array", "minItems": 2,
                            "items": {"$ref": "#/$defs/option"}},
            },
        },
        "option": {
            "type": "object",
            "additionalProperties": False,
            "required": ["label", "goto"],
            "properties": {
                "label": {"type": "string", "minLength": 1},
                "goto": _id("The step this answer leads to, or `end`."),
            },
        },
    },
}
