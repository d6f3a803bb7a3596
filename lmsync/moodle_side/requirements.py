"""What lmsync needs from a Moodle site, loaded from ``plugin_config/`` as small typed models.

One source of truth: the same JSON files are the admin's set-up reference, the input of
the plugin and role-preset generators, and what ``lmsync doctor`` checks a live site
against. Loading validates them strictly (unknown keys are errors) so a typo in the data
fails the tests instead of silently weakening a check.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lmsync.moodle_side.data_files import data_path

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_FUNCTION_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CAPABILITY_NAME = re.compile(r"^[a-z][a-z0-9_]*/[a-z0-9_]+:[a-z0-9_]+$")
_SELECTOR = re.compile(r"^\[([A-Za-z0-9_]+)=([^\]]*)\]$")
_MISSING = object()


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


D = TypeVar("D", bound=_Model)


# --- the external service -------------------------------------------------------------


class WebServiceFunction(_Model):
    name: str = Field(pattern=_FUNCTION_NAME.pattern)
    access: Literal["read", "write"]
    reason: str


class ServiceSpec(_Model):
    """The settings of the external service, as Moodle's ``db/services.php`` spells them."""

    name: str
    shortname: str = Field(pattern=r"^[A-Za-z0-9_-]+$")  # Moodle requires PARAM_ALPHANUMEXT
    enabled: bool
    restrictedusers: bool
    downloadfiles: bool
    uploadfiles: bool


class ManualService(_Model):
    """The hand-made service of the manual set-up (SETUP.md, "Without the plugin")."""

    name: str
    shortname: str = Field(pattern=r"^[A-Za-z0-9_-]+$")


class _FunctionsFile(_Model):
    about: str
    service: ServiceSpec
    manual_service: ManualService
    functions: list[WebServiceFunction]

    @model_validator(mode="after")
    def _no_clash(self) -> _FunctionsFile:
        # external_services.name has a unique index and Moodle refuses a second service with
        # one shortname (lib/upgradelib.php): a clash stops the plugin's install (issue 10, point 9).
        if self.service.name == self.manual_service.name or self.service.shortname == self.manual_service.shortname:
            raise ValueError("the plugin's service must differ from the manual service in name and shortname")
        return self

    @model_validator(mode="after")
    def _unique(self) -> _FunctionsFile:
        names = [f.name for f in self.functions]
        if len(names) != len(set(names)):
            raise ValueError("functions.json lists a function twice")
        return self


# --- the web-service role and its probes ------------------------------------------------


class ProbeCheck(_Model):
    """How to tell from a probe's answer that the capability works.

    ``no_exception``: any answer but a Moodle exception. ``present``: ``path`` leads to a
    value. ``equals``: ``path`` leads to ``value``. ``no_warning``: the warnings list at
    ``path`` has no item whose ``warningcode`` is ``value`` (some functions answer a missing
    capability with a warning, not an exception). A path is dot-separated: dict keys,
    list indexes, or ``[key=value]`` to pick the first list item whose ``key`` equals
    ``value`` (compared as text, after placeholders are filled in).
    """

    kind: Literal["no_exception", "present", "equals", "no_warning"]
    path: str | None = None
    value: Any = None

    @model_validator(mode="after")
    def _path_when_needed(self) -> ProbeCheck:
        if self.kind != "no_exception" and not self.path:
            raise ValueError(f"a '{self.kind}' check needs a path")
        return self

    def passes(self, response: Any, values: dict[str, Any] | None = None) -> bool:
        """True when a decoded JSON answer shows the capability at work."""
        if isinstance(response, dict) and "exception" in response and "errorcode" in response:
            return False
        if self.kind == "no_exception":
            return True
        assert self.path is not None
        found = _follow(response, _fill(self.path, values or {}))
        if self.kind == "present":
            return found is not _MISSING and found is not None
        if self.kind == "no_warning":
            warnings = [] if found is _MISSING or found is None else found
            return isinstance(warnings, list) and not any(
                isinstance(w, dict) and str(w.get("warningcode")) == str(self.value) for w in warnings
            )
        return found is not _MISSING and found == self.value


class Probe(_Model):
    """A harmless read lmsync doctor can make to check one capability."""

    function: str = Field(pattern=_FUNCTION_NAME.pattern)
    params: dict[str, Any]
    check: ProbeCheck
    on_missing: str
    also_needs: list[str] = []
    evidence: str

    def placeholders(self) -> set[str]:
        """The ``{names}`` this probe needs filled in (parameters and check path)."""
        text = json.dumps(self.params) + (self.check.path or "")
        return set(_PLACEHOLDER.findall(text))

    def render(self, values: dict[str, Any]) -> dict[str, Any]:
        """The call's parameters with placeholders filled, ready for ``encoding.encode``."""
        missing = self.placeholders() - set(values)
        if missing:
            raise ValueError(f"probe for {self.function} needs values for {sorted(missing)}")
        rendered = _fill_tree(self.params, values)
        assert isinstance(rendered, dict)
        return rendered


class Capability(_Model):
    name: str = Field(pattern=_CAPABILITY_NAME.pattern)
    title: str  # Moodle's English title: nopermissions messages name this, not the id
    why: str
    needed_by: list[str]
    probe: Probe | None
    no_probe_reason: str | None = None

    @model_validator(mode="after")
    def _probe_or_reason(self) -> Capability:
        if (self.probe is None) == (self.no_probe_reason is None):
            raise ValueError(f"{self.name}: give either a probe or no_probe_reason, not both or neither")
        return self


class RoleSpec(_Model):
    """The lmsync web-service role as the role preset declares it."""

    shortname: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str
    description: str
    archetype: str
    contextlevels: list[Literal["system", "user", "coursecat", "course", "module", "block"]]
    allowassign: list[str]


