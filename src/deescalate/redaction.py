"""Redaction: card numbers, IBANs, SSNs, e-mail addresses, phone numbers, team patterns.

Applied to every piece of text before it reaches the records folder. Each kind is
declared once, in KINDS (its pattern or finder, its check, its setting, its label, what
`records check` looks for on a line): cards, IBANs and US social security numbers are
always redacted; e-mail addresses and phone numbers unless the team turns them off; the
team's own patterns are looked for before phone numbers.

Card numbers are found the way people type them: 13 to 19 digits passing the Luhn
check, in groups of two or more digits separated by up to three spaces, dots,
dashes, slashes or underscores (or a line break), glued to words or not. `records
check` asks for `thorough` finding, which looks harder than the redactor: digit
groups of any size, separated by anything that is not a letter or a digit (YAML's
escapes and line folding included), so that what slipped past the redactor, or was
typed into a record by hand, is found. Both leave alone the digit layouts that are
never cards: a record id's stamp (20261122-143012), calendar dates, a leading 0 or +
(phone numbers), and hexadecimal hashes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from deescalate.dates import STAMP

Span = tuple[int, int]  # where a finding is: text[start:end]

# -- cards -------------------------------------------------------------------------------

_DIGIT_GROUP = re.compile(r"\d+")
# Between two digit groups of a card as typed: up to three spaces, dots, dashes, slashes
# or underscores in any mix, or one line break with spaces around it.
_TIGHT_GAP = r"(?:(?:[^\S\r\n]|[._/\-\u2010-\u2015]){1,3}|[^\S\r\n]*\r?\n[^\S\r\n]*)"
# What `records check` lets lie between groups: anything that is not a letter (markup,
# quotes, line breaks and indentation), and YAML's escapes for a line break or a tab
# inside a double-quoted text (taken out by _unescaped first, so a plain class will do).
_TIGHT_RUN = re.compile(rf"(?<!\d)\d+(?:{_TIGHT_GAP}\d+)*")
# A stretch without letters, from a digit to a digit, at least 13 characters long:
# only such a stretch can hold a card, and looking for these alone (then counting their
# digits) keeps `records check` quick. ASCII text (most records) has its own pattern.
_LOOSE_RUN = re.compile(r"\d[\W\d_]{11,}\d")
_LOOSE_RUN_ASCII = re.compile(r"[0-9][^A-Za-z]{11,}[0-9]")
_ESCAPE = re.compile(r"\\[nrt]")
_STAMP = re.compile(rf"{STAMP}\Z")  # matched against a slice: see _card_spans
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _unescaped(text: str) -> str:
    """`text` with YAML's \\n, \\r and \\t escapes as two spaces each: the same length,
    so positions stay the same, and no letter between two digit groups."""
    return _ESCAPE.sub("  ", text) if "\\" in text else text


def _in_hash(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a hexadecimal hash (32 characters or more),
    such as a record's playbook_sha256: its digits are no card."""
    while start > 0 and text[start - 1] in _HEX_DIGITS:
        start -= 1
    while end < len(text) and text[end] in _HEX_DIGITS:
        end += 1
    return end - start >= 32 and not (start > 0 and text[start - 1].isalnum()) and not (
        end < len(text) and text[end].isalnum())


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


