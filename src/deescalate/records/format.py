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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

# -- the record's fields, stated once -------------------------------------------------
#
# Every consumer takes the fields from FIELDS below: the writer writes them in its
# order, both readers read them by their kind, and each field's columns (what a record
# is summed up to: a `Summary` attribute, a column of the records index, an export and
# Parquet column, a line of `records show`) are derived from it. A simple field (one of
# the COLUMN_KINDS) is one line here and nothing else; `docs/record-format.md` says
# what else a new field may want (a wrap-up question, a filter).

# What a column holds: its SQLite type in the records index and its Parquet type.
# Lists are JSON in the index, `;`-joined in CSV.
COLUMN_KINDS = {
    "text": ("TEXT", "string"),  # any text (for a field: typed, so redacted when written)
    "name": ("TEXT", "string"),  # a name that recurs from call to call (agent, playbook)
    "whole": ("INTEGER", "int64"),  # a whole number, 0 to MAX_WHOLE
    "count": ("INTEGER", "int32"),
    "mood": ("INTEGER", "int8"),  # a rating, 1 to 5 (MOODS)
    "bool": ("INTEGER", "bool"),
    "moment": ("TEXT", "timestamp"),  # UTC, 2026-11-22T14:30:12Z, so text order is time order
    "day": ("TEXT", "date"),  # 2026-11-25
    "words": ("TEXT", "list"),  # a list of names or words
}


@dataclass(frozen=True, slots=True)
class Column:
    """One value a record is summed up to: a `Summary` attribute (or an entry of its
    `more`), a column of the records index and, unless `export` is None, of the CSV,
    JSON Lines and Parquet exports."""

    name: str
    kind: str  # one of COLUMN_KINDS
    export: str | None = ""  # its name in exports: "" the same, None not exported
    label: str | None = None  # its line in `records show` (None: shown by hand, or not)
    keyed: bool = False  # also a `<name>_key` index column, case and runs of spaces ignored
    exported: str = ""  # the Summary attribute exports take its value from ("" its own)

    @property
    def export_name(self) -> str:
        return self.export or self.name


@dataclass(frozen=True, slots=True)
class Field:
    """One front matter field. `kind` is how the readers read it: one of COLUMN_KINDS
    (then its one column is like it, unless `columns` says otherwise), or a kind the
    readers know by name (`record`, `id`, `outcome`, `moods`, `steps`, `playbooks`,
    `captures`, `sha256`)."""

    name: str
    kind: str
    required: bool = False  # a record without it can't be counted
    # Written only when there is something to say; a record written before the field
    # existed is still read (by the fast reader too) as having it empty.
    optional: bool = False
    default: Any = None  # its value when empty or missing
    label: str | None = None  # its line in `records show` (its one column's)
    keyed: bool = False  # its one column's `<name>_key` index column, for filters
    # What it is summed up to; None: one column of the field's name and kind (none
    # when the kind is not one of COLUMN_KINDS).
    columns: tuple[Column, ...] | None = None

    @property
    def summed_up(self) -> tuple[Column, ...]:
        if self.columns is not None:
            return self.columns
        if self.kind not in COLUMN_KINDS:
            return ()
        return (Column(self.name, self.kind, label=self.label, keyed=self.keyed),)


