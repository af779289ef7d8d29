"""The practice engine: the scripted customer, the replies offered, mood, endings, going back."""

from __future__ import annotations

import pytest

from deescalate.practice.engine import MAX_TURNS, Practice, mood_level, stand_in
from deescalate.practice.matching import feeling_step, is_apology, rough_match, similarity
from deescalate.practice.model import Reply
from tests.practicekit import PERFECT_RIGHT, dedent, play, playbook, scenario


def test_the_customer_opens_then_speaks_by_mood_band() -> None:
    result, trainee = play(PERFECT_RIGHT)
    lines = [(turn.view.step.id, turn.mood, turn.band, turn.line) for turn in trainee.turns]
    assert lines[0] == ("greet", 3, "tense", "My drill broke.")  # the opening line
    assert lines[1] == ("feel", 2, "calm", "It's fine.")  # 3, a good reply: 2
    assert lines[2] == ("facts", 1, "calm", "It's AB1, and it cost 12.")
    assert lines[4][3] == ""  # no lines for `sorry`: the customer waits
    assert result.ending == "calmed" and result.ending_line == "Thanks."
    assert (result.mood_start, result.mood_end) == (3, 1)


def test_a_poor_reply_heats_the_customer_and_their_line_follows() -> None:
    _, trainee = play(['Saying "calm down"', "Calm down, it's only a drill."])
    assert [t.band for t in trainee.turns] == ["tense", "heated"]
    assert trainee.turns[1].line == "It's a disgrace!"
    # 3, +1 (poor): 4, then the scenario's own reply moves it by 2: 6, held at 5, gone.
    assert trainee.result is not None and trainee.result.ending == "hung-up"
    assert trainee.result.ending_line == "Goodbye!"


def test_the_replies_offered_are_the_steps_lines_and_the_scenarios_own() -> None:
    practice = Practice(scenario(), playbook(), seed=1)
    turn = practice.turn()
    assert sorted((r.source, r.rating, r.text) for r in turn.replies) == [
        ("avoid", "poor", 'Saying "calm down"'),
        ("say", "good", "Hello, I'm here to help."),
    ]
    practice.answer(Reply.pick(0))
    practice.move_on()
    feel = practice.turn()
    # The scenario's own reply goes against avoid line 1, so that line is not offered too.
    assert sorted((r.source, r.text, r.breaks) for r in feel.replies) == [
        ("say", "That sounds frustrating.", None),
        ("scenario", "Calm down, it's only a drill.", "Brushing it off"),
    ]


def test_the_seed_orders_the_replies_and_the_same_seed_orders_them_the_same() -> None:
    from deescalate.playbooks.catalog import Catalog
    from deescalate.practice.catalog import ScenarioCatalog

    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find("double-charge")
    book = catalog.playbook_of(case)
    orders = {}
    for seed in range(8):
        first = [r.text for r in Practice(case, book, seed=seed).turn().replies]
        again = [r.text for r in Practice(case, book, seed=seed).turn().replies]
        assert first == again
        assert len(first) == 4 and len(set(first)) == 4
        orders[seed] = tuple(first)
    assert len(set(orders.values())) > 1  # other seeds, another customer


def test_a_step_without_lines_offers_to_carry_on() -> None:
    from dataclasses import replace

    book = playbook()
    bare = replace(book.step("greet"), say=(), avoid=())
    steps = tuple(bare if s.id == "greet" else s for s in book.steps)
    practice = Practice(scenario(), replace(book, steps=steps, _index={}), seed=1)
    (only,) = practice.turn().replies
    assert only.source == "carry-on" and only.rating == "fair" and only.change == 0


def drill_case(drift: str) -> str:
    """A one-step scenario for the drill playbook, its mood drifting as `drift`."""
    return dedent("""
    id: drill-case
    playbook: drill
    title: Drill case
    situation: You are taking a call about a drill.
    customer_is_right: true
    mood: {start: 3, drift: DRIFT, good: 0}
    opening: My drill broke.
    steps:
      - id: greet
        lines: {calm: Hi.}
    endings:
      calmed: {line: Thanks.}
      escalated: {line: Holding.}
    """).replace("DRIFT", drift)


