"""Every command documents itself with an example, and start-up stays lazy."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import typer

from deescalate import __version__
from deescalate.cli import COMMANDS, LazyGroup, app


def all_commands() -> list[tuple[str, ...]]:
    """Every command path, e.g. ('playbooks', 'list'), walking the real command tree."""
    root = typer.main.get_command(app)
    assert isinstance(root, LazyGroup)
    found: list[tuple[str, ...]] = []

    def walk(command, path: tuple[str, ...]) -> None:
        found.append(path)
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                walk(command.get_command(None, name), (*path, name))

    walk(root, ())
    return found


COMMAND_PATHS = all_commands()


def test_the_tree_has_the_commands_we_document() -> None:
    assert ("playbooks", "validate") in COMMAND_PATHS
    assert ("init",) in COMMAND_PATHS and ("config",) in COMMAND_PATHS


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "deescalate")
def test_every_command_has_help_with_an_example(cli, path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.code == 0
    assert result.out.startswith("Usage: deescalate")
    assert "Example" in result.out
    assert "deescalate " + " ".join(path) in result.out.split("Example", 1)[1]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_root_help_lists_each_command_with_its_own_summary(cli, name: str) -> None:
    command = typer.main.get_command(app).get_command(None, name)
    summary = COMMANDS[name][2]
    assert command.help.strip().splitlines()[0] == summary
    assert f"  {name}" in cli("--help").out


def test_start_help_names_every_key_of_the_call() -> None:
    """The keys in `start --help` are prose; this keeps them in step with the key table."""
    from deescalate.call.keys import KEYS
    from deescalate.cli.call import start

    keys = " ".join((start.__doc__ or "").split("\n\n", 2)[1].split())
    for key in KEYS:
        assert re.search(rf"(^|[ ;,]){re.escape(key.key)} ", keys), key.key


def test_version(cli) -> None:
    result = cli("--version")
    assert result.code == 0 and result.out == f"deescalate {__version__}\n"


def test_a_mistyped_command_gets_a_suggestion(cli) -> None:
    result = cli("playbok")
    assert result.code == 2
    assert "Did you mean 'playbooks'?" in result.err


def test_python_dash_m_works() -> None:
    done = subprocess.run([sys.executable, "-m", "deescalate", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == f"deescalate {__version__}\n"


def modules_after(*args: str) -> set[str]:
    code = (f"import sys; from deescalate.cli import run; code = run({list(args)!r}); "
            "print(code); print(' '.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    lines = done.stdout.strip().splitlines()
    assert lines[-2] == "0", done.stdout + done.stderr
    return set(lines[-1].split())


def test_help_imports_neither_rich_nor_questionary_nor_yaml() -> None:
    loaded = modules_after("--help")
    assert not {"rich", "questionary", "prompt_toolkit", "yaml"} & loaded


def test_playbook_commands_never_import_questionary() -> None:
    for args in (["playbooks", "list"], ["playbooks", "validate"], ["playbooks", "show", "upset"]):
        loaded = modules_after(*args)
        assert "questionary" not in loaded and "prompt_toolkit" not in loaded, args
