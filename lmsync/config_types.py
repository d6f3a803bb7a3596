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

- a number with a decimal point where only an integer is expected is refused, ``3.0`` as ``2.5``: pydantic took
  ``default_capacity = 3.0`` as 3 but refused ``[health] weight_watch = 20.0`` (strict) with its bare "Input should
  be a valid integer" (tester round 104b, 7);
- a number, a boolean or a string of digits where a date is expected is refused: pydantic read ``programme_start =
  0`` or ``"1788220800"`` as a Unix timestamp (1970-01-01, 2026-09-01), and ``20260901`` as a wrong datetime
  (tester round 104b, 3); a TOML date (``2026-09-01``) or an ISO text (``"2026-09-01"``) is read as before;
- a single value where a list is expected is refused, saying the list to write (``coordinators = "alice"``: write
  ``["alice"]``; tester round 104b, 7).

Times and other keys are not judged here: pydantic's own rules and messages stand. A value the environment sets is
never judged here (``config_env`` reads it from its text). The ``[health]`` and ``[nudges]`` numbers are strict in
pydantic too (``health_config``); ``[moodle] max_parallel`` likewise.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Iterator
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from lmsync.config_examples import toml_example
from lmsync.config_lines import line_of

__all__ = ["NUMBER_TEXT", "date_example", "is_date", "loose_values", "mismatch", "scalar_kinds"]

#: How a TOML value's type, and an expected type, are said.
_SAID = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}

#: The fix for each expected type.
_FIX = {int: "write a whole number, without quotes", float: "write a number, without quotes",
        bool: "write true or false, without quotes"}

#: Text pydantic would read as a number, and so as a Unix timestamp where a date is expected: ``0``, ``-5``,
#: ``86400.0``, ``1788220800`` (tester round 104b, 3).
NUMBER_TEXT = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*")


def _bare(annotation: Any) -> Any:
    """``annotation`` without ``Annotated[...]`` and without ``None`` in a union of one other type."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        others = [a for a in get_args(annotation) if a is not type(None)]
        if len(others) == 1:
            return _bare(others[0])
    return annotation


def is_date(annotation: Any) -> bool:
    """Whether ``annotation`` is a date (``date`` or ``date | None``, not a datetime)."""
    return _bare(annotation) is datetime.date


def date_example(value: Any) -> str:
    """The date to show in a fix for ``value``: the date its digits spell when they are YYYYMMDD (``20260901``:
    2026-09-01), 2026-09-01 otherwise."""
    digits = str(value).strip()
    if re.fullmatch(r"\d{8}", digits):
        try:
            return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
        except ValueError:
            pass
    return "2026-09-01"


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


Found = tuple[tuple[Any, ...], str]


def _toml(value: Any) -> str:
    """``value`` as TOML writes it: ``"alice"``, ``3``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _said(found: type, expected: type, text_too: bool) -> str:
    """``a boolean, where an integer is expected: write a whole number, without quotes`` (module doc)."""
    wanted = f"a string or {_SAID[expected]}" if text_too else _SAID[expected]
    fix = f"{_FIX[expected]}, or text in quotes" if text_too else _FIX[expected]
    return f"{_SAID[found]}, where {wanted} is expected: {fix}"


def _decimal(value: float, text_too: bool) -> str:
    """A number with a decimal point for an integer key: ``write 3`` for 3.0 (tester round 104b, 7)."""
    whole = math.isfinite(value) and value.is_integer()
    fix = f"write {int(value)}" if whole else "write a whole number, without a decimal point"
    wanted = "a string or an integer" if text_too else "an integer"
    return f"a number with a decimal point, where {wanted} is expected: {fix}" + (", or text in quotes" if text_too else "")


def _not_a_date(value: Any) -> str | None:
    """What is wrong with ``value`` for a date key, or None when pydantic may read it (tester round 104b, 3)."""
    if isinstance(value, bool):
        found = "a boolean"
    elif isinstance(value, (int, float)):
        found = "a number"
    elif isinstance(value, str) and NUMBER_TEXT.fullmatch(value):
        found = "a string of digits"
    else:
        return None
    example = date_example(value)
    return f'{found}, where a date is expected: write the date as {example}, a TOML date, or "{example}"'


def _not_a_list(annotation: Any, value: Any) -> str | None:
    """What is wrong with a single ``value`` for a list key of ``annotation``, with the list to write (``["alice"]``),
    or None when ``value`` is a list or a table (pydantic's rules stand; tester round 104b, 7)."""
    if isinstance(value, (list, dict, datetime.date, datetime.time)):
        return None
    origin, args = get_origin(annotation), get_args(annotation)
    inner = _bare(args[0]) if args and origin is not tuple else None
    scalar = inner is not None and (scalar_kinds(inner) is not None or is_date(inner))
    fix = f"[{_toml(value)}]" if scalar else toml_example(annotation)
    found = "a string" if isinstance(value, str) else _SAID.get(type(value), "a value")
    return f"{found}, where a list is expected: write {fix}"


def _walk(annotation: Any, value: Any, loc: tuple[Any, ...]) -> Iterator[Found]:
    """``(loc, what is wrong)`` for each value under ``value`` the field ``annotation`` must not read (module doc)."""
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
    if origin in (list, set, frozenset, tuple) and (said := _not_a_list(annotation, value)):
        yield loc, said
        return
    if origin in (list, set, frozenset) and isinstance(value, list) and args:
        for index, item in enumerate(value):
            yield from _walk(args[0], item, (*loc, index))
        return
    if origin is tuple and isinstance(value, list) and args:
        for index, item in enumerate(value):
            yield from _walk(args[0] if args[-1] is Ellipsis else args[min(index, len(args) - 1)], item, (*loc, index))
        return
    if is_date(annotation):
        if (said := _not_a_date(value)) is not None:
            yield loc, said
        return
    kinds = scalar_kinds(annotation)
    if not kinds:
        return
    if isinstance(value, float) and int in kinds and float not in kinds:
        yield loc, _decimal(value, str in kinds)
    elif (expected := mismatch(kinds, value)) is not None:
        yield loc, _said(type(value), expected, str in kinds)


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
    Source: tester rounds 102b, 5; 104b, 3 and 7."""
    lines: dict[tuple[str, ...], str] = {}
    for loc, said in _fields(model, in_file, ()):
        if any(loc[: len(key)] == key for key in env_names):
            continue
        at = f" (line {number})" if (number := line_of(text, loc)) else ""
        path = ".".join(str(p) for p in loc)
        lines[tuple(str(p) for p in loc)] = f"{source}: {path}{at}: {said}"
    return lines
