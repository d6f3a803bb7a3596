"""An operation of the sync plan in the words an admin reads, as ``lmsync plan`` prints it.

People by name and username when a ``People`` is given (``lmsync.service.labels``), else as ``user #<id>``; a circle
by its mentor's. Used by the plan's rendering (``render.sync``) and by ``lmsync apply``'s refusal, which named an
operation the file lacked by its journal key, ``add_member:lmsync:mentoring-2026:mentor:71:55`` (tester round 108a,
7); it lives with the services as a service never imports a renderer (``.importlinter``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lmsync.domain.seen_names import quoted_seen, seen
from lmsync.service.labels import People
from lmsync.visible import quoted

__all__ = ["LABELS", "circle", "describe", "hand_added", "kind_label", "operation_words"]

LABELS = {
    "create_grouping": "create grouping",
    "update_grouping": "rename grouping",
    "create_group": "create group",
    "update_group": "rename group (or put its ID number back)",
    "unassign_grouping": "take doubly linked group out of grouping",
    "assign_grouping": "put group in grouping",
    "remove_member": "remove member",
    "add_member": "add member",
    "post_welcome": "post welcome discussion",
    "delete_group": "DELETE group",
    "delete_duplicate_group": "DELETE duplicate of an lmsync group",
    "delete_duplicate_grouping": "DELETE duplicate of lmsync's grouping",
}


def kind_label(kind: str, ops: Sequence[object]) -> str:
    """The plan's label of ``ops``, its operations of ``kind``: ``LABELS[kind]``, but lmsync's grouping's updates
    say what they do: ``put back grouping ID number`` when each only puts its ID number back (``idnumber_was`` set,
    no ``name_was``), ``rename grouping and put back its ID number`` when they do both. Source: tester round 118a,
    4 (a put-back read "rename grouping: 1"). Raises KeyError for a kind ``LABELS`` lacks."""
    if kind != "update_grouping":
        return LABELS[kind]
    back = [getattr(op, "idnumber_was", None) is not None for op in ops]
    renamed = [not was or getattr(op, "name_was", None) is not None for op, was in zip(ops, back, strict=True)]
    if any(back):
        return "rename grouping and put back its ID number" if any(renamed) else "put back grouping ID number"
    return LABELS[kind]


_MENTOR = re.compile(r":mentor:(\d+)$")


def circle(idnumber: str, people: People | None) -> str:
    """A circle as a coordinator knows it, its mentor's: ``Olivia Takahashi (m0003)'s circle``; the
    idnumber without ``people`` (tester round 17, 8: "to lmsync:mentoring-2026:mentor:74" named nobody)."""
    found = _MENTOR.search(idnumber)
    if people is None or found is None:
        return idnumber
    return f"{people.label(int(found.group(1)))}'s circle"


def hand_added(users: tuple[int, ...], people: People | None) -> str:
    """What a circle's deletion adds of members lmsync did not put there (``DeleteGroup.hand_added``), each named
    as the plan names people; "" when none. Their membership goes with the group (tester round 103b, 6)."""
    if not users:
        return ""
    named = ", ".join(people.label(user) if people is not None else f"user #{user}" for user in users)
    return (f"; it still holds {len(users)} member(s) not put there by lmsync (no mentor or mentee role: added by "
            f"hand), whose membership goes with the group: {named}")


def describe(op: object, people: People | None = None) -> str:
    """What ``op`` (an operation of ``domain.operations``) does, as the plan lists it under its kind's label
    (``LABELS``): ``Gabriela Van Dijk (s0053) to Aoife Müller (m0006)'s circle (put back: ...)``; ``str(op)`` for
    an unknown kind. A group's name as Moodle returned it (a rename's ``name_was``, a deletion's ``name``) is
    printed as Moodle shows it (``seen_names``; tester round 117b, 5)."""
    kind = getattr(op, "kind", "")
    if kind in ("create_grouping", "update_grouping", "create_group", "update_group"):
        was = getattr(op, "idnumber_was", None)  # a put-back, not a rename (renumbered_circles; tester round 103b, 2)
        back = "" if was is None else (" (ID number put back: cleared in Moodle" if not was else
                                       f" (ID number put back: changed in Moodle to {quoted(was)}")
        named = getattr(op, "name_was", None)  # renamed: the name it has now (tester rounds 104a, 10; 105a, 9a)
        named = seen(named) if named and kind == "update_group" else named  # as Moodle shows it (117b, 5)
        if was is None:
            back = f" (renamed from {quoted(named)})" if named else ""
        else:
            back += f"; renamed back from {quoted(named)})" if named else ")"
        return f"{quoted(op.name)} [{op.idnumber}]{back}"  # type: ignore[attr-defined]
    if kind == "assign_grouping":
        return f"{circle(op.group, people)} -> lmsync's grouping [{op.grouping}]"  # type: ignore[attr-defined]
    if kind in ("add_member", "remove_member"):
        reason = getattr(op, "reason", "")
        who = people.label(op.user_id) if people is not None else f"user #{op.user_id}"  # type: ignore[attr-defined]
        where = circle(op.group, people)  # type: ignore[attr-defined]
        return f"{who} {'to' if kind == 'add_member' else 'from'} {where}" + (f" ({reason})" if reason else "")
    if kind == "post_welcome":
        return f"{quoted(op.subject)} in {circle(op.group, people)}"  # type: ignore[attr-defined]
    if kind == "delete_group":
        name = f"{quoted_seen(op.name)} " if getattr(op, "name", "") else ""  # type: ignore[attr-defined]
        lost = getattr(op, "discussions", 0)
        reason = getattr(op, "reason", "")  # one typed into a saved file may have none (tester round 117b, 10)
        why = f" ({reason})" if reason else ""
        return f"{name}[{op.group}]{why}" + hand_added(getattr(op, "hand_added", ()), people) + (  # type: ignore[attr-defined]
            f"; {lost} forum discussion(s) in it stay in the forum without their group: check them first" if lost else "")
    if kind == "unassign_grouping":
        return f"{op.group} from {op.grouping} ({op.reason})"  # type: ignore[attr-defined]
    if kind == "delete_duplicate_group":
        return f"group id {op.group_id}, a second {op.group} ({op.reason})"  # type: ignore[attr-defined]
    if kind == "delete_duplicate_grouping":
        return f"grouping id {op.grouping_id}, a second {op.grouping} ({op.reason})"  # type: ignore[attr-defined]
    return str(op)


def operation_words(op: object, people: People | None = None) -> str:
    """``op`` whole, its kind's label and :func:`describe`: ``add member Gabriela Van Dijk (s0053) to Aoife Müller
    (m0006)'s circle``, as ``lmsync plan`` prints it under ``add member:``. ``lmsync apply`` names an operation a
    saved file lacks so (tester round 108a, 7: it named the journal key)."""
    kind = getattr(op, "kind", "")
    return f"{LABELS.get(kind, kind)} {describe(op, people)}"
