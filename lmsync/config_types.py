"""A number or a boolean in ``lmsync.toml`` is written as one: a value of another TOML type is refused.

pydantic reads the merged configuration leniently, as it must for ``LMSYNC_*`` environment variables, which are
text by nature (``LMSYNC_MATCHING_DEFAULT_CAPACITY=3``, ``LMSYNC_MOODLE_VERIFY_TLS=false``: ``config_env``). In
the file that leniency let wrong values through: ``[matching] default_capacity = true`` was taken as 1 (a mentor
with an empty capacity field took one mentee, the others were left unmatched, exit 0), ``default_capacity = "3"``
as 3, and ``[moodle] verify_tls = "no"`` or ``"off"`` as false (tester round 102b, 5). So the file's own values
are checked here, before validation, against the type each key's field declares (walking the models: sections,
tables of sections such as ``[instruments.<name>]``, lists):

- a boolean where a number is expected (``int``, ``float``) is refused;
- a string where a number or a boolean is expected is refused (a key that also takes text, such as ``[grades]
  activity``, a forum name or a course-module id, takes a string);
- a number where a boolean is expected is refused (pydantic read ``1`` and ``0`` as true and false).

Dates, times and other keys are not judged here: pydantic's own rules and messages stand. A value the environment
sets is never judged here. The ``[health]`` and ``[nudges]`` numbers are strict in pydantic too
(``health_config``); ``[moodle] max_parallel`` likewise.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from lmsync.config_lines import line_of

__all__ = ["loose_values", "mismatch", "scalar_kinds"]

#: How a TOML value's type, and an expected type, are said.
_SAID = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}

#: The fix for each expected type.
_FIX = {int: "write a whole number, without quotes", float: "write a number, without quotes",
        bool: "write true or false, without quotes"}


def _bare(annotation: Any) -> Any:
    """``annotation`` without ``Annotated[...]`` and without ``None`` in a union of one other type."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        others = [a for a in get_args(annotation) if a is not type(None)]
        if len(others) == 1:
            return _bare(others[0])
    return annotation


def scalar_kinds(annotation: Any) -> frozenset[type] | None:
    """The plain types ``annotation`` takes, from ``bool``, ``int``, ``float`` and ``str`` (a ``Literal`` of words is
    ``str``), through ``Annotated`` and unions; None when it takes anything else too (a date, a path, a list, a
    section), which is then not judged here."""
    annotation = _bare(annotation)
    if annotation in _SAID:
        return frozenset({annotation})
    if get_origin(annotation) is Literal:
        return frozenset(type(a) for a in get_args(annotation))
    if get_origin(annotation) in (Union, UnionType):
        kinds = [scalar_kinds(a) for a in get_args(annotation) if a is not type(None)]
        return frozenset().union(*(k for k in kinds if k is not None)) if None not in kinds else None
    return None


def mismatch(kinds: frozenset[type], value: Any) -> type | None:
    """The type expected, when ``value`` (as TOML gives it) is of a type the field of ``kinds`` must not read as
    one of its own (module doc); None when it is not judged here (pydantic's rules stand)."""
    numbers = kinds & {int, float}
    if isinstance(value, bool):
        return (int if int in numbers else float) if numbers and bool not in kinds else None
    if isinstance(value, str):
        if str in kinds or not kinds & {int, float, bool}:
            return None
        return (int if int in numbers else float) if numbers else bool
    if isinstance(value, (int, float)) and bool in kinds and not numbers:
        return bool
    return None


Found = tuple[tuple[Any, ...], type, type, bool]


def _walk(annotation: Any, value: Any, loc: tuple[Any, ...]) -> Iterator[Found]:
    """``(loc, found, expected, text too)`` (text too: the key takes a string as well) for each value under ``value`` the field ``annotation`` must not read (``mismatch``)."""
    annotation = _bare(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if isinstance(value, dict):
            yield from _fields(annotation, value, loc)
        return
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        for key, item in value.items():
            yield from _walk(args[1], item, (*loc, key))
        return
    if origin in (list, set, frozenset) and isinstance(value, list) and args:
        for index, item in enumerate(value):
            yield from _walk(args[0], item, (*loc, index))
        return
    if origin is tuple and isinstance(value, list) and args:
        for index, item in enumerate(value):
            yield from _walk(args[0] if args[-1] is Ellipsis else args[min(index, len(args) - 1)], item, (*loc, index))
        return
    kinds = scalar_kinds(annotation)
    expected = mismatch(kinds, value) if kinds else None
    if kinds and expected is not None:
        yield loc, type(value), expected, str in kinds


def _fields(model: type[BaseModel], data: dict[str, Any], loc: tuple[Any, ...]) -> Iterator[Found]:
    by_key = {field.alias or name: field for name, field in model.model_fields.items()}  # TOML names
    for key, value in data.items():
        if (field := by_key.get(key)) is not None:  # an unknown key: pydantic names it
            yield from _walk(field.annotation, value, (*loc, key))


def loose_values(model: type[BaseModel], in_file: dict[str, Any], env_names: dict[tuple[str, ...], str],
                 source: str, text: str) -> dict[tuple[str, ...], str]:
    """The error line for each value of the file's own data ``in_file`` (as ``tomllib`` read it) of a type its key
    in ``model`` must not read (module doc), by its location (the keys' path, a list's index as text, as pydantic
    gives an error's ``loc``): ``{source}: matching.default_capacity (line 3): a boolean, where an integer is
    expected: write a whole number, without quotes``. ``text``: the file's content, for the line; ``env_names``:
    the keys an ``LMSYNC_*`` variable sets (and under them), not judged. Empty when every value may be read.
    Source: tester round 102b, 5."""
    lines: dict[tuple[str, ...], str] = {}
    for loc, found, expected, text_too in _fields(model, in_file, ()):
        if any(loc[: len(key)] == key for key in env_names):
            continue
        at = f" (line {number})" if (number := line_of(text, loc)) else ""
        path = ".".join(str(p) for p in loc)
        wanted = f"a string or {_SAID[expected]}" if text_too else _SAID[expected]
        fix = f"{_FIX[expected]}, or text in quotes" if text_too else _FIX[expected]
        lines[tuple(str(p) for p in loc)] = f"{source}: {path}{at}: {_SAID[found]}, where {wanted} is expected: {fix}"
    return lines
