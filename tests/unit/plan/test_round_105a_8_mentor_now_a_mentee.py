"""Tester round 105a, 8: a circle no longer wanted is kept without ``--allow-delete``; its mentor, whom the match
now places as a mentee in another circle (a teacher made a student), leaves it, so nobody is in two circles. A
held circle (its mentor away), a mentor the match places nowhere, and a deleted circle are left as they were."""

from __future__ import annotations

from lmsync.domain.operations import DeleteGroup, RemoveMember
from lmsync.domain.plan import (
    Memory,
    Observation,
    ObservedGroup,
    Plan,
    PlanSettings,
    mentor_group_idnumber,
    plan_sync,
)
from lmsync.domain.sync_state import DesiredCircle

P = "p"
A, B = mentor_group_idnumber(P, 10), mentor_group_idnumber(P, 20)
SETTINGS = PlanSettings(programme=P, grouping_name="G", group_name_template="Circle {mentor_fullname}")
WORDS = "now a mentee in another circle; their own circle is kept empty (needs --allow-delete to delete)"


def _observation(*a_members: int, outsiders: frozenset[int] = frozenset()) -> Observation:
    groups = (ObservedGroup(id=5, name="Circle 10", idnumber=A, members=frozenset(a_members), in_grouping=True),
              ObservedGroup(id=6, name="Circle 20", idnumber=B, members=frozenset({20, 21}), in_grouping=True))
    return Observation(course_id=2, grouping_id=1, groups=groups, active_user_ids=frozenset({10, 11, 12, 20, 21}),
                       outsiders=outsiders)


def _removals(plan: Plan) -> dict[tuple[str, int], str]:
    return {(op.group, op.user_id): op.reason for op in plan.operations if isinstance(op, RemoveMember)}


def test_a_kept_circles_mentor_placed_as_a_mentee_elsewhere_leaves_it() -> None:
    plan = plan_sync(_observation(10, 11), [DesiredCircle(20, "20", frozenset({21, 10, 11}))], SETTINGS)
    removals = _removals(plan)
    assert removals[(A, 10)] == WORDS, removals
    assert (A, 11) in removals and plan.skipped_deletes == [A]
    assert not any(isinstance(op, DeleteGroup) for op in plan.operations)


def test_the_words_count_the_members_lmsync_leaves_in_the_kept_circle() -> None:
    seen = _observation(10, 11, 12, outsiders=frozenset({12}))  # 12: added by hand, holding no programme role
    removals = _removals(plan_sync(seen, [DesiredCircle(20, "20", frozenset({21, 10, 11}))], SETTINGS))
    assert removals[(A, 10)] == ("now a mentee in another circle; their own circle is kept with its 1 other "
                                 "member(s) (needs --allow-delete to delete)"), removals
    assert (A, 12) not in removals


def test_a_mentor_placed_nowhere_stays_in_their_kept_circle() -> None:
    removals = _removals(plan_sync(_observation(10, 11), [DesiredCircle(20, "20", frozenset({21, 11}))], SETTINGS))
    assert (A, 10) not in removals and (A, 11) in removals


def test_a_held_circle_is_left_whole() -> None:
    plan = plan_sync(_observation(10, 11), [DesiredCircle(20, "20", frozenset({21, 10}))], SETTINGS,
                     Memory(held=frozenset({A})))
    assert not any(op.group == A for op in plan.operations if isinstance(op, RemoveMember)), plan.operations


def test_a_deleted_circle_takes_its_mentor_with_it_and_no_removal_is_planned() -> None:
    settings = PlanSettings(programme=P, grouping_name="G", group_name_template="Circle {mentor_fullname}",
                            allow_delete=True)
    plan = plan_sync(_observation(10, 11), [DesiredCircle(20, "20", frozenset({21, 10, 11}))], settings)
    assert (A, 10) not in _removals(plan) and any(isinstance(op, DeleteGroup) for op in plan.operations)
