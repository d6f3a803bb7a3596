"""The configuration reference, generated from the pydantic models of ``lmsync.config``.

``reference_markdown()`` walks ``Config``: one Markdown section per TOML table
(``[moodle]``, ``[matching.weights]``, ``[instruments.<name>]``) with every key's type,
default, environment variable and meaning (the field's ``description``). The committed copy
``lmsync/CONFIGURATION.md`` is this text; ``lmsync config reference`` prints it, and a test
fails when a key has no description or the copy is stale (``undocumented_keys``).
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import json
import re
import textwrap
import types
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

HEADER = """# lmsync configuration reference

Generated from lmsync's configuration models by `lmsync config reference`; do not edit by hand
(a test fails when this file is stale). `lmsync init` writes a commented starting point, and
[lmsync.example.toml](../lmsync.example.toml) shows a filled-in one.

Every key can also be set by an environment variable named after its path
(`[moodle] token_file` is `LMSYNC_MOODLE_TOKEN_FILE`); lists and tables are written as TOML
literals (`LMSYNC_PROGRAMME_MENTOR_ROLES='["teacher"]'`). An unknown or mistyped key is an error
that names its path. In the file, a number or a boolean is written as one, without quotes
(`cadence_days = 14`, not `14.0`; `verify_tls = false`), a date as a TOML date or ISO text
(`start = 2026-09-01` or `"2026-09-01"`, never a number), a list in brackets
(`coordinators = ["alice"]`); a variable's text is read as one (`LMSYNC_MOODLE_VERIFY_TLS=false`),
and text that is not its key's type is refused naming the variable. Tables under a `<name>` placeholder are keyed by a name you choose.
"""


def _section_model(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _named_sections(annotation: Any) -> type[BaseModel] | None:
    """``dict[str, SomeSection]`` -> SomeSection (``[instruments.<name>]``)."""
    if get_origin(annotation) is dict:
        args = get_args(annotation)
        if len(args) == 2:
            return _section_model(args[1])
    return None


def type_name(annotation: Any) -> str:
    """A short, TOML-flavoured name for a field's type (``integer``, ``list of text``, ...)."""
    origin = get_origin(annotation)
    if origin is Annotated:  # Annotated[int, Field(ge=1)]: the type, not "Annotated" (tester round 3, 24)
        return type_name(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        parts = [type_name(a) for a in get_args(annotation) if a is not type(None)]
        optional = type(None) in get_args(annotation)
        return " or ".join(parts) + (" (optional)" if optional else "")
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(v) for v in get_args(annotation))
    if origin in (list, set, frozenset):
        (inner,) = get_args(annotation) or (Any,)
        return f"list of {type_name(inner)}"
    if origin is tuple:
        return "pair [" + ", ".join(type_name(a) for a in get_args(annotation) if a is not Ellipsis) + "]"
    if origin is dict:
        key, value = get_args(annotation) or (str, Any)
        return f"table of {type_name(value)}"
    names = {str: "text", int: "integer", float: "number", bool: "boolean", Path: "path", date: "date"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation))


def default_text(info: FieldInfo) -> str:
    """The default as TOML would write it; ``(none)`` for no value, ``(required)`` without a default."""
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return "(required)"
    else:
        value = info.default
    return _toml(value)


def _toml(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}" if value else "{}"
    if isinstance(value, BaseModel):
        return "(table)"
    return str(value)


def _keys(model: type[BaseModel]) -> Iterator[tuple[str, FieldInfo]]:
    """(TOML name, field): the alias when the Python name differs (``import_`` is ``[import]``).
    A field described by the docstring under it (``attribute_docs``) carries that text."""
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        if not info.description and name in attribute_docs(model):
            info = copy.copy(info)
            info.description = attribute_docs(model)[name]
        yield info.alias or name, info


