"""Redaction of card numbers, e-mail addresses, phone numbers and team patterns."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deescalate import redaction
from deescalate.redaction import Kind, Redactor, luhn_ok

# A kind the tool does not have, declared the way a new one would be: UK National
# Insurance numbers. Its cue matters: the line "NI AB123456C" has no @ and no long run
# of digits, so without it `records check` would never look at that line.
NINO = Kind("nino", "a National Insurance number",
            re.compile(r"(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Z]{2}[0-9]{6}[A-D](?![A-Za-z0-9])"),
            setting="ninos", cue=r"[0-9]{6}[A-D]")


def add_nino(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declare NINO for this test: the one change a new kind takes."""
    monkeypatch.setattr(redaction, "KINDS", (*redaction.KINDS, NINO))


@pytest.mark.parametrize(("text", "expected"), [
    ("card 4111 1111 1111 1111 please", "card [redacted: card] please"),
    ("4111-1111-1111-1111", "[redacted: card]"),
    ("amex 378282246310005.", "amex [redacted: card]."),
    ("amex 3782 822463 10005 ok", "amex [redacted: card] ok"),
    ("mail dana.r+bills@example.co.uk now", "mail [redacted: email] now"),
    ("call +44 20 7946 0958", "call [redacted: phone]"),
    ("call (555) 123-4567 or 555.123.4567", "call [redacted: phone] or [redacted: phone]"),
    ("mobile 07700 900123", "mobile [redacted: phone]"),
])
def test_redacts(text: str, expected: str) -> None:
    assert Redactor().redact(text)[0] == expected


@pytest.mark.parametrize("text", [
    "card 4111 1111 1111 1112 fails the checksum",
    "order 1234567890 and AB123456",
    "record 20261122-143012-jdoe-upset-customer-7f3a",
    "record 20261122-162104-ejones-customer-is-wrong-aa08",  # its 14 digits pass Luhn
    "on 2026-11-22 at 14:30, refund of 1,234.56",
    "ticket T-1234, version 1.2.3.4.5.6.7.8.9",
])
def test_leaves_references_dates_and_amounts(text: str) -> None:
    assert Redactor().redact(text) == (text, 0)


def test_emails_and_phones_can_be_turned_off_but_cards_never() -> None:
    redactor = Redactor(off={"emails", "phones"})
    text = "a@b.org 555-123-4567 4111111111111111"
    assert redactor.redact(text) == ("a@b.org 555-123-4567 [redacted: card]", 1)


def test_a_kind_declared_at_test_time_is_redacted_unless_turned_off(monkeypatch) -> None:
    text = "NI AB123456C, card 4111 1111 1111 1111"
    assert Redactor().redact(text)[1] == 1
    add_nino(monkeypatch)
    assert redaction.settings() == ["emails", "phones", "ninos"]
    redactor = Redactor()
    assert redactor.redact(text) == ("NI [redacted: nino], card [redacted: card]", 2)
    assert redactor.labels["nino"] == "a National Insurance number"
    assert Redactor(off={"ninos"}).redact(text) == ("NI AB123456C, card [redacted: card]", 1)
    assert Redactor().redact("order AB1234567C and QQ123456C") == (
        "order AB1234567C and QQ123456C", 0)


def test_an_unknown_setting_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="'ninos'"):
        Redactor(off={"ninos"})
    with pytest.raises(ValueError, match="a pattern or a finder"):
        Kind("x", "an x")


def test_every_kind_can_be_redacted_and_named() -> None:
    """A kind's name goes into `[redacted: NAME]`, which the redactor must know again as
    its own mark (or redacting twice would redact the mark); its label into check's
    message; each switch is a key of its own in the team file."""
    for kind in redaction.KINDS:
        assert re.fullmatch(r"[a-z0-9-]+", kind.name), kind
        assert kind.label and kind.label[0].islower(), kind
        assert kind.cue is None or re.compile(kind.cue).groups == 0, kind
        assert all(re.compile(cue).groups == 0 for cue in kind.more_cues), kind
    switches = [kind.setting for kind in redaction.KINDS if kind.setting]
    assert len(set(switches)) == len(switches) and "patterns" not in switches


def test_the_redactor_imports_no_room() -> None:
    """A shared module: the rooms import it, never the other way, not even lazily or
    for type checking."""
    tree = ast.parse(Path(redaction.__file__).read_text(encoding="utf-8"))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names]
    names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    ours = [name for name in names if name.startswith("deescalate")]
    assert ours == ["deescalate.dates"]


