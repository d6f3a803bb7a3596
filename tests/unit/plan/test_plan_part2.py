"""A new admin's findings, part 2, on pure plans: the mass-removal guard counts the people a plan
would leave in no circle for any reason (point 1); lmsync's grouping follows its configured name (point 4)."""

from __future__ import annotations

import dataclasses

import pytest

from lmsync.domain.circle_leaving import left_without_words
from lmsync.domain.plan import (
    DesiredCircle,
    Observation,
    ObservedGroup,
    PlanSettings,
    UnsafePlan,
    mentor_group_idnumber,
    plan_sync,
)

SETTINGS = PlanSettings(programme="p1", grouping_name="Circles", post_welcome=False)
MENTORS = (30, 31, 32, 33)
MENTEES = {30: {1, 2, 3}, 31: {4, 5, 6}, 32: {7, 8, 9}, 33: {10, 11, 12}}
ACTIVE = frozenset(range(1, 40))


def synced(active: frozenset[int] = ACTIVE) -> Observation:
    groups = tuple(
        ObservedGroup(
            id=100 + i,
            name=f"Circle: M{m}",
            idnumber=mentor_group_idnumber("p1", m),
            members=frozenset({m, *MENTEES[m]}),
            in_grouping=True,
        )
        for i, m in enumerate(MENTORS)
    )
    return Observation(course_id=2, grouping_id=9, groups=groups, active_user_ids=active, forum_id=None)


def circle(mentor: int, mentees: set[int]) -> DesiredCircle:
    return DesiredCircle(mentor_id=mentor, mentor_name=f"M{mentor}", mentee_ids=frozenset(mentees))


def with_(**changes: object) -> PlanSettings:
    return dataclasses.replace(SETTINGS, **changes)  # type: ignore[arg-type]


def test_point_1_a_misspelt_mentee_role_unplacing_everyone_still_enrolled_is_refused() -> None:
    # everyone is still enrolled; with no mentee matching the role no circle is wanted any more
    with pytest.raises(UnsafePlan) as refused:
        plan_sync(synced(), [], SETTINGS)
    text = str(refused.value)
    assert "leave 12 of the 16 people placed" in text and "12 still enrolled but no longer matched" in text
    assert "mentee_roles" in text and "enrolment" in text and "capability" in text
    assert "min_source_fraction" in text and "refusing to remove" in text


def test_point_1_a_misspelt_role_with_allow_delete_is_refused_for_both_reasons() -> None:
    with pytest.raises(UnsafePlan) as refused:
        plan_sync(synced(), [], with_(allow_delete=True))
    text = str(refused.value)
    assert "leave 16 of the 16 people" in text and "4 only with their circle deleted" in text
    assert "delete 4 of lmsync's 4 circles" in text


def test_point_1_deleting_more_than_half_of_the_circles_is_refused_even_when_people_stay_placed() -> None:
    # three mentors leave; their mentees are re-matched to the one that stays: few unplaced, many deleted
    everyone = set().union(*MENTEES.values())
    with pytest.raises(UnsafePlan, match="delete 3 of lmsync's 4 circles"):
        plan_sync(synced(), [circle(30, everyone)], with_(allow_delete=True, min_source_fraction=0.5))
    # half is not more than half
    kept = plan_sync(synced(), [circle(30, MENTEES[30] | MENTEES[31]), circle(32, MENTEES[32] | MENTEES[33])],
                     with_(allow_delete=True))
    assert len(kept.by_kind("delete_group")) == 2


def test_point_1_a_large_re_match_moving_everyone_between_circles_passes() -> None:
    rotated = [circle(m, MENTEES[MENTORS[(i + 1) % 4]]) for i, m in enumerate(MENTORS)]
    plan = plan_sync(synced(), rotated, SETTINGS)
    assert len(plan.by_kind("remove_member")) == 12 and len(plan.by_kind("add_member")) == 12


def test_point_1_people_who_left_or_were_suspended_are_counted_as_unplaced() -> None:
    gone = frozenset({30, 31, 32, 33, 1, 4, 7, 10})  # only these are still enrolled
    observation = dataclasses.replace(synced(gone), suspended_user_ids=frozenset({1, 4, 7}))
    with pytest.raises(UnsafePlan, match=r"8 unenrolled, with their enrolment suspended or ended, or not visible; 3 with their account suspended"):
        plan_sync(observation, [circle(33, {10})], SETTINGS)


def test_point_1_lowering_min_source_fraction_is_the_override() -> None:
    plan = plan_sync(synced(), [], with_(allow_delete=True, min_source_fraction=0))
    assert len(plan.by_kind("delete_group")) == 4


def test_point_1_a_few_leaving_is_not_a_mass_removal() -> None:
    circles = [circle(m, MENTEES[m] - {1, 4}) for m in MENTORS]
    plan = plan_sync(synced(), circles, SETTINGS)
    assert {op.user_id for op in plan.by_kind("remove_member")} == {1, 4}


