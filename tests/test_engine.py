"""The call engine, without a terminal: every action, and every branch of the built-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from deescalate.call import engine as call_engine
from deescalate.call.engine import (
    CallEngine,
    CallPaused,
    CaptureError,
    GoBack,
    Hangup,
    Question,
    parse_capture,
    run_call,
)
from deescalate.call.model import Call
from deescalate.dates import HINT
from deescalate.playbooks.format import END, Capture
from deescalate.playbooks.loader import check_bytes
from deescalate.records.format import OUTCOMES
from tests.engine_script import (
    Clock,
    Interrupted,
    Script,
    builtin,
    end_call,
    escalate,
    new_call,
    next_step,
    note,
    rate_mood,
    round_trip,
    route_through,
    skip,
    tick,
    walk,
    wrap_up,
)
from tests.recordkit import write_call

ROOT_CAUSES = ["billing-error", "policy", "other"]
BRANCHES = [(name, step.id, index)
            for name in ("customer-is-wrong", "upset-customer", "difficult-customer")
            for step in builtin(name).steps if step.branch
            for index in range(len(step.branch.options))]


def run(engine: CallEngine, script: Script, saves: list | None = None):
    if isinstance(engine.clock, Clock):
        script.clock = engine.clock
    saved = [] if saves is None else saves
    call = run_call(engine, script, lambda c: saved.append(round_trip(c)), ROOT_CAUSES)
    assert not script.left_over(), f"answers left over: {script.left_over()}"
    return call

SOON = "2026-11-24"  # the engine counts days by the call's clock: it starts 2026-11-22


@pytest.mark.parametrize(("name", "step_id", "option"), BRANCHES,
                         ids=[f"{n}:{s}:{o}" for n, s, o in BRANCHES])
def test_every_branch_of_every_builtin(name: str, step_id: str, option: int) -> None:
    book = builtin(name)
    route = route_through(book, step_id, option)
    engine = new_call(book)
    call = run(engine, walk(book, route))
    assert [v.step for v in call.visits] == route[:-1]
    last = len(route) - 1 - route[::-1].index(step_id)  # the answer kept is the last one
    options = book.step(step_id).branch.options
    assert call.marks_for(name, step_id).answer == next(
        o.label for o in options if o.goto == route[last + 1])
    assert call.phase == "done" and call.outcome == "resolved"
    assert call.summary == "Sorted out on the call" and call.root_cause is None
    for step in (book.step(s) for s in route[:-1]):
        for capture in step.capture:
            if capture.required:
                assert call.captures[capture.id] is not None


def test_a_straight_walk_records_times_per_step() -> None:
    book = builtin("difficult-customer")
    engine = new_call(book, clock=Clock(step=10))
    route = route_through(book, "fair-offer", 0)
    call = run(engine, walk(book, route))
    assert [v.at for v in call.visits] == sorted(v.at for v in call.visits)
    assert all(v.seconds > 0 for v in call.visits)
    for before, after in zip(call.visits, call.visits[1:], strict=False):
        assert before.at + before.seconds <= after.at
    assert call.started == "2026-11-22T14:30:12Z" and call.ended is not None


def test_note_mood_and_ticks_stay_with_their_step() -> None:
    book = builtin("upset-customer")
    engine = new_call(book)
    script = Script(
        note("Charged twice\nsince March"),
        rate_mood(4),
        tick(1), tick(0), tick(1),
        rate_mood(None),
        end_call(),
        wrap_up(outcome="dropped", summary="Line dropped", root_cause="(none)"),
    )
    call = run(engine, script)
    first = call.marks_for("upset-customer", "stay-calm")
    assert [n.text for n in first.notes] == ["Charged twice\nsince March"]
    assert first.ticked == ["Took a breath before answering"]
    assert [(m.step, m.value) for m in call.mood] == [("stay-calm", 4)]
    assert call.outcome == "dropped"
    assert script.shown[-1].ticked == (True, False)
    assert script.shown[-1].mood == 4


def test_back_returns_along_the_way_taken() -> None:
    book = builtin("upset-customer")
    engine = new_call(book)
    engine.advance()
    engine.set_capture(book.step("listen").capture[0], "Concern")
    engine.advance()
    assert engine.back() == "listen"
    assert engine.back() == "stay-calm"
    assert engine.back() == "stay-calm"  # nowhere further back
    assert [v.step for v in engine.call.visits] == ["stay-calm", "listen", "acknowledge",
                                                    "listen", "stay-calm"]
    assert engine.view().can_go_back is False


def test_skip_keeps_the_reason_and_still_asks_a_branch() -> None:
    book = builtin("upset-customer")
    engine = new_call(book)
    script = Script(
        skip("Customer already calm"),
        next_step("Late delivery"),
        skip("", branch=0),
        end_call(),
        wrap_up(outcome="resolved", summary="Fine"),
    )
    call = run(engine, script)
    first = call.marks_for("upset-customer", "stay-calm")
    assert (first.skipped, first.skip_reason) == (True, "Customer already calm")
    third = call.marks_for("upset-customer", "acknowledge")
    assert call.visits[2].step == "acknowledge" and third.skipped
    assert third.skip_reason is None and third.answer is not None
    assert call.visits[3].step == "ask-questions"


def test_escalate_jumps_to_the_escalate_step_then_the_wrap_up() -> None:
    book = builtin("customer-is-wrong")
    engine = new_call(book)
    script = Script(
        escalate(),
        escalate(),  # already there: a word, and nothing skipped
        end_call(),
        wrap_up(outcome="escalated", summary="Handed to Sam", root_cause="policy"),
    )
    call = run(engine, script)
    assert [v.step for v in call.visits] == ["listen", "supervisor"]
    assert "escalation step already" in script.problems[0]
    assert call.escalated and call.root_cause == "policy"
    [(_, _, suggested)] = script.asked_in_wrap_up("outcome")
    assert suggested == OUTCOMES.index("escalated")
    assert script.headings and "escalated" in script.headings[0]


def test_escalate_without_an_escalate_step_goes_to_the_wrap_up() -> None:
    text = b"title: Tiny\nsteps:\n  - {id: one, title: One}\n  - {id: two, title: Two}\n"
    book, _ = check_bytes(text, __import__("pathlib").Path("tiny.yaml"), "tiny.yaml")
    engine = CallEngine.start(book, text.decode(), call_id="c", agent="a", customer=None,
                              reference=None, records="r", clock=Clock())
    assert engine.escalate() == END
    assert engine.call.escalated and engine.call.phase == "wrap-up"


def test_follow_up_outcome_needs_a_date_and_bad_ones_are_retried() -> None:
    book = builtin("difficult-customer")
    engine = new_call(book)
    script = Script(
        end_call(),
        wrap_up(outcome="follow-up", summary=["   ", "Refund pending"],
                root_cause="billing-error", follow_up=["next blue moon", "yesterday", SOON]),
    )
    call = run(engine, script)
    assert call.follow_up == SOON and call.summary == "Refund pending"
    yesterday = "2026-11-21"
    not_a_date = f"'next blue moon' is not a date; {HINT.format(example='2026-11-29')}"
    in_the_past = f"{yesterday} is in the past; a follow-up needs today or a later day"
    assert script.problems == ["a one-line summary is needed", "a one-line summary is needed",
                               not_a_date, not_a_date, in_the_past, in_the_past]


def test_other_outcomes_ask_no_date() -> None:
    for outcome in OUTCOMES:
        engine = new_call(builtin("upset-customer"))
        script = Script(end_call(), wrap_up(outcome=outcome, summary="S"))
        call = run(engine, script)
        assert call.outcome == outcome
        assert bool(script.asked_in_wrap_up("follow-up")) == (outcome == "follow-up")
        assert (call.follow_up is not None) == (outcome == "follow-up")


def test_no_root_causes_configured_means_no_question() -> None:
    engine = new_call(builtin("upset-customer"))
    script = Script(end_call(), wrap_up(outcome="resolved", summary="S"))
    call = run_call(engine, script, lambda c: None, [])
    assert call.phase == "done" and call.root_cause is None
    assert script.asked_in_wrap_up("root-cause") == [] and not script.left_over()


def test_bad_capture_values_get_a_message_and_another_try() -> None:
    text = b"""title: Captures
