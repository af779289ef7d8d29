"""Reading YAML that people wrote by hand, safely and with positions.

PyYAML's composer recurses once per nesting level (a deep file crashes it, and
libyaml's own composer can take the process down) and expands nothing but keeps
no count of alias use. So we build the node tree ourselves from the parser's
event stream: every node keeps its line and column for messages, nesting depth
and alias expansion are capped as the events arrive, and only the YAML core
tags are accepted. Plain scalars keep their source text, so a field that wants
text can take `Yes` or `3.0` as written instead of as a bool or a float.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's parser is much faster; the pure-Python one is the fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from deescalate.errors import BadFile, BadInput, CantRead, NotFound

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 50_000

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    f"{_CORE}{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "binary")
}


class YamlError(Exception):
    """YAML that can't be read, with the 1-based position of the problem."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass(slots=True, eq=False)
class Node:
    """One YAML node with its position (1-based line and column)."""

    kind: str  # "map", "seq" or "scalar"
    line: int
    col: int
    value: Any = None  # scalar: the resolved value; seq: [Node]; map: [(Node, Node)]
    text: str = ""  # scalar: the text as written
    tag: str = ""
    size: int = 1  # nodes in this subtree, counting each alias use in full
    pairs: list[tuple[Node, Node]] | tuple[()] = ()  # a map's keys and values, in order
    _keys: dict[str, tuple[Node, Node]] | None = None

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.value is None

    def _index(self) -> dict[str, tuple[Node, Node]]:
        if self._keys is None:
            self._keys = {}
            for pair in self.pairs:
                if pair[0].kind == "scalar":
                    self._keys.setdefault(pair[0].text, pair)
        return self._keys

    def get(self, key: str) -> Node | None:
        """The value node for `key` in a mapping (the first, if repeated)."""
        pair = self._index().get(key)
        return pair[1] if pair else None

    def key_node(self, key: str) -> Node | None:
        pair = self._index().get(key)
        return pair[0] if pair else None


def text_of(node: Node | None) -> str | None:
    """A scalar's text as written; None for a missing node, a null or a collection."""
    if node is None or node.kind != "scalar" or node.is_null:
        return None
    return node.text


def items_of(node: Node | None) -> list[Node]:
    """A sequence's items; none for a missing node or anything else."""
    return list(node.value) if node is not None and node.kind == "seq" else []


def read_bytes(path: Path, *, limit: int = MAX_BYTES, what: str = "file") -> bytes:
    """Read a file of at most `limit` bytes, turning every way it can fail into one message.

    Only a regular file is read (a FIFO or a device is refused, never waited on), and
    never more than `limit` bytes of it, whatever size it claims to be."""
    from deescalate.files import NotAFile, read_limited

    try:
        data = read_limited(path, limit)
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except NotAFile as exc:
        if exc.what == "a folder":
            raise BadInput(f"{path}: is a folder, not a {what}") from None
        raise BadFile(f"{path}: is {exc.what}, not a {what}") from None
    except PermissionError:
        raise CantRead(f"{path}: permission denied") from None
    except OSError as exc:
        raise CantRead(f"{path}: can't read it ({exc.strerror or exc})") from None
    if len(data) > limit:
        try:
            size = f"{os.stat(path).st_size:,} bytes"
        except OSError:  # pragma: no cover - gone meanwhile
            size = "larger than that"
        raise BadFile(f"{path}: the {what} is {size}; the limit is {limit:,}")
    return data


def decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped), or a YamlError at the bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlError(f"not UTF-8 text (byte {exc.start} can't be decoded)", line, col) from None


def read_text(path: Path, *, limit: int = MAX_BYTES, what: str = "file") -> str:
    """Read a UTF-8 text file, turning every way it can fail into one clear message."""
    data = read_bytes(path, limit=limit, what=what)
    try:
        return decode(data)
    except YamlError as exc:
        raise BadFile(f"{path}: {exc.message}") from None


_resolver = yaml.resolver.Resolver()
_MAP = f"{_CORE}map"
_SEQ = f"{_CORE}seq"
_COLLECTION_TAGS = {_MAP, _SEQ}
# Python can't print an int of more than 4,300 digits (sys.int_info): a number YAML
# reads from hexadecimal or binary could be larger, and fail later, far from the file.
_MAX_INT_BITS = 14_000
_constructor = yaml.constructor.SafeConstructor()
_STR = f"{_CORE}str"
_plain_tags: dict[str, str] = {}  # plain scalar text -> resolved tag; the same words recur


