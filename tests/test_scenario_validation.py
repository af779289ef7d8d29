"""Every rule of the scenario format (docs/scenario-format.md), each with the line and
column it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from deescalate.errors import Problem, ScenarioInvalid
from deescalate.playbooks.format import Playbook
from deescalate.practice.catalog import check_files
from deescalate.practice.loader import check_bytes, load_file
from tests.practicekit import dedent, playbook

# A valid scenario; each test changes one thing in it.
GOOD = """\
id: drill-case
playbook: drill
title: Drill case
situation: You are taking a call about a drill that broke.
customer_is_right: true
mood:
  start: 4
  drift: slow
opening: My drill broke.
facts:
  order-ref: {value: AB1, words: "It's AB1.", step: feel}
  amount: {value: 12, words: It cost 12., step: feel}
steps:
  - id: greet
    lines:
      calm: Hi.
      heated: [Listen!, Hello?]
    replies:
      - say: Calm down.
        rating: poor
        breaks: 1
  - id: feel
    lines:
      tense: It's annoying.
endings:
  calmed:
    line: Thanks.
  escalated:
    line: I'll hold.
  hung-up:
    line: Bye!
"""


def known(**extra: Playbook | None) -> dict[str, Playbook | None]:
    return {"drill": playbook(), **extra}


def check(text: str, name: str = "drill-case.yaml",
          books: dict[str, Playbook | None] | None = None):
    return check_bytes(dedent(text).encode("utf-8"), Path(name), name,
                       known() if books is None else books)


def problems(text: str, **kwargs) -> list[Problem]:
    return check(text, **kwargs)[1]


def only(text: str, **kwargs) -> Problem:
    """The one problem a text has (fails if there are none or several)."""
    found = problems(text, **kwargs)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def changed(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_the_good_scenario_has_no_problems() -> None:
    scenario, found = check(GOOD)
    assert found == []
    assert scenario is not None
    assert scenario.id == "drill-case" and scenario.playbook == "drill"
    assert scenario.mood_start == 4 and scenario.drift == "slow"
    assert scenario.reaction("good") == -1 and scenario.reaction("poor") == 1
    assert scenario.fact("amount") == "12"
    greet = scenario.step("greet")
    assert greet is not None
    assert greet.lines_for("heated") == ("Listen!", "Hello?")
    assert greet.lines_for("tense") == ("Hi.",)  # the nearest band, the calmer one first
    assert scenario.hang_up_mood == 5 and scenario.calmed_mood == 2
    assert scenario.situation == "You are taking a call about a drill that broke."


def test_yaml_syntax_error_reports_its_position() -> None:
    problem = only(changed("  calm: Hi.", "  calm: [Hi."))
    assert problem.is_error and problem.line == 17  # where the parser gives up


def test_an_empty_file_is_an_error() -> None:
    problem = only("")
    assert (problem.line, problem.col) == (1, 1) and "empty" in problem.message


def test_a_list_is_not_a_scenario() -> None:
    problem = only("- one\n- two\n")
    assert (problem.line, problem.col) == (1, 1)
    assert "mapping" in problem.message


def test_unknown_top_level_key_with_a_suggestion() -> None:
    found = problems(changed("opening: My drill broke.\n",
                             "opening: My drill broke.\nsituaton: x\n"))
    assert [(p.line, p.col) for p in found] == [(10, 1)]
    assert "unknown key 'situaton'; did you mean 'situation'?" in found[0].message


@pytest.mark.parametrize("key", ["playbook", "title", "situation", "customer_is_right",
                                 "mood", "opening", "endings"])
def test_each_required_key(key: str) -> None:
    lines = dedent(GOOD).splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    text = "".join(lines[:start] + lines[end:])
    found = [p for p in problems(text) if "required" in p.message]
    assert len(found) == 1, found
    assert (found[0].line, found[0].col) == (1, 1)
    assert f"the scenario is missing the required key {key!r}" in found[0].message


@pytest.mark.parametrize(("old", "new", "where", "message"), [
    ("customer_is_right: true", "customer_is_right: maybe", (5, 20),
     "'customer_is_right' should be true or false"),
    ("  start: 4", "  start: '4'", (7, 10), "'mood': 'start' should be a whole number"),
    ("  start: 4", "  start: 6", (7, 10), "'mood': 'start' must be at most 5"),
    ("  start: 4", "  start: 0", (7, 10), "'mood': 'start' must be at least 1"),
    ("  drift: slow", "  drift: quick", (8, 10),
     "'mood': 'drift' is 'quick'; it must be one of: none, slow, fast"),
    ("        rating: poor", "        rating: bad", (20, 17),
     "it must be one of: good, fair, poor"),
    ("        rating: poor", "        rating: poor\n        mood: 4", (21, 15),
     "'mood' must be at most 3"),
    ("      - say: Calm down.\n        rating: poor\n        breaks: 1\n", "      - Calm down.\n",
     (19, 9), "'replies' item 1 should be a mapping of keys to values, not 'Calm down.'"),
    ("      calm: Hi.", "      warm: Hi.", (16, 7), "unknown key 'warm'"),
    ("      heated: [Listen!, Hello?]", "      heated: []", (17, 15),
     "'heated' needs at least 1 item"),
    ("opening: My drill broke.", "opening: ''", (9, 10), "'opening' must not be empty"),
    ("id: drill-case", "id: Drill Case", (1, 5), "not a valid id"),
    ("  - id: feel", "  - id: Feel", (22, 9), "not a valid id"),
    ("endings:\n", "pass_mark: 0\nendings:\n", (25, 12), "'pass_mark' must be at least 1"),
    ("  hung-up:\n    line: Bye!\n", "  hung-up:\n    line: Bye!\n  gone: {line: x}\n", (32, 3),
     "'endings' has an unknown key 'gone'"),
])
def test_wrong_types_and_values(old: str, new: str, where: tuple[int, int],
                                message: str) -> None:
    found = problems(changed(old, new))
    assert any(message in p.message for p in found), "\n".join(map(str, found))
    problem = next(p for p in found if message in p.message)
    assert problem.is_error and (problem.line, problem.col) == where, str(problem)


def test_a_reply_needs_words_and_a_rating() -> None:
    problem = only(changed("      - say: Calm down.\n        rating: poor\n",
                           "      - rating: poor\n"))
    assert (problem.line, problem.col) == (19, 9)
    assert problem.message == "step 'greet': 'replies' item 1 is missing the required key 'say'"


def test_a_key_given_twice() -> None:
    problem = only(changed("title: Drill case\n", "title: Drill case\ntitle: Again\n"))
    assert (problem.line, problem.col) == (4, 1)
    assert "has the key 'title' twice (first on line 3)" in problem.message


def test_the_file_name_must_make_an_id_when_there_is_no_id() -> None:
    problem = only(changed("id: drill-case\n", ""), name="Drill Case.yaml")
    assert (problem.line, problem.col) == (1, 1)
    assert "the file name 'Drill Case' can't be the scenario's id" in problem.message


def test_a_playbook_that_does_not_exist() -> None:
    problem = only(changed("playbook: drill", "playbook: dril"))
    assert (problem.line, problem.col) == (2, 11)
    assert problem.message == "no playbook is called 'dril'; did you mean 'drill'?"


def test_a_playbook_named_by_its_alias() -> None:
    from dataclasses import replace

    aliased = replace(playbook(), aliases=("practice",))
    problem = only(changed("playbook: drill", "playbook: practice"), books={"drill": aliased})
    assert (problem.line, problem.col) == (2, 11)
    assert problem.message == "'practice' is an alias; name the playbook by its id, 'drill'"


def test_a_playbook_that_has_errors() -> None:
    problem = only(GOOD, books={"drill": None})
    assert (problem.line, problem.col) == (2, 11)
    assert "the playbook 'drill' has errors" in problem.message


def test_a_step_that_does_not_exist_in_the_playbook() -> None:
    problem = only(changed("  - id: feel", "  - id: fell"))
    assert (problem.line, problem.col) == (22, 9)
    assert problem.message == ("step 'fell' is not a step of playbook 'drill' (drill.yaml); "
                               "did you mean 'feel'?")


def test_a_step_given_twice() -> None:
    problem = only(changed("  - id: feel", "  - id: greet"))
    assert (problem.line, problem.col) == (22, 9)
    assert problem.message == "the step 'greet' is given twice (first on line 14)"


def test_a_step_with_an_empty_lines_mapping() -> None:
    problem = only(changed("    lines:\n      tense: It's annoying.\n", "    lines: {}\n"))
    assert (problem.line, problem.col) == (23, 12)
    assert "step 'feel': 'lines' has no line for any mood band" in problem.message


def test_a_step_with_nothing_is_a_warning() -> None:
    problem = only(changed("    lines:\n      tense: It's annoying.\n", ""))
    assert problem.severity == "warning" and (problem.line, problem.col) == (22, 9)
    assert "step 'feel' gives the customer no line and offers no reply" in problem.message


def test_breaks_must_name_an_avoid_line_of_the_step() -> None:
    problem = only(changed("        breaks: 1", "        breaks: 2"))
    assert (problem.line, problem.col) == (21, 17)
    assert problem.message == ("step 'greet' reply 1: 'breaks' is 2, but the step has 1 "
                               "avoid line in playbook 'drill' (drill.yaml)")


def test_breaks_at_a_step_with_no_avoid_lines() -> None:
    text = changed("  - id: feel\n    lines:\n      tense: It's annoying.\n",
                   "  - id: facts\n    replies:\n      - {say: Hm., rating: fair, breaks: 1}\n")
    problem = only(text)
    assert (problem.line, problem.col) == (24, 42)
    assert "the step has no avoid lines" in problem.message


def test_a_good_reply_that_breaks_an_avoid_line_is_a_warning() -> None:
    problem = only(changed("        rating: poor", "        rating: good"))
    assert problem.severity == "warning" and (problem.line, problem.col) == (21, 17)
    assert "rated good but goes against the avoid line 1" in problem.message


def test_a_reply_that_repeats_a_playbook_line_is_a_warning() -> None:
    problem = only(changed("      - say: Calm down.", "      - say: \"Hello, I'm here to help.\""))
    assert problem.severity == "warning" and (problem.line, problem.col) == (19, 14)
    assert "is already one of the step's say lines; it would be offered twice" in problem.message


def test_a_fact_for_a_capture_the_playbook_does_not_have() -> None:
    problem = only(changed("  order-ref: {", "  order-rf: {"))
    assert (problem.line, problem.col) == (11, 3)
    assert problem.message == ("'facts' names 'order-rf', but playbook 'drill' (drill.yaml) "
                               "writes down no such thing; did you mean 'order-ref'?")


def test_a_fact_that_does_not_fit_its_field() -> None:
    problem = only(changed("value: 12,", "value: twelve,"))
    assert (problem.line, problem.col) == (12, 19)
    assert "the fact for 'amount' does not fit the field: Amount should be a number" in \
        problem.message


def test_acknowledge_must_name_a_step() -> None:
    problem = only(changed("opening:", "acknowledge: feal\nopening:"))
    assert (problem.line, problem.col) == (9, 14)
    assert problem.message == ("'acknowledge' names 'feal', but playbook 'drill' (drill.yaml) "
                               "has no such step; did you mean 'feel'?")


def test_a_customer_who_would_hang_up_before_the_first_reply() -> None:
    problem = only(changed("  start: 4", "  start: 5"))
    assert (problem.line, problem.col) == (31, 5)  # the hung-up ending
    assert problem.message == ("the customer starts at mood 5 and hangs up at 5: they would "
                               "hang up before the first reply")


def test_hanging_up_must_come_after_calm() -> None:
    found = problems(changed("    line: Bye!", "    line: Bye!\n    mood: 3",
                             changed("    line: Thanks.", "    line: Thanks.\n    mood: 3",
                                     changed("  start: 4", "  start: 2"))))
    (problem,) = [p for p in found if p.is_error]  # and a warning: she starts calm
    assert (problem.line, problem.col) == (33, 11)
    assert "hangs up at mood 3, which is not above the calmed mood 3" in problem.message


def test_a_customer_who_starts_calm_is_a_warning() -> None:
    problem = only(changed("  drift: slow", "  drift: none", changed("  start: 4", "  start: 2")))
    assert problem.severity == "warning" and (problem.line, problem.col) == (7, 10)
    assert "already calm enough to end calmed" in problem.message
    # a customer who gets crosser on their own has to be kept calm: no warning
    assert problems(changed("  start: 4", "  start: 2")) == []


def played(text: str, books: dict[str, Playbook | None] | None = None) -> list[Problem]:
    """The problems `practice validate` finds, playing the scenario too."""
    return check_bytes(dedent(text).encode("utf-8"), Path("drill-case.yaml"),
                       "drill-case.yaml", known() if books is None else books, play=True)[1]


def test_one_reply_from_the_start_that_ends_the_call_is_a_warning() -> None:
    (problem,) = played(GOOD)  # 4, and a poor reply (+1) with drift: 5.25, gone
    assert problem.severity == "warning" and (problem.line, problem.col) == (7, 10)
    assert str(problem).startswith("drill-case.yaml:7:10: warning: one reply from the start "
                                   "ends the call: after 'Calm down.'")
    assert played(changed("  start: 4", "  start: 3")) == []


def test_a_fact_asked_for_before_it_is_said_is_a_warning() -> None:
    text = changed("It cost 12., step: feel}", "It cost 12., step: close}")
    problem = only(text)
    assert problem.severity == "warning" and (problem.line, problem.col) == (12, 49)
    assert problem.message == ("the fact for 'amount' is asked for at step 'facts' before the "
                               "customer says it at 'close': no trainee can write it down")


def test_a_fact_given_as_a_bare_value_is_never_said() -> None:
    problem = only(changed("  amount: {value: 12, words: It cost 12., step: feel}",
                           "  amount: 12"))
    assert problem.severity == "warning" and (problem.line, problem.col) == (12, 11)
    assert "the customer never says it" in problem.message


def test_a_fact_said_at_no_step_of_the_playbook() -> None:
    problem = only(changed("step: feel}", "step: fel}"))
    assert problem.is_error and (problem.line, problem.col) == (11, 53)
    assert "did you mean 'feel'?" in problem.message


def test_lines_of_a_step_no_call_reaches_are_a_warning() -> None:
    from dataclasses import replace

    book = playbook()
    decide = book.step("decide")
    assert decide.branch is not None
    narrow = replace(decide, branch=replace(decide.branch, options=decide.branch.options[:1]))
    cut = replace(book, steps=tuple(narrow if s.id == "decide" else s for s in book.steps),
                  _index={})
    text = changed("endings:", "  - id: explain\n    lines:\n      calm: Oh, I see.\nendings:")
    problem = only(text, books={"drill": cut})
    assert problem.severity == "warning" and problem.line == 27
    assert "can't be reached" in problem.message and "'explain'" in problem.message


def test_a_scenario_that_can_not_be_won_is_a_warning() -> None:
    stuck = changed("  drift: slow", "  drift: none\n  good: 0\n  fair: 0",
                    changed("  start: 4", "  start: 3"))
    (problem,) = played(stuck + "pass_mark: 100\n")
    assert problem.severity == "warning" and problem.line == 27
    assert problem.message.startswith("this scenario can't be won")


def test_the_situation_speaks_to_the_trainee() -> None:
    problem = only(changed("situation: You are taking a call about a drill that broke.",
                           "situation: The customer calls about a drill."))
    assert problem.severity == "warning" and (problem.line, problem.col) == (4, 12)
    assert "should speak to the trainee as 'you'" in problem.message


def test_a_scenario_with_no_steps_is_a_warning() -> None:
    start = GOOD.index("steps:")
    end = GOOD.index("endings:")
    problem = only(GOOD[:start] + GOOD[end:])
    assert problem.severity == "warning" and (problem.line, problem.col) == (1, 1)
    assert "no lines at any step" in problem.message


def test_two_scenarios_with_one_id_in_one_folder(tmp_path: Path) -> None:
    from deescalate.playbooks.catalog import Catalog
    from deescalate.practice.catalog import ScenarioCatalog

    folder = tmp_path / "playbooks"
    (folder / "scenarios").mkdir(parents=True)
    from tests.practicekit import DRILL

    (folder / "drill.yaml").write_text(DRILL)
    first = folder / "scenarios" / "a.yaml"
    second = folder / "scenarios" / "b.yaml"
    first.write_text(dedent(GOOD))
    second.write_text(dedent(GOOD))
    from deescalate.config import Setting

    catalog = ScenarioCatalog(Catalog([Setting(folder, "test")], builtins=False))
    found = [p for p in check_files([first, second], catalog) if p.is_error]
    assert len(found) == 1
    assert found[0].path.endswith("b.yaml") and (found[0].line, found[0].col) == (1, 1)
    assert "the scenario id 'drill-case' is also used by" in found[0].message


def test_load_file_raises_the_first_error(tmp_path: Path) -> None:
    path = tmp_path / "drill-case.yaml"
    path.write_text(changed("  - id: feel", "  - id: fell"))
    with pytest.raises(ScenarioInvalid) as caught:
        load_file(path, known())
    assert ":22:9: error: step 'fell' is not a step" in caught.value.message


def test_a_file_that_is_not_utf8() -> None:
    found = check_bytes(b"title: caf\xe9\n", Path("x.yaml"), "x.yaml", known())[1]
    assert len(found) == 1 and found[0].line == 1 and "UTF-8" in found[0].message
