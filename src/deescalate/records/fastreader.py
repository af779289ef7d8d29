"""The fast record reader: the writer's own layout, read with a few regular expressions.

The safe reader (`deescalate.records.reader`, over `deescalate.safeyaml`) reads any
YAML, but at close to a millisecond per record it would take minutes over a large
records folder. Almost every record is exactly what `deescalate.records.writer`
wrote: the fields of `deescalate.records.format.FIELDS` in that order, each value in
the small corner of YAML the dumper uses. `summary` matches that layout whole and
reads the few values a `Summary` needs; the moment the text is anything else (a
comment, an anchor, a tag, an escape, a blank line, a field out of order, a value
YAML would read as another type...) it returns None and the safe reader decides. So
whenever it returns a Summary, it is the one `reader.summarize(safeyaml.load(head))`
makes: the tests check this on records from the writer, hand-edited ones and random
mutations of both.

Imported only when some record has to be read (not when every summary is cached),
since compiling its patterns takes a noticeable part of a warm run.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from deescalate.records import format as record_format
from deescalate.records.format import (
    ID_PATTERN,
    MAX_WHOLE,
    MOODS,
    OUTCOMES,
    VERSION,
    Field,
    columns,
)
from deescalate.records.summary import Summary, extra_columns, make, step_visits

# The writer's front matter is a few kilobytes; larger ones go to the safe parser,
# whose caps on nesting and size then apply.
FAST_LIMIT = 64_000


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


_INDICATOR = frozenset("-?:,[]{}#&*!|>'\"%@`")
# A scalar inside a flow list or map: quoted, or plain without any character that
# could end it or be read as an indicator there.
_ITEM = (r"'[^']*(?:''[^']*)*'|\"[^\"\\]*\"|"
         r"[^-?:,\[\]{}#&*!|>'\"%@`\s][^,\[\]{}:#?]*")
_SEQ = re.compile(rf"\[(?:(?:{_ITEM})(?:, (?:{_ITEM}))*)?\]")
_MAP = re.compile(rf"\{{(?:(?:{_ITEM}): (?:{_ITEM})(?:, (?:{_ITEM}): (?:{_ITEM}))*)?\}}")
_ITEMS = re.compile(_ITEM)  # each item, quoted or plain, of a flow list or map
_SINGLE = re.compile(r"'([^']*(?:''[^']*)*)'")
_DOUBLE = re.compile(r'"([^"\\]*)"')
# Whole numbers of up to 18 digits: longer ones go to the safe parser, which has its own
# rules for them (and Python's int() refuses more than 4,300 digits).
_DIGITS = "(?:0|[1-9][0-9]{0,17})"
_DECIMAL = re.compile(rf"-?{_DIGITS}\Z")
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
# A time as other writers spell it, native with a space: UTC or without a zone.
_SPACED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\+00:00)?\Z")
_FOLD = re.compile(r"\n +")
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
    rf"\n- id: [a-z0-9][a-z0-9-]*\n  at: {_DIGITS}\n  seconds: {_DIGITS}\n"
    rf"  skipped: (?:true|false)\n  unticked: \[(?:(?:{_TEXT_ITEM})(?:,(?: |{_GO_ON})"
    rf"(?:{_TEXT_ITEM}))*)?\]\n  notes:(?: \[\]|(?:\n  - \{{at: {_DIGITS}, text: "
    rf"(?:{_TEXT_ITEM})\}})+)(?:\n  skip_reason: (?:{_TEXT_LINE}))?"
    rf"(?:\n  answer: (?:{_TEXT_LINE}))?"
    r"(?:\n  taken_back: true)?"
    r"(?:\n  playbook: [a-z0-9][a-z0-9-]*)?"
    rf"(?:\n  visits:(?:\n  - \{{at: {_DIGITS}, seconds: {_DIGITS}\}})+)?")
_CAPTURE_VALUE = (rf"(?:{_text_item(_GO_ON_TOP)}|(?:true|false|-?{_DIGITS}(?:\.[0-9]+)?)"
                  r"(?=[,}]))")
_TEXT_CAPTURES = re.compile(
    rf"\{{(?:[a-z0-9][a-z0-9-]*: {_CAPTURE_VALUE}"
    rf"(?:,(?: |{_GO_ON_TOP})[a-z0-9][a-z0-9-]*: {_CAPTURE_VALUE})*)?\}}")
# Captures as a block mapping (the writer's way since v3), one key a line.
# A plain value may start with a digit there when a letter or mark no YAML number, date
# or time has shows it is text (`50% off`, `2 boxes`).
_NOT_A_NUMBER = "acdfghijklmnpqrsuvwyACDFGHIJKLMNPQRSUVWY%,;/()"
_DIGIT_TEXT = (rf"(?=[0-9][^\n]*[{_NOT_A_NUMBER}])[0-9]{_PLAIN_REST}"
               rf"(?:{_GO_ON}[^-?:,\[\]{{}}#&*!|>'\"%@`\n ]{_PLAIN_REST})*")
_BLOCK_CAPTURES = (rf"(?:\n  [a-z0-9][a-z0-9-]*: (?:{_TEXT_LINE}|{_DIGIT_TEXT}|"
                   rf"(?:true|false|-?{_DIGITS}(?:\.[0-9]+)?)(?=\n)))+")
_CAPTURE_KEYS = re.compile(r"(?:\{|,(?: |\n +)|\n  (?=[a-z0-9]))([a-z0-9][a-z0-9-]*): ")
_STEP_IDS = re.compile(r"\n- id: ([a-z0-9][a-z0-9-]*)\n  at: ([0-9]+)\n  seconds: ([0-9]+)\n"
                       r"  skipped: (true|false)\n")
# Inside one step entry (the text after its `- id:`): the keys after `notes`, each at
# two spaces; a value going on over more lines is indented by three or more.
_STEP_ANSWER = re.compile(r"\n  answer: ([^\n]*(?:\n {3,}[^\n]*)*)")
_STEP_UNTICKED = re.compile(r"\n  unticked: ([^\n]*(?:\n {3,}[^\n]*)*)")
_STEP_PLAYBOOK = re.compile(r"\n  playbook: ([a-z0-9][a-z0-9-]*)")
_STEP_VISITS = re.compile(r"\n  - \{at: ([0-9]+), seconds: ([0-9]+)\}")
_MOODS = re.compile(r"\{step: [a-z0-9][a-z0-9-]*, at: ([0-9]+), ")
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


_texts: set[str] = set()  # plain scalars known to be read as text


def _all_text(names: set[str]) -> bool:
    """Whether YAML reads every one of these plain scalars (ids, keys) as text. The same
    few names recur in every record: a set difference finds the new ones."""
    new = names - _texts
    if not new:
        return True
    if any(_tag(name) != _STR for name in new):
        return False
    if len(_texts) >= CACHE_LIMIT:
        _texts.clear()
    _texts.update(new)
    return True


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
            if _STAMP.match(text) or _SPACED.match(text):
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
    tokens = _ITEMS.findall(text, start + 1, match.end() - 1)
    known = _items.get
    values = [known(token, _NOT_KNOWN) for token in tokens]
    if _NOT_KNOWN in values:
        values = [_item(token) for token in tokens]
    if is_list:
        return values, match.end()
    pairs = dict(zip(values[::2], values[1::2], strict=True))
    if len(pairs) * 2 != len(values) or not all(isinstance(key, str) for key in pairs):
        raise _GiveUp  # a repeated key, or one that is not text
    return pairs, match.end()


_NOT_KNOWN = object()  # not in a cache
_items: dict[str, Any] = {}  # an item of a flow list or map -> its value


def _item(text: str) -> Any:
    """The value of an item of a flow list or map, as `_ITEMS` finds it."""
    value = _items.get(text, _NOT_KNOWN)
    if value is not _NOT_KNOWN:
        return value
    first = text[0]
    value = (text[1:-1].replace("''", "'") if first == "'" else
             text[1:-1] if first == '"' else _typed(text))
    if len(_items) >= CACHE_LIMIT:
        _items.clear()
    _items[text] = value  # shared, so only ever read
    return value


# A value on one line, or going on over more-indented ones. Possessive: what follows it
# is a line break and a field's name, which never starts with a space, so giving back a
# character or a line could never make a match, and a text in another layout is refused
# without trying each shorter value of each line before it.
_V = r"[^\n]*+(?:\n [^\n]*+)*+"
_NUMBER = _DIGITS
# The counts and lengths `reader.summarize` takes: up to MAX_WHOLE, all nines.
_WHOLE = f"(?:0|[1-9][0-9]{{0,{len(str(MAX_WHOLE)) - 1}}})"
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_MOMENT = rf"{_DAY}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}Z"
_MOOD_VALUE = f"[{min(MOODS)}-{max(MOODS)}]"
# Each kind of field as the writer writes it and `reader.summarize` accepts it (a kind
# not here: any value, read by `_value`); a field's line is joined with the others in
# the order of FIELDS into one pattern, so a record that matches needs no more than a
# few values read to be summed up. `null` is allowed where the field may be empty.
_KIND_PATTERN = {
    "id": ID_PATTERN,
    "whole": _WHOLE,
    "count": _WHOLE,
    "moment": _MOMENT,
    "outcome": "|".join(re.escape(outcome) for outcome in OUTCOMES),
    "bool": "true|false",
    "day": _DAY,
    "playbooks": r"\[[a-z0-9][a-z0-9-]*(?:, [a-z0-9][a-z0-9-]*)+\]",
}
_MAY_BE_NULL = {"whole", "count", "moment", "bool", "day"}
_BLOCK = {  # the two block sequences: no space after the colon
    "moods": (rf" \[\]|(?:\n- \{{step: [a-z0-9][a-z0-9-]*, at: {_NUMBER}, "
              rf"value: {_MOOD_VALUE}\}})+"),
    "steps": rf" \[\]|(?:{_TEXT_STEP})+",
    "captures": rf" {_TEXT_CAPTURES.pattern}|{_BLOCK_CAPTURES}",
}


def _line(field: Field, *, lenient: bool = False) -> str:
    """The pattern of one field's line; the value is the group of the field's name.
    The line may be missing when the writer leaves it out (an optional field with
    nothing to say) or, `lenient`, when the field is not required."""
    name = field.name
    if field.kind in _BLOCK:
        line = f"{name}:(?P<{name}>{_BLOCK[field.kind]})\n"
    elif field.kind == "record":
        line = f"{name}: {VERSION}\n"
    else:
        value = _KIND_PATTERN.get(field.kind, _V)
        if field.kind in _MAY_BE_NULL and not field.required:
            value = f"null|{value}"
        line = f"{name}: (?P<{name}>{value})\n"
    return f"(?:{line})?" if field.optional or (lenient and not field.required) else line


_MOOD_STEPS = re.compile(r"\{step: ([a-z0-9][a-z0-9-]*), ")
_MOOD_VALUES = re.compile(rf"value: ({_MOOD_VALUE})\}}")


def _matched(head: str) -> tuple[_Table, re.Match[str]] | None:
    """The table and its match of a front matter in the writer's layout; None for any
    other. The patterns go first: they refuse most texts not in the layout at once,
    before the checks that go over the whole text."""
    table = _table if _table.fields is record_format.FIELDS else _new_table()
    if not head.startswith(table.start) or len(head) > FAST_LIMIT:
        return None
    match = table.strict.match(head) or table.lenient().match(head)
    if match is None or " \n" in head or "\n\n" in head or not _printable(head):
        return None
    return table, match


def summary(head: str, path: str, *, visits: bool = True) -> Summary | None:
    """The Summary of a front matter in the writer's layout with every field valid, as
    `reader.summarize(safeyaml.load(head))` would make it; None for any other. Without
    `visits`, its step visits are left out (a third of the time; the safe reader never
    refuses a record for them, so which records read is the same)."""
    matched = _matched(head)
    if matched is None:
        return None
    table, match = matched
    try:
        return table.summary(match, path, visits)
    except _GiveUp:
        return None


# Inside one step entry: its notes (a block list of flow maps, each going on over more
# indented lines) and its skip reason; `_STEP_UNTICKED` above for the unticked items.
_STEP_NOTES = re.compile(r"\n  notes:((?:\n  - [^\n]*(?:\n {4,}[^\n]*)*)*)")
_STEP_REASON = re.compile(r"\n  skip_reason: ([^\n]*(?:\n {3,}[^\n]*)*)")


def details(head: str) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """Each `steps` entry's `unticked`, `notes` and `skip_reason`, and the `captures`,
    of a front matter in the writer's layout, as the safe parser would give them; None
    for any other (then the safe parser reads it)."""
    matched = _matched(head)
    if matched is None:
        return None
    table, match = matched
    try:
        table.summary(match, "", False)  # every field as the fast reader takes it, or none
        found = _capture_values(match["captures"])
        steps = match["steps"] or ""
        entries = [_entry(text) for text in steps.split("\n- id: ")[1:]]
    except _GiveUp:
        return None
    return (entries, found) if isinstance(found, dict) else None


_BLOCK_CAPTURE_KEY = re.compile(r"\n  (?=[a-z0-9][a-z0-9-]*: )")


def _capture_values(captures: str | None) -> Any:
    """The captures, in flow style (`{a: 1}`) or as a block mapping, one key a line."""
    text = (captures or "").strip()
    if not text or text == "{}":
        return {}
    if text.startswith("{"):
        return _value(text)
    found: dict[str, Any] = {}
    for part in _BLOCK_CAPTURE_KEY.split(captures or "")[1:]:
        key, _, value = part.partition(": ")
        found[key] = _value(value)
    return found


def _entry(text: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    unticked = _STEP_UNTICKED.search(text)
    if unticked is not None:
        entry["unticked"] = [] if unticked[1] == "[]" else _value(unticked[1])
    notes = _STEP_NOTES.search(text)
    if notes is not None:
        entry["notes"] = [_value(item) for item in notes[1].split("\n  - ")[1:]]
    elif "\n  notes: []" not in text:
        raise _GiveUp
    reason = _STEP_REASON.search(text)
    if reason is not None:
        entry["skip_reason"] = _value(reason[1])
    return entry


# -- reading each kind of field into its columns ----------------------------------------
#
# Text and plain values (the most fields) are read in one loop each by `_Table.summary`;
# the other kinds by a function each, (match, values) -> None, setting its columns.

Read = Callable[[re.Match[str], dict[str, Any]], None]
_TEXTS = ("text", "name")


def _words(name: str, column: str) -> Read:
    def read(match: re.Match[str], values: dict[str, Any]) -> None:
        found = match[name]
        value = _value(found) if found is not None else None
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _GiveUp
        values[column] = tuple(value)
    return read


def _must_read(name: str) -> Read:
    """A field not summed up that must read all the same (`playbook_sha256`)."""
    def read(match: re.Match[str], values: dict[str, Any]) -> None:
        found = match[name]
        if found is not None:
            _value(found)
    return read


def _moment(text: str) -> str:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise _GiveUp from None
    return text


def _day(text: str) -> str:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise _GiveUp from None
    return text


_CONVERT: dict[str, Callable[[str], Any]] = {
    "whole": int, "count": int, "moment": _moment, "day": _day,
    "bool": lambda text: text == "true", "outcome": sys.intern}


def _id(match: re.Match[str], values: dict[str, Any]) -> None:
    values["id"] = match["id"]


def _moods(match: re.Match[str], values: dict[str, Any]) -> None:
    moods = match["mood"]
    if moods is None or moods == " []":
        values["mood_start"] = values["mood_end"] = None
        return
    if not _all_text(set(_MOOD_STEPS.findall(moods))):
        raise _GiveUp
    ratings = _MOOD_VALUES.findall(moods)
    values["mood_start"], values["mood_end"] = int(ratings[0]), int(ratings[-1])


def _steps(match: re.Match[str], values: dict[str, Any]) -> None:
    """The steps' count and skipped ids; `visits` keeps the entries for `_visits`."""
    steps = match["steps"]
    found: list[tuple[str, str, str, str]] = []
    if steps is not None and steps != " []":
        found = _STEP_IDS.findall(steps)
        if not _all_text({step[0] for step in found}):
            raise _GiveUp
    values["steps"] = len(found)
    values["skipped"] = tuple(dict.fromkeys(step[0] for step in found if step[3] == "true"))
    values["visits"] = found


