"""A labelled corpus of what agents type, run through the two routes that matter.

The note route: each string typed as a note in a call, through the call engine and the
record writer to the written record. A sensitive string leaks when any of it is still
in the file; a non-sensitive one is a false positive when its note was changed.

The check route: each string in a record written by hand (as another team's script or
an editor would write it), in its summary and in a note of its body, then `records
check` over the folder. A sensitive string leaks when check says nothing about its
record; a non-sensitive one is a false positive when check reports its record.

Leaks and false positives are printed per kind. The test fails on any leak of a form
the tool redacts (in scope) and on more than 3 false positives in either route.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from deescalate.redaction import luhn_ok
from tests.recordkit import at, write_call


def card(digits: str, sep: str = "") -> str:
    """A card number from its digits without the last (the Luhn check digit added), in
    groups of four joined by `sep` (none: one run)."""
    digits = digits.replace(" ", "")
    whole = digits + next(d for d in "0123456789" if luhn_ok(digits + d))
    if not sep:
        return whole
    return sep.join(whole[i:i + 4] for i in range(0, len(whole), 4))


@dataclass(frozen=True)
class Case:
    kind: str  # card, iban, email, phone, ssn; or what a non-sensitive number is
    text: str  # as typed
    secret: str | None = None  # the sensitive part of `text`; None: nothing sensitive
    in_scope: bool = True  # a form the tool promises to redact


def S(kind: str, text: str, secret: str | None = None, *, in_scope: bool = True) -> Case:
    return Case(kind, text, secret if secret is not None else text, in_scope)


def N(kind: str, text: str) -> Case:
    return Case(kind, text)


SENSITIVE = [
    # cards: every scheme, the ways people type them
    S("card", "card 4111 1111 1111 1111 exp 12/27", "4111 1111 1111 1111"),
    S("card", "visa " + card("401288888888188"), card("401288888888188")),
    S("card", card("4222 2222 2222")),  # Visa, 13 digits
    S("card", "pay with " + card("4000 0566 5566 555", "-"), card("4000 0566 5566 555", "-")),
    S("card", card("4917 6100 0000 0000 00", " ")),  # Visa, 19 digits
    S("card", "mc " + card("5555 5555 5555 444", " "), card("5555 5555 5555 444", " ")),
    S("card", card("5105 1051 0510 510", ".")),
    S("card", "2-series " + card("2223 0031 2200 322"), card("2223 0031 2200 322")),
    S("card", card("2720 9927 2099 272", " ")),
    S("card", "amex 3782 822463 10005", "3782 822463 10005"),
    S("card", "371449635398431"),
    S("card", "amex 3787-344936-71000", "3787-344936-71000"),
    S("card", "discover " + card("6011 1111 1111 111", " "), card("6011 1111 1111 111", " ")),
    S("card", card("6445 6445 6445 644")),
    S("card", card("6500 0000 0000 000", "-")),
    S("card", "jcb 3530 1113 3330 0000", "3530 1113 3330 0000"),
    S("card", "3566002020360505"),
    S("card", "diners 3056 930902 5904", "3056 930902 5904"),
    S("card", "38520000023237"),
    S("card", "unionpay " + card("6200 0000 0000 000", " "), card("6200 0000 0000 000", " ")),
    S("card", card("6250 9410 0652 859")),
    S("card", "maestro " + card("6759 6498 2643 845", " "), card("6759 6498 2643 845", " ")),
    S("card", card("5018 0000 0000 000", " ")),
    S("card", "cc#" + card("411111111111111") + "exp", card("411111111111111")),  # glued
    S("card", "card 4111 1111\n1111 1111 thanks", "4111 1111\n1111 1111"),
    S("card", "card is " + card("5424 0000 0000 001", " ") + " cvv 123",
      card("5424 0000 0000 001", " ")),
    # IBANs of several countries
    S("iban", "DE89 3704 0044 0532 0130 00"),
    S("iban", "iban GB29NWBK60161331926819", "GB29NWBK60161331926819"),
    S("iban", "FR14 2004 1010 0505 0001 3M02 606"),
    S("iban", "NL91ABNA0417164300"),
    S("iban", "ES91 2100 0418 4502 0005 1332"),
    S("iban", "IT60 X054 2811 1010 0000 0123 456"),
    S("iban", "CH93 0076 2011 6238 5295 7"),
    S("iban", "to BE68 5390 0754 7034 please", "BE68 5390 0754 7034"),
    S("iban", "AT61 1904 3002 3457 3201"),
    S("iban", "PL61 1090 1014 0000 0712 1981 2874"),
    S("iban", "IE29 AIBK 9311 5212 3456 78"),
    S("iban", "NO9386011117947"),
    # e-mail addresses, written and spelled out
    S("email", "mail dana@example.com", "dana@example.com"),
    S("email", "dana.r+bills@mail.example.co.uk"),
    S("email", "DANA.ROSS@EXAMPLE.ORG"),
    S("email", "dana @ example.com"),
    S("email", "write to dana at example dot com", "dana at example dot com"),
    S("email", "dana [at] example [dot] de"),
    S("email", "j.smith(at)firma.de"),
    S("email", "reach her at dana at example.com", "dana at example.com"),
    S("email", "jean-luc.picard @ example.fr"),
    # phone numbers: US, UK, German, French, international
    S("phone", "call (415) 555-2671", "(415) 555-2671"),
    S("phone", "415-555-2671"),
    S("phone", "415.555.2671"),
    S("phone", "cell 4155552671", "4155552671"),
    S("phone", "+1 415 555 2671"),
    S("phone", "1-800-555-0199"),
    S("phone", "ext line 555-0100", "555-0100"),
    S("phone", "+44 20 7946 0958"),
    S("phone", "020 7946 0958"),
    S("phone", "mobile 07700 900123", "07700 900123"),
    S("phone", "+44 7700 900123"),
    S("phone", "0161 496 0000"),
    S("phone", "07700900123"),
    S("phone", "+49 30 12345678"),
    S("phone", "030 12345678"),
    S("phone", "030/1234567"),
    S("phone", "handy 0171 1234567", "0171 1234567"),
    S("phone", "+49 (0)89 123456"),
    S("phone", "+33 1 23 45 67 89"),
    S("phone", "01 23 45 67 89"),
    S("phone", "portable 06 12 34 56 78", "06 12 34 56 78"),
    S("phone", "0612345678"),
    S("phone", "0033 6 12 34 56 78"),
    S("phone", "+49 171 1234567"),
    S("phone", "+33 6 12 34 56 78"),
    S("phone", "+61 2 9876 5432"),
    S("phone", "+81 3-1234-5678"),
    S("phone", "+91 98765 43210"),
    # social security numbers: dashed always, bare where named
    S("ssn", "219-09-9999"),
    S("ssn", "ssn 078-05-1120", "078-05-1120"),
    S("ssn", "SSN 219099999", "219099999"),
    S("ssn", "social security number is 536 22 8726", "536 22 8726"),
    S("ssn", "her SSN: 123456789", "123456789"),
    # out of scope: national numbers of other countries the tool has no kind for
    S("national id", "NI number QQ 12 34 56 C", "QQ 12 34 56 C", in_scope=False),
    S("national id", "Steuer-ID 12 345 678 901", "12 345 678 901", in_scope=False),
]

NON_SENSITIVE = [
    # orders
    N("order", "order 1234 5678 9012"),
    N("order", "Amazon order 112-3456789-1234567"),
    N("order", "order 2026-000123"),
    N("order", "PO 4500012345"),
    N("order", "order no. 100234567"),
    N("order", "ORD-88412-22"),
    N("order", "eBay order 12-34567-89012"),
    N("order", "order 1234 5678 9012 3452"),  # 16 digits, passes Luhn: no scheme's
    N("order", "order #4155552671"),
    N("order", "web order 7001234567"),
    # invoices
    N("invoice", "INV-2026-004512"),
    N("invoice", "invoice 2026/11/0042"),
    N("invoice", "invoice 90012345"),
    N("invoice", "invoice no 7700 1234 56"),
    N("invoice", "credit note CN-2026-0091"),
    # tracking numbers of the big carriers
    N("tracking", "FedEx 7489 1234 5678"),
    N("tracking", "FedEx 612345678901234"),
    N("tracking", "UPS 1Z999AA10123456784"),
    N("tracking", "UPS 1Z 999 AA1 01 2345 6784"),
    N("tracking", "USPS 9400 1000 0000 0000 0000 00"),
    N("tracking", "USPS 9205 5000 0000 0000 0000 00"),
    N("tracking", "USPS 4201 0001 9205 5902 1234 5678 90"),
    N("tracking", "DHL JJD0099999999"),
    N("tracking", "DHL 1234567890"),
    N("tracking", "Royal Mail AB123456789GB"),
    N("tracking", "tracking 9261 2999 9173 4100 0012 34"),
    # IMEIs
    N("imei", "IMEI 490154203237518"),
    N("imei", "353879234252633"),
    N("imei", "IMEI 35-209900-176148-1"),
    N("imei", "imei 86 474603 026913 2"),
    # IP addresses
    N("ip", "192.168.10.200"),
    N("ip", "from 10.0.0.1 to 172.16.254.1"),
    N("ip", "IP 203.0.113.195:8443"),
    N("ip", "2001:db8::8a2e:370:7334"),
    # ZIP and postal codes
    N("zip", "94103-1234"),
    N("zip", "New York, NY 10001"),
    N("zip", "London SW1A 1AA"),
    N("zip", "75008 Paris"),
    N("zip", "D-10115 Berlin"),
    # dates and times
    N("date", "2026-11-20"),
    N("date", "20/11/2026"),
    N("date", "11/20/2026 at 3pm"),
    N("date", "20.11.2026 11:47"),
    N("date", "2026-11-20 11:47:05+00:00"),
    N("date", "30/11/2026 11:47:05"),
    N("date", "20261120"),
    N("date", "between 2026-11-20 and 2026-12-04"),
    # amounts
    N("amount", "$1,234.56"),
    N("amount", "1.234,56 EUR"),
    N("amount", "refund 12345.67"),
    N("amount", "USD 1 250 000.00"),
    N("amount", "paid 4111.11 and 1111.11"),
    # serials and other references
    N("serial", "SN-00012345678901"),
    N("serial", "serial 5CG1234XYZ"),
    N("serial", "S/N 0045-1234-7788"),
    N("serial", "MAC 00:1A:2B:3C:4D:5E"),
    N("serial", "meter 0045 1234 7"),
    N("serial", "EAN 4006381333931"),
    N("serial", "ISBN 978-3-16-148410-0"),
    N("serial", "VIN 1HGCM82633A004352"),
    N("serial", "UPC 036000291452"),
    # policy, claim, case and account references
    N("policy", "policy 7734-2219-0045"),
    N("policy", "policy no. POL-5566778899"),
    N("policy", "claim 2026-CL-000451"),
    N("policy", "case 01234567"),
    N("policy", "ticket T-1234"),
    N("policy", "member 4402 1187 33"),
    N("policy", "version 1.2.3.4.5.6"),
    N("policy", "account ref 4521 7788"),
    N("other", "room 1204, floor 12"),
    N("other", "flight BA 0117 at 14:05"),
    N("other", "ext. 2044"),
    N("other", "sort code 20-00-00"),
    N("other", "3 x 129.99 = 389.97"),
]

CORPUS = SENSITIVE + NON_SENSITIVE


def test_the_corpus_is_large_and_labelled() -> None:
    sensitive = [case for case in CORPUS if case.secret]
    assert len(CORPUS) >= 150 and len(sensitive) >= 60 and len(CORPUS) - len(sensitive) >= 60
    assert {case.kind for case in sensitive} >= {"card", "iban", "email", "phone", "ssn"}
    assert len({case.text for case in CORPUS}) == len(CORPUS)
    for case in sensitive:
        assert case.secret and case.secret in case.text, case


def _raw_left(case: Case, text: str) -> bool:
    """Whether any of the case's secret is in `text`: as typed, or its digits in a row."""
    assert case.secret is not None
    digits = re.sub(r"\D", "", case.secret)
    return case.secret in text or (len(digits) >= 7 and digits in re.sub(r"\D", "", text))


