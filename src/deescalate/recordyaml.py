"""The record writer's corner of YAML, read fast and exactly.

`deescalate.safeyaml` reads any YAML safely, but at close to a millisecond per record
it would take minutes over a large records folder. Almost every record is exactly
what `record.dump_front_matter` wrote, and that is a small corner of YAML: top-level
`key: value` lines, two block sequences (`mood`, `steps`) of flow or block mappings,
flow lists and maps of scalars, plain and quoted scalars wrapped at single spaces.
`fast` reads that corner and nothing else. The moment the text is anything it does
not fully understand (a comment, an anchor, a tag, an escape, a blank line, a tab,
an unknown key, a number written as `0x1f`...) it gives up, and the caller reads the
front matter with the safe parser instead. So whenever `fast` returns data, it is
what `safeyaml.load` returns for the same text, as far as `frontmatter.summarize`
looks: the tests check this on records from the writer, hand-edited ones and random
mutations of both.

Imported only when some record has to be read (not when every summary is cached),
since compiling its patterns takes a noticeable part of a warm run.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from typing import Any

from deescalate.frontmatter import Summary

# The writer's front matter is a few kilobytes; larger ones go to the safe parser,
# whose caps on nesting and size then apply.
FAST_LIMIT = 64_000
TOP_KEYS = frozenset({
    "record", "id", "playbook", "playbook_version", "playbook_sha256", "agent", "customer",
    "reference", "started", "ended", "duration_seconds", "outcome", "escalated", "root_cause",
    "summary", "follow_up", "follow_up_done", "mood", "steps", "captures", "redactions", "tags",
})
STEP_KEYS = frozenset({"id", "at", "seconds", "skipped", "unticked", "notes", "skip_reason",
                       "answer"})


class _GiveUp(Exception):
    """The text is outside what `fast` reads; the safe parser decides."""


# Characters `fast` accepts: printable, no tab, no NEL or Unicode line separators, no
# byte-order mark. Anything else (even where YAML allows it) goes to the safe parser.
_REFUSE = re.compile("[^\n -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                     "\U00010000-\U0010ffff]")


_ASCII_OK = b"\n" + bytes(range(0x20, 0x7F))


def _printable(text: str) -> bool:
    """Whether `text` has only characters `fast` reads (see _REFUSE); a regular expression
    search costs more than all the rest of `fast` on a typical record, so most go without."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _ASCII_OK)
    if text.replace("\n", " ").isprintable():
        return True  # every printable character is one _REFUSE allows
    return _REFUSE.search(text) is None


_TOP = re.compile(r"([a-z_0-9]+):(?: (.*))?\Z")
_STEP_LINE = re.compile(r"(?:- |  )([a-z_]+):(?: (.*))?\Z")
_INDICATOR = frozenset("-?:,[]{}#&*!|>'\"%@`")
# A scalar inside a flow list or map: quoted, or plain without any character that
# could end it or be read as an indicator there.
_ITEM = (r"'[^']*(?:''[^']*)*'|\"[^\"\\]*\"|"
         r"[^-?:,\[\]{}#&*!|>'\"%@`\s][^,\[\]{}:#?]*")
_SEQ = re.compile(rf"\[(?:(?:{_ITEM})(?:, (?:{_ITEM}))*)?\]")
_MAP = re.compile(rf"\{{(?:(?:{_ITEM}): (?:{_ITEM})(?:, (?:{_ITEM}): (?:{_ITEM}))*)?\}}")
_TOKENS = re.compile(r"'([^']*(?:''[^']*)*)'|\"([^\"\\]*)\"|"
                     r"([^-?:,\[\]{}#&*!|>'\"%@`\s][^,\[\]{}:#?]*)")
_SINGLE = re.compile(r"'([^']*(?:''[^']*)*)'")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_DECIMAL = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
_FOLD = re.compile(r"\n +")
_MOOD = re.compile(r"\{step: ([a-z0-9][a-z0-9-]*), at: (0|[1-9][0-9]*), value: ([1-5])\}\Z")

_MOODS = re.compile(r"\n- \{step: ([a-z0-9][a-z0-9-]*), at: (0|[1-9][0-9]*), "
                    r"value: ([1-5])\}(?=\n|\Z)")
