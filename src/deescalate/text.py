"""Outside text made safe to show: the one place it is prepared for the terminal.

Playbooks, records, flags and what the agent types are data. `shown` turns any such
text into something that prints as exactly what it says: control characters (ESC, the
C1 range, DEL, and C0 other than tab and newline) and the invisible characters that
reorder or hide text (bidi controls, zero-width characters) become visible
placeholders, never raw codes. Rich markup is never parsed in outside text: wrap it
with `literal` (a Rich `Text`). `cells` is the one measure of how wide text is on a terminal.

`Glyphs` gives the screen's bullets, boxes and quotes in whatever the terminal's
encoding can show, with ASCII fallbacks; `plain_terminal` says when no escape codes
may be sent at all (`TERM=dumb`).
"""

from __future__ import annotations

import os
import re
from typing import IO, TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from rich.text import Text

# C0 controls other than tab and newline, DEL and the C1 range; and the invisible ones
# that change what a terminal shows: bidi controls (U+202E turns `abc\u202efdp.exe` into
# what reads as `abcexe.pdf`), zero-width characters, and line and paragraph separators.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u2064\u2066-\u2069\ufeff]")


def _picture(char: str, ascii_only: bool) -> str:
    code = ord(char)
    if code < 0x20:
        return f"^{chr(code + 0x40)}" if ascii_only else chr(0x2400 + code)
    if code == 0x7F:
        return "^?" if ascii_only else "\u2421"
    return f"<{code:02X}>"


def shown(text: str, *, ascii_only: bool = False) -> str:
    """`text` with every control character made visible (ESC shows as ␛, or ^[ in ASCII)."""
    if not CONTROL.search(text):
        return text
    return CONTROL.sub(lambda m: _picture(m.group(0), ascii_only), text)


def one_line(text: str, *, ascii_only: bool = False) -> str:
    """`shown`, with line breaks and tabs as single spaces: for table cells and headers."""
    return shown(" ".join(text.split()), ascii_only=ascii_only)


def shown_in_place(text: Text) -> Text:
    """A Rich `Text` with each control character replaced by one visible character, so
    its styles stay where they were (␛ for ESC, � for a C1 control)."""
    plain = text.plain
    if CONTROL.search(plain):
        text.plain = CONTROL.sub(
            lambda m: _picture(m.group(0), False) if ord(m.group(0)) < 0x80 else "\ufffd",
            plain)
    return text


def literal(text: str, style: str = "") -> Text:
    """Outside text as a Rich `Text`: markup in it is shown as typed, never applied."""
    from rich.text import Text

    return Text(shown(text), style=style)


def cells(text: str) -> int:
    """How many terminal cells `text` takes: zero-width characters (combining marks,
    format characters such as U+200B) none, East Asian wide and fullwidth ones two."""
    if text.isascii():
        return len(text)
    total = 0
    for char in text:
        size = _CELLS.get(char)
        if size is None:
            size = _char_cells(char)
            if len(_CELLS) < 10_000:  # the same few characters recur in every table
                _CELLS[char] = size
        total += size
    return total


_CELLS: dict[str, int] = {}


def _char_cells(char: str) -> int:
    import unicodedata

    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def picked(typed: str, most: int) -> int | None:
    """The number from 1 to `most` that `typed` is, in the digits 0-9, else None.

    `str.isdigit` alone also takes '²' or '٣', which `int` then refuses."""
    if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= most:
        return int(typed)
    return None


_C1 = re.compile("[\x7f-\x9f]")


def json_text(encoded: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with DEL and the C1
    controls, which JSON leaves raw, written as \\u escapes: the same data, no codes."""
    return _C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", encoded)


class Glyphs(NamedTuple):
    """The marks the screen draws, in the terminal's encoding."""

    bullet: str
    cross: str
    ticked: str
    unticked: str
    open_quote: str
    close_quote: str
    dot: str
    ellipsis: str
    rule: str
    arrow: str
    bar: str


UNICODE = Glyphs("•", "✗", "☑", "☐", "“", "”", "·", "…", "─", "→", "│")
ASCII = Glyphs("-", "x", "[x]", "[ ]", '"', '"', "|", "...", "-", "->", "|")


def can_encode(text: str, encoding: str | None) -> bool:
    try:
        text.encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def glyphs_for(stream: IO[str] | None) -> Glyphs:
    """The glyphs `stream` can show: Unicode when its encoding has them all, else ASCII."""
    encoding = getattr(stream, "encoding", None)
    return UNICODE if can_encode("".join(UNICODE), encoding) else ASCII


def plain_terminal() -> bool:
    """True when no escape codes at all may be sent (TERM=dumb)."""
    return os.environ.get("TERM", "") in ("dumb", "unknown")
