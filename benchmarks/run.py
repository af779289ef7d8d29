"""Benchmarks for the speed budgets (README, "Development").

    python benchmarks/run.py               # all of them
    python benchmarks/run.py help validate # some of them
    python benchmarks/run.py steps         # one playbook of 10,000 steps validated
    python benchmarks/run.py records       # records stats/list at 10,000 and 100,000
    python benchmarks/run.py foreign       # 10,000 records other YAML writers wrote
    python benchmarks/run.py scale         # the index at 100,000 and 300,000: stats,
                                           # check, Parquet export, growth
    python benchmarks/run.py report        # records report at 100,000: time, file size

Start-up budgets are ratios to the bare import of the dependencies in the same run,
so they hold on a noisy machine: each command and its baseline run alternately and
the medians are compared. Exits 1 if a budget is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
DEESCALATE = str(Path(PYTHON).parent / "deescalate")


def wall(argv: list[str], **kwargs: object) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started


def compare(measure: Callable[[], float], baseline: Callable[[], float],
            runs: int = 21) -> tuple[float, float]:
    """Median seconds of `measure` and of `baseline`, run alternately after a warm-up."""
    measure(), baseline()
    ours, base = [], []
    for _ in range(runs):
        ours.append(measure())
        base.append(baseline())
    return statistics.median(ours), statistics.median(base)


class Report:
    def __init__(self) -> None:
        self.failed = False

    def ratio(self, what: str, ours: float, base: float, budget: float, baseline: str) -> None:
        ratio = ours / base
        ok = ratio <= budget
        self.failed |= not ok
        print(f"{'ok  ' if ok else 'OVER'} {what}: {ours * 1000:.0f} ms vs {baseline} "
              f"{base * 1000:.0f} ms = {ratio:.2f}x (budget {budget}x)")

    def seconds(self, what: str, took: float, budget: float, extra: str = "") -> None:
        ok = took < budget
        self.failed |= not ok
        shown = f"{took * 1000:.1f} ms" if budget < 1 else f"{took:.2f} s"
        limit = f"{budget * 1000:.0f} ms" if budget < 1 else f"{budget} s"
        print(f"{'ok  ' if ok else 'OVER'} {what}: {shown} (budget {limit}){extra}")

    def megabytes(self, what: str, used: float, budget: float) -> None:
        ok = used < budget
        self.failed |= not ok
        print(f"{'ok  ' if ok else 'OVER'} {what}: {used:.0f} MB (budget {budget:.0f} MB)")

    def size(self, what: str, size: int, budget: int) -> None:
        ok = size < budget
        self.failed |= not ok
        print(f"{'ok  ' if ok else 'OVER'} {what}: {size / 1024:,.0f} KB "
              f"(budget {budget / 2**20:.0f} MB)")


def environment() -> dict[str, str]:
    """Run the tool in throwaway home folders, as a new user would.

    Python may keep compiled bytecode, as it does for an installed package (pip
    compiles it at install time): with PYTHONDONTWRITEBYTECODE set, as some shells and
    CI images have it, an editable install would compile the tool's source on every
    run while its dependencies' bytecode is ready, and every ratio would be off.
    """
    home = Path(tempfile.mkdtemp(prefix="deescalate-bench-home-"))
    env = {key: value for key, value in os.environ.items()
           if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
            "DEESCALATE_AGENT": "bench", "NO_COLOR": "1"}


def bench_help(report: Report) -> None:
    env = environment()
    ours, base = compare(lambda: wall([DEESCALATE, "--help"], env=env),
                         lambda: wall([PYTHON, "-c", "import typer"], env=env))
    report.ratio("deescalate --help", ours, base, 1.3, "import typer")


def make_playbooks(folder: Path, count: int) -> None:
    """`count` valid playbooks: the built-ins under new ids and titles, without aliases."""
    import yaml

    sources = [yaml.safe_load(p.read_text(encoding="utf-8"))
               for p in sorted((REPO / "playbooks").glob("*.yaml"))]
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        book = {**sources[n % len(sources)], "id": f"generated-{n:04d}", "aliases": []}
        book["title"] = f"{book['title']} ({n})"
        text = yaml.safe_dump(book, sort_keys=False, allow_unicode=True)
        (folder / f"generated-{n:04d}.yaml").write_text(text, encoding="utf-8")


def bench_validate(report: Report) -> None:
    env = environment()
    folder = Path(tempfile.mkdtemp(prefix="deescalate-bench-")) / "playbooks"
    make_playbooks(folder, 500)
    done = subprocess.run([DEESCALATE, "playbooks", "validate", str(folder)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or done.stdout:
        sys.exit(f"the generated playbooks are not clean:\n{done.stdout}{done.stderr}")
    took = min(wall([DEESCALATE, "playbooks", "validate", str(folder)], env=env)
               for _ in range(5))
    report.seconds("playbooks validate, 500 playbooks", took, 2.0)
    shutil.rmtree(folder.parent, ignore_errors=True)


def long_playbook(steps: int, branch_every: int = 0) -> bytes:
    """One valid playbook of `steps` steps: a chain, with a branch every `branch_every`
    steps that may jump back (so the graph has loops with exits), the last step ending."""
    lines = ["id: long", "title: Long", "summary: Many steps.", "version: 1",
             "escalate: s0", "steps:"]
    for n in range(steps):
        lines += [f"  - id: s{n}", f"    title: Step {n}"]
        if branch_every and n % branch_every == branch_every - 1 and n + 1 < steps:
            lines += ["    branch:", "      question: Again?", "      options:",
                      f"        - {{label: Back, goto: s{n - 5}}}",
                      f"        - {{label: On, goto: s{n + 1}}}"]
    return ("\n".join(lines) + "\n").encode()


def bench_steps(report: Report) -> None:
    """Validating long playbooks: the graph checks grow with the steps, not their square.

    `playbooks validate` of the longest playbook the YAML caps let in (9,900 steps of an
    id and a title each, 50,000 values), and the checks of 10,000 steps with branches
    that loop back, run in this process with the value cap lifted for the measure."""
    import functools

    sys.path.insert(0, str(REPO / "src"))
    from deescalate import safeyaml
    from deescalate.playbooks import loader

    env = environment()
    folder = Path(tempfile.mkdtemp(prefix="deescalate-bench-"))
    path = folder / "long.yaml"
    path.write_bytes(long_playbook(9_900))
    done = subprocess.run([DEESCALATE, "playbooks", "validate", str(path)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or done.stdout:
        sys.exit(f"the long playbook is not clean:\n{done.stdout}{done.stderr}")
    took = min(wall([DEESCALATE, "playbooks", "validate", str(path)], env=env)
               for _ in range(3))
    report.seconds("playbooks validate, one playbook of 9,900 steps", took, 1.0,
                   f" ({path.stat().st_size // 1000} kB)")
    data = long_playbook(10_000, branch_every=10)
    compose = safeyaml.compose
    safeyaml.compose = functools.partial(compose, max_nodes=10**6)  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        book, problems = loader.check_bytes(data, path, "long.yaml")
        took = time.perf_counter() - started
    finally:
        safeyaml.compose = compose  # type: ignore[assignment]
    if book is None or problems:
        sys.exit(f"the 10,000 steps are not clean: {problems[:1]}")
    report.seconds("checks of one playbook of 10,000 steps, 1,000 branches", took, 1.0)
    shutil.rmtree(folder, ignore_errors=True)


def pty_seconds(argv: list[str], env: dict[str, str], until: str | None) -> float:
    """Seconds from launching `argv` in a pseudo-terminal until `until` shows (None: exit)."""
    import pexpect

    started = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(60, 120), encoding="utf-8",
                          timeout=30)
    child.expect(until if until else pexpect.EOF)
    took = time.perf_counter() - started
    child.terminate(force=True)
    child.close()
    return took


def bench_start(report: Report) -> None:
    env = environment()
    state = Path(env["XDG_STATE_HOME"])
    ours, base = compare(
        lambda: pty_seconds([DEESCALATE, "start", "upset-customer"], env, "Steady yourself"),
        lambda: pty_seconds([PYTHON, "-c", "import typer, rich.console, yaml, questionary"],
                            env, None))
    report.ratio("start until the first step is on screen", ours, base, 1.0,
                 "import typer, rich.console, yaml, questionary")
    shutil.rmtree(state, ignore_errors=True)


def key_seconds(child: object, key: str, shows: str, presses: int = 40) -> list[float]:
    """Seconds from each press of `key` until `shows` next comes out of the terminal."""
    times = []
    for _ in range(presses):
        started = time.perf_counter()
        child.send(key)  # type: ignore[attr-defined]
        child.expect_exact(shows)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
    return times


def bench_keys(report: Report) -> None:
    """A key press to the redrawn step, against the same round trip through `cat`."""
    import pexpect

    env = environment()
    floor_child = pexpect.spawn("cat", env=env, dimensions=(24, 80), timeout=10)
    floor_child.delaybeforesend = None
    floor = statistics.median(key_seconds(floor_child, "x", "x", 60))
    floor_child.terminate(force=True)
    for lines, columns in ((24, 80), (60, 200)):
        child = pexpect.spawn(DEESCALATE, ["start", "upset-customer"], env=env,
                              dimensions=(lines, columns), encoding="utf-8", timeout=10)
        child.delaybeforesend = None  # pexpect waits 50 ms before each send by default
        child.expect_exact("keys")  # the key line, drawn last
        times = []
        for _ in range(20):  # tick and untick the first item: a redraw each time
            times += key_seconds(child, "1", "☑", 1) + key_seconds(child, "1", "☐", 1)
        child.terminate(force=True)
        took = statistics.median(times)
        report.seconds(f"a key press to the redrawn step at {columns}x{lines}", took, 0.05,
                       f" ({took / floor:.1f}x a key echoed by cat, {floor * 1000:.1f} ms;"
                       f" slowest {max(times) * 1000:.0f} ms)")
    shutil.rmtree(Path(env["XDG_STATE_HOME"]), ignore_errors=True)


def bench_record(report: Report) -> None:
    sys.path.insert(0, str(REPO))
    from deescalate.call.engine import run_call
    from deescalate.call.model import Note
    from deescalate.call.record import finished
    from deescalate.records.writer import write_record
    from deescalate.redaction import Redactor
    from tests.engine_script import builtin, new_call, route_through, walk

    book = builtin("upset-customer")
    engine = new_call(book)
    run_call(engine, walk(book, route_through(book, "check-fault", 0)), lambda c: None, [])
    engine.call.marks_for(engine.call.playbook, book.start).notes.append(
        Note(3, "A note with a card 4111 1111 1111 1111 and dana@example.com in it"))
    folder = Path(tempfile.mkdtemp(prefix="deescalate-bench-records-"))
    times = []
    for _ in range(50):
        started = time.perf_counter()
        write_record(folder, finished(engine.call), book, Redactor())
        times.append(time.perf_counter() - started)
    took = statistics.median(times)
    report.seconds("one record written (median of 50, with fsync)", took, 0.05,
                   f"; slowest {max(times) * 1000:.1f} ms")
    shutil.rmtree(folder, ignore_errors=True)


def tree_memory(pid: int) -> int:
    """Bytes of memory a process and its children use now: proportional set size, so
    pages the forked workers share with it are counted once."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def run_measured(argv: list[str], *, env: dict[str, str], cwd: Path,
                 sample: bool = False, ok: tuple[int, ...] = (0,)
                 ) -> tuple[float, float, float]:
    """Seconds, the largest process's peak resident MB (getrusage), and with `sample`,
    the sampled peak MB of the whole process tree (0 without)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env, cwd=cwd)
    peak = 0
    while True:
        done, status, usage = os.wait4(process.pid, os.WNOHANG if sample else 0)
        if done:
            break
        peak = max(peak, tree_memory(process.pid))
        time.sleep(0.01)
    took = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in ok:
        sys.exit(f"{' '.join(argv)} failed ({process.returncode}):\n{errors}")
    return took, usage.ru_maxrss / 1024, peak / 2**20


def records_folder(count: int) -> Path:
    """A folder of `count` generated records, kept between runs (it takes a while)."""
    sys.path.insert(0, str(HERE))
    from generate_records import generate

    folder = Path(tempfile.gettempdir()) / f"deescalate-bench-records-{count}"
    marker = folder / ".generated"
    if marker.exists() and marker.read_text() == str(count):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"     generating {count:,} records in {folder} ...", flush=True)
    started = time.perf_counter()
    generate(folder, count, seed=0)
    marker.write_text(str(count))
    print(f"     ({time.perf_counter() - started:.0f} s)", flush=True)
    return folder


def foreign(text: str, style: int) -> str:
    """A record as another team's YAML writer might have written it: its front matter
    loaded and dumped again by PyYAML, in one of four styles: block style with the keys
    sorted and times native with a space (2026-11-22 14:30:12+00:00); flow style in the
    tool's key order with times quoted ('2026-11-22T14:30:12Z'); block style, times
    quoted; flow style, keys in reverse order, times native."""
    import yaml

    head, _, body = text[4:].partition("\n---\n")
    data = yaml.safe_load(head)
    quoted = style in (1, 2)
    for key in ("started", "ended", "follow_up", "follow_up_done"):
        value = data.get(key)
        if value is not None and quoted:
            data[key] = (value.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(value, "hour")
                         else value.isoformat())
        elif hasattr(value, "hour") and value.tzinfo is None:
            from datetime import UTC

            data[key] = value.replace(tzinfo=UTC)  # written 2026-11-22 14:30:12+00:00
    if style == 3:
        data = dict(reversed(list(data.items())))
    dumped = yaml.safe_dump(data, sort_keys=style == 0, allow_unicode=True, width=80,
                            default_flow_style=None if style in (1, 3) else False)
    return f"---\n{dumped}---\n{body}"


def other_times(text: str, quoted: bool) -> str:
    """A record as the tool wrote it but for its times: quoted ('2026-11-22T14:30:12Z',
    '2026-11-25') or native with a space (2026-11-22 14:30:12+00:00)."""
    import re

    def moment(match: re.Match[str]) -> str:
        value = match[2]
        return f"{match[1]}: " + (f"'{value}'" if quoted else
                                  value.replace("T", " ").replace("Z", "+00:00"))

    text = re.sub(r"^(started|ended): (\S+)$", moment, text, count=2, flags=re.MULTILINE)
    return re.sub(r"^(follow_up(?:_done)?): ([0-9-]{10})$",
                  r"\1: '\2'" if quoted else r"\1: \2", text, flags=re.MULTILINE)


def foreign_folder(count: int, kind: str = "styles") -> Path:
    """`count` generated records as others wrote them, kept between runs: `styles`,
    rewritten by another YAML writer (see `foreign`); `times`, the tool's layout with
    the times spelled as other writers spell them (see `other_times`). Half of them
    with times quoted, half native with a space."""
    source = records_folder(count)
    folder = Path(tempfile.gettempdir()) / f"deescalate-bench-foreign-{kind}-{count}"
    marker = folder / ".generated"
    if marker.exists() and marker.read_text() == str(count):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for number, path in enumerate(sorted(source.glob("*/*/*.md"))):
        target = folder / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        text = (foreign(text, number % 4) if kind == "styles"
                else other_times(text, number % 2 == 0))
        target.write_text(text, encoding="utf-8")
    marker.write_text(str(count))
    return folder


def bench_records(report: Report) -> None:
    env = environment()
    cwd = Path(tempfile.mkdtemp(prefix="deescalate-bench-cwd-"))
    # At 100,000 records section 8 budgets the first run as a ratio to a bare read and
    # the nothing-changed run as a ratio to a bare walk: `scale` checks those.
    budgets = {10_000: (1.5, 0.3, None), 100_000: (None, None, 300.0)}
    for count, (cold_budget, warm_budget, memory_budget) in budgets.items():
        folder = records_folder(count)
        # A record changed in the last two seconds is never cached (see store.py): a
        # folder that has just been written would not give a warm run at all.
        files = list(folder.glob("*/*/*.md"))
        newest = max(p.stat().st_mtime for p in files)
        time.sleep(max(0.0, newest + 2.1 - time.time()))
        # "First run" means no cache of ours, not a cold disk: after a clone or a pull
        # the files are in the OS's page cache, so put them there, as git would have.
        for path in files:
            path.read_bytes()
        cache = folder / ".cache"
        for command in ("stats", "list"):
            argv = [DEESCALATE, "records", command, "--records", str(folder)]
            shutil.rmtree(cache, ignore_errors=True)
            cold, largest, _ = run_measured(argv, env=env, cwd=cwd)
            shutil.rmtree(cache, ignore_errors=True)
            _, _, tree = run_measured(argv, env=env, cwd=cwd, sample=True)
            warm_runs = [run_measured(argv, env=env, cwd=cwd) for _ in range(5)]
            warm = statistics.median(run[0] for run in warm_runs)
            warm_largest = max(run[1] for run in warm_runs)
            what = f"records {command}, {count:,} records"
            memory = (f"; peak memory {tree:.0f} MB for all processes, {largest:.0f} MB "
                      "the largest one")
            if command == "stats":
                if cold_budget is None:
                    print(f"     {what}, first run: {cold:.2f} s{memory}")
                else:
                    report.seconds(f"{what}, first run", cold, cold_budget, memory)
                if memory_budget is not None:
                    report.megabytes(f"{what}, first run, peak memory", tree, memory_budget)
                if warm_budget is not None:
                    report.seconds(f"{what}, nothing changed", warm, warm_budget,
                                   f" (median of 5; {warm_largest:.0f} MB)")
                else:
                    print(f"     {what}, nothing changed: {warm:.2f} s (median of 5; "
                          f"{warm_largest:.0f} MB)")
            else:
                print(f"     {what}, first run: {cold:.2f} s{memory}")
                print(f"     {what}, nothing changed: {warm:.2f} s (median of 5; "
                      f"{warm_largest:.0f} MB)")
    shutil.rmtree(cwd, ignore_errors=True)


def bench_foreign(report: Report) -> None:
    """The first `records stats` over 10,000 records other YAML writers wrote (see
    `foreign`), against the same records as the tool writes them."""
    env = environment()
    cwd = Path(tempfile.mkdtemp(prefix="deescalate-bench-cwd-"))
    folders = {"own": records_folder(10_000), "times": foreign_folder(10_000, "times"),
               "styles": foreign_folder(10_000, "styles")}
    for folder in folders.values():
        files = list(folder.glob("*/*/*.md"))
        newest = max(p.stat().st_mtime for p in files)
        time.sleep(max(0.0, newest + 2.1 - time.time()))
        for path in files:  # in the page cache, as after a clone or a pull
            path.read_bytes()
    took = {}
    for name, folder in folders.items():
        argv = [DEESCALATE, "records", "stats", "--records", str(folder)]
        runs = []
        for _ in range(3):
            shutil.rmtree(folder / ".cache", ignore_errors=True)
            runs.append(run_measured(argv, env=env, cwd=cwd)[0])
        took[name] = statistics.median(runs)
    own = f"; the tool's own: {took['own']:.2f} s"
    report.seconds("records stats, 10,000 records with times as other writers spell them "
                   "(half quoted, half native with a space), first run", took["times"], 1.5,
                   f" (median of 3{own})")
    report.seconds("records stats, 10,000 records rewritten by another YAML writer (keys "
                   "sorted or reversed, block or flow style), first run", took["styles"],
                   1.5, f" (median of 3{own})")
    shutil.rmtree(cwd, ignore_errors=True)


BARE_WALK = ("import os, sys\nfor d, _, fs in os.walk(sys.argv[1]):\n"
             "    for f in fs: os.stat(os.path.join(d, f))")
BARE_READ = ("import os, sys\nfor d, _, fs in os.walk(sys.argv[1]):\n"
             "    for f in fs:\n        with open(os.path.join(d, f), 'rb') as h: h.read()")


def tripled(folder: Path) -> Path:
    """300,000 records: three copies of the 100,000 side by side, kept between runs (the
    commands count every record below the folder, wherever it is)."""
    big = folder.with_name(folder.name + "-x3")
    marker = big / ".generated"
    if not (marker.exists() and marker.read_text() == "3x"):
        shutil.rmtree(big, ignore_errors=True)
        print(f"     copying {folder} three times into {big} ...", flush=True)
        for copy in ("a", "b", "c"):
            shutil.copytree(folder, big / copy, ignore=shutil.ignore_patterns(".*"))
        marker.write_text("3x")
    return big


def settle(folder: Path) -> None:
    """Wait until no record is too fresh for the index to trust, and put the files in
    the page cache, as a clone or a pull leaves them."""
    newest = 0.0
    for path in folder.rglob("*.md"):
        newest = max(newest, path.stat().st_mtime)
        path.read_bytes()
    time.sleep(max(0.0, newest + 2.1 - time.time()))


def bench_scale(report: Report) -> None:
    """Section 8's budgets for the records index, as ratios to floors of the same run."""
    env = environment()
    cwd = Path(tempfile.mkdtemp(prefix="deescalate-bench-cwd-"))
    folder = records_folder(100_000)
    settle(folder)
    stats = [DEESCALATE, "records", "stats", "--records", str(folder)]
    check = [DEESCALATE, "records", "check", "--records", str(folder)]
    cache = folder / ".cache"

    def command(argv: list[str]) -> float:
        took, _, _ = run_measured(argv, env=env, cwd=cwd, ok=(0, 1))
        return took

    # First run: no index, against a bare read of every file; memory sampled apart.
    colds, reads = [], []
    for _ in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(command(stats))
        reads.append(wall([PYTHON, "-c", BARE_READ, str(folder)]))
    cold, read = statistics.median(colds), statistics.median(reads)
    # 4x on 2 cores (PRODUCT.md section 8): the work spreads over cores, the floor does not.
    report.ratio("records stats, 100,000 records, first run", cold, read, 4.0,
                 "a bare read of every file")
    shutil.rmtree(cache, ignore_errors=True)
    _, _, tree = run_measured(stats, env=env, cwd=cwd, sample=True)
    report.megabytes("records stats, 100,000 records, first run, peak memory", tree, 300)
    # Nothing changed: against a bare walk that stats every file.
    warm, walk = compare(lambda: command(stats),
                         lambda: wall([PYTHON, "-c", BARE_WALK, str(folder)]), runs=7)
    report.ratio("records stats, 100,000 records, nothing changed", warm, walk, 1.6,
                 "a bare stat walk")
    command(check)
    checked, warm_again = compare(lambda: command(check), lambda: command(stats), runs=5)
    report.ratio("records check, 100,000 records, nothing changed", checked, warm_again, 2.0,
                 "records stats nothing changed")
    out = Path(tempfile.mkdtemp(prefix="deescalate-bench-parquet-"))
    took = command([DEESCALATE, "records", "export", "--format", "parquet", "--output",
                    str(out / "calls"), "--records", str(folder)])
    report.seconds("records export --format parquet, 100,000 records", took, 10.0)
    shutil.rmtree(out, ignore_errors=True)
    # Growth: 300,000 records against 100,000, first run and nothing changed.
    big = tripled(folder)
    settle(big)
    big_stats = [DEESCALATE, "records", "stats", "--records", str(big)]
    shutil.rmtree(big / ".cache", ignore_errors=True)
    big_cold = command(big_stats)
    shutil.rmtree(cache, ignore_errors=True)
    small_cold = command(stats)
    report.ratio("growth, records stats first run, 300,000 vs 100,000 records", big_cold,
                 small_cold, 3.3, "100,000")
    big_warm, small_warm = compare(lambda: command(big_stats), lambda: command(stats), runs=5)
    report.ratio("growth, records stats nothing changed, 300,000 vs 100,000 records",
                 big_warm, small_warm, 3.3, "100,000")
    shutil.rmtree(cwd, ignore_errors=True)


