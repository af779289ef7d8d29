"""Fitting a step onto the screen: which lines show, in what room, at any size.

Pure functions from a `StepView` and a size to lines of styled fragments, the shape
prompt_toolkit draws (`[(style, text), ...]`). No terminal and no toolkit here, so the
fitting is tested at every size without one.

The rules: a header line first; the step's `say` lines always whole (they are the
words to speak); then `do`, `avoid`, the checklist, the fields to write down, notes
and the branch question, condensed as room runs out, with "+N more" where something
is left out. Two columns when the screen is wide. All outside text goes through
`text.shown`, so nothing in a playbook or a note reaches the terminal as a code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from deescalate.call.engine import StepView
from deescalate.records.format import MOODS
from deescalate.text import Glyphs, cells, one_line, shown

Fragment = tuple[str, str]
Line = list[Fragment]
TWO_COLUMNS = 120  # wide enough for two columns of 58
GUTTER = 3


def clip(text: str, width: int, ellipsis: str = "…") -> str:
    """`text` cut to `width` cells, ending in `ellipsis` when something was cut."""
    if cells(text) <= width:
        return text
    room = max(0, width - cells(ellipsis))
    out, used = [], 0
    for char in text:
        size = cells(char)
        if used + size > room:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + ellipsis if width >= cells(ellipsis) else ""


def wrap(text: str, width: int) -> list[str]:
    """Word-wrap `text` into lines of at most `width` cells (a long word is split); a
    paragraph's leading spaces indent each of its lines, while room is left."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        body = paragraph.lstrip(" ")
        indent = len(paragraph) - len(body)
        if indent and body and indent < width // 2:
            lines += [" " * indent + line for line in wrap(body, width - indent)]
            continue
        done: list[str] = []
        line, used = "", 0
        for word in paragraph.split(" "):
            size = cells(word)
            if line and used + 1 + size <= width:
                line, used = f"{line} {word}", used + 1 + size
                continue
            if line or used:
                done.append(line)
            while size > width:
                head = clip(word, width, "") or word[0]  # a wide character in one cell
                done.append(head)
                word = word[len(head):]
                size = cells(word)
            line, used = word, size
        if line or not done:
            done.append(line)
        lines += done
    return lines


@dataclass
class Item:
    marker: str  # a bullet, a tick box with its key, a quote mark
    text: str
    style: str = ""


@dataclass
class Section:
    name: str
    heading: str
    items: list[Item] = field(default_factory=list)
    whole: bool = False  # never cut: the `say` lines
    short: str = ""  # the heading when it sits beside its items

    def label(self, inline: bool) -> str:
        return (self.short or self.heading) if inline else self.heading


def sections(view: StepView, glyphs: Glyphs) -> list[Section]:
    """The parts of a step, in the order they are shown, outside text made safe."""
    step = view.step
    parts: list[Section] = []
    if view.say:
        parts.append(Section("say", "SAY", [
            Item("", f"{glyphs.open_quote}{shown(line)}{glyphs.close_quote}", "class:say")
            for line in view.say], whole=True))
    if step.do:
        parts.append(Section("do", "DO", [Item(glyphs.bullet, shown(line)) for line in step.do]))
    if step.avoid:
        parts.append(Section("avoid", "AVOID", [
            Item(glyphs.cross, shown(line), "class:avoid") for line in step.avoid]))
    if step.checklist:
        items = []
        for number, (item, done) in enumerate(zip(step.checklist, view.ticked, strict=True), 1):
            key = str(number) if number <= 9 else " "
            mark = glyphs.ticked if done else glyphs.unticked
            items.append(Item(f"{key} {mark}", shown(item), "class:ticked" if done else ""))
        parts.append(Section("checklist", "TICK", items))
    if view.captures:
        items = []
        for capture, value in view.captures:
            shown_value = "" if value is None else (("yes" if value else "no")
                                                    if isinstance(value, bool) else str(value))
            need = "" if capture.required else " (optional)"
            items.append(Item("", f"{shown(capture.label)}{need}: "
                                  f"{one_line(shown_value) or glyphs.ellipsis}",
                              "class:value" if shown_value else ""))
        parts.append(Section("capture", "WRITE DOWN", items, short="WRITE"))
    if view.notes:
        parts.append(Section("notes", "NOTES", [
            Item(glyphs.bullet, one_line(note)) for note in view.notes]))
    if step.branch:
        parts.append(Section("branch", "THEN", [Item("", shown(step.branch.question))]))
    return parts


def where_on_path(view: StepView, short: bool = False) -> str:
    """The step's place on the way the call is taking: `step 5 of 8`, `step 8 of 8, last`,
    or `step 2` while a question ahead decides the way; `short`: `5/8`, `8/8 last`."""
    if not view.on_path:
        return f"{view.number}/{view.total}" if short else f"step {view.number} of {view.total}"
    if view.path_total is None:
        return f"step {view.on_path}"
    if short:
        return f"{view.on_path}/{view.path_total}" + (" last" if view.last else "")
    return f"step {view.on_path} of {view.path_total}" + (", last" if view.last else "")


