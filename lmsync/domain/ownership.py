"""What lmsync can prove it created in Moodle: the idnumbers of its grouping and circles, and
the marker of its welcome posts (trap 40)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from lmsync.domain.sync_state import ObservedGroup


def grouping_idnumber(programme: str) -> str:
    return f"lmsync:{programme}"


def mentor_group_idnumber(programme: str, mentor_moodle_id: int) -> str:
    return f"lmsync:{programme}:mentor:{mentor_moodle_id}"


def mentor_of_idnumber(programme: str, idnumber: str | None) -> int | None:
    """The mentor's Moodle id when ``idnumber`` is one of this programme's circles, else None. Only the ID number
    lmsync writes (``mentor_group_idnumber``) is one: a teacher's group numbered ``...:mentor:066`` was read as
    mentor 66's circle, and a sync emptied the real one (tester round 86a, 1)."""
    prefix = f"lmsync:{programme}:mentor:"
    if not idnumber or not idnumber.startswith(prefix):
        return None
    tail = idnumber[len(prefix) :]
    return int(tail) if _ID.fullmatch(tail) else None


_ID = re.compile(r"0|[1-9][0-9]*")  # a Moodle id as lmsync writes it: ASCII digits, no leading zero, no sign
_CIRCLE = re.compile(r"lmsync:(?P<programme>.+):mentor:(?:0|[1-9][0-9]*)")


def circle_programme(idnumber: str | None) -> str | None:
    """The programme whose circle ``idnumber`` is (``lmsync:<programme>:mentor:<id>``), else None."""
    found = _CIRCLE.fullmatch(idnumber or "")
    return found["programme"] if found else None


def circle_pairs(
    programme: str, groups: Iterable[ObservedGroup], outsiders: Collection[int] = frozenset()
) -> list[tuple[int, int]]:
    """(mentor, mentee) Moodle ids for every member of every lmsync circle other than its mentor, sorted;
    ``outsiders`` (``Observation.outsiders``: no mentor or mentee role, a teacher added by hand) are in no
    pair: never graded, judged or nudged as mentees (tester round 18, 2)."""
    pairs: set[tuple[int, int]] = set()
    for group in groups:
        mentor = mentor_of_idnumber(programme, group.idnumber)
        if mentor is None:
            continue
        pairs.update((mentor, member) for member in group.members if member != mentor and member not in outsiders)
    return sorted(pairs)


WELCOME_ANCHOR = "lmsync-welcome-"  # how every welcome marker's HTML id starts


def welcome_anchor(group_idnumber: str) -> str:
    """The HTML ``id`` lmsync gives the welcome post of a circle: ``lmsync-welcome-<programme>-mentor-<id>``.

    Moodle returns posts through HTML Purifier, which drops comments and ``data-*`` attributes but
    keeps ``id`` and ``class`` (trap 40), so the marker lives in an ``id``; colons become ``-``
    (HTML4 ids, the purifier's default).
    """
    return WELCOME_ANCHOR + group_idnumber.replace(":", "-").removeprefix("lmsync-")


def welcome_marker(group_idnumber: str) -> str:
    """The substring a purified welcome post of this circle still holds (trap 40)."""
    return f'id="{welcome_anchor(group_idnumber)}"'


def legacy_welcome_marker(group_idnumber: str) -> str:
    """The HTML comment older lmsync versions used; Moodle's purifier removes it on the way out."""
    return f"<!-- {group_idnumber}:welcome -->"


def wrap_welcome(message: str, group_idnumber: str) -> str:
    """``message`` inside a ``div`` carrying the circle's marker (invisible, survives the purifier)."""
    return f'<div id="{welcome_anchor(group_idnumber)}" class="lmsync-welcome">{message}</div>'