class _CapabilitiesFile(_Model):
    about: str
    role: RoleSpec
    placeholders: dict[str, str]
    capabilities: list[Capability]

    @model_validator(mode="after")
    def _consistent(self) -> _CapabilitiesFile:
        names = [c.name for c in self.capabilities]
        if len(names) != len(set(names)):
            raise ValueError("capabilities.json lists a capability twice")
        for cap in self.capabilities:
            if cap.probe is None:
                continue
            unknown = cap.probe.placeholders() - set(self.placeholders)
            if unknown:
                raise ValueError(f"{cap.name}: probe uses undeclared placeholders {sorted(unknown)}")
            stray = set(cap.probe.also_needs) - set(names)
            if stray:
                raise ValueError(
                    f"{cap.name}: also_needs names capabilities not in the role: {sorted(stray)}"
                )
        return self


# --- the course ---------------------------------------------------------------------------


class ProfileField(_Model):
    shortname: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    datatype: Literal["menu", "text"]
    visibility: Literal["everyone", "user"]  # "user": visible to the user only (private)
    values: list[str]  # the menu's options; empty for text fields
    format: str | None = None
    who: str
    use: str
    note: str | None = None

    @model_validator(mode="after")
    def _menu_has_values(self) -> ProfileField:
        if (self.datatype == "menu") != bool(self.values):
            raise ValueError(f"{self.shortname}: menu fields need values, text fields none")
        return self


class _ProfileFieldsFile(_Model):
    about: str
    category: str
    fields: list[ProfileField]
    visibility_labels: dict[str, str]
    datatype_labels: dict[str, str]


class FeedbackItem(_Model):
    label: str
    typ: Literal["multichoicerated", "numeric", "textarea"]
    name: str
    required: bool
    choices: list[str]
    presentation: str  # Moodle's own encoding, as mod_feedback_get_items returns it


class Activity(_Model):
    modname: Literal["forum", "feedback", "assign"]
    name: str
    purpose: str
    settings: dict[str, Any]
    labels: dict[str, str]  # the settings as Moodle 4.5's forms name them
    items: list[FeedbackItem]


class _ActivitiesFile(_Model):
    about: str
    activities: list[Activity]
    item_type_labels: dict[str, str]


# --- loaders ------------------------------------------------------------------------------


@cache
def _read(model: type[_Model], name: str) -> _Model:
    with data_path(name).open(encoding="utf-8") as fh:
        return model.model_validate(json.load(fh))


def _load(model: type[D], name: str) -> D:
    """plugin_config/``name`` checked as ``model``; read once per process."""
    loaded = _read(model, name)
    assert isinstance(loaded, model)
    return loaded


def _functions_file() -> _FunctionsFile:
    return _load(_FunctionsFile, "functions.json")


def _capabilities_file() -> _CapabilitiesFile:
    return _load(_CapabilitiesFile, "capabilities.json")


def _profile_fields_file() -> _ProfileFieldsFile:
    return _load(_ProfileFieldsFile, "profile_fields.json")


def _activities_file() -> _ActivitiesFile:
    return _load(_ActivitiesFile, "activities.json")


def required_functions() -> list[str]:
    """The web-service functions the ``lmsync`` external service must hold, in file order."""
    return [f.name for f in _functions_file().functions]


def functions() -> list[WebServiceFunction]:
    """The functions with why lmsync calls each and whether it writes."""
    return list(_functions_file().functions)


def service_spec() -> ServiceSpec:
    """Name, shortname and access settings of the external service."""
    return _functions_file().service


def manual_service() -> ManualService:
    """Name and shortname of the hand-made service the manual set-up creates."""
    return _functions_file().manual_service


def required_capabilities() -> list[Capability]:
    """The role's capabilities, each with its probe (or why it has none)."""
    return list(_capabilities_file().capabilities)


def role_spec() -> RoleSpec:
    return _capabilities_file().role


def probe_placeholders() -> dict[str, str]:
    """What each probe placeholder stands for (doctor fills them from config and Moodle)."""
    return dict(_capabilities_file().placeholders)


def profile_fields() -> list[ProfileField]:
    return list(_profile_fields_file().fields)


def profile_field_category() -> str:
    return _profile_fields_file().category


def activities() -> list[Activity]:
    return list(_activities_file().activities)


def plugin_service_covers(function: str) -> bool:
    """Would installing the generated ``local_lmsync`` plugin put ``function`` in the service?

    The plugin's ``db/services.php`` is generated from the same list (a test keeps the
    committed copy identical), so doctor can tell an admin whether "install or upgrade the
    plugin" fixes a missing function, or whether the function is not lmsync's to ask for.
    """
    return function in set(required_functions())


# --- small helpers for probes -------------------------------------------------------------


def _fill(text: str, values: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def _fill_tree(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {key: _fill_tree(item, values) for key, item in node.items()}
    if isinstance(node, list):
        return [_fill_tree(item, values) for item in node]
    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node)
        if whole:
            return values[whole.group(1)]  # keep the value's own type (an int stays an int)
        return _fill(node, values)
    return node


def _follow(node: Any, path: str) -> Any:
    for part in path.split("."):
        selector = _SELECTOR.match(part)
        if selector:
            key, wanted = selector.groups()
            if not isinstance(node, list):
                return _MISSING
            node = next(
                (item for item in node if isinstance(item, dict) and str(item.get(key)) == wanted), _MISSING
            )
        elif isinstance(node, list) and part.isdigit():
            index = int(part)
            node = node[index] if index < len(node) else _MISSING
        elif isinstance(node, dict):
            node = node.get(part, _MISSING)
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node
