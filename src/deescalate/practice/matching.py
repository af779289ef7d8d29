"""Telling what a line is: how alike two lines are (for the score card's better line),
whether a reply apologises, and which step of a playbook acknowledges the customer's
feeling. A trainee's own words are judged by `deescalate.practice.judge` instead.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from deescalate.playbooks.format import Playbook, Step

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_QUOTED = re.compile(r"\"([^\"]{3,})\"|“([^”]{3,})”")
# Words that say little about which line a reply is like.
_LITTLE_WORDS = (
    "a an the and or but so to of in on at for with from by as is are was were be been it "
    "its this that these those i i'm i'll i've me my we we're we'll our you you're your "
    "yours they them their he she his her do does did have has had will would can could "
    "just there here what which who please okay ok oh well yes no not")
_LITTLE = frozenset(_LITTLE_WORDS.split())

_APOLOGY = re.compile(r"\b(sorry|apologi[sz](e|es|ed|ing)|apolog(y|ies))\b", re.IGNORECASE)
# Sympathy, not an admission of fault: "I'm sorry to hear that".
_SYMPATHY = re.compile(r"\bsorry\s+(to\s+hear|you(?:'re|'ve|\s+are|\s+were|\s+have|\s+had)"
                       r"|that\s+you|for\s+your\s+loss)", re.IGNORECASE)
_FEELING = re.compile(r"\b(feeling|feelings|empathi[sz]e|empathy)\b", re.IGNORECASE)


def is_apology(text: str) -> bool:
    """Whether `text` apologises (owns a fault), not just says it is sorry to hear."""
    return _APOLOGY.search(_SYMPATHY.sub(" ", text)) is not None


def _normal(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")  # curly apostrophes
    return " ".join(_WORD.findall(text))


def _words(text: str) -> set[str]:
    return {word for word in _normal(text).split() if word not in _LITTLE}


def similarity(typed: str, line: str) -> float:
    """How alike a typed reply and a line are, from 0 to 1."""
    said = _normal(typed)
    if not said:
        return 0.0
    for match in _QUOTED.finditer(line):
        quoted = _normal(match.group(1) or match.group(2) or "")
        if quoted and re.search(rf"\b{re.escape(quoted)}\b", said):
            return 1.0
    ours, theirs = _words(typed), _words(line)
    shared = (2 * len(ours & theirs) / (len(ours) + len(theirs))) if ours and theirs else 0.0
    letters = SequenceMatcher(None, said, _normal(line), autojunk=False).ratio()
    return max(shared, letters)


def feeling_step(book: Playbook, named: str | None = None) -> Step | None:
    """The step where the customer's feeling is acknowledged: the one named, else the first
    step whose title, `do` or checklist speaks of feelings or empathy."""
    if named:
        return book.step(named)
    for step in book.steps:
        if any(_FEELING.search(line) for line in (step.title, *step.do, *step.checklist)):
            return step
    return None
