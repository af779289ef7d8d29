"""Every validation rule of the playbook format (docs/playbook-format.md), each with the
line it reports."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from deescalate.errors import Problem
from deescalate.playbooks.catalog import check_files
from deescalate.playbooks.loader import check_bytes, check_file


def check(text: str, name: str = "book.yaml") -> tuple[object, list[Problem]]:
    data = textwrap.dedent(text).lstrip("\n").encode("utf-8")
    return check_bytes(data, Path(name), name)


def only(text: str, name: str = "book.yaml") -> Problem:
    """The one problem a text has (fails if there are none or several)."""
    _, problems = check(text, name)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


GOOD = """\
id: sample
title: Sample
steps:
  - id: one
    title: One
  - id: two
    title: Two
"""


def test_a_good_playbook_has_no_problems() -> None:
    book, problems = check(GOOD)
    assert problems == []
    assert book is not None
    assert [s.id for s in book.steps] == ["one", "two"]
    assert book.steps[0].next == "two" and book.steps[1].next == "end"
    assert book.start == "one"


def test_yaml_syntax_error_reports_its_position() -> None:
    problem = only("""
    title: Broken
    steps:
      - id: one
        title: [unclosed
    """)
    assert problem.severity == "error"
    assert problem.line == 5
    assert "book.yaml:5:" in str(problem)


def test_tabs_and_bad_indentation_are_syntax_errors() -> None:
    problem = only("title: x\nsteps:\n\t- id: one\n")
    assert problem.line == 3 and problem.is_error


def test_unknown_key_suggests_the_close_one() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        sya: [Hello]
    """)
    assert (problem.line, problem.col) == (5, 5)
    assert "unknown key 'sya'" in problem.message
    assert "did you mean 'say'?" in problem.message


def test_unknown_top_level_key() -> None:
    problem = only("""
    title: Sample
    escalation: boss
    steps:
      - {id: one, title: One}
    """)
    assert problem.line == 2
    assert "did you mean 'escalate'?" in problem.message


def test_wrong_type_points_at_the_value() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        do: Take a breath
    """)
    assert (problem.line, problem.col) == (5, 9)
    assert "'do' should be a list" in problem.message


def test_version_must_be_a_whole_number() -> None:
    problem = only("""
    title: Sample
    version: 1.5
    steps:
      - {id: one, title: One}
    """)
    assert problem.line == 2 and "whole number" in problem.message


def test_required_must_be_true_or_false() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        capture:
          - {id: x, label: X, required: maybe}
    """)
    assert problem.line == 6 and "true or false" in problem.message


def test_unknown_capture_type_lists_the_types() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        capture:
          - id: x
            label: X
            type: texts
    """)
    assert problem.line == 8
    assert "line, text, number, choice, yes-no, date" in problem.message
    assert "did you mean 'text'?" in problem.message


def test_missing_required_keys_point_at_their_mapping() -> None:
    _, problems = check("""
    summary: no title here
    steps:
      - id: one
      - title: Two
    """)
    found = {(p.line, p.message) for p in problems}
    assert (1, "the playbook is missing the required key 'title'") in found
    assert (3, "step 'one' is missing the required key 'title'") in found
    assert (4, "step 2 is missing the required key 'id'") in found


def test_steps_must_not_be_empty() -> None:
    problem = only("title: Sample\nsteps: []\n")
    assert problem.line == 2 and "at least 1 item" in problem.message


def test_empty_file() -> None:
    problem = only("")
    assert problem.line == 1 and "empty" in problem.message


def test_bad_step_id() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: Stay Calm
        title: One
    """)
    assert (problem.line, problem.col) == (3, 9)
    assert "not a valid id" in problem.message


def test_bad_playbook_id_and_file_name() -> None:
    assert only(GOOD.replace("id: sample", "id: _sample")).line == 1
    problem = only(GOOD.replace("id: sample\n", ""), name="My Book.yaml")
    assert "file name 'My Book'" in problem.message


def test_end_is_a_reserved_step_id() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
      - id: end
        title: End
    """)
    assert problem.line == 5 and "reserved" in problem.message


def test_duplicate_step_id() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
      - id: one
        title: Again
    """)
    assert problem.line == 5
    assert "step id 'one' is used twice (first on line 3)" in problem.message


