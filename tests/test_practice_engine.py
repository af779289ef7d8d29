"""The practice engine: the scripted customer, the replies offered, mood, endings, going back."""

from __future__ import annotations

import pytest

from deescalate.practice.engine import MAX_TURNS, Practice, mood_level, stand_in
from deescalate.practice.matching import feeling_step, is_apology, similarity
from deescalate.practice.model import Reply
from tests.practicekit import PERFECT_RIGHT, dedent, play, playbook, scenario


def test_the_customer_opens_then_answers_each_reply_by_the_mood_it_left() -> None:
    result, trainee = play(PERFECT_RIGHT)
    lines = [(turn.view.step.id, turn.mood, turn.band, turn.line) for turn in trainee.turns]
    assert lines[0] == ("greet", 3, "tense", "My drill broke.")  # the opening line
    # a good reply at `greet` (3 to 2): the customer answers it with greet's calm line
    assert lines[1] == ("feel", 2, "calm", "Hi again.")
    assert lines[2] == ("facts", 1, "calm", "It's fine.")
    # at `facts` the answer gives the facts, in the customer's words
    assert lines[3] == ("decide", 1, "calm", "Sure. It's AB1. It cost 12.")
    assert lines[4][3] == "So?" and lines[5][3] == ""  # no lines for `sorry`: they wait
    assert trainee.heard_lines == ["Hi again.", "It's fine.", "Sure. It's AB1. It cost 12.",
                                   "So?"]
    assert result.ending == "calmed" and result.ending_line == "Thanks."
    assert (result.mood_start, result.mood_end) == (3, 1)


def test_each_turn_opens_with_the_answer_to_the_reply_before() -> None:
    result, trainee = play(PERFECT_RIGHT)
    for said, turn in zip(result.said, trainee.turns[1:], strict=False):
        assert turn.line == said.reaction
    assert result.said[0].line == "My drill broke."


def test_a_poor_reply_heats_the_customer_and_their_answer_follows() -> None:
    _, trainee = play(["Oh, here we go.", "Calm down, it's only a drill."])
    assert [t.band for t in trainee.turns] == ["tense", "heated"]
    assert trainee.turns[1].line == "Listen to me!"  # greet's heated line answers it
    # 3, +1 (poor): 4, then the scenario's own reply moves it by 2: 6, held at 5, gone.
    assert trainee.result is not None and trainee.result.ending == "hung-up"
    assert trainee.result.ending_line == "Goodbye!"
    assert trainee.heard_lines == ["Listen to me!"]  # no answer from a customer who hangs up