def _resolve_scalar(event: yaml.ScalarEvent) -> tuple[str, Any]:
    text = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:  # quoted or block text: always a string
            return _STR, text
        tag = _plain_tags.get(text)
        if tag is None:
            tag = _resolver.resolve(yaml.ScalarNode, text, event.implicit)  # type: ignore[no-untyped-call]
            if len(_plain_tags) < 10_000:
                _plain_tags[text] = tag
    if tag == _STR:
        return tag, text
    if tag not in _ALLOWED_TAGS:
        raise _error_at(f"the tag {_short(tag)} is not allowed here", event)
    if tag in _COLLECTION_TAGS:
        raise _error_at(f"the tag {_short(tag)} is for a "
                        f"{'mapping' if tag == _MAP else 'list'}, not a single value", event)
    node = yaml.ScalarNode(tag, text, style=event.style)
    try:
        value = _constructor.yaml_constructors[tag](_constructor, node)
    except Exception as exc:  # PyYAML's constructors fail in many ways on explicit tags
        # (`!!timestamp soon`, `!!bool maybe`, `!!int ''`): each is this file's problem
        # Only Python's own value errors say something worth passing on.
        why = str(exc) if isinstance(exc, ValueError | OverflowError) else ""
        if why.startswith("Exceeds the limit"):  # Python's cap on digits in an int
            raise _error_at(f"the number {_clip(text)} is too large", event) from None
        raise _error_at(f"can't read {_clip(text)!r} as {_short(tag)}"
                        f"{f' ({_clip(why, 80)})' if why else ''}", event) from None
    if type(value) is int and value.bit_length() > _MAX_INT_BITS:
        raise _error_at(f"the number {_clip(text)} is too large", event)
    return tag, value


def _clip(text: str, most: int = 40) -> str:
    """Text from the file, cut short for a message: one line, at most `most` characters."""
    text = " ".join(text.split()) if any(ch in text for ch in "\n\r\t") else text
    return text if len(text) <= most else text[:most - 3] + "..."


def _short(tag: str) -> str:
    """A tag as it is usually written: `!!int`, not `tag:yaml.org,2002:int`."""
    return _clip(f"!!{tag.removeprefix(_CORE)}" if tag.startswith(_CORE) else tag, 60)


def _error_at(message: str, event: yaml.Event) -> YamlError:
    mark = event.start_mark
    if mark is None:
        return YamlError(message)
    return YamlError(message, mark.line + 1, mark.column + 1)


def _too_many(max_nodes: int, event: yaml.Event) -> YamlError:
    return _error_at(f"the document is too large or expands too many aliases "
                     f"(more than {max_nodes:,} values)", event)


