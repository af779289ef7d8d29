"""Exact score cards: scripted answers whose checks are known in advance."""

from __future__ import annotations

from dataclasses import replace

from deescalate.practice.score import Check, ScoreCard
from tests.practicekit import PERFECT_RIGHT, PERFECT_WRONG, card, play, scenario

GREET, FEEL, FACTS, DECIDE = PERFECT_RIGHT[:4]
SORRY = "I'm sorry, we got this wrong."
EXPLAIN = "Here's what the records show."
CLOSE = "Is there anything else I can do?"
BOSS = "I'm bringing in my supervisor."
OURS, THEIRS, STUCK = 0, 1, 2


def test_a_perfect_call_where_the_customer_is_right() -> None:
    result, _ = play(PERFECT_RIGHT)
    assert result.card.checks == (
        Check("feeling", "Acknowledged the customer's feeling", True,
              "At \u201cName it\u201d you said: That sounds frustrating."),
        Check("facts", "Wrote down the facts the customer gave", True,
              "All 2 facts the customer gave are written down."),
        Check("avoid", "No harmful reply", True,
              "Every reply kept clear of what the playbook says to avoid."),
        Check("apology", "Apologised, as the facts favour the customer", True,
              "At \u201cSay sorry\u201d you said: I'm sorry, we got this wrong."),
        Check("escalation", "Resolved it without a supervisor", True,
              "You kept the call and did not escalate it."),
        Check("mood", "Left the customer calm (mood 2 or below)", True,
              "Mood 3 to 1 at the end of the call."),
    )
    assert (result.card.good, result.card.total, result.card.passed) == (6, 6, True)


def test_a_perfect_call_where_the_customer_is_wrong() -> None:
    result, _ = play(PERFECT_WRONG, right=False)
    apology = result.card.check("apology")
    assert apology == Check("apology", "No apology for a fault that isn't ours", True,
                            "The facts favour us, and you did not apologise.")
    assert result.card.good == 6


def test_the_apology_rule_no_apology_where_the_facts_call_for_one() -> None:
    result, _ = play([GREET, FEEL, FACTS, DECIDE, THEIRS, EXPLAIN, CLOSE], right=True)
    assert card(result) == {"feeling": True, "facts": True, "avoid": True, "apology": False,
                            "escalation": True, "mood": True}
    assert result.card.check("apology") == Check(
        "apology", "Apologised, as the facts favour the customer", False,
        "The facts favour the customer, and there was no apology.",
        "I'm sorry, we got this wrong.")
    assert result.card.passed  # 5 of 6 is 83%, over the pass mark of 80%


def test_the_apology_rule_an_apology_where_the_facts_call_for_none() -> None:
    result, _ = play([GREET, FEEL, FACTS, DECIDE, OURS, SORRY, CLOSE], right=False)
    assert card(result) == {"feeling": True, "facts": True, "avoid": True, "apology": False,
                            "escalation": True, "mood": True}
    # `sorry` has no other line, so the better one is where the other answer leads
    assert result.card.check("apology") == Check(
        "apology", "No apology for a fault that isn't ours", False,
        "At \u201cSay sorry\u201d you said: I'm sorry, we got this wrong.",
        "Here's what the records show.")


def test_an_apology_to_avoid_misses_two_checks() -> None:
    wrong_apology = "Sorry, that was us."
    result, _ = play([GREET, FEEL, FACTS, DECIDE, THEIRS, wrong_apology, CLOSE], right=False)
    assert card(result) == {"feeling": True, "facts": True, "avoid": False, "apology": False,
                            "escalation": True, "mood": True}
    assert result.card.check("avoid") == Check(
        "avoid", "No harmful reply", False,
        f"At \u201cExplain\u201d you said \u201c{wrong_apology}\u201d (Apologising for a "
        "fault that isn't ours, such as \"sorry, that was us\").",
        "Here's what the records show.")
    assert result.card.check("apology") == Check(
        "apology", "No apology for a fault that isn't ours", False,
        f"At \u201cExplain\u201d you said: {wrong_apology}", "Here's what the records show.")
    assert not result.card.passed  # 4 of 6


def test_a_poor_apology_is_not_the_apology_the_facts_call_for() -> None:
    vague = "Sorry for any inconvenience."
    result, _ = play([GREET, FEEL, FACTS, DECIDE, OURS, vague, CLOSE], right=True)
    apology = result.card.check("apology")
    assert apology is not None and not apology.good
    assert apology.detail == f"The only apology was one to avoid: {vague}"
    assert apology.better == SORRY