# The front matter's fields, in the order the writer writes them.
FIELDS: tuple[Field, ...] = (
    Field("record", "record", required=True),
    Field("id", "id", required=True, columns=(Column("id", "text"),)),
    Field("playbook", "name", required=True),
    Field("playbook_version", "whole"),
    Field("playbook_sha256", "sha256"),
    Field("agent", "name", required=True),
    Field("customer", "text", keyed=True),
    Field("reference", "text", keyed=True),
    Field("started", "moment", required=True),
    Field("ended", "moment", required=True),
    Field("duration_seconds", "whole", required=True,
          columns=(Column("duration", "whole", export="duration_seconds"),)),
    Field("outcome", "outcome", required=True, columns=(Column("outcome", "name"),)),
    Field("escalated", "bool", required=True),
    Field("root_cause", "name"),
    Field("summary", "text"),
    Field("follow_up", "day"),
    Field("follow_up_done", "day"),
    # The first and last rating.
    Field("mood", "moods", columns=(Column("mood_start", "mood"), Column("mood_end", "mood"))),
    # How many step visits, and the ids of the steps skipped (each once, in call order).
    Field("steps", "steps", columns=(Column("steps", "count"),
                                     Column("skipped", "words", export="skipped_steps"))),
    # Written when the call switched playbook; exports give [playbook] when it did not.
    Field("playbooks", "playbooks", optional=True,
          columns=(Column("playbooks", "words", exported="used_playbooks"),)),
    Field("captures", "captures"),
    Field("redactions", "whole", default=0),
    Field("tags", "words"),
)
# Where the record is (relative to the records folder, '/'-separated): from the file,
# not its front matter; the last column of every export.
PATH = Column("path", "text")
# The export columns that come first, in this order (when and who, then the rest in
# the order of FIELDS, then PATH).
EXPORT_FIRST = ("id", "started", "ended", "duration_seconds", "agent", "playbook",
                "playbook_version", "playbooks")


def columns(fields: tuple[Field, ...]) -> tuple[Column, ...]:
    """Every column of a record with these fields, in their order, then PATH."""
    return (*(column for field in fields for column in field.summed_up), PATH)


def export_columns(fields: tuple[Field, ...]) -> tuple[Column, ...]:
    """The export columns, in the order exports give them."""
    chosen = [column for column in columns(fields) if column.export is not None]
    first = {name: place for place, name in enumerate(EXPORT_FIRST)}
    return tuple(sorted(chosen, key=lambda column: first.get(column.export_name, len(first))))

# Each `steps` entry's fields, in order; the last five only when set. `taken_back: true`
# when the call went back from the step (`b`) and never on from it again.
# One entry per step reached. `playbook` when the step belongs to another playbook than
# the record's (the call switched); `visits` ({at, seconds} each) when it was visited
# more than once; `at` is the first arrival and `seconds` the total.
STEP_FIELDS = ("id", "at", "seconds", "skipped", "unticked", "notes", "skip_reason", "answer",
               "taken_back", "playbook", "visits")
MOOD_FIELDS = ("step", "at", "value")
NOTE_FIELDS = ("at", "text")

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


# -- text in the body ------------------------------------------------------------------
#
# What an agent or customer typed (and a playbook's titles and items beside it) is text in
# the body, never markup. Each character that Markdown (CommonMark, GFM, GitHub's math) or
# HTML inside Markdown would read as markup is escaped with a backslash: anywhere, those
# that make emphasis, code, tags, tables and math (`*_`<|~$\`), an entity's `&`, and the
# brackets of a link, a link definition or a footnote (`](`, `][`, `]:`, `[[`, `[^`); at
# the start of a line, what starts a block (`#`, `>`, `-`, `+`, `=`, `1.`, `1)`). A line's
# leading space or tab, which could make a code block, is written as its character
# reference. Brackets that make nothing stay as they are: `[redacted: card]` reads as
# itself. `body_plain` undoes it all.

_MARKUP = re.compile(r"[\\`*_<|~$]|&(?=#?[A-Za-z0-9]+;)|\](?=[(\[:])|\[(?=[\[^])")
_LEADING_SPACE = re.compile(r"^[ \t]", re.M)
_LINE_START = re.compile(r"^(?:([-+=#>])|([0-9]{1,9})([.)]))", re.M)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])|&#32;|&#9;")


def body_text(text: str) -> str:
    """`text` as it goes into a record's body, to be shown as typed by any renderer."""
    text = _MARKUP.sub(r"\\\g<0>", text)
    text = _LEADING_SPACE.sub(lambda m: "&#32;" if m.group() == " " else "&#9;", text)
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def body_plain(text: str) -> str:
    """The text `body_text` was given, from what it made."""
    return _ESCAPED.sub(lambda m: m[1] or (" " if m[0] == "&#32;" else "\t"), text)
