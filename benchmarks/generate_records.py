"""Write N realistic call records (format v1) into a records folder.

    python benchmarks/generate_records.py DIR N [--seed S] [--end 2026-11-30]

Each record is a call walked through one of the built-in playbooks by the real call
engine (with a made-up clock) and rendered by the real record writer, so the files
are exactly what agents' calls produce: mood ratings, notes (some with e-mail
addresses and phone numbers the writer redacts, some with quotes, colons, accents
and long lines), captures, skipped steps, branches, escalations, follow-ups, and
some follow-ups already marked done the way `deescalate followups done` does it.
The same seed and count always give the same files. Large counts are written by
one process per core.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

AGENTS = ["jdoe", "asmith", "mgarcia", "lchen", "pkumar", "okeefe", "tnguyen", "rossi",
          "bwhite", "ejones", "fmuller", "hkim", "idiaz", "kowalski", "nsato", "vpetrov",
          "yamamoto", "zoe.b", "x-ray", "dana"]
FIRST = ["Dana", "Sam", "Alex", "Priya", "Zoë", "José", "Mary-Kate", "O'Brien", "Li", "Noah",
         "Fatima", "Björn", "Chloé", "Yusuf", "Ana", "Kim", "Tom", "Ines", "Raj", "Eve"]
LAST = ["R.", "Smith", "García", "Nguyen", "Müller", "O'Neil", "Okafor", "Kowalski", "Lee",
        "Brown", "Dubois", "Khan", "Rossi", "Tanaka", "Silva", "Novak", "Wright", "Ali", "Park"]
NOTES = [
    "double charged on the last invoice",
    "says the parcel never arrived; tracking shows delivered",
    "wants a refund today, not a credit",
    "called twice before about this: no answer",
    "customer: 'I've been waiting three weeks!'",
    "prefers e-mail: {email}",
    "call back on {phone} after 5pm",
    "asked for a supervisor # twice",
    "very polite once we found the order",
    "- upset about the tone of the last agent",
    "quote from customer: \"this is the last time\"",
    "order AB123456 shows two payments of 49.99",
    "the device stops charging after 10 minutes; tried another cable",
    "mentioned cancelling the subscription & moving to a competitor",
    "Zoë from billing confirmed the mistake",
    "wants it in writing",
    "long story about the original purchase, the gift it was for, the trip it was meant for, "
    "and why the delay ruined the birthday plans they had made weeks in advance",
    "yes",
    "null",
    "50% off offered, declined",
]
SUMMARIES = [
    "Refund issued for the double charge.",
    "Explained the delivery policy; customer accepted the tracking evidence.",
    "Replacement sent; customer calmer by the end.",
    "Escalated to a supervisor after the second refusal.",
    "Customer hung up before we could agree on a fix.",
    "Agreed a partial refund and a follow-up call to confirm it went through on their "
    "statement, which they want checked before the end of the month.",
    "Corrected the misunderstanding about the warranty: it covers parts, not labour.",
    "Booked a repair; customer wants a call when the part arrives.",
    "Credit applied: 20% off next order.",
    "No: the order was never placed — walked them through it again.",
]
SKIP_REASONS = ["customer already calm", "not needed", "they gave it unprompted", None]
DONE_NOTES = ["Refund confirmed on statement.", "Called back; all sorted.", None,
              "Left a voicemail, closed per policy."]
OUTCOMES = ["resolved"] * 11 + ["follow-up"] * 5 + ["unresolved"] * 2 + ["dropped"]


def _playbooks() -> list[object]:
    from deescalate.playbooks.loader import load_file

    return [load_file(path) for path in sorted((REPO / "playbooks").glob("*.yaml"))]


def _customer(rng: random.Random) -> tuple[str | None, str | None]:
    # A few hundred callers, some of them calling often: repeat callers are the point.
    who = int(rng.paretovariate(1.2)) % 400
    name = f"{FIRST[who % len(FIRST)]} {LAST[(who * 7) % len(LAST)]}"
    customer = name if rng.random() < 0.9 else None
    reference = f"T-{1000 + who * 13 + rng.randrange(3)}" if rng.random() < 0.8 else None
    return customer, reference


def _note(rng: random.Random) -> str:
    text = rng.choice(NOTES)
    return text.format(email=f"c{rng.randrange(999)}@example.com",
                       phone=f"+44 20 7946 {rng.randrange(1000, 9999)}")


def _capture_value(rng: random.Random, capture: object, started: datetime) -> str | None:
    kind = capture.type  # type: ignore[attr-defined]
    if kind == "number":
        return f"{rng.randrange(5, 900)}.{rng.randrange(100):02d}"
    if kind == "choice":
        return rng.choice(capture.choices)  # type: ignore[attr-defined]
    if kind == "yes-no":
        return rng.choice(["yes", "no"])
    if kind == "date":
        return (started.date() - timedelta(days=rng.randrange(1, 60))).isoformat()
    if kind == "line":
        return f"AB{rng.randrange(100000, 999999)}"
    return _note(rng)


def make_call(playbook: object, rng: random.Random, started: datetime) -> object:
    """Walk one call through `playbook` as an agent might, with a made-up clock."""
    from deescalate.call.engine import CallEngine

    now = [started]

    def clock() -> datetime:
        return now[0]

    def wait(low: int, high: int) -> None:
        now[0] += timedelta(seconds=rng.randrange(low, high))

    customer, reference = _customer(rng)
    engine = CallEngine.start(playbook, "", call_id="generated",  # type: ignore[arg-type]
                              agent=rng.choice(AGENTS), customer=customer,
                              reference=reference, records="records", clock=clock)
    mood = rng.choice([2, 3, 3, 4, 4, 4, 5, 5])
    escalate_at = rng.randrange(2, 9) if rng.random() < 0.12 else None
    for turn in range(14):
        if engine.call.phase != "steps":
            break
        step = engine.step
        wait(5, 40)
        if rng.random() < 0.45:
            engine.rate_mood(mood)
            mood = max(1, min(5, mood + rng.choice([-2, -1, -1, -1, 0, 0, 1])))
        if rng.random() < 0.35:
            engine.note(_note(rng))
        for index in range(len(step.checklist)):
            if rng.random() < 0.7:
                engine.toggle(index)
        for capture in step.capture:
            if capture.required or rng.random() < 0.6:
                engine.set_capture(capture, _capture_value(rng, capture, started))
        wait(10, 90)
        if escalate_at == turn and not engine.call.escalated:
            engine.escalate()
            continue
        answer = rng.randrange(len(step.branch.options)) if step.branch else None
        if not step.capture and rng.random() < 0.08:
            engine.skip(rng.choice(SKIP_REASONS), answer)
        else:
            engine.advance(answer)
    if engine.call.phase == "steps":
        engine.end_call()
    engine.set_outcome("escalated" if engine.call.escalated else rng.choice(OUTCOMES))
    engine.set_summary(rng.choice(SUMMARIES))
    engine.set_root_cause(rng.choice([None, "billing-error", "billing-error", "shipping-delay",
                                      "product-defect", "policy", "misunderstanding", "other"]))
    if engine.call.outcome == "follow-up":
        engine.set_follow_up(f"+{rng.randrange(1, 15)}d", today=started.date())
    engine.finish()
    return engine.call


def _started(rng: random.Random, end: date, days: int) -> datetime:
    day = end - timedelta(days=rng.randrange(days))
    return datetime(day.year, day.month, day.day, rng.randrange(7, 20), rng.randrange(60),
                    rng.randrange(60), tzinfo=UTC)


def write_chunk(folder: str, seed: int, first: int, last: int, end: date,
                days: int) -> list[str]:
    """Write records number `first` to `last - 1`; returns their paths."""
    from deescalate.call.record import finished
    from deescalate.records.followups import mark_done_text
    from deescalate.records.format import path_in
    from deescalate.records.writer import record_id, render
    from deescalate.redaction import Redactor

    playbooks = _playbooks()
    redactor = Redactor()
    written = []
    for number in range(first, last):
        rng = random.Random(seed * 1_000_003 + number)
        playbook = playbooks[number % len(playbooks)]
        started = _started(rng, end, days)
        call = finished(make_call(playbook, rng, started))  # type: ignore[arg-type]
        identifier = record_id(call, f"{rng.getrandbits(16):04x}")
        text = render(call, playbook, redactor, identifier)  # type: ignore[arg-type]
        due = call.follow_up
        if due and date.fromisoformat(due) < end and rng.random() < 0.6:
            done = min(end, date.fromisoformat(due) + timedelta(days=rng.randrange(-2, 4)))
            text = mark_done_text(text, done=done, agent=rng.choice(AGENTS),
                                  note=rng.choice(DONE_NOTES), redactor=redactor)[0]
        path = path_in(Path(folder), identifier)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
        written.append(str(path))
    return written


def generate(folder: Path, count: int, *, seed: int = 0, end: date = date(2026, 11, 30),
             days: int = 365, workers: int | None = None) -> list[Path]:
    """Write `count` records under `folder`; returns their paths in generation order."""
    folder.mkdir(parents=True, exist_ok=True)
    workers = workers or (os.cpu_count() or 1)
    if count < 2000 or workers == 1:
        return [Path(p) for p in write_chunk(str(folder), seed, 0, count, end, days)]
    size = -(-count // (workers * 4))
    bounds = [(start, min(count, start + size)) for start in range(0, count, size)]
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(write_chunk, str(folder), seed, a, b, end, days)
                   for a, b in bounds]
        return [Path(p) for future in futures for p in future.result()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 30),
                        help="the date of the newest calls (default 2026-11-30)")
    parser.add_argument("--days", type=int, default=365, help="how many days the calls span")
    args = parser.parse_args()
    paths = generate(args.folder, args.count, seed=args.seed, end=args.end, days=args.days)
    print(f"wrote {len(paths):,} records under {args.folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
