"""Every file the tool reads outside the records folder is read only if it is a regular
file, and never more than a cap of it: playbooks, scenarios, settings and saved calls.

Each hostile file (a FIFO, a link to /dev/zero, a 50 MB file) is met with one line and
exit 2 or a warning (or, for `validate`, one problem line), within a second of the
tool's own start-up: nothing waits on a FIFO or reads a device without end. Each
command runs in its own process, so a hang fails the test instead of stopping it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
KINDS = ("fifo", "zero", "big")
SIMPLE = "id: simple\ntitle: Simple\nsteps:\n  - id: one\n    title: One\n"


def hostile(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "big":
        with open(path, "wb") as handle:
            handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB to read, none on disk
    else:  # harmless: a small file, what the hostile one is timed against
        path.write_text("id: harmless\n", encoding="utf-8")


def run(*args: str, cwd: Path) -> tuple[int, str, str, float]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1", "COLUMNS": "200"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "deescalate", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - started


@pytest.fixture(scope="module")
def start_up(tmp_path_factory: pytest.TempPathFactory) -> float:
    """The tool's own start-up here: the slowest of three `--version` runs."""
    cwd = tmp_path_factory.mktemp("version")
    return max(run("--version", cwd=cwd)[3] for _ in range(3))


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# (where the hostile file goes, the command, the exit code, what the one line says)
CASES = [
    ("pb/bad.yaml", ("playbooks", "validate", "pb"), 1, "pb/bad.yaml:1:1: error: "),
    ("pb/bad.yaml", ("playbooks", "show", "bad", "--playbooks", "pb"), 2, "bad.yaml"),
    ("pb/bad.yaml", ("playbooks", "show", "simple", "--playbooks", "pb"), 0, None),
    ("pb/bad.yaml", ("playbooks", "list", "--playbooks", "pb"), 0, None),
    ("pb/bad.yaml", ("start", "upset", "--playbooks", "pb"), 2, "needs a terminal"),
    ("pb/bad.yaml", ("start", "simple", "--playbooks", "pb"), 2, "needs a terminal"),
    ("pb/scenarios/bad.yaml", ("practice", "validate", "pb"), 1,
     "pb/scenarios/bad.yaml:1:1: error: "),
    ("pb/scenarios/bad.yaml", ("practice", "run", "bad", "--playbooks", "pb"), 2,
     "bad.yaml:1:1: error: "),
    ("pb/scenarios/bad.yaml", ("practice", "list", "--playbooks", "pb"), 0, None),
    ("pb/scenarios/bad.yaml", ("playbooks", "validate", "pb"), 0, None),
    ("home/.config/deescalate/config.yaml", ("playbooks", "list"), 2, "config.yaml: "),
    (".deescalate.yaml", ("records", "list"), 2, ".deescalate.yaml: "),
    ("home/.local/state/deescalate/calls/20261120-101010-abcd.json", ("resume", "--list"), 0,
     "warning: "),
    ("home/.local/state/deescalate/calls/20261120-101010-abcd.json",
     ("resume", "--discard", "20261120"), 0, None),  # removing a damaged one is its job
]
SAYS = {"fifo": "is a named pipe (FIFO), not a", "zero": "is a device, not a",
        "big": "bytes"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("where", "command", "code", "line"), CASES,
                         ids=[f"{c[0].split('/')[-1]}-{'-'.join(c[1][:2])}" for c in CASES])
def test_a_hostile_file_is_one_line_within_a_second(
        isolated: Path, start_up: float, kind: str, where: str, command: tuple[str, ...],
        code: int, line: str | None) -> None:
    # isolated: the working folder; its parent holds home/, where HOME and XDG_* point
    (isolated / "pb").mkdir()
    (isolated / "pb" / "simple.yaml").write_text(SIMPLE, encoding="utf-8")
    path = (isolated.parent if where.startswith("home/") else isolated) / where
    hostile(path, kind)
    returned, out, err, took = run(*command, cwd=isolated)
    assert returned == code, (out, err)
    if "--discard" in command:
        assert out.startswith("Discarded ") and not os.path.lexists(path), (out, err)
    assert "Traceback" not in err
    if took >= start_up + 1.0:  # a busy machine? the same command over a harmless file
        if not os.path.lexists(path):
            hostile(path, "harmless")
        else:
            os.unlink(path)
            path.write_text("id: harmless\n", encoding="utf-8")
        control = run(*command, cwd=isolated)[3]
        assert took < control + 1.0, f"took {took:.2f} s, {control:.2f} s on a harmless file"
    if line is None:
        return
    said = _lines(out if command[-1] == "pb" and "validate" in command else err)
    assert len(said) == 1 and line in said[0], said
    if "needs a terminal" not in line:
        assert SAYS[kind] in said[0], said
