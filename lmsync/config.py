"""``lmsync.toml``: one validated description of a programme and where its Moodle is.

Unknown or mistyped keys are errors that name their dotted path (``moodle.tokn_file``),
because a silently ignored key is how a coordinator ends up with the wrong weights for a
whole term. ``LMSYNC_*`` environment variables override file values so containers and
systemd units can configure lmsync without writing files.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lmsync.config_sections import (
    GradesConfig,
    InstrumentConfig,
    MeetingsConfig,
    WavesConfig,
    resolve_instruments,
)
from lmsync.errors import ConfigError
from lmsync.health_config import HealthConfig, NudgesConfig
from lmsync.secrets import Token

DEFAULT_CONFIG = "lmsync.toml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class MoodleConfig(Section):
    """Where Moodle is. No ``url`` means the built-in emulator."""

    url: str | None = None
    token_file: Path | None = None
    timeout_seconds: float = 30.0
    retry_deadline_seconds: float = 120.0
    batch_budget: int = Field(2000, ge=10, le=4500, description="form variables per request")
    page_size: int = Field(500, ge=1)
    verify_tls: bool = True

    @field_validator("url")
    @classmethod
    def _strip_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class ProgrammeConfig(Section):
    name: str = "mentoring-2026"
    course: str = "MENTOR-2026"
    mentor_roles: list[str] = ["editingteacher", "teacher"]
    mentee_roles: list[str] = ["student"]
    peer_mentor_cohort: str | None = None
    forum: str = "Mentoring circles"
    group_name_template: str = "Circle: {mentor_fullname}"
    grouping_name: str | None = None

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        if not value or set(value.lower()) - allowed:
            raise ValueError("use letters, digits, '-' and '_' only (it becomes part of Moodle idnumbers)")
        return value


class StoreConfig(Section):
    path: Path | None = None


class AttributesConfig(Section):
    department: str | None = "department"
    interests: str | None = "interests"
    year: str | None = "yearofstudy"
    languages: str | None = "languages"
    capacity: str | None = "mentorcapacity"


class WeightsConfig(Section):
    same_department: float = 3
    shared_interests: float = 1
    shared_language: float = 1
    year_gap: float = 2
    preference: float = 2
    need: float = 2
    stickiness: float = 5


class MatchingConfig(Section):
    structure: Literal["pairs", "triads"] = "pairs"
    default_capacity: int = Field(4, ge=0)
    peer_default_capacity: int = Field(2, ge=0)
    triad_juniors: int = Field(3, ge=1)
    peer_year_gap_min: int = 1
    peer_year_gap_max: int = 3
    peer_year_gap_preferred: int = 2
    load_balance: float = Field(0.5, ge=0, description="convex cost per extra mentee")
    attributes: AttributesConfig = AttributesConfig()
    weights: WeightsConfig = WeightsConfig()
    pins: list[tuple[str, str]] = []
    forbids: list[tuple[str, str]] = []
    rematch: list[str] = []


class WelcomeConfig(Section):
    subject: str = "Welcome to your mentoring circle: {group_name}"
    message: str = (
        "<p>Welcome, {mentor_fullname}'s circle.</p>"
        "<p>Agenda for your first meeting:</p>"
        "<ol><li>Introductions and what each of you hopes to get from the programme</li>"
        "<li>Agree how often and where you will meet</li>"
        "<li>Set one goal for the next month</li></ol>"
    )


class SyncConfig(Section):
    allow_delete: bool = False
    min_source_fraction: float = Field(
        0.5, ge=0, le=1, description="refuse mass removals when Moodle returns fewer people than this fraction"
    )
    welcome: WelcomeConfig = WelcomeConfig()


class Config(Section):
    moodle: MoodleConfig = MoodleConfig()
    programme: ProgrammeConfig = ProgrammeConfig()
    store: StoreConfig = StoreConfig()
    matching: MatchingConfig = MatchingConfig()
    sync: SyncConfig = SyncConfig()
    meetings: MeetingsConfig = MeetingsConfig()
    grades: GradesConfig = GradesConfig()
    waves: WavesConfig = WavesConfig()
    health: HealthConfig = HealthConfig()
    nudges: NudgesConfig = NudgesConfig()
    instruments: dict[str, InstrumentConfig] = {}
    source: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _instruments_resolve(self) -> Config:
        resolve_instruments(self.instruments)  # a broken instrument fails at load time, not at first use
        return self

    @property
    def uses_emulator(self) -> bool:
        return self.moodle.url is None

    def state_dir(self) -> Path:
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return Path(base) / "lmsync"

    def store_path(self) -> Path:
        return self.store.path or self.state_dir() / f"{self.programme.name}.db"

    def emulator_state_path(self) -> Path:
        return self.store_path().with_name(f"{self.programme.name}.emulator.json")

    def load_token(self) -> Token:
        """The web-service token, from ``LMSYNC_TOKEN`` or a private ``token_file``."""
        env = os.environ.get("LMSYNC_TOKEN")
        if env:
            return Token(env.strip())
        path = self.moodle.token_file
        if path is None:
            raise ConfigError(
                "no web-service token: set LMSYNC_TOKEN or [moodle] token_file",
                hint="Site administration > Server > Web services > Manage tokens: create one for the lmsync service",
            )
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise ConfigError(f"moodle.token_file: {path} does not exist") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO) and not _is_systemd_credential(path, mode):
            raise ConfigError(
                f"moodle.token_file: {path} is readable by other users (mode {stat.S_IMODE(mode):o})",
                hint=f"chmod 600 {path}",
            )
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise ConfigError(f"moodle.token_file: {path} is empty")
        return Token(text)


def _is_systemd_credential(path: Path, mode: int) -> bool:
    """systemd's LoadCredential copy: root-owned 0400 plus a read ACL for the unit's user.

    ``stat`` shows that as 0440, which is not readable by other users, so it is accepted,
    but only for a file directly inside ``$CREDENTIALS_DIRECTORY`` and never when writable.
    """
    creds = os.environ.get("CREDENTIALS_DIRECTORY")
    if not creds or mode & (stat.S_IWGRP | stat.S_IRWXO):
        return False
    return path.resolve().parent == Path(creds).resolve()


def _format_errors(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        path = ".".join(str(p) for p in item["loc"])
        if item["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key {path}")
        else:
            lines.append(f"{source}: {path}: {item['msg']}")
    return "\n".join(lines)


def _env_path(model: type[BaseModel], tokens: list[str]) -> list[str] | None:
    """Resolve ``MOODLE_TOKEN_FILE`` to ``["moodle", "token_file"]`` against the model's fields."""
    for take in range(1, len(tokens) + 1):
        name = "_".join(tokens[:take])
        field = model.model_fields.get(name)
        if field is None:
            continue
        rest = tokens[take:]
        annotation = field.annotation
        if not rest:
            return [name]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            sub = _env_path(annotation, rest)
            if sub:
                return [name, *sub]
    return None


_ENV_SKIP = {"LMSYNC_CONFIG", "LMSYNC_TOKEN", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL"}


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith("LMSYNC_") or key in _ENV_SKIP:
            continue
        tokens = key[len("LMSYNC_") :].lower().split("_")
        path = _env_path(Config, tokens)
        if path is None:
            raise ConfigError(f"environment: {key} names no configuration key")
        node = overrides
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = _parse_env_value(value)
    return overrides


def _parse_env_value(value: str) -> Any:
    """Allow TOML literals (numbers, booleans, lists) in environment values, else a plain string."""
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(path: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read, merge with the environment and validate. A missing default file means all defaults."""
    environ = dict(os.environ if environ is None else environ)
    explicit = path is not None or "LMSYNC_CONFIG" in environ
    file = Path(path or environ.get("LMSYNC_CONFIG") or DEFAULT_CONFIG)
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    elif explicit:
        raise ConfigError(f"{file}: no such configuration file", hint="copy lmsync.example.toml and edit it")
    data = _merge(data, _env_overrides(environ))
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, str(file))) from None
    config.source = file if file.exists() else None
    return config
