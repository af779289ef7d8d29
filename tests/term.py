"""The installed `deescalate` in a pseudo-terminal, read through a VT100 emulator.

`Terminal` feeds everything the program writes into pyte, so a test asserts what a
person would see on the screen (not what happened to pass through the byte stream),
and can resize the terminal like a person dragging the window.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import pexpect
import pyte

DEESCALATE = str(Path(sys.executable).parent / "deescalate")
KEYS = {"enter": "\r", "esc": "\x1b", "ctrl-c": "\x03", "up": "\x1b[A", "down": "\x1b[B",
        "alt-enter": "\x1b\r"}
# The pause after each key: what a test reads next is drawn by then. A lone Esc gets
# longer: the screen waits 0.05 s (its ttimeoutlen) for the rest of an escape sequence,
# so a key sooner than that after it would be read as Alt and that key.
GAP = 0.05
AFTER_ESC = 0.1


class Terminal:
    def __init__(self, *args: str, columns: int = 80, lines: int = 24,
                 env: dict[str, str] | None = None, cwd: str | None = None,
                 timeout: float = 15) -> None:
        environment = dict(os.environ)
        environment.setdefault("TERM", "xterm-256color")
        environment.update(env or {})
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        self.timeout = timeout
        self.child = pexpect.spawn(DEESCALATE, list(args), env=environment, cwd=cwd,
                                   dimensions=(lines, columns), timeout=timeout)
        self.child.delaybeforesend = None  # pexpect's own 0.05 s before each send: GAP does

    # -- reading the screen ---------------------------------------------------------

    def pump(self, wait: float = 0.05) -> None:
        """Take in whatever the program wrote, waiting up to `wait` for the first byte."""
        deadline = time.monotonic() + wait
        while True:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=max(0.0, deadline -
                                                                      time.monotonic()))
            except pexpect.TIMEOUT:
                return
            except pexpect.EOF:
                return
            self.raw += chunk
            self.stream.feed(chunk)
            deadline = time.monotonic()  # then only what is already there

    def text(self) -> str:
        self.pump(0)
        return "\n".join(line.rstrip() for line in self.screen.display)

    def lines(self) -> list[str]:
        return self.text().split("\n")

    def wait_for(self, wanted: str | re.Pattern[str], timeout: float | None = None) -> str:
        """Wait until `wanted` is on the screen; the screen's text."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.pump(0.05)
            text = "\n".join(line.rstrip() for line in self.screen.display)
            flat = " ".join(text.split())
            if isinstance(wanted, re.Pattern):
                if wanted.search(text):
                    return text
            elif (wanted in text or " ".join(wanted.split()) in flat
                  or wanted in "".join(self.screen.display)):  # wrapped at the edge
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{wanted!r} never showed; the screen:\n{text}")

    def wait_for_question(self, question: str) -> str:
        """Wait until `question` is being asked: at the start of a line, where the screen
        asks, not indented inside a step's lists (its fields, its branch) where the same
        words show before they are asked."""
        return self.wait_for(re.compile(rf"^{re.escape(question)}", re.MULTILINE))

    def wait_gone(self, unwanted: str, timeout: float | None = None) -> str:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.pump(0.05)
            text = "\n".join(line.rstrip() for line in self.screen.display)
            if unwanted not in text:
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{unwanted!r} stayed; the screen:\n{text}")

    def settle(self, quiet: float = 0.25) -> str:
        """Wait until the program has drawn nothing new for `quiet` seconds."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            before = len(self.raw)
            self.pump(quiet)
            if len(self.raw) == before:
                break
        return self.text()

    # -- acting -------------------------------------------------------------------------

    def press(self, *keys: str) -> None:
        for key in keys:
            self._send(KEYS.get(key, key))

    def type(self, text: str) -> None:
        self._send(text)

    def _send(self, data: str) -> None:
        self.child.send(data)
        time.sleep(AFTER_ESC if data == KEYS["esc"] else GAP)

    def resize(self, columns: int, lines: int) -> None:
        self.screen.resize(lines, columns)
        self.child.setwinsize(lines, columns)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        self.child.kill(sig)

    def finish(self) -> int:
        """Wait for the program to end; its exit status."""
        deadline = time.monotonic() + self.timeout
        while self.child.isalive() and time.monotonic() < deadline:
            self.pump(0.1)
        self.pump(0)
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -1

    def output(self) -> str:
        """Everything written, as text."""
        return self.raw.decode("utf-8", "replace")
