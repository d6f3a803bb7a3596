"""A saved plan is a record of what lmsync planned, not a command language (tester round 4, 2).

``lmsync apply PLAN.json`` reads the file (:func:`read_saved_plan`: a malformed operation is
named by its index) and plans again on a fresh observation of Moodle, with the same guards as
``lmsync plan`` (``--allow-delete``, the mass-removal guard, another programme's people). Only
operations the fresh plan holds, exactly as it holds them, are applied (:func:`checked_against`):
one added, changed (a welcome text, a group) or doubled in the file refuses the whole file. The
fresh plan's own operations are what go out, so welcome texts come from lmsync's template.

A file may lack the fresh plan's group deletions (it was planned without ``--allow-delete``);
anything else it lacks was taken out by hand, and is refused like an addition.

Edited, or planned on inputs that changed? ``lmsync plan --out`` writes the file :func:`sealed`: with
``operations_digest``, a digest of its operations (as a multiset, since apply compares them so). A refusal
says which (:func:`edited`): operations that no longer match the digest were edited; ones that match were
not, so what the plan was made from changed since: Moodle (its profile fields, such as a capacity, are not
in the fingerprint), the store or lmsync.toml. A file written before the digest cannot tell, and says both.
Source: tester finding, `plan --out`, a mentor's capacity edited in Moodle, `apply`: "it lacks 8 of the 8
operations ... A saved plan is applied only as lmsync made it" for a file nobody edited. The digest is no
seal against tampering: one who edits the operations and the digest alike gets the "changed" wording, and
the file is refused all the same.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lmsync.domain.operations import Operation, Plan
from lmsync.domain.plan_files import plan_kind, validated
from lmsync.errors import InputError, PlanError

__all__ = ["checked_against", "edited", "operations_digest", "read_saved_plan", "sealed", "FIRST_PLAN"]

#: How many differing operations an error names before "and N more".
NAMED = 5

FIRST_PLAN = "make a plan with `lmsync plan --out plan.json`, review it, and apply that file: `lmsync apply plan.json`"
_RENEW = "make a new plan with `lmsync plan --out {file} --force`, review it, and apply that file"


def _remake(source: str) -> str:
    """The fix for a file edited (or that may have been): a new plan under a new name beside ``source``
    (``bad/edited.json`` -> ``bad/edited-new.json``), so the edited copy is kept; ``--force`` over the very file
    the admin edited was the fix before (tester round 99b, 7)."""
    path = Path(source)
    new = shlex.quote(str(path.with_name(f"{path.stem}-new{path.suffix}")))
    return (f"make a new plan under a new name, which keeps your edited copy: `lmsync plan --out {new}`, review it, "
            f"and apply that file unedited: `lmsync apply {new}`")


def read_saved_plan(text: str, source: str) -> Plan:
    """The plan in ``text`` (read from ``source``); :class:`InputError` naming the operation's index
    and field when one is malformed or of an unknown kind, never a traceback.

    The fix names ``source`` only when it holds a sync plan (an edited one): for another file (lmsync.toml,
    a store, a token file) ``lmsync plan --out FILE --force`` was a command lmsync then refused, so it names
    ``plan.json``; a grades plan is named so, with ``lmsync grades push`` (tester round 97b, 8c)."""
    kind = plan_kind(text)
    if kind == "grades":
        raise InputError(f"{source}: not an lmsync plan: it is a grades plan (from `lmsync grades plan --out`)",
                         hint=f"push it with `lmsync grades push {source}`; to apply circles, {FIRST_PLAN}")
    fix = _remake(source) if kind == "sync" else FIRST_PLAN
    return validated(Plan, text, source, what="an lmsync plan", fix=fix)


def _identity(op: Any) -> str:
    return str(op.model_dump_json())


def operations_digest(plan: Plan) -> str:
    """16 hex digits of a SHA-256 over ``plan``'s operations, each as :func:`checked_against` compares
    them, in sorted order (reordering them is not an edit apply can see)."""
    identities = sorted(_identity(op) for op in plan.operations)
    return hashlib.sha256(json.dumps(identities).encode()).hexdigest()[:16]


def sealed(plan: Plan) -> Plan:
    """``plan`` carrying the digest of its operations, as ``lmsync plan --out`` writes it."""
    return plan.model_copy(update={"operations_digest": operations_digest(plan)})


def edited(plan: Plan) -> bool | None:
    """Whether a saved plan's operations were edited since lmsync wrote it: ``None`` when the file
    carries no digest (written by an lmsync before it), so nobody can tell."""
    if not plan.operations_digest:
        return None
    return plan.operations_digest != operations_digest(plan)


def checked_against(saved: Plan, fresh: Plan, *, source: str = "PLAN.json", moodle_changed: bool = False,
                    describe: Callable[[Operation], str] | None = None) -> Plan:
    """``saved`` with the fresh plan's own operations, when every one of its operations is among
    those lmsync plans now (``fresh``) and it lacks none but group deletions.

    Raises :class:`PlanError` naming how many operations differ, the first few by index, why (the
    file's operations were edited, or what it was planned from changed: :func:`edited`), and the
    fix; a deletion lmsync plans only with ``allow_delete`` says so. One whose key lmsync plans now with
    other values is said once, as changed, by the names of its fields that differ (:func:`_changed`;
    tester round 99b, 7); the fix for a file that may be edited names a new file (``_remake``). ``moodle_changed``: the caller
    says Moodle's fingerprint changed, so an unedited file's refusal does not say it again. ``describe``: an operation
    in an admin's words (``service.operation_words``; default: its journal key, ``Operation.key``): one the file lacks,
    which has no index there to find it by (tester round 108a, 7), and one of the file's, after its index (tester
    round 117b, 10: ``operation 2: remove_member:lmsync:mentoring-2026:mentor:72:33``). A file as lmsync wrote it with
    no operations says so, and what lmsync plans now (tester round 108a, 10).
    """
    available = Counter(_identity(op) for op in fresh.operations)
    differing: list[int] = []
    for index, op in enumerate(saved.operations):
        identity = _identity(op)
        if available[identity] > 0:
            available[identity] -= 1
        else:
            differing.append(index)
    planned_as: dict[int, Operation] = {}
    changed = _changed(saved, fresh, differing, available, planned_as)
    missing = [op for op in fresh.operations if available[_identity(op)] > 0 and op.kind != "delete_group"]
    if not differing and not missing:
        wanted = Counter(_identity(op) for op in saved.operations)
        kept = []
        for op in fresh.operations:
            if wanted[_identity(op)] > 0:
                wanted[_identity(op)] -= 1
                kept.append(op)
        return saved.model_copy(update={"operations": kept})
    held = _held_deletes(saved, fresh, differing)
    only_held = bool(held) and len(held) == len(differing) and not missing
    state = edited(saved)
    message = _describe(saved, fresh, differing, missing, changed, describe or _key, planned_as) + _cause(state, only_held=only_held, moodle_changed=moodle_changed)
    raise PlanError(message, hint=_hint(held, only_held, state is False, source))


def _changed(saved: Plan, fresh: Plan, differing: list[int], available: Counter[str],
             planned_as: dict[int, Operation] | None = None) -> dict[int, list[str]]:
    """Index -> names of the fields that differ, for each of ``differing`` whose key lmsync plans now with
    other values; the fresh operation it pairs with is taken from ``available`` (so it is not also "lacked").

    Tester round 99b, 7: a group renamed in the file was named twice, as "not what lmsync plans now" and as
    lacking, and which field differed was not said. Fields are named, never their values (a group's name
    holds its mentor's). ``planned_as``: filled with index -> the operation lmsync plans now in its place, by which
    a refusal names it (tester round 117b, 10: by its values as lmsync plans them, not the file's)."""
    remaining, leftover = Counter(available), dict[str, list[Any]]()
    for op in fresh.operations:
        if remaining[_identity(op)] > 0:
            remaining[_identity(op)] -= 1
            leftover.setdefault(op.key, []).append(op)
    changed: dict[int, list[str]] = {}
    for index in differing:
        op = saved.operations[index]
        if not leftover.get(op.key):
            continue
        planned = leftover[op.key].pop(0)
        available[_identity(planned)] -= 1
        if planned_as is not None:
            planned_as[index] = planned
        mine, theirs = op.model_dump(), planned.model_dump()
        changed[index] = sorted(name for name in mine.keys() | theirs.keys() if mine.get(name) != theirs.get(name))
    return changed


def _fields(names: list[str]) -> str:
    """``its name differs``, ``its message and subject differ``."""
    said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"its {said} {'differs' if len(names) == 1 else 'differ'}"


def _key(op: Operation) -> str:
    """``op`` by its journal key, as a refusal names it without an admin's words (``checked_against``)."""
    return op.key


def _describe(saved: Plan, fresh: Plan, differing: list[int], missing: list[Any], changed: dict[int, list[str]],
              words: Callable[[Operation], str], planned_as: dict[int, Operation] | None = None) -> str:
    parts: list[str] = []
    total = len(saved.operations)
    if changed:  # one operation lmsync plans now with another value: said once, with its fields (round 99b, 7)
        named = "; ".join(f"operation {i} ({words((planned_as or {}).get(i, saved.operations[i]))}): {_fields(fields)}"
                          for i, fields in list(changed.items())[:NAMED])
        more = f"; and {len(changed) - NAMED} more" if len(changed) > NAMED else ""
        verb = "is" if len(changed) == 1 else "are"
        parts.append(f"{len(changed)} of its {total} operations {verb} changed from what lmsync plans now ({named}{more})")
    extra = [i for i in differing if i not in changed]
    if extra:
        named = "; ".join(f"operation {i}: {words(saved.operations[i])}" for i in extra[:NAMED])  # 117b, 10
        more = f"; and {len(extra) - NAMED} more" if len(extra) > NAMED else ""
        verb = "is" if len(extra) == 1 else "are"
        parts.append(f"{len(extra)} of its {total} operations {verb} not what lmsync plans now ({named}{more})")
    if missing:  # named as the differing ones are (tester round 34, 8: "lacks 1 of the 9" said not which)
        named = "; ".join(words(op) for op in missing[:NAMED])  # in words (tester round 108a, 7)
        more = f"; and {len(missing) - NAMED} more" if len(missing) > NAMED else ""
        if not total and edited(saved) is False:  # saved when lmsync planned nothing (tester round 108a, 10)
            parts.append(f"the file holds no operations (lmsync planned none when it was saved), and lmsync now plans "
                         f"{len(fresh.operations)} ({named}{more})")
        else:
            parts.append(f"it lacks {len(missing)} of the {len(fresh.operations)} operations lmsync plans now "
                         f"({named}{more})")
    return "Refusing the saved plan: " + "; and ".join(parts) + "."


def _cause(state: bool | None, *, only_held: bool, moodle_changed: bool) -> str:
    """Why the file differs, as far as its digest tells (``state``: :func:`edited`)."""
    if state:
        return (" Its operations were edited after lmsync wrote the file (they no longer match the file's "
                "operations_digest): a saved plan is applied only as lmsync made it.")
    if state is None:
        if moodle_changed:
            return " A saved plan is applied only as lmsync made it."
        return (" A saved plan is applied only as lmsync made it: either its operations were edited, or Moodle "
                "(profile fields such as a capacity too), the store or lmsync.toml changed since the plan was made "
                "(this file, written by an earlier lmsync, carries no digest of its operations to tell which).")
    if only_held:
        return " The file is as lmsync wrote it, with deletions this apply is not allowed to make."
    if moodle_changed:
        return " The file is as lmsync wrote it."
    return (" The file is as lmsync wrote it: Moodle, the store or lmsync.toml changed since the plan was made "
            "(profile fields such as a capacity are read anew).")


def _held_deletes(saved: Plan, fresh: Plan, differing: list[int]) -> list[int]:
    """The indexes among ``differing`` of circle deletions lmsync holds back now (no ``allow_delete``)."""
    skipped = set(fresh.skipped_deletes)
    return [
        i for i in differing if saved.operations[i].kind == "delete_group" and getattr(saved.operations[i], "group", None) in skipped
    ]


def _hint(held_deletes: list[int], only_held: bool, unedited: bool, source: str) -> str:
    hint = _RENEW.format(file=source) if unedited else _remake(source)
    if only_held:  # tester round 5, 7
        return (
            f"add --allow-delete to `lmsync apply {source}`: the file deletes {len(held_deletes)} circle(s), which "
            f"lmsync plans only with --allow-delete (as on `lmsync plan`); or {hint}"
        )
    if held_deletes:
        hint += f"; {len(held_deletes)} of them delete circles, which needs --allow-delete on `lmsync apply` as on `lmsync plan`"
    return hint
