"""Writing new playbook files for trainers to start from."""

from __future__ import annotations

import re
from pathlib import Path

from deescalate import safeyaml
from deescalate.config import Config
from deescalate.errors import BadFile, BadInput, CantWrite, Conflict
from deescalate.playbooks.catalog import BUILTIN, Catalog
from deescalate.playbooks.loader import check_bytes
from deescalate.schemacheck import ID_HINT, ID_PATTERN

SCHEMA_FILE = "playbook.schema.json"

# Where the format is described for someone with only the installed tool: the page on
# the web, never a path on the author's machine (the file is committed and shared).
FORMAT_DOCS = "https://github.com/deescalate/deescalate/blob/main/docs/playbook-format.md"

TEMPLATE = """\
# A deescalate playbook. Check it, in its folder: deescalate playbooks validate {file}
# Every key: {docs} (`deescalate playbooks schema` prints it for editors)
id: {id}
title: {title}
summary: One line that says when to use this playbook.
version: 1
tags: []
aliases: []
escalate: supervisor
steps:
  - id: listen
    title: Listen first
    do:
      - Take a slow breath and let the customer finish
      - Note the problem in their own words
    say:
      - Tell me what happened, and I'll take it from there.
    avoid:
      - Interrupting to correct them
    checklist:
      - Let the customer finish
    capture:
      - id: concern
        label: The customer's concern
        type: text
        required: true

  - id: solve
    title: Offer a way forward
    do:
      - Say what you will do, and when
    say:
      - Here's what I can do for you, and when it will happen.
    capture:
      - id: offered
        label: What was offered
        type: line
    branch:
      question: Does the customer accept?
      options:
        - label: Yes
          goto: close
        - label: No
          goto: supervisor

  - id: close
    title: Close the call
    say:
      - Is there anything else I can help with today?
    next: end

  - id: supervisor
    title: Bring in a supervisor
    do:
      - Tell the customer who will help and what you will hand over
    say:
      - I'd like my supervisor to help with this. I'll pass on everything you've told me.
    next: end
"""


def target_folder(settings: Config) -> Path:
    """Where a new playbook goes: the first --playbooks folder, the team's, else the user's."""
    for setting in settings.playbook_dirs:
        if setting.source.startswith(("--playbooks", "team file")):
            return setting.value
    return settings.user_playbooks


def new_playbook(playbook_id: str, source: str | None, settings: Config) -> tuple[Path, str]:
    """Write `<folder>/<id>.yaml`; returns its path and a note for the user (or '')."""
    if not re.match(ID_PATTERN, playbook_id):
        raise BadInput(f"{playbook_id!r} is not a valid playbook id: {ID_HINT}")
    folder = target_folder(settings)
    path = folder / f"{playbook_id}.yaml"
    catalog = Catalog(settings.playbook_dirs)
    if source:
        original = catalog.find(source)
        assert original.path is not None
        text = _with_id(safeyaml.read_text(original.path, what="playbook"), playbook_id)
        if original.id != playbook_id:  # the copy's aliases would only clash with the original's
            text = re.sub(r"^aliases:.*\n(?:[ \t]+-.*\n)*", "aliases: []\n", text,
                          count=1, flags=re.MULTILINE)
    else:
        title = playbook_id.replace("-", " ").capitalize()
        text = TEMPLATE.format(id=playbook_id, title=title, file=path.name, docs=FORMAT_DOCS)
    if (folder / SCHEMA_FILE).is_file() and "yaml-language-server" not in text:
        text = f"# yaml-language-server: $schema={SCHEMA_FILE}\n{text}"
    book, _problems = check_bytes(text.encode("utf-8"), path, str(path))
    if book is None or book.id != playbook_id:  # pragma: no cover - the template is tested
        raise BadFile(f"could not make a valid playbook from {source or 'the template'}")

    note = ""
    shadowed = [e for e in catalog.all_entries() if e.id == playbook_id]
    if shadowed:
        where = "the built-in one" if shadowed[0].source == BUILTIN else str(shadowed[0].path)
        note = f"It overrides {where} with the same id wherever this folder is searched first."
    from deescalate.files import write_exclusive

    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = write_exclusive(path, text.encode("utf-8"))
    except OSError as exc:
        raise CantWrite(f"{path}: can't write it ({exc.strerror or exc})") from None
    if not written:
        raise Conflict(f"{path} already exists; pick another id or edit that file")
    return path, note


def _with_id(text: str, playbook_id: str) -> str:
    """The playbook text with its top-level id set to `playbook_id`, comments kept."""
    pattern = re.compile(r"^id:.*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(f"id: {playbook_id}", text, count=1)
    return f"id: {playbook_id}\n{text}"
