"""The team folder that `deescalate init` makes.

It lives in the records room because most of it is the records folder's (the folder,
its merge driver's attributes, its cache kept out of git); the settings file and the
playbooks folder with its schema come from the rooms below.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from deescalate.config import TEAM_FILE, TEAM_TEMPLATE
from deescalate.errors import BadInput, CantWrite
from deescalate.files import write_atomic, write_exclusive
from deescalate.playbooks.authoring import SCHEMA_FILE
from deescalate.records.sync import ATTRIBUTES

# Derived files never belong in git: the records cache and half-written temp files.
GITIGNORE_LINES = ["records/.cache/", ".*.tmp"]


def init_team(folder: Path) -> Iterator[tuple[Path, str]]:
    """Make what is missing of a team folder; yields (path, 'Created' or 'Kept')."""
    from deescalate.playbooks.schema import SCHEMA

    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder}: is a file, not a folder")
    try:
        if not folder.exists():
            folder.mkdir(parents=True)
            yield folder, "Created"
        yield _write_new(folder / TEAM_FILE, TEAM_TEMPLATE)
        for name in ("records", "playbooks"):
            sub = folder / name
            if sub.is_dir():
                yield sub, "Kept"
            else:
                sub.mkdir()
                yield sub, "Created"
        yield _write_new(folder / "records" / ".gitkeep", "")
        # Names the merge driver that keeps both notes of a follow-up marked done on two
        # machines. Git merges line by line until a machine defines the driver, which
        # `records sync` does (git never takes a driver's command from a committed file).
        yield _write_new(folder / "records" / ".gitattributes", ATTRIBUTES)
        yield _write_new(folder / "playbooks" / SCHEMA_FILE, json.dumps(SCHEMA, indent=2) + "\n")
        yield _gitignore(folder / ".gitignore")
    except OSError as exc:
        raise CantWrite(f"{exc.filename or folder}: can't write "
                        f"({exc.strerror or exc})") from None


def _write_new(path: Path, text: str) -> tuple[Path, str]:
    return path, "Created" if write_exclusive(path, text.encode("utf-8")) else "Kept"


def _gitignore(path: Path) -> tuple[Path, str]:
    existing = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    missing = [line for line in GITIGNORE_LINES if line not in existing]
    if not missing:
        return path, "Kept"
    text = path.read_text(encoding="utf-8") if existing else ""
    if text and not text.endswith("\n"):
        text += "\n"
    if existing and existing[-1].strip():
        text += "\n"
    text += "# derived by deescalate; never commit these\n" + "\n".join(missing) + "\n"
    write_atomic(path, text.encode("utf-8"))
    return path, "Updated" if existing else "Created"
