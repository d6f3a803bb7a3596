"""Which of lmsync's plans a saved plan's text holds (tester round 97b, 8c and 8d); the file itself is read by
``lmsync.service.plan_files``.

Each command is also given the other's plan now and then: :func:`plan_kind` tells them apart, so the
refusal says which command takes the file (``grades push`` said only "4 validation errors for GradesPlan").
:func:`validation_problem` is pydantic's first complaint in words, the operation named by its index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from lmsync.errors import InputError

__all__ = ["plan_kind", "validated", "validation_problem"]

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], text: str, source: str, *, what: str, fix: str) -> M:
    """``model`` read from the JSON ``text`` of the file ``source``; :class:`InputError` (exit 3) saying it is not
    ``what`` ("an lmsync plan") with pydantic's first complaint in words (``validation_problem``), or the JSON
    parser's when it is no JSON at all, and ``fix`` as the hint: never a traceback."""
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        raise InputError(f"{source}: not {what} ({validation_problem(exc.errors())})", hint=fix) from None
    except (ValueError, RecursionError) as exc:  # not JSON at all, or nested past any plan's depth
        raise InputError(f"{source}: not {what} ({str(exc).splitlines()[0]})", hint=fix) from None


def plan_kind(text: str) -> Literal["sync", "grades"] | None:
    """Which plan ``text`` (a file's JSON) looks like: ``"sync"`` (``lmsync plan --out``: its ``format`` is
    ``lmsync-plan/...``), ``"grades"`` (``lmsync grades plan --out``: it has ``itemnumbers`` and
    ``requests``), or None (not a JSON object, or neither). Raises nothing."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # nested past Python's limit: no plan either (tester round 98b, 6)
        return None
    if not isinstance(data, dict):
        return None
    if str(data.get("format", "")).startswith("lmsync-plan/"):
        return "sync"
    if "itemnumbers" in data and "requests" in data:
        return "grades"
    return None


def validation_problem(errors: Sequence[Any]) -> str:
    """The first of pydantic's ``errors`` (``ValidationError.errors()``) in words: ``operation 3 (add_member),
    field 'user_id': ...`` for a saved plan's operation, else the dotted field; "; and N more problem(s)"."""
    first = errors[0]
    loc = list(first.get("loc", ()))
    msg = str(first.get("msg", "invalid"))
    if len(loc) >= 2 and loc[0] == "operations" and isinstance(loc[1], int):
        where = f"operation {loc[1]}"
        rest = [str(part) for part in loc[2:]]
        if rest:  # (kind, field...): pydantic names the kind it tried first
            where += f" ({rest[0]})"
            if rest[1:]:
                where += f", field {'.'.join(rest[1:])!r}"
        text = f"{where}: {msg}"
    else:
        text = f"{'.'.join(str(p) for p in loc) or 'the file'}: {msg}"
    more = len(errors) - 1
    return text + (f"; and {more} more problem(s)" if more else "")