def header(view: StepView, width: int, glyphs: Glyphs, *, earlier: int = 0) -> Line:
    """One line: playbook, step N of M, step title; then time, mood, earlier calls."""
    clock = f"{view.elapsed // 60:02d}:{view.elapsed % 60:02d}"
    moods = ([f"mood {view.mood} {MOODS[view.mood]}", f"mood {view.mood}"] if view.mood
             else ["mood not rated", "no mood"])
    earliers = ([f"{earlier} earlier call{'s' if earlier != 1 else ''}", f"{earlier} earlier"]
                if earlier else [""])
    dot = f" {glyphs.dot} "
    title = one_line(view.playbook_title)
    step_title = one_line(view.step.title)
    flag = "ESCALATED" if view.escalated else ""
    wheres = [where_on_path(view), where_on_path(view, short=True)]
    # From the fullest header to the barest; the first that shows the step's title whole
    # wins, else the barest, with the title cut.
    choices = [(True, moods[0], earliers[0], wheres[0]), (True, moods[-1], earliers[0], wheres[0]),
               (True, moods[-1], earliers[-1], wheres[0]),
               (False, moods[0], earliers[0], wheres[0]),
               (False, moods[-1], earliers[0], wheres[0]),
               (False, moods[-1], earliers[-1], wheres[0]),
               (False, moods[-1], earliers[-1], wheres[-1]),
               (False, "", "", wheres[-1])]
    for number, (with_title, mood, before, where) in enumerate(choices):
        right = dot.join(x for x in (clock, mood, before, flag) if x)
        left = dot.join(x for x in ((title if with_title else ""), where) if x)
        room = width - cells(right) - cells(left) - cells(dot) - 1
        if room >= cells(step_title) or number == len(choices) - 1:
            shown_title = clip(step_title, max(0, room), glyphs.ellipsis)
            line_left = f"{left}{dot}{shown_title}" if shown_title else left
            gap = max(1, width - cells(line_left) - cells(right))
            line: Line = [("class:header", line_left), ("class:header", " " * gap),
                          ("class:header.right", right)]
            return _clip_line(line, width, glyphs)
    return []  # pragma: no cover - the last choice always returns


def _clip_line(line: Line, width: int, glyphs: Glyphs) -> Line:
    out: Line = []
    used = 0
    for style, text in line:
        room = width - used
        if room <= 0:
            break
        piece = clip(text, room, glyphs.ellipsis)
        out.append((style, piece))
        used += cells(piece)
    return out


LABEL = 7  # the heading column when headings go beside their items: "AVOID  "


def _render(section: Section, width: int, *, inline: bool, wrap_all: bool,
            limit: int | None, glyphs: Glyphs) -> list[Line]:
    """A section's lines; `limit` caps them, the last one saying how many were left out."""
    lines: list[Line] = []
    indent = LABEL if inline else 2
    room = max(4, width - indent)
    if not inline:
        lines.append([(f"class:heading.{section.name}", section.heading)])
    for number, item in enumerate(section.items):
        marker = f"{item.marker} " if item.marker else ""
        text_room = max(1, room - cells(marker))
        pieces = (wrap(item.text, text_room) if (wrap_all or section.whole)
                  else [clip(item.text.replace("\n", " "), text_room, glyphs.ellipsis)])
        for index, piece in enumerate(pieces):
            if inline and number == 0 and index == 0:
                lead = [(f"class:heading.{section.name}", section.label(True).ljust(LABEL))]
            else:
                lead = [("", " " * indent)]
            mark = marker if index == 0 else " " * cells(marker)
            lines.append([*lead, (item.style, f"{mark}{piece}")])
    if limit is not None and len(lines) > limit:
        kept = lines[:max(0, limit)]
        if kept:
            left = len(section.items) - _items_in(kept, inline)
            kept[-1] = _with_more(kept[-1], left, width, glyphs)
        return kept
    return lines


def _items_in(lines: list[Line], inline: bool) -> int:
    """How many whole items the first lines show (continuation lines start blank)."""
    count = 0
    for number, line in enumerate(lines):
        if not inline and number == 0:
            continue
        text = "".join(t for _, t in line)
        first = text[LABEL if inline else 2:][:1]
        if (inline and number == 0) or first not in (" ", ""):
            count += 1
    return count


def _with_more(line: Line, left: int, width: int, glyphs: Glyphs) -> Line:
    """`line` with "+N more" at its end, cutting the line to make room."""
    if left <= 0:
        return line
    more = f" +{left} more"
    room = width - cells(more)
    clipped = _clip_line(line, room, glyphs)
    return [*clipped, ("class:more", more)]


def fit(parts: Sequence[Section], width: int, height: int, glyphs: Glyphs) -> list[Line]:
    """The sections in `height` lines of `width`: roomy when there is room, condensed
    when not, the `say` lines always whole."""
    if height <= 0:
        return []
    for inline, wrap_all, gaps in ((False, True, True), (False, True, False),
                                   (True, True, False), (True, False, False)):
        lines: list[Line] = []
        for section in parts:
            if gaps and lines:
                lines.append([])
            lines += _render(section, width, inline=inline, wrap_all=wrap_all, limit=None,
                             glyphs=glyphs)
        if len(lines) <= height:
            return lines
    return _squeeze(parts, width, height, glyphs)