def test_drift_makes_the_customer_crosser_with_every_reply() -> None:
    text = drill_case("fast")
    practice = Practice(scenario(text=text), playbook(), seed=1)
    verdict = practice.answer(Reply.pick(next(i for i, r in enumerate(practice.turn().replies)
                                                  if r.rating == "good")))
    assert practice.mood == 3.5 and verdict.mood_after == 4  # halves round up
    assert mood_level(3.25) == 3 and mood_level(0.2) == 1 and mood_level(9) == 5


def test_the_customer_never_hangs_up_without_a_hung_up_ending() -> None:
    case = scenario()
    from dataclasses import replace

    patient = replace(case, endings=tuple(e for e in case.endings if e.kind != "hung-up"),
                      _steps={})
    assert patient.hang_up_mood is None
    small_talk = ("type", "Let's talk about the weather")  # like no line: fair, no change
    result, _ = play(['Saying "calm down"', "Calm down, it's only a drill.", small_talk,
                      small_talk, 1, small_talk, small_talk], case=patient)
    assert result.ending == "still-upset" and result.mood_end == 5
    assert result.ending_line == "(The customer is still unhappy as the call ends.)"


def test_escalating_goes_to_the_escalate_step_and_ends_escalated() -> None:
    result, trainee = play(["Hello, I'm here to help.", "escalate", "escalate",
                            "I'm bringing in my supervisor."], escalate=True)
    assert [t.view.step.id for t in trainee.turns] == ["greet", "feel", "boss", "boss"]
    assert trainee.problems == ["You are bringing in a supervisor already: reply to the "
                                "customer."]
    assert result.ending == "escalated" and result.ending_line == "I'll hold."
    assert result.escalated and result.captures["reason"] == "noted"
    assert result.visited == ("greet", "feel", "boss")


def test_a_branch_to_the_escalate_step_is_an_escalation() -> None:
    result, _ = play([*PERFECT_RIGHT[:4], 2, "I'm bringing in my supervisor."], escalate=True)
    assert result.ending == "escalated" and result.escalated


def test_explore_mode_gives_feedback_at_once_and_goes_back() -> None:
    result, trainee = play(["Hello, I'm here to help.", "Calm down, it's only a drill.",
                            "back", "back", "Hello, I'm here to help.",
                            "That sounds frustrating.", "back", "That sounds frustrating.",
                            *PERFECT_RIGHT[2:]], explore=True)
    assert [f.rating for f in trainee.feedbacks] == ["good", "poor"] + ["good"] * 7
    poor = trainee.feedbacks[1]
    assert poor.breaks == "Brushing it off" and poor.better == "That sounds frustrating."
    assert (poor.mood_before, poor.mood_after) == (2, 4)
    steps = [t.view.step.id for t in trainee.turns]
    assert steps[:8] == ["greet", "feel", "facts", "feel", "greet", "feel", "facts", "feel"]
    # back from `facts` took back the poor reply at `feel`, and its mood with it
    assert [t.mood for t in trainee.turns[:5]] == [3, 2, 4, 2, 3]
    assert trainee.problems == []
    assert [s.step for s in result.said] == ["greet", "feel", "facts", "decide", "sorry",
                                             "close"]
    assert result.card.passed and result.card.good == result.card.total


def test_back_is_refused_in_scored_mode() -> None:
    practice = Practice(scenario(), playbook(), seed=1)
    practice.answer(Reply.pick(0))
    practice.move_on()
    assert not practice.turn().can_go_back
    assert practice.back() is False


