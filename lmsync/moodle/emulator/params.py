"""Parameter validation the way Moodle's ``external_api::validate_parameters`` does it.

Each web-service function declares a tree of structures; a value that does not fit (a missing
required key, an unexpected key, ``" 7"`` for an int, spaces in a PARAM_ALPHANUMEXT) fails the
whole call with ``invalidparameter`` before the function body runs. Defaults fill missing
optional keys; VALUE_OPTIONAL keys without default stay absent (handlers test ``in``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from lmsync.moodle.emulator.exceptions import invalid_parameter
from lmsync.moodle.text import param_text_problem

_MISSING: Any = object()

_INT_RE = re.compile(r"^-?\d+$")
_FLOAT_RE = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_ALNUMEXT_RE = re.compile(r"^[A-Za-z0-9_-]*$")
_ALPHA_RE = re.compile(r"^[A-Za-z]*$")
_PLUGIN_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_BOOL = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


@dataclass
class Spec:
    """Base: ``required`` unless a default is given or ``optional`` is set."""

    default: Any = _MISSING
    optional: bool = False

    @property
    def required(self) -> bool:
        return self.default is _MISSING and not self.optional


@dataclass
class Scalar(Spec):
    kind: str = "raw"  # int, float, bool, raw, text, alphanumext, alpha, plugin


@dataclass
class Struct(Spec):
    fields: dict[str, Spec] = field(default_factory=dict)


@dataclass
class Multi(Spec):
    item: Spec = field(default_factory=Scalar)


# Moodle's PARAM_* types, declared as Moodle's external_value is: ``Int()``, ``Int(default=1)``,
# ``Raw(optional=True)``. Text is PARAM_TEXT: a value that cleaning would change is refused, not
# cleaned (trap 38).
Int = partial(Scalar, kind="int")
Float = partial(Scalar, kind="float")
Bool = partial(Scalar, kind="bool")
Raw = partial(Scalar, kind="raw")
Text = partial(Scalar, kind="text")
AlnumExt = partial(Scalar, kind="alphanumext")
Alpha = partial(Scalar, kind="alpha")
Plugin = partial(Scalar, kind="plugin")


def _scalar(spec: Scalar, value: Any) -> Any:
    if isinstance(value, (dict, list)):
        raise invalid_parameter("Invalid external api parameter: the value is not of the expected type")
    text = str(value)
    kind = spec.kind
    if kind == "int":
        if not _INT_RE.match(text):
            raise invalid_parameter(f"Invalid external api parameter: the value is \"{text}\", the server was expecting \"int\" type")
        return int(text)
    if kind == "float":
        if not _FLOAT_RE.match(text):
            raise invalid_parameter(f"Invalid external api parameter: the value is \"{text}\", the server was expecting \"float\" type")
        return float(text)
    if kind == "bool":
        if text.lower() not in _BOOL:
            raise invalid_parameter(f"Invalid external api parameter: the value is \"{text}\", the server was expecting \"bool\" type")
        return _BOOL[text.lower()]
    if kind == "text" and param_text_problem(text) is not None:
        raise invalid_parameter(f"Invalid external api parameter: the value is \"{text}\", the server was expecting \"text\" type")
    if kind == "alphanumext" and not _ALNUMEXT_RE.match(text):
        raise invalid_parameter(f"Invalid external api parameter: the value is \"{text}\", the server was expecting \"alphanumext\" type")
    if kind == "alpha" and not _ALPHA_RE.match(text):
        raise invalid_parameter(f"Invalid external api parameter: the value is \"{text}\", the server was expecting \"alpha\" type")
    if kind == "plugin" and not _PLUGIN_RE.match(text):
        raise invalid_parameter(f"Invalid external api parameter: the value is \"{text}\", the server was expecting \"plugin\" type")
    return text


def validate(spec: Spec, value: Any) -> Any:
    """Clean ``value`` against ``spec``; raise ``invalidparameter`` like Moodle on any mismatch."""
    if isinstance(spec, Scalar):
        return _scalar(spec, value)
    if isinstance(spec, Multi):
        if isinstance(value, dict):  # PHP arrays with non-contiguous keys: Moodle iterates the values
            value = list(value.values())
        if not isinstance(value, list):
            raise invalid_parameter("Only arrays accepted. The bad value is: '" + str(value) + "'")
        return [validate(spec.item, item) for item in value]
    if isinstance(spec, Struct):
        if value == "" or value is None:
            value = {}
        if not isinstance(value, dict):
            raise invalid_parameter("Only arrays accepted. The bad value is: '" + str(value) + "'")
        out: dict[str, Any] = {}
        for key, sub in spec.fields.items():
            if key in value:
                out[key] = validate(sub, value[key])
            elif sub.required:
                raise invalid_parameter(f"{key} => Invalid parameter value detected (Missing required key in single structure: {key})")
            elif sub.default is not _MISSING:
                out[key] = sub.default() if callable(sub.default) else sub.default
        extra = set(value) - set(spec.fields)
        if extra:
            raise invalid_parameter("Unexpected keys (" + ", ".join(sorted(extra)) + ") detected in parameter array.")
        return out
    raise TypeError(f"unknown spec {spec!r}")


def validate_top(fields: dict[str, Spec], params: dict[str, Any]) -> dict[str, Any]:
    """Validate the whole parameter set of one call (the function's ``execute_parameters``)."""
    return validate(Struct(fields=fields), params)  # type: ignore[no-any-return]
