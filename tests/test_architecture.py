"""The shape of the code: imports run one way, units stay short, and one owner for each
format's constants."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "deescalate"


def module_name(path: Path) -> str:
    parts = ["deescalate", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """Every module of the package that `name` imports, at the top or inside a function."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            for alias in node.names:  # `from a import b` imports a.b when b is a module
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_imports() -> None:
    assert len(MODULES) > 30
    assert {"deescalate.playbooks", "deescalate.call", "deescalate.records"} <= set(MODULES)
    assert "deescalate.records.format" in GRAPH["deescalate.records.writer"]
    assert "deescalate.records.fastreader" in GRAPH["deescalate.records.reader"]  # lazy
    assert "deescalate.safeyaml" in GRAPH["deescalate.schemacheck"]  # under TYPE_CHECKING
    assert "deescalate.cli.common" in GRAPH["deescalate.cli.records"]  # from a package


def test_the_circle_finder_finds_circles() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_round_a_circle() -> None:
    assert circles(GRAPH) == []


# The rooms, lowest first. A module imports only from its own room, the rooms below
# it and the shared modules directly in src/deescalate/, which import no room.
ROOMS = ["playbooks", "records", "call", "practice", "cli"]



def level(name: str) -> int:
    """0 for a shared module, else 1 + the room's place in ROOMS (`__main__` is the CLI's)."""
    parts = name.split(".")
    room = "cli" if parts[1:] == ["__main__"] else parts[1] if len(parts) > 1 else ""
    return ROOMS.index(room) + 1 if room in ROOMS else 0


