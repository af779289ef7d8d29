"""Configuration: flags, environment, the team's `.deescalate.yaml`, the user's file, defaults.

Precedence, highest first: command-line flag, environment (`DEESCALATE_AGENT`,
`DEESCALATE_RECORDS`, `DEESCALATE_PLAYBOOKS`), the team file (found by walking up
from the current folder), the user's `deescalate/config.yaml` in their config folder,
then defaults. Every value remembers where it came from, for `deescalate config`.

The user's own folders (config, data, state) are where each system keeps them, as
platformdirs says: on Linux the XDG folders (`~/.config/deescalate` and so on), on
macOS `~/Library/Application Support/deescalate`, on Windows `%LOCALAPPDATA%\\deescalate`.
Earlier versions used the XDG folders on every system; one of those that exists where
the new one does not is still used, and its source says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from deescalate.errors import BadFile, BadInput, CantWrite, DeescalateError
from deescalate.schemacheck import ID_PATTERN, check_node

if TYPE_CHECKING:
    from deescalate.redaction import Redactor

T = TypeVar("T")

TEAM_FILE = ".deescalate.yaml"
DATE_ORDERS = ("day-first", "month-first")
ROOT_CAUSES = ["billing-error", "shipping-delay", "product-defect", "policy",
               "misunderstanding", "other"]
CONFIG_LIMIT = 200_000

_redact_pattern = {
    "oneOf": [
        {"type": "string", "format": "regex"},
        {"type": "object", "additionalProperties": False, "required": ["name", "pattern"],
         "properties": {"name": {"type": "string", "pattern": ID_PATTERN},
                        "pattern": {"type": "string", "format": "regex"}}},
    ],
}


class _RedactKeys(Mapping[str, Any]):
    """The keys under `redact:`: a switch for each kind of redaction a team may turn off
    (as `redaction.KINDS` declares them), then `patterns`. Redaction is imported only
    when a team file has a `redact:` to check: every command would pay for its patterns."""

    def _keys(self) -> dict[str, Any]:
        from deescalate.redaction import settings

        return {**{name: {"type": "boolean"} for name in settings()},
                "patterns": {"type": "array", "items": _redact_pattern}}

    def __getitem__(self, key: str) -> Any:
        return self._keys()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


_SHARED: dict[str, Any] = {
    "records": {"type": "string", "minLength": 1,
                "description": "The records folder, relative to this file."},
    "playbooks": {"type": "array", "items": {"type": "string", "minLength": 1},
                  "description": "Playbook folders, relative to this file, searched in order."},
    "date_order": {"enum": list(DATE_ORDERS),
                   "description": "How a date of numbers such as 24/11 is read."},
}
TEAM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **_SHARED,
        "root_causes": {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}},
        "redact": {"type": "object", "additionalProperties": False, "properties": _RedactKeys()},
        "git": {"type": "object", "additionalProperties": False,
                "properties": {"commit": {"type": "boolean"}, "push": {"type": "boolean"}}},
    },
}
USER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"agent": {"type": "string", "minLength": 1}, **_SHARED},
}

TEAM_TEMPLATE = """\
# deescalate team settings. Paths are relative to this file.
records: records
playbooks: [playbooks]
root_causes: [billing-error, shipping-delay, product-defect, policy, misunderstanding, other]
redact: {emails: true, phones: true, patterns: []}
git: {commit: false, push: false}   # commit each new record (that file alone); push after
"""


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A value, already of the type its use needs, and where it came from."""

    value: T
    source: str


@dataclass(frozen=True)
class RedactPattern:
    name: str
    pattern: str


@dataclass
class Config:
    """The effective settings for one run."""

    agent: Setting[str]
    records: Setting[Path]  # absolute
    playbook_dirs: list[Setting[Path]]  # absolute, in search order (built-ins not included)
    root_causes: Setting[list[str]]
    redact_switches: dict[str, Setting[bool]]  # those the team file sets; the rest are on
    redact_patterns: Setting[list[RedactPattern]]
    git_commit: Setting[bool]
    git_push: Setting[bool]
    state_dir: Setting[Path]
    practice_dir: Setting[Path]  # practice transcripts: never inside the records folder
    date_order: Setting[str]  # day-first or month-first: how 24/11 is read
    team_file: Path | None
    user_file: Path
    team_records: Path | None = None  # the team's records folder, when there is a team file
    user_file_note: str | None = None  # when the user's file is in an earlier version's folder
    user_playbooks: Path = field(init=False)

    def __post_init__(self) -> None:
        self.user_playbooks = user_path("config", "playbooks")[0]

    @property
    def team_dir(self) -> Path | None:
        return self.team_file.parent if self.team_file else None

    def redactor(self) -> Redactor:
        """What these settings say to redact (cards always) before text reaches a record."""
        from deescalate.redaction import Redactor

        return Redactor(off={name for name, s in self.redact_switches.items() if not s.value},
                        patterns=[(p.name, p.pattern) for p in self.redact_patterns.value])

    def redact_settings(self) -> list[tuple[str, Setting[bool]]]:
        """Each switch under `redact:` (one for each kind of redaction with one), as set."""
        from deescalate.redaction import settings

        return [(name, self.redact_switches.get(name, Setting(True, "default")))
                for name in settings()]