def _playbooks(match: re.Match[str], values: dict[str, Any]) -> None:
    used = match["playbooks"]
    playbooks: tuple[str, ...] = ()
    if used is not None:
        names = _value(used)
        if not all(isinstance(name, str) for name in names):
            raise _GiveUp
        playbooks = tuple(names)
    values["playbooks"] = playbooks


def _captures(match: re.Match[str], values: dict[str, Any]) -> None:
    """The captures are not summed up, but their keys must be text, each once."""
    captures = match["captures"]
    keys = _CAPTURE_KEYS.findall(captures) if captures is not None else []
    unique = set(keys)
    if len(unique) != len(keys) or not _all_text(unique):
        raise _GiveUp


_SPECIAL: dict[str, Read] = {"id": _id, "moods": _moods, "steps": _steps,
                             "playbooks": _playbooks, "captures": _captures}


class _Table:
    """The fast reader for one version of the fields: its pattern and its readers."""

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        self.strict = re.compile("".join(_line(field) for field in fields) + r"\Z")
        # The line every record in this layout starts with (`record: 1`), if there is one:
        # most records other tools wrote are told from the writer's by it alone.
        first = fields[0] if fields else None
        self.start = (f"{first.name}: {VERSION}\n" if first is not None and first.kind ==
                      "record" and first.required and not first.optional else "")
        self._lenient: re.Pattern[str] | None = None
        self.more = extra_columns(column.name for column in columns(fields))
        # (group, column, ...) of each text and each plain value; a function for the rest.
        self.texts: list[tuple[str, str, bool, bool, Any]] = []
        self.plain: list[tuple[str, str, Callable[[str], Any], Any]] = []
        self.readers: list[Read] = []
        for field in fields:
            name, kind = field.name, field.kind
            column = field.summed_up[0].name if field.summed_up else name
            if kind in _TEXTS:
                self.texts.append((name, column, field.required, kind == "name",
                                   field.default))
            elif kind in _CONVERT:
                self.plain.append((name, column, _CONVERT[kind], field.default))
            elif kind == "words":
                self.readers.append(_words(name, column))
            elif kind == "sha256":
                self.readers.append(_must_read(name))
            elif kind != "record":  # the pattern checks it all
                self.readers.append(_SPECIAL[kind])

    def lenient(self) -> re.Pattern[str]:
        """The pattern with every field that is not required allowed to be missing, as
        the safe reader allows: a record written before a field existed still reads
        here (made when first needed: the writer writes every line `strict` wants)."""
        if self._lenient is None:
            self._lenient = re.compile("".join(_line(field, lenient=True)
                                               for field in self.fields) + r"\Z")
        return self._lenient

    def summary(self, match: re.Match[str], path: str, visits: bool) -> Summary:
        values: dict[str, Any] = {"path": path}
        for group, column, required, recurs, default in self.texts:
            found = match[group]
            value = _value(found) if found is not None else None
            if value is None:
                if required:
                    raise _GiveUp  # the safe path says what is wrong
                value = default
            elif type(value) is not str or (required and not value.strip()):
                raise _GiveUp
            elif recurs:
                value = sys.intern(value)
            values[column] = value
        for group, column, convert, default in self.plain:
            found = match[group]
            values[column] = default if found is None or found == "null" else convert(found)
        for read in self.readers:
            read(match, values)
        found = values["visits"]
        values["visits"] = _visits(match["steps"], found, match["mood"]) if (
            found and visits) else ()
        return make(values, self.more)


