"""The unread-fields guard (tester round 27, 1) names the [matching.attributes] keys of the fields no one shows,
not both whichever was unread, and counts people in words that read (tester round 62, 9)."""

from __future__ import annotations

import pytest

from lmsync.domain.mass_removal import UnsafePlan, guard_unread_fields
from lmsync.domain.operations import RemoveMember
from lmsync.domain.plan import mentor_group_idnumber
from lmsync.domain.sync_state import ObservedGroup

IDNUMBER = mentor_group_idnumber("p", 1)
OWNED = {IDNUMBER: ObservedGroup(10, "Circle", IDNUMBER, frozenset({1, 2, 3}))}
NEEDED = {"mentorcapacity": "capacity", "yearofstudy": "year"}


def refused(shown: set[str], moved: tuple[int, ...]) -> str:
    ops = [RemoveMember(group=IDNUMBER, user_id=u, reason="re-matched") for u in moved]
    with pytest.raises(UnsafePlan) as error:
        guard_unread_fields(OWNED, ops, NEEDED, shown, programme="p", min_source_fraction=0.5)
    return str(error.value)


def test_only_the_unread_fields_key_is_named() -> None:
    text = refused({"mentorcapacity"}, (2,))
    assert "the profile field(s) yearofstudy ([matching.attributes] year), and the plan would take 1 person out" in text
    text = refused(set(), (2, 3))
    assert "mentorcapacity, yearofstudy ([matching.attributes] capacity, year)" in text and "take 2 people out" in text


def test_nothing_is_refused_when_the_fields_are_shown_or_no_one_moves() -> None:
    guard_unread_fields(OWNED, [], NEEDED, set(), programme="p", min_source_fraction=0.5)
    guard_unread_fields(OWNED, [RemoveMember(group=IDNUMBER, user_id=2, reason="x")], NEEDED,
                        {"mentorcapacity", "yearofstudy"}, programme="p", min_source_fraction=0.5)
