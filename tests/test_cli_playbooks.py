"""The trainer's commands: playbooks list, show, validate, new and schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import BUILTINS

BROKEN = "title: Broken\nsteps:\n  - id: one\n    titel: One\n"


def test_list_shows_the_three_builtins(cli) -> None:
    result = cli("playbooks", "list")
    assert result.code == 0
    for name in ("customer-is-wrong", "upset-customer", "difficult-customer"):
        assert name in result.out
    assert "built-in" in result.out
    assert "OVERRIDES" not in result.out  # shown only when something overrides


def test_list_json(cli) -> None:
    data = json.loads(cli("playbooks", "list", "--json").out)
    by_id = {entry["id"]: entry for entry in data}
    assert set(by_id) == {"customer-is-wrong", "upset-customer", "difficult-customer"}
    assert by_id["upset-customer"]["aliases"] == ["upset", "angry"]
    assert by_id["upset-customer"]["source"] == "built-in"
    assert by_id["upset-customer"]["steps"] == 9


def test_a_team_playbook_overrides_a_builtin_and_says_so(cli, write) -> None:
    write("team/upset.yaml", """
        id: upset-customer
        title: Our own upset customer
        steps:
          - {id: one, title: One}
    """)
    data = json.loads(cli("playbooks", "list", "--json", "--playbooks", "team").out)
    entry = next(e for e in data if e["id"] == "upset-customer")
    assert entry["title"] == "Our own upset customer"
    assert entry["overrides"][0]["source"] == "built-in"
    table = cli("playbooks", "list", "--playbooks", "team").out
    assert "OVERRIDES" in table and "Our own upset customer" in table
    shown = cli("playbooks", "show", "upset-customer", "--playbooks", "team").out
    assert "Our own upset customer" in shown


def test_list_marks_a_broken_playbook_without_failing(cli, write) -> None:
    write("team/broken.yaml", BROKEN)
    result = cli("playbooks", "list", "--playbooks", "team")
    assert result.code == 0
    assert "has errors" in result.out


def test_show_text_by_alias(cli) -> None:
    result = cli("playbooks", "show", "wrong")
    assert result.code == 0
    assert result.out.startswith("The customer is wrong")
    assert "1. Stay calm and listen" in result.out
    assert "Ask: Do the facts show the customer was right after all?" in result.out


def test_show_mermaid(cli) -> None:
    out = cli("playbooks", "show", "customer-is-wrong", "--format", "mermaid").out
    lines = out.splitlines()
    assert lines[0] == "flowchart TD"
    assert 'begin(("Start")) --> s1' in out
    assert 's4 -->|"Yes, the customer was right"| s5' in out
    assert "-.-> s9" in out  # the escalate step, reachable from anywhere
    assert "end" not in {line.split()[0] for line in lines[1:]}  # a reserved word in Mermaid


def test_show_json_round_trips_the_playbook(cli) -> None:
    data = json.loads(cli("playbooks", "show", "upset", "--format", "json").out)
    source = yaml.safe_load(Path(data["source"]).read_text())
    assert data["id"] == source["id"]
    assert [s["id"] for s in data["steps"]] == [s["id"] for s in source["steps"]]
    assert data["steps"][0]["say"] == source["steps"][0]["say"]


def test_show_a_path(cli, write) -> None:
    path = write("drafts/mine.yaml", "title: Mine\nsteps:\n  - {id: one, title: One}\n")
    result = cli("playbooks", "show", path)
    assert result.code == 0 and result.out.startswith("Mine")


@pytest.mark.parametrize(("name", "message"), [
    ("upsett", "no playbook is called 'upsett'; did you mean 'upset'?"),
    ("zzz", "no playbook is called 'zzz'; `deescalate playbooks list` shows them all"),
])
def test_show_unknown_playbook(cli, name: str, message: str) -> None:
    result = cli("playbooks", "show", name)
    assert result.code == 2
    assert result.err.strip() == f"deescalate: {message}"


def test_show_missing_file_and_folder(cli, tmp_path: Path) -> None:
    missing = cli("playbooks", "show", "nowhere/x.yaml")
    assert missing.code == 2
    assert missing.err.strip() == "deescalate: nowhere/x.yaml: no such file"
    (tmp_path / "dir.yaml").mkdir()
    folder = cli("playbooks", "show", tmp_path / "dir.yaml")
    assert folder.code == 2 and "is a folder, not a playbook" in folder.err


def test_show_unreadable_file(cli, write, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write("secret.yaml", "title: x\n")
    real_open = os.open

    def guarded(file, *args, **kwargs):  # root reads anything, so chmod can't show this
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("os.open", guarded)
    result = cli("playbooks", "show", path)
    assert result.code == 2
    assert result.err.strip() == f"deescalate: {path}: permission denied"


def test_show_broken_playbook_is_bad_input(cli, write) -> None:
    path = write("broken.yaml", BROKEN)
    result = cli("playbooks", "show", path)
    assert result.code == 2
    assert result.err.startswith("deescalate: broken.yaml:3:5: error: step 'one' is missing")
    assert "Traceback" not in result.err


def test_validate_builtins_is_clean(cli) -> None:
    result = cli("playbooks", "validate")
    assert result.code == 0, result.out
    assert result.out == ""
    assert "3 playbooks checked: no problems" in result.err


def test_validate_reports_findings_and_exits_1(cli, write) -> None:
    write("team/broken.yaml", BROKEN)
    write("team/fine.yaml", "title: Fine\nsteps:\n  - {id: one, title: One}\n")
    result = cli("playbooks", "validate", "team")
    assert result.code == 1
    assert result.out.splitlines() == [
        "team/broken.yaml:3:5: error: step 'one' is missing the required key 'title'",
        "team/broken.yaml:4:5: error: step 'one' has an unknown key 'titel'; did you mean 'title'?",
    ]
    assert "2 playbooks checked: 2 errors, 0 warnings" in result.err


def test_validate_warnings_only_exit_0(cli, write) -> None:
    write("w.yaml", "title: W\nsteps:\n  - {id: one, title: One, next: end}\n"
                    "  - {id: two, title: Two}\n")
    result = cli("playbooks", "validate", "w.yaml")
    assert result.code == 0
    assert "w.yaml:4:10: warning: step 'two' can't be reached" in result.out


def test_validate_without_paths_includes_team_playbooks(cli, write) -> None:
    write("team/broken.yaml", BROKEN)
    result = cli("playbooks", "validate", "--playbooks", "team")
    assert result.code == 1 and "broken.yaml:3:5" in result.out


def test_validate_missing_path_is_bad_usage(cli) -> None:
    result = cli("playbooks", "validate", "nope.yaml")
    assert result.code == 2
    assert result.err.strip() == "deescalate: nope.yaml: no such file or folder"


def test_validate_an_unreadable_or_non_utf8_file_is_a_finding(cli, write) -> None:
    path = write("latin.yaml", "")
    path.write_bytes(b"title: caf\xe9\n")
    result = cli("playbooks", "validate", path)
    assert result.code == 1 and "latin.yaml:1:11: error: not UTF-8 text" in result.out


def test_new_writes_a_valid_playbook_in_the_team_folder(cli) -> None:
    assert cli("init").code == 0
    result = cli("playbooks", "new", "billing-dispute")
    assert result.code == 0
    path = Path("playbooks/billing-dispute.yaml").resolve()
    assert str(path) in result.out
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=playbook.schema.json\n")
    # committed and shared: no path of this machine, and docs an installed tool can reach
    assert str(Path.cwd()) not in text and str(Path.home()) not in text
    assert "deescalate playbooks validate billing-dispute.yaml" in text
    assert "README" not in text
    assert "https://github.com/deescalate/deescalate/blob/main/docs/playbook-format.md" in text
    checked = cli("playbooks", "validate", path)
    assert checked.code == 0 and checked.out == ""
    assert "billing-dispute" in cli("playbooks", "list").out


def test_new_from_a_builtin_copies_it_under_the_new_id(cli) -> None:
    result = cli("playbooks", "new", "refund-dispute", "--from", "wrong",
                 "--playbooks", "mine")
    assert result.code == 0
    copy = yaml.safe_load(Path("mine/refund-dispute.yaml").read_text())
    original = yaml.safe_load(BUILTINS[0].read_text())
    assert copy["id"] == "refund-dispute" and copy["aliases"] == []
    assert copy["steps"] == original["steps"]
    assert cli("playbooks", "validate", "mine").code == 0


def test_new_with_the_same_id_overrides_and_says_so(cli) -> None:
    result = cli("playbooks", "new", "upset-customer", "--from", "upset-customer",
                 "--playbooks", "mine")
    assert result.code == 0 and "overrides the built-in one" in result.out
    assert cli("playbooks", "validate", "mine").code == 0


def test_new_outside_a_team_goes_to_the_users_folder(cli, isolated: Path) -> None:
    result = cli("playbooks", "new", "mine")
    assert result.code == 0
    assert (isolated.parent / "home/.config/deescalate/playbooks/mine.yaml").is_file()


def test_new_refuses_to_overwrite_and_bad_ids(cli) -> None:
    assert cli("playbooks", "new", "one", "--playbooks", "p").code == 0
    again = cli("playbooks", "new", "one", "--playbooks", "p")
    assert again.code == 2 and "already exists" in again.err
    bad = cli("playbooks", "new", "Not An Id")
    assert bad.code == 2 and "not a valid playbook id" in bad.err
    unknown = cli("playbooks", "new", "x", "--from", "nothing-like-it")
    assert unknown.code == 2 and "no playbook is called" in unknown.err


def test_schema_is_valid_json_schema_and_accepts_the_builtins(cli) -> None:
    schema = json.loads(cli("playbooks", "schema").out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in BUILTINS:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert errors == [], f"{path.name}: {errors[0].message}"


def test_schema_rejects_what_the_validator_rejects(cli) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(cli("playbooks", "schema").out))
    bad = [
        {"steps": [{"id": "a", "title": "A"}]},  # no title
        {"title": "T", "steps": [{"id": "a", "title": "A", "sya": []}]},  # unknown key
        {"title": "T", "steps": [{"id": "a", "title": "A", "next": "end",
                                  "branch": {"question": "?", "options": [
                                      {"label": "x", "goto": "end"},
                                      {"label": "y", "goto": "end"}]}}]},
        {"title": "T", "steps": [{"id": "a", "title": "A",
                                  "capture": [{"id": "c", "label": "C", "type": "choice"}]}]},
        {"title": "T", "steps": [{"id": "Bad Id", "title": "A"}]},
    ]
    for document in bad:
        assert list(validator.iter_errors(document)), document


def test_show_never_splits_a_path_and_pads_nothing(cli, isolated, monkeypatch) -> None:
    import shutil

    deep = isolated / ("a-folder-with-a-long-name-" * 3) / "and-deeper-still"
    deep.mkdir(parents=True)
    path = deep / "my-own-upset-customer-playbook.yaml"
    shutil.copy(BUILTINS[-1], path)
    monkeypatch.setenv("COLUMNS", "60")
    result = cli("playbooks", "show", path)
    assert result.code == 0, result.err
    shown = str(path.relative_to(isolated))
    lines = result.out.splitlines()
    assert shown in lines  # whole, on a line of its own: copied in one go
    for line in lines:
        assert not line.endswith(" ")
        assert len(line) <= 60 or line == shown


def test_mermaid_labels_are_text(cli, write) -> None:
    """Titles, questions and answers are labels that show as written: no HTML from
    them (Mermaid makes labels HTML), no character codes, nothing cut off."""
    import html
    import re

    title = "<b>now</b> #1; & \"quoted\" `code` <script>alert(1)</script> after"
    write("playbooks/odd.yaml", f"""
        title: Odd
        steps:
          - id: first
            title: {json.dumps(title)}
            branch:
              question: "Is it <i>so</i> #2?"
              options:
                - {{label: "Yes & <u>no</u>", goto: second}}
                - {{label: "No #35;", goto: second}}
          - id: second
            title: Second
        """)
    out = cli("playbooks", "show", "odd", "--format", "mermaid", "--playbooks", "playbooks").out
    labels = re.findall(r'"([^"]*)"', out)
    for label in labels:
        assert not set(label) & set('<>&`')
        assert re.fullmatch(r"(?:[^#]|#(?:35|quot|lt|gt|amp|96);)*", label), label

    def shown(label: str) -> str:  # as Mermaid decodes its codes, then HTML shows them
        return html.unescape(re.sub(r"#(\w+);", lambda m: f"&{'#' if m[1].isdigit() else ''}"
                                                          f"{m[1]};", label))

    assert f"1. {title}: Is it <i>so</i> #2?" in [shown(label) for label in labels]
    assert {"Yes & <u>no</u>", "No #35;"} <= {shown(label) for label in labels}