# The writer's layout: its fields in its order, each value on one line or continued on
# more-indented ones; a step's fields likewise, two spaces in.
_V = r"[^\n]*(?:\n [^\n]*)*"
_V3 = r"[^\n]*(?:\n   [^\n]*)*"
_SCALARS = ("record", "id", "playbook", "playbook_version", "playbook_sha256", "agent",
            "customer", "reference", "started", "ended", "duration_seconds", "outcome",
            "escalated", "root_cause", "summary", "follow_up", "follow_up_done")
_UNIQUE = ("id", "started", "ended")
_WRITER = re.compile(
    "".join(f"{key}: (?P<{key}>{_V})\n" for key in _SCALARS)
    + r"mood:(?P<mood> \[\]|(?:\n- [^\n]*(?:\n [^\n]*)*)+)\n"
    + r"steps:(?P<steps> \[\]|(?:\n(?:- |  )[^\n]*)+)\n"
    + "".join(f"{key}: (?P<{key}>{_V})\n" for key in ("captures", "redactions", "tags"))
    + r"\Z")
_STEP_ENTRY = (
    r"\n- id: ([a-z0-9][a-z0-9-]*)\n  at: (?:0|[1-9][0-9]*)\n  seconds: (?:0|[1-9][0-9]*)\n"
    f"  skipped: (true|false)\n  unticked: ({_V3})\n  notes:( \\[\\]|(?:\n  - {_V3})+)"
    f"(?:\n  skip_reason: ({_V3}))?(?:\n  answer: ({_V3}))?")
_STEPS = re.compile(f"(?:{_STEP_ENTRY})+")
_STEP = re.compile(_STEP_ENTRY)

# The quickest test of all, for steps whose every value is one YAML can only read as
# text: quoted, or plain and starting with a character no implicit type starts with,
# or with a letter but not one of YAML 1.1's words for true, false and null. (A test
# holds _WORDS to PyYAML's resolvers.) Steps that pass need no value read one by one.
_WORDS = ("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
          "null|Null|NULL")
_SAFE_FIRST = r"[^-?:,\[\]{}#&*!|>'\"%@`\s+0-9.~<=]"
_GO_ON = r"\n {3,}"  # a value going on over the next line, inside a step
_GO_ON_TOP = r"\n +"  # the same, at the top level


def _text_item(go_on: str) -> str:
    """A scalar in a flow list or map that YAML can only read as text."""
    return (rf"'[^'\n]*(?:(?:''|{go_on})[^'\n]*)*'|\"[^\"\\\n]*(?:{go_on}[^\"\\\n]*)*\"|"
            rf"(?!(?:{_WORDS})[,\]}}]){_SAFE_FIRST}[^,\[\]{{}}:#?\n]*"
            rf"(?:{go_on}[^,\[\]{{}}:#?\n ][^,\[\]{{}}:#?\n]*)*")


_TEXT_ITEM = _text_item(_GO_ON)
_PLAIN_REST = r"[^\n:#]*(?:(?::(?=[^ \n])|(?<! )#)[^\n:#]*)*"  # no ": ", " #" or ":" at the end
_TEXT_LINE = (rf"'[^'\n]*(?:(?:''|{_GO_ON})[^'\n]*)*'|\"[^\"\\\n]*(?:{_GO_ON}[^\"\\\n]*)*\"|"
              rf"(?!(?:{_WORDS})\n){_SAFE_FIRST}{_PLAIN_REST}"
              rf"(?:{_GO_ON}[^-?:,\[\]{{}}#&*!|>'\"%@`\n ]{_PLAIN_REST})*")
_TEXT_STEP = (
    r"\n- id: [a-z0-9][a-z0-9-]*\n  at: (?:0|[1-9][0-9]*)\n  seconds: (?:0|[1-9][0-9]*)\n"
    rf"  skipped: (?:true|false)\n  unticked: \[(?:(?:{_TEXT_ITEM})(?:,(?: |{_GO_ON})"
    rf"(?:{_TEXT_ITEM}))*)?\]\n  notes:(?: \[\]|(?:\n  - \{{at: (?:0|[1-9][0-9]*), text: "
    rf"(?:{_TEXT_ITEM})\}})+)(?:\n  skip_reason: (?:{_TEXT_LINE}))?"
    rf"(?:\n  answer: (?:{_TEXT_LINE}))?")
