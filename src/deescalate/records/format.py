"""Record format version 1, stated once: every other module takes it from here.

A record is one Markdown file per call, `<records>/<YYYY>/<MM>/<id>.md`, whose YAML
front matter holds the fields below in this order. The writer
(`deescalate.records.writer`), the readers (`deescalate.records.reader` and
`deescalate.records.fastreader`), `records check`, `followups` and the records store
import what they need of the format from this module, which imports nothing heavy,
so the fast paths can use it too. `docs/record-format.md` describes every field.
"""

from __future__ import annotations

import re
from pathlib import Path

from deescalate.dates import STAMP

VERSION = 1

# 20261122-143012-jdoe-upset-customer-7f3a: the UTC start, the agent and playbook
# (lowercase letters, digits and dashes), four random hex digits.
ID_STAMP = STAMP  # the call's start, UTC: 20261122-143012
ID_PATTERN = rf"{ID_STAMP}-[a-z0-9-]+-[0-9a-f]{{4}}"
ID = re.compile(rf"{ID_PATTERN}\Z")
FILE_NAME = re.compile(rf"{ID_PATTERN}\.md\Z")
ID_EXAMPLE = "20261122-143012-jdoe-upset-customer-7f3a"
SUFFIX = ".md"

OUTCOMES = ("resolved", "follow-up", "escalated", "unresolved", "dropped")
NEEDS_FOLLOW_UP = ("follow-up",)  # the outcomes that ask for a follow-up date
MOODS = {1: "calm", 2: "uneasy", 3: "upset", 4: "angry", 5: "hostile"}

# The front matter's fields, in the order the writer writes them.
FIELDS = ("record", "id", "playbook", "playbook_version", "playbook_sha256", "agent",
          "customer", "reference", "started", "ended", "duration_seconds", "outcome",
          "escalated", "root_cause", "summary", "follow_up", "follow_up_done", "mood",
          "steps", "playbooks", "captures", "redactions", "tags")
# Written only when there is something to say: `playbooks` when the call switched.
OPTIONAL_FIELDS = ("playbooks",)
# Each `steps` entry's fields, in order; the last two only when set.
# One entry per step reached. `playbook` when the step belongs to another playbook than
# the record's (the call switched); `visits` ({at, seconds} each) when it was visited
# more than once; `at` is the first arrival and `seconds` the total.
STEP_FIELDS = ("id", "at", "seconds", "skipped", "unticked", "notes", "skip_reason", "answer",
               "playbook", "visits")
MOOD_FIELDS = ("step", "at", "value")
NOTE_FIELDS = ("at", "text")
# A record without any of these can't be counted.
REQUIRED = ("record", "id", "playbook", "agent", "started", "ended", "duration_seconds",
            "outcome", "escalated")

# The body's section that `followups done` appends to.
FOLLOW_UP_HEADING = "## Follow-up"
HANDOVER_HEADING = "## Handover"  # an escalated call's brief for the supervisor

# A record is a few kilobytes; anything near this is not one, and is not read whole.
MAX_BYTES = 1_000_000
# The largest whole number a count or a length in seconds may be (31 years of call):
# larger is a mistake, and would overflow the sums and medians of `records stats`.
MAX_WHOLE = 999_999_999


def relative_path(identifier: str) -> str:
    """Where the record with this id belongs in a records folder: `2026/11/<id>.md`."""
    return f"{identifier[0:4]}/{identifier[4:6]}/{identifier}{SUFFIX}"


def path_in(folder: Path, identifier: str) -> Path:
    """The record's path under `folder`."""
    return folder / relative_path(identifier)
