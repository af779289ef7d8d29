"""Redaction: card numbers, e-mail addresses, phone numbers and the team's own patterns.

Applied to every piece of text before it reaches the records folder; `records check`
uses `find` to spot anything that slipped through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from deescalate.records.format import ID_STAMP

# 13 to 19 digits, optionally in groups split by single spaces or dashes.
_CARD = re.compile(r"(?<![\w])(?:\d[ -]?){12,18}\d(?![\w])")
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Digits with the separators phone numbers are written with; checked further in _is_phone.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d ().-]{6,}\d(?![\w])")
_MARK = re.compile(r"\[redacted: [a-z0-9-]+\]")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum that every payment card number passes."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _is_card(text: str) -> bool:
    """13 to 19 digits passing the Luhn check, written whole or grouped as cards are.

    Grouped means fours (the last group may be shorter), or 4-6-5 and 4-6-4 as on
    American Express and Diners cards: a record id's `20261122-143012` passes the
    checksum one time in ten, and must not be taken for a card.
    """
    digits = re.sub(r"\D", "", text)
    if not (13 <= len(digits) <= 19 and luhn_ok(digits)):
        return False
    groups = [len(group) for group in re.split(r"[ -]", text)]
    if len(groups) == 1:
        return True
    fours = all(size == 4 for size in groups[:-1]) and 1 <= groups[-1] <= 4
    return fours or groups in ([4, 6, 5], [4, 6, 4])


def _is_phone(text: str) -> bool:
    """A phone number, not an order or account number.

    Nine to fifteen digits, written the way people write phone numbers: with a
    leading + or 00, a leading 0, a bracketed area code, or separators between groups.
    A bare run of digits that starts with 1-9 is left alone: it is far more often a
    reference than a phone number here.
    """
    digits = re.sub(r"\D", "", text)
    if not 9 <= len(digits) <= 15:
        return False
    if text.count("(") != text.count(")"):
        return False
    formatted = bool(re.search(r"[ ().-]", text)) or text.startswith(("+", "0"))
    if not formatted or re.search(r"[ .-]{2,}", text):
        return False
    if re.fullmatch(ID_STAMP, text) or re.match(r"\d{4}-\d{2}-\d{2}", text):
        return False  # a record id or a date, not a number to dial
    groups = [g for g in re.split(r"[ ().-]+", text.lstrip("+")) if g]
    return not any(len(group) == 1 for group in groups[1:])


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


@dataclass
class Redactor:
    """What to redact; cards are always redacted."""

    emails: bool = True
    phones: bool = True
    patterns: list[tuple[str, str]] = field(default_factory=list)  # (name, regex)

    def __post_init__(self) -> None:
        self._custom = [(name, re.compile(pattern)) for name, pattern in self.patterns]

    def find(self, text: str) -> list[Finding]:
        """Everything in `text` that should be redacted, in order, without overlaps."""
        found: list[Finding] = []
        taken: list[tuple[int, int]] = [(m.start(), m.end()) for m in _MARK.finditer(text)]

        def add(kind: str, matches: Iterable[re.Match[str]], accept: object = None) -> None:
            for match in matches:
                start, end = match.span()
                if start == end or any(start < e and s < end for s, e in taken):
                    continue
                if callable(accept) and not accept(match.group()):
                    continue
                taken.append((start, end))
                found.append(Finding(kind, start, end, match.group()))

        add("card", _CARD.finditer(text), _is_card)
        if self.emails:
            add("email", _EMAIL.finditer(text))
        for name, pattern in self._custom:
            add(name, pattern.finditer(text))
        if self.phones:
            add("phone", _PHONE.finditer(text), _is_phone)
        return sorted(found, key=lambda f: f.start)

    def redact(self, text: str) -> tuple[str, int]:
        """The text with each finding replaced by `[redacted: KIND]`, and how many there were."""
        findings = self.find(text)
        if not findings:
            return text, 0
        parts, last = [], 0
        for finding in findings:
            parts += [text[last:finding.start], f"[redacted: {finding.kind}]"]
            last = finding.end
        parts.append(text[last:])
        return "".join(parts), len(findings)