def compose(text: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Node | None:
    """Build the node tree of a one-document YAML text; None for an empty one."""
    try:
        return _compose(_Loader(text), max_depth, max_nodes)
    except YamlError:
        raise
    except Exception as exc:  # the parser is not ours: whatever it raises is this file's
        raise _parse_error(exc, text, max_depth) from None


def _compose(parser: Any, max_depth: int, max_nodes: int) -> Node | None:
    """The node tree from the parser's events, capped as they arrive."""
    anchors: dict[str, Node] = {}
    stack: list[Node] = []  # open collections
    keys: list[Node | None] = []  # for each open collection: a map's key awaiting its value
    root: Node | None = None
    documents = 0
    total = 0  # nodes so far, each alias counted as the whole subtree it stands for
    while True:
        event: Any = parser.get_event()
        kind = event.__class__
        if kind is yaml.StreamEndEvent:
            return root
        if kind is yaml.ScalarEvent:
            tag, value = _resolve_scalar(event)
            mark = event.start_mark
            node = Node("scalar", mark.line + 1, mark.column + 1, value, event.value, tag)
            if event.anchor:
                anchors[event.anchor] = node
            total += 1
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if len(stack) >= max_depth:
                raise _error_at(f"the nesting is deeper than {max_depth} levels", event)
            node = _opened(event, kind is yaml.MappingStartEvent)
            if event.anchor:
                anchors[event.anchor] = node
            total += 1
            if total > max_nodes:
                raise _too_many(max_nodes, event)
            stack.append(node)
            keys.append(None)
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            node = _closed(stack.pop())
            keys.pop()
        elif kind is yaml.AliasEvent:
            node = _aliased(event, anchors, stack)
            total += node.size
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _error_at("only one YAML document is allowed in this file", event)
            continue
        else:
            continue
        if total > max_nodes:
            raise _too_many(max_nodes, event)
        # attach the finished node to its parent
        if not stack:
            root = node
        else:
            parent = stack[-1]
            if parent.kind == "seq":
                parent.value.append(node)
            elif keys[-1] is None:
                keys[-1] = node
            else:
                parent.pairs.append((keys[-1], node))  # type: ignore[union-attr]
                keys[-1] = None


def _opened(event: Any, is_map: bool) -> Node:
    """The empty node a mapping or a list starts as, once its tag is checked."""
    tag = event.tag if event.tag and event.tag != "!" else (_MAP if is_map else _SEQ)
    if tag not in _ALLOWED_TAGS:
        raise _error_at(f"the tag {_short(tag)} is not allowed here", event)
    if tag != (_MAP if is_map else _SEQ):
        raise _error_at(f"the tag {_short(tag)} can't be given to a "
                        f"{'mapping' if is_map else 'list'}", event)
    mark = event.start_mark
    return Node("map" if is_map else "seq", mark.line + 1, mark.column + 1,
                None if is_map else [], tag=tag, pairs=[] if is_map else ())


def _closed(node: Node) -> Node:
    """A finished mapping or list, its size counted."""
    if node.kind == "seq":
        node.size = 1 + sum(child.size for child in node.value)
    else:
        node.size = 1 + sum(k.size + v.size for k, v in node.pairs)
    return node


def _aliased(event: Any, anchors: dict[str, Node], stack: list[Node]) -> Node:
    """The node an alias stands for: one already finished, never one still open."""
    found = anchors.get(event.anchor or "")
    if found is None:
        raise _error_at(f"the alias *{_clip(event.anchor or '')} names no anchor", event)
    if any(open_node is found for open_node in stack):
        raise _error_at(f"the alias *{_clip(event.anchor or '')} refers to itself", event)
    return found


def _parse_error(exc: Exception, text: str, max_depth: int) -> YamlError:
    """What the parser raised, as a YamlError at the place it names."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "not valid YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        if "nesting depth" in message:  # PyYAML 6.0.3 and later cap nesting themselves
            message = f"the nesting is deeper than {max_depth} levels"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return YamlError(_clip(message, 200), line, col)
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        return YamlError(f"the character #x{exc.character:04x} is not allowed in YAML "
                         f"({exc.reason})", line, col)
    if isinstance(exc, yaml.YAMLError):
        return YamlError(_clip(f"not valid YAML ({exc})", 200))
    return YamlError(_clip(f"not valid YAML ({type(exc).__name__}: {exc})", 200))


def timestamp_pattern() -> re.Pattern[str]:
    """The pattern of the texts YAML reads as a date or a date and time, when unquoted."""
    pattern: re.Pattern[str] = yaml.constructor.SafeConstructor.timestamp_regexp
    return pattern


def timestamp(text: str) -> Any:
    """What `load(f"!!timestamp {text}")` makes of a text `timestamp_pattern` matches
    whole: a date, or a date and time; the text itself when it is not a real one
    (2026-02-30, an offset out of range). Without parsing a document for it."""
    node = yaml.ScalarNode(f"{_CORE}timestamp", text)
    try:
        return _constructor.construct_yaml_timestamp(node)
    except Exception:  # as `load` would refuse it: the caller keeps the text
        return text


def to_python(node: Node | None) -> Any:
    """Plain Python values for a node tree; repeated keys are an error."""
    if node is None:
        return None
    if node.kind == "scalar":
        return node.value
    if node.kind == "seq":
        return [to_python(child) for child in node.value]
    result: dict[Any, Any] = {}
    for key, value in node.pairs:
        if key.kind != "scalar":
            raise YamlError("a key must be a plain value, not a list or mapping",
                            key.line, key.col)
        name = key.value if isinstance(key.value, (str, int, float, bool)) else key.text
        if name in result:
            raise YamlError(f"the key {_clip(key.text)!r} appears twice", key.line, key.col)
        result[name] = to_python(value)
    return result


def load(text: str) -> Any:
    """Parse a one-document YAML text safely into plain Python values."""
    return to_python(compose(text))


def dump(data: Any) -> str:
    """YAML text for plain data, block style, keys in the order given."""
    try:
        from yaml import CSafeDumper as Dumper
    except ImportError:  # pragma: no cover
        from yaml import SafeDumper as Dumper  # type: ignore[assignment]
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