def test_facts_not_written_down() -> None:
    result, _ = play(PERFECT_RIGHT, writes={"order-ref": "AB2", "amount": ""})
    assert result.card.check("facts") == Check(
        "facts", "Wrote down the facts the customer gave", False,
        "Order number: 'AB2' (the customer said: \u201cIt's AB1.\u201d); Amount: left empty "
        "(the customer said: \u201cIt cost 12.\u201d).", "Could I have your order number?")


def test_a_fact_never_said_is_never_asked_for() -> None:
    case = scenario()
    told_later = replace(case, facts=tuple(replace(f, step="close") for f in case.facts),
                         _steps={})
    result, _ = play(PERFECT_RIGHT, writes={"order-ref": "", "amount": ""}, case=told_later)
    assert result.card.check("facts") is None  # said only after the step that asks


def test_facts_are_compared_as_their_fields_read_them() -> None:
    result, _ = play(PERFECT_RIGHT, writes={"order-ref": " ab1 ", "amount": "12.0"})
    assert card(result)["facts"] is True


def test_the_feeling_not_acknowledged() -> None:
    result, _ = play([GREET, "Calm down, it's only a drill.", FACTS, DECIDE, OURS, SORRY,
                      CLOSE])
    assert result.card.check("feeling") == Check(
        "feeling", "Acknowledged the customer's feeling", False,
        "At \u201cName it\u201d you said: Calm down, it's only a drill.",
        "That sounds frustrating.")
    assert card(result)["avoid"] is False  # it goes against the step's avoid line too


def test_escalation_needed_and_taken() -> None:
    result, _ = play([GREET, FEEL, FACTS, DECIDE, STUCK, BOSS], escalate=True)
    assert result.card.check("escalation") == Check(
        "escalation", "Brought in a supervisor, as this call needs", True,
        "You escalated the call.")
    assert result.ending == "escalated"


def test_escalation_needed_and_not_taken() -> None:
    result, _ = play(PERFECT_RIGHT, escalate=True)
    assert result.card.check("escalation") == Check(
        "escalation", "Brought in a supervisor, as this call needs", False,
        "The call needed a supervisor, and you did not escalate it.", BOSS)


def test_escalation_not_needed_and_taken() -> None:
    result, _ = play([GREET, "escalate", BOSS])
    assert card(result) == {"feeling": False, "avoid": True, "apology": False,
                            "escalation": False, "mood": True}
    assert result.card.check("escalation") == Check(
        "escalation", "Resolved it without a supervisor", False,
        "You escalated at \u201cName it\u201d, though you could have resolved it.",
        "That sounds frustrating.")
    assert result.card.check("feeling") == Check(
        "feeling", "Acknowledged the customer's feeling", False,
        "At \u201cName it\u201d you did not reply.", "That sounds frustrating.")
    assert result.card.check("facts") is None  # the customer never gave them


def test_a_customer_who_hangs_up() -> None:
    result, _ = play(["Oh, here we go.", "Calm down, it's only a drill."])
    assert result.ending == "hung-up"
    assert result.card.check("mood") == Check(
        "mood", "Left the customer calm (mood 2 or below)", False,
        "Mood 3 to 5: the customer hung up.", "That sounds frustrating.")
    assert card(result) == {"feeling": False, "avoid": False, "apology": False,
                            "escalation": True, "mood": False}
    assert result.card.good == 1 and not result.card.passed


def test_the_pass_mark_is_the_scenarios() -> None:
    strict = replace(scenario(), pass_mark=100, _steps={})
    result, _ = play([GREET, FEEL, FACTS, DECIDE, THEIRS, EXPLAIN, CLOSE], case=strict)
    assert (result.card.good, result.card.total, result.card.passed) == (5, 6, False)
    assert ScoreCard((), 80).passed  # nothing to check, nothing missed


def test_the_card_as_json() -> None:
    result, _ = play(PERFECT_RIGHT)
    data = result.to_dict()
    assert data["passed"] is True and data["score"] == {"good": 6, "of": 6, "pass_mark": 80}
    assert data["ending"] == "calmed" and data["mood"] == {"start": 3, "end": 1}
    assert [c["id"] for c in data["checks"]] == ["feeling", "facts", "avoid", "apology",
                                                 "escalation", "mood"]
    assert data["turns"][0]["customer"] == "My drill broke."
    assert data["turns"][0]["reply"] == GREET and data["turns"][0]["rating"] == "good"
    assert sorted(data["turns"][0]["offered"]) == ["Hello, I'm here to help.",
                                                   "Oh, here we go."]
    assert data["turns"][0]["customer_answer"] == "Hi again."
    assert data["turns"][2]["facts_given"] == ["order-ref", "amount"]
    assert data["captures"] == {"order-ref": "AB1", "amount": 12}