def test_team_patterns_use_their_name() -> None:
    redactor = Redactor(patterns=[("account", r"ACC-\d{6}"), ("pattern", r"secret\w+")])
    assert redactor.redact("ACC-123456 secretsauce") == (
        "[redacted: account] [redacted: pattern]", 2)


def test_counts_each_finding_and_keeps_earlier_marks() -> None:
    text, count = Redactor().redact("[redacted: card] then x@y.com and z@w.org")
    assert (text, count) == ("[redacted: card] then [redacted: email] and [redacted: email]", 2)


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("378282246310005")
    assert not luhn_ok("4111111111111112")


@given(st.text())
def test_redacted_text_has_nothing_left_to_find(text: str) -> None:
    redactor = Redactor()
    once, _ = redactor.redact(text)
    assert redactor.find(once) == []
    assert redactor.redact(once) == (once, 0)


@given(st.from_regex(r"4[0-9]{15}", fullmatch=True))
def test_every_luhn_valid_card_is_caught(number: str) -> None:
    digits = number[:-1]
    check = next(d for d in "0123456789" if luhn_ok(digits + d))
    card = digits + check
    spaced = " ".join(card[i:i + 4] for i in range(0, 16, 4))
    for form in (card, spaced, spaced.replace(" ", "-")):
        assert Redactor().redact(f"pay with {form} today") == (
            "pay with [redacted: card] today", 1)


# -- the corpus: what people type, and what becomes of it ---------------------------------
#
# Each format is either redacted (the kinds it must become, in order) or a deliberate
# non-goal, with the reason it is left alone. `records check` looks harder than the
# redactor, so where it should still find a non-goal, that is said too.


@dataclass(frozen=True)
class NonGoal:
    reason: str
    check_finds: tuple[str, ...] = ()  # what `records check` still reports in it