steps:
  - id: one
    title: One
    capture:
      - {id: amount, label: Amount, type: number, required: true}
      - {id: code, label: Code, pattern: '[A-Z]{2}\\d{4}'}
      - {id: when, label: When, type: date}
      - {id: ok, label: OK?, type: yes-no}
      - {id: pick, label: Pick, type: choice, choices: [Refund, Exchange]}
"""
    book, problems = check_bytes(text, __import__("pathlib").Path("c.yaml"), "c.yaml")
    assert problems == []
    engine = CallEngine.start(book, text.decode(), call_id="c", agent="a", customer=None,
                              reference=None, records="r", clock=Clock())
    script = Script(
        next_step("", "lots", "£1,250.50",  # each retried until it fits
                  "ab12", "AB1234",
                  "someday", "2026-11-01",
                  "maybe", "no",
                  "cash", "exchange"),
        wrap_up(outcome="resolved", summary="S"),
    )
    call = run(engine, script)
    assert call.captures == {"amount": 1250.5, "code": "AB1234", "when": "2026-11-01",
                             "ok": False, "pick": "Exchange"}
    assert script.problems == [
        "Amount is required", "Amount should be a number, like 42, 19.99 or 89,00",
        "Code should look like AA1234",  # an example, not the raw pattern
        f"When: 'someday' is not a date; {HINT.format(example='2026-11-29')}",
        "OK?: answer yes or no", "Pick should be one of: Refund, Exchange"]


@pytest.mark.parametrize(("kind", "raw", "value"), [
    ("number", "42", 42), ("number", "-3.5", -3.5), ("number", "£89,00", 89),
    ("number", "€1.234,50", 1234.5), ("number", "1,234.50", 1234.5), ("number", "89 EUR", 89),
    ("line", "ab", "ab"),
    ("yes-no", "Y", True), ("date", "yesterday", "2026-11-21"), ("line", "  x  ", "x"),
    ("text", "a\nb\n", "a\nb"),
])
def test_parse_capture(kind: str, raw: str, value: object) -> None:
    capture = Capture(id="c", label="C", type=kind)
    assert parse_capture(capture, raw, today=date(2026, 11, 22)) == value


@pytest.mark.parametrize("raw", ["nan", "inf", "1e999"])
def test_numbers_must_be_finite(raw: str) -> None:
    with pytest.raises(CaptureError):
        parse_capture(Capture(id="c", label="C", type="number"), raw)


def test_placeholders_fill_in_as_soon_as_known() -> None:
    book = builtin("upset-customer")
    engine = new_call(book, customer=None)
    close = book.step("close")
    engine.call.visits[-1].step = "close"
    phrases = engine.view().say
    assert "[order or account number]" in " ".join(phrases)
    assert "Thank you for your patience today, [name]." in phrases
    engine.call.captures["order-ref"] = "AB123456"
    engine.call.customer = "Dana"
    phrases = engine.view().say
    assert any("against AB123456" in p for p in phrases)
    assert "Thank you for your patience today, Dana." in phrases
    assert len(phrases) == len(close.say)


def test_ctrl_c_then_carry_on_loses_nothing() -> None:
    engine = new_call(builtin("upset-customer"))
    script = Script(
        note(Interrupted(typed="Customer said the bill")),
        ("stop", False),
        note("Customer said the bill was wrong"),
        end_call(), wrap_up(outcome="resolved", summary="S"),
    )
    saves: list = []
    call = run(engine, script, saves)
    assert script.asked[4] == ("text", ("Note", "Customer said the bill"))  # the draft is back
    assert [n.text for n in call.marks_for("upset-customer", "stay-calm").notes] == [
        "Customer said the bill was wrong"]
    assert call.draft == {}
    kept = {"note:upset-customer/stay-calm": "Customer said the bill"}
    assert any(s.draft == kept for s in saves)


def test_ctrl_c_and_stop_saves_and_pauses() -> None:
    engine = new_call(builtin("upset-customer"))
    script = Script(rate_mood(3), ("action", Interrupted()), ("stop", True))
    saves: list = []
    with pytest.raises(CallPaused):
        run(engine, script, saves)
    assert saves[-1].mood[0].value == 3 and saves[-1].phase == "steps"


def test_a_second_ctrl_c_saves_and_pauses() -> None:
    engine = new_call(builtin("upset-customer"))
    script = Script(note(Interrupted("half a no")), ("stop", KeyboardInterrupt()))
    saves: list = []
    with pytest.raises(CallPaused):
        run(engine, script, saves)
    assert saves[-1].draft == {"note:upset-customer/stay-calm": "half a no"}


def test_a_hangup_saves_without_asking() -> None:
    engine = new_call(builtin("upset-customer"))
    script = Script(("action", Hangup()))
    saves: list = []
    with pytest.raises(CallPaused):
        run(engine, script, saves)
    assert saves and not any(kind == "stop" for kind, _ in script.asked)


def test_a_saved_call_resumes_exactly_where_it_stopped() -> None:
    book = builtin("customer-is-wrong")
    engine = new_call(book)
    script = Script(
        note("First note"),
        next_step("They say they were charged twice", None),
        rate_mood(5),
        next_step(),
        next_step("AB123456", None, Interrupted()), ("stop", True),
    )
    saves: list = []
    with pytest.raises(CallPaused):
        run(engine, script, saves)
    saved = saves[-1]
    assert saved.visits[-1].step == "check-facts"
    resumed = CallEngine(book, saved, Clock())
    assert resumed.step.id == "check-facts"
    rest = Script(next_step(None, None, None, None),
                  next_step(branch=1),
                  end_call(), wrap_up(outcome="resolved", summary="S"))
    call = run(resumed, rest)
    assert rest.asked[1][1] == ("order-ref", "AB123456", None)  # typed before, offered again
    assert call.captures["customer-claim"] == "They say they were charged twice"
    assert [n.text for n in call.marks_for("customer-is-wrong", "listen").notes] == [
        "First note"]
    assert [m.value for m in call.mood] == [5]
    assert [v.step for v in call.visits] == ["listen", "appreciate", "check-facts",
                                             "weigh-facts", "correct-briefly"]


def test_the_wrap_up_resumes_at_the_question_it_stopped_at() -> None:
    engine = new_call(builtin("upset-customer"))
    script = Script(end_call(), wrap_up(outcome="follow-up", summary=Interrupted("Refund")),
                    ("stop", True))
    saves: list = []
    with pytest.raises(CallPaused):
        run(engine, script, saves)
    resumed = CallEngine(builtin("upset-customer"), saves[-1], Clock())
    rest = Script(wrap_up(summary="Refund sent", follow_up="tomorrow"))
    call = run(resumed, rest)
    assert rest.asked[0] == ("text", ("One-line summary", "Refund"))
    assert call.outcome == "follow-up" and call.summary == "Refund sent"


def test_a_step_keeps_its_marks_across_visits() -> None:
    book = builtin("upset-customer")
    engine = new_call(book)
    engine.toggle(0)
    engine.note("First visit")
    engine.advance()
    engine.back()
    assert engine.view().ticked == (True, False) and engine.view().notes == ("First visit",)
    assert engine.view().visits == 2
    engine.toggle(0)
    assert engine.call.marks_for("upset-customer", "stay-calm").ticked == []


def test_back_out_of_the_escalate_step_takes_the_escalation_back() -> None:
    engine = new_call(builtin("upset-customer"))
    engine.escalate()
    assert engine.call.escalated and engine.step.id == "supervisor"
    assert engine.escalate() is None  # already there: nothing skipped
    engine.back()
    assert not engine.call.escalated and engine.default_outcome() == "resolved"


def test_escalation_by_key_without_a_step_is_taken_back_by_esc_in_the_wrap_up() -> None:
    text = b"title: Tiny\nsteps:\n  - {id: one, title: One}\n  - {id: two, title: Two}\n"
    book, _ = check_bytes(text, __import__("pathlib").Path("tiny.yaml"), "tiny.yaml")
    engine = CallEngine.start(book, text.decode(), call_id="c", agent="a", customer=None,
                              reference=None, records="r", clock=Clock())
    engine.escalate()
    assert engine.call.escalated and engine.call.phase == "wrap-up"
    engine.wrap_up_back([])
    assert not engine.call.escalated and engine.call.phase == "steps"
    assert engine.step.id == "one" and engine.call.ended is None


def test_esc_steps_back_through_the_wrap_up() -> None:
    engine = new_call(builtin("upset-customer"))
    script = Script(
        end_call(),
        wrap_up(outcome=["follow-up",
                         GoBack()],  # Esc at the outcome: back to the step
                summary=["Refund owed",
                         GoBack("Refund owed, edited")],  # Esc at the summary: to the outcome
                root_cause=GoBack()),  # Esc at the root cause: back to the summary
        end_call(),
        wrap_up(outcome="resolved", summary="Sorted"),
    )
    call = run(engine, script)
    assert call.outcome == "resolved" and call.summary == "Sorted"
    assert [key for key, _ in script.questions] == [
        "outcome", "summary", "root-cause", "summary", "outcome",
        "outcome", "summary", "root-cause"]
    summaries = script.asked_in_wrap_up("summary")
    assert summaries[1] == ("One-line summary", "Refund owed")  # offered again, not lost
    assert summaries[2] == ("One-line summary", "Refund owed, edited")
    assert [v.step for v in call.visits] == ["stay-calm", "stay-calm"]


def test_switching_playbook_keeps_everything_and_back_crosses_over() -> None:
    upset, wrong = builtin("upset-customer"), builtin("customer-is-wrong")
    engine = new_call(upset)
    engine.note("Started as upset")
    assert wrong.path is not None
    engine.switch(wrong, wrong.path.read_text())
    assert engine.playbook.id == "customer-is-wrong" and engine.step.id == wrong.start
    engine.back()
    assert engine.playbook.id == "upset-customer" and engine.step.id == "stay-calm"
    assert engine.view().notes == ("Started as upset",)
    engine.switch(wrong, wrong.path.read_text())
    assert [b.id for b in engine.call.books] == ["upset-customer", "customer-is-wrong"]
    resumed = CallEngine({b.id: b for b in (upset, wrong)}, round_trip(engine.call), Clock())
    assert resumed.step.id == wrong.start


def test_the_handover_brief_says_what_the_call_knows() -> None:
    engine = new_call(builtin("upset-customer"))
    engine.rate_mood(5)
    engine.advance()
    engine.set_capture(builtin("upset-customer").step("listen").capture[0], "Charged twice")
    engine.note("Wants it today")
    engine.skip("Already calmer", 0)
    engine.rate_mood(3)
    engine.earlier = ["2026-11-20 upset-customer follow-up: Refund promised"]
    brief = engine.handover()
    assert brief[0] == "Handover: Upset customer"
    assert brief[1] == "Customer: Dana R. · Reference: T-1"
    assert "Mood: 5 hostile → 3 upset (cooling)" in brief[2]
    assert "In their words: Charged twice" in brief
    assert any("Wants it today" in line for line in brief)
    assert "Steps skipped:" in brief and "  Let them be heard: Already calmer" in brief
    assert "  2026-11-20 upset-customer follow-up: Refund promised" in brief


def test_a_call_saved_by_the_first_state_version_resumes() -> None:
    old = {"id": "c", "playbook": "upset-customer", "playbook_version": 1,
           "playbook_sha256": "abc", "playbook_text": "x", "playbook_path": None,
           "agent": "a", "customer": None, "reference": None, "records": "r",
           "started": "2026-11-22T14:30:12Z",
           "visits": [{"step": "stay-calm", "at": 0, "seconds": 5, "skipped": False,
                       "skip_reason": None, "ticked": ["Kept a level voice"],
                       "notes": [{"at": 3, "text": "Old note"}], "answer": None},
                      {"step": "listen", "at": 5, "seconds": 0, "skipped": False,
                       "skip_reason": None, "ticked": [], "notes": [], "answer": None}],
           "trail": ["stay-calm", "listen"], "state": 1}
    call = Call.from_dict(old)
    marks = call.marks_for("upset-customer", "stay-calm")
    assert marks.ticked == ["Kept a level voice"] and marks.notes[0].text == "Old note"
    assert call.trail == [["upset-customer", "stay-calm"], ["upset-customer", "listen"]]
    assert call.book().version == 1 and call.state == 2


def test_a_long_whole_number_keeps_every_digit() -> None:
    number = Capture(id="n", label="N", type="number")
    assert parse_capture(number, "4111 1111 1111 1111 111") == 4111111111111111111
    assert parse_capture(number, "19.99") == 19.99
    with pytest.raises(CaptureError):
        parse_capture(number, "9" * 5000)


def test_a_new_wrap_up_question_breaks_no_script_that_does_not_name_it(
        monkeypatch, tmp_path) -> None:
    """The wrap-up is the list WRAP_UP: a question added to it is asked, Esc steps over it
    like any other, and scripts that don't name it still finish their calls."""
    kept: dict[str, str] = {}
    channels = ["phone", "chat", "email"]
    channel = Question(
        "channel", "How did the customer reach us?",
        answered=lambda call: "channel" in kept,
        ask=lambda engine, asker, _: channels[asker.choose(channel.label, channels, 1)],
        set=lambda engine, value: kept.__setitem__("channel", value),
        take_back=lambda engine: kept.pop("channel", None))
    ticket = Question(
        "ticket", "Ticket to file it under",
        answered=lambda call: "ticket" in kept,
        ask=lambda engine, asker, _: asker.text(ticket.label, key=ticket.key),
        set=lambda engine, value: kept.__setitem__("ticket", value),
        take_back=lambda engine: kept.pop("ticket", None))
    wrap = call_engine.WRAP_UP
    monkeypatch.setattr(call_engine, "WRAP_UP", [*wrap[:2], channel, *wrap[2:], ticket])

    book = builtin("customer-is-wrong")
    call = run(new_call(book), walk(book, route_through(book, "weigh-facts", 0)))
    assert call.phase == "done" and call.summary == "Sorted out on the call"
    assert kept == {"channel": "chat", "ticket": "Answered by the test script"}

    kept.clear()
    engine = new_call(builtin("difficult-customer"))
    script = Script(end_call(), wrap_up(outcome="follow-up", summary=["Refund", "Refund sent"],
                                        channel=["email", GoBack(), None],  # Esc: to the summary
                                        root_cause=[GoBack(), "policy"],  # Esc: to the channel
                                        follow_up=SOON, ticket="T-9"))
    call = run(engine, script)
    assert [key for key, _ in script.questions] == [
        "outcome", "summary", "channel", "root-cause", "channel", "summary", "channel",
        "root-cause", "follow-up", "ticket"]
    assert kept == {"channel": "chat", "ticket": "T-9"}
    assert (call.summary, call.root_cause, call.follow_up) == ("Refund sent", "policy", SOON)

    kept.clear()  # the records tests' calls, too, answer it and are written
    path = write_call(tmp_path, started=datetime(2026, 11, 20, 9, tzinfo=UTC),
                      outcome="follow-up", follow_up=date(2026, 11, 27))
    assert path.is_file() and kept["channel"] == "chat"


def test_a_script_naming_no_such_question_fails_loudly() -> None:
    with pytest.raises(AssertionError, match="no wrap-up question is called"):
        wrap_up(chanel="email")