def test_a_typed_reply_is_matched_roughly() -> None:
    result, trainee = play([("type", "Hello there, I am here to help you"),
                            ("type", "Oh calm down, will you"),
                            ("type", "Let's talk about the weather"),
                            *PERFECT_RIGHT[3:]], explore=True)
    first, second, third = trainee.feedbacks[:3]
    assert first.typed and first.rating == "good" and first.matched == "Hello, I'm here to help."
    assert first.why.startswith("Rough match: most like the playbook's line")
    assert second.rating == "poor" and second.matched == "Calm down, it's only a drill."
    assert third.rating == "fair" and third.matched is None
    assert third.why.startswith("Rough match: like none of the lines")
    assert (first.mood_after, second.mood_after, third.mood_after) == (2, 4, 4)
    assert result.ending == "calmed"


def test_write_down_fields_are_checked_as_in_a_call() -> None:
    result, trainee = play(PERFECT_RIGHT, writes={"amount": "twelve"})
    assert trainee.problems == ["Amount should be a number, like 42, 19.99 or 89,00"]
    assert result.captures == {"order-ref": "AB1", "amount": 12}


def test_a_practice_that_goes_round_in_circles_ends() -> None:
    loop = ["Hello, I'm here to help.", "That sounds frustrating.",
            "Could I have your order number?", "Thanks for waiting."]
    text = drill_case("none")
    from dataclasses import replace

    from deescalate.playbooks.format import Option

    book = playbook()
    decide = book.step("decide")
    assert decide.branch is not None
    circle = replace(decide, branch=replace(decide.branch, options=(
        *decide.branch.options, Option("Again", "greet"))))
    book = replace(book, steps=tuple(circle if s.id == "decide" else s for s in book.steps),
                   _index={})
    from deescalate.practice.engine import run_practice
    from tests.practicekit import ByText

    script = ([*loop, 3]) * (MAX_TURNS // 4 + 1)
    trainee = ByText(script)
    result = run_practice(Practice(scenario(text=text), book, seed=1), trainee)
    assert result.ending == "hung-up" and len(result.said) == MAX_TURNS
    assert "going round in circles" in result.ending_line


def test_a_scenario_for_another_playbook_is_refused() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="is for playbook 'drill'"):
        Practice(scenario(), replace(playbook(), id="other", _index={}), seed=1)


@pytest.mark.parametrize(("text", "apology"), [
    ("I'm sorry. We got this wrong.", True),
    ("That should never have happened, and I apologise.", True),
    ("Please accept our apologies.", True),
    ('A vague "sorry for any inconvenience"', True),
    ("I'm sorry to hear that.", False),
    ("I'm so sorry you've had to wait, and sorry that you were cut off.", False),
    ("Thanks for waiting.", False),
])
def test_what_counts_as_an_apology(text: str, apology: bool) -> None:
    assert is_apology(text) is apology


def test_similarity_prefers_quoted_words_and_shared_words() -> None:
    assert similarity("please calm down", 'Saying "calm down" or "there\'s no need"') == 1.0
    assert similarity("", "anything") == 0.0
    assert similarity("Tell me what happened", "I'm here to help. Tell me what's happened.") \
        > similarity("Tell me what happened", "Raising your voice to match theirs")
    candidates = [("a", "Go on, I'm listening."), ("b", "Promising a date you can't keep")]
    found = rough_match("go on, I am listening to you", candidates)
    assert found is not None and found.item == "a"
    assert rough_match("zzz", candidates) is None


def test_the_feeling_step_is_named_or_found() -> None:
    book = playbook()
    assert feeling_step(book) is not None and feeling_step(book).id == "feel"  # type: ignore[union-attr]
    assert feeling_step(book, "greet").id == "greet"  # type: ignore[union-attr]


def test_stand_ins_fit_their_fields() -> None:
    from deescalate.call.engine import parse_capture
    from deescalate.playbooks.format import Capture

    for capture in (Capture("a", "A", "number", True), Capture("b", "B", "date", True),
                    Capture("c", "C", "choice", True, ("x", "y")),
                    Capture("d", "D", "yes-no", True), Capture("e", "E", "text", True)):
        assert parse_capture(capture, stand_in(capture)) is not None