CARD = ("card",)
PHONE = ("phone",)
IBAN = ("iban",)
CORPUS: list[tuple[str, str, tuple[str, ...] | NonGoal]] = [
    # cards: whatever separates the digit groups, glued to words, split across a line
    ("card whole", "pay with 4111111111111111 today", CARD),
    ("card in fours", "4111 1111 1111 1111", CARD),
    ("card with dashes", "4111-1111-1111-1111", CARD),
    ("card with dots", "4111.1111.1111.1111", CARD),
    ("card with double spaces", "4111  1111  1111  1111", CARD),
    ("card with slashes", "4111/1111/1111/1111", CARD),
    ("card with underscores", "4111_1111_1111_1111", CARD),
    ("card with spaced dashes", "4111 - 1111 - 1111 - 1111", CARD),
    ("card with mixed separators", "4111-1111 1111.1111", CARD),
    ("card in eights", "41111111 11111111", CARD),
    ("card in twos", "41 11 11 11 11 11 11 11", CARD),
    ("card in threes", "411 111 111 111 111 1", CARD),
    ("card with no-break spaces", "4111\u00a01111\u00a01111\u00a01111", CARD),
    ("card with en dashes", "4111\u20131111\u20131111\u20131111", CARD),
    ("card in full-width digits", "\uff14\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 "
     "\uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11", CARD),
    ("card glued to a word before", "cc4111111111111111", CARD),
    ("card glued to a word after", "4111111111111111exp", CARD),
    ("card glued both sides", "card#4111-1111-1111-1111exp12/27", CARD),
    ("card split across a line", "card 4111 1111\n1111 1111 ok", CARD),
    ("card split across a line with spaces", "4111 1111 \n   1111 1111", CARD),
    ("card split across a Windows line", "4111 1111\r\n1111 1111", CARD),
    ("card in quotes", "'4111 1111 1111 1111'", CARD),
    ("card in brackets", "(4111111111111111)", CARD),
    ("card then its expiry", "4111 1111 1111 1111 12/27", CARD),
    ("card after another number", "order 12 4111 1111 1111 1111", CARD),
    ("Amex whole", "378282246310005", CARD),
    ("Amex 4-6-5", "3782 822463 10005", CARD),
    ("Diners 4-6-4", "3056 930902 5904", CARD),
    ("Mastercard", "5555 5555 5555 4444", CARD),
    ("Mastercard 2-series", "2223 0031 2200 3222", CARD),
    ("Discover", "6011 1111 1111 1117", CARD),
    ("JCB", "3530111333300000", CARD),
    ("Visa 13 digits", "4222222222222", CARD),
    ("19 digits", "6304 0000 0000 0000 000", CARD),
    ("card in a sentence end", "It was 4111111111111111.", CARD),
    ("card as a number capture", "4111111111111111", CARD),  # str(int): see test_writer
    ("card, a digit at a time", "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
     NonGoal("lists of small numbers look like this; check finds it", CARD)),
    ("card with a wide gap", "4111     1111 1111 1111",
     NonGoal("more than three characters between groups is not one number; check finds it",
             CARD)),
    ("card with letters between groups", "4111 x 1111 x 1111 x 1111",
     NonGoal("a letter between groups ends a number, for both")),
    ("card in words", "four one one one, one one one one, ...",
     NonGoal("spelled out: not findable as digits")),
    ("card glued to more digits", "04111111111111111",
     NonGoal("no way to tell where the card starts in one run of digits; no card starts "
             "with 0")),
    ("card failing Luhn", "4111 1111 1111 1112", NonGoal("not a card number: a typo or a "
                                                         "reference")),
    # IBANs, always
    ("IBAN printed", "DE89 3704 0044 0532 0130 00", IBAN),
    ("IBAN whole", "DE89370400440532013000", IBAN),
    ("IBAN with letters", "GB29 NWBK 6016 1331 9268 19", IBAN),
    ("IBAN with letters, whole", "GB29NWBK60161331926819", IBAN),
    ("IBAN French", "FR14 2004 1010 0505 0001 3M02 606", IBAN),
    ("IBAN Dutch", "NL91 ABNA 0417 1643 00", IBAN),
    ("IBAN Belgian", "BE68 5390 0754 7034", IBAN),
    ("IBAN Swiss", "CH93 0076 2011 6238 5295 7", IBAN),
    ("IBAN in lower case", "de89 3704 0044 0532 0130 00", IBAN),
    ("IBAN with dashes", "DE89-3704-0044-0532-0130-00", IBAN),
    ("IBAN after a label", "IBAN:DE89370400440532013000,", IBAN),
    ("IBAN glued to a word after", "DE89370400440532013000exp", IBAN),
    ("IBAN split across a line", "DE89 3704 0044\n0532 0130 00", IBAN),
    ("IBAN with a wrong check digit", "DE88 3704 0044 0532 0130 00",
     NonGoal("fails the mod-97 check: not an account number")),
    ("IBAN in other groups", "DE89 370 400 440 532 013 000",
     NonGoal("only the printed groups of four or no spaces: words could make other groups")),
    # e-mail addresses
    ("e-mail", "dana@example.com", ("email",)),
    ("e-mail with tags and subdomains", "dana.r+bills@mail.example.co.uk", ("email",)),
    ("e-mail in capitals", "DANA@EXAMPLE.COM", ("email",)),
    ("e-mail in angle brackets", "Dana <dana@example.com>", ("email",)),
    ("e-mail glued to punctuation", "mail:dana@example.com;", ("email",)),
    ("e-mail with an accented domain", "dana@exämple.de", ("email",)),
    ("e-mail in words", "dana at example dot com", ("email",)),
    ("e-mail with spaces around the @", "dana @ example.com", ("email",)),
    ("e-mail with bracketed words", "dana [at] example [dot] co [dot] uk", ("email",)),
    ("e-mail in words, a sentence", "meet at home.Then",
     NonGoal("the word `at` makes an address only before a known domain ending")),
    # phone numbers, international forms too
    ("phone UK international", "+44 20 7946 0958", PHONE),
    ("phone UK national", "020 7946 0958", PHONE),
    ("phone UK mobile", "07700 900123", PHONE),
    ("phone UK with (0)", "+44 (0) 20 7946 0958", PHONE),
    ("phone bracketed area code", "(020) 7946-0958", PHONE),
    ("phone US", "(555) 123-4567", PHONE),
    ("phone US dots", "555.123.4567", PHONE),
    ("phone US dashes", "555-123-4567", PHONE),
    ("phone US international", "+1 555 123 4567", PHONE),
    ("phone US with dashes", "+1-555-123-4567", PHONE),
    ("phone German with (0)", "+49 (0)30 123456", PHONE),
    ("phone German", "+49 30 1234567", PHONE),
    ("phone German with slash", "030/1234567", PHONE),
    ("phone German 00", "0049 30 12345678", PHONE),
    ("phone Austrian 00", "0043 1 234 5678", PHONE),
    ("phone French", "+33 1 23 45 67 89", PHONE),
    ("phone Australian", "+61 2 9876 5432", PHONE),
    ("phone Irish", "+353 1 234 5678", PHONE),
    ("phone Indian", "+91 98765 43210", PHONE),
    ("phone Japanese", "+81 3-1234-5678", PHONE),
    ("phone Russian", "+7 495 123-45-67", PHONE),
    ("phone glued", "tel:+442079460958", PHONE),
    ("phone bare digits", "4155552671", PHONE),
    ("phone US seven digits", "555-0100", PHONE),
    ("phone French bare", "0612345678", PHONE),
    ("phone bare digits of no plan", "5551234567",
     NonGoal("no North American exchange starts with 1: an order number")),
    # US social security numbers, always, under their own name
    ("SSN", "SSN 123-45-6789", ("ssn",)),
    ("SSN another", "078-05-1120", ("ssn",)),
    ("SSN named, bare", "SSN 219099999", ("ssn",)),
    ("SSN named in words, spaced", "social security number is 219 09 9999", ("ssn",)),
    ("SSN that no one is given", "000-12-3456",
     NonGoal("area 000 is never issued, and 3-2-4 digits are no phone number")),
    ("SSN without dashes", "123456789",
     NonGoal("bare digits not named as an SSN: an order or account number as often as not")),
]


