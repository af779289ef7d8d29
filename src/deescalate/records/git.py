"""Committing a new record to git, that file alone, when the team asks for it.

`git commit --only -- PATH` commits the file as it is on disk and nothing else:
whatever else is staged stays staged and uncommitted, and unstaged changes are not
touched. A record is new, so it is added with `--intent-to-add` first (which puts an
empty entry for it in the index and nothing for any other file). A failed commit is
a warning for the caller to show; the record stays written either way.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

TIMEOUT = 30


def run_git(folder: Path, *args: str, timeout: float = TIMEOUT
            ) -> subprocess.CompletedProcess[str]:
    """git with `args` in `folder`, never asking anything (no terminal prompt, ssh in
    batch mode), its messages in English, cut off after `timeout` seconds."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
           "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")}
    env.pop("GIT_INDEX_FILE", None)
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          timeout=timeout, check=False, env=env, stdin=subprocess.DEVNULL)


def work_tree(path: Path) -> Path | None:
    """The top of the git work tree `path` is in, or None."""
    try:
        done = run_git(path.parent, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return Path(done.stdout.strip())


def commit_record(path: Path, *, message: str | None = None) -> str | None:
    """Commit the record at `path`, that file alone; None when done, else a warning.

    Outside a git work tree there is nothing to do, and that is not a warning.
    """
    import shutil

    if shutil.which("git") is None:
        return f"git: no git command found, so {path.name} was not committed"
    path = path.resolve()
    try:
        top = work_tree(path)
        if top is None:
            return None
        relative = path.relative_to(top.resolve()).as_posix()
        subject = message or f"Record {path.stem}"
        if run_git(top, "check-ignore", "-q", "--", relative).returncode == 0:
            return f"git: {relative} is ignored by .gitignore, so it was not committed"
        added = run_git(top, "add", "--intent-to-add", "--", relative)
        if added.returncode != 0:
            return f"git: could not add {relative}: {last_line(added)}"
        done = run_git(top, "commit", "--quiet", "--only", "-m", subject,
                    "--", relative)
        if done.returncode != 0:
            # Leave the index as it was: the intent-to-add entry would otherwise linger.
            run_git(top, "reset", "--quiet", "--", relative)
            return f"git: could not commit {relative}: {last_line(done)}"
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return f"git: could not commit {path.name}: {exc}"
    return None


def last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit code {done.returncode}"


def team_files(folder: Path) -> tuple[Path, list[Path]]:
    """The top of the git repository `folder` is in, and the team files
    (`.deescalate.yaml`) in it: at its root and in any folder below, tracked or new (not
    ignored). BadInput outside a repository."""
    import shutil

    from deescalate.config import TEAM_FILE
    from deescalate.errors import BadInput

    if shutil.which("git") is None:
        raise BadInput("git: no git command found, so the repository's team folder can't "
                       "be found")
    top = work_tree(folder / "-")
    if top is None:
        raise BadInput(f"{folder}: not in a git repository, so there is no repository to "
                       "find the team folder in")
    listed = run_git(top, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                     "--", f":(glob)**/{TEAM_FILE}")
    names = sorted({name for name in listed.stdout.split("\0") if name})
    return top, [top / name for name in names if (top / name).is_file()]