_TEXT_STEPS = re.compile(f"(?:{_TEXT_STEP})+")
_CAPTURE_VALUE = (rf"(?:{_text_item(_GO_ON_TOP)}|(?:true|false|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)"
                  r"(?=[,}]))")
_TEXT_CAPTURES = re.compile(
    rf"\{{(?:[a-z0-9][a-z0-9-]*: {_CAPTURE_VALUE}"
    rf"(?:,(?: |{_GO_ON_TOP})[a-z0-9][a-z0-9-]*: {_CAPTURE_VALUE})*)?\}}")
_CAPTURE_KEYS = re.compile(r"(?:\{|,(?: |\n +))([a-z0-9][a-z0-9-]*): ")
# A record id (20261122-143012-jdoe-upset-customer-7f3a) is always text to YAML: no
# implicit type allows eight digits and a dash at its start.
_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[a-z0-9-]+-[0-9a-f]{4}\Z")
_STEP_IDS = re.compile(r"\n- id: ([a-z0-9][a-z0-9-]*)\n  at: [0-9]+\n  seconds: [0-9]+\n"
                       r"  skipped: (true|false)\n")
_STR = "tag:yaml.org,2002:str"
CACHE_LIMIT = 50_000
_tags: dict[str, str] = {}  # plain scalar -> the tag YAML resolves it to; words recur
_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


def _load_resolvers() -> None:
    """PyYAML's implicit resolvers by first character, as safeyaml's resolver uses them."""
    import yaml

    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    wildcard = list(table.get(None, ()))
    for first, resolvers in table.items():
        if first is not None:
            _resolvers[first] = [*resolvers, *wildcard]
    _resolvers[_STR] = wildcard  # stands for "any other first character"


def _tag(text: str) -> str:
    """The tag YAML gives a plain scalar, exactly as PyYAML's resolver decides it."""
    if not _resolvers:
        _load_resolvers()
    resolvers = _resolvers.get(text[:1])
    if resolvers is None:
        resolvers = _resolvers[_STR]
        if not resolvers:
            return _STR  # only scalars starting with certain characters can be non-text
    tag = _tags.get(text)
    if tag is not None:
        return tag
    tag = _STR
    for candidate, pattern in resolvers:
        if pattern.match(text):
            tag = candidate
            break
    if len(_tags) >= CACHE_LIMIT:
        _tags.clear()
    _tags[text] = tag
    return tag


def _typed(text: str) -> Any:
    """The value of a plain scalar, for the types a record uses; _GiveUp for any other."""
    first = text[:1]
    if not first or first in _INDICATOR or first == " " or text[-1] == " ":
        if first == "-" and _DECIMAL.match(text):
            return int(text)
        raise _GiveUp
    if "0" <= first <= "9":
        # The writer's numbers, dates and times, without the resolver's slower patterns:
        # YAML reads each of these forms as an int or a timestamp, and nothing else.
        if _DECIMAL.match(text):
            return int(text)
        try:
            if _STAMP.match(text):
                return datetime.fromisoformat(text)  # takes the Z since Python 3.11
            if _DATE.match(text):
                return date.fromisoformat(text)
        except ValueError:
            raise _GiveUp from None  # not a real date: the safe parser says so
    tag = _tag(text)
    if tag == _STR:
        return text
    kind = tag.rpartition(":")[2]
    if kind == "null" and text in ("null", "~"):
        return None
    if kind == "bool" and text in ("true", "false"):
        return text == "true"
    if kind == "float" and _FLOAT.match(text):
        return float(text)
    raise _GiveUp


def _block_scalar(text: str) -> Any:
    """A whole value in block context: a quoted or plain scalar, or a flow collection."""
    first = text[:1]
    if first == "[" or first == "{":
        value, end = _flow(text, 0)
    elif first == "'" or first == '"':
        value, end = _quoted(text, 0)
    else:
        if ": " in text or " #" in text or text.endswith(":"):
            raise _GiveUp
        return _typed(text)
    if end != len(text):
        raise _GiveUp
    return value


def _quoted(text: str, start: int) -> tuple[str, int]:
    match = (_SINGLE if text[start] == "'" else _DOUBLE).match(text, start)
    if match is None:
        raise _GiveUp
    inner = match.group(1)
    return (inner.replace("''", "'") if text[start] == "'" else inner), match.end()