def test_duplicate_capture_id_across_steps() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        capture:
          - {id: order, label: Order}
      - id: two
        title: Two
        capture:
          - {id: order, label: Order again}
    """)
    assert problem.line == 10 and "capture id 'order' is used twice" in problem.message


def test_duplicate_yaml_key() -> None:
    problem = only("""
    title: Sample
    title: Again
    steps:
      - {id: one, title: One}
    """)
    assert problem.line == 2 and "twice" in problem.message


def test_duplicate_playbook_ids_in_one_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    problems = check_files([tmp_path / "a.yaml", tmp_path / "b.yaml"])
    assert len(problems) == 1
    assert problems[0].path.endswith("b.yaml") and problems[0].line == 1
    assert "'sample' is also used by" in problems[0].message


def test_same_id_in_another_folder_is_an_override_not_a_problem(tmp_path: Path) -> None:
    for folder in ("team", "mine"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "sample.yaml").write_text(GOOD)
    assert check_files([tmp_path / "team/sample.yaml", tmp_path / "mine/sample.yaml"]) == []


def test_alias_that_names_another_playbook_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD.replace("id: sample", "id: other\naliases: [sample]"))
    (problem,) = check_files([tmp_path / "a.yaml", tmp_path / "b.yaml"])
    assert problem.severity == "warning" and problem.line == 2


@pytest.mark.parametrize(("key", "line"), [("next: three", 5), ("goto", 9)])
def test_next_and_goto_must_name_a_step(key: str, line: int) -> None:
    if key == "goto":
        text = """
        title: Sample
        steps:
          - id: one
            title: One
            branch:
              question: Which?
              options:
                - {label: A, goto: two}
                - {label: B, goto: tow}
          - id: two
            title: Two
        """
    else:
        text = """
        title: Sample
        steps:
          - id: one
            title: One
            next: three
          - id: two
            title: Two
        """
    problem = only(text)
    assert problem.line == line and "no such step" in problem.message
    if key == "goto":
        assert "did you mean 'two'?" in problem.message


@pytest.mark.parametrize("key", ["start", "escalate"])
def test_start_and_escalate_must_name_a_step(key: str) -> None:
    problem = only(f"""
    title: Sample
    {key}: nowhere
    steps:
      - {{id: one, title: One}}
    """)
    assert problem.line == 2 and f"'{key}' names 'nowhere'" in problem.message


def test_next_and_branch_on_one_step() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        next: two
        branch:
          question: Which?
          options:
            - {label: A, goto: two}
            - {label: B, goto: end}
      - id: two
        title: Two
    """)
    assert problem.line == 6 and "both 'next' and 'branch'" in problem.message


def test_choice_without_choices() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        capture:
          - id: pick
            label: Pick
            type: choice
    """)
    assert problem.line == 6 and "has no 'choices'" in problem.message


def test_choices_and_pattern_only_where_they_apply() -> None:
    _, problems = check("""
    title: Sample
    steps:
      - id: one
        title: One
        capture:
          - id: n
            label: N
            type: number
            choices: [a]
            pattern: '^\\d+$'
    """)
    assert [(p.line, p.severity) for p in problems] == [(9, "error"), (10, "error")]


def test_pattern_must_be_a_valid_regex() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        capture:
          - id: code
            label: Code
            pattern: '[A-Z'
    """)
    assert (problem.line, problem.col) == (8, 18)
    assert "not a valid regular expression" in problem.message


def test_unreachable_step_is_a_warning() -> None:
    book, problems = check("""
    title: Sample
    steps:
      - id: one
        title: One
        next: end
      - id: lost
        title: Lost
    """)
    assert book is not None  # a warning does not make it unusable
    (problem,) = problems
    assert problem.severity == "warning" and problem.line == 6
    assert "'lost' can't be reached" in problem.message


def test_the_escalate_step_counts_as_reachable() -> None:
    _, problems = check("""
    title: Sample
    escalate: boss
    steps:
      - id: one
        title: One
        next: end
      - id: boss
        title: Boss
    """)
    assert problems == []


def test_a_loop_with_no_exit_is_an_error() -> None:
    _, problems = check("""
    title: Sample
    steps:
      - id: one
        title: One
      - id: two
        title: Two
        next: three
      - id: three
        title: Three
        next: two
    """)
    assert [(p.line, p.severity) for p in problems] == [(3, "error"), (5, "error"), (8, "error")]
    assert "give the loop an exit" in problems[1].message


