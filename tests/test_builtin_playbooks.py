"""The three built-in playbooks: clean, complete, and teaching what de-escalation
asks: facts and thanks before a correction, an apology only where it is owed."""

from __future__ import annotations

from pathlib import Path

import pytest

from deescalate.playbooks.catalog import Catalog, builtin_dir
from deescalate.playbooks.format import END, PLACEHOLDER, Playbook
from deescalate.playbooks.loader import check_file
from tests.conftest import BUILTINS

EXPECTED = {
    "customer-is-wrong": {"wrong", "mistaken"},
    "upset-customer": {"upset", "angry"},
    "difficult-customer": {"difficult", "demanding"},
}


def load(name: str) -> Playbook:
    book, problems = check_file(builtin_dir() / f"{name}.yaml")
    assert book is not None and problems == []
    return book


def paths(book: Playbook, start: str, stop: str) -> list[list[str]]:
    """Every simple path of step ids from `start` to `stop`."""
    found: list[list[str]] = []

    def walk(current: str, trail: list[str]) -> None:
        if current == stop:
            found.append([*trail, current])
            return
        if current == END or current in trail:
            return
        for target in book.successors(book.step(current)):
            walk(target, [*trail, current])

    walk(start, [])
    return found


def phrases(book: Playbook, step_ids: list[str]) -> str:
    return " ".join(p for s in step_ids if s != END for p in book.step(s).say).lower()


def test_the_builtins_are_the_three_we_ship() -> None:
    assert {p.stem for p in BUILTINS} == set(EXPECTED)
    assert builtin_dir().resolve() == BUILTINS[0].parent.resolve()


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: p.stem)
def test_clean_with_no_error_and_no_warning(path: Path) -> None:
    book, problems = check_file(path)
    assert problems == []
    assert book is not None and book.id == path.stem


@pytest.mark.parametrize("name", EXPECTED)
def test_complete(name: str) -> None:
    book = load(name)
    assert set(book.aliases) == EXPECTED[name]
    assert book.escalate and book.step(book.escalate).next == END
    assert book.summary and book.version == 1
    assert any(step.branch for step in book.steps)
    assert sum(bool(step.say) for step in book.steps) == len(book.steps)
    assert sum(bool(step.avoid) for step in book.steps) >= len(book.steps) - 1
    assert sum(bool(step.checklist) for step in book.steps) >= len(book.steps) - 1
    captures = list(book.captures())
    assert len(captures) >= 4
    assert any(c.required for c in captures)
    for step in book.steps:
        for phrase in step.say:
            assert len(phrase) < 160, phrase  # speakable in one breath or two


@pytest.mark.parametrize("name", EXPECTED)
def test_aliases_reach_the_playbook(name: str) -> None:
    catalog = Catalog([])
    for alias in EXPECTED[name]:
        assert catalog.find(alias).id == name


def test_customer_is_wrong_gets_the_facts_and_thanks_before_correcting() -> None:
    book = load("customer-is-wrong")
    routes = paths(book, book.start, "correct-briefly")
    assert routes
    for route in routes:
        before = route[:-1]
        assert any(c.id == "order-ref" for s in before for c in book.step(s).capture)
        assert "thank" in phrases(book, before)


def test_customer_is_wrong_branches_to_an_apology_only_when_the_facts_say_so() -> None:
    book = load("customer-is-wrong")
    decision = next(s for s in book.steps if s.branch and "right" in s.branch.question)
    by_label = {o.label.split(",")[0].lower(): o.goto for o in decision.branch.options}
    right, wrong = by_label["yes"], by_label["no"]
    right_path = paths(book, right, END)
    wrong_path = paths(book, wrong, END)
    assert all("sorry" in phrases(book, route) for route in right_path)
    for route in wrong_path:
        spoken = phrases(book, route)
        assert "sorry" not in spoken and "apologi" not in spoken, route
    assert any("apologis" in line.lower() for line in book.step(wrong).avoid)


def test_upset_customer_hears_them_before_solving() -> None:
    book = load("upset-customer")
    for route in paths(book, book.start, "offer-solution"):
        assert route.index("listen") < route.index("acknowledge") < route.index("offer-solution")


def test_difficult_customer_offers_a_fair_solution_and_handles_a_no() -> None:
    book = load("difficult-customer")
    offers = [s for s in book.steps if s.branch and "accept" in s.branch.question.lower()]
    assert offers
    targets = {o.goto for s in offers for o in s.branch.options}
    assert book.escalate in targets


@pytest.mark.parametrize("name", EXPECTED)
def test_placeholders_are_known_when_spoken(name: str) -> None:
    book = load(name)
    known_ids = {c.id for c in book.captures()} | {"customer", "agent", "ref"}
    for step in book.steps:
        for phrase in step.say:
            for match in PLACEHOLDER.finditer(phrase):
                assert match.group(1) in known_ids
