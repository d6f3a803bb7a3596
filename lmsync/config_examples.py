"""A TOML literal of a configuration field's shape, for the hints of errors about it.

Shared by ``config_env`` (an environment variable that must hold a TOML literal) and ``config_types`` (a single
value where a list is expected, tester round 104b, 7). Its own module so that neither imports the other: the two
importing each other was an import cycle (the import-linter contract of issue 12).
"""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel


def is_structured(annotation: Any) -> bool:
    """Whether a field holds a list, table or section (its environment value is a TOML literal)."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return any(is_structured(arg) for arg in get_args(annotation) if arg is not type(None))
    if origin in (list, tuple, dict, set, frozenset):
        return True
    return isinstance(annotation, type) and issubclass(annotation, (BaseModel, list, tuple, dict))


def toml_example(annotation: Any) -> str:
    """A TOML literal of ``annotation``'s shape for a hint: ``["a", "b"]`` for a list of texts,
    ``[["a", "b"]]`` for a list of pairs (pins, forbids), ``{ a = "b" }`` for a table."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, UnionType):
        return next((toml_example(a) for a in args if a is not type(None) and is_structured(a)), '["a", "b"]')
    if origin is tuple:
        return "[" + ", ".join(f'"{chr(97 + i)}"' for i in range(len(args) if args and args[-1] is not Ellipsis else 2)) + "]"
    if origin in (list, set, frozenset):
        inner = args[0] if args else str
        return f"[{toml_example(inner)}]" if is_structured(inner) else '["a", "b"]'
    if origin is dict or (isinstance(annotation, type) and issubclass(annotation, (BaseModel, dict))):
        return '{ a = "b" }'
    return '["a", "b"]'
