"""Fuzzing the readers issue 21 changed: whatever bytes a file holds, each reader gives
its answer or one clear message, never a traceback; the quick playbook lookup agrees
with the full search whenever it answers."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deescalate.call.saved import CallStore
from deescalate.config import Setting
from deescalate.errors import DeescalateError
from deescalate.playbooks import catalog as playbook_catalog
from deescalate.playbooks.catalog import Catalog

COUNTS = {"saved": 0, "probe": 0, "quick": 0}

ids = st.sampled_from(["id: simple\n", "id: other\n", "id: Simple\n", "id: simple # n\n",
                      "", "'id': simple\n", "id: &a simple\n", "id:\n", "id: s\u00e9\n",
                      "id: simple\nid: s\n", "# id: other\n", "id: 'simple'\n"])
aliases = st.sampled_from(["", "aliases: [s, x]\n", "aliases: [simple]\n", "aliases: [other]\n",
                          "aliases:\n  - s\n", "aliases: [s,x]\n", "aliases: []\n",
                          "aliases: [S]\n", "aliases: s\n", "<<: {}\n"])
rest = st.sampled_from(["title: Simple\nsteps:\n  - id: one\n    title: One\n",
                        "steps:\n  - id: one\n    title: One\ntitle: Simple\n",
                        "title: Simple\n", "{title: x}\n", "title: Simple\nsteps: [\n"])
files = st.tuples(ids, aliases, rest).map("".join)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files, st.sampled_from(["simple", "s", "x", "other"]))
def test_the_quick_lookup_agrees_with_the_full_search(tmp_path: Path, text: str,
                                                      name: str) -> None:
    """`start NAME` reads only the plain top lines of each playbook to pick one; when it
    picks, it is the one the full search finds."""
    folder = tmp_path / "pb"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / "simple.yaml").write_text(text, encoding="utf-8")
    (folder / "other.yaml").write_text(
        "id: other\ntitle: Other\nsteps:\n  - id: one\n    title: One\n", encoding="utf-8")
    COUNTS["probe"] += 1
    quick = Catalog([Setting(folder, "test")], builtins=False)._find_quickly(name)
    if quick is None:
        return
    COUNTS["quick"] += 1
    full = Catalog([Setting(folder, "test")], builtins=False)
    entries = full.effective()
    chosen = next((e.playbook for e in entries if e.id == name), None) or next(
        (e.playbook for e in entries if e.playbook and name in e.playbook.aliases), None)
    assert chosen is not None and quick.path == chosen.path, (text, name)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300),
                 st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.sampled_from([b"\xff\xfe", b"\xef\xbb\xbf{", b"\x00", b"{'a': 1}",
                                  b'{"a": 1', b"", b"  "])))
def test_a_saved_call_of_any_bytes_is_a_call_or_one_message(tmp_path: Path,
                                                            data: bytes) -> None:
    """What the reader itself answers for: bytes that are not JSON (what JSON holds is
    checked by the call model, the concern of damaged saved calls)."""
    import json

    try:
        json.loads(data.decode("utf-8", "surrogatepass"))
    except ValueError:
        pass  # not JSON: the reader's to refuse
    else:
        assume(False)  # JSON: the call model's to check
    store = CallStore(tmp_path / "calls")
    store.folder.mkdir(exist_ok=True)
    store.path("20261120-101010-abcd").write_bytes(data)
    COUNTS["saved"] += 1
    try:
        store.load("20261120-101010-abcd")
    except DeescalateError as exc:
        assert "\n" not in exc.message and exc.message


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_the_probe_and_line_finder_take_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.yaml"
    path.write_bytes(data)
    found = playbook_catalog._probe(path)
    assert found is None or isinstance(found[0], str)
    assert playbook_catalog._line_of(path, "id") >= 1


def test_fuzz_counts() -> None:
    """Printed for the record (run after the tests above in this file)."""
    print(f"fuzz: {COUNTS}")