APP = "deescalate"
# Each of the user's folders: its platformdirs attribute, and where versions before
# platformdirs kept it on every system (an XDG variable, or a folder in the home).
USER_DIRS = {
    "config": ("user_config_path", "XDG_CONFIG_HOME", ".config"),
    "data": ("user_data_path", "XDG_DATA_HOME", ".local/share"),
    "state": ("user_state_path", "XDG_STATE_HOME", ".local/state"),
}
EARLIER = "the folder an earlier version used, still used"


def user_path(kind: str, name: str) -> tuple[Path, str | None]:
    """`name` in the user's folder of this kind (config, data or state), and a note when
    it is where an earlier version kept it: there, and not yet in the new place."""
    import platformdirs

    attribute, variable, fallback = USER_DIRS[kind]
    new = Path(getattr(platformdirs.PlatformDirs(APP, appauthor=False, roaming=False),
                       attribute)) / name
    value = os.environ.get(variable, "")
    base = Path(value) if value and Path(value).is_absolute() else Path.home() / fallback
    old = base / APP / name
    if old != new and os.path.lexists(old) and not os.path.lexists(new):
        return old, f"{EARLIER}; new ones go in {new.parent}"
    return new, None


def user_config_file() -> Path:
    return user_path("config", "config.yaml")[0]


def save_agent(name: str) -> Path:
    """Keep the agent's name in the user's config file (made if missing); returns its path."""
    import yaml

    from deescalate.files import write_atomic

    path = user_config_file()
    name = " ".join(name.split())
    if not name:
        raise BadInput("the agent name is empty")
    from deescalate import safeyaml

    try:
        before = (safeyaml.read_text(path, limit=CONFIG_LIMIT, what="settings file")
                  if os.path.lexists(path) else "")
    except DeescalateError as exc:
        raise CantWrite(f"can't add your name: {exc.message}") from None
    if before and not before.endswith("\n"):
        before += "\n"
    line = yaml.safe_dump({"agent": name}, allow_unicode=True, width=1000)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, (before + line).encode("utf-8"), mode=0o600)
    except OSError as exc:
        raise CantWrite(f"{path}: can't save your name ({exc.strerror or exc})") from None
    return path


def find_team_file(start: Path | None = None) -> Path | None:
    """The nearest `.deescalate.yaml` in this folder or one above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / TEAM_FILE
        if os.path.lexists(candidate) and not candidate.is_dir():
            return candidate  # not a regular file: reading it says so
    return None


def read_settings(path: Path, schema: dict[str, Any]) -> dict[str, Any]:
    """A settings file's values, or a DeescalateError pointing at the first problem."""
    from deescalate import safeyaml  # only when there is a file: records commands need no YAML

    text = safeyaml.read_text(path, limit=CONFIG_LIMIT, what="settings file")
    try:
        root = safeyaml.compose(text)
    except safeyaml.YamlError as exc:
        raise BadFile(f"{path}:{exc.line}:{exc.col}: {exc.message}") from None
    if root is None:
        return {}
    problems: list[str] = []
    check_node(root, schema, "", lambda node, message: problems.append(
        f"{path}:{node.line}:{node.col}: {message}"), subject="the settings file")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BadFile(problems[0] + more)
    values: dict[str, Any] = safeyaml.to_python(root)
    return {key: value for key, value in values.items() if value is not None}


def login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "agent"


