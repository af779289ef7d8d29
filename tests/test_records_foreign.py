"""Records other YAML writers wrote: read on a fast path of their own, to the very data
the safe parser makes, or left to the safe parser.

`fastreader.load` reads block and flow style, keys in any order, times quoted or
native with a space; whenever it returns data, it is exactly (types too) what
`safeyaml.load` makes of the same text. Held to that on records rewritten by PyYAML in
four styles, on thousands of random edits of them, and on values hypothesis makes.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deescalate import safeyaml
from deescalate.records import fastreader, reader
from deescalate.records.summary import Unreadable
from tests.recordkit import generator
from tests.test_records_reader import mutate


def _benchmarks() -> Any:
    """benchmarks/run.py, whose `foreign` rewrites records as other writers would."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
    spec = importlib.util.spec_from_file_location("deescalate_benchmarks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


foreign = _benchmarks().foreign

RUNS = {"cases": 0, "fast": 0, "failed": 0, "respelled": 0}


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (True is not 1, 1.0 is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


def summary_agrees(head: str) -> bool:
    """If the writer's layout with other times takes `head`, its summary is the safe
    reader's; whether it took it."""
    quick = fastreader.summary_of_other_times(head, "x.md")
    if quick is None:
        return False
    RUNS["respelled"] += 1
    try:
        safe = reader.summarize(safeyaml.load(head), "x.md")
    except (safeyaml.YamlError, Unreadable) as exc:
        RUNS["failed"] += 1
        raise AssertionError(f"read what the safe reader refuses ({exc}):\n{head}") from None
    if quick != safe:
        RUNS["failed"] += 1
        raise AssertionError(f"the summaries differ:\n{head}")
    return True


def respelled(text: str, number: int) -> str:
    """A record as the writer wrote it but for its times, spelled as other tools do."""
    head = text
    for key in ("started", "ended"):
        line = re.search(rf"^{key}: (\S+)$", head, re.MULTILINE)
        assert line is not None
        moment = line[1]
        spelled = [f"'{moment}'", f'"{moment}"', moment.replace("T", " ").replace("Z", "+00:00"),
                   moment.replace("Z", "+00:00"), moment.replace("T", " ")][number % 5]
        head = head.replace(f"{key}: {moment}\n", f"{key}: {spelled}\n", 1)
    return re.sub(r"^(follow_up(?:_done)?): ([0-9-]{10})$", r"\1: '\2'", head,
                  flags=re.MULTILINE)


def test_the_writers_layout_with_other_times_takes_the_fast_path(isolated: Path) -> None:
    """The tool's own layout, times spelled as other tools spell them: read by the fast
    reader once respelled, to the summary the safe reader makes of the text as it is."""
    paths = generator().generate(isolated / "records", 40, seed=7, workers=1)
    heads = [respelled(reader.split(path.read_text(encoding="utf-8"))[0], n)
             for n, path in enumerate(paths)]
    assert sum(summary_agrees(head) for head in heads) >= 30
    rng = random.Random(17)
    for round_ in range(3000):
        head = heads[round_ % len(heads)]
        for _ in range(rng.randrange(1, 3)):
            head = mutate(head, rng)
        if not head.endswith("\n"):
            head += "\n"
        summary_agrees(head)
    print(f"respelled times: {RUNS['respelled']} read fast, {RUNS['failed']} failed")


def agrees(head: str) -> bool:
    """If the fast path reads `head`, it reads what the safe parser does; whether it did."""
    RUNS["cases"] += 1
    quick = fastreader.load(head)
    if quick is None:
        return False
    RUNS["fast"] += 1
    try:
        safe = safeyaml.load(head)
    except safeyaml.YamlError as exc:
        RUNS["failed"] += 1
        raise AssertionError(f"the fast path read what the safe one refuses ({exc}):\n"
                             f"{head}") from None
    if not same(quick, safe):
        RUNS["failed"] += 1
        raise AssertionError(f"the two readers differ:\n{head}\n{quick}\n{safe}")
    return True


def foreign_heads(folder: Path, count: int, seed: int) -> list[str]:
    paths = generator().generate(folder, count, seed=seed, workers=1)
    return [reader.split(foreign(path.read_text(encoding="utf-8"), number % 4))[0]
            for number, path in enumerate(paths)]


def test_records_other_writers_wrote_take_the_fast_path(isolated: Path) -> None:
    heads = foreign_heads(isolated / "records", 40, seed=5)
    assert all(agrees(head) for head in heads)
    for head in heads:  # and the summary is the safe path's
        assert reader.summarize(fastreader.load(head) or {}, "x.md") == reader.summarize(
            safeyaml.load(head), "x.md")


def test_mutated_foreign_records_agree_or_go_the_safe_way(isolated: Path) -> None:
    heads = foreign_heads(isolated / "records", 24, seed=9)
    rng = random.Random(21)
    quick = 0
    for round_ in range(6000):
        head = heads[round_ % len(heads)]
        for _ in range(rng.randrange(1, 3)):
            head = mutate(head, rng)
        if not head.endswith("\n"):
            head += "\n"
        quick += agrees(head)
    print(f"mutated foreign records: {RUNS['cases']} cases, {RUNS['fast']} read on the "
          f"fast path, {RUNS['failed']} failed")
    assert quick > 1000


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.dates(), st.datetimes(),
    st.sampled_from(["yes", "no", "~", "null", "0x1f", "1e3", "2026-02-30", "a: b", "#x",
                     "'q'", "- z", "[x]", "{y}", "2026-11-22 14:30:12+00:00", "1_000",
                     "0o17", ".inf", "=", "<<"]))
keys = st.from_regex(r"[a-z_][a-z0-9_-]{0,12}", fullmatch=True)
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, documents, min_size=1, max_size=6),
       st.sampled_from([False, None]), st.booleans(), st.integers(20, 120))
