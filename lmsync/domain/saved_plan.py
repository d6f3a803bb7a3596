"""A saved plan is a record of what lmsync planned, not a command language (tester round 4, 2).

``lmsync apply PLAN.json`` reads the file (:func:`read_saved_plan`: a malformed operation is
named by its index) and plans again on a fresh observation of Moodle, with the same guards as
``lmsync plan`` (``--allow-delete``, the mass-removal guard, another programme's people). Only
operations the fresh plan holds, exactly as it holds them, are applied (:func:`checked_against`):
one added, changed (a welcome text, a group) or doubled in the file refuses the whole file. The
fresh plan's own operations are what go out, so welcome texts come from lmsync's template.

A file may lack the fresh plan's group deletions (it was planned without ``--allow-delete``);
anything else it lacks was taken out by hand, and is refused like an addition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from lmsync.domain.operations import Plan
from lmsync.errors import InputError, PlanError

__all__ = ["checked_against", "read_saved_plan"]

#: How many differing operations an error names before "and N more".
NAMED = 5

_REMAKE = "make the plan again with `lmsync plan --out {file} --force`, review it, and apply that file unedited"


def read_saved_plan(text: str, source: str) -> Plan:
    """The plan in ``text`` (read from ``source``); :class:`InputError` naming the operation's index
    and field when one is malformed or of an unknown kind, never a traceback."""
    try:
        return Plan.model_validate_json(text)
    except ValidationError as exc:
        raise InputError(f"{source}: not an lmsync plan ({_problem(exc.errors())})",
                         hint=_REMAKE.format(file=source)) from None
    except ValueError as exc:  # not JSON at all
        raise InputError(f"{source}: not an lmsync plan ({str(exc).splitlines()[0]})",
                         hint=_REMAKE.format(file=source)) from None


def _problem(errors: Sequence[Any]) -> str:
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


def _identity(op: Any) -> str:
    return str(op.model_dump_json())


def checked_against(saved: Plan, fresh: Plan, *, source: str = "PLAN.json") -> Plan:
    """``saved`` with the fresh plan's own operations, when every one of its operations is among
    those lmsync plans now (``fresh``) and it lacks none but group deletions.

    Raises :class:`PlanError` naming how many operations differ, the first few by index, and the
    fix; a deletion lmsync plans only with ``allow_delete`` says so.
    """
    available = Counter(_identity(op) for op in fresh.operations)
    differing: list[int] = []
    for index, op in enumerate(saved.operations):
        identity = _identity(op)
        if available[identity] > 0:
            available[identity] -= 1
        else:
            differing.append(index)
    missing = [op for op in fresh.operations if available[_identity(op)] > 0 and op.kind != "delete_group"]
    if not differing and not missing:
        wanted = Counter(_identity(op) for op in saved.operations)
        kept = []
        for op in fresh.operations:
            if wanted[_identity(op)] > 0:
                wanted[_identity(op)] -= 1
                kept.append(op)
        return saved.model_copy(update={"operations": kept})
    raise PlanError(_describe(saved, fresh, differing, missing), hint=_hint(saved, fresh, differing, len(missing), source))


def _describe(saved: Plan, fresh: Plan, differing: list[int], missing: list[Any]) -> str:
    parts: list[str] = []
    if differing:
        named = "; ".join(f"operation {i}: {saved.operations[i].key}" for i in differing[:NAMED])
        more = f"; and {len(differing) - NAMED} more" if len(differing) > NAMED else ""
        verb = "is" if len(differing) == 1 else "are"
        parts.append(
            f"{len(differing)} of its {len(saved.operations)} operations {verb} not what lmsync plans now "
            f"({named}{more})"
        )
    if missing:  # named as the differing ones are (tester round 34, 8: "lacks 1 of the 9" said not which)
        named = "; ".join(op.key for op in missing[:NAMED])
        more = f"; and {len(missing) - NAMED} more" if len(missing) > NAMED else ""
        parts.append(f"it lacks {len(missing)} of the {len(fresh.operations)} operations lmsync plans now ({named}{more})")
    return "Refusing the saved plan: " + "; and ".join(parts) + ". A saved plan is applied only as lmsync made it."


def _hint(saved: Plan, fresh: Plan, differing: list[int], missing: int, source: str) -> str:
    hint = _REMAKE.format(file=source)
    skipped = set(fresh.skipped_deletes)
    held_deletes = [
        i for i in differing if saved.operations[i].kind == "delete_group" and getattr(saved.operations[i], "group", None) in skipped
    ]
    if held_deletes and len(held_deletes) == len(differing) and not missing:  # tester round 5, 7
        return (
            f"add --allow-delete to `lmsync apply {source}`: the file deletes {len(held_deletes)} circle(s), which "
            f"lmsync plans only with --allow-delete (as on `lmsync plan`); or {hint}"
        )
    if held_deletes:
        hint += f"; {len(held_deletes)} of them delete circles, which needs --allow-delete on `lmsync apply` as on `lmsync plan`"
    return hint
