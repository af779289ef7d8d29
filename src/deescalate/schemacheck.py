"""Checking YAML nodes against a JSON Schema, with the position of every problem.

The playbook, scenario and settings formats are each stated once as a JSON Schema;
`check_node` walks a file's YAML nodes with one, so every problem carries the line and
column of the key or value at fault. It knows the part of JSON Schema those formats
use (type, properties, required, additionalProperties, items, $ref, oneOf, enum,
pattern, minLength, minItems, minimum, maximum); rules that need the whole file live
in each format's loader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the checker only walks nodes; reading YAML is safeyaml's job
    from deescalate.safeyaml import Node

# The ids of playbooks, steps, captures, scenarios, root causes and redact patterns.
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ID_HINT = "use lowercase letters, digits and dashes, starting with a letter or digit"

_NAMES = {"object": "a mapping", "array": "a list", "string": "text",
          "integer": "a whole number", "boolean": "true or false"}

Report = Callable[["Node", str], None]


def did_you_mean(word: str, candidates: list[str] | set[str] | tuple[str, ...]) -> str:
    """'; did you mean X?' for a close candidate, else ''."""
    import difflib

    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _kind(node: Node) -> str:
    if node.kind == "scalar" and node.is_null:
        return "empty"
    if node.kind == "map":
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    if isinstance(node.value, bool):
        return f"{node.text!r} (true or false)"
    if isinstance(node.value, (int, float)):
        return f"the number {node.text}"
    return f"{node.text!r}"


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return root["$defs"][ref.rsplit("/", 1)[-1]]  # type: ignore[no-any-return]
    return schema


def check_node(node: Node, schema: dict[str, Any], where: str, report: Report,
               *, subject: str, root: dict[str, Any] | None = None) -> None:
    """Report every way `node` breaks `schema`; `where` names it in messages.

    `subject` names the whole document when `where` is empty (the top level); `root`
    is the schema whose `$defs` a `$ref` names (default: `schema` itself).
    """
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if "oneOf" in schema:
        _check_one_of(node, schema["oneOf"], where, report, subject, root)
        return
    expected = schema.get("type")
    if isinstance(expected, list):  # text that may be written as a number or true/false:
        expected = "string" if "string" in expected else expected[0]  # any scalar's words
    if "enum" in schema:
        if node.kind != "scalar" or node.text not in schema["enum"]:
            options = ", ".join(schema["enum"])
            hint = did_you_mean(node.text, schema["enum"]) if node.kind == "scalar" else ""
            report(node, f"{where} is {_kind(node)}; it must be one of: {options}{hint}")
        return
    if expected == "object":
        if node.kind != "map":
            report(node, f"{where} should be a mapping of keys to values, not {_kind(node)}")
            return
        _check_mapping(node, schema, where or subject, report, root)
    elif expected == "array":
        if node.kind != "seq":
            hint = " (start each item on its own line with '- ')" if node.kind == "scalar" else ""
            report(node, f"{where} should be a list, not {_kind(node)}{hint}")
            return
        if len(node.value) < schema.get("minItems", 0):
            count = schema["minItems"]
            report(node, f"{where} needs at least {count} item{'s' if count > 1 else ''}")
        items = schema.get("items")
        if items:
            for index, child in enumerate(node.value, 1):
                check_node(child, items, _item_name(items, child, index, where), report,
                           subject=subject, root=root)
    elif expected == "string":
        if node.kind != "scalar" or node.is_null:
            what = "empty" if node.is_null else _kind(node)
            report(node, f"{where} should be text, not {what}")
            return
        if len(node.text.strip()) < schema.get("minLength", 0):
            report(node, f"{where} must not be empty")
        elif "pattern" in schema and not re.match(schema["pattern"], node.text):
            hint = (ID_HINT if schema["pattern"] == ID_PATTERN
                    else f"it must match {schema['pattern']}")
            report(node, f"{where} is {node.text!r}, which is not a valid id: {hint}")
    elif expected == "integer":
        if node.kind != "scalar" or isinstance(node.value, bool) or not isinstance(node.value, int):
            report(node, f"{where} should be a whole number, not {_kind(node)}")
        elif node.value < schema.get("minimum", node.value):
            report(node, f"{where} must be at least {schema['minimum']}")
        elif node.value > schema.get("maximum", node.value):
            report(node, f"{where} must be at most {schema['maximum']}")
    elif expected == "boolean" and (node.kind != "scalar" or not isinstance(node.value, bool)):
        report(node, f"{where} should be true or false, not {_kind(node)}")


def _item_name(items: dict[str, Any], child: Node, index: int, where: str) -> str:
    """'step 'listen'' for a list item that is a defined thing with an id, else 'WHERE item N'."""
    ref = items.get("$ref")
    if not ref:
        return f"{where} item {index}"
    noun = ref.rsplit("/", 1)[-1]
    ident = child.get("id") if child.kind == "map" else None
    if ident is not None and ident.kind == "scalar" and not ident.is_null:
        return f"{noun} {ident.text!r}"
    prefix = f"{where} " if noun == "option" else ""
    return f"{prefix}{noun} {index}"


def _check_one_of(node: Node, options: list[dict[str, Any]], where: str, report: Report,
                  subject: str, root: dict[str, Any]) -> None:
    """Pass if any alternative passes; else report the one shaped like the node."""
    shape = {"map": "object", "seq": "array", "scalar": "string"}[node.kind]
    for option in options:
        found: list[tuple[Node, str]] = []

        def collect(at: Node, message: str, found: list[tuple[Node, str]] = found) -> None:
            found.append((at, message))

        check_node(node, option, where, collect, subject=subject, root=root)
        if not found:
            return
        if option.get("type") == shape:
            for problem in found:
                report(*problem)
            return
    names = " or ".join(_NAMES[o["type"]] for o in options if o.get("type") in _NAMES)
    report(node, f"{where} should be {names}, not {_kind(node)}")


def _check_mapping(node: Node, schema: dict[str, Any], subject: str, report: Report,
                   root: dict[str, Any]) -> None:
    properties: dict[str, Any] = schema.get("properties", {})
    others = schema.get("additionalProperties", True)  # False, True, or a schema for the rest
    where = "" if subject.startswith("the ") else subject
    seen: dict[str, Node] = {}
    for key, value in node.pairs:
        if key.kind != "scalar" or key.is_null:
            report(key, f"{subject} has a key that is not a plain word")
            continue
        name = key.text
        if name in seen:
            report(key, f"{subject} has the key {name!r} twice (first on line {seen[name].line})")
            continue
        seen[name] = key
        if name not in properties and not isinstance(others, dict):
            if others is False:
                hint = did_you_mean(name, list(properties))
                if name == "<<":
                    hint = "; merge keys are not supported, write the keys out"
                report(key, f"{subject} has an unknown key {name!r}{hint}")
            continue
        if value.is_null and name not in schema.get("required", ()) and "enum" not in (
                _resolve(properties.get(name, {}), root)):
            continue  # `key:` with nothing after it means "not set" (not one of a list)
        where_value = f"{where}: {name!r}" if where else repr(name)
        if name == "branch":
            where_value = f"{where} branch".strip()
        check_node(value, properties.get(name, others), where_value, report,
                   subject=subject, root=root)
    for name in schema.get("required", ()):
        if name not in seen:
            report(node, f"{subject} is missing the required key {name!r}")
