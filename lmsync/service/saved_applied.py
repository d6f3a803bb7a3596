"""A saved plan run again after it was applied is said so, exit 0, nothing written (tester round 106b, 4).

``lmsync apply plan.json`` twice said "Moodle changed since the plan was made ... 133 of its 133 operations are
not what lmsync plans now" (exit 2: an admin must act), and ``lmsync grades push g.json`` twice "the gradebook
changed since ... 14 of its 14 requested writes", while ``lmsync grades plan`` said "no changes": a retried cron
script was told to get an admin for nothing. When lmsync plans nothing now and Moodle already holds every write
the file asks for, the file was applied (by itself, or by a sync since): :func:`sync_plan_applied` and
:func:`grades_plan_pushed` return a report saying so. Any other mismatch keeps the refusal; an edited sync plan
(its ``operations_digest`` no longer matches) too. What Moodle holds is read from the observation the fresh plan
was made on, so this costs no request.

A file saved when lmsync planned nothing (``lmsync plan --out`` with Moodle in step), applied later, printed "Applied
in 0 batches, 0.0s: nothing" (tester round 108a, 10): :func:`nothing_to_apply` says the file holds no operations and
lmsync plans none now; when lmsync plans some now, :func:`checked_in_words` refuses the file saying so, as it refuses
any file that lacks what lmsync plans, each lacking operation in an admin's words (tester round 108a, 7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lmsync.config import Config
from lmsync.domain.operations import Operation, Plan
from lmsync.domain.saved_plan import checked_against, edited
from lmsync.domain.sync_state import Observation
from lmsync.moodle.text import format_string
from lmsync.service.executor import ExecReport
from lmsync.service.grade_state import GradeState
from lmsync.service.grades_plan import GradesPlan
from lmsync.service.grades_push import PushReport, verify
from lmsync.service.labels import Named, People
from lmsync.service.operation_words import operation_words
from lmsync.service.run_ids import new_run_id
from lmsync.store.db import Store
from lmsync.store.meetings import SentComments

__all__ = ["AlreadyApplied", "AlreadyPushed", "already_words", "checked_in_words", "grades_plan_pushed", "held",
           "nothing_to_apply", "sync_plan_applied"]


def already_words(source: str) -> str:
    """The line said for a file already applied: ``already applied: Moodle already holds what SOURCE asks; ...``."""
    return f"already applied: Moodle already holds what {source} asks; nothing to do"


@dataclass
class AlreadyApplied(ExecReport):
    """An apply that wrote nothing as the saved file was applied already; ``words``: what to say."""

    words: str = ""


@dataclass
class AlreadyPushed(PushReport):
    """A grades push that wrote nothing as the saved file was pushed already; ``words``: what to say."""

    words: str = ""


def held(op: Operation, observation: Observation) -> bool:
    """Whether Moodle, as ``observation`` shows it, already holds what ``op`` writes (a group by idnumber
    with the op's name, a member in or out of its circle, a welcome in the circle, a group or copy gone).

    Names are compared as the planner compares them: a group's as Moodle returns it, through
    ``format_string`` (``&`` -> ``&amp;``, ``<`` -> ``&lt;``, trap 39), the grouping's as stored, trimmed.
    Comparing the sent text refused every plan naming a mentor ``Tom & Jerry`` or ``Tom <b>Bold</b>`` as
    "Moodle changed" when applied again (tester round 114a, 1)."""
    groups = {g.idnumber: g for g in observation.groups}
    group = groups.get(getattr(op, "group", ""))
    if op.kind in ("create_grouping", "update_grouping"):
        now = observation.grouping_name
        return observation.grouping_id is not None and now is not None and now.strip() == op.name.strip()
    if op.kind in ("create_group", "update_group"):
        named = groups.get(op.idnumber)
        return named is not None and named.name == format_string(op.name)
    if op.kind == "assign_grouping":
        return group is not None and group.in_grouping
    if op.kind == "unassign_grouping":
        return group is not None and group.links <= 1
    if op.kind == "add_member":
        return group is not None and op.user_id in group.members
    if op.kind == "remove_member":
        return group is None or op.user_id not in group.members
    if op.kind == "post_welcome":
        return group is not None and any(d.groupid == group.id for d in observation.discussions)
    if op.kind == "delete_group":
        return group is None
    if op.kind == "delete_duplicate_group":
        return all(g.id != op.group_id for g in (*observation.groups, *observation.disowned))
    if op.kind == "delete_duplicate_grouping":
        return op.grouping_id not in observation.extra_grouping_ids
    return False


def sync_plan_applied(saved: Plan, fresh: Plan, observation: Observation, source: str) -> AlreadyApplied | None:
    """An :class:`AlreadyApplied` report when ``saved`` (read from ``source``, not edited) asks for writes, lmsync
    plans none now (``fresh``, made on ``observation``), and Moodle holds every one (:func:`held`); else None
    (the caller refuses the file as before). Source: tester round 106b, 4."""
    if not saved.operations or fresh.operations or fresh.pending or edited(saved):
        return None
    if not all(held(op, observation) for op in saved.operations):
        return None
    return AlreadyApplied(run_id="already-applied", words=already_words(source))


def grades_plan_pushed(saved: GradesPlan, fresh: GradesPlan, state: GradeState, store: Store,
                       source: str) -> AlreadyPushed | None:
    """An :class:`AlreadyPushed` report when ``saved`` (read from ``source``) requests writes, lmsync plans none
    now and has nothing to leave for an admin (``fresh.in_sync``), and the gradebook read (``state``) holds every
    one: each item once at its itemnumber with its details and grades (``grades_push.verify``), each assignment
    grade, and each comment as the store recorded it sent (Moodle cannot be asked, trap 30); else None (the caller
    refuses the file as before). Source: tester round 106b, 4."""
    if saved.empty or not fresh.in_sync or saved.course_id != fresh.course_id:
        return None
    if any(len(state.at(r.itemnumber)) != 1 for r in saved.requests):
        return None
    if verify(saved, state)[1]:
        return None
    if saved.assignment_id is not None:
        sent = SentComments(store, saved.programme).get(saved.assignment_id)
        if any(a.comment is not None and sent.get(a.user_id) != a.comment for chunk in saved.assign_requests for a in chunk):
            return None
    return AlreadyPushed(new_run_id(), words=already_words(source))


def checked_in_words(saved: Plan, fresh: Plan, now: str, roster: Mapping[int, Named], config: Config,
                     source: str) -> Plan:
    """``domain.saved_plan.checked_against`` of ``saved`` (read from ``source``) against ``fresh``, Moodle's
    fingerprint ``now`` telling whether Moodle changed since ``saved`` was made; an operation the file lacks is
    named as ``lmsync plan`` prints it (``operation_words``; people from ``roster``, by name unless ``[privacy]
    show_names`` is off), not by its journal key (tester round 108a, 7). Raises ``PlanError`` as it does."""
    people = People(roster, config.privacy.show_names)
    return checked_against(saved, fresh, source=source, moodle_changed=now != saved.fingerprint,
                           describe=lambda op: operation_words(op, people))


def nothing_to_apply(fresh: Plan, source: str) -> AlreadyApplied:
    """What ``lmsync apply`` says, exit 0, nothing written, of a saved file with no operations that lmsync accepted
    against ``fresh`` (its plan now): lmsync plans nothing now either ("nothing to apply: SOURCE holds no
    operations, and lmsync plans none now ..."), or only circle deletions, which a file planned without
    ``--allow-delete`` may lack (then: run ``lmsync plan`` again). It printed "Applied in 0 batches, 0.0s: nothing"
    (tester round 108a, 10); a file with none where lmsync plans other writes is refused (``checked_in_words``)."""
    if not fresh.operations:
        return AlreadyApplied(run_id="already-applied", words=f"nothing to apply: {source} holds no operations, and "
                              "lmsync plans none now (Moodle already matches); nothing was written")
    return AlreadyApplied(run_id="already-applied", words=(
        f"nothing to apply: {source} holds no operations, and nothing was written; lmsync now plans "
        f"{len(fresh.operations)} circle deletion(s), which a plan made without --allow-delete leaves out: run "
        "`lmsync plan --allow-delete --out plan.json` again, review the new plan, and apply that file"))
