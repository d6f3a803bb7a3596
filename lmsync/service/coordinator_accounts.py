"""Coordinators whose own Moodle account is suspended (tester round 113, 3).

``[health] coordinators`` and ``escalate_to`` are read with core_user_get_users_by_field, the one read that says
``"suspended": true`` of an account (trap 41). A suspended account cannot sign in to read a digest or act on an item,
so, as a suspended mentor is never placed:

- the queue gives a suspended coordinator no new item while another coordinator is active, and ``reassign`` moves
  their items to the active ones (``active_coordinators``; when every coordinator is suspended they keep owning
  items, as there is nobody else, and the digest step says an admin must act);
- the digest is not sent to a suspended account: the run's digest line names it (``suspended_note``; its log line
  names the configured entry and Moodle id only: ``suspended_logged``);
- ``lmsync doctor`` warns (``doctor_lines``), with the fix: re-activate the account or change the setting.

Only the account is read here: a coordinator need not be enrolled in the programme's course (a Moodle message
reaches any account), so an enrolment that is suspended, ended or absent says nothing about them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: The fix said with each suspended coordinator.
FIX = ("re-activate their Moodle account (Site administration > Users > Browse list of users: edit the user, untick "
       "Suspended account), or take them out of [health] {key}")


def suspended_usernames(users: Iterable[Any]) -> set[str]:
    """The usernames of the accounts (core_user_get_users_by_field rows) Moodle says are suspended."""
    return {str(u.username) for u in users if u.username and getattr(u, "suspended", False) is True}


def suspended_of(users: Iterable[Any], names: Sequence[str]) -> dict[str, int]:
    """Username -> Moodle id of those of ``names`` (in their order) whose account ``users`` (core_user_get_users_by_field
    rows) says is suspended."""
    ids = {str(u.username): int(u.id) for u in users if u.username}
    off = suspended_usernames(users)
    return {n: ids[n] for n in names if n in off}


def active_coordinators(names: Sequence[str], suspended: Iterable[str]) -> list[str]:
    """``names`` (in their order) without the ``suspended`` ones, unless that leaves none: then every one of
    ``names``, so that items keep an owner who is told once their account is active again."""
    off = set(suspended)
    active = [n for n in names if n not in off]
    return active or list(names)


def _key(name: str, escalate_to: str, coordinators: Sequence[str]) -> str:
    return "escalate_to" if name == escalate_to and name not in coordinators else "coordinators"


def suspended_note(suspended: Sequence[str], escalate_to: str, coordinators: Sequence[str]) -> str:
    """What the run's digest line adds of the suspended accounts sent no digest (``"; warning: ..."``, else "")."""
    if not suspended:
        return ""
    keys = " or ".join(sorted({f"[health] {_key(n, escalate_to, coordinators)}" for n in suspended}))
    moved = any(n in coordinators for n in suspended) and not all_suspended(suspended, coordinators)
    items = ", and their queue items go to the active coordinators" if moved else ""
    return (f"; warning: {', '.join(suspended)} listed in {keys}: Moodle account suspended: sent no digest{items}; "
            f"re-activate the account or take them out of {keys}")


def suspended_logged(suspended: Mapping[str, int], escalate_to: str, coordinators: Sequence[str]) -> str:
    """``suspended_note`` as a log line carries it: each of ``suspended`` (username -> Moodle id) by its configured
    entry and Moodle id, not by name."""
    if not suspended:
        return ""
    entries = []
    for name, uid in suspended.items():
        key = _key(name, escalate_to, coordinators)
        where = f"entry {list(coordinators).index(name) + 1}" if key == "coordinators" else "entry"
        entries.append(f"[health] {key} {where} (Moodle id {uid})")
    return f"; warning: Moodle account suspended: {', '.join(entries)}: sent no digest"


def all_suspended(suspended: Iterable[str], coordinators: Sequence[str]) -> bool:
    """Whether every one of ``coordinators`` is suspended (nobody active is given the queue)."""
    return bool(coordinators) and set(coordinators) <= set(suspended)


def doctor_lines(keys: Sequence[tuple[str, str]], users: Iterable[Any],
                 coordinators: Sequence[str]) -> list[tuple[str, str, str]]:
    """``lmsync doctor``'s warnings, (check name, detail, fix), one per configured (username, key) of ``keys``
    whose account is suspended, naming the entry and its Moodle id."""
    rows = {str(u.username): u for u in users if u.username}
    off = suspended_usernames(rows.values())
    every = all_suspended(off, coordinators)
    out = []
    for name, key in keys:
        if name not in off:
            continue
        what = ("gets no digest" + ("" if every or key != "coordinators"
                                    else ", and their queue items go to the other coordinators"))
        if every and key == "coordinators":
            what += "; every coordinator is suspended, so they keep their queue items and nobody is told of them"
        out.append((f"health {key}", f"[health] {key}: \"{name}\" (Moodle id {rows[name].id}): Moodle account "
                    f"suspended: {what}", FIX.format(key=key)))
    return out
