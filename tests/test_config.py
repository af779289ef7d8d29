"""Settings: precedence, team folder discovery, `deescalate config` and `deescalate init`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deescalate import config
from deescalate.errors import BadInput, DeescalateError


def user_file(text: str, isolated: Path) -> Path:
    path = isolated.parent / "home/.config/deescalate/config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def values(cli, *args: str) -> dict[str, tuple[object, str]]:
    result = cli("config", "--json", *args)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    return {row["name"]: (row["value"], row["source"])
            for row in rows if row["name"] != "playbooks"}


def test_defaults_outside_a_team_folder(cli, isolated: Path, monkeypatch) -> None:
    monkeypatch.delenv("DEESCALATE_AGENT")
    found = values(cli)
    home = isolated.parent / "home"
    assert found["records"] == (str(home / ".local/share/deescalate/records"), "default")
    assert found["state"] == (str(home / ".local/state/deescalate/calls"), "default")
    assert found["agent"][1] == "default (your login name)"
    assert found["team file"][0] == "none found"
    assert found["root_causes"][0].startswith("billing-error, shipping-delay")


def test_precedence_flag_env_team_user_default(cli, isolated: Path, write, monkeypatch) -> None:
    monkeypatch.delenv("DEESCALATE_AGENT")
    user_file("agent: from-user\nrecords: user-records\n", isolated)
    assert values(cli)["agent"][0] == "from-user"
    assert values(cli)["records"][1].startswith("user file")

    write(".deescalate.yaml", "records: team-records\n")
    found = values(cli)
    assert found["records"] == (str(isolated / "team-records"),
                                f"team file {isolated}/.deescalate.yaml")
    assert found["agent"][0] == "from-user"  # a team file never names the agent

    monkeypatch.setenv("DEESCALATE_AGENT", "from-env")
    monkeypatch.setenv("DEESCALATE_RECORDS", str(isolated / "env-records"))
    found = values(cli)
    assert found["agent"] == ("from-env", "DEESCALATE_AGENT environment variable")
    assert found["records"][0] == str(isolated / "env-records")

    found = values(cli, "--agent", "from-flag", "--records", "flag-records")
    assert found["agent"] == ("from-flag", "--agent flag")
    assert found["records"] == (str(isolated / "flag-records"), "--records flag")


def test_team_file_is_found_from_a_subfolder_and_paths_are_relative_to_it(
        cli, isolated: Path, write, monkeypatch) -> None:
    write(".deescalate.yaml", "records: calls\nplaybooks: [books, more]\n")
    (isolated / "deep/er").mkdir(parents=True)
    monkeypatch.chdir(isolated / "deep/er")
    settings = config.load()
    assert settings.records.value == isolated / "calls"
    team_dirs = [s.value for s in settings.playbook_dirs if s.source.startswith("team")]
    assert team_dirs == [isolated / "books", isolated / "more"]


def test_playbook_search_order(isolated: Path, write, monkeypatch) -> None:
    write(".deescalate.yaml", "playbooks: [team]\n")
    monkeypatch.setenv("DEESCALATE_PLAYBOOKS", f"{isolated}/env1:{isolated}/env2")
    sources = [s.source for s in config.load().playbook_dirs]
    assert sources == ["DEESCALATE_PLAYBOOKS environment variable"] * 2 + [
        f"team file {isolated}/.deescalate.yaml", "your playbooks folder"]
    flagged = config.load(playbooks=[Path("flag")]).playbook_dirs
    assert next(s.source for s in flagged) == "--playbooks flag"
    assert "DEESCALATE_PLAYBOOKS environment variable" not in [s.source for s in flagged]


def test_config_text_names_every_source(cli, write) -> None:
    write(".deescalate.yaml", "git: {commit: true}\n")
    out = cli("config").out
    assert "git.commit       true  (team file" in out
    assert "agent            tester  (DEESCALATE_AGENT environment variable)" in out
    assert "(built-in)" in out


@pytest.mark.parametrize(("text", "message"), [
    ("records: [a, b]\n", ".deescalate.yaml:1:10: 'records' should be text, not a list"),
    ("recrods: x\n", ".deescalate.yaml:1:1: the settings file has an unknown key 'recrods'; "
                     "did you mean 'records'?"),
    ("agent: jdoe\n", "the settings file has an unknown key 'agent'"),
    ("redact: {emails: sometimes}\n", "'emails' should be true or false"),
    ("redact: {patterns: ['[a-']}\n", "is not a valid regular expression"),
    ("records: [unclosed\n", ".deescalate.yaml:2:1:"),
    ("git: {commit: yes, pull: true}\n", "unknown key 'pull'"),
])
def test_a_bad_team_file_is_one_clear_line_and_exit_2(cli, write, text: str, message: str) -> None:
    write(".deescalate.yaml", text)
    result = cli("playbooks", "list")
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_redact_patterns_take_a_name(write) -> None:
    write(".deescalate.yaml", "redact:\n  patterns:\n    - 'ACC-\\d{6}'\n"
                              "    - {name: ticket, pattern: 'TK\\d+'}\n")
    patterns = config.load().redact_patterns.value
    assert [(p.name, p.pattern) for p in patterns] == [("pattern", r"ACC-\d{6}"),
                                                        ("ticket", r"TK\d+")]


def test_the_day_order_is_a_setting(write, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert config.load().date_order == config.Setting("month-first", "default (your locale)")
    write(".deescalate.yaml", "date_order: day-first\n")
    assert config.load().date_order.value == "day-first"
    monkeypatch.setenv("DEESCALATE_DATE_ORDER", "sideways")
    with pytest.raises(BadInput, match="date_order is 'sideways'"):
        config.load()


def test_each_setting_has_the_type_its_use_needs(write, isolated: Path) -> None:
    write(".deescalate.yaml", "records: calls\nroot_causes: [late]\n"
                              "redact: {emails: false}\ngit: {commit: true}\n")
    settings = config.load(agent=" ana ")
    assert settings.agent.value == "ana"
    assert settings.records.value == isolated.resolve() / "calls"
    assert all(isinstance(d.value, Path) and d.value.is_absolute()
               for d in settings.playbook_dirs)
    assert isinstance(settings.state_dir.value, Path)
    assert settings.root_causes.value == ["late"]
    switches = dict(settings.redact_settings())
    assert switches["emails"].value is False and switches["phones"].value is True
    assert settings.git_commit.value is True
    assert settings.redact_patterns.value == []


def test_the_redactor_is_built_from_the_settings(write) -> None:
    write(".deescalate.yaml", "redact:\n  emails: false\n  patterns:\n"
                              "    - {name: ticket, pattern: 'TK\\d+'}\n")
    redactor = config.load().redactor()
    text, count = redactor.redact("mail ana@example.com about TK1234, card 4111 1111 1111 1111")
    assert text == ("mail ana@example.com about [redacted: ticket], card [redacted: card]")
    assert count == 2


def test_an_empty_agent_name_is_refused(monkeypatch) -> None:
    with pytest.raises(DeescalateError, match="agent name is empty"):
        config.load(agent="  ")


def test_init_makes_a_team_folder(cli, isolated: Path) -> None:
    result = cli("init", "team")
    assert result.code == 0
    team = isolated / "team"
    for path in (".deescalate.yaml", "records", "playbooks", ".gitignore",
                 "playbooks/playbook.schema.json", "records/.gitattributes"):
        assert (team / path).exists(), path
        assert f"Created: {team / path}" in result.out
    assert "records/.cache/" in (team / ".gitignore").read_text().splitlines()
    # The merge driver that keeps both notes of a follow-up done on two machines.
    assert (team / "records/.gitattributes").read_text() == "*.md merge=deescalate-record\n"
    settings = config.load(cwd=team)
    assert settings.team_file == team / ".deescalate.yaml"
    assert settings.records.value == team / "records"
    assert settings.root_causes.value == config.ROOT_CAUSES


def test_init_again_keeps_what_is_there(cli, isolated: Path) -> None:
    (isolated / ".gitignore").write_text("node_modules/")
    (isolated / ".deescalate.yaml").write_text("records: mine\n")
    result = cli("init")
    assert result.code == 0
    assert f"Kept: {isolated / '.deescalate.yaml'}" in result.out
    assert (isolated / ".deescalate.yaml").read_text() == "records: mine\n"
    assert (isolated / ".gitignore").read_text().startswith("node_modules/\n")
    assert "Updated" in result.out
    again = cli("init")
    assert "Created" not in again.out and "Updated" not in again.out


def test_init_on_a_file_is_refused(cli, isolated: Path) -> None:
    (isolated / "file").write_text("x")
    result = cli("init", "file")
    assert result.code == 2 and "is a file, not a folder" in result.err