_table = _Table(record_format.FIELDS)


def _new_table() -> _Table:
    """The reader for the fields as they are now: they changed (in a test)."""
    global _table
    _table = _Table(record_format.FIELDS)
    return _table


def _visits(steps: str, found: list[tuple[str, str, str, str]], moods: str | None
            ) -> tuple[Any, ...]:
    """The StepVisits of the steps entries (`found` their id, at, seconds, skipped)."""
    answers: dict[int, Any] = {}
    books: dict[int, str] = {}
    spans: dict[int, list[tuple[int | None, int | None]]] = {}
    if "\n  answer: " in steps:
        for match in _STEP_ANSWER.finditer(steps):
            answer = answers[steps.count("\n- id: ", 0, match.start()) - 1] = _value(match[1])
            if not isinstance(answer, str):
                raise _GiveUp
    if "\n  playbook: " in steps:
        for match in _STEP_PLAYBOOK.finditer(steps):
            if _tag(match[1]) != _STR:
                raise _GiveUp
            books[steps.count("\n- id: ", 0, match.start()) - 1] = match[1]
    if "\n  visits:" in steps:
        for match in _STEP_VISITS.finditer(steps):
            entry = steps.count("\n- id: ", 0, match.start()) - 1
            spans.setdefault(entry, []).append((_whole(match[1]), _whole(match[2])))
    unticked = _unticked(steps, len(found))
    entries = []
    for n, (step, at, seconds, skipped) in enumerate(found):
        visits = spans.get(n, ()) if spans else ()
        if visits and any(a is None or b is None for a, b in visits):
            visits = ()
        # Up to nine digits is at most MAX_WHOLE: _whole without a call, for the usual case.
        entries.append((step, books.get(n) if books else None,
                        int(at) if len(at) < 10 else _whole(at),
                        int(seconds) if len(seconds) < 10 else _whole(seconds),
                        skipped == "true", answers.get(n) if answers else None, visits,
                        unticked[n]))
    ratings: list[tuple[int, int]] | None = None
    if moods is not None and moods != " []":
        times = [_whole(when) for when in _MOODS.findall(moods)]
        values = [int(value) for value in _MOOD_VALUES.findall(moods)]
        ratings = (None if None in times else
                   [(when or 0, value) for when, value in zip(times, values, strict=True)])
    return step_visits(entries, ratings)  # type: ignore[arg-type]