def _flow(text: str, start: int) -> tuple[Any, int]:
    """A flow list or map of scalars, written the way the dumper writes them."""
    is_list = text[start] == "["
    match = (_SEQ if is_list else _MAP).match(text, start)
    if match is None:
        raise _GiveUp
    values = []
    for token in _TOKENS.finditer(text, start + 1, match.end() - 1):
        kind = token.lastindex
        if kind == 3:
            values.append(_typed(token[3]))
        elif kind == 1:
            values.append(token[1].replace("''", "'"))
        else:
            values.append(token[2])
    if is_list:
        return values, match.end()
    pairs = dict(zip(values[::2], values[1::2], strict=True))
    if len(pairs) * 2 != len(values) or not all(isinstance(key, str) for key in pairs):
        raise _GiveUp  # a repeated key, or one that is not text
    return pairs, match.end()


def _join(first: str, lines: list[str], start: int, end: int) -> str:
    """A value written over several lines, folded the way YAML folds it (at single spaces)."""
    if start == end:
        return first
    parts = [first]
    for index in range(start, end):
        line = lines[index]
        stripped = line.lstrip(" ")
        if not stripped or line[-1] == " ":
            raise _GiveUp  # blank lines and trailing spaces fold differently
        parts.append(stripped)
    return " ".join(parts)


def _continued(lines: list[str], start: int, indent: str) -> int:
    """The index of the first line after `start` that does not continue a value."""
    end = start
    while end < len(lines) and lines[end].startswith(indent):
        end += 1
    return end


def fast(head: str) -> dict[str, Any] | None:
    """The front matter as data, if it is in the writer's corner of YAML; else None.

    For the writer's own layout (fields in its order) the data holds only what
    `frontmatter.summarize` reads: each step is reduced to its `id` and `skipped`, and
    `captures` may be an empty mapping standing for the real one; every value in the
    text has still been checked to be one the safe parser reads without complaint.
    """
    if (len(head) > FAST_LIMIT or not head.endswith("\n") or " \n" in head
            or "\n\n" in head or not _printable(head)):
        return None  # trailing spaces and blank lines fold in ways `fast` does not follow
    try:
        match = _WRITER.match(head)
        if match is not None:
            return _writer_layout(match)
        lines = head.split("\n")
        lines.pop()
        return _top(lines)
    except (_GiveUp, IndexError):
        return None


# The writer's layout with every field as `frontmatter.summarize` accepts it, in one
# pattern: a record that matches needs no more than a few values read to be summed up.
_NUMBER = r"(?:0|[1-9][0-9]*)"
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_MOMENT = rf"{_DAY}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}Z"
_STRICT = re.compile(
    r"record: 1\n"
    r"id: (?P<id>[0-9]{8}-[0-9]{6}-[a-z0-9-]+-[0-9a-f]{4})\n"
    rf"playbook: (?P<playbook>{_V})\n"
    rf"playbook_version: (?P<playbook_version>null|{_NUMBER})\n"
    rf"playbook_sha256: (?P<playbook_sha256>{_V})\n"
    rf"agent: (?P<agent>{_V})\n"
    rf"customer: (?P<customer>{_V})\n"
    rf"reference: (?P<reference>{_V})\n"
    rf"started: (?P<started>{_MOMENT})\n"
    rf"ended: (?P<ended>{_MOMENT})\n"
    rf"duration_seconds: (?P<duration>{_NUMBER})\n"
    r"outcome: (?P<outcome>resolved|follow-up|escalated|unresolved|dropped)\n"
    r"escalated: (?P<escalated>true|false)\n"
    rf"root_cause: (?P<root_cause>{_V})\n"
    rf"summary: (?P<summary>{_V})\n"
    rf"follow_up: (?P<follow_up>null|{_DAY})\n"
    rf"follow_up_done: (?P<follow_up_done>null|{_DAY})\n"
    rf"mood:(?P<mood> \[\]|(?:\n- \{{step: [a-z0-9][a-z0-9-]*, at: {_NUMBER}, "
    r"value: [1-5]\})+)\n"
    rf"steps:(?P<steps> \[\]|(?:{_TEXT_STEP})+)\n"
    rf"captures: (?P<captures>{_TEXT_CAPTURES.pattern})\n"
    rf"redactions: (?P<redactions>{_NUMBER})\n"
    rf"tags: (?P<tags>{_V})\n\Z")