def test_a_loop_with_an_exit_is_fine() -> None:
    _, problems = check("""
    title: Sample
    steps:
      - id: listen
        title: Listen
      - id: check
        title: Check
        branch:
          question: Calm yet?
          options:
            - {label: Not yet, goto: listen}
            - {label: Yes, goto: end}
    """)
    assert problems == []


def test_unknown_placeholder_is_a_warning() -> None:
    problem = only("""
    title: Sample
    steps:
      - id: one
        title: One
        say: ["Thanks, {customer}. Your order {ordr} is here."]
        capture:
          - {id: order, label: Order}
    """)
    assert problem.severity == "warning" and problem.line == 5
    assert "{ordr}" in problem.message and "did you mean 'order'?" in problem.message


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    _, problems = check("""
    titel: Sample
    steps:
      - id: one
        title: One
        sya: [hi]
      - id: one
        title: Two
        next: nowhere
    """)
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert len([p for p in problems if p.is_error]) >= 4


def test_text_fields_take_yaml_booleans_and_numbers_as_written() -> None:
    book, problems = check("""
    title: 2024
    steps:
      - id: one
        title: Yes
        branch:
          question: Right?
          options:
            - {label: Yes, goto: end}
            - {label: No, goto: end}
    """)
    assert problems == []
    assert book.title == "2024"
    assert [o.label for o in book.steps[0].branch.options] == ["Yes", "No"]


def test_problems_print_as_file_line_col_severity_message(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("title: x\nsteps: nope\n")
    _, problems = check_file(path)
    assert str(problems[0]).endswith("x.yaml:2:8: error: 'steps' should be a list, not 'nope' "
                                     "(start each item on its own line with '- ')")


def test_many_files_are_checked_in_parallel_with_the_same_findings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deescalate.playbooks import catalog

    paths = []
    for n in range(catalog.PARALLEL_FROM + 6):
        path = tmp_path / f"book-{n:03d}.yaml"
        path.write_text(GOOD.replace("id: sample", f"id: book-{n:03d}"))
        paths.append(path)
    paths[3].write_text(GOOD.replace("title: One", "titel: One"))
    paths[40].write_text(GOOD.replace("id: sample", "id: book-007"))
    parallel = check_files(paths)
    monkeypatch.setattr(catalog, "PARALLEL_FROM", 10**6)
    serial = check_files(paths)
    assert parallel == serial
    assert [(Path(p.path).name, p.line) for p in parallel if p.is_error] == [
        ("book-003.yaml", 4), ("book-003.yaml", 5), ("book-040.yaml", 1)]


def _chain(count: int, last_next: str | None) -> bytes:
    lines = ["title: Long", "steps:"]
    for n in range(count):
        lines += [f"  - id: s{n}", f"    title: Step {n}"]
    if last_next:
        lines.append(f"    next: {last_next}")
    return ("\n".join(lines) + "\n").encode()


def test_validation_grows_with_the_steps_not_their_square() -> None:
    """A chain of 9,900 steps (the most the YAML caps let in) is checked in well under
    a second: the graph is walked once, backwards from the end."""
    started = time.perf_counter()
    book, problems = check_bytes(_chain(9_900, None), Path("long.yaml"), "long.yaml")
    took = time.perf_counter() - started
    assert book is not None and problems == []
    assert took < 1.5, f"took {took:.2f} s"


def test_a_long_loop_names_a_few_of_its_steps() -> None:
    """Every step of a loop without exit is reported, each naming the first few steps it
    leads to, not all of them: the report stays linear in the steps."""
    started = time.perf_counter()
    _, problems = check_bytes(_chain(3_000, "s0"), Path("loop.yaml"), "loop.yaml")
    took = time.perf_counter() - started
    loops = [p for p in problems if "never reach the end" in p.message]
    assert len(loops) == 3_000
    assert loops[0].message == ("from step 's0' the call can never reach the end (it only "
                                "leads to 's1', 's2', 's3', 's4', 's5' and more); give the "
                                "loop an exit")
    assert took < 1.5, f"took {took:.2f} s"