@pytest.mark.parametrize(("name", "text", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_the_corpus(name: str, text: str, expected: tuple[str, ...] | NonGoal) -> None:
    redactor = Redactor()
    redacted, count = redactor.redact(text)
    if isinstance(expected, NonGoal):
        assert count == 0, (name, redacted)
        assert tuple(f.kind for f in redactor.find(text, thorough=True)) == expected.check_finds
        return
    assert [f.kind for f in redactor.find(text)] == list(expected), name
    assert count == len(expected)
    assert not any(ch.isdigit() for ch in "".join(
        f.text for f in redactor.find(redacted, thorough=True))), redacted
    for kind in expected:
        assert f"[redacted: {kind}]" in redacted
    # what the redactor finds, check finds
    assert [f.kind for f in redactor.find(text, thorough=True)] == list(expected)


def test_each_kinds_cue_is_on_each_line_holding_one() -> None:
    """`records check` searches only the lines where a cue matches: a kind's cue must
    match wherever one of that kind is."""
    cues = {kind.name: "|".join([kind.cue, *kind.more_cues])
            for kind in redaction.KINDS if kind.cue is not None}
    redactor = Redactor()
    tried = 0
    for name, text, _ in CORPUS:
        for finding in redactor.find(text):
            if finding.kind in cues:
                start = text.rfind("\n", 0, finding.start) + 1
                end = text.find("\n", finding.end)
                line = text[start:end if end >= 0 else len(text)]
                assert re.search(cues[finding.kind], line), name
                tried += 1
    assert tried >= 30


def test_the_corpus_is_large_and_has_every_kind() -> None:
    assert len(CORPUS) >= 60
    assert len({name for name, _, _ in CORPUS}) == len(CORPUS)
    redacted = {kind for _, _, expected in CORPUS if not isinstance(expected, NonGoal)
                for kind in expected}
    assert redacted == {kind.name for kind in redaction.KINDS}


@pytest.mark.parametrize("text", [
    "record 20261122-143012-jdoe-upset-customer-7f3a",
    "between 2026-11-22 and 2026-11-23",
    "on 22/11/2026 or 23/11/2026",
    "at 2026-11-22 14:30:12, 2026-11-23 09:15:00",
    "refund of 1,234.56 and 49.90, 49.90",
    "from 192.168.1.1 to 10.0.0.1",
    "ticket T-1234, version 1.2.3.4.5.6.7.8.9",
    "order AB123456 and 1234567890",
    "sha 404da05011dea82cd9fd782e283b28fd7559d72df5c0905d1c1f77e34d630576",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "GB22 is the one they gave for the refund",
    "at 14:30:12 then 15:45:00",
])
def test_what_is_never_redacted_nor_found(text: str) -> None:
    redactor = Redactor()
    assert redactor.redact(text) == (text, 0)
    assert redactor.find(text, thorough=True) == []


@given(st.lists(st.sampled_from(["4111", "1111", " ", "-", "\n", "  ", "x", "12", "0", "/",
                                 "DE89", "3704", "0044", ".", "_", "\\n", "'", "é",
                                 "              ", "\t", "|-\n    "]),
                max_size=20).map("".join))
def test_check_finds_whatever_the_redactor_finds(text: str) -> None:
    redactor = Redactor()
    thorough = redactor.find(text, thorough=True)
    for finding in redactor.find(text):
        if finding.kind in ("card", "iban"):
            assert any(f.kind == finding.kind and f.start <= finding.start < f.end
                       for f in thorough), (text, finding)
