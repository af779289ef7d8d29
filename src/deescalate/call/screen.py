"""The live-call screen: one full-screen view, redrawn in place, that answers the engine.

prompt_toolkit runs the view in the main thread for the whole call; the engine runs in
a worker thread and asks its questions through the `Asker` methods here, each of which
hands a request to the view and waits for the agent's answer. So the screen never
scrolls, every prompt appears inside it, keys typed ahead are never dropped between
prompts, and a resize redraws at once. `call.layout` decides what fits; this module
only draws it. The question and its answer pass between the threads through
`call.handoff`; the keys are bound, mode by mode, in `call.screen_keys`, from the key
table in `call.keys`.

Ctrl-C arrives as KeyboardInterrupt (carrying what was typed), Esc in a question as
`GoBack`; the engine handles both. Text being typed is handed to `on_typing` at most
a second behind, so a killed process keeps it.

This module and its key bindings (`call.screen_keys`, imported only from here) are the
only ones that import prompt_toolkit, and this one questionary, for the pickers before
a call starts.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from deescalate.call import keys, layout
from deescalate.call.engine import (
    Action,
    Check,
    Hangup,
    Preview,
    StepView,
    capture_prompt,
)
from deescalate.call.handoff import Drafts, Handoff, Request
from deescalate.call.layout import Line, clip, wrap
from deescalate.playbooks.format import Capture
from deescalate.records.format import MOODS
from deescalate.text import Glyphs, cells, one_line, picked, shown

if TYPE_CHECKING:
    from deescalate.call.engine import CallEngine

T = TypeVar("T")
SKIP_LABEL = "(leave empty)"

# prompt_toolkit asks the terminal where the cursor is; a full-screen view needs no such
# measuring, and a terminal that never answers would make it wait.
os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")

# How the view's parts look, by the class names the drawing gives them.
STYLE = {
    "header": "reverse bold", "header.right": "reverse",
    "heading.say": "bold ansigreen", "heading.do": "bold ansicyan",
    "heading.avoid": "bold ansired", "heading.checklist": "bold ansiyellow",
    "heading.capture": "bold ansimagenta", "heading.notes": "bold ansiblue",
    "heading.branch": "bold ansicyan", "say": "bold ansigreen", "avoid": "ansired",
    "ticked": "#888888", "value": "bold", "more": "italic #888888",
    "key": "reverse bold", "clock": "bold", "question": "bold",
    "problem": "bold ansired", "notice": "#888888", "hint": "#888888",
    "preview": "ansicyan", "selected": "reverse", "gutter": "#888888",
}


class LiveScreen:
    """The engine's Asker for a person at a full terminal."""

    def __init__(self, engine: CallEngine, glyphs: Glyphs, *, notices: Sequence[str] = (),
                 earlier: Callable[[], int | None] | None = None,
                 on_typing: Callable[[str, str], None] | None = None) -> None:
        self.engine = engine
        self.glyphs = glyphs
        self.notices = list(notices)  # shown until the first key
        self.messages: list[tuple[str, str]] = []  # (style, text) until the next key
        self.rejected: list[tuple[str, str]] = []  # messages about the answer being typed
        self.earlier = earlier or (lambda: None)
        self.view: StepView | None = None
        self.lead: list[tuple[str, str]] = []  # (style, text) above the step, such as a line
        self.title: str | None = None  # the wrap-up's heading, once there
        self.wrap_lines: list[str] = []
        self.handoff = Handoff()  # the question on screen
        self.drafts = Drafts(on_typing, self._typing)  # text being typed, handed on
        self.overlay: list[str] | None = None  # the keys or the handover brief
        self.scroll = 0
        self.selected = 0
        self.gone = False
        self.buffer: Any = None  # the text being typed (prompt_toolkit's Buffer)
        self._app: Any = None
        self._terminal_settings: Any = None  # the terminal's own, while the view holds it
        self._top_window: Any = None
        self._input: Any = None
        # Writes the handover brief to a file for a supervisor (`w` on the brief); its path.
        self.keep_brief: Callable[[list[str]], str] | None = None

    # -- running -----------------------------------------------------------------

    def run(self, work: Callable[[], T]) -> T:
        """Run `work` (the engine driving the call) while the view runs; its result."""
        self._paint_first()
        app = self._build()
        outcome: dict[str, Any] = {}

        def worker() -> None:
            try:
                outcome["value"] = work()
            except BaseException as exc:  # handed to the main thread below
                outcome["error"] = exc
            finally:
                self._end()

        thread = threading.Thread(target=worker, name="call-engine", daemon=True)
        try:
            app.run(pre_run=thread.start, handle_sigint=False)
        except Exception:  # the terminal is gone mid-draw: stop the call, keep it saved
            self.hang_up()
        finally:
            if thread.is_alive() or not thread.ident:
                self.hang_up()
                if thread.ident:
                    thread.join()
            self._give_back_terminal()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]  # type: ignore[no-any-return]

    def _paint_first(self) -> None:
        """Draw the first step before prompt_toolkit has loaded, so the agent reads it a
        tenth of a second sooner; the view then draws the same over it."""
        view = self.engine.view()
        try:
            columns, rows = os.get_terminal_size(sys.stdout.fileno())
        except (OSError, ValueError):
            return
        self.view = view
        self._hold_keys()
        lines = [layout.header(view, columns, self.glyphs, earlier=self.earlier() or 0),
                 *layout.body(view, columns, rows - 2, self.glyphs)]
        text = "\r\n".join("".join(piece for _, piece in line) for line in lines)
        try:
            sys.stdout.write(f"\x1b[?1049h\x1b[H\x1b[2J{text}")
            sys.stdout.flush()
        except (OSError, ValueError):
            pass

    def _hold_keys(self) -> None:
        """Stop the terminal echoing or line-editing keys typed before the view is up, so
        they wait for it; the terminal's own settings come back when the call ends."""
        self._terminal_settings = None
        if sys.platform == "win32":  # no termios; the console holds keys for the view itself
            return
        try:
            import termios

            fd = sys.stdin.fileno()
            self._terminal_settings = termios.tcgetattr(fd)
            held = termios.tcgetattr(fd)
            held[3] &= ~(termios.ICANON | termios.ECHO)
            termios.tcsetattr(fd, termios.TCSANOW, held)
        except (ImportError, OSError, ValueError):
            self._terminal_settings = None

    def _give_back_terminal(self) -> None:
        settings = self._terminal_settings
        if settings is None or sys.platform == "win32":
            return
        try:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSANOW, settings)
        except (OSError, ValueError):
            pass

    def hang_up(self) -> None:
        """Stop at once (the terminal closed, or the process must end): the engine saves."""
        self.gone = True
        request = self.handoff.request
        if request is not None:
            interrupt = Hangup()
            if request.kind == "text" and self.buffer is not None:
                interrupt.typed = self.buffer.text  # type: ignore[attr-defined]
            request.answer(error=interrupt)
        self._end()

    def _end(self) -> None:
        app = self._app
        if app is not None and app.is_running and app.loop is not None:
            app.loop.call_soon_threadsafe(lambda: app.exit() if app.is_running else None)

    def _ask(self, kind: str, **payload: Any) -> Any:
        """Hand a question to the view and wait for the answer (engine thread)."""
        if self.gone:
            raise Hangup()
        return self.handoff.ask(Request(kind, payload), self._post)

    def _post(self, request: Request) -> None:
        """Have the view open `request` on its own thread, once it runs."""
        app = self._app
        if app is not None and app.loop is not None and app.is_running:
            app.loop.call_soon_threadsafe(self._open, request)

    # -- the Asker ---------------------------------------------------------------

    def show(self, view: StepView) -> None:
        self.view = view
        self.title = None

    def heading(self, text: str) -> None:
        self.title = text
        self.wrap_lines = self.engine.handover()

    def problem(self, message: str) -> None:
        self.messages.append(("class:problem", message))
        request = self.handoff.request
        if request is not None and request.kind == "text":  # about what is being typed
            self.rejected.append(("class:problem", message))

    def action(self, view: StepView) -> tuple[Action, int | None]:
        result: tuple[Action, int | None] = self._ask("action", view=view)
        return result

    def text(self, label: str, *, key: str, default: str = "", multiline: bool = False,
             hint: str = "", check: Check | None = None, preview: Preview | None = None) -> str:
        return str(self._ask("text", label=label, key=key, default=default,
                             multiline=multiline, hint=hint, check=check, preview=preview))

    def capture(self, capture: Capture, current: Any, error: str | None,
                draft: str = "") -> str | None:
        label = one_line(capture.label) + ("" if capture.required else " (optional)")
        ask = capture_prompt(capture, self.engine.today)
        if ask.options:
            options = [*ask.options, *([] if capture.required else [SKIP_LABEL])]
            index = self.choose(label, options, ask.chosen(current))
            return None if options[index] == SKIP_LABEL else options[index]
        shown_value = draft or ("" if current is None else str(current))
        hint = ask.hint
        if not capture.required:
            hint = f"{hint} · Enter leaves it empty" if hint else "Enter leaves it empty"
        return self.text(label, key=f"capture:{capture.id}", default=shown_value,
                         multiline=ask.multiline, hint=hint, check=ask.check,
                         preview=ask.preview)

    def choose(self, question: str, options: list[str], default: int | None = None, *,
               wrap: bool = False) -> int:
        return int(self._ask("choose", question=question, options=options,
                             default=default or 0, wrap=wrap))

    def mood(self, current: int | None) -> int | None:
        result: int | None = self._ask("mood", current=current)
        return result

    def brief(self, lines: list[str], title: str = "Handover brief") -> None:
        keep = title == "Handover brief" and self.keep_brief is not None
        self._ask("brief", lines=lines, title=title, keep=keep)

    def brief_to_file(self) -> None:
        """`w` on the handover brief: write it to a file and say where (UI thread)."""
        request = self.handoff.request
        if self.keep_brief is None or request is None or not request.payload.get("keep"):
            return
        try:
            where = self.keep_brief(request.payload["lines"])
        except OSError as exc:
            self.messages[:] = [("class:problem", f"The brief could not be written "
                                                  f"({exc.strerror or exc})")]
            return
        self.messages[:] = [("class:notice", f"Brief written to {where}")]

    def brief_to_clipboard(self) -> None:
        """`y` on the handover brief: hand it to the terminal's clipboard (OSC 52), for
        terminals that take it."""
        import base64

        request = self.handoff.request
        if request is None or not request.payload.get("keep"):
            return
        data = base64.b64encode("\n".join(request.payload["lines"]).encode()).decode()
        self._app.output.write_raw(f"\x1b]52;c;{data}\x07")
        self._app.output.flush()
        self.messages[:] = [("class:notice", "Brief copied, where the terminal allows it")]

    def confirm_stop(self) -> bool:
        return bool(self._ask("confirm", question="Paused; everything so far is saved. "
                                                  "Stop now and resume later?"))

    # -- the view (UI thread) ------------------------------------------------------

    def _open(self, request: Request) -> None:
        """Get the view ready for a new question."""
        if request.kind in ("text",):
            payload = request.payload
            buffer = self.buffer
            from prompt_toolkit.document import Document

            self.drafts.key = payload["key"]
            text = payload["default"]
            buffer.set_document(Document(text, len(text)), bypass_readonly=True)
            self._app.layout.focus(self._input)
        else:
            self._app.layout.focus(self._top_window)
        if request.kind == "choose":
            self.selected = request.payload["default"]
        if request.kind == "brief":
            self.overlay = request.payload["lines"]
            self.scroll = 0
        self._app.invalidate()
        if self.handoff.early:  # keys typed while the engine was busy: theirs now
            early, self.handoff.early = self.handoff.early, []
            processor = self._app.key_processor
            processor.feed_multiple(early, first=True)
            processor.process_keys()

    def _kind(self) -> str | None:
        return self.handoff.kind()

    def _size(self) -> tuple[int, int]:
        size = self._app.output.get_size()
        return max(1, size.columns), max(1, size.rows)

    def _input_height(self) -> int:
        if self._kind() != "text":
            return 0
        width, rows = self._size()
        text = self.buffer.text
        lines = sum(max(1, -(-cells(line) // max(1, width - 1))) for line in text.split("\n"))
        return max(1, min(lines, 5, max(1, rows // 4)))

    def _top_text(self) -> list[tuple[str, str]]:
        """Everything above the input line: header, step, question, messages."""
        width, rows = self._size()
        height = rows - 1 - self._input_height()
        lines = self._top_lines(width, height)
        out: list[tuple[str, str]] = []
        for index, line in enumerate(lines[:height]):
            if index:
                out.append(("", "\n"))
            out += line
        return out

    def _top_lines(self, width: int, height: int) -> list[Line]:
        glyphs = self.glyphs
        view = self.view
        below = self._prompt_lines(width)
        below += _latest_whole(self.messages + [("class:notice", n) for n in self.notices],
                               width, MESSAGE_LINES)
        room = max(0, height - 1 - len(below))
        if self.overlay is not None:
            request = self.handoff.request
            heading = (request.payload.get("title", "Handover brief")
                       if request is not None and self._kind() == "brief" else "Keys")
            header: Line = [("class:header", clip(heading, width, glyphs.ellipsis))]
            body = self._overlay_lines(width, room)
        elif self.title is not None:
            header = [("class:header", clip(self.title, width, glyphs.ellipsis))]
            wrapped = [[("", piece)] for line in self.wrap_lines
                       for piece in wrap(one_line(line), width)]
            body = wrapped[:room]
            if len(wrapped) > room and body:  # cut: say so, and where it is whole
                body[-1] = [("class:more", clip(
                    f"+{len(wrapped) - room + 1} more lines of the brief: Esc, then h, "
                    "shows it whole", width, glyphs.ellipsis))]
        elif view is not None:
            live = replace(view, elapsed=self.engine.elapsed())
            header = layout.header(live, width, glyphs, earlier=self.earlier() or 0)
            lead: list[Line] = [[(style, piece)] for style, text in self.lead
                                for piece in wrap(shown(text), width)]
            lead = lead[:max(0, room - 1)]
            body = [*lead, *layout.body(live, width, room - len(lead), glyphs)]
        else:
            header, body = [], []
        body = body + [[] for _ in range(max(0, room - len(body)))]
        return [header, *body, *below]

    def _overlay_lines(self, width: int, room: int) -> list[Line]:
        assert self.overlay is not None
        pieces = [piece for line in self.overlay for piece in wrap(shown(line), width)]
        self.scroll = max(0, min(self.scroll, len(pieces) - room))
        shown_lines: list[Line] = [[("", p)] for p in pieces[self.scroll:self.scroll + room]]
        if len(pieces) > room and shown_lines:
            shown_lines[-1] = [("class:more", clip(f"+{len(pieces) - self.scroll - room + 1} "
                                                   "more: Down scrolls", width))]
        return shown_lines

    def _prompt_lines(self, width: int) -> list[Line]:
        """The question being asked, drawn inside the view above the input line."""
        kind = self._kind()
        request = self.handoff.request
        glyphs = self.glyphs
        if kind is None or request is None:
            return []
        payload = request.payload
        if kind == "text":
            lines: list[Line] = [[("class:question", clip(payload["label"], width,
                                                          glyphs.ellipsis))]]
            text = self.buffer.text
            preview = payload["preview"](text) if payload["preview"] else None
            if preview:
                lines.append([("class:preview", clip(f"{glyphs.arrow} {preview}", width,
                                                     glyphs.ellipsis))])
            return lines
        if kind == "choose":
            lines = [[("class:question", clip(shown(payload["question"]), width,
                                              glyphs.ellipsis))]]
            for index, option in enumerate(payload["options"]):
                number = f"{index + 1}" if index < 9 else " "
                pointer = ">" if index == self.selected else " "
                style = "class:selected" if index == self.selected else ""
                if payload.get("wrap"):  # long answers, read whole: wrapped, not cut
                    pieces = wrap(one_line(option), max(1, width - 4))
                    lines += [[(style, f"{pointer} {number} {piece}" if n == 0 else
                                f"    {piece}")] for n, piece in enumerate(pieces)]
                    continue
                lines.append([(style, clip(f"{pointer} {number} {one_line(option)}", width,
                                           glyphs.ellipsis))])
            return lines
        if kind == "mood":
            words = "  ".join(f"{value} {word}" for value, word in MOODS.items())
            return [[("class:question", clip(f"Customer's mood now?  {words}", width,
                                             glyphs.ellipsis))]]
        if kind == "confirm":
            return [[("class:question", clip(payload["question"] + "  y / N", width,
                                             glyphs.ellipsis))]]
        return []

    def _bottom(self) -> list[tuple[str, str]]:
        """The last line: the keys that work now."""
        width, _ = self._size()
        kind = self._kind()
        glyphs = self.glyphs
        view = self.view
        if self.overlay is not None:
            request = self.handoff.request
            keep = request is not None and request.payload.get("keep")
            hint = ("w writes it to a file · y copies · any other key goes on · Up/Down"
                    if keep else "Any key goes on · Up/Down scroll")
            return [("class:hint", clip(hint, width, glyphs.ellipsis))]
        if kind == "text":
            request = self.handoff.request
            assert request is not None
            parts = ["Enter saves"]
            if request.payload["multiline"]:
                parts.append("Alt+Enter new line")
            parts.append("Esc back")
            if request.payload["hint"]:
                parts.append(request.payload["hint"])
            return [("class:hint", clip(f" {glyphs.dot} ".join(parts), width,
                                        glyphs.ellipsis))]
        if kind == "choose":
            return [("class:hint", clip(f"Up/Down or a number, then Enter {glyphs.dot} "
                                        "Esc back", width, glyphs.ellipsis))]
        if kind == "mood":
            return [("class:hint", clip("1-5 rates the mood · Esc leaves it", width,
                                        glyphs.ellipsis))]
        if kind == "confirm":
            return [("class:hint", clip("y stops and saves · n or Esc carries on", width,
                                        glyphs.ellipsis))]
        if kind == "action" and view is not None:
            return keys.key_line(view, width)
        return []

    # -- the application (UI thread) ----------------------------------------------

    def _build(self) -> Any:
        """The prompt_toolkit application: the step and question, the line being typed
        (only while typing), and the key line; keys from `call/screen_keys.py`."""
        from prompt_toolkit.application import Application
        from prompt_toolkit.buffer import Buffer
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.layout import (
            BufferControl,
            ConditionalContainer,
            FormattedTextControl,
            HSplit,
            Layout,
            Window,
        )
        from prompt_toolkit.layout.dimension import Dimension
        from prompt_toolkit.styles import Style

        from deescalate.call.screen_keys import bindings

        def multiline() -> bool:
            request = self.handoff.request
            return bool(request is not None and request.payload.get("multiline"))

        def typing() -> bool:
            return self.overlay is None and self._kind() == "text"

        self.buffer = Buffer(multiline=Condition(multiline),
                             on_text_changed=lambda _: self._edited())
        self._top_window = Window(FormattedTextControl(cast(Any, self._top_text), focusable=True,
                                                       show_cursor=False),
                                  wrap_lines=False, always_hide_cursor=True)
        self._input = Window(
            BufferControl(buffer=self.buffer),
            height=lambda: Dimension.exact(max(1, self._input_height())), wrap_lines=True)
        root = HSplit([
            self._top_window,
            ConditionalContainer(self._input, filter=Condition(typing)),
            Window(FormattedTextControl(cast(Any, self._bottom)), height=1, wrap_lines=False),
        ])
        app: Any = Application(layout=Layout(root, focused_element=self._top_window),
                               key_bindings=bindings(self), style=Style.from_dict(STYLE),
                               full_screen=True, refresh_interval=1.0, mouse_support=False)
        app.ttimeoutlen = 0.05
        app.timeoutlen = 0.3
        self._app = app
        return app

    def _edited(self) -> None:
        """The answer being typed changed: what was wrong with it before is old news (its
        echo, if any, is worked out afresh on the redraw), and the draft is handed on."""
        self.messages[:] = [m for m in self.messages if m not in self.rejected]
        self.rejected.clear()
        self.drafts.changed(self._app.loop)

    def _typing(self) -> str | None:
        """The text being typed, while a text question is open (UI thread)."""
        return self.buffer.text if self._kind() == "text" else None


def pick(question: str, options: list[tuple[str, str]]) -> str:
    """Ask which of `options` (label, value) the agent means; returns its value. A label
    longer than the terminal is cut to one line."""
    import shutil

    from deescalate.text import plain_terminal

    width = shutil.get_terminal_size().columns
    if plain_terminal():
        for number, (label, _) in enumerate(options, 1):
            print(f"  {number} {clip(one_line(label), max(10, width - 5), '...')}")
        while True:
            typed = input(f"{question} (1-{len(options)}): ").strip()
            chosen = picked(typed, len(options))
            if chosen is not None:
                return options[chosen - 1][1]
    import questionary

    choices = [questionary.Choice(clip(one_line(label), max(10, width - 6)), value=value)
               for label, value in options]
    return str(questionary.select(question, choices, use_shortcuts=len(choices) <= 9,
                                  use_jk_keys=False).unsafe_ask())


def ask_line(question: str, *, suggested: str = "") -> str:
    """One line of text before a call starts (the agent's name, say); never empty. The
    prompt starts empty; Enter on it takes `suggested`, shown greyed as a hint."""
    from deescalate.text import plain_terminal

    while True:
        if plain_terminal():
            typed = input(f"{question} [{suggested}]: ") if suggested else input(f"{question}: ")
        else:
            import questionary

            hint: dict[str, Any] = ({"placeholder": [("fg:#888888", suggested)],
                                     "instruction": "(Enter: the grey name)"}
                                    if suggested else {})
            typed = str(questionary.text(question, **hint).unsafe_ask())
        answer = " ".join((typed or suggested).split())
        if answer:
            return answer


# At most this many lines of messages and notices under a step.
MESSAGE_LINES = 5


def _latest_whole(messages: list[tuple[str, str]], width: int, most: int) -> list[Line]:
    """The latest messages that fit in `most` lines, each whole (a message cut at its top
    would show a path without what it is); the latest one's end if it alone is longer."""
    kept: list[Line] = []
    for style, text in reversed(messages):
        lines: list[Line] = [[(style, piece)] for piece in wrap(shown(text), width)]
        if kept and len(kept) + len(lines) > most:
            break
        kept = lines + kept
    return kept[-most:]
