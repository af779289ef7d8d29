"""`records sync`: the team's records through git, and merging one record changed twice.

Sync commits what is new or changed in the records folder (that folder alone), pulls
with rebase, then pushes. Nothing is ever reset: a pull that can't finish is undone
(`git rebase --abort`) and the local commits stay as they were, to go with the next
sync; no remote, or one that can't be reached, is a one-line message.

A follow-up marked done on two machines changes the same record twice: each sets
`follow_up_done` and adds its line at the end of `## Follow-up`, so git's line merge
sees two different additions at one place and stops. A merge driver settles exactly
that case: `<records>/.gitattributes` names it for `*.md`, and sync sets it up in the
repository's own config (git never takes a driver's command from a committed file).
It takes the two sides when each is the common version with lines added at the end
of the body, keeps both sides' lines (ours first), the earlier done date, and both
sides' redaction counts; anything else it leaves to git's own merge, conflict markers
and all. A driver rather than writing `followups done` so that two of them never
touch the same lines: the record format puts the note at the end of the body and the
date in the front matter, and one file per call, so there is no such way to write it.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deescalate.errors import BadInput, CantRead, CantWrite, Conflict, NotFound
from deescalate.records.git import TIMEOUT, last_line, run_git, work_tree

DRIVER = "deescalate-record"
ATTRIBUTES = f"*.md merge={DRIVER}\n"
NETWORK = 120  # seconds for a pull or a push


@dataclass
class Synced:
    committed: int  # record files committed before the pull
    pulled: int  # commits that came in
    pushed: int  # commits that went out


def _run(top: Path, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    try:
        return run_git(top, *args, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CantWrite(f"git {args[0]}: no answer from the remote in {timeout:.0f} s; "
                        "nothing was lost: run deescalate records sync again") from None


def merge_driver(top: Path, records: Path) -> None:
    """Make git merge records with `deescalate records merge` in this repository: the
    repository's config names the command, `<records>/.gitattributes` the files."""
    command = f'"{sys.executable}" -m deescalate records merge %O %A %B'
    if run_git(top, "config", "--local", f"merge.{DRIVER}.driver").stdout.strip() != command:
        run_git(top, "config", "--local", f"merge.{DRIVER}.name",
             "deescalate: keep every follow-up note")
        run_git(top, "config", "--local", f"merge.{DRIVER}.driver", command)
    attributes = records / ".gitattributes"
    if not attributes.exists():
        from deescalate.files import write_atomic

        write_atomic(attributes, ATTRIBUTES.encode("utf-8"))


def sync(records: Path) -> Synced:
    """Commit the records folder's changes, pull with rebase, push; see the module."""
    import shutil

    if shutil.which("git") is None:
        raise NotFound("git: no git command found, so the records can't be synced")
    top = work_tree(records / ".gitattributes")
    if top is None:
        raise BadInput(f"{records}: not in a git repository, so there is nothing to sync "
                       "(git init, then git remote add origin URL)")
    remote, branch = _upstream(top)
    merge_driver(top, records)
    relative = os.path.relpath(records.resolve(), top.resolve())
    _run(top, "add", "-A", "--", relative)
    changed = [line for line in _run(top, "diff", "--cached", "--name-only", "--",
                                     relative).stdout.splitlines() if line.strip()]
    committed = 0
    if changed:
        count = sum(1 for line in changed if line.endswith(".md"))
        done = _run(top, "commit", "--quiet", "-m",
                    f"Records: {count} file{'s' if count != 1 else ''} from sync",
                    "--", relative)
        if done.returncode != 0:
            raise CantWrite(f"git: could not commit the records: {last_line(done)}")
        committed = count
    if not _has_commits(top):
        return Synced(committed, 0, 0)
    before = _head(top)
    fetched = _run(top, "fetch", "--quiet", remote, timeout=NETWORK)
    if fetched.returncode != 0:
        raise CantWrite(f"git: can't reach the remote {remote!r} ({last_line(fetched)}); "
                        "the records are committed here and go with the next sync")
    tracking = f"{remote}/{branch}"
    exists = _run(top, "rev-parse", "--verify", "--quiet", f"refs/remotes/{tracking}")
    pulled = 0
    if exists.returncode == 0:
        pulled = int(_run(top, "rev-list", "--count", f"HEAD..{tracking}").stdout.strip()
                     or 0)
        if pulled:
            rebased = _run(top, "rebase", "--autostash", tracking, timeout=NETWORK)
            if rebased.returncode != 0:
                _run(top, "rebase", "--abort")
                files = _run(top, "diff", "--name-only", "--diff-filter=U").stdout.split()
                where = f" in {files[0]}" if files else ""
                raise Conflict(f"git: the pull stopped on a conflict{where}; nothing was "
                               f"lost (still at {before[:12]}): merge {tracking} by hand")
    ahead = int(_run(top, "rev-list", "--count",
                     f"{tracking}..HEAD" if exists.returncode == 0 else "HEAD")
                .stdout.strip() or 0)
    if ahead:
        pushed = _run(top, "push", "--quiet", remote, f"HEAD:refs/heads/{branch}",
                      timeout=NETWORK)
        if pushed.returncode != 0:
            raise CantWrite(f"git: could not push to {remote!r} ({last_line(pushed)}); "
                            "the records are committed here and go with the next sync")
        if exists.returncode != 0:
            _run(top, "branch", "--quiet", f"--set-upstream-to={tracking}")
    return Synced(committed, pulled, ahead)


