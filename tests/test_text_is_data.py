"""Text from outside is data in every command: markup shown as typed, control codes made
visible, never sent; and any terminal encoding, NO_COLOR or TERM=dumb, never a traceback."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.recordkit import write_call
from tests.term import DEESCALATE

HOSTILE = "Ana [/b] [link=https://x.example]here[/link] \x1b]52;c;ZXZpbA==\x07 \x1b[2J \x9b31m ☎"
RAW = ("\x1b", "\x9b", "\x07")
PLAYBOOK = """\
id: odd-one
title: "Odd [/bold] title \\e[31mred"
aliases: [odd]
steps:
  - id: one
    title: "One [link=https://x.example]x[/link]"
    say: ["Hello \\e]8;;https://x.example\\e\\\\there"]
"""


@pytest.fixture
def folder(isolated: Path) -> Path:
    records = isolated / "records"
    write_call(records, started=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), customer=HOSTILE,
               ref="T-[b]1\x1b[5m", summary=f"Said {HOSTILE}", notes=[HOSTILE],
               outcome="follow-up", follow_up=date(2026, 11, 25))
    playbooks = isolated / "playbooks"
    playbooks.mkdir()
    (playbooks / "odd-one.yaml").write_text(PLAYBOOK)
    return isolated


def commands(folder: Path) -> list[list[str]]:
    records, playbooks = str(folder / "records"), str(folder / "playbooks")
    record = next((folder / "records").rglob("*.md"))
    return [
        ["records", "list", "--records", records],
        ["records", "list", "--json", "--records", records],
        ["records", "show", record.stem, "--records", records],
        ["records", "stats", "--records", records],
        ["records", "stats", "--by", "agent", "--records", records],
        ["records", "export", "-f", "csv", "--records", records],
        ["records", "export", "-f", "jsonl", "--records", records],
        ["records", "check", "--records", records],
        ["followups", "--all", "--records", records],
        ["playbooks", "list", "--playbooks", playbooks],
        ["playbooks", "show", "odd", "--playbooks", playbooks],
        ["playbooks", "show", "odd", "--format", "mermaid", "--playbooks", playbooks],
        ["playbooks", "validate", playbooks],
        ["records", "list", "--agent", "x\x1b[2J[/b]", "--records", records],
        ["start", "nope\x1b[2J[/b]", "--playbooks", playbooks],
        ["followups", "done", f"{record.stem}", "--note", HOSTILE, "--records", records],
        ["records", "show", record.stem, "--records", records],
    ]


def test_no_command_sends_outside_control_codes_or_applies_its_markup(cli, folder) -> None:
    for args in commands(folder):
        result = cli(*args)
        both = result.out + result.err
        assert "Traceback" not in both, args
        for code in RAW:
            assert code not in both, (args, code, both[:2000])
    shown = cli("records", "show", next((folder / "records").rglob("*.md")).stem,
                "--records", str(folder / "records"))
    assert "Ana [/b] [link=https://x.example]here[/link]" in shown.out
    assert "␛]52;c;ZXZpbA==␇" in shown.out
    listed = cli("playbooks", "list", "--playbooks", str(folder / "playbooks"))
    assert "Odd [/bold] title ␛[31mred" in " ".join(listed.out.split())
    refused = cli("start", "nope\x1b[2J[/b]")
    assert refused.code == 2 and "nope␛[2J[/b]" in refused.err


@pytest.mark.parametrize("env", [
    {"PYTHONIOENCODING": "latin-1", "LANG": "C", "LC_ALL": "C"},
    {"PYTHONIOENCODING": "ascii"},
    {"TERM": "dumb"},
    {"NO_COLOR": "1"},
], ids=["latin-1", "ascii", "dumb", "no-colour"])
def test_any_terminal_encoding_or_kind_works(folder, env: dict[str, str]) -> None:
    for args in commands(folder)[:13]:
        done = subprocess.run([DEESCALATE, *args], capture_output=True, check=False,
                              env={**os.environ, **env}, timeout=60)
        encoding = env.get("PYTHONIOENCODING", "utf-8")
        out = (done.stdout + done.stderr).decode(encoding, "replace")
        assert "Traceback" not in out, (args, out[-1500:])
        assert done.returncode in (0, 1), (args, out[-1500:])
        assert "\x1b]52" not in out and "\x9b" not in out and "\x07" not in out
        if env.get("TERM") == "dumb" or env.get("NO_COLOR"):
            assert "\x1b" not in out, (args, out[:500])