_MOOD_STEPS = re.compile(r"\{step: ([a-z0-9][a-z0-9-]*), ")
_MOOD_VALUES = re.compile(r"value: ([1-5])\}")


def summary(head: str, path: str) -> Summary | None:
    """The Summary of a front matter in the writer's layout with every field valid, as
    `frontmatter.summarize(safeyaml.load(head))` would make it; None for any other."""
    if (len(head) > FAST_LIMIT or " \n" in head or "\n\n" in head
            or not _printable(head)):
        return None
    match = _STRICT.match(head)
    if match is None:
        return None
    try:
        return _summary(match, path)
    except _GiveUp:
        return None


def _text(match: re.Match[str], key: str, *, required: bool = False) -> str | None:
    value = _value(match[key])
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise _GiveUp  # the safe path says what is wrong
    return value


def _summary(match: re.Match[str], path: str) -> Summary:
    _value(match["playbook_sha256"])  # not summed up, but it must read
    moods = match["mood"]
    values: list[int] = []
    if moods != " []":
        if any(_tag(step) != _STR for step in set(_MOOD_STEPS.findall(moods))):
            raise _GiveUp
        values = [int(value) for value in _MOOD_VALUES.findall(moods)]
    steps = match["steps"]
    found: list[tuple[str, str]] = []
    if steps != " []":
        found = _STEP_IDS.findall(steps)
        if any(_tag(step) != _STR for step in {step for step, _ in found}):
            raise _GiveUp
    keys = _CAPTURE_KEYS.findall(match["captures"])
    if len(set(keys)) != len(keys) or any(_tag(key) != _STR for key in keys):
        raise _GiveUp
    tags = _value(match["tags"])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise _GiveUp
    try:
        datetime.fromisoformat(match["started"])
        datetime.fromisoformat(match["ended"])
        days = [match["follow_up"], match["follow_up_done"]]
        for day in days:
            if day != "null":
                date.fromisoformat(day)
    except ValueError:
        raise _GiveUp from None
    version = match["playbook_version"]
    intern = sys.intern
    playbook = _text(match, "playbook", required=True)
    agent = _text(match, "agent", required=True)
    root_cause = _text(match, "root_cause")
    assert playbook is not None and agent is not None
    return Summary(
        id=match["id"],
        playbook=intern(playbook),
        playbook_version=None if version == "null" else int(version),
        agent=intern(agent),
        customer=_text(match, "customer"),
        reference=_text(match, "reference"),
        started=match["started"],
        ended=match["ended"],
        duration=int(match["duration"]),
        outcome=intern(match["outcome"]),
        escalated=match["escalated"] == "true",
        root_cause=intern(root_cause) if root_cause is not None else None,
        summary=_text(match, "summary"),
        follow_up=None if days[0] == "null" else days[0],
        follow_up_done=None if days[1] == "null" else days[1],
        mood_start=values[0] if values else None,
        mood_end=values[-1] if values else None,
        steps=len(found),
        skipped=tuple(dict.fromkeys(step for step, skipped in found if skipped == "true")),
        redactions=int(match["redactions"]),
        tags=tuple(tags),
        path=path,
    )


_values: dict[str, Any] = {}  # value text -> value; many values recur from record to record


def _value(text: str) -> Any:
    """A value in block context, which may go on over more-indented lines."""
    try:
        return _values[text]
    except KeyError:
        pass
    value = _block_scalar(_FOLD.sub(" ", text) if "\n" in text else text)
    if len(_values) >= CACHE_LIMIT:
        _values.clear()  # the values that recur come back soon enough
    _values[text] = value  # shared, so only ever read
    return value


_CHECKED: dict[str, Any] = {}  # stands for captures checked but not read: see `fast`