# Card schemes: the leading digits (IIN prefixes and ranges) each issues, and the lengths
# of its numbers. A Luhn-valid number counts as a card only if one of these could have
# issued it: the check alone passes one random number in ten, and order numbers, IMEIs
# and timestamps pass it as often.
CARD_SCHEMES: tuple[tuple[str, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    ("Visa", ((4, 4),), frozenset({13, 16, 19})),
    ("Mastercard", ((51, 55), (2221, 2720)), frozenset({16})),
    ("American Express", ((34, 34), (37, 37)), frozenset({15})),
    ("Discover", ((6011, 6011), (644, 649), (65, 65), (622126, 622925)),
     frozenset(range(16, 20))),
    ("JCB", ((3528, 3589),), frozenset(range(16, 20))),
    ("Diners Club", ((300, 305), (3095, 3095), (36, 36), (38, 39)), frozenset(range(14, 20))),
    ("UnionPay", ((62, 62), (81, 81)), frozenset(range(16, 20))),
    ("Maestro", ((50, 50), (56, 58), (6304, 6304), (639, 639), (67, 67)),
     frozenset(range(13, 20))),
    ("Mir", ((2200, 2204),), frozenset(range(16, 20))),
)


def card_scheme(digits: str) -> str | None:
    """The scheme that issues numbers of this length and these leading digits, or None."""
    for name, ranges, lengths in CARD_SCHEMES:
        if len(digits) not in lengths:
            continue
        for low, high in ranges:
            size = len(str(low))
            if low <= int(digits[:size]) <= high:
                return name
    return None


def card_ok(digits: str) -> bool:
    """A card number: a scheme's leading digits and length, and the Luhn check."""
    return card_scheme(digits) is not None and luhn_ok(digits)


def _is_date(groups: list[str], gaps: list[str]) -> bool:
    """Whether three digit groups, with the gaps between them, are a calendar date:
    2026-11-22, 22/11/2026, 11.22.2026."""
    if gaps[0].strip() != gaps[1].strip() or gaps[0].strip() not in ("-", "/", ".") or (
            len(gaps[0]) != 1):
        return False
    sizes = [len(group) for group in groups]
    if sizes[0] == 4 and sizes[1] <= 2 and sizes[2] <= 2:
        year, first, second = groups
    elif sizes[2] == 4 and sizes[0] <= 2 and sizes[1] <= 2:
        first, second, year = groups
    else:
        return False
    return 1900 <= int(year) <= 2099 and 1 <= int(first) <= 31 and 1 <= int(second) <= 31


def _card_spans(text: str, thorough: bool, valid: Callable[[str], bool]) -> list[Span]:
    """Where card numbers are in `text` (digits that pass `valid`): overlapping candidates
    are joined, so none of a card is left showing when a neighbouring number happens to
    pass the check too."""
    spans: list[tuple[int, int]] = []
    if thorough:
        text = _unescaped(text)
    pattern = ((_LOOSE_RUN_ASCII if text.isascii() else _LOOSE_RUN) if thorough
               else _TIGHT_RUN)
    for run in pattern.finditer(text):
        if run.end() - run.start() < 13:
            continue  # fewer than 13 characters can't hold 13 digits
        start = run.start()
        found = list(_DIGIT_GROUP.finditer(text, start, run.end()))
        if sum(len(match.group()) for match in found) < 13:
            continue
        if len(found) == 1 and _in_hash(text, start, run.end()):
            continue
        groups = [match.group() for match in found]
        gaps = [text[a.end():b.start()] for a, b in itertools.pairwise(found)]
        candidates = []
        for first in range(len(groups)):
            if groups[first][0] in "0" or (not thorough and len(groups[first]) < 2):
                continue  # no card starts with 0, and none is typed a digit at a time
            if found[first].start() > 0 and text[found[first].start() - 1] == "+":
                continue  # +44 ...: a phone number
            digits = ""
            for last in range(first, len(groups)):
                if not thorough and last > first and len(groups[last - 1]) < 2:
                    break  # a single digit ends a card: it is not typed inside one
                digits += groups[last]
                if len(digits) > 19:
                    break
                if len(digits) < 13 or not valid(digits):
                    continue
                if _STAMP.match(text, found[first].start(), found[last].end()):
                    continue  # a record id's 20261122-143012
                if _other_shape(groups, gaps, first, last):
                    continue
                candidates.append((found[first].start(), found[last].end(), len(digits)))
        spans += _joined(candidates)
    return spans


_JOINING = frozenset("-./:_\u2010\u2011\u2012\u2013\u2014\u2015")
_DASHED_LAYOUTS = ((4, 6, 5), (4, 6, 4))
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015"


def _joins(gap: str) -> bool:
    """Whether a gap makes its two digit groups one number (a dash, dot, slash or colon,
    no space): a date, a time, an IP, an order number's parts."""
    return bool(gap) and all(char in _JOINING for char in gap)


def _card_layout(sizes: tuple[int, ...]) -> bool:
    """Whether digit groups of these sizes are how cards are printed: in fours (the last
    group shorter), or as American Express's 4-6-5 and Diners Club's 4-6-4."""
    return sizes in _DASHED_LAYOUTS or (
        all(size == 4 for size in sizes[:-1]) and sizes[-1] <= 4)


def _other_shape(groups: list[str], gaps: list[str], first: int, last: int) -> bool:
    """Whether groups[first:last + 1] (with the gaps between them), though their digits
    would make a card, are a known other shape or part of a longer number: a date, a
    time, an IP address, an order number with dashes where cards have none, or a piece
    of a longer run of digits."""
    chosen, between = groups[first:last + 1], gaps[first:last]
    if any(_is_date(chosen[i:i + 3], between[i:i + 2]) for i in range(len(chosen) - 2)):
        return True
    if any(":" in gap for gap in between):
        return True  # 11:47:05: a time
    if (first > 0 and _joins(gaps[first - 1])) or (last < len(gaps) and _joins(gaps[last])):
        return True  # part of 112-3456789-1234567 or 2026-11-20 11:47:05
    if any(all(len(group) <= 3 and int(group) <= 255 for group in chosen[i:i + 4])
           and all(gap == "." for gap in between[i:i + 3]) for i in range(len(chosen) - 3)):
        return True  # 192.168.10.200
    sizes = tuple(len(group) for group in chosen)
    if len(chosen) > 1 and not _card_layout(sizes) and (
            (first > 0 and gaps[first - 1] in between)
            or (last < len(gaps) and gaps[last] in between)):
        return True  # 86 474603 026913 2: the tail of an IMEI, not a card after a number
    dashed = bool(between) and all(gap.strip() and all(c in _DASHES for c in gap.strip())
                                   for gap in between)
    if dashed and not _card_layout(sizes):
        return True  # 7734-2219-0045-113: not how a card is printed
    # Four digits a group, more of them than a card has: a tracking number.
    return (first, last) != (0, len(groups) - 1) and len(set(gaps)) == 1 and (
        len(groups) > 2 and all(len(group) == 4 for group in groups[:-1])
        and len(groups[-1]) <= 4)


def _joined(candidates: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Overlapping (start, end, digits) candidates as single spans."""
    if not candidates:
        return []
    candidates.sort()
    spans = [list(candidates[0][:2])]
    for start, end, _ in candidates[1:]:
        if start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(start, end) for start, end in spans]


# -- IBANs -------------------------------------------------------------------------------

# The length of each country's IBAN (the SWIFT IBAN registry): it says where an IBAN
# glued to a word ends, and a code not in it is not an IBAN.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
_IBAN_GAP = r"(?:[^\S\r\n]|[.\-]|[^\S\r\n]*\r?\n[^\S\r\n]*)"
# Where one could start: two letters and two digits (the country's code is looked up
# after: an alternation of all the codes makes the search ten times slower).
_IBAN_START = re.compile(r"[A-Za-z]{2}\d\d")
_IBAN_START_ASCII = re.compile(_IBAN_START.pattern, re.ASCII)
# Written whole (DE89370400440532013000), or in the printed groups of four
# (DE89 3704 0044 0532 0130 00): never in other groups, which words could make.
_IBAN = re.compile(
    rf"[A-Za-z]{{2}}\d{{2}}(?:[A-Za-z0-9]{{11,30}}|"
    rf"(?:{_IBAN_GAP}[A-Za-z0-9]{{4}})+(?:{_IBAN_GAP}[A-Za-z0-9]{{1,4}})?)")
_LOOSE_GAP = r"[\W_]{1,12}"  # for IBANs: groups of four, anything but letters between
_IBAN_LOOSE = re.compile(
    rf"[A-Za-z]{{2}}\d{{2}}(?:[A-Za-z0-9]{{11,30}}|"
    rf"(?:{_LOOSE_GAP}[A-Za-z0-9]{{4}})+(?:{_LOOSE_GAP}[A-Za-z0-9]{{1,4}})?)")
_ALNUM = re.compile(r"[A-Za-z0-9]")


def iban_ok(iban: str) -> bool:
    """The ISO 13616 check: the country's length, and the number mod 97 is 1."""
    iban = iban.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


def _iban_spans(text: str, thorough: bool, valid: Callable[[str], bool]) -> list[Span]:
    """Where IBANs are in `text`: a country's code and check digits, then as many letters
    and digits as its IBANs have, which together pass `valid`."""
    spans = []
    if thorough:
        text = _unescaped(text)
    pattern = _IBAN_LOOSE if thorough else _IBAN
    for start in (_IBAN_START_ASCII if text.isascii() else _IBAN_START).finditer(text):
        at = start.start()
        length = IBAN_LENGTHS.get(text[at:at + 2].upper())
        if length is None or (at > 0 and text[at - 1].isalpha()):
            continue  # not a country, or glued to a word before it
        match = pattern.match(text, at)
        if match is None:
            continue
        chars = list(_ALNUM.finditer(text, match.start(), match.end()))
        if len(chars) < length:
            continue
        if valid("".join(char.group() for char in chars[:length])):
            spans.append((match.start(), chars[length - 1].end()))
    return spans


# -- e-mail addresses, social security numbers, phone numbers --------------------------

# An e-mail address, written or spelled out: `dana@example.com`, `dana @ example.com`,
# `dana at example dot com`, `dana [at] example [dot] com`.
_SP = r"[^\S\r\n]"  # a space on the line: an address does not run over a line break
_AT = (rf"(?:{_SP}*@{_SP}*|{_SP}*[\[(<{{]{_SP}*(?i:at){_SP}*[\])>}}]{_SP}*"
       rf"|{_SP}+(?i:at){_SP}+)")
_DOT = (rf"(?:\.|{_SP}*[\[(<{{]{_SP}*(?i:dot){_SP}*[\])>}}]{_SP}*|{_SP}+(?i:dot){_SP}+)")
_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w+-]+(?:{_DOT}[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[^\W\d_]{{2,}}"
    rf"(?![\w-])")
# The endings an address spelled with the word `at` must have to count as one: `meet at
# home.Then` is a sentence, `dana at example dot com` an address.
_SPELLED_ENDINGS = frozenset((
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "io", "co", "me", "us",
    "uk", "de", "fr", "nl", "be", "ch", "at", "es", "it", "pt", "ie", "se", "no", "dk", "fi",
    "pl", "cz", "eu", "ca", "au", "nz", "in", "jp", "cn", "br", "mx", "ru", "za", "email"))
# A US social security number: never area 000, 666 or 9xx, group 00 or serial 0000.
# With dashes it is one wherever it is; nine bare digits only where the text names it.
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")
_SSN_BARE = re.compile(
    r"(?<![\w-])(?!000|666|9\d\d)\d{3}([ ]?)(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
_SSN_NAMED = re.compile(
    r"(?i:\b(?:ssn|ss#|social[ -]security|soc\.? ?sec\.?)(?:[ ]?(?:number|no\.?|nr\.?|#))?"
    r"(?:[\s:=#.,-]|\bis\b|\bwas\b)*)\Z")
# Digits with the separators phone numbers are written with; checked further in _is_phone.
_PHONE = re.compile(r"(?<![\w+#/.-])(?:\+|00)?\(?\d[\d ()./-]{5,}\d(?![\w])")
# What, just before a number, says it is some other number than a phone's.
_NOT_A_PHONE = re.compile(
    r"(?i:\b(?:order|orders|invoice|inv|ref|reference|tracking|track|trk|policy|account|acct|"
    r"serial|sn|s/n|imei|meter|ticket|case|claim|zip|postcode|sku|part|model|batch|lot|"
    r"receipt|confirmation|booking|contract|parcel|shipment|consignment|awb|waybill|po|"
    r"member|membership|loyalty|voucher|coupon|transaction|txn|sort code|routing|aba|"
    r"upc|ean|gtin|isbn|vin|ups|usps|fedex|dhl|tnt|gls|dpd|hermes|asin)\b"
    r"(?:[\s.:#=-]|\bno\b|\bnumber\b|\bnr\b|\bid\b|\bcode\b|\bis\b)*)\Z")
_MARK = re.compile(r"\[redacted: [a-z0-9-]+\]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STAMP_TEXT = re.compile(STAMP)
_US_FORMATTED = re.compile(
    r"(?:1[ .-]?)?(?:\([2-9]\d\d\)[ ]?|[2-9]\d\d[ .-])\d{3}[ .-]\d{4}")
_US_BARE = re.compile(r"1?[2-9]\d\d[2-9]\d{6}")
_US_LOCAL = re.compile(r"[2-9]\d\d[.-]\d{4}")


def _email_ok(text: str) -> bool:
    """An address with an @, or spelled with the word `at` and ending in a known domain."""
    if "@" in text:
        return True
    ending = re.split(r"[\s.\])>}]+", text.rstrip())[-1].lower()
    return ending in _SPELLED_ENDINGS


def _ssn_named(text: str, start: int, end: int) -> bool:
    """Whether the words just before text[start:end] name a social security number."""
    return bool(_SSN_NAMED.search(text, max(0, start - 40), start))


# A word of letters and digits just before a number: the number is the rest of a code
# (UPS 1Z 999 AA1 01 2345 6784).
_CODE_BEFORE = re.compile(r"(?=[A-Za-z]*[0-9])(?=[0-9]*[A-Za-z])[A-Za-z0-9]+[ -]\Z")


def _phone_here(text: str, start: int, end: int) -> bool:
    """Whether a number that reads as a phone number is not called something else just
    before it (`order`, `invoice`, `tracking no.`, `policy`...), nor the rest of a code."""
    return not (_NOT_A_PHONE.search(text, max(0, start - 40), start)
                or _CODE_BEFORE.search(text, max(0, start - 40), start))


def _is_phone(text: str) -> bool:
    """A phone number in one of the forms people write them, not an order number.

    International: a leading + or 00 and eight to fifteen digits after it, however
    grouped. National with a trunk 0 (UK, German, French and most of Europe): nine to
    twelve digits. North American: ten digits as (415) 555-2671, 415-555-2671,
    415.555.2671, 415 555 2671 or bare 4155552671 (a 1 before them or not), and seven
    as 555-0100. Doubled separators, unmatched brackets, a slash anywhere but after an
    area code with its 0, dates and record ids are not phone numbers.
    """
    digits = re.sub(r"\D", "", text)
    if text.count("(") != text.count(")") or re.search(r"[ ./-]{2,}", text):
        return False
    if _STAMP_TEXT.fullmatch(text) or _ISO_DATE.match(text):
        return False  # a record id or a date, not a number to dial
    if "/" in text and not text.startswith(("0", "+", "(0")):
        return False
    groups = [g for g in re.split(r"[ ()./-]+", text.lstrip("+")) if g]
    if text.startswith("+"):
        return 8 <= len(digits) <= 15
    if text.startswith("00"):
        return digits[2] != "0" and 8 <= len(digits) - 2 <= 13
    if text.lstrip("(").startswith("0"):
        return 9 <= len(digits) <= 12 and not any(len(group) == 1 for group in groups)
    return bool(_US_FORMATTED.fullmatch(text) or _US_BARE.fullmatch(text)
                or _US_LOCAL.fullmatch(text))


def _always(text: str) -> bool:
    """No test beyond the pattern: what it matches is one."""
    return True


# -- the kinds ---------------------------------------------------------------------------

Finder = Callable[[str, bool, Callable[[str], bool]], list[Span]]


@dataclass(frozen=True)
class Kind:
    """One kind of thing to redact, stated once: the redactor, `records check` (its labels,
    the lines it searches, its cache key) and the team's settings all take it from here.

    A kind is found either by its `pattern`, each match then tested with `valid`, or by a
    `finder` of its own, for what no one pattern finds: cards and IBANs, typed in groups
    and split across lines. A finder is given `valid` (the checksum), and `records check`
    runs it over all of a file, looking harder (`thorough`), before the other kinds.
    """

    name: str  # the record says [redacted: NAME]
    label: str  # `records check` says "LABEL that is not redacted"
    pattern: re.Pattern[str] | None = None
    valid: Callable[[str], bool] = _always  # whether what was found is one: a checksum
    # The team's switch for it under `redact:` in its settings file, on unless turned
    # off; None: always redacted.
    setting: str | None = None
    # A regular expression that matches on every line holding one (without flags at its
    # start: the kinds' cues are joined into one search). `records check` hands the
    # redactor only such lines, ten times quicker; None: it searches all of the text.
    cue: str | None = None
    finder: Finder | None = None
    # More cues, each searched on its own: one that starts with a literal text (` at `)
    # is found by a quick scan for it alone, where as one more choice in the joined
    # cue it would be tried at every space of every record.
    more_cues: tuple[str, ...] = ()
    # Looked for after the team's own patterns, so that theirs claim text first.
    after_patterns: bool = False
    # What the text around a match must say for it to count (given the text and where
    # the match is): a bare SSN only after words that name it, a phone number not after
    # `order` or `invoice`. None: wherever it is.
    where: Callable[[str, int, int], bool] | None = None

    def __post_init__(self) -> None:
        if (self.pattern is None) == (self.finder is None):
            raise ValueError(f"the kind {self.name!r} needs a pattern or a finder, not both")


# Seven or more digits and separators: every phone number and social security number has
# such a run on its line.
_DIGITS_CUE = r"\d[\d ()./+-]{5,}\d"

# Every kind, in the order they claim text: where two overlap, the first one's finding
# is kept.
KINDS: tuple[Kind, ...] = (
    Kind("iban", "an IBAN", finder=_iban_spans, valid=iban_ok),
    Kind("card", "a card number", finder=_card_spans, valid=card_ok),
    Kind("ssn", "a social security number", _SSN, cue=_DIGITS_CUE),
    Kind("ssn", "a social security number", _SSN_BARE, cue=_DIGITS_CUE, where=_ssn_named),
    Kind("email", "an e-mail address", _EMAIL, _email_ok, setting="emails", cue="@",
         more_cues=(r" at [\w-]+(?:\.| +dot | *[\[(<{])", r"\[at\]", r"\(at\)")),
    # After the team's patterns: a phone number's pattern takes any run of digits, so a
    # team's pattern for its account numbers must claim them first.
    Kind("phone", "a phone number", _PHONE, _is_phone, setting="phones", cue=_DIGITS_CUE,
         after_patterns=True, where=_phone_here),
)


def settings() -> list[str]:
    """The switches a team may turn off under `redact:`, as the kinds declare them."""
    return list(dict.fromkeys(kind.setting for kind in KINDS if kind.setting))


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


@dataclass
class Redactor:
    """What to redact: every kind in KINDS but those whose setting the team turned off,
    and the team's own patterns (named by their name, looked for before the kinds that
    come `after_patterns`)."""

    off: Collection[str] = frozenset()  # the settings turned off, such as "emails"
    patterns: list[tuple[str, str]] = field(default_factory=list)  # (name, regex)
    kinds: tuple[Kind, ...] = field(init=False, repr=False)  # in the order they claim text
    labels: dict[str, str] = field(init=False, repr=False)  # a kind's name: its label
    # What `records check` searches line by line (the kinds without a finder), and the
    # lines it searches: those where one of their cues matches (None: all of the text).
    by_line: tuple[Kind, ...] = field(init=False, repr=False)
    cue: str | None = field(init=False, repr=False)
    more_cues: tuple[str, ...] = field(init=False, repr=False)  # each searched alone

    def __post_init__(self) -> None:
        unknown = sorted(set(self.off) - set(settings()))
        if unknown:
            raise ValueError(f"no kind of redaction has the setting {unknown[0]!r}")
        declared = KINDS
        named = {kind.name: kind.label for kind in declared}
        team = [Kind(name, named.get(name, f"text matching the redact pattern {name!r}"),
                     re.compile(pattern)) for name, pattern in self.patterns]
        on = [kind for kind in declared if kind.setting not in self.off]
        self.kinds = (*[kind for kind in on if not kind.after_patterns], *team,
                      *[kind for kind in on if kind.after_patterns])
        self.labels = {kind.name: kind.label for kind in self.kinds}
        self.by_line = tuple(kind for kind in self.kinds if kind.finder is None)
        cues = [kind.cue for kind in self.by_line]
        self.cue = None if None in cues else "|".join(dict.fromkeys(
            cue for cue in cues if cue is not None))
        self.more_cues = tuple(dict.fromkeys(
            cue for kind in self.by_line for cue in kind.more_cues))

    def find(self, text: str, *, thorough: bool = False,
             kinds: Iterable[Kind] | None = None) -> list[Finding]:
        """Everything in `text` that should be redacted, in order, without overlaps: by
        all of this redactor's kinds, or by `kinds`. `thorough` looks harder with the
        kinds that have a finder, as `records check` does."""
        found: list[Finding] = []
        taken: list[Span] = [(m.start(), m.end()) for m in _MARK.finditer(text)]
        spans: Iterable[Span]
        valid: Callable[[str], bool]
        for kind in self.kinds if kinds is None else kinds:
            if kind.finder is not None:
                spans, valid = kind.finder(text, thorough, kind.valid), _always
            else:
                assert kind.pattern is not None  # a kind has one or the other
                spans, valid = _spans(kind.pattern.finditer(text)), kind.valid
            for start, end in spans:
                if start == end or any(start < e and s < end for s, e in taken):
                    continue
                if not valid(text[start:end]) or (
                        kind.where is not None and not kind.where(text, start, end)):
                    continue
                taken.append((start, end))
                found.append(Finding(kind.name, start, end, text[start:end]))
        return sorted(found, key=lambda f: f.start)

    def find_anywhere(self, text: str) -> list[Finding]:
        """What the kinds with a finder (cards, IBANs) find in `text`, in order, looking
        as hard as `records check` does, over all of it; a kind leaves out what overlaps
        an earlier kind's finding."""
        found: list[Finding] = []
        for kind in self.kinds:
            if kind.finder is None:
                continue
            earlier = [(f.start, f.end) for f in found]
            found += [Finding(kind.name, start, end, text[start:end])
                      for start, end in kind.finder(text, True, kind.valid)
                      if not any(start < e and s < end for s, e in earlier)]
        return sorted(found, key=lambda f: f.start)

    def across(self, pieces: Sequence[str]) -> tuple[dict[int, list[tuple[Span, str]]], int]:
        """What the kinds with a finder (cards, IBANs) find typed over two or more of
        `pieces`, one after the other (`4111 1111` in one note, `1111 1111` in the
        next): for each piece by its number, the spans of its parts and their kind; and
        how many were found. What lies within one piece is left to `redact`."""
        bounds, at = [], 0
        for piece in pieces:
            bounds.append((at, at + len(piece)))
            at += len(piece) + 1
        joined = "\n".join(pieces)
        parts: dict[int, list[tuple[Span, str]]] = {}
        count = 0
        for kind in self.kinds:
            if kind.finder is None:
                continue
            for start, end in kind.finder(joined, False, kind.valid):
                touched = [(number, low, high) for number, (low, high) in enumerate(bounds)
                           if low < end and start < high]
                if len(touched) < 2:
                    continue
                count += 1
                for number, low, high in touched:
                    span = (max(start, low) - low, min(end, high) - low)
                    parts.setdefault(number, []).append((span, kind.name))
        return parts, count

    def describe(self) -> list[list[object]]:
        """What this redactor looks for, as plain data: its kinds in order, with what
        each is named, found and tested by (so a kind turned off, added or changed
        shows)."""
        return [[kind.name, kind.label, kind.pattern and kind.pattern.pattern,
                 kind.pattern and kind.pattern.flags, kind.cue, list(kind.more_cues),
                 _named(kind.valid),
                 _named(kind.finder), _named(kind.where)] for kind in self.kinds]

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


def _named(function: Callable[..., object] | None) -> str | None:
    if function is None:
        return None
    return f"{function.__module__}.{getattr(function, '__qualname__', repr(function))}"


def _spans(matches: Iterator[re.Match[str]]) -> Iterator[Span]:
    return (match.span() for match in matches)
