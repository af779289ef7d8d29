"""The README's quick start is what CI runs, and what it shows is what the tool does."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)


def test_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    install_and_run, install_and_test = quick_start()
    # from the checkout, so it works before a release is on the package index; the name
    # there (this project's and no other's) is given below it
    assert install_and_run.startswith("python3 -m pip install . && deescalate start")
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "`python3 -m pip install deescalate-coach`" in section
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
    from deescalate.call.keys import KEYS, help_lines

    table = README.split("| key | does |", 1)[1].split("\n\n", 1)[0]
    keys = re.findall(r"^\| `?([^`|]+?)`? \|", table, flags=re.MULTILINE)
    assert [k for k in keys if k != "---"] == [key.key for key in KEYS]
    listed = [line.split()[0] for line in help_lines() if line.startswith("  ")]
    assert listed == [key.key for key in KEYS]  # and `?` lists them all on the screen


def test_the_live_call_screen_is_a_real_80x24_screen() -> None:
    """The capture in the README fits 80x24 as the screen draws it, key line last."""
    block = README.split("in an 80x24 terminal:\n\n```text\n", 1)[1].split("\n```", 1)[0]
    lines = block.split("\n")
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
    assert lines[0].startswith("Upset customer · step 7 · Offer a solution")
    for key in (" Enter ", " n ", " m ", " 1-3 ", " b ", " s ", " e ", " p ", " h ", " c ",
                " q ", " ? keys"):
        assert key in lines[-1]  # every key that works there, at 80 columns


def _block(after: str) -> str:
    return README.split(after, 1)[1].split("```text\n", 1)[1].split("```", 1)[0]


def test_the_practice_card_is_what_a_replay_shows() -> None:
    """The README's practice, replayed with the answers it gives, ends in its card."""
    import io

    from rich.console import Console

    from deescalate.playbooks.catalog import Catalog
    from deescalate.practice.catalog import ScenarioCatalog
    from deescalate.practice.engine import Practice, run_practice
    from deescalate.practice.lines import LineTrainee
    from deescalate.text import UNICODE

    card = _block("and the end of that practice")
    answers = re.search(r"--answers '([^']+)'", README)
    assert answers is not None
    typed = [a[1:] if a.startswith("=") else "" if a == "-" else a
             for a in answers.group(1).split(",")]
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt + typed[len(prompts)])
        return typed[len(prompts) - 1]

    out = io.StringIO()
    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find("double-charge")
    trainee = LineTrainee(Console(file=out, width=80, color_system=None), UNICODE, ask)
    run_practice(Practice(case, catalog.playbook_of(case), seed=7), trainee)
    shown = "\n".join(line.rstrip() for line in out.getvalue().splitlines())
    assert card.rstrip("\n") in shown
    assert len(prompts) == len(typed)


def test_the_practice_replay_gives_the_same_card(cli) -> None:
    import json

    answers = re.search(r"--answers '([^']+)'", README)
    assert answers is not None
    result = cli("practice", "double-charge", "--seed", "7", "--json", "--answers",
                 answers.group(1))
    assert result.code == 1  # 4 of 6: not passed
    data = json.loads(result.out)
    card = _block("and the end of that practice")
    shown = [(line.split()[0] == "good", line.split(None, 1)[1]) for line in card.splitlines()
             if line.startswith(("  good ", "  missed "))]
    assert [(c["good"], c["label"]) for c in data["checks"]] == shown


def test_the_scenario_docs_example_is_valid_and_its_answers_play() -> None:
    from pathlib import Path

    from deescalate.playbooks.catalog import Catalog
    from deescalate.practice.catalog import ScenarioCatalog
    from deescalate.practice.loader import check_bytes

    doc = (REPO / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    example = doc.split("## A complete example\n\n```yaml\n", 1)[1].split("```", 1)[0]
    known = ScenarioCatalog(Catalog([])).known()
    scenario, problems = check_bytes(example.encode(), Path("double-charge.yaml"), "x", known)
    assert scenario is not None and problems == []


def test_the_answers_in_the_docs_and_the_help_play_through(cli) -> None:
    doc = (REPO / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    line = re.search(r"deescalate practice double-charge --seed 7 --answers ([0-9,]+)", doc)
    assert line is not None
    assert cli("practice", "double-charge", "--seed", "7", "--answers", line.group(1)).code == 0
    help_text = cli("practice", "run", "--help").out
    assert f"--seed 7 --answers {line.group(1)} --json" in help_text


@pytest.mark.pty
def test_the_practice_turn_is_a_real_live_screen(isolated) -> None:
    """The README's practice turn, played to on the live screen, is what it shows."""
    from tests.term import Terminal

    block = _block("A turn of `deescalate practice double-charge --seed 7`").rstrip("\n")
    term = Terminal("practice", "double-charge", "--seed", "7", columns=80, lines=24)
    term.wait_for("Any key starts the call.")
    term.press("x")
    for wait, keys in (("Your reply", ["5", "enter"]),
                       ("in your own words", ["That sounds really stressful. Tell me what "
                                              "happened.", "enter"]),
                       ("step 2 ·", ["2", "enter"]),
                       ("customer's words", ["Charged 49.90 twice for November; two emails "
                                             "unanswered", "enter"]),
                       ("step 3 ·", ["4", "enter"]), ("calm enough", ["1", "enter"])):
        term.wait_for(wait)
        term.press(*keys)
    term.wait_for("step 4 · Pin down")
    screen = term.wait_for("Your reply")

    def unclocked(text: str) -> str:
        return re.sub(r"\d\d:\d\d · mood", "00:00 · mood", text)

    assert unclocked(screen) == unclocked(block)
    term.kill()


def test_every_install_line_names_the_distribution_and_links_work_on_the_index() -> None:
    import tomllib

    name = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"]
    assert name == "deescalate-coach"
    texts = {"README.md": README, **{f"docs/{p.name}": p.read_text(encoding="utf-8")
                                     for p in (REPO / "docs").glob("*.md")}}
    for where, text in texts.items():
        for match in re.finditer(r"(?:pip|pipx|uv tool) install (?:-\S+ )*'?([\w.\[\]-]+)", text):
            package = match.group(1)
            if not package.startswith("."):  # a checkout
                assert package.split("[")[0] == name, (where, match.group(0))
    # The README is the package index's page, where a relative link leads nowhere
    for target in re.findall(r"\]\(([^)]+)\)", README):
        assert target.startswith(("https://", "#")), target


def test_the_pre_commit_lines_pin_a_release_tag() -> None:
    from deescalate import __version__

    rev = re.search(r"- repo: https://github.com/deescalate/deescalate\n  rev: (\S+)", README)
    assert rev is not None and rev.group(1) == f"v{__version__}"