def bench_report(report: Report) -> None:
    """`records report` over 100,000 records (PRODUCT.md section 8, docs/report.md,
    "Budget"): under 10 s and 2 MB. A first run, with no index, reads every file once,
    its step visits with the rest: measured in seconds, and against `records stats`
    from no index, which reads every file once without them (the floor on this
    machine at this moment)."""
    env = environment()
    cwd = Path(tempfile.mkdtemp(prefix="deescalate-bench-cwd-"))
    folder = records_folder(100_000)
    settle(folder)
    cache = folder / ".cache"
    out = cwd / "report.html"
    made = [DEESCALATE, "records", "report", "--records", str(folder), "--output", str(out)]
    stats = [DEESCALATE, "records", "stats", "--records", str(folder)]

    def command(argv: list[str]) -> float:
        took, _, _ = run_measured(argv, env=env, cwd=cwd)
        return took

    colds, floors = [], []
    for _ in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(command(made))
        shutil.rmtree(cache, ignore_errors=True)
        floors.append(command(stats))
    cold = statistics.median(colds)
    report.seconds("records report, 100,000 records, first run (no index)", cold, 10.0)
    report.ratio("records report, 100,000 records, first run", cold,
                 statistics.median(floors), 2.5, "records stats, first run")
    warm = statistics.median(command(made) for _ in range(3))
    report.seconds("records report, 100,000 records, index up to date", warm, 10.0)
    report.size("records report, 100,000 records, the file", out.stat().st_size, 2 * 2**20)
    shutil.rmtree(cwd, ignore_errors=True)


BENCHMARKS: dict[str, Callable[[Report], None]] = {
    "help": bench_help,
    "start": bench_start,
    "keys": bench_keys,
    "record": bench_record,
    "validate": bench_validate,
    "steps": bench_steps,
    "records": bench_records,
    "foreign": bench_foreign,
    "scale": bench_scale,
    "report": bench_report,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME",
                        help=f"which to run: {', '.join(BENCHMARKS)} (default: all)")
    args = parser.parse_args()
    if not Path(DEESCALATE).exists():
        sys.exit(f"{DEESCALATE} is missing: install the package into this Python first")
    report = Report()
    for name in args.names or BENCHMARKS:
        BENCHMARKS[name](report)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
