"""Tester round 104a, 1, 2, 3c, 11: the rules of ``renumbered_circles`` and ``circle_proof`` for a circle's group
whose ID number was cleared, swapped or re-cased in Moodle, and the words said of them."""

from __future__ import annotations

from lmsync.domain.circle_proof import disown, disowned_warnings
from lmsync.domain.deleted_in_moodle import put_back
from lmsync.domain.operations import UpdateGroup
from lmsync.domain.plan import (
    Memory,
    Observation,
    ObservedGroup,
    PlanSettings,
    plan_sync,
)
from lmsync.domain.renumbered_circles import with_idnumbers_back
from lmsync.domain.sync_state import DesiredCircle, ObservedDiscussion
from tests.unit.plan.test_renumbered_circles_round_103b_2 import (  # the same two circles and proof
    PROOF,
    A,
    B,
    P,
)

SETTINGS = PlanSettings(programme=P, grouping_name="G", group_name_template="Circle {mentor_fullname}")


def _observation(*groups: ObservedGroup) -> Observation:
    return Observation(course_id=2, grouping_id=1, groups=groups, active_user_ids=frozenset({10, 11, 20, 21}),
                       forum_id=3, discussions=tuple(ObservedDiscussion(id=35 + gid, groupid=gid, subject="Welcome", message="") for gid in (5, 6)))


def _circle(gid: int, idnumber: str, *members: int, in_grouping: bool = True) -> ObservedGroup:
    return ObservedGroup(id=gid, name=f"Circle {gid}", idnumber=idnumber, members=frozenset(members), in_grouping=in_grouping)


def test_round_104a_1_a_held_renumbered_circle_is_put_back_and_kept() -> None:
    seen = disown(with_idnumbers_back(_observation(_circle(5, "", 10, 11), _circle(6, B, 20, 21)), P, PROOF), P, PROOF)
    plan = plan_sync(seen, [DesiredCircle(20, "6", frozenset({21}))], SETTINGS, Memory(posted={B: 41}, held=frozenset({A})))
    (op,) = plan.operations
    assert isinstance(op, UpdateGroup) and op.idnumber == A and op.idnumber_was == "" and op.name == "Circle 5"


def test_round_104a_1_a_renumbered_circle_no_longer_wanted_loses_its_members_as_any_owned_one() -> None:
    seen = disown(with_idnumbers_back(_observation(_circle(5, "x", 10, 11), _circle(6, B, 20, 21)), P, PROOF), P, PROOF)
    plan = plan_sync(seen, [DesiredCircle(20, "6", frozenset({21}))], SETTINGS, Memory(posted={B: 41}))
    assert [(op.kind, op.key) for op in plan.operations] == [
        ("update_group", f"update_group:{A}"), ("remove_member", f"remove_member:{A}:11")], plan.operations


def test_round_104a_2_a_half_undone_swap_is_put_back_in_an_order_moodle_takes() -> None:
    """Group 6 (the store's B) carries A, group 5 (the store's A) was cleared: B goes on 6 first, freeing A for 5."""
    seen = with_idnumbers_back(_observation(_circle(5, ""), _circle(6, A)), P, PROOF)
    assert list(seen.renumbered.items()) == [(6, A), (5, "")]
    assert {g.id: g.idnumber for g in seen.groups} == {5: A, 6: B}
    plan = plan_sync(disown(seen, P, PROOF), [DesiredCircle(10, "5", frozenset()), DesiredCircle(20, "6", frozenset())],
                     SETTINGS, Memory(posted={A: 40, B: 41}))
    assert [op.idnumber for op in plan.operations if isinstance(op, UpdateGroup)] == [B, A], plan.operations


def test_round_104a_2_a_whole_swap_is_left_and_named_once_with_its_fix() -> None:
    read = _observation(_circle(5, B), _circle(6, A))
    seen = disown(with_idnumbers_back(read, P, PROOF), P, PROOF)
    assert seen.renumbered == {} and {g.id for g in seen.disowned} == {5, 6}
    (said,) = disowned_warnings(seen, PROOF, P)
    assert "'Circle 5' (Moodle id 5) and group 'Circle 6' (Moodle id 6) are both circles this store made" in said
    assert f"swapped in Moodle: 5 carries {B} and 6 carries {A}" in said and f"5's to {A}, 6's to {B}" in said
    assert "never made" not in said


def test_round_104a_3c_a_circle_id_number_only_re_cased_on_its_own_group_is_put_back() -> None:
    seen = with_idnumbers_back(_observation(_circle(5, A.upper(), 10, 11)), P, PROOF)
    assert seen.renumbered == {5: A.upper()} and seen.groups[0].idnumber == A
    teachers = ObservedGroup(id=9, name="Lab", idnumber=A.upper(), members=frozenset())  # another group's: left
    assert with_idnumbers_back(_observation(_circle(5, ""), teachers), P, PROOF).renumbered == {}


def test_round_104a_11_a_member_put_back_into_a_circle_made_again_is_told_why_truly() -> None:
    taken = _observation(_circle(5, "", 10, 11, in_grouping=False))
    memory = Memory(placed=frozenset({(A, 11)}), deleted={A: 5})
    said = put_back(memory, A, 11, taken)
    assert "deleted" not in said and "Moodle id 5) is still in the course" in said and "taken out of lmsync's grouping" in said
    assert "deleted in Moodle" in put_back(memory, A, 11, _observation())


def test_round_104a_1_a_group_moved_onto_a_deleted_circles_id_number_gets_its_own_back_first() -> None:
    """Group 5 (the store's A) carries B, whose group is gone: A goes back on 5 (it was made a second time, its
    mentees in both), and B is made at the next sync, once Moodle has freed it."""
    seen = with_idnumbers_back(_observation(_circle(5, B, 10, 11)), P, PROOF)
    assert seen.renumbered == {5: B}
    plan = plan_sync(disown(seen, P, PROOF), [DesiredCircle(10, "5", frozenset({11})), DesiredCircle(20, "6", frozenset({21}))],
                     SETTINGS, Memory(posted={A: 40}))
    assert [(op.kind, op.key) for op in plan.operations] == [("update_group", f"update_group:{A}")], plan.operations
    assert any(f"circle [{B}]: its ID number is free" in w and "made at the next sync" in w for w in plan.warnings)