def _tally(route: str, outcomes: list[tuple[Case, bool]]) -> tuple[int, int]:
    """Print leaks and false positives per kind; (in-scope leaks, false positives)."""
    per_kind: Counter[tuple[str, str]] = Counter()
    for case, flagged in outcomes:
        per_kind[case.kind, "all"] += 1
        if case.secret and not flagged:
            per_kind[case.kind, "leak"] += 1
            print(f"  {route} leak ({case.kind}{'' if case.in_scope else ', out of scope'}): "
                  f"{case.text!r}")
        if not case.secret and flagged:
            per_kind[case.kind, "false positive"] += 1
            print(f"  {route} false positive ({case.kind}): {case.text!r}")
    print(f"{route}: kind, strings, leaks, false positives")
    for kind in dict.fromkeys(case.kind for case, _ in outcomes):
        print(f"  {kind:12} {per_kind[kind, 'all']:4} {per_kind[kind, 'leak']:4} "
              f"{per_kind[kind, 'false positive']:4}")
    leaks = sum(1 for case, flagged in outcomes if case.secret and case.in_scope and not flagged)
    false = sum(1 for case, flagged in outcomes if not case.secret and flagged)
    print(f"  in-scope leaks {leaks}, false positives {false} of {len(outcomes)} strings")
    return leaks, false


