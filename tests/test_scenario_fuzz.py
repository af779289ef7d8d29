"""Scenarios are files other people write: any bytes, any YAML, never a traceback.

The case counts are the `max_examples` below: 400 byte strings, 400 YAML documents,
300 scenario-shaped documents (each valid one also played to its end by a random
trainee), and 60 files through `practice validate`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from deescalate.practice.engine import MAX_TURNS, Practice, run_practice, stand_in
from deescalate.practice.loader import check_bytes
from deescalate.practice.model import Reply
from tests.practicekit import playbook

PATH = Path("fuzzed.yaml")
BOOK = playbook()
KNOWN = {"drill": BOOK}


def check(data: bytes):
    return check_bytes(data, PATH, "fuzzed.yaml", KNOWN)


def sound(scenario: object, problems: list) -> None:
    assert scenario is not None or any(p.is_error for p in problems)
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.message
        assert problem.severity in ("error", "warning")


KEYS = ["id", "playbook", "title", "summary", "difficulty", "customer", "situation",
        "customer_is_right", "needs_escalation", "mood", "start", "drift", "good", "fair",
        "poor", "opening", "facts", "acknowledge", "steps", "lines", "calm", "tense", "heated",
        "replies", "say", "rating", "apology", "breaks", "why", "endings", "calmed",
        "escalated", "hung-up", "still-upset", "line", "pass_mark", "order-ref", "amount",
        "greet", "feel", "drill"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from([*KEYS, "slow", "poor", "good"]))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_never_raise(data: bytes) -> None:
    sound(*check(data))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_yaml_never_raises(document: object) -> None:
    sound(*check(yaml.safe_dump(document, allow_unicode=True).encode("utf-8")))


step_ids = st.sampled_from([s.id for s in BOOK.steps] + ["nope"])
lines = st.one_of(st.text(min_size=1, max_size=12),
                  st.lists(st.text(min_size=1, max_size=12), max_size=3))
replies = st.fixed_dictionaries(
    {"say": st.text(min_size=1, max_size=15),
     "rating": st.sampled_from(["good", "fair", "poor"] * 3 + ["great"])},
    optional={"mood": st.integers(-4, 4), "breaks": st.integers(0, 2),
              "apology": st.booleans(), "why": st.text(max_size=10)})
steps = st.fixed_dictionaries(
    {"id": step_ids},
    optional={"lines": st.dictionaries(st.sampled_from(["calm", "tense", "heated"] * 3
                                                       + ["warm"]),
                                       lines, max_size=3),
              "replies": st.lists(replies, max_size=3)})
shaped = st.fixed_dictionaries(
    {"playbook": st.sampled_from(["drill"] * 5 + ["dril"]),
     "title": st.text(min_size=1, max_size=10),
     "situation": st.sampled_from(["You are on a call.", "A call."]),
     "customer_is_right": st.booleans(),
     "mood": st.fixed_dictionaries({"start": st.one_of(st.integers(1, 4), st.integers(0, 6))},
                                   optional={"drift": st.sampled_from(["none", "slow", "fast"]),
                                             "good": st.integers(-3, 3),
                                             "poor": st.integers(-3, 3)}),
     "opening": st.text(min_size=1, max_size=12),
     "endings": st.fixed_dictionaries(
         {"calmed": st.fixed_dictionaries({"line": st.just("Thanks.")},
                                          optional={"mood": st.integers(1, 5)}),
          "escalated": st.just({"line": "Holding."})},
         optional={"hung-up": st.fixed_dictionaries({"line": st.just("Bye.")},
                                                    optional={"mood": st.integers(1, 5)})})},
    optional={"steps": st.lists(steps, max_size=4),
              "facts": st.dictionaries(st.sampled_from(["order-ref", "amount", "reason", "x"]),
                                       st.one_of(st.text(max_size=6), st.integers(0, 99),
                                                 st.fixed_dictionaries({
                                                     "value": st.one_of(st.text(max_size=6),
                                                                        st.integers(0, 99)),
                                                     "words": st.text(max_size=12),
                                                     "step": st.one_of(step_ids,
                                                                       st.just("opening"))})),
                                       max_size=3),
              "needs_escalation": st.booleans(),
              "acknowledge": step_ids,
              "extra": scalars})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shaped, st.data())
def test_scenario_shaped_yaml_never_raises_and_every_valid_one_plays_to_an_end(
        document: dict[str, Any], data: st.DataObject) -> None:
    document = {"id": "fuzzed", **document}
    scenario, problems = check(yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))
    sound(scenario, problems)
    event("valid, played" if scenario is not None else "refused with an error")
    if scenario is None:
        return
    practice = Practice(scenario, BOOK, seed=data.draw(st.integers(0, 10**6)),
                        explore=data.draw(st.booleans()))

    class Random:
        def begin(self, intro: Any) -> None: ...

        def reply(self, turn: Any) -> Reply:
            if turn.ended:
                return data.draw(st.sampled_from([Reply.back(), Reply.end()]))
            what = data.draw(st.sampled_from(["pick", "pick", "pick", "type", "escalate",
                                              "back"]))
            if what == "type":
                return Reply.typed(data.draw(st.text(min_size=1, max_size=20)))
            if what == "escalate":
                return Reply.escalate()
            if what == "back":
                return Reply.back()
            return Reply.pick(data.draw(st.integers(0, len(turn.replies) - 1)))

        def feedback(self, verdict: Any) -> None: ...

        def heard(self, words: str) -> None: ...

        def capture(self, capture: Any, current: Any, error: str | None) -> str | None:
            fact = scenario.fact(capture.id)
            if error is None and fact is not None:
                return fact
            return stand_in(capture) if capture.required else ""

        def choose(self, question: str, options: list[str], default: int | None = None) -> int:
            return data.draw(st.integers(0, len(options) - 1))

        def problem(self, message: str) -> None: ...

        def finish(self, result: Any) -> None: ...

    result = run_practice(practice, Random())
    event(f"ended {result.ending}")
    assert result.ending in ("calmed", "escalated", "hung-up", "still-upset")
    assert 0 < len(result.said) <= MAX_TURNS + 1
    assert 0 <= result.card.good <= result.card.total


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_practice_validate_given_any_file_answers_in_lines(cli, tmp_path: Path,
                                                          data: bytes) -> None:
    path = tmp_path / "given.yaml"
    path.write_bytes(data)
    result = cli("practice", "validate", path)
    assert result.code in (0, 1)
    assert "Traceback" not in result.out + result.err
    for line in result.out.splitlines():
        assert line.startswith(f"{path}:") or line.startswith("given.yaml:"), line
    assert result.err.startswith("1 scenario checked: ")
