"""`deescalate practice`: list, validate, schema, and scenarios played from --answers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from deescalate.playbooks.catalog import Catalog
from deescalate.practice.catalog import ScenarioCatalog
from deescalate.practice.engine import Practice, run_practice, stand_in
from tests.conftest import REPO
from tests.practicekit import DRILL, good_answers, scenario

SCENARIOS = sorted((REPO / "playbooks" / "scenarios").glob("*.yaml"))
# The branch options (1 is the first) a good agent takes in each built-in scenario.
WAY = {
    "double-charge": [1, 1, 1],  # ready to work on it; the fault is ours; they accept
    "parcel-safe-place": [1, 2, 1],  # ready; outside our control; they accept
    "missing-discount": [1],  # the customer was right after all
    "annual-renewal": [2, 1],  # the records show otherwise; she chose an option
    "broken-blender": [1],  # Alex accepts the offer
    "worn-jacket-refund": [2, 2],  # one more fair option; then the supervisor
    "late-fee-twice": [1],  # partly right: the second fee is ours
    "sofa-delivery": [1],  # Ben accepts the Saturday slot and the refund
}


def answers_for(scenario_id: str, seed: int) -> str:
    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find(scenario_id)
    return good_answers(Practice(case, catalog.playbook_of(case), seed=seed), WAY[scenario_id])


def practice_folder(isolated: Path) -> Path:
    return isolated.parent / "home" / ".local/share/deescalate/practice"


def test_each_builtin_playbook_has_scenarios_one_right_one_not_one_hard() -> None:
    catalog = ScenarioCatalog(Catalog([]))
    entries = catalog.effective()
    assert sorted(e.id for e in entries) == sorted(WAY)
    for book in ("upset-customer", "customer-is-wrong", "difficult-customer"):
        cases = catalog.of(book)
        assert len(cases) >= 2, book
        assert {c.customer_is_right for c in cases} == {True, False}, book
        assert "hard" in {c.difficulty for c in cases}, book


def test_list_shows_each_scenario_with_its_playbook(cli) -> None:
    result = cli("practice", "list")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "PLAYBOOK", "LEVEL", "FAVOURS", "TITLE"]
    rows = {line.split()[0]: line.split()[1] for line in lines[1:] if line.strip()
            and not line.startswith(" ")}
    assert rows == {"annual-renewal": "customer-is-wrong", "missing-discount":
                    "customer-is-wrong", "broken-blender": "difficult-customer",
                    "worn-jacket-refund": "difficult-customer",
                    "double-charge": "upset-customer", "parcel-safe-place": "upset-customer",
                    "late-fee-twice": "customer-is-wrong", "sofa-delivery": "difficult-customer"}


def test_list_json_and_a_team_override(cli, write) -> None:
    text = (REPO / "playbooks/scenarios/double-charge.yaml").read_text()
    write("team/scenarios/double-charge.yaml", text.replace("Charged twice for one bill",
                                                            "Our own double charge"))
    entries = json.loads(cli("practice", "list", "--json", "--playbooks", "team").out)
    ours = next(e for e in entries if e["id"] == "double-charge")
    assert ours["title"] == "Our own double charge" and ours["source"] == "--playbooks flag"
    assert [o["source"] for o in ours["overrides"]] == ["built-in"]
    assert ours["playbook"] == "upset-customer" and ours["customer_is_right"] is True
    assert "OVERRIDES" in cli("practice", "list", "--playbooks", "team").out


def test_validate_the_builtins_no_error_no_warning(cli) -> None:
    result = cli("practice", "validate")
    assert result.code == 0
    assert result.out == ""
    assert result.err == "8 scenarios checked: no problems\n"


def test_validate_reports_problems_with_their_lines_and_exits_1(cli, write) -> None:
    write("team/drill.yaml", DRILL)
    write("team/scenarios/drill-case.yaml", """\
        id: drill-case
        playbook: drill
        title: Drill case
        situation: The customer calls.
        customer_is_right: true
        mood: {start: 3}
        opening: Hello.
        steps:
          - id: greeet
            lines: {calm: Hi.}
        endings:
          calmed: {line: Thanks.}
          escalated: {line: Holding.}
        """)
    result = cli("practice", "validate", "team")
    assert result.code == 1
    assert result.out.splitlines() == [
        "team/scenarios/drill-case.yaml:4:12: warning: the situation should speak to the "
        "trainee as 'you' (\"You were charged twice...\")",
        "team/scenarios/drill-case.yaml:9:9: error: step 'greeet' is not a step of playbook "
        "'drill' (team/drill.yaml); did you mean 'greet'?",
    ]
    assert result.err == "1 scenario checked: 1 error, 1 warning\n"


def test_validate_a_missing_path_is_bad_usage(cli) -> None:
    result = cli("practice", "validate", "nope.yaml")
    assert result.code == 2 and result.err == "deescalate: nope.yaml: no such file or folder\n"


def test_playbooks_validate_says_when_a_renamed_step_breaks_a_scenario(cli, write) -> None:
    text = (REPO / "playbooks/upset-customer.yaml").read_text()
    write("team/upset-customer.yaml", text.replace("id: listen\n", "id: hear-them\n")
          .replace("goto: listen\n", "goto: hear-them\n"))
    result = cli("playbooks", "validate", "team")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 3
    for line, name, where in zip(lines[::2], ("double-charge", "parcel-safe-place"),
                                 ("50:9", "54:9"), strict=True):
        assert line == (f"{REPO / 'playbooks/scenarios' / name}.yaml:{where}: error: step "
                        "'listen' is not a step of playbook 'upset-customer' "
                        "(team/upset-customer.yaml)")
    # a fact said at the renamed step is reported too
    assert lines[1].startswith(f"{REPO / 'playbooks/scenarios/parcel-safe-place.yaml'}:25:11: "
                               "error: the fact for 'customer-concern' is said at 'listen'")
    assert result.err.splitlines() == ["1 playbook checked: no problems",
                                       "2 scenarios checked against it: 3 errors, 0 warnings"]


def test_playbooks_validate_checks_the_builtin_scenarios_too(cli) -> None:
    result = cli("playbooks", "validate")
    assert result.code == 0 and result.out == ""
    assert "8 scenarios checked against them: no problems" in result.err


def test_a_scenarios_folder_is_not_taken_for_playbooks(cli, write) -> None:
    write("team/drill.yaml", DRILL)
    write("team/scenarios/drill-case.yaml", "playbook: drill\n")
    listed = json.loads(cli("playbooks", "list", "--json", "--playbooks", "team").out)
    assert sorted(e["id"] for e in listed) == ["customer-is-wrong", "difficult-customer",
                                               "drill", "upset-customer"]
    result = cli("playbooks", "validate", "team")
    assert result.err.startswith("1 playbook checked: no problems")


@pytest.mark.parametrize("scenario_id", sorted(WAY))
@pytest.mark.parametrize("seed", [1, 7])
def test_every_builtin_scenario_plays_through_from_answers(cli, isolated: Path,
                                                           scenario_id: str, seed: int) -> None:
    answers = answers_for(scenario_id, seed)
    result = cli("practice", scenario_id, "--seed", seed, "--answers", answers, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["scenario"] == scenario_id and data["seed"] == seed
    assert data["ending"] == ("escalated" if scenario_id == "worn-jacket-refund" else "calmed")
    assert data["passed"] is True and data["score"]["good"] == data["score"]["of"]
    transcript = Path(data["transcript"])
    assert transcript.parent == practice_folder(isolated)
    assert transcript.read_text().startswith("# Practice: ")
    assert result.err == ""


@pytest.mark.parametrize("scenario_id", sorted(WAY))
def test_every_builtin_scenario_plays_through_badly_too(cli, scenario_id: str) -> None:
    """Always the reply that heats the customer most, and the first branch option."""
    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find(scenario_id)
    practice = Practice(case, catalog.playbook_of(case), seed=3)
    answers = []
    from deescalate.practice.model import Reply

    while not practice.over:
        turn = practice.turn()
        worst = max(range(len(turn.replies)), key=lambda i: turn.replies[i].change)
        answers.append(str(worst + 1))
        practice.answer(Reply.pick(worst))
        if practice.over:
            break
        for capture in practice.step.capture:
            fact = case.fact(capture.id)
            practice.write_down(capture, fact if fact is not None else
                                stand_in(capture) if capture.required else "")
        if practice.step.branch:
            answers.append("1")
        practice.move_on(0 if practice.step.branch else None)
    result = cli("practice", scenario_id, "--seed", "3", "--answers", ",".join(answers))
    assert result.code == 1  # played through, and the card does not pass
    assert "not passed" in result.out
    assert "Ending: " in result.out


def test_the_same_seed_gives_the_same_customer(cli) -> None:
    def run(seed: str) -> dict:
        answers = answers_for("parcel-safe-place", int(seed))
        data = json.loads(cli("practice", "parcel-safe-place", "--seed", seed, "--answers",
                              answers, "--json").out)
        for key in ("started", "transcript"):
            data.pop(key)
        return data

    first, again = run("11"), run("11")
    assert first == again
    other = run("12")
    assert [t["offered"] for t in other["turns"]] != [t["offered"] for t in first["turns"]]


def test_a_playbook_picks_one_of_its_scenarios_by_the_seed() -> None:
    catalog = ScenarioCatalog(Catalog([]))
    picked = {seed: catalog.choose("upset", None, seed)[0].id for seed in range(8)}
    assert set(picked.values()) == {"double-charge", "parcel-safe-place"}
    assert all(catalog.choose("upset", None, seed)[0].id == picked[seed] for seed in picked)


def test_the_seed_picks_the_scenario_of_a_playbook_with_several(cli) -> None:
    catalog = ScenarioCatalog(Catalog([]))
    for seed in (1, 2, 3, 4):
        picked = catalog.choose("upset", None, seed)[0].id
        answers = answers_for(picked, seed)
        runs = [json.loads(cli("practice", "upset", "--seed", seed, "--answers", answers,
                               "--json").out) for _ in range(2)]
        assert runs[0]["scenario"] == runs[1]["scenario"] == picked
        assert runs[0]["turns"] == runs[1]["turns"] and runs[0]["passed"]
    ok = cli("practice", "upset", "--scenario", "double-charge", "--seed", "1", "--answers",
             answers_for("double-charge", 1))
    assert ok.code == 0, ok.err


def test_a_scenario_of_another_playbook_is_refused(cli) -> None:
    result = cli("practice", "wrong", "--scenario", "double-charge", "--answers", "1")
    assert result.code == 2
    assert result.err == ("deescalate: scenario 'double-charge' is for playbook "
                          "'upset-customer', not 'customer-is-wrong'\n")


def test_without_a_terminal_and_without_answers_practice_stops(cli) -> None:
    result = cli("practice", "double-charge")
    assert result.code == 2
    assert result.err.startswith("deescalate: practice needs a terminal")
    assert "--answers" in result.err


def test_arguments_are_checked_before_the_terminal(cli) -> None:
    result = cli("practice", "upsett")
    assert result.code == 2
    assert result.err == "deescalate: no playbook or scenario is called 'upsett'; did you " \
                         "mean 'upset'?\n"
    scenario_typo = cli("practice", "double-charg")
    assert "did you mean 'double-charge'?" in scenario_typo.err


@pytest.mark.parametrize(("answers", "message"), [
    ("9", "--answers: answer 1 ('9') at turn 1, step 'stay-calm': the replies offered are "
          "1 to 4"),
    ("1,,2", "--answers: answer 2 is empty (answers are separated by commas: 1,3,2)"),
    ("2", "--answers ran out at turn 2, step 'listen': a reply is needed after the 1 given"),
    ("b", "--answers: answer 1 ('b') at turn 1, step 'stay-calm': going back needs --explore "
          "and a step to go back to"),
    ("-", "--answers: answer 1 ('-') at turn 1, step 'stay-calm': this answers a write-down "
          "field, but a reply is asked for (a number from 1 to 4, e, or words)"),
    ("2,1,=,", "--answers: answer 4 is empty (answers are separated by commas: 1,3,2)"),
    ("3,2,-", "--answers: answer 3 ('-') at turn 2, step 'listen': The concern in the "
              "customer's words is required"),
])
def test_answers_that_do_not_fit_stop_with_the_answer_number(cli, answers: str,
                                                             message: str) -> None:
    result = cli("practice", "double-charge", "--seed", "1", "--answers", answers)
    assert result.code == 2
    assert result.err == f"deescalate: {message}\n"


def test_a_branch_answer_out_of_range(cli) -> None:
    answers = answers_for("double-charge", 1).split(",")
    cut = [*answers[:3], "7"]  # stay-calm, listen, acknowledge, then its question
    result = cli("practice", "double-charge", "--seed", "1", "--answers", ",".join(cut))
    assert result.code == 2
    assert result.err == (
        "deescalate: --answers: answer 4 ('7') at turn 3, step 'acknowledge': 'Is the customer "
        "calm enough to start solving the problem?' is answered with 1 to 3: 1 Yes, they're "
        "ready to work on it; 2 Not yet, they need to say more; 3 No, the call is stuck or "
        "turning abusive\n")


def test_answers_left_over_are_a_warning(cli) -> None:
    answers = answers_for("missing-discount", 1) + ",1,1"
    result = cli("practice", "missing-discount", "--seed", "1", "--answers", answers)
    assert result.code == 0
    assert result.err == "warning: 2 of the answers were not used: the call ended before them\n"


def test_write_down_answers_and_typed_replies(cli) -> None:
    answers = answers_for("missing-discount", 1).split(",")
    # the first reply in the trainee's own words; then the claim written as given
    answers[0] = "That sounds annoying. What happened after you entered the code?"
    answers.insert(1, "=Discount code not applied")
    result = cli("practice", "missing-discount", "--seed", "1", "--answers",
                 ",".join(answers), "--json", "--explore")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["turns"][0]["typed"] is True
    assert data["turns"][0]["rating"] == "good"
    assert data["turns"][0]["why"] == ("\u2018That sounds annoying\u2019 acknowledged the "
                                       "feeling; \u2018What happened after you entered the "
                                       "code?\u2019 asked an open question")
    assert data["captures"]["customer-claim"] == "Discount code not applied"


def test_the_card_as_text_and_explore_feedback(cli) -> None:
    answers = answers_for("broken-blender", 2)
    result = cli("practice", "broken-blender", "--seed", "2", "--answers", answers, "--explore")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("stay-composed: ")
    assert lines[1].startswith("  Good reply") and lines[1].endswith("mood 3 \u2192 2.")
    start = lines.index(next(line for line in lines if line.startswith("Score card: ")))
    assert lines[start] == ("Score card: The second blender to break (broken-blender, "
                            "playbook difficult-customer) \u00b7 seed 2 \u00b7 explore")
    assert lines[start + 1].startswith("Ending: the customer calmed down, mood 3 \u2192 1.")
    assert [line.split()[0] for line in lines[start + 3:start + 9]] == ["good"] * 6
    assert lines[start + 10] == "6 of 6 checks good: passed (pass mark 80%)."
    assert lines[-1].startswith("Transcript: ")


def test_the_transcript_lands_in_the_teams_practice_folder_and_records_ignore_it(
        cli, isolated: Path) -> None:
    assert cli("init").code == 0
    answers = answers_for("double-charge", 1)
    result = cli("practice", "double-charge", "--seed", "1", "--answers", answers, "--json")
    assert result.code == 0, result.err
    path = Path(json.loads(result.out)["transcript"])
    assert path.parent == isolated / "practice"
    text = path.read_text()
    assert "## The call" in text and "## Score card" in text and "Customer:" in text
    assert "- Ending: calmed, mood 3 to 1" in text
    assert not list((isolated / "records").rglob("*.md"))
    stats = json.loads(cli("records", "stats", "--json").out)
    assert stats["records"] == 0 and stats["unreadable"] == 0
    assert cli("records", "check").code == 0
    listed = cli("records", "list")
    assert "double-charge" not in listed.out


def test_a_second_transcript_never_overwrites_the_first(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from deescalate.practice import transcript
    from tests.practicekit import PERFECT_RIGHT, ByText, playbook

    def noon() -> datetime:
        return datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    practice = Practice(scenario(), playbook(), seed=1, agent="Jo Doe", clock=noon)
    result = run_practice(practice, ByText(list(PERFECT_RIGHT)))
    first = transcript.write(tmp_path / "practice", result)
    second = transcript.write(tmp_path / "practice", result)
    assert (first.name, second.name) == ("20261123-120000-jo-doe-drill-case.md",
                                         "20261123-120000-jo-doe-drill-case-2.md")
    assert first.read_text() == second.read_text() == transcript.render(result)


def test_a_practice_folder_inside_the_records_folder_is_refused(cli, write) -> None:
    write(".deescalate.yaml", "records: .\n")
    result = cli("practice", "double-charge", "--seed", "1", "--answers", "1")
    assert result.code == 2
    assert "is inside the records folder" in result.err


def test_config_shows_the_practice_folder(cli, isolated: Path) -> None:
    rows = {row["name"]: row for row in json.loads(cli("config", "--json").out)}
    assert rows["practice"]["value"] == str(practice_folder(isolated))


def test_the_schema_is_json_schema_and_takes_the_builtins(cli) -> None:
    schema = json.loads(cli("practice", "schema").out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    def load(path: Path) -> dict:  # as editors read YAML: a date is text
        return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))

    for path in SCENARIOS:
        errors = list(validator.iter_errors(load(path)))
        assert errors == [], f"{path.name}: {errors[0].message}"
    good = load(SCENARIOS[0])
    bad = [
        {k: v for k, v in good.items() if k != "playbook"},
        {**good, "openning": "x"},
        {**good, "mood": {"start": 6}},
        {**good, "steps": [{"id": "x", "lines": {"warm": "Hi."}}]},
        {**good, "steps": [{"id": "x", "replies": [{"say": "Hi.", "rating": "great"}]}]},
        {**good, "endings": {"calmed": {"line": "x"}}},
    ]
    for document in bad:
        assert list(validator.iter_errors(document)), document


def test_the_line_screen_plays_a_practice() -> None:
    """The plain interactive screen, fed typed lines instead of a keyboard."""
    from rich.console import Console

    from deescalate.practice.lines import LineTrainee
    from deescalate.text import ASCII
    from tests.practicekit import playbook

    out = io.StringIO()
    console = Console(file=out, width=80, color_system=None)
    typed = iter(["9", "x", "", "s", "e", "2", "1"] + ["1"] * 40)
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(typed)

    trainee = LineTrainee(console, ASCII, ask)
    result = run_practice(Practice(scenario(), playbook(), seed=1), trainee)
    shown = out.getvalue()
    assert "Practice: Drill case" in shown
    assert shown.count("You are taking a call about a drill that broke.") == 2  # s: again
    assert 'Customer: "My drill broke."' in shown
    assert "Type a number from 1-2, e, or a reply in your own words." in shown
    assert asked[0].startswith("Your reply (1-2, your own words, e to escalate, s for the "
                               "situation)")
    assert "Type a number from 1, e, or a reply in your own words." in shown  # at `boss`
    assert asked[-1] == "Write down Why (text): "
    assert "Score card: Drill case" in shown and result.ending == "escalated"


def test_the_line_screen_stops_on_end_of_input() -> None:
    from rich.console import Console

    from deescalate.practice.lines import LineTrainee
    from deescalate.text import ASCII
    from tests.practicekit import playbook

    def closed(prompt: str) -> str:
        raise EOFError

    trainee = LineTrainee(Console(file=io.StringIO()), ASCII, closed)
    with pytest.raises(KeyboardInterrupt):
        run_practice(Practice(scenario(), playbook(), seed=1), trainee)


def test_practice_list_and_validate_never_import_the_prompt_libraries() -> None:
    from tests.test_cli_help import modules_after

    for args in (["practice", "list"], ["practice", "validate"], ["practice", "schema"]):
        loaded = modules_after(*args)
        assert "questionary" not in loaded and "prompt_toolkit" not in loaded, args
    assert not {"deescalate.practice", "deescalate.cli.practice"} & modules_after("--help")


def test_an_escalation_at_the_escalate_step_is_named_by_its_answer(cli) -> None:
    # escalate at once, then again at the supervisor step
    result = cli("practice", "worn-jacket-refund", "--seed", "1", "--answers", "e,e")
    assert result.code == 2
    assert result.err == ("deescalate: --answers: answer 2 ('e') at turn 2, step 'supervisor': "
                          "You are bringing in a supervisor already: reply to the customer.\n")


def test_a_stand_in_that_does_not_fit_is_explained(cli, write) -> None:
    write("team/drill.yaml", DRILL.replace("{id: reason, label: Why, type: text, required: true}",
                                           "{id: reason, label: Why, type: line, required: true,"
                                           " pattern: '[A-Z]+'}"))
    write("team/scenarios/drill-case.yaml", """\
        playbook: drill
        title: Drill case
        situation: You are on a call.
        customer_is_right: true
        mood: {start: 3}
        opening: Hello.
        steps:
          - id: greet
            lines: {calm: Hi.}
        endings:
          calmed: {line: Thanks.}
          escalated: {line: Holding.}
        """)
    result = cli("practice", "drill-case", "--playbooks", "team", "--answers", "e,1")
    assert result.code == 2
    assert result.err == ("deescalate: --answers: at turn 2, step 'boss', what the customer "
                          "said does not fit a write-down field (Why should look like AAA); give "
                          "it with =TEXT\n")
    fixed = cli("practice", "drill-case", "--playbooks", "team", "--answers", "e,1,=BROKEN")
    assert fixed.code == 1 and "Ending: escalated to a supervisor" in fixed.out


def test_control_codes_in_a_scenario_or_a_reply_are_never_sent(cli, write) -> None:
    """Outside text is data: on the line screen, in the card and in the transcript."""
    from rich.console import Console

    from deescalate.practice.lines import LineTrainee
    from deescalate.practice.transcript import render
    from deescalate.text import ASCII
    from tests.practicekit import CASE, playbook

    hostile = CASE.format(right="true", escalate="false").replace(
        "opening: My drill broke.", 'opening: "My drill \\e[31mbroke[/red]."')
    case = scenario(text=hostile)
    out = io.StringIO()
    typed = iter(["Hello \x1b[2J there", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1"])
    trainee = LineTrainee(Console(file=out, width=80, color_system=None), ASCII,
                          lambda prompt: next(typed))
    result = run_practice(Practice(case, playbook(), seed=1), trainee)
    for text in (out.getvalue(), render(result)):
        assert "\x1b" not in text
        assert "[/red]" in text
    assert "\u241b[31m" in out.getvalue() and "\u241b[2J" in render(result)


def test_walk_plays_every_builtin_scenario_and_each_can_be_won(cli) -> None:
    from deescalate.practice.walk import first_reply_ends, winnable

    result = cli("practice", "validate", "--walk", "12")
    assert result.code == 0 and result.err == "8 scenarios checked: no problems\n"
    lines = result.out.splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(WAY)
    for line in lines:
        random_part, best_part = line.split("; 12 best-reply walks ended ")
        assert "12 random walks ended " in random_part
        # no walk, however it replies, ends within one reply of the start
        assert int(random_part.rsplit("shortest ", 1)[1].split()[0]) >= 2, line
        assert int(best_part.rsplit("shortest ", 1)[1].split()[0]) >= 2, line
        assert "hung-up" not in best_part, line  # the best replies never lose the customer
    catalog = ScenarioCatalog(Catalog([]))
    for entry in catalog.effective():
        case = entry.scenario
        assert case is not None
        book = catalog.playbook_of(case)
        assert winnable(case, book), case.id
        assert first_reply_ends(case, book) is None, case.id


TRIPS = """\
    id: trips
    playbook: drill
    title: Trips every warning
    situation: You are taking a call about a drill.
    customer_is_right: true
    mood: {start: 4, drift: slow, good: 0}
    opening: My drill broke.
    facts:
      order-ref: {value: AB1, words: "It's AB1.", step: close}
      amount: 12
    steps:
      - id: greet
        lines: {calm: Hi.}
        replies:
          - {say: "Oh, here we go.", rating: poor}
    endings:
      calmed: {line: Thanks.}
      escalated: {line: Holding.}
      hung-up: {line: Bye!}
    pass_mark: 100
    """


def test_validate_warns_where_play_goes_wrong_with_file_line_col(cli, write) -> None:
    write("team/drill.yaml", DRILL)
    write("team/scenarios/trips.yaml", TRIPS)
    result = cli("practice", "validate", "team")
    assert result.code == 0  # warnings only
    assert result.out.splitlines() == [
        "team/scenarios/trips.yaml:6:15: warning: one reply from the start ends the call: "
        "after 'Oh, here we go.' the customer hangs up at once; start them calmer, or make "
        "that reply move the mood less",
        "team/scenarios/trips.yaml:9:53: warning: the fact for 'order-ref' is asked for at step "
        "'facts' before the customer says it at 'close': no trainee can write it down",
        "team/scenarios/trips.yaml:10:11: warning: the fact for 'amount' has no words and no "
        "step, so the customer never says it and the score card won't ask for it; give "
        "`value`, `words` and `step`",
        "team/scenarios/trips.yaml:16:1: warning: this scenario can't be won: no way through "
        "it with the best replies passes the score card; check the moods, the endings and "
        "needs_escalation",
    ]
    assert result.err == "1 scenario checked: 0 errors, 4 warnings\n"


def test_list_fits_80_columns_without_cutting_an_id(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("practice", "list")
    lines = result.out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].split() == ["ID", "PLAYBOOK", "LEVEL", "FAVOURS", "TITLE"]
    ids = {line.split()[0] for line in lines[1:] if line and not line.startswith(" ")}
    assert ids == set(WAY)  # every id whole


def test_init_writes_the_scenario_schema(cli, isolated: Path) -> None:
    from deescalate.practice.schema import SCHEMA

    result = cli("init", "team")
    path = isolated / "team/playbooks/scenarios/scenario.schema.json"
    assert f"Created: {path}" in result.out
    assert json.loads(path.read_text()) == SCHEMA
    assert f"Kept: {path}" in cli("init", "team").out


def test_every_schema_property_has_a_description() -> None:
    from deescalate.practice.schema import SCHEMA

    missing: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, value in (node.get("properties") or {}).items():
                if "description" not in value:
                    missing.append(f"{where}/{name}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for number, value in enumerate(node):
                walk(value, f"{where}[{number}]")

    walk(SCHEMA, "")
    assert missing == []
    assert len([1 for _ in json.dumps(SCHEMA).split('"description"')]) > 40


def test_an_empty_list_of_lines_says_so(cli, write) -> None:
    write("team/drill.yaml", DRILL)
    write("team/scenarios/empty.yaml", TRIPS.replace("lines: {calm: Hi.}", "lines: {calm: []}"))
    result = cli("practice", "validate", "team")
    assert "team/scenarios/empty.yaml:13:19: error: " in result.out
    assert "at least 1" in result.out and "Expected string" not in result.out


@pytest.mark.parametrize("scenario_id", sorted(WAY))
def test_each_transcript_has_the_customer_answer_after_the_reply(cli, scenario_id: str) -> None:
    """Turn order, read from every built-in's transcript: each of the customer's answers
    comes after the reply it answers, and is the answering step's own line."""
    import re

    catalog = ScenarioCatalog(Catalog([]))
    case = catalog.find(scenario_id)
    book = catalog.playbook_of(case)
    result = cli("practice", scenario_id, "--seed", "5", "--json", "--answers",
                 answers_for(scenario_id, 5))
    text = Path(json.loads(result.out)["transcript"]).read_text()
    call = text.split("## The call\n", 1)[1].split("**Customer, at the end:**", 1)[0]
    turns = re.split(r"\n### \d+\. ", call)[1:]
    assert len(turns) >= 5
    titles = {step.title: step.id for step in book.steps}
    for number, turn in enumerate(turns, 1):
        title = turn.split(" \u00b7 mood", 1)[0]
        step = case.step(titles[title])
        said = [line for line in turn.splitlines() if line.startswith(("**You:**",
                                                                         "**Customer:**"))]
        if number == 1:  # the customer opens, then the trainee replies
            assert said[0] == f"**Customer:** {case.opening}"
            said = said[1:]
        assert said[0].startswith("**You:**"), turn
        answers = said[1:]
        assert len(answers) <= 1, turn
        if answers:  # the answer to this reply: this step's line for some mood
            assert step is not None
            spoken = answers[0].removeprefix("**Customer:** ")
            lines = [line for _, group in step.lines for line in group]
            lines += [reply.answer for reply in step.replies if reply.answer]
            assert any(spoken.startswith(line) for line in lines), (title, spoken)
            # and the facts given here are in the answer, never before it
            for fact in case.told_at(step.id):
                assert fact.words in spoken
                assert fact.words not in "".join(turns[:number - 1])


def test_validate_and_walks_finish_when_no_answer_fits_a_field(cli, write) -> None:
    write("team/drill.yaml", DRILL.replace("{id: reason, label: Why, type: text, required: true}",
                                           "{id: reason, label: Why, type: line, required: true,"
                                           " pattern: '[A-Z]+'}"))
    write("team/scenarios/drill-case.yaml", TRIPS.replace("start: 4", "start: 3"))
    result = cli("practice", "validate", "team", "--walk", "5")
    assert result.code == 0, result.err
    assert "trips: 5 random walks ended" in result.out
    assert "stuck at a field (reason)" in result.out  # the walks that met it, said so