def test_the_note_route(isolated: Path) -> None:
    """Each string typed as a note in a call, then read back from the written record."""
    folder = isolated / "records"
    outcomes = []
    for number, case in enumerate(CORPUS):
        path = write_call(folder, started=at("2026-11-20", f"09:{number // 60:02d}:"
                                                          f"{number % 60:02d}"),
                          notes=[case.text], agent=f"a{number}")
        text = path.read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("\n---\n")[0].removeprefix("---\n"))
        written = front["steps"][0]["notes"][0]["text"]
        if case.secret:
            outcomes.append((case, not _raw_left(case, text)))
        else:
            outcomes.append((case, written != case.text))
    leaks, false = _tally("note route", outcomes)
    assert leaks == 0
    assert false <= 3


HAND_WRITTEN = """\
---
record: 1
id: {id}
playbook: upset-customer
playbook_version: 1
playbook_sha256: 99137a8bb82971a64c2ee5b31fe202bd7f8ecb248cac93b1ae94398668bb44d1
agent: jdoe
customer: Dana R.
reference: null
started: '2026-11-20T{clock}Z'
ended: 2026-11-20 {end}+00:00
duration_seconds: 300
outcome: resolved
escalated: false
root_cause: null
summary: {summary}
follow_up: null
follow_up_done: null
mood: []
steps:
  - id: stay-calm
    at: 0
    seconds: 300
    skipped: false
    unticked: []
    notes:
      - at: 12
        text: {note}
captures: {{}}
redactions: 0
tags: []
---

# Upset customer: Dana R.

{body}

## Timeline

### 00:00 Steady yourself

- Note at 00:12: {body}
"""


