"""Hostile and arbitrary input: refused quickly with the tool's own message, never a traceback."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deescalate.playbooks.loader import check_bytes

PATH = Path("hostile.yaml")


def check(data: bytes):
    return check_bytes(data, PATH, "hostile.yaml")


def refused_quickly(data: bytes) -> str:
    tracemalloc.start()
    started = time.perf_counter()
    book, problems = check(data)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert book is None
    assert problems and problems[0].is_error
    assert elapsed < 0.5, f"took {elapsed:.2f}s"
    assert peak < 64 * 1024 * 1024, f"peak memory {peak / 1e6:.0f} MB"
    return problems[0].message


def test_billion_laughs_is_refused() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        refs = ",".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    message = refused_quickly("\n".join(lines).encode())
    assert "aliases" in message


def test_deep_nesting_is_refused() -> None:
    message = refused_quickly(b"title: x\nsteps: " + b"[" * 200_000 + b"]" * 200_000)
    assert "nesting is deeper" in message


def test_deep_block_nesting_is_refused() -> None:
    text = "".join(" " * n + f"k{n}:\n" for n in range(0, 400))
    assert "nesting is deeper" in refused_quickly(text.encode())


def test_python_tags_are_refused() -> None:
    message = refused_quickly(b'title: !!python/object/apply:os.system ["echo hacked"]\n')
    assert "the tag !!python/object/apply:os.system is not allowed" in message


def test_custom_tags_are_refused() -> None:
    assert "not allowed" in refused_quickly(b"title: !secret x\nsteps: []\n")


def test_recursive_alias_is_refused() -> None:
    assert "refers to itself" in refused_quickly(b"a: &x [1, *x]\n")


def test_undefined_alias_is_refused() -> None:
    assert "names no anchor" in refused_quickly(b"a: *nothing\n")


def test_several_documents_are_refused() -> None:
    assert "one YAML document" in refused_quickly(b"title: a\n---\ntitle: b\n")


def test_bytes_that_are_not_utf8() -> None:
    problem = check(b"title: caf\xe9\nsteps: []\n")[1][0]
    assert problem.line == 1 and "UTF-8" in problem.message


def test_huge_file_is_refused_before_parsing(cli, tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"title: x\n" + b"# padding\n" * 200_000)
    started = time.perf_counter()
    result = cli("playbooks", "validate", path)
    assert time.perf_counter() - started < 1
    assert result.code == 1
    assert "the limit is 1,000,000" in result.out


PLAYBOOK_KEYS = ["id", "title", "summary", "version", "tags", "aliases", "start", "escalate",
                 "steps", "do", "say", "avoid", "checklist", "capture", "next", "branch",
                 "question", "options", "label", "goto", "type", "required", "choices",
                 "pattern", "end", "one", "two"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from([*PLAYBOOK_KEYS, "line", "choice"]))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.sampled_from(PLAYBOOK_KEYS), inner, max_size=6)),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    book, problems = check(data)
    assert book is not None or any(p.is_error for p in problems)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_arbitrary_yaml_never_raises(document: object) -> None:
    data = yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
    book, problems = check(data)
    assert book is not None or any(p.is_error for p in problems)
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(PLAYBOOK_KEYS), documents, max_size=8),
       st.lists(st.dictionaries(st.sampled_from(PLAYBOOK_KEYS), documents, max_size=8),
                max_size=4))
def test_playbook_shaped_yaml_never_raises(top: dict, steps: list) -> None:
    top = {"title": "T", **top, "steps": steps}
    data = yaml.safe_dump(top, allow_unicode=True).encode("utf-8")
    book, problems = check(data)
    assert book is not None or any(p.is_error for p in problems)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_commands_given_a_broken_file_exit_2_with_one_line(cli, tmp_path: Path,
                                                           data: bytes) -> None:
    path = tmp_path / "given.yaml"
    path.write_bytes(data)
    result = cli("playbooks", "show", path)
    if result.code == 0:
        return  # the bytes happened to make a valid playbook
    assert result.code == 2
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.err.startswith("deescalate: ")
