"""What passes between the engine's thread and the live screen's: one question at a time
and its answer, and the text being typed, handed on a little behind.

No toolkit here: the screen hands in how to reach its view (`post`) and where the text
being typed is (`typing`), so these work and are tested without a terminal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DRAFT_DELAY = 1.0  # seconds between saves of text being typed: well inside the two allowed


@dataclass
class Request:
    """One question from the engine, waiting for the agent."""

    kind: str  # action, text, choose, mood, confirm, brief
    payload: dict[str, Any] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None

    def answer(self, result: Any = None, error: BaseException | None = None) -> None:
        if not self.done.is_set():
            self.result, self.error = result, error
            self.done.set()


class Handoff:
    """The question on screen: asked from the engine's thread, answered from the view's."""

    def __init__(self) -> None:
        self.request: Request | None = None
        self.early: list[Any] = []  # key presses waiting for the next question (view's thread)
        self._lock = threading.Lock()

    def ask(self, request: Request, post: Callable[[Request], None]) -> Any:
        """Put `request` on screen (`post` tells the view) and wait for its answer (engine
        thread); the answer is returned, or raised when it is an interruption."""
        with self._lock:
            self.request = request
        post(request)
        request.done.wait()
        with self._lock:
            if self.request is request:
                self.request = None
        if request.error is not None:
            raise request.error
        return request.result

    def kind(self) -> str | None:
        """The kind of question waiting for an answer, or None between questions."""
        request = self.request
        if request is None or request.done.is_set():
            return None
        return request.kind

    def reply(self, result: Any = None, error: BaseException | None = None) -> None:
        """Answer the question on screen (a key is only bound while there is one)."""
        request = self.request
        assert request is not None
        request.answer(result, error)


class Drafts:
    """Text being typed, handed to `on_typing` at most DRAFT_DELAY behind (view's thread).

    `typing` gives the text being typed while a text question is open, else None.
    """

    def __init__(self, on_typing: Callable[[str, str], None] | None,
                 typing: Callable[[], str | None]) -> None:
        self.on_typing = on_typing
        self.typing = typing
        self.key = ""  # the question the text answers, as the engine names it
        self._timer: Any = None

    def changed(self, loop: Any) -> None:
        """The text changed: hand it on within DRAFT_DELAY, on `loop` (asyncio's)."""
        if self.on_typing is None or self.typing() is None or self._timer is not None:
            return
        if loop is not None:
            self._timer = loop.call_later(DRAFT_DELAY, self.flush)

    def flush(self) -> None:
        """Hand on the text being typed now."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        text = self.typing()
        if self.on_typing is not None and text is not None:
            # The engine thread is waiting on this very question, so the call is ours.
            self.on_typing(self.key, text)