def _unticked(steps: str, count: int) -> list[int | None]:
    """How many checklist items each of the `count` steps entries left unticked."""
    found: list[int | None] = [None] * count  # no line: can't be told
    matches = list(_STEP_UNTICKED.finditer(steps))
    for n, match in enumerate(matches):
        if len(matches) != count:  # not one a step, as the writer writes: find its entry
            n = steps.count("\n- id: ", 0, match.start()) - 1
        if 0 <= n < count:
            items = [] if match[1] == "[]" else _value(match[1])
            found[n] = len(items) if isinstance(items, list) else None
    return found


def _whole(digits: str) -> int | None:
    value = int(digits)
    return value if value <= MAX_WHOLE else None


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


# -- records other YAML writers wrote ----------------------------------------------------
#
# Other teams' scripts write records with PyYAML, ruamel or by hand: keys sorted or in
# any order, block or flow style, times quoted ('2026-11-22T14:30:12Z') or native with a
# space (2026-11-22 14:30:12+00:00). `load` reads the plain corner of YAML they use
# (block mappings and lists by indentation, flow lists and maps of scalars, plain and
# quoted scalars, folded over lines) into the very data `safeyaml.load` makes of it, ten
# times quicker; anything else (an anchor, a tag, a comment, a block scalar, an escape,
# a quoted key, a blank line...) gives None, and the safe parser decides. The record's
# fields are then checked by `reader.summarize`, as on the safe path.