def test_any_data_dumped_any_way_agrees(data: dict[str, Any], flow: bool | None,
                                        ordered: bool, width: int) -> None:
    head = yaml.safe_dump(data, default_flow_style=flow, sort_keys=ordered, width=width,
                          allow_unicode=True)
    agrees(head)


def test_dates_and_times_are_read_as_the_safe_parser_reads_them() -> None:
    head = ("started: 2026-11-22 14:30:12+00:00\nended: '2026-11-22T14:36:40Z'\n"
            "follow_up: 2026-11-25\nat: 2026-11-22t14:30:12.5-05:30\n")
    data = fastreader.load(head)
    assert data is not None and agrees(head)
    assert isinstance(data["started"], datetime) and data["ended"] == "2026-11-22T14:36:40Z"
    assert data["follow_up"] == date(2026, 11, 25)



def test_quoted_times_mean_what_yaml_reads_them_as_unquoted() -> None:
    """A quoted time or date (as other tools write them) means what YAML's timestamp
    constructor makes of the same text; the usual spellings take a shortcut that must
    agree, down to the dates that do not exist and the ISO forms YAML does not know."""
    texts = ["2026-03-17T07:42:23Z", "2026-03-17", "2026-02-30", "2026-02-29T10:00:00Z",
             "2028-02-29", "2026-3-17", "20260317", "2026-W12-3", "2026-03-17T074223.5Z",
             "2026-03-17T07:42:23z", "2026-03-17t07:42:23Z", "2026-03-17T24:00:00Z",
             "2026-03-17T07:42:60Z", "2026-13-01", "0000-01-01", " 2026-03-17 ",
             "2026-03-17 07:42:23+00:00", "2026-03-17T07:42:23.5+01:00",
             "\uff12\uff10\uff12\uff16-03-17"]
    for text in texts:
        stripped = text.strip()
        expected = (safeyaml.timestamp(stripped)
                    if safeyaml.timestamp_pattern().fullmatch(stripped) else stripped)
        assert same(reader._yaml_timestamp(text), expected), text