@functools.cache
def attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """The docstrings written under a model's fields (PEP 257 attribute docstrings), by field
    name, from the model's source and its bases'; ``{}`` where the source cannot be read.

    Read only when the reference is built: pydantic's ``use_attribute_docstrings`` read them
    at import, in every lmsync command (~50 ms of start-up, most of it ``inspect`` resolving
    every loaded module's path; issue 15, start-up). Cleaned as pydantic did
    (``inspect.cleandoc``), so the reference is the same text."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for field, after in zip(body, body[1:], strict=False):
            if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[field.target.id] = inspect.cleandoc(after.value.value)
    return docs


def sections(model: type[BaseModel], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], type[BaseModel]]]:
    """Every TOML table below ``model``: (path, model); ``<name>`` stands for a chosen name."""
    for name, info in _keys(model):
        sub = _section_model(info.annotation)
        named = _named_sections(info.annotation)
        if sub is not None:
            yield (*path, name), sub
            yield from sections(sub, (*path, name))
        elif named is not None:
            yield (*path, name, "<name>"), named
            yield from sections(named, (*path, name, "<name>"))


def _plain_keys(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    return [
        (name, info)
        for name, info in _keys(model)
        if _section_model(info.annotation) is None and _named_sections(info.annotation) is None
    ]


def _env_name(path: tuple[str, ...], key: str) -> str:
    if "<name>" in path:
        return ""
    return "`LMSYNC_" + "_".join((*path, key)).upper() + "`"


def undocumented_keys(model: type[BaseModel] | None = None) -> list[str]:
    """Dotted paths of keys (and sections) with no ``description``: each must say what it means."""
    from lmsync.config import Config

    root = model or Config

    def check(path: tuple[str, ...], owner: type[BaseModel]) -> list[str]:
        found = []
        for name, info in _keys(owner):
            section = _section_model(info.annotation) or _named_sections(info.annotation)
            described = (info.description or "").strip() or (_doc(section) if section is not None else "")
            if not described:
                found.append(".".join((*path, name)))
        return found

    missing = check((), root)
    for path, sub in sections(root):
        missing.extend(check(path, sub))
    return missing


#: A developers' cross-reference in a docstring or description ("(issue 13)", "; tester round 6, 4"):
#: the reference is an admin's page, where it means nothing (tester round 26, 9).
_TRACKER = re.compile(r"(?:,|;)\s*(?:issue \d+|tester (?:round|finding)[^);]*)(?=\))|\s*\((?:issue \d+|tester (?:round|finding)[^()]*)\)")


def _cell(text: str) -> str:
    return " ".join(_TRACKER.sub("", text).split()).replace("``", "`").replace("|", "\\|")


def reference_markdown() -> str:
    """The whole reference as Markdown (deterministic: the committed copy is compared to it)."""
    from lmsync.config import Config

    out = [HEADER]
    top = {name: info for name, info in _keys(Config)}
    for path, model in sections(Config):
        title = ".".join(path)
        out.append(f"## [{title}]\n")
        info = top.get(path[0]) if len(path) == 1 else None
        about = _doc(model) or (info.description if info is not None else None)
        if about:
            out.append(_cell(about) + "\n")
        keys = _plain_keys(model)
        if not keys:
            out.append("(only tables below)\n")
            continue
        out.append("| key | type | default | environment | meaning |")
        out.append("|---|---|---|---|---|")
        for name, field in keys:
            out.append(
                f"| `{name}` | {_cell(type_name(field.annotation))} | `{_cell(default_text(field))}` | "
                f"{_env_name(path, name)} | {_cell(field.description or '')} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _doc(model: type[BaseModel]) -> str:
    doc = model.__doc__ or ""
    if doc.startswith("Usage docs:") or "A base class for creating Pydantic models" in doc:
        return ""
    return doc.strip().split("\n\n")[0]


def committed_path() -> Path:
    """The copy shipped in the package (``lmsync/CONFIGURATION.md``)."""
    return Path(__file__).with_name("CONFIGURATION.md")