# Each line: its indentation, a `- ` (a list item), then `key:` and the value after it,
# or else the rest of the line.
_ROW = re.compile(r"( *)(- )?(?:([A-Za-z0-9_][A-Za-z0-9_-]*):(?: (.*))?|(.*))")
_MOST_DEPTH = 12
Row = tuple[int, str, str, str, str]  # _ROW's groups, the indentation as its width
_lines: dict[str, Row] = {}  # a line -> its row; most lines recur from record to record


def _row(line: str) -> Row:
    match = _ROW.fullmatch(line)
    assert match is not None  # every line without a line break matches
    indent, dash, name, rest, other = match.groups("")
    row = _lines[line] = (len(indent), dash, name, rest, other)
    return row


def _rows(head: str) -> list[Row]:
    """The rows of each line of `head` (which ends with a line break)."""
    if len(_lines) >= CACHE_LIMIT:
        _lines.clear()
    known = _lines.get
    return [known(line) or _row(line) for line in head[:-1].split("\n")]


def load(head: str) -> dict[str, Any] | None:
    """The front matter `head` as data, exactly as `safeyaml.load` reads it, when it is
    written in the plain corner of YAML this reads; None for anything else."""
    if (len(head) > FAST_LIMIT or not head.endswith("\n") or " \n" in head
            or "\n\n" in head or not _printable(head)):
        return None
    reader = _Rows(_rows(head))
    try:
        data = reader.block(0, 0)
    except (_GiveUp, RecursionError):
        return None
    if reader.at != len(reader.rows) or not isinstance(data, dict):
        return None
    return data