def _scalar(text: str) -> str:
    return yaml.safe_dump(text, allow_unicode=True, width=1000).removesuffix("\n...\n").strip()


def test_the_check_route(cli, isolated: Path) -> None:
    """Each string in a record written by hand, then `records check` over them all."""
    folder = isolated / "records"
    (folder / "2026" / "11").mkdir(parents=True)
    ids = {}
    for number, case in enumerate(CORPUS):
        clock = f"10:{number // 60:02d}:{number % 60:02d}"
        identifier = f"20261120-10{number // 60:02d}{number % 60:02d}-jdoe-upset-customer-" \
                     f"{number:04x}"
        ids[identifier] = case
        (folder / "2026" / "11" / f"{identifier}.md").write_text(HAND_WRITTEN.format(
            id=identifier, clock=clock, end=f"10:{number // 60 + 5:02d}:{number % 60:02d}",
            summary=_scalar(case.text), note=_scalar(case.text), body=case.text),
            encoding="utf-8")
    result = cli("records", "check", "--records", folder)
    reported: Counter[str] = Counter()
    for line in result.out.splitlines():
        name = re.search(r"(\d{8}-\d{6}-jdoe-upset-customer-[0-9a-f]{4})\.md: ", line)
        assert name and line.endswith("that is not redacted"), line  # nothing else wrong
        reported[name.group(1)] += 1
    outcomes = [(case, reported[identifier] > 0) for identifier, case in ids.items()]
    leaks, false = _tally("check route", outcomes)
    assert leaks == 0
    assert false <= 3
    assert result.code == (1 if reported else 0)


