"""Reading a playbook from a YAML file: every problem at once, or a valid `Playbook`.

`check_file` reports every problem of a file at once (for `playbooks validate`);
`load_file` returns a valid playbook or raises (for everything else).
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from pathlib import Path

from deescalate import safeyaml
from deescalate.errors import DeescalateError, PlaybookInvalid, Problem
from deescalate.playbooks.format import (
    CALL_FIELDS,
    END,
    PLACEHOLDER,
    Branch,
    Capture,
    Option,
    Playbook,
    Step,
)
from deescalate.playbooks.schema import SCHEMA
from deescalate.safeyaml import Node, items_of, text_of
from deescalate.schemacheck import ID_HINT, ID_PATTERN, check_node, did_you_mean
from deescalate.text import CONTROL, shown

_ID = re.compile(ID_PATTERN)


class Checker:
    """Collects the problems of one file (a playbook, or a scenario), each at its node."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[Problem] = []

    def error(self, node: Node | None, message: str) -> None:
        self._add(node, "error", message)

    def warning(self, node: Node | None, message: str) -> None:
        self._add(node, "warning", message)

    def _add(self, node: Node | None, severity: str, message: str) -> None:
        line, col = (node.line, node.col) if node else (1, 1)
        self.problems.append(Problem(self.display, line, col, severity, message))

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)


def display_path(path: Path) -> str:
    """A path as the user will recognise it: relative to here when it is below here."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def check_file(path: Path) -> tuple[Playbook | None, list[Problem]]:
    """Read and check one playbook file; every problem is returned, none raised."""
    display = display_path(path)
    try:
        data = safeyaml.read_bytes(path, what="playbook")
    except DeescalateError as exc:
        message = exc.message.removeprefix(f"{path}: ")
        return None, [Problem(display, 1, 1, "error", message)]
    return check_bytes(data, path, display)


def load_file(path: Path) -> Playbook:
    """A valid playbook from a file, or a DeescalateError saying what is wrong."""
    data = safeyaml.read_bytes(path, what="playbook")
    playbook, problems = check_bytes(data, path, display_path(path))
    if playbook is None:
        raise PlaybookInvalid(problems)
    return playbook


def check_bytes(data: bytes, path: Path, display: str) -> tuple[Playbook | None, list[Problem]]:
    checker = Checker(display)
    try:
        root = safeyaml.compose(safeyaml.decode(data))
    except safeyaml.YamlError as exc:
        return None, [Problem(display, exc.line, exc.col, "error", exc.message)]
    if root is None:
        checker.error(None, "the file is empty; a playbook needs a title and steps")
        return None, checker.problems
    check_node(root, SCHEMA, "", checker.error, subject="the playbook")
    if root.kind != "map":
        return None, checker.problems
    _check_meaning(root, path, checker)
    _check_control(root, checker)
    problems = sorted(checker.problems, key=lambda p: (p.line, p.col))
    if checker.failed:
        return None, problems
    return _build(root, path, hashlib.sha256(data).hexdigest()), problems


def _check_meaning(root: Node, path: Path, checker: Checker) -> None:
    """The rules that need the whole playbook: ids, references and the step graph."""
    if root.get("id") is None and not _ID.match(path.stem):
        checker.error(None, f"the file name {path.stem!r} can't be the playbook's id "
                            f"({ID_HINT}); add an `id:` line or rename the file")

    steps = [s for s in items_of(root.get("steps")) if s.kind == "map"]
    ids: dict[str, Node] = {}
    for step in steps:
        id_node = step.get("id")
        step_id = text_of(id_node)
        if step_id is None or id_node is None:
            continue
        if step_id == END:
            checker.error(id_node, "the step id 'end' is reserved for the end of the call; "
                                   "choose another id")
        elif step_id in ids:
            checker.error(id_node, f"the step id {step_id!r} is used twice "
                                   f"(first on line {ids[step_id].line})")
        else:
            ids[step_id] = id_node

    captures = _check_captures(steps, checker)
    references_ok = _check_references(root, steps, set(ids), checker)
    _check_placeholders(steps, set(captures), checker)
    if references_ok and not checker.failed and steps:
        _check_graph(root, steps, checker)


def _check_captures(steps: list[Node], checker: Checker) -> dict[str, Node]:
    seen: dict[str, Node] = {}
    for step in steps:
        for capture in items_of(step.get("capture")):
            if capture.kind != "map":
                continue
            id_node = capture.get("id")
            capture_id = text_of(id_node)
            if capture_id is not None and id_node is not None:
                if capture_id in seen:
                    checker.error(id_node, f"the capture id {capture_id!r} is used twice "
                                           f"(first on line {seen[capture_id].line})")
                elif capture_id in CALL_FIELDS:
                    checker.error(id_node, f"the capture id {capture_id!r} is reserved for the "
                                           "call's own field; choose another id")
                else:
                    seen[capture_id] = id_node
            name = f"capture {capture_id!r}" if capture_id else "a capture"
            kind = text_of(capture.get("type")) or "line"
            if kind == "choice" and not items_of(capture.get("choices")):
                checker.error(capture, f"{name} is of type choice but has no 'choices'")
            if capture.get("choices") is not None and kind != "choice":
                checker.error(capture.key_node("choices"),
                              f"{name}: 'choices' is only for type choice, and this is {kind}")
            if capture.get("pattern") is not None and kind != "line":
                checker.error(capture.key_node("pattern"),
                              f"{name}: 'pattern' is only for type line, and this is {kind}")
            pattern_node = capture.get("pattern")
            pattern = text_of(pattern_node)
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    checker.error(pattern_node, f"{name}: the pattern {pattern!r} is not a valid "
                                                f"regular expression ({exc})")
                else:
                    from deescalate.playbooks.patterns import runaway

                    slow = runaway(pattern)
                    if slow:
                        checker.error(pattern_node, f"{name}: the pattern {pattern!r} could "
                                                    f"freeze the call on a short answer: it "
                                                    f"has {slow}; write it without")
    return seen


def _check_references(root: Node, steps: list[Node], ids: set[str], checker: Checker) -> bool:
    """Check that start, escalate, next and goto name steps; False if any doesn't."""
    ok = True

    def refer(node: Node | None, what: str, allow_end: bool) -> None:
        nonlocal ok
        target = text_of(node)
        if node is None or target is None or not _ID.match(target):
            return  # missing or malformed: already reported by the schema check
        if target in ids or (allow_end and target == END):
            return
        ok = False
        if target == END:
            checker.error(node, f"{what} can't be 'end'; it must name a step")
            return
        hint = did_you_mean(target, ids | ({END} if allow_end else set()))
        checker.error(node, f"{what} names {target!r}, but there is no such step{hint}")

    refer(root.get("start"), "'start'", allow_end=False)
    refer(root.get("escalate"), "'escalate'", allow_end=False)
    for step in steps:
        name = text_of(step.get("id")) or "?"
        next_node, branch_node = step.get("next"), step.get("branch")
        if next_node is not None and not next_node.is_null and branch_node is not None \
                and not branch_node.is_null:
            ok = False
            checker.error(step.key_node("branch"),
                          f"step {name!r} has both 'next' and 'branch'; keep one of them")
        refer(next_node, f"step {name!r}: 'next'", allow_end=True)
        if branch_node is not None and branch_node.kind == "map":
            for number, option in enumerate(items_of(branch_node.get("options")), 1):
                if option.kind == "map":
                    refer(option.get("goto"), f"step {name!r} branch option {number}: 'goto'",
                          allow_end=True)
    return ok