def load(
    *,
    agent: str | None = None,
    records: Path | None = None,
    playbooks: list[Path] | None = None,
    cwd: Path | None = None,
) -> Config:
    """Resolve every setting from flags (the arguments), environment, files and defaults."""
    user_file, config_note = user_path("config", "config.yaml")
    user = (read_settings(user_file, USER_SCHEMA)
            if os.path.lexists(user_file) and not user_file.is_dir() else {})
    team_file = find_team_file(cwd)
    team = read_settings(team_file, TEAM_SCHEMA) if team_file else {}
    team_src = f"team file {team_file}"
    user_src = f"user file {user_file}"

    def pick(name: str, flag: Any, env: str | None, default: Setting[Any],
             *, from_team: bool = True, from_user: bool = True) -> Setting[Any]:
        if flag is not None:
            return Setting(flag, f"--{name} flag")
        if env and os.environ.get(env):
            return Setting(os.environ[env], f"{env} environment variable")
        if from_team and name in team:
            return Setting(team[name], team_src)
        if from_user and name in user:
            return Setting(user[name], user_src)
        return default

    agent_setting = pick("agent", agent, "DEESCALATE_AGENT",
                         Setting(login_name(), "default (your login name)"), from_team=False)
    if not str(agent_setting.value).strip():
        raise BadInput(f"the agent name is empty ({agent_setting.source})")

    default_records = _default_folder("records", team_file)
    records_setting = pick("records", records, "DEESCALATE_RECORDS", default_records)
    records_path = Setting(_absolute(records_setting, team_file, user_file),
                           records_setting.source)
    team_records = None
    if team_file is not None:
        team_setting = Setting(team["records"], team_src) if "records" in team else default_records
        team_records = _absolute(team_setting, team_file, user_file)

    dirs = _playbook_dirs(playbooks, [(team_src, team, team_file), (user_src, user, user_file)],
                          user_file)

    redact = team.get("redact", {})
    patterns = [RedactPattern(p["name"], p["pattern"]) if isinstance(p, dict)
                else RedactPattern("pattern", p) for p in redact.get("patterns", [])]
    _check_patterns(patterns, team_file)

    def team_value(value: T | None, default: T) -> Setting[T]:
        # The team file's values were checked against TEAM_SCHEMA, so each has its type.
        return Setting(value, team_src) if value is not None else Setting(default, "default")

    return Config(
        agent=Setting(str(agent_setting.value).strip(), agent_setting.source),
        records=records_path,
        playbook_dirs=_unique(dirs),
        root_causes=team_value(team.get("root_causes"), list(ROOT_CAUSES)),
        redact_switches=_switches(redact, team_src),
        redact_patterns=team_value(patterns or None, []),
        git_commit=team_value(team.get("git", {}).get("commit"), False),
        git_push=team_value(team.get("git", {}).get("push"), False),
        state_dir=_user_folder("state", "calls"),
        practice_dir=_default_folder("practice", team_file),
        date_order=_date_order(pick),
        team_file=team_file,
        user_file=user_file,
        team_records=team_records,
        user_file_note=config_note,
    )


def _date_order(pick: Callable[..., Setting[Any]]) -> Setting[str]:
    """How a date of numbers is read: flag-less, so environment, team, user, then the
    locale; BadInput for a value that is neither order."""
    from deescalate.dates import locale_order

    order = pick("date_order", None, "DEESCALATE_DATE_ORDER",
                 Setting(locale_order(), "default (your locale)"))
    if order.value not in DATE_ORDERS:
        raise BadInput(f"date_order is {order.value!r} ({order.source}); "
                       f"it is {' or '.join(DATE_ORDERS)}")
    return Setting(str(order.value), order.source)


def _default_folder(name: str, team_file: Path | None) -> Setting[Path]:
    """The folder `name` beside the team file, or in the user's data folder without one."""
    if team_file:
        return Setting(team_file.parent / name, f"default (beside {team_file})")
    return _user_folder("data", name)


def _user_folder(kind: str, name: str) -> Setting[Path]:
    folder, note = user_path(kind, name)
    return Setting(folder, f"default ({note})" if note else "default")


def _playbook_dirs(flags: list[Path] | None,
                   files: list[tuple[str, dict[str, Any], Path | None]],
                   user_file: Path) -> list[Setting[Path]]:
    """The playbook folders in search order: the flags' or the environment's, then each
    settings file's (`files`: its source, values and path), then the user's own."""
    dirs: list[Setting[Path]] = []
    if flags:
        dirs += [Setting(Path(p).resolve(), "--playbooks flag") for p in flags]
    elif os.environ.get("DEESCALATE_PLAYBOOKS"):
        dirs += [Setting(Path(p).resolve(), "DEESCALATE_PLAYBOOKS environment variable")
                 for p in os.environ["DEESCALATE_PLAYBOOKS"].split(os.pathsep) if p]
    for source, values, base in files:
        for entry in values.get("playbooks", []):
            assert base is not None
            dirs.append(Setting((base.parent / entry).resolve(), source))
    dirs.append(Setting(user_path("config", "playbooks")[0], "your playbooks folder"))
    return dirs


def _absolute(setting: Setting[Any], team_file: Path | None, user_file: Path) -> Path:
    path = Path(setting.value).expanduser()
    if path.is_absolute():
        return path
    if setting.source.startswith("team file") and team_file:
        return (team_file.parent / path).resolve()
    if setting.source.startswith("user file"):
        return (user_file.parent / path).resolve()
    return path.resolve()


def _unique(dirs: list[Setting[Path]]) -> list[Setting[Path]]:
    seen: set[Path] = set()
    result = []
    for setting in dirs:
        if setting.value not in seen:
            seen.add(setting.value)
            result.append(setting)
    return result


def _switches(redact: dict[str, Any], source: str) -> dict[str, Setting[bool]]:
    """The switches under `redact:` a team file sets (the schema let only booleans in)."""
    return {name: Setting(on, source) for name, on in redact.items()
            if name != "patterns" and on is not None}


def _check_patterns(patterns: list[RedactPattern], team_file: Path | None) -> None:
    import re

    for entry in patterns:
        try:
            re.compile(entry.pattern)
        except re.error as exc:
            raise BadFile(
        f"{team_file}: the redact pattern {entry.pattern!r} is not a valid regular "
        f"expression ({exc})") from None