# Times and dates as YAML writers spell them: each is read as the same moment (`ended`).
READ_AS_TIMES = [
    "2026-11-20T11:47:05Z",
    "2026-11-20T11:47:05+00:00",
    "2026-11-20 11:47:05+00:00",
    "2026-11-20 11:47:05 +00:00",
    "2026-11-20T11:47:05.123456Z",
    "2026-11-20 11:47:05.123456+05:30",
    "2026-11-20T11:47:05-08:00",
    "2026-11-20T11:47:05.000+01:00",
    "'2026-11-20T11:47:05Z'",
    '"2026-11-20 11:47:05+00:00"',
    "'2026-11-20 11:47:05.999999 -03:30'",
]
# Other spellings of times and dates, typed as text (a note, the summary, the body).
TYPED = [
    "2026-11-20t11:47:05z",
    "2026-11-20T11:47:05+0530",
    "2026-11-20 11:47:05",
    "2026-11-20T11:47",
    "20261120T114705Z",
    "20261120 114705",
    "2026-11-20",
    "20/11/2026 11:47:05",
    "30/11/2026 23:59:59",
    "11/30/2026 11:47:05 PM",
    "30.11.2026 11:47:05,123",
    "Mon, 30 Nov 2026 11:47:05 +0000",
    "1763639225",
    "1763639225123",
    "2026-W48-1",
    "2026-334",
]


def _check_clean(cli, isolated: Path, ended: str, typed: str) -> None:
    folder = isolated / "records"
    (folder / "2026" / "11").mkdir(parents=True)
    identifier = "20261120-114705-jdoe-upset-customer-3fa0"
    text = HAND_WRITTEN.format(id=identifier, clock="11:47:05", end="11:52:05",
                               summary=_scalar(f"Called at {typed}."),
                               note=_scalar(typed), body=f"Called back at {typed}.")
    text = text.replace("ended: 2026-11-20 11:52:05+00:00", f"ended: {ended}")
    text = text.replace("captures: {}", f"captures:\n  when: {_scalar(typed)}")
    (folder / "2026" / "11" / f"{identifier}.md").write_text(text, encoding="utf-8")
    result = cli("records", "check", "--records", folder)
    assert (result.code, result.out) == (0, ""), result.out


@pytest.mark.parametrize("stamp", READ_AS_TIMES)
def test_a_timestamp_in_any_spelling_is_no_card(cli, isolated: Path, stamp: str) -> None:
    """A clean record whose times are spelled as other YAML writers spell them, in `ended`
    and typed in its text: `records check` finds nothing (no false alarm fails CI)."""
    _check_clean(cli, isolated, stamp, stamp.strip("'\""))


@pytest.mark.parametrize("typed", TYPED)
def test_a_time_typed_in_any_spelling_is_no_card(cli, isolated: Path, typed: str) -> None:
    _check_clean(cli, isolated, "2026-11-20 11:52:05+00:00", typed)
