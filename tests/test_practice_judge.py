"""How well the judge reads a trainee's own words: precision and recall per quality on
a labelled set of replies written for this (tests/judged_replies.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from deescalate.practice.judge import BY_ID, QUALITIES, judge, qualities

LABELLED = Path(__file__).with_name("judged_replies.yaml")
# Written after the phrase tables were tuned on LABELLED; its first run found
# acknowledge R 0.90, apologise R 0.67, promise R 0.75 (all else 1.00), and those
# misses were then fixed, so it is no longer unseen: kept as a second check.
SECOND = Path(__file__).with_name("judged_replies_second.yaml")
FLOOR = 0.8


def labelled(path: Path = LABELLED) -> list[tuple[str, set[str]]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(text, set(labels)) for text, labels in items]


def measure(items: list[tuple[str, set[str]]]) -> tuple[list[str], list[str]]:
    """A line of precision and recall per quality, and the qualities under the floor."""
    rows = []
    failing = []
    for quality in QUALITIES:
        tp = fp = fn = 0
        for text, labels in items:
            found = {item.quality.id for item in qualities(text)}
            has, wanted = quality.id in found, quality.id in labels
            tp += has and wanted
            fp += has and not wanted
            fn += wanted and not has
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        rows.append(f"{quality.id:<14} precision {precision:.2f}  recall {recall:.2f}  "
                    f"(labelled {tp + fn}, found {tp + fp})")
        if precision < FLOOR or recall < FLOOR:
            failing.append(quality.id)
    return rows, failing


def test_the_labelled_set_is_large_and_uses_known_qualities() -> None:
    items = labelled()
    assert len(items) >= 200
    assert len({text for text, _ in items}) == len(items), "a reply is labelled twice"
    for _, labels in items:
        assert labels <= set(BY_ID)
    for quality in QUALITIES:
        assert sum(quality.id in labels for _, labels in items) >= 10, quality.id


def test_precision_and_recall_per_quality() -> None:
    items = labelled()
    rows, failing = measure(items)
    print(f"\njudge on {len(items)} labelled replies:")
    print("\n".join(rows))
    assert not failing, "below 0.8: " + ", ".join(failing) + "\n" + "\n".join(rows)


def test_precision_and_recall_on_the_second_set() -> None:
    items = labelled(SECOND)
    assert len(items) >= 50
    assert not {text for text, _ in items} & {text for text, _ in labelled()}
    rows, failing = measure(items)
    print(f"\njudge on {len(items)} replies of the second set:")
    print("\n".join(rows))
    assert not failing, "below 0.8: " + ", ".join(failing) + "\n" + "\n".join(rows)


def test_a_judgement_names_the_words_that_triggered_it() -> None:
    verdict = judge("I get it, a stiff zip on an expensive jacket is really annoying.",
                    customer_is_right=False, listened=False)
    assert verdict.rating == "good"
    assert "\u2018I get it\u2019 acknowledged the feeling" in verdict.helped


def test_context_turns_an_apology_and_policy() -> None:
    wrong = judge("I'm sorry, that jacket should have lasted better.", customer_is_right=False,
                  listened=True)
    assert wrong.rating == "poor" and "fault that isn't ours" in wrong.reasons
    right = judge("I'm sorry, that jacket should have lasted better.", customer_is_right=True,
                  listened=True)
    assert right.rating == "good"
    early = judge("The returns window has passed.", customer_is_right=False, listened=False)
    later = judge("The returns window has passed.", customer_is_right=False, listened=True)
    assert (early.rating, later.rating) == ("poor", "fair")