def test_the_replies_offered_are_speech_never_avoid_lines() -> None:
    practice = Practice(scenario(), playbook(), seed=1)
    turn = practice.turn()
    assert sorted((r.source, r.rating, r.text) for r in turn.replies) == [
        ("say", "good", "Hello, I'm here to help."),
        ("scenario", "poor", "Oh, here we go."),
    ]
    practice.answer(Reply.pick(0))
    practice.move_on()
    feel = practice.turn()
    assert sorted((r.source, r.text, r.breaks) for r in feel.replies) == [
        ("say", "That sounds frustrating.", None),
        ("scenario", "Calm down, it's only a drill.", "Brushing it off"),
    ]
    book = playbook()
    for step in book.steps:
        assert not {r.text for r in feel.replies} & set(step.avoid)


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
    bare = replace(book.step("facts"), say=(), avoid=())
    steps = tuple(bare if s.id == "facts" else s for s in book.steps)
    practice = Practice(scenario(), replace(book, steps=steps, _index={}), seed=1)
    for _ in range(2):  # greet and feel, to the step with no lines of its own or ours
        practice.answer(Reply.pick(next(i for i, r in enumerate(practice.turn().replies)
                                        if r.rating == "good")))
        practice.move_on()
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
    result, _ = play(["Oh, here we go.", "Calm down, it's only a drill.", small_talk,
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


def test_explore_mode_takes_back_a_hang_up() -> None:
    result, trainee = play(["Oh, here we go.", "Calm down, it's only a drill.", "back",
                            "That sounds frustrating.", *PERFECT_RIGHT[2:]], explore=True)
    ended = [t for t in trainee.turns if t.ended]
    assert len(ended) == 1 and ended[0].line == "Goodbye!" and ended[0].can_go_back
    assert ended[0].view.step.id == "feel"
    # back on the line at `feel`, at the mood before the reply that lost them
    after = trainee.turns[trainee.turns.index(ended[0]) + 1]
    assert after.view.step.id == "feel" and after.mood == 4 and not after.ended
    assert result.ending == "calmed"
    assert [s.step for s in result.said][:2] == ["greet", "feel"]


def test_explore_mode_can_end_after_a_hang_up() -> None:
    result, trainee = play(["Oh, here we go.", "Calm down, it's only a drill."], explore=True)
    assert trainee.turns[-1].ended
    assert result.ending == "hung-up" and len(result.said) == 2


def test_explore_mode_gives_feedback_at_once_and_goes_back() -> None:
    result, trainee = play(["Hello, I'm here to help.", "Calm down, it's only a drill.",
                            "back", "back", "Hello, I'm here to help.",
                            "That sounds frustrating.", "back", "That sounds frustrating.",
                            *PERFECT_RIGHT[2:]], explore=True)
    assert [f.rating for f in trainee.feedbacks] == ["good", "poor"] + ["good"] * 7
    poor = trainee.feedbacks[1]
    assert poor.breaks == "Brushing it off" and poor.better == "That sounds frustrating."
    assert trainee.feedbacks[0].reasons == ""  # the say line shows no named quality
    assert "acknowledged the feeling" not in trainee.feedbacks[0].reasons
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


def test_a_typed_reply_is_judged_by_what_it_does() -> None:
    result, trainee = play([("type", "I get it, a broken drill is really annoying."),
                            ("type", "Oh calm down, will you"),
                            ("type", "Let's talk about the weather"),
                            *PERFECT_RIGHT[3:]], explore=True)
    first, second, third = trainee.feedbacks[:3]
    assert first.typed and first.rating == "good"
    assert "\u2018I get it\u2019 acknowledged the feeling" in first.reasons
    assert second.rating == "poor" and "\u2018calm down\u2019 told them to calm down" \
        in second.reasons
    assert second.breaks and second.better == "That sounds frustrating."
    assert third.rating == "fair" and "Nothing in it" in third.why
    assert (first.mood_after, second.mood_after, third.mood_after) == (2, 3, 3)
    # own words that acknowledge the feeling count, wherever they are said
    assert result.card.check("feeling") is not None
    assert result.card.check("feeling").good  # type: ignore[union-attr]


def test_an_apology_in_own_words_is_poor_when_the_fault_is_not_ours() -> None:
    from tests.practicekit import PERFECT_WRONG

    _, trainee = play([("type", "I'm so sorry, that's our mistake."), *PERFECT_WRONG[1:]],
                      right=False, explore=True)
    assert trainee.feedbacks[0].rating == "poor" and trainee.feedbacks[0].apology
    assert "fault that isn't ours" in trainee.feedbacks[0].reasons


def test_the_mood_drift_is_stated_when_it_shows() -> None:
    practice = Practice(scenario(text=drill_case("fast")), playbook(), seed=1)
    good = next(i for i, r in enumerate(practice.turn().replies) if r.rating == "good")
    verdict = practice.answer(Reply.pick(good))
    assert verdict.drifted and verdict.change == 0 and verdict.mood_after == 4


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


def test_a_scenario_reply_can_have_its_own_answer() -> None:
    text = dedent("""
    id: drill-case
    playbook: drill
    title: Drill case
    situation: You are taking a call about a drill.
    customer_is_right: true
    mood: {start: 3, drift: none}
    opening: My drill broke.
    steps:
      - id: greet
        lines: {calm: Hi., tense: Well?, heated: Listen!}
        replies:
          - {say: "Oh, here we go.", rating: poor, answer: "Here we go? I've only just started!"}
    endings:
      calmed: {line: Thanks.}
      escalated: {line: Holding.}
    """)
    for said, answered in (("Oh, here we go.", "Here we go? I've only just started!"),
                           ("Hello, I'm here to help.", "Hi.")):  # else: the mood's line
        practice = Practice(scenario(text=text), playbook(), seed=1)
        texts = [r.text for r in practice.turn().replies]
        verdict = practice.answer(Reply.pick(texts.index(said)))
        assert verdict.reaction == answered == practice.said[-1].reaction


@pytest.mark.parametrize(("scenario_id", "offers"), [
    ("worn-jacket-refund", ("repair", "twenty percent")),
    ("broken-blender", ("credit",)),
    ("parcel-safe-place", ("trace",)),
    ("sofa-delivery", ("saturday",)),
])
def test_an_offer_is_answered_only_after_it_is_made(scenario_id: str,
                                                    offers: tuple[str, ...]) -> None:
    """In any walk, the customer speaks of an offer only in answer to the reply making it."""
    from deescalate.playbooks.catalog import Catalog
    from deescalate.practice.catalog import ScenarioCatalog
    from deescalate.practice.walk import any_reply, best, walk

    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find(scenario_id)
    book = catalog.playbook_of(case)
    heard = 0
    for seed in range(25):
        for pick in (any_reply, best(case)):
            result, _ = walk(case, book, seed=seed, pick=pick, plan=[seed % 2, 1])
            made: set[str] = set()
            for said in result.said:
                replied = said.verdict.said.lower() if said.verdict else ""
                made |= {offer for offer in offers if offer in replied}
                for offer in offers:
                    if offer in said.reaction.lower():
                        heard += 1
                        assert offer in made, (said.step, replied, said.reaction)
    assert heard > 0  # the offers were made and answered in some walks