# --- point 4: lmsync's grouping follows [programme] grouping_name ---------------------------------------


def named(grouping: str, description: str = "<p>Kept by the admin</p>") -> Observation:
    return dataclasses.replace(synced(), grouping_name=grouping, grouping_description=description)


def current() -> list[DesiredCircle]:
    return [circle(m, MENTEES[m]) for m in MENTORS]


def test_point_4_a_changed_grouping_name_plans_a_rename_keeping_the_description() -> None:
    plan = plan_sync(named("Mentoring circles (p1)"), current(), with_(grouping_name="Circles 2026/27"))
    assert [(op.kind, op.name, op.description) for op in plan.operations] == [  # type: ignore[union-attr]
        ("update_grouping", "Circles 2026/27", "<p>Kept by the admin</p>")
    ]
    assert plan.operations[0].key == "update_grouping:lmsync:p1"


def test_point_4_grouping_names_are_compared_raw_as_moodle_returns_them_trap_39() -> None:
    raw = "Circles & friends <span lang=\"en\" class=\"multilang\">2026</span>"
    escaped = named(raw)
    assert plan_sync(escaped, current(), with_(grouping_name=raw, displayed=lambda t: t.replace("&", "&amp;"))).empty
    assert plan_sync(named("Circles &amp; friends"), current(), with_(grouping_name="Circles & friends")).by_kind(
        "update_grouping"
    )


def test_point_4_an_unread_grouping_name_is_never_renamed() -> None:
    assert plan_sync(synced(), current(), with_(grouping_name="Anything")).empty


def test_round_41_3_a_circle_whose_mentor_got_nobody_does_not_say_they_mentor_no_longer() -> None:
    # Mentor 30 is still a mentor (active, capacity 2) but the match gives them nobody: their
    # mentees moved (one marked not a good fit). "mentors no longer (capacity 0 ...)" was false.
    desired = [circle(31, {4, 5, 6, 1}), circle(32, {7, 8, 9, 2}), circle(33, {10, 11, 12, 3})]
    ops = plan_sync(synced(), desired, SETTINGS).operations
    reasons = {op.reason for op in ops if type(op).__name__ == "RemoveMember" and op.group == mentor_group_idnumber("p1", 30)}
    assert reasons == {"re-matched: their mentor has no mentee in the new match (every mentee re-matched, or marked not a "
                       "good fit; or they mentor no longer: capacity 0, another role, or out of the programme's mentor roles)"}


def test_round_46b_2_a_mentee_left_with_no_mentor_leaves_saying_so_and_why_the_circle_went() -> None:
    # Mentor 30's circle goes (they are no longer active); of its mentees 1 moves to mentor 31's circle,
    # 2 and 3 get no mentor at all: they do not leave "re-matched". In a circle that stays, 6 gets none.
    active = ACTIVE - {30}
    desired = [circle(31, {4, 5, 1}), circle(32, {7, 8, 9}), circle(33, {10, 11, 12})]
    left = left_without_words("no capacity left: all 3 allowed mentors are full")
    ops = plan_sync(synced(active), desired, SETTINGS, moved={2: left, 3: left, 6: left}).operations
    reasons = {op.user_id: op.reason for op in ops if type(op).__name__ == "RemoveMember"}
    gone = "(their mentor is not active in the course (unenrolled, or enrolment suspended))"
    assert reasons[2] == reasons[3] == f"left with no mentor {gone}: no capacity left: all 3 allowed mentors are full"
    assert reasons[1] == "re-matched: their mentor is not active in the course (unenrolled, or enrolment suspended)"
    assert reasons[6] == left


def test_round_46_4_a_circle_to_delete_says_why_its_mentor_has_none() -> None:
    # A mentor back from leave whose mentees stayed with their new mentors has an empty circle: the deletion
    # said only "no longer a mentor circle".
    desired = [circle(31, {4, 5, 6, 1, 2, 3}), circle(32, {7, 8, 9}), circle(33, {10, 11, 12})]
    ops = plan_sync(synced(), desired, dataclasses.replace(SETTINGS, allow_delete=True)).operations
    (delete,) = [op for op in ops if type(op).__name__ == "DeleteGroup"]
    assert delete.reason.startswith("no longer a mentor circle: its mentor has no mentee in the new match")  # type: ignore[union-attr]
    gone = plan_sync(synced(ACTIVE - {30}), desired, dataclasses.replace(SETTINGS, allow_delete=True)).operations
    assert [op.reason for op in gone if type(op).__name__ == "DeleteGroup"] == [  # type: ignore[union-attr]
        "no longer a mentor circle: its mentor is not active in the course (unenrolled, or enrolment suspended)"]
