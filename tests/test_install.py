"""The wheel carries the built-in playbooks and works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_the_wheel_ships_the_playbooks_and_runs_from_elsewhere(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(REPO)],
        capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("deescalate_coach-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "deescalate/py.typed" in names  # type checkers read the package's own hints
    (info,) = {n.split("/")[0] for n in names if ".dist-info/" in n}
    assert f"{info}/licenses/LICENSE" in names
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert "\nName: deescalate-coach\n" in metadata
    assert "\nLicense-Expression: MIT\n" in metadata
    for system in ("Microsoft :: Windows", "MacOS", "POSIX :: Linux"):
        assert f"Classifier: Operating System :: {system}\n" in metadata
    assert "Project-URL: Source, https://github.com/deescalate/deescalate\n" in metadata
    # The README is the index page: every link on it must work from there
    assert "](docs/" not in metadata
    test_extra = [line for line in metadata.splitlines() if "extra == 'test'" in line]
    dev_extra = [line for line in metadata.splitlines() if "extra == 'dev'" in line]
    assert test_extra and not any(tool in line for line in test_extra
                                  for tool in ("ruff", "mypy", "twine"))
    assert any("ruff" in line for line in dev_extra) and any("mypy" in line for line in dev_extra)
    entry = zipfile.ZipFile(wheel).read(f"{info}/entry_points.txt").decode()
    assert "deescalate = deescalate.cli:main" in entry  # the command keeps its name
    for stem in ("customer-is-wrong", "upset-customer", "difficult-customer"):
        assert f"deescalate/builtin/{stem}.yaml" in names
    scenarios = sorted(p.name for p in (REPO / "playbooks" / "scenarios").glob("*.yaml"))
    assert len(scenarios) >= 6
    for name in scenarios:
        assert f"deescalate/builtin/scenarios/{name}" in names
    assert any(n.endswith("entry_points.txt") for n in names)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}

    def deescalate(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "deescalate", *args], cwd=elsewhere,
                              env=env, capture_output=True, text=True, check=False)

    where = subprocess.run([sys.executable, "-c", "import deescalate; print(deescalate.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=False)
    assert where.stdout.startswith(str(site))
    listed = deescalate("playbooks", "list")
    assert listed.returncode == 0
    assert listed.stdout.count("built-in") == 3
    assert deescalate("playbooks", "validate").returncode == 0
    checked = deescalate("practice", "validate")
    assert checked.returncode == 0 and checked.stderr == f"{len(scenarios)} scenarios checked: " \
                                                         "no problems\n"
    listed = deescalate("practice", "list").stdout.splitlines()[1:]
    assert sorted(line.split()[0] for line in listed  # a wrapped title's lines are indented
                  if not line.startswith(" ")) == [n.removesuffix(".yaml") for n in scenarios]
    flow = deescalate("playbooks", "show", "customer-is-wrong", "--format", "mermaid")
    assert flow.returncode == 0 and flow.stdout.startswith("flowchart TD")