class _Rows:
    """A reader over the rows (see _ROW) of a front matter, `at` the next one to read."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.indents = [row[0] for row in rows]
        self.at = 0

    def block(self, indent: int, depth: int) -> Any:
        """The mapping or list whose first line is the next one, at `indent`."""
        if depth > _MOST_DEPTH or self.at >= len(self.rows):
            raise _GiveUp
        if self.rows[self.at][1]:
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int, item: bool = False) -> dict[str, Any]:
        """A block mapping at `indent`; `item`: its first line starts with the `- ` of
        the list it is an item of. (The next line kept in `at` here, a local: this loop
        runs for nearly every line of a record.)"""
        result: dict[str, Any] = {}
        rows, indents, count, known = self.rows, self.indents, len(self.rows), _scalars
        at = self.at
        while at < count:
            here, dash, name, rest, _ = rows[at]
            if item:
                item = False
            elif here != indent:
                break  # the end of this mapping
            elif dash or not name:
                raise _GiveUp  # a list item or a bare value where a key should be
            if name in result or (name not in _texts and not _all_text({name})):
                raise _GiveUp  # twice (an error), or a key YAML reads as another type
            at += 1
            if rest and (at == count or indents[at] <= indent):
                value = known.get(rest, _NOT_KNOWN)  # the usual case: a value on its line
                result[name] = _scalar(rest) if value is _NOT_KNOWN else value
                continue
            self.at = at
            if rest:
                result[name] = self.value(rest, indent)
            elif at < count and (indents[at] > indent or (
                    indents[at] == indent and rows[at][1])):
                result[name] = self.block(indents[at], depth + 1)
            else:
                result[name] = None
            at = self.at
        self.at = at
        return result

    def sequence(self, indent: int, depth: int) -> list[Any]:
        """A block list at `indent`: each item a mapping, a flow collection or a scalar."""
        result: list[Any] = []
        rows, indents, count, known = self.rows, self.indents, len(self.rows), _scalars
        at = self.at
        while at < count:
            here, dash, name, _, other = rows[at]
            if here != indent or not dash:
                break  # the end of this list
            if name:
                self.at = at
                result.append(self.mapping(indent + 2, depth + 1, item=True))
                at = self.at
                continue
            if not other or other.startswith(("- ", " ")):
                raise _GiveUp  # a list in a list, or more spaces: for the safe parser
            at += 1
            if at < count and indents[at] > indent:
                self.at = at
                result.append(self.value(other, indent))
                at = self.at
            else:
                value = known.get(other, _NOT_KNOWN)
                result.append(_scalar(other) if value is _NOT_KNOWN else value)
        self.at = at
        return result

    def value(self, text: str, indent: int) -> Any:
        """A value starting on the line just read, going on over the lines after it
        that are indented more than `indent` (folded into one line, as YAML does)."""
        more = [text]
        plain = text[:1] not in ("[", "{", "'", '"')
        while self.at < len(self.rows) and self.indents[self.at] > indent:
            _, dash, name, rest, other = self.rows[self.at]
            if plain and (dash or name or other.startswith("#")):
                raise _GiveUp  # a comment, or structure: for the safe parser to say
            more.append(dash + (f"{name}:" + (f" {rest}" if rest else "") if name
                                else other.lstrip(" ")))
            self.at += 1
        return _scalar(" ".join(more))


def _scalar(text: str) -> Any:
    """A whole value on one (folded) line: a flow list or map, a quoted or plain scalar.
    Values recur from record to record: each is made once (and shared, so only read)."""
    try:
        return _scalars[text]
    except KeyError:
        pass
    value = _make_scalar(text)
    if len(_scalars) >= CACHE_LIMIT:
        _scalars.clear()
    _scalars[text] = value
    return value


_scalars: dict[str, Any] = {}


def _make_scalar(text: str) -> Any:
    first = text[:1]
    if first in ("[", "{"):
        value, end = _flow(text, 0)
    elif first in ("'", '"'):
        if first == '"' and "\\" in text:
            raise _GiveUp
        value, end = _quoted(text, 0)
    else:
        if ": " in text or " #" in text or text.endswith(":"):
            raise _GiveUp
        return _plain(text)
    if end != len(text):
        raise _GiveUp
    return value


def _plain(text: str) -> Any:
    """A plain scalar's value, as the safe parser resolves and makes it."""
    try:
        return _typed(text)
    except _GiveUp:
        pass
    if text[:1] in _INDICATOR or text[:1] == " " or text[-1:] == " ":
        raise _GiveUp
    from types import SimpleNamespace

    from deescalate import safeyaml

    event = SimpleNamespace(value=text, tag=None, implicit=(True, False), style=None,
                            start_mark=None)
    try:
        _, value = safeyaml._resolve_scalar(event)  # type: ignore[arg-type]
    except safeyaml.YamlError:
        raise _GiveUp from None
    if isinstance(value, list | dict | bytes):
        raise _GiveUp
    return value