def _upstream(top: Path) -> tuple[str, str]:
    """The remote and branch to sync with: the branch's upstream, else origin (or the
    only remote) and the same branch name there."""
    branch = run_git(top, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if not branch:
        raise Conflict("git: not on a branch (a detached HEAD); check out the team's "
                       "branch first")
    upstream = run_git(top, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
    if upstream.returncode == 0 and "/" in upstream.stdout:
        remote, _, name = upstream.stdout.strip().partition("/")
        return remote, name
    remotes = run_git(top, "remote").stdout.split()
    if not remotes:
        raise NotFound("git: this repository has no remote to sync with; add one: "
                       "git remote add origin URL")
    return ("origin" if "origin" in remotes else remotes[0]), branch


def _has_commits(top: Path) -> bool:
    return run_git(top, "rev-parse", "--verify", "--quiet", "HEAD").returncode == 0


def _head(top: Path) -> str:
    return run_git(top, "rev-parse", "HEAD").stdout.strip()


def push_later(path: Path) -> None:
    """Push the repository `path` is in, in a process of its own that nobody waits for
    (a slow network must not hold up the agent's next call). A push that fails leaves
    the commit here, for the next push or `records sync`."""
    top = work_tree(path)
    if top is None:
        return
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0",
           "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")}
    with contextlib.suppress(OSError):
        subprocess.Popen(["git", "push", "--quiet"], cwd=top, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, **detached())


def detached() -> dict[str, Any]:
    """Popen's options for a process that outlives this one and its terminal: a session
    of its own on POSIX; on Windows (where there are no sessions) a process group of
    its own, with no console, so neither Ctrl-C nor closing the window reaches it."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP
                | subprocess.DETACHED_PROCESS}
    return {"start_new_session": True}


# -- the merge driver ----------------------------------------------------------------------

_DONE = re.compile(r"^follow_up_done:[ ]*(\S*)[ ]*$", re.M)
_REDACTIONS = re.compile(r"^redactions:[ ]*([0-9]+)[ ]*$", re.M)


def merge_record(base: str, ours: str, theirs: str) -> str | None:
    """Two versions of a record that each marked its follow-up done (or added lines at
    the end of its body), merged: both sides' lines kept; None if the two changed
    anything else."""
    from deescalate.records.reader import split
    from deescalate.records.summary import Unreadable

    if ours == theirs:
        return ours
    try:
        parts = [split(text) for text in (base, ours, theirs)]
    except Unreadable:
        return None
    (base_head, base_body), (our_head, our_body), (their_head, their_body) = parts
    if not (our_body.startswith(base_body) and their_body.startswith(base_body)):
        return None

    def plain(head: str) -> str:
        return _REDACTIONS.sub("redactions:", _DONE.sub("follow_up_done:", head))

    if not plain(base_head) == plain(our_head) == plain(their_head):
        return None
    head = our_head
    dones = [m[1] for m in (_DONE.search(our_head), _DONE.search(their_head)) if m]
    dates = sorted(d for d in dones if d not in ("", "null", "Null", "NULL", "~"))
    if dates:
        # A function, not a template: the date is the file's text, and may hold a '\\'.
        line = f"follow_up_done: {dates[0]}"
        head = _DONE.sub(lambda _: line, head, count=1)
    counts = [m[1] for m in (_REDACTIONS.search(h) for h in (base_head, our_head, their_head))
              if m]
    if len(counts) == 3:
        total = int(counts[1]) + int(counts[2]) - int(counts[0])
        head = _REDACTIONS.sub(f"redactions: {total}", head, count=1)
    added = their_body[len(base_body):]
    body = our_body
    if added and added not in our_body[len(base_body):]:
        if body and not body.endswith("\n"):
            body += "\n"
        body += added.lstrip("\n") if body.endswith("\n\n") else added
    return f"---\n{head}---\n{body}"


def merge_files(base: Path, ours: Path, theirs: Path) -> bool:
    """The merge driver: `ours` becomes the merge of the three; False (a conflict, with
    git's markers) when `merge_record` can't settle it."""
    from deescalate.files import NotAFile, read_limited
    from deescalate.records.format import MAX_BYTES

    texts = []
    whole = True
    for path in (base, ours, theirs):
        try:
            data = read_limited(path, MAX_BYTES)
        except NotAFile as exc:
            raise BadInput(f"{path}: is {exc.what}, not a file to merge") from None
        except OSError as exc:
            raise CantRead(f"{path}: can't read ({exc.strerror or exc})") from None
        whole = whole and len(data) <= MAX_BYTES  # larger than any record: not ours
        texts.append(data.decode("utf-8", "surrogateescape"))
    merged = merge_record(*texts) if whole else None
    if merged is not None:
        from deescalate.files import write_atomic

        write_atomic(ours, merged.encode("utf-8", "surrogateescape"))
        return True
    done = subprocess.run(["git", "merge-file", str(ours), str(base), str(theirs)],
                          capture_output=True, check=False)
    return done.returncode == 0
