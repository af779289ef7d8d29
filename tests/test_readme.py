"""The README's quick start is what CI runs, and what it shows is what the tool does."""

from __future__ import annotations

import re

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)


def test_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    install_and_run, install_and_test = quick_start()
    assert install_and_run.startswith("python3 -m pip install . && deescalate start")
    assert "[test]" in install_and_test and "pytest" in install_and_test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()


def test_the_validate_example_is_real(cli, isolated) -> None:
    example = README.split("$ deescalate playbooks validate playbooks/\n", 1)[1].split("```")[0]
    assert cli("init").code == 0
    assert cli("playbooks", "new", "billing-dispute").code == 0
    path = isolated / "playbooks" / "billing-dispute.yaml"
    text = path.read_text()
    text = text.replace("    say:\n      - Tell me what happened", "    sya:\n      - Tell me what "
                        "happened", 1).replace("goto: supervisor", "goto: supervisr")
    path.write_text(text)
    result = cli("playbooks", "validate", "playbooks/")
    assert result.code == 1
    assert result.out + result.err == example.lstrip("\n")


def test_every_key_in_the_key_table_is_on_the_key_line() -> None:
    from deescalate.call.screen import KEYS_HELP

    table = README.split("| key | does |", 1)[1].split("\n\n", 1)[0]
    keys = re.findall(r"^\| `?([^`|]+?)`? \|", table, flags=re.MULTILINE)
    assert [k for k in keys if k != "---"] == [k for k, _ in KEYS_HELP]
