"""The writes a plan holds back, named: which write is waiting, and where (tester round 102b, 4).

After a crash, ``lmsync sync`` exited "1 write(s) sent earlier may still commit ... about 10 min from now" and
``lmsync plan`` showed "0 operations" with the same words: nothing said which write was waiting (one circle's
welcome discussion). A held write is known by its journal key only (``Plan.pending``, the keys of
``lmsync.domain.operations``: ``<kind>:<key field>:...``, e.g. ``post_welcome:lmsync:p:mentor:67`` or
``add_member:lmsync:p:mentor:67:81``); here each becomes its kind and target in the plan's words, a circle by its
mentor (``Olivia Takahashi (m0003)'s circle``) when ``People`` can name them, else by its ID number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from lmsync.domain.ownership import mentor_of_idnumber
from lmsync.service.labels import People

#: How each kind of held write is said (the kinds of ``HELD_WHILE_PENDING``; any other as its kind).
WORDS = {
    "create_grouping": "create lmsync's grouping",
    "create_group": "create group",
    "assign_grouping": "put group in lmsync's grouping",
    "add_member": "add member",
    "post_welcome": "post welcome discussion",
}


@dataclass(frozen=True)
class HeldWrite:
    """One held write: ``kind`` (an operation kind), ``key`` (its journal key), ``what`` (kind and target in words,
    ``post welcome discussion in Olivia Takahashi (m0003)'s circle``)."""

    kind: str
    key: str
    what: str

    def to_dict(self) -> dict[str, Any]:
        """``{"kind", "key", "what"}`` for JSON."""
        return asdict(self)


def held_writes(keys: Iterable[str], programme: str, people: People | None = None) -> list[HeldWrite]:
    """``keys`` (journal keys of writes sent earlier that may still commit) as ``HeldWrite``, in their order.
    A key of no known shape is said as it is (never raises)."""
    return [_held(key, programme, people) for key in keys]


def held_said(keys: Iterable[str], programme: str, people: People | None = None, *, shown: int = 5) -> str:
    """The held writes in one phrase: the first ``shown`` by ``what``, ``; ``-separated, then ``and N more``; ""
    when there are none."""
    said = [h.what for h in held_writes(keys, programme, people)]
    rest = len(said) - shown
    return "; ".join(said[:shown]) + (f"; and {rest} more" if rest > 0 else "")


def held_ids(keys: Iterable[str], *, shown: int = 20) -> list[dict[str, Any]]:
    """The first ``shown`` held writes for JSON and logs, ids and kinds only (no name, whatever ``[privacy]
    show_names``): each ``{"kind": "add_member", "circle": "lmsync:p:mentor:67", "user_id": 81}``, ``circle`` the
    circle's ID number (None for lmsync's grouping), ``user_id`` the Moodle id of the member added (None for
    another kind). ``lmsync run``'s sync step only counted them (tester round 129, 2)."""
    items = []
    for key in list(keys)[:shown]:
        kind, _, target = key.partition(":")
        group, _, user = target.rpartition(":") if kind == "add_member" else (target, "", "")
        items.append({"kind": kind, "circle": group if kind != "create_grouping" and group else None,
                      "user_id": int(user) if user.isdigit() else None})
    return items


def held_warning(keys: Iterable[str], programme: str, people: People | None = None) -> str:
    """The plan's warning that names its held writes (``held_said``), said after the one that counts them:
    ``the write(s) waiting for Moodle: post welcome discussion in Olivia Takahashi (m0003)'s circle [...]``."""
    return f"the write(s) waiting for Moodle: {held_said(keys, programme, people)}"


def _held(key: str, programme: str, people: People | None) -> HeldWrite:
    kind, _, target = key.partition(":")
    words = WORDS.get(kind, kind.replace("_", " "))
    if kind == "add_member":
        group, _, user = target.rpartition(":")
        who = people.label(int(user)) if people is not None and user.isdigit() else f"user #{user}"
        return HeldWrite(kind, key, f"{words} {who} to {_circle(group, programme, people)}")
    if kind == "post_welcome":
        return HeldWrite(kind, key, f"{words} in {_circle(target, programme, people)}")
    if kind in ("create_group", "assign_grouping"):
        return HeldWrite(kind, key, f"{words}: {_circle(target, programme, people)}")
    return HeldWrite(kind, key, f"{words} [{target}]" if target else words)


def _circle(idnumber: str, programme: str, people: People | None) -> str:
    """A circle as the plan names it: its mentor's (``... (m0003)'s circle [lmsync:p:mentor:67]``) with
    ``people``, else its ID number."""
    mentor = mentor_of_idnumber(programme, idnumber)
    if people is None or mentor is None:
        return idnumber
    return f"{people.label(mentor)}'s circle [{idnumber}]"