def _check_control(root: Node, checker: Checker) -> None:
    """A warning for each text with a control character (ESC and the like) in it: the
    screen shows it as a visible mark, never sends it, but it is surely a paste gone
    wrong."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.kind == "scalar":
            found = CONTROL.search(node.text)
            if found:
                mark = shown(found.group(0))
                checker.warning(node, f"the text has a control character (shown as {mark}), "
                                      "likely pasted from a terminal; take it out")
        elif node.kind == "seq":
            stack.extend(reversed(node.value or []))
        else:
            for key, value in reversed(node.pairs):
                stack.extend((value, key))


def _check_placeholders(steps: list[Node], capture_ids: set[str], checker: Checker) -> None:
    known = set(CALL_FIELDS) | capture_ids
    for step in steps:
        for phrase in items_of(step.get("say")):
            text = text_of(phrase) or ""
            for match in PLACEHOLDER.finditer(text):
                name = match.group(1)
                if name not in known:
                    hint = did_you_mean(name, known)
                    checker.warning(phrase, f"the phrase uses {{{name}}}, which is neither a "
                                            f"capture id nor {{customer}}, {{agent}} or {{ref}}"
                                            f"{hint}")


def _successors(steps: list[Node], index: int) -> list[str]:
    step = steps[index]
    branch = step.get("branch")
    if branch is not None and branch.kind == "map":
        return [t for o in items_of(branch.get("options")) if o.kind == "map"
                if (t := text_of(o.get("goto"))) is not None]
    target = text_of(step.get("next"))
    if target is not None:
        return [target]
    return [text_of(steps[index + 1].get("id")) or END] if index + 1 < len(steps) else [END]


def _check_graph(root: Node, steps: list[Node], checker: Checker) -> None:
    """Every step reachable (warning) and every step able to reach the end (error)."""
    order = [text_of(s.get("id")) or "" for s in steps]
    edges = {order[i]: _successors(steps, i) for i in range(len(steps))}
    start = text_of(root.get("start")) or order[0]
    roots = [start] + [e for e in [text_of(root.get("escalate"))] if e]

    reached: set[str] = set()
    todo = list(roots)
    while todo:
        current = todo.pop()
        if current in reached or current == END:
            continue
        reached.add(current)
        todo.extend(edges[current])

    # Backwards from the end, along reversed edges: each edge is looked at once, so the
    # time grows with the steps, not with their square.
    sources: dict[str, list[str]] = {}
    for step_id, targets in edges.items():
        for target in targets:
            sources.setdefault(target, []).append(step_id)
    leads_to_end: set[str] = {END}
    todo = [END]
    while todo:
        for source in sources.get(todo.pop(), ()):
            if source not in leads_to_end:
                leads_to_end.add(source)
                todo.append(source)

    for node, step_id in zip(steps, order, strict=True):
        if step_id not in reached:
            checker.warning(node.get("id"), f"step {step_id!r} can't be reached from the start "
                                            f"{'or the escalate step ' if len(roots) > 1 else ''}"
                                            "by any next or branch")
        if step_id not in leads_to_end:
            loop = [s for s in _follow(step_id, edges, SHOWN_LOOP + 2) if s != step_id]
            more = " and more" if len(loop) > SHOWN_LOOP else ""
            via = (f" (it only leads to {', '.join(repr(s) for s in loop[:SHOWN_LOOP])}{more})"
                   if loop else "")
            checker.error(node.get("id"), f"from step {step_id!r} the call can never reach the "
                                          f"end{via}; give the loop an exit")


# The steps a loop's error names at most: each step of a loop of thousands is reported,
# so naming them all would make the report (and its making) grow with the square.
SHOWN_LOOP = 5


def _follow(start: str, edges: dict[str, list[str]], limit: int) -> list[str]:
    """Up to `limit` steps reached from `start`, nearest first."""
    seen: dict[str, None] = {}  # in the order reached
    todo = deque([start])
    while todo and len(seen) < limit:
        current = todo.popleft()
        if current in seen or current == END:
            continue
        seen[current] = None
        todo.extend(edges[current])
    return list(seen)


def _strings(node: Node | None) -> tuple[str, ...]:
    return tuple(item.text for item in items_of(node) if not item.is_null)


def _build(root: Node, path: Path, sha256: str) -> Playbook:
    step_nodes = items_of(root.get("steps"))
    order = [text_of(s.get("id")) or "" for s in step_nodes]
    steps: list[Step] = []
    for index, node in enumerate(step_nodes):
        branch = None
        branch_node = node.get("branch")
        if branch_node is not None and not branch_node.is_null:
            branch = Branch(
                question=text_of(branch_node.get("question")) or "",
                options=tuple(Option(label=text_of(o.get("label")) or "",
                                     goto=text_of(o.get("goto")) or "")
                              for o in items_of(branch_node.get("options"))),
            )
        next_id = text_of(node.get("next"))
        if branch is None and next_id is None:
            next_id = order[index + 1] if index + 1 < len(order) else END
        steps.append(Step(
            id=order[index],
            title=text_of(node.get("title")) or "",
            do=_strings(node.get("do")),
            say=_strings(node.get("say")),
            avoid=_strings(node.get("avoid")),
            checklist=_strings(node.get("checklist")),
            capture=tuple(_capture(c) for c in items_of(node.get("capture"))),
            next=next_id,
            branch=branch,
        ))
    version = root.get("version")
    return Playbook(
        id=text_of(root.get("id")) or path.stem,
        title=text_of(root.get("title")) or "",
        summary=text_of(root.get("summary")) or "",
        version=version.value if version is not None and not version.is_null else None,
        tags=_strings(root.get("tags")),
        aliases=_strings(root.get("aliases")),
        start=text_of(root.get("start")) or order[0],
        escalate=text_of(root.get("escalate")),
        steps=tuple(steps),
        path=path,
        sha256=sha256,
    )


def _capture(node: Node) -> Capture:
    required = node.get("required")
    return Capture(
        id=text_of(node.get("id")) or "",
        label=text_of(node.get("label")) or "",
        type=text_of(node.get("type")) or "line",
        required=bool(required.value) if required is not None else False,
        choices=_strings(node.get("choices")),
        pattern=text_of(node.get("pattern")),
    )