def _writer_layout(match: re.Match[str]) -> dict[str, Any]:
    data = {key: _value(match[key]) for key in _SCALARS if key not in _UNIQUE}
    for key in _UNIQUE:  # different in every record: not worth a place in the cache
        text = match[key]
        data[key] = text if key == "id" and _ID.match(text) else _block_scalar(text)
    data["redactions"] = _value(match["redactions"])
    data["tags"] = _value(match["tags"])
    captures = match["captures"]
    if _TEXT_CAPTURES.fullmatch(captures):
        keys = _CAPTURE_KEYS.findall(captures)
        if len(set(keys)) != len(keys) or any(_tag(key) != _STR for key in keys):
            raise _GiveUp
        data["captures"] = _CHECKED
    else:
        data["captures"] = _value(captures)
    moods = match["mood"]
    if moods == " []":
        data["mood"] = []
    else:
        entries = moods[3:].split("\n- ")
        found = _MOODS.findall(moods)
        if len(found) != len(entries) or any(_tag(step) != _STR for step, _, _ in found):
            data["mood"] = [_value(entry) for entry in entries]
        else:
            data["mood"] = [{"step": step, "at": int(at), "value": int(value)}
                            for step, at, value in found]
    steps = match["steps"]
    if steps == " []":
        data["steps"] = []
        return data
    if _TEXT_STEPS.fullmatch(steps):
        found = _STEP_IDS.findall(steps)
        for identifier in {identifier for identifier, _ in found}:
            if _tag(identifier) != _STR:
                raise _GiveUp
        data["steps"] = [{"id": identifier, "skipped": skipped == "true"}
                         for identifier, skipped in found]
        return data
    if not _STEPS.fullmatch(steps):
        raise _GiveUp
    entries = _STEP.findall(steps)
    for identifier in {entry[0] for entry in entries}:
        if _tag(identifier) != _STR:
            raise _GiveUp
    # unticked, skip_reason, answer: checked once per distinct text
    texts = {entry[2] for entry in entries}
    texts.update(entry[4] for entry in entries if entry[4])
    texts.update(entry[5] for entry in entries if entry[5])
    for text in texts:
        if text not in _values:
            _value(text)
    for entry in entries:
        if entry[3] != " []":
            for note in entry[3][5:].split("\n  - "):
                _value(note)
    data["steps"] = [{"id": entry[0], "skipped": entry[1] == "true"} for entry in entries]
    return data


def _top(lines: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    index, count = 0, len(lines)
    while index < count:
        match = _TOP.match(lines[index])
        if match is None:
            raise _GiveUp
        key, rest = match.groups()
        if key not in TOP_KEYS or key in data:
            raise _GiveUp
        index += 1
        if rest is None:
            if index < count and lines[index].startswith("- "):
                if key == "mood":
                    data[key], index = _moods(lines, index)
                elif key == "steps":
                    data[key], index = _steps(lines, index)
                else:
                    raise _GiveUp
            elif index < count and lines[index].startswith(" "):
                raise _GiveUp  # a block mapping: not something the writer makes
            else:
                data[key] = None
            continue
        end = _continued(lines, index, " ")
        data[key] = _block_scalar(_join(rest, lines, index, end))
        index = end
    return data


def _moods(lines: list[str], index: int) -> tuple[list[Any], int]:
    moods: list[Any] = []
    while index < len(lines) and lines[index].startswith("- "):
        text = lines[index][2:]
        end = _continued(lines, index + 1, " ")
        match = _MOOD.match(text) if end == index + 1 else None
        if match and _tag(match[1]) == _STR:
            moods.append({"step": match[1], "at": int(match[2]), "value": int(match[3])})
        else:
            value = _block_scalar(_join(text, lines, index + 1, end))
            moods.append(value)
        index = end
    return moods, index


def _steps(lines: list[str], index: int) -> tuple[list[Any], int]:
    steps: list[Any] = []
    count = len(lines)
    while index < count and lines[index].startswith("- "):
        step: dict[str, Any] = {}
        first = True
        while index < count:
            line = lines[index]
            if first:
                if not line.startswith("- "):
                    break
            elif not line.startswith("  ") or line.startswith("  - "):
                break
            match = _STEP_LINE.match(line)
            if match is None:
                raise _GiveUp
            key, rest = match.groups()
            if key not in STEP_KEYS or key in step:
                raise _GiveUp
            first = False
            index += 1
            if rest is None:
                if key != "notes" or not lines[index].startswith("  - "):
                    raise _GiveUp  # an empty or block value: not the writer's
                notes: list[Any] = []
                while index < count and lines[index].startswith("  - "):
                    end = _continued(lines, index + 1, "   ")
                    notes.append(_block_scalar(_join(lines[index][4:], lines, index + 1, end)))
                    index = end
                step[key] = notes
                continue
            end = _continued(lines, index, "   ")
            step[key] = _block_scalar(_join(rest, lines, index, end))
            index = end
        steps.append(step)
    return steps, index
