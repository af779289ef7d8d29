"""Reading a scenario from a YAML file: every problem at once, or a valid `Scenario`.

A scenario is checked against the playbook it names: its steps, the captures its
facts fill in, the `avoid` lines its replies go against. The caller says which
playbooks there are (`Playbooks`: an id to a valid playbook, or to None for one that
has errors), so the loader never searches folders itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from deescalate import safeyaml
from deescalate.call.engine import CaptureError, parse_capture
from deescalate.errors import DeescalateError, Problem, ScenarioInvalid
from deescalate.playbooks.catalog import builtin_dir
from deescalate.playbooks.format import Playbook
from deescalate.playbooks.loader import Checker, display_path
from deescalate.practice.format import (
    BANDS,
    CALMED,
    CALMED_MOOD,
    DIFFICULTIES,
    ENDINGS,
    HANG_UP_MOOD,
    HUNG_UP,
    OPENING,
    PASS_MARK,
    RATINGS,
    REACTIONS,
    Ending,
    Fact,
    OwnReply,
    Scenario,
    ScenarioStep,
)
from deescalate.practice.schema import SCHEMA
from deescalate.safeyaml import Node, items_of, text_of
from deescalate.schemacheck import ID_HINT, ID_PATTERN, check_node, did_you_mean

Playbooks = Mapping[str, "Playbook | None"]  # id -> the playbook, or None if it has errors

_ID = re.compile(ID_PATTERN)
_BUILTIN = builtin_dir().resolve()
_SECOND_PERSON = re.compile(r"\b(you|your|you're|you've|yours)\b", re.IGNORECASE)


def check_file(path: Path, playbooks: Playbooks, *,
               play: bool = False) -> tuple[Scenario | None, list[Problem]]:
    """Read and check one scenario file; every problem is returned, none raised. `play`
    also plays it (`practice validate`): can it be won, can one reply end it?"""
    display = display_path(path)
    try:
        data = safeyaml.read_bytes(path, what="scenario")
    except DeescalateError as exc:
        return None, [Problem(display, 1, 1, "error", exc.message.removeprefix(f"{path}: "))]
    return check_bytes(data, path, display, playbooks, play=play)


def load_file(path: Path, playbooks: Playbooks) -> Scenario:
    """A valid scenario from a file, or a DeescalateError saying what is wrong."""
    data = safeyaml.read_bytes(path, what="scenario")
    scenario, problems = check_bytes(data, path, display_path(path), playbooks)
    if scenario is None:
        raise ScenarioInvalid(problems)
    return scenario


def playbook_named(data: bytes) -> str | None:
    """The playbook id a scenario's text names, if it can be read at all (for finding the
    scenarios of a playbook without checking them)."""
    try:
        root = safeyaml.compose(safeyaml.decode(data))
    except safeyaml.YamlError:
        return None
    if root is None or root.kind != "map":
        return None
    return text_of(root.get("playbook"))


def check_bytes(data: bytes, path: Path, display: str, playbooks: Playbooks, *,
                play: bool = False) -> tuple[Scenario | None, list[Problem]]:
    checker = Checker(display)
    try:
        root = safeyaml.compose(safeyaml.decode(data))
    except safeyaml.YamlError as exc:
        return None, [Problem(display, exc.line, exc.col, "error", exc.message)]
    if root is None:
        checker.error(None, "the file is empty; a scenario needs a playbook, a title, a "
                            "situation, a mood, an opening line and its endings")
        return None, checker.problems
    check_node(root, SCHEMA, "", checker.error, subject="the scenario", root=SCHEMA)
    if root.kind != "map":
        return None, checker.problems
    book = _check_meaning(root, path, playbooks, checker)
    if checker.failed or book is None:
        return None, sorted(checker.problems, key=lambda p: (p.line, p.col))
    scenario = _build(root, path, hashlib.sha256(data).hexdigest())
    if play:
        _check_play(root, scenario, book, checker)
    return scenario, sorted(checker.problems, key=lambda p: (p.line, p.col))


def _check_play(root: Node, scenario: Scenario, book: Playbook, checker: Checker) -> None:
    """What only playing the scenario shows: one reply that ends it, no way to win it."""
    from deescalate.practice.walk import first_reply_ends, winnable

    mood = _map(root.get("mood"))
    ends = first_reply_ends(scenario, book)
    if ends is not None:
        checker.warning(mood.get("start") if mood else root,
                        f"one reply from the start ends the call: after {ends!r} the customer "
                        f"hangs up at once; start them calmer, or make that reply move the "
                        f"mood less")
    if not winnable(scenario, book):
        checker.warning(root.key_node("endings") or root,
                        "this scenario can't be won: no way through it with the best replies "
                        "passes the score card; check the moods, the endings and "
                        "needs_escalation")


def _int(node: Node | None) -> int | None:
    if node is None or node.kind != "scalar" or isinstance(node.value, bool) \
            or not isinstance(node.value, int):
        return None
    return node.value


def _bool(node: Node | None) -> bool | None:
    if node is None or node.kind != "scalar" or not isinstance(node.value, bool):
        return None
    return node.value


def _map(node: Node | None) -> Node | None:
    return node if node is not None and node.kind == "map" else None


def _check_meaning(root: Node, path: Path, playbooks: Playbooks,
                   checker: Checker) -> Playbook | None:
    """The rules that need the whole scenario, or the playbook it names; that playbook."""
    if root.get("id") is None and not _ID.match(path.stem):
        checker.error(None, f"the file name {path.stem!r} can't be the scenario's id "
                            f"({ID_HINT}); add an `id:` line or rename the file")
    _check_moods(root, checker)
    situation = root.get("situation")
    text = text_of(situation)
    if text and not _SECOND_PERSON.search(text):
        checker.warning(situation, "the situation should speak to the trainee as 'you' "
                                   "(\"You were charged twice...\")")
    book = _playbook(root.get("playbook"), playbooks, checker)
    step_nodes = [s for s in items_of(root.get("steps")) if s.kind == "map"]
    if root.get("steps") is None or not step_nodes:
        checker.warning(root.key_node("steps") or root,
                        "the scenario gives the customer no lines at any step; after the "
                        "opening line they would only wait")
    if book is None:
        return None
    _check_steps(step_nodes, book, checker)
    _check_facts(_map(root.get("facts")), book, checker)
    _check_reach(step_nodes, book, checker)
    acknowledge = root.get("acknowledge")
    name = text_of(acknowledge)
    step_ids = [step.id for step in book.steps]
    if name is not None and _ID.match(name) and name not in step_ids:
        checker.error(acknowledge, f"'acknowledge' names {name!r}, but playbook "
                                   f"{_named(book)} has no such step"
                                   f"{did_you_mean(name, step_ids)}")
    return book


def _named(book: Playbook) -> str:
    """A playbook in a message about what it lacks: its id, and its file when it is not a
    built-in one (an override, a draft), since that is the file to look at."""
    if book.path is None or book.path.parent.resolve() == _BUILTIN:
        return repr(book.id)
    return f"{book.id!r} ({display_path(book.path)})"


def _playbook(node: Node | None, playbooks: Playbooks, checker: Checker) -> Playbook | None:
    name = text_of(node)
    if node is None or name is None or not _ID.match(name):
        return None  # missing or malformed: the schema check said so
    if name in playbooks:
        found = playbooks[name]
        if found is None:
            checker.error(node, f"the playbook {name!r} has errors; `deescalate playbooks "
                                f"validate` shows them")
        return found
    for book in playbooks.values():
        if book is not None and name in book.aliases:
            checker.error(node, f"{name!r} is an alias; name the playbook by its id, "
                                f"{book.id!r}")
            return None
    checker.error(node, f"no playbook is called {name!r}{did_you_mean(name, list(playbooks))}")
    return None


def _check_moods(root: Node, checker: Checker) -> None:
    mood = _map(root.get("mood"))
    start = _int(mood.get("start")) if mood else None
    endings = _map(root.get("endings"))
    calmed = _map(endings.get(CALMED)) if endings else None
    hung_up = _map(endings.get(HUNG_UP)) if endings else None
    calm_at = _int(calmed.get("mood")) if calmed else None
    hang_at = _int(hung_up.get("mood")) if hung_up else None
    calm_value = calm_at if calm_at is not None else CALMED_MOOD
    if hung_up is not None:
        hang_value = hang_at if hang_at is not None else HANG_UP_MOOD
        where = (hung_up.get("mood") or hung_up) if hung_up else None
        if start is not None and start >= hang_value:
            checker.error(where, f"the customer starts at mood {start} and hangs up at "
                                 f"{hang_value}: they would hang up before the first reply")
        elif calm_value >= hang_value:
            checker.error(where, f"the customer hangs up at mood {hang_value}, which is not "
                                 f"above the calmed mood {calm_value}")
    drift = text_of(mood.get("drift")) if mood else None
    if start is not None and mood is not None and start <= calm_value and drift == "none":
        checker.warning(mood.get("start"), f"the customer starts at mood {start}, already "
                                           f"calm enough to end calmed (at {calm_value} or "
                                           f"below), and never gets crosser (drift: none): "
                                           f"there is nothing to calm")


def _check_steps(steps: list[Node], book: Playbook, checker: Checker) -> None:
    seen: dict[str, Node] = {}
    step_ids = [step.id for step in book.steps]
    for node in steps:
        id_node = node.get("id")
        step_id = text_of(id_node)
        if id_node is None or step_id is None or not _ID.match(step_id):
            continue
        if step_id in seen:
            checker.error(id_node, f"the step {step_id!r} is given twice "
                                   f"(first on line {seen[step_id].line})")
            continue
        seen[step_id] = id_node
        if step_id not in step_ids:
            checker.error(id_node, f"step {step_id!r} is not a step of playbook "
                                   f"{_named(book)}{did_you_mean(step_id, step_ids)}")
            continue
        step = book.step(step_id)
        lines = node.get("lines")
        if lines is not None and lines.kind == "map" and not lines.pairs:
            checker.error(lines, f"step {step_id!r}: 'lines' has no line for any mood band "
                                 f"({', '.join(BANDS)})")
        replies = items_of(node.get("replies"))
        if (lines is None or lines.is_null) and not replies:
            checker.warning(id_node, f"step {step_id!r} gives the customer no line and "
                                     "offers no reply; leave it out")
        playbook_lines = {" ".join(line.split()).lower(): kind
                          for kind, group in (("say", step.say), ("avoid", step.avoid))
                          for line in group}
        for number, reply in enumerate(replies, 1):
            if reply.kind != "map":
                continue
            name = f"step {step_id!r} reply {number}"
            breaks_node = reply.get("breaks")
            breaks = _int(breaks_node)
            if breaks is not None and breaks >= 1 and breaks > len(step.avoid):
                have = (f"has {len(step.avoid)} avoid line{'s' if len(step.avoid) != 1 else ''}"
                        if step.avoid else "has no avoid lines")
                checker.error(breaks_node, f"{name}: 'breaks' is {breaks}, but the step "
                                           f"{have} in playbook {_named(book)}")
            elif breaks is not None and text_of(reply.get("rating")) == "good":
                checker.warning(breaks_node, f"{name} is rated good but goes against the "
                                             f"avoid line {breaks}")
            said = text_of(reply.get("say"))
            kind = playbook_lines.get(" ".join((said or "").split()).lower())
            if kind:
                checker.warning(reply.get("say"), f"{name} is already one of the step's "
                                                  f"{kind} lines; it would be offered twice")


def _check_facts(facts: Node | None, book: Playbook, checker: Checker) -> None:
    if facts is None:
        return
    captures = {capture.id: capture for capture in book.captures()}
    asked_at = {capture.id: step.id for step in book.steps for capture in step.capture}
    step_ids = [step.id for step in book.steps]
    for key, value in facts.pairs:
        name = text_of(key)
        if name is None:
            continue
        capture = captures.get(name)
        if capture is None:
            checker.error(key, f"'facts' names {name!r}, but playbook {_named(book)} writes "
                               f"down no such thing{did_you_mean(name, list(captures))}")
            continue
        given = _map(value)
        value_node = given.get("value") if given else value
        text = text_of(value_node)
        if text is None or value_node is None or value_node.kind != "scalar":
            continue  # the schema check said so
        try:
            parse_capture(capture, text)
        except CaptureError as exc:
            checker.error(value_node, f"the fact for {name!r} does not fit the field: {exc}")
        if given is None:
            checker.warning(value, f"the fact for {name!r} has no words and no step, so the "
                                   f"customer never says it and the score card won't ask "
                                   f"for it; give `value`, `words` and `step`")
            continue
        step_node = given.get("step")
        where = text_of(step_node)
        if where is None or not _ID.match(where) or where == OPENING:
            continue
        if where not in step_ids:
            checker.error(step_node, f"the fact for {name!r} is said at {where!r}, which is "
                                     f"not a step of playbook {_named(book)} nor "
                                     f"{OPENING!r}{did_you_mean(where, step_ids)}")
        elif asked_at[name] not in _reachable(book, where, escalating=False):
            checker.warning(step_node, f"the fact for {name!r} is asked for at step "
                                       f"{asked_at[name]!r} before the customer says it at "
                                       f"{where!r}: no trainee can write it down")


def _reachable(book: Playbook, start: str, *, escalating: bool) -> set[str]:
    """The steps a call can reach from `start`, itself included (and the escalate step
    from anywhere, when `escalating`)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        step_id = todo.pop()
        if step_id in seen or step_id not in {s.id for s in book.steps}:
            continue
        seen.add(step_id)
        todo += book.successors(book.step(step_id))
        if escalating and book.escalate:
            todo.append(book.escalate)
    return seen