# Times as other writers spell them, on the top-level lines of `started`, `ended`,
# `follow_up` and `follow_up_done`: quoted, or native with a space, with a zero offset
# or none (which YAML and the safe reader take as UTC).
# (Each found after a line break: a search for one character is far quicker than for
# the start of every line; `summary_of_other_times` puts one before the first line.)
_OTHER_TIMES = re.compile(
    r"\n(?:(started|ended): (?:'([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2}:[0-9]{2})Z'"
    r"|\"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2}:[0-9]{2})Z\""
    r"|([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:Z|\+00:00| \+00:00)?)"
    r"|(follow_up|follow_up_done): (?:'([0-9]{4}-[0-9]{2}-[0-9]{2})'"
    r"|\"([0-9]{4}-[0-9]{2}-[0-9]{2})\"))(?=\n|\Z)")


def _writer_time(match: re.Match[str]) -> str:
    if match[1]:
        day, clock = next((match[n], match[n + 1]) for n in (2, 4, 6) if match[n])
        return f"\n{match[1]}: {day}T{clock}Z"
    return f"\n{match[8]}: {match[9] or match[10]}"


def summary_of_other_times(head: str, path: str, *, visits: bool = True) -> Summary | None:
    """`summary` of a front matter in the writer's layout but for its times, spelled as
    other writers spell them ('2026-11-22T14:30:12Z', 2026-11-22 14:30:12+00:00,
    '2026-11-25'): each means the very moment or day the writer's spelling does, so the
    Summary is the one the safe reader makes of the text as it is; None for any other."""
    table = _table if _table.fields is record_format.FIELDS else _new_table()
    if not head.startswith(table.start):
        return None  # in another order: no respelling makes it the writer's layout
    respelled, count = _OTHER_TIMES.subn(_writer_time, "\n" + head)
    return summary(respelled[1:], path, visits=visits) if count else None
