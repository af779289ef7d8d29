"""The scenario format, version 1, as a JSON Schema: the one statement of the format.

`practice schema` prints it for editors, and the loader walks a scenario's YAML nodes
with the shared checker (`deescalate.schemacheck.check_node`), so every
problem carries its line and column. Rules that need the playbook the scenario names
(its steps, captures and `avoid` lines) live in `loader.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deescalate.practice.format import (
    BANDS,
    CALMED,
    CALMED_MOOD,
    DIFFICULTIES,
    DRIFTS,
    ESCALATED,
    HANG_UP_MOOD,
    HUNG_UP,
    MOOD_HIGH,
    MOOD_LOW,
    OPENING,
    PASS_MARK,
    RATINGS,
    REACTIONS,
    STILL_UPSET,
)
from deescalate.schemacheck import ID_PATTERN


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": description}


def _id(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": ID_PATTERN, "description": description}


def _mood(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": MOOD_LOW, "maximum": MOOD_HIGH,
            "description": description}


def _change(rating: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": -3, "maximum": 3, "default": REACTIONS[rating],
            "description": f"How far a {rating} reply moves the mood (negative: calmer)."}


def _lines(band: str) -> dict[str, Any]:
    return {"oneOf": [
        {"type": "string", "minLength": 1, "description": "One line."},
        {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
         "description": "A few lines, one picked by the seed to vary the customer."},
    ], "description": f"What a {band} customer says in answer to your reply here."}


_FACT = {"oneOf": [
    {"type": "object", "additionalProperties": False, "required": ["value", "words", "step"],
     "description": "A fact as the customer gives it.",
     "properties": {
         "value": {"oneOf": [{"type": "string", "minLength": 1}, {"type": "number"},
                             {"type": "boolean"}],
                   "description": "The value as the agent would type it into the field."},
         "words": {"type": "string", "minLength": 1,
                                "description": "The customer's own words for it, as they "
                                               "say them: \"It was the second of September "
                                               "last year.\""},
         "step": {"type": "string", "pattern": ID_PATTERN,
                  "description": f"Where the customer says it: `{OPENING}` (in their first "
                                 "words) or a step of the playbook (in their answer to your "
                                 "reply there)."},
     }},
    {"oneOf": [{"type": "string", "minLength": 1}, {"type": "number"}, {"type": "boolean"}],
     "description": "A bare value: the customer never says it, so the score card does not "
                    "ask for it (give `value`, `words` and `step` instead)."},
], "description": "What the customer tells for one write-down field."}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "deescalate practice scenario, format version 1",
    "description": "A scripted customer for rehearsing one playbook.",
    "type": "object",
    "additionalProperties": False,
    "required": ["playbook", "title", "situation", "customer_is_right", "mood", "opening",
                 "endings"],
    "properties": {
        "id": _id("The scenario's id; defaults to the file name without .yaml."),
        "playbook": _id("The id of the playbook this scenario practises."),
        "title": _text("A few words for lists: what the call is about."),
        "summary": {"type": "string", "description": "One line for lists."},
        "difficulty": {"enum": list(DIFFICULTIES), "default": "medium",
                       "description": "How hard the customer is, for lists: "
                                      + ", ".join(DIFFICULTIES) + "."},
        "customer": {"type": "string", "minLength": 1,
                     "description": "The customer's name; fills in {customer} in the playbook."},
        "situation": _text("A few sentences to the trainee, in the second person: "
                           "\"You are taking a call from ...\"."),
        "customer_is_right": {"type": "boolean",
                              "description": "Whether the facts favour the customer: an "
                                             "apology is called for only when they do."},
        "needs_escalation": {"type": "boolean", "default": False,
                             "description": "Whether this call should go to a supervisor."},
        "mood": {
            "type": "object",
            "additionalProperties": False,
            "required": ["start"],
            "description": "The customer's mood, 1 (calm) to 5 (at the end of their tether).",
            "properties": {
                "start": _mood("The mood at the start of the call."),
                "drift": {"enum": list(DRIFTS), "default": "slow",
                          "description": "How quickly the customer gets crosser on their own: "
                                         "by 0, 0.25 or 0.5 with every reply."},
                **{rating: _change(rating) for rating in RATINGS},
            },
        },
        "opening": _text("The customer's first words."),
        "facts": {
            "type": "object",
            "additionalProperties": _FACT,
            "description": "What the customer tells, by the playbook's capture id: each with "
                           "its value, the customer's words and the step where they say "
                           "them. The score card asks only for facts said by then.",
        },
        "acknowledge": _id("The step where the customer's feeling is acknowledged; "
                           "default: the first step whose lines speak of feelings."),
        "steps": {"type": "array", "items": {"$ref": "#/$defs/step"},
                  "description": "What the customer says at the playbook's steps, in answer "
                                 "to your reply there, and poor replies offered there."},
        "endings": {
            "type": "object",
            "additionalProperties": False,
            "required": [CALMED, ESCALATED],
            "description": "The customer's last words for each way the call can end.",
            "properties": {
                CALMED: {"$ref": f"#/$defs/{CALMED}",
                         "description": "The call reaches its end with the customer calm."},
                ESCALATED: {"$ref": "#/$defs/ending",
                            "description": "The call ends with a supervisor brought in."},
                HUNG_UP: {"$ref": f"#/$defs/{HUNG_UP}",
                          "description": "The customer has had enough and hangs up."},
                STILL_UPSET: {"$ref": "#/$defs/ending",
                              "description": "The call reaches its end with the customer "
                                             "still upset."},
            },
        },
        "pass_mark": {"type": "integer", "minimum": 1, "maximum": 100, "default": PASS_MARK,
                      "description": "The share of the score card's checks, in percent, "
                                     "that must be good to pass."},
    },
    "$defs": {
        "step": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id"],
            "description": "One step of the playbook, as this customer plays it.",
            "properties": {
                "id": _id("A step of the playbook."),
                "lines": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "What the customer says in answer to your reply at this "
                                   "step, by the mood band your reply left them in (calm 1-2, "
                                   "tense 3, heated 4-5): one line, or a few to vary it.",
                    "properties": {name: _lines(name) for name in BANDS},
                },
                "replies": {
                    "type": "array",
                    "description": "Replies offered here besides the playbook's own lines: "
                                   "poor or harmful things a person might actually say.",
                    "items": {
                        "type": "object",
                        "description": "One reply, in the words a person would say it.",
                        "additionalProperties": False,
                        "required": ["say", "rating"],
                        "properties": {
                            "say": _text("The words of the reply."),
                            "rating": {"enum": list(RATINGS),
                                       "description": "How good a reply it is: "
                                                      + ", ".join(RATINGS) + "."},
                            "mood": {"type": "integer", "minimum": -3, "maximum": 3,
                                     "description": "How far it moves the mood; default: "
                                                    "by its rating."},
                            "apology": {"type": "boolean",
                                        "description": "Whether it apologises; default: "
                                                       "told from its words."},
                            "breaks": {"type": "integer", "minimum": 1,
                                       "description": "The step's avoid line it goes "
                                                      "against, counted from 1."},
                            "why": _text("Feedback for the trainee who picks it."),
                            "answer": _text("What the customer says to this reply, in "
                                            "place of the step's line for their mood."),
                        },
                    },
                },
            },
        },
        "ending": {
            "type": "object",
            "additionalProperties": False,
            "required": ["line"],
            "description": "How the customer ends the call.",
            "properties": {"line": _text("The customer's last words.")},
        },
        CALMED: {
            "type": "object",
            "additionalProperties": False,
            "required": ["line"],
            "description": "How a calmed customer ends the call, and how calm is calm.",
            "properties": {
                "line": _text("The customer's last words."),
                "mood": _mood(f"A call that reaches its end at this mood or below ends "
                              f"calmed (default {CALMED_MOOD})."),
            },
        },
        HUNG_UP: {
            "type": "object",
            "additionalProperties": False,
            "required": ["line"],
            "description": "Leave it out for a customer who never hangs up.",
            "properties": {
                "line": _text("The customer's last words."),
                "mood": _mood(f"The customer hangs up when the mood reaches this "
                              f"(default {HANG_UP_MOOD})."),
            },
        },
    },
}

SCHEMA_FILE = "scenario.schema.json"  # beside the scenarios, in a playbook folder's scenarios/


def install(playbooks: Path) -> tuple[Path, str]:
    """Write the schema into a playbook folder's `scenarios/` (made if missing), unless
    one is there; the path and 'Created' or 'Kept', as `init` reports it."""
    import json

    from deescalate.files import write_exclusive

    folder = playbooks / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SCHEMA_FILE
    text = json.dumps(SCHEMA, indent=2) + "\n"
    return path, "Created" if write_exclusive(path, text.encode("utf-8")) else "Kept"