def _squeeze(parts: Sequence[Section], width: int, height: int, glyphs: Glyphs) -> list[Line]:
    """The tightest layout: say whole, each other section given the lines left, in order."""
    lines: list[Line] = []
    rest = list(parts)
    whole = [s for s in rest if s.whole]
    for section in whole:
        lines += _render(section, width, inline=True, wrap_all=False, limit=None, glyphs=glyphs)
    others = [s for s in rest if not s.whole]
    if len(lines) > height:  # not even the words to say fit: show what does
        kept = lines[:max(1, height)]
        left = sum(len(s.items) for s in whole) - _items_in(kept, True)
        kept[-1] = _with_more(kept[-1], left, width, glyphs)
        return kept
    room = height - len(lines)
    if not others or room <= 0:  # the words to say fill the screen: they come first
        return lines
    # One line each for as many sections as fit (the last line may have to name the
    # rest), then any lines left go to the sections in order.
    shares = [1] * len(others)
    if room < len(others):
        shown_count = max(0, room - 1)
        dropped = others[shown_count:]
        for section in others[:shown_count]:
            lines += _render(section, width, inline=True, wrap_all=False, limit=1,
                             glyphs=glyphs)
        summary = f"+ {', '.join(f'{len(s.items)} {s.heading.lower()}' for s in dropped)}"
        return [*lines, [("class:more", clip(summary, width,
                                              glyphs.ellipsis))]]
    spare = room - len(others)
    for index, section in enumerate(others):
        want = len(_render(section, width, inline=True, wrap_all=False, limit=None,
                           glyphs=glyphs))
        extra = min(spare, want - 1)
        shares[index] += extra
        spare -= extra
    for section, share in zip(others, shares, strict=True):
        lines += _render(section, width, inline=True, wrap_all=False, limit=share,
                         glyphs=glyphs)
    return lines


def body(view: StepView, width: int, height: int, glyphs: Glyphs) -> list[Line]:
    """The step below the header: one column, or two when wide."""
    parts = sections(view, glyphs)
    if width < TWO_COLUMNS:
        return fit(parts, width, height, glyphs)
    left_names = {"say", "do", "avoid"}
    left = [s for s in parts if s.name in left_names]
    right = [s for s in parts if s.name not in left_names]
    if not right or not left:
        return fit(parts, width, height, glyphs)
    half = (width - GUTTER) // 2
    left_lines = fit(left, half, height, glyphs)
    right_lines = fit(right, width - GUTTER - half, height, glyphs)
    rows: list[Line] = []
    for index in range(max(len(left_lines), len(right_lines))):
        one = left_lines[index] if index < len(left_lines) else []
        pad = half - sum(cells(t) for _, t in one)
        two = right_lines[index] if index < len(right_lines) else []
        rows.append([*one, ("", " " * pad), ("class:gutter", f" {glyphs.bar} "), *two])
    return rows


def key_line(keys: Sequence[tuple[str, ...]], width: int, always: Sequence[str] = (),
             priority: Sequence[str] = (), more: str = "?") -> Line:
    """Every key in `keys` ((key, word) or (key, word, short word), in their order) in
    `width`: words are shortened, then left off, before any key is dropped; a key goes
    only when even bare keys don't fit, and then the `more` key says "more keys".

    Keys are shortened, and dropped, least important first: those not in `always` or
    `priority` (the last first), then `priority` from its end, then `always`."""
    words = {pair[0]: [pair[1], pair[2] if len(pair) > 2 and pair[2] else pair[1], ""]
             for pair in keys}
    level = dict.fromkeys(words, 0)
    ranked = [*always, *priority]
    rest = [pair[0] for pair in keys if pair[0] not in ranked]
    least_first = [*reversed(rest), *reversed([k for k in priority if k in words]),
                   *reversed([k for k in always if k in words])]
    shown = [pair[0] for pair in keys]

    def size() -> int:
        return sum(cells(key) + 2 + (cells(words[key][level[key]]) + 1
                                     if words[key][level[key]] else 0)
                   for key in shown) + max(0, len(shown) - 1)

    for target in (1, 2):
        for key in least_first:
            if size() <= width:
                break
            if key != more or target == 1:  # `?` keeps its word: it is the way to the rest
                level[key] = target
    if size() > width and more in words:
        words[more] = ["more keys"] * 3
        level[more] = 0
        for key in least_first:
            if size() <= width:
                break
            if key not in always and key != more:
                shown.remove(key)
    line: Line = []
    for number, key in enumerate(shown):
        word = words[key][level[key]]
        gap = " " if number < len(shown) - 1 else ""
        line += [("class:key", f" {key} "), ("", f"{word}{gap}" if word else gap)]
    return _clip_line(line, width, Glyphs(*([""] * len(Glyphs._fields))))
