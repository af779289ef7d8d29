"""What an agent or customer typed is text in a record's body: rendered by a Markdown
renderer (markdown-it-py, with the front matter as such and HTML allowed, as most
renderers do) it appears as typed, never as markup; and it reads back exactly."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from deescalate.call.engine import run_call
from deescalate.call.record import finished
from deescalate.records.format import body_plain, body_text
from deescalate.records.reader import split
from deescalate.records.writer import write_record
from deescalate.redaction import Redactor
from tests.engine_script import (
    Script,
    builtin,
    end_call,
    new_call,
    next_step,
    note,
    skip,
    wrap_up,
)

CUSTOMER = "Sam <K> *Bold*"
REFERENCE = "T-1 | <script>alert(1)</script> after"
SUMMARY = "# Refund | promised <b>angry</b> &amp; [the form](http://example.org) `x` $5 and $6"
NOTE = ("<details>folded\n- not a list\n1. not a list either\n    not code\n> not a quote\n"
        "===\n~~kept~~ _kept_ \\ back [^1]: kept\n\n<!-- not a comment -->\n---\nthe end")
CONCERN = "They said: <i>never</i> again | ### not a heading\n+ plus & &copy; [[wiki]]"
SKIPPED = "*skipped* __why__ <img src=x onerror=alert(1)>"


def written(tmp_path: Path) -> Path:
    book = builtin("upset-customer")
    engine = new_call(book, customer=CUSTOMER, reference=REFERENCE)
    script = Script(note(NOTE), next_step(), next_step(CONCERN), skip(SKIPPED, branch=0),
                    end_call(),
                    wrap_up(outcome="follow-up", summary=SUMMARY, root_cause=None,
                            follow_up="2026-11-25"))
    script.clock = engine.clock
    run_call(engine, script, lambda call: None, [])
    return write_record(tmp_path, finished(engine.call), book, Redactor())


class Seen(HTMLParser):
    """The tags a rendering has, and the text of each element that holds text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.blocks: list[str] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)
        if tag in ("h1", "h2", "h3", "p", "li", "pre"):
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "p", "li", "pre") and self._open:
            self.blocks.append("".join(self._open.pop()))

    def handle_data(self, data: str) -> None:
        for block in self._open:
            block.append(data)


def rendered(markdown: str) -> Seen:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = (MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
          .use(front_matter_plugin))
    seen = Seen()
    seen.feed(md.render(markdown))
    return seen


def words(text: str) -> str:
    return " ".join(text.split())  # as HTML shows it: runs of white space are one space


def test_every_text_field_shows_as_typed_and_reads_back(tmp_path: Path) -> None:
    path = written(tmp_path)
    text = path.read_text(encoding="utf-8")
    head, body = split(text)
    front = yaml.safe_load(head)
    # the front matter holds exactly what was typed (nothing here is redacted)
    assert front["redactions"] == 0
    assert (front["customer"], front["reference"], front["summary"]) == (
        CUSTOMER, REFERENCE, SUMMARY)
    steps = front["steps"]
    assert steps[0]["notes"][0]["text"] == NOTE
    assert front["captures"]["customer-concern"] == CONCERN
    assert steps[2]["skip_reason"] == SKIPPED

    seen = rendered(text)
    # structure only: the record's own headings, paragraphs and lists
    assert set(seen.tags) <= {"h1", "h2", "h3", "p", "ul", "li", "pre", "code", "hr", "br"}
    assert seen.tags.count("h1") == 1 and seen.tags.count("hr") == 0  # front matter is not a rule
    blocks = [words(block) for block in seen.blocks]
    assert blocks[0] == words(f"Upset customer: {CUSTOMER} · {REFERENCE}")
    assert blocks[1] == words(SUMMARY)
    assert any(block.startswith("Note at ") and block.endswith(words(NOTE)) for block in blocks)
    assert any(block.endswith(words(CONCERN)) for block in blocks)
    assert words(f"Skipped: {SKIPPED}") in blocks
    # and the body reads back exactly: each typed text is the body's, unescaped
    lines = body.split("\n")
    assert body_plain(lines[1].removeprefix("# Upset customer: ")) == f"{CUSTOMER} · {REFERENCE}"
    assert body_plain(lines[3]) == SUMMARY
    start = next(i for i, line in enumerate(lines) if line.startswith("- Note at "))
    count = NOTE.count("\n") + 1
    note_lines = [lines[start].split(": ", 1)[1]] + [line.removeprefix("  ") for line in
                                                     lines[start + 1:start + count]]
    assert body_plain("\n".join(note_lines)) == NOTE


def test_a_follow_up_note_shows_as_typed(tmp_path: Path) -> None:
    from datetime import date

    from deescalate.records import followups

    path = written(tmp_path)
    typed = "<b>called</b> back | *done* # 1. [x](y)"
    new, _ = followups.mark_done_text(path.read_text(encoding="utf-8"), done=date(2026, 11, 6),
                                      agent="<i>jdoe</i>", note=typed, redactor=Redactor())
    seen = rendered(new)
    assert seen.tags.count("i") == seen.tags.count("b") == seen.tags.count("a") == 0
    assert words(seen.blocks[-1]) == words(f"Done 2026-11-06 by <i>jdoe</i>: {typed}")


MARKUP = st.lists(st.sampled_from([*"ab 1.-+=#>*_`~|$&;[]()!:^<>/\\\n\t",
                                   "&amp;", "&#32;", "<b>", "</b>", "```", "    ", "\n\n",
                                   "http://x.org", "[x](y)", "é", "<!--", "-->"]),
                  max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(MARKUP)
def test_any_text_renders_as_typed_and_reads_back(typed: str) -> None:
    escaped = body_text(typed)
    assert body_plain(escaped) == typed
    seen = rendered(escaped)
    assert set(seen.tags) <= {"p", "br"}, (typed, escaped, seen.tags)
    assert words(" ".join(seen.blocks)) == words(typed)


def test_plain_words_are_left_alone() -> None:
    for text in ("Refund of 49.90 to the card, 3 to 5 working days", "Dana R. · T-1234",
                 "Tom & Jerry (the cat)", "[redacted: card] on file", "2026-11-28"):
        assert body_text(text) == text
    assert re.fullmatch(r"\\# Refund \\\| promised", body_text("# Refund | promised"))