def upward(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Each (importer, imported) where the imported module sits in a higher room."""
    return {(name, target) for name, targets in graph.items() for target in targets
            if level(target) > level(name)}


def test_the_order_finder_finds_imports_that_run_upwards() -> None:
    assert level("deescalate.config") == level("deescalate") == 0
    assert level("deescalate.schemacheck") == 0
    assert level("deescalate.cli") == level("deescalate.cli.common")  # a room's __init__
    assert 0 < level("deescalate.playbooks.schema") < level("deescalate.records.team")
    assert level("deescalate.records.index") < level("deescalate.call.live")
    assert level("deescalate.call.live") < level("deescalate.practice.engine")
    assert level("deescalate.practice.engine") < level("deescalate.cli.practice")
    assert level("deescalate.__main__") == level("deescalate.cli.common")
    graph = {"deescalate.config": {"deescalate.playbooks.schema", "deescalate.files"},
             "deescalate.call.live": {"deescalate.records.store", "deescalate.cli.common"},
             "deescalate.cli.call": {"deescalate.call.live"}}
    assert upward(graph) == {("deescalate.config", "deescalate.playbooks.schema"),
                             ("deescalate.call.live", "deescalate.cli.common")}


def test_the_rooms_import_downwards() -> None:
    """cli over practice over call over records over playbooks over the shared modules;
    lazy and TYPE_CHECKING imports count (the walk sees them all)."""
    found = upward(GRAPH)
    assert not found, f"imports that run upwards: {sorted(found)}"


def test_the_call_engine_knows_nothing_of_the_screen() -> None:
    engine_side = GRAPH["deescalate.call.engine"] | GRAPH["deescalate.call.model"]
    assert "deescalate.call.screen" not in engine_side


LONGEST = 80  # lines in a function or method, from `def` to its last line



def long_units(name: str, source: str, most: int = LONGEST) -> dict[str, int]:
    """'module:Class.function' -> its lines, for each function or method (nested ones
    too) of more than `most` lines."""
    found: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qualified = f"{prefix}{child.name}"
                size = (child.end_lineno or child.lineno) - child.lineno + 1
                if not isinstance(child, ast.ClassDef) and size > most:
                    found[f"{name}:{qualified}"] = size
                visit(child, f"{qualified}.")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def test_the_length_finder_finds_long_units() -> None:
    source = ("class A:\n"
              "    async def f(self):\n"  # 4 lines, in a class
              "        x = 1\n        y = 2\n        return x + y\n"
              "def g():\n"  # 5 lines, with 3 lines nested in it
              "    def h():\n        x = 1\n        return x\n"
              "    return h\n")
    assert long_units("m", source, most=2) == {"m:A.f": 4, "m:g": 5, "m:g.h": 3}
    assert long_units("m", source, most=4) == {"m:g": 5}
    assert long_units("m", source, most=5) == {}


def test_no_function_is_longer_than_80_lines() -> None:
    found: dict[str, int] = {}
    for name, path in MODULES.items():
        found |= long_units(name, path.read_text(encoding="utf-8"))
    assert not found, f"over {LONGEST} lines: {found}"


def test_practice_sits_over_playbooks_and_the_call_engine_and_under_the_cli() -> None:
    """Practice reads playbooks and drives the call engine; it never touches records (a
    practice is never a record), only its own screen builds on the live screen, and
    nothing but the CLI imports it."""
    assert "deescalate.practice" in MODULES and "deescalate.practice.engine" in MODULES
    for name, targets in GRAPH.items():
        if name.startswith("deescalate.practice"):
            assert not {t for t in targets if t.startswith("deescalate.records")}, name
            if name != "deescalate.practice.screen":
                assert "deescalate.call.screen" not in targets, name
            assert "deescalate.call.live" not in targets, name
        elif not name.startswith(("deescalate.cli", "deescalate.__main__")):
            assert not {t for t in targets if t.startswith("deescalate.practice")}, name
    assert "deescalate.call.engine" in GRAPH["deescalate.practice.engine"]
    assert "deescalate.schemacheck" in GRAPH["deescalate.practice.loader"]


# Fragments that only the owner of the scenario format may write: its mood bands and
# the endings no other format has.
SCENARIO_OWNED = re.compile(r"""["'](tense|heated|calmed|hung-up|still-upset)["']""")


def test_scenario_format_constants_are_written_once() -> None:
    writers = [path.relative_to(PACKAGE).as_posix() for path in MODULES.values()
               if SCENARIO_OWNED.search(path.read_text(encoding="utf-8"))]
    assert writers == ["practice/format.py"], writers


# Fragments that only the owner of the record format may write: the id's parts, the
# outcomes, the follow-up heading, the version. The id's stamp is the tool's, in dates.py.
OWNED = {
    "the record-id pattern": re.compile(r"\[0-9a-f\]\{\{?4\}"),
    "the date-time stamp": re.compile(r"\\d\{8\}|\[0-9\]\{8\}"),
    "the outcomes": re.compile(r"""["']unresolved["']"""),
    "the follow-up heading": re.compile(r"""["']## Follow-up"""),
    "the moods": re.compile(r"""["']hostile["']"""),
}
FORMAT = PACKAGE / "records" / "format.py"


@pytest.mark.parametrize("what", sorted(OWNED))
def test_record_format_constants_are_written_once(what: str) -> None:
    pattern = OWNED[what]
    writers = [path.relative_to(PACKAGE).as_posix() for path in MODULES.values()
               if pattern.search(path.read_text(encoding="utf-8"))]
    owner = "dates.py" if what == "the date-time stamp" else "records/format.py"
    assert writers == [owner], f"{what} is written in {writers}"


def test_the_record_format_owner_imports_nothing_heavy() -> None:
    tree = ast.parse(FORMAT.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree)
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in (node.names if isinstance(node, ast.Import) else
                              [ast.alias(node.module or "")])}
    assert imported <= {"__future__", "re", "pathlib", "dataclasses", "typing",
                        "deescalate.dates"}  # the stamp


def test_only_the_command_line_knows_exit_codes() -> None:
    """The library says what went wrong; the CLI alone turns that into an exit code."""
    for name, path in MODULES.items():
        if not name.startswith("deescalate.cli"):
            text = path.read_text(encoding="utf-8")
            assert "EXIT_" not in text and "exit_code" not in text, name


def test_every_kind_of_error_has_an_exit_code() -> None:
    from deescalate import errors
    from deescalate.cli import EXIT_CODES, exit_code

    kinds = [value for value in vars(errors).values() if isinstance(value, type)
             and issubclass(value, errors.DeescalateError)
             and value is not errors.DeescalateError]
    assert len(kinds) >= 8
    for kind in kinds:
        assert any(parent in EXIT_CODES for parent in kind.__mro__), kind
    assert exit_code(errors.NotFound("x")) == 2
    assert exit_code(errors.PlaybookInvalid([errors.Problem("p", 1, 1, "error", "m")])) == 2


def test_only_the_screen_imports_the_prompt_libraries() -> None:
    prompting = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("questionary", "prompt_toolkit") for n in names):
                prompting.append(name)
    assert set(prompting) == {"deescalate.call.screen", "deescalate.call.screen_keys"}
    # the screen's key bindings are the screen's own: nothing else imports them
    assert {name for name, targets in GRAPH.items()
            if "deescalate.call.screen_keys" in targets} == {"deescalate.call.screen"}