def _check_reach(steps: list[Node], book: Playbook, checker: Checker) -> None:
    """A step's lines are spoken only where a call can get to."""
    reached = _reachable(book, book.start, escalating=True)
    for node in steps:
        step_id = text_of(node.get("id"))
        if step_id in {s.id for s in book.steps} and step_id not in reached and node.get("lines"):
            checker.warning(node.get("lines"), f"step {step_id!r} can't be reached from the "
                                               f"start of playbook {_named(book)}, so its "
                                               f"lines are never spoken")


def _spoken(node: Node | None) -> str:
    """Words someone says: one line, however the YAML folded or broke them."""
    return " ".join((text_of(node) or "").split())


def _strings(node: Node | None) -> tuple[str, ...]:
    if node is not None and node.kind == "scalar" and not node.is_null:
        return (_spoken(node),)
    return tuple(_spoken(item) for item in items_of(node)
                 if item.kind == "scalar" and not item.is_null)


def _fact(key: Node, value: Node) -> Fact:
    given = _map(value)
    if given is None:
        return Fact(key.text, value.text)
    return Fact(key.text, (given.get("value") or value).text, _spoken(given.get("words")),
                text_of(given.get("step")))


def _build(root: Node, path: Path, sha256: str) -> Scenario:
    mood = _map(root.get("mood"))
    assert mood is not None
    steps = []
    for node in items_of(root.get("steps")):
        lines = _map(node.get("lines"))
        steps.append(ScenarioStep(
            id=text_of(node.get("id")) or "",
            lines=tuple((name, _strings(lines.get(name))) for name in BANDS
                        if lines is not None and _strings(lines.get(name))),
            replies=tuple(OwnReply(
                say=_spoken(reply.get("say")),
                rating=text_of(reply.get("rating")) or RATINGS[1],
                mood=_int(reply.get("mood")),
                apology=_bool(reply.get("apology")),
                breaks=_int(reply.get("breaks")),
                why=_spoken(reply.get("why")),
                answer=_spoken(reply.get("answer")),
            ) for reply in items_of(node.get("replies"))),
        ))
    endings_node = _map(root.get("endings"))
    assert endings_node is not None
    endings = []
    for kind in ENDINGS:
        ending = _map(endings_node.get(kind))
        if ending is not None:
            endings.append(Ending(kind, _spoken(ending.get("line")),
                                  _int(ending.get("mood"))))
    facts = _map(root.get("facts"))
    reactions = {rating: _int(mood.get(rating)) for rating in RATINGS}
    return Scenario(
        id=text_of(root.get("id")) or path.stem,
        title=_spoken(root.get("title")),
        summary=_spoken(root.get("summary")),
        playbook=text_of(root.get("playbook")) or "",
        situation=_spoken(root.get("situation")),
        customer=text_of(root.get("customer")),
        customer_is_right=bool(_bool(root.get("customer_is_right"))),
        needs_escalation=bool(_bool(root.get("needs_escalation"))),
        difficulty=text_of(root.get("difficulty")) or DIFFICULTIES[1],
        opening=_spoken(root.get("opening")),
        mood_start=_int(mood.get("start")) or 3,
        drift=text_of(mood.get("drift")) or "slow",
        reactions=tuple((rating, value if value is not None else REACTIONS[rating])
                        for rating, value in reactions.items()),
        facts=tuple(_fact(key, value) for key, value in (facts.pairs if facts else [])
                    if (value.kind == "scalar" and not value.is_null) or value.kind == "map"),
        acknowledge=text_of(root.get("acknowledge")),
        steps=tuple(steps),
        endings=tuple(endings),
        pass_mark=_int(root.get("pass_mark")) or PASS_MARK,
        path=path,
        sha256=sha256,
    )


