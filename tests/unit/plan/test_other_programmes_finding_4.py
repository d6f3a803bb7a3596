"""Tester finding 4 on pure plans: people in another lmsync programme's circles are not placed in this
programme's too (a renamed ``[programme] name``), unless ``allow_other_programmes``; a programme whose
people differ is no reason to refuse."""

from __future__ import annotations

import pytest

from lmsync.domain.ownership import circle_programme
from lmsync.domain.plan import (
    DesiredCircle,
    Observation,
    ObservedGroup,
    PlanSettings,
    UnsafePlan,
    mentor_group_idnumber,
    plan_sync,
)

NEW = PlanSettings(programme="new", grouping_name="Circles", post_welcome=False)


def other_circles(programme: str = "old") -> tuple[ObservedGroup, ...]:
    return (
        ObservedGroup(id=10, name="Circle: A", idnumber=mentor_group_idnumber(programme, 1), members=frozenset({1, 2, 3})),
        ObservedGroup(id=11, name="Circle: B", idnumber=mentor_group_idnumber(programme, 4), members=frozenset({4, 5})),
        ObservedGroup(id=12, name="Tutors", idnumber="tutors", members=frozenset({6})),
    )


def observed(groups: tuple[ObservedGroup, ...]) -> Observation:
    return Observation(course_id=2, grouping_id=None, groups=groups, active_user_ids=frozenset(range(1, 20)))


def circle(mentor: int, *mentees: int) -> DesiredCircle:
    return DesiredCircle(mentor_id=mentor, mentor_name=f"M{mentor}", mentee_ids=frozenset(mentees))


def test_circle_programme_reads_the_programme_from_lmsyncs_idnumbers() -> None:
    assert circle_programme("lmsync:mentor-2026:mentor:17") == "mentor-2026"
    assert circle_programme("lmsync:mentor-2026") is None and circle_programme("tutors") is None
    assert circle_programme(None) is None and circle_programme("lmsync:x:mentor:abc") is None


def test_finding_4_people_of_another_programmes_circles_are_refused_with_its_name_and_the_fixes() -> None:
    with pytest.raises(UnsafePlan) as refused:
        plan_sync(observed(other_circles()), [circle(1, 2, 3), circle(7, 8)], NEW)
    text, hint = str(refused.value), refused.value.hint or ""
    assert "3 of the 5 people in the 2 circles of programme 'old' (members of 1 of them)" in text
    assert "into circles of programme 'new' as well" in text
    assert hint == (  # a store that never wrote for 'old': another programme first, qualified (tester round 118a, 1)
        "only if 'old' is another programme (last year's, say), not this one under an earlier name, name it in this "
        'programme\'s configuration: [sync] other_programmes = ["old"] (any other programme is still refused), '
        "or set [sync] allow_other_programmes = true for every programme (each programme's own file says it); "
        "if this programme was renamed and 'old' runs no more, set [programme] name back to 'old'"
    )


def test_round_118a_1_a_programme_this_store_wrote_for_is_a_rename_refused_even_when_named() -> None:
    """``written_programmes`` (the store's journal holds writes of 'old'): naming 'old' in other_programmes does
    not let the rename through; the refusal says why and its first fix is the old name back."""
    renamed = PlanSettings(programme="new", grouping_name="Circles", post_welcome=False,
                           other_programmes=frozenset({"old"}), written_programmes=frozenset({"old"}))
    with pytest.raises(UnsafePlan) as refused:
        plan_sync(observed(other_circles()), [circle(1, 2, 3)], renamed)
    text, hint = str(refused.value), refused.value.hint or ""
    assert "This store made the circles of programme 'old'" in text
    assert "[sync] other_programmes names 'old', but that lets through only another programme's circles" in text
    assert hint.startswith("set [programme] name back to 'old': ")
    unnamed = PlanSettings(programme="new", grouping_name="Circles", post_welcome=False,
                           written_programmes=frozenset({"old"}))
    with pytest.raises(UnsafePlan) as plain:
        plan_sync(observed(other_circles()), [circle(1, 2, 3)], unnamed)
    assert "other_programmes names" not in str(plain.value)
    assert (plain.value.hint or "").startswith("set [programme] name back to 'old': ")
    allowed = PlanSettings(**{**renamed.__dict__, "allow_other_programmes": True})  # lets a rename through
    assert len(plan_sync(observed(other_circles()), [circle(1, 2, 3)], allowed).by_kind("add_member")) == 3


def test_round_24_2_last_years_programme_named_in_other_programmes_shares_people_and_a_rename_is_still_refused() -> None:
    """A course still holding last year's circles needed allow_other_programmes, which also let a
    renamed programme give everyone a second circle. Naming last year's programme keeps the guard."""
    last_year = other_circles("mentor-2025")
    allowed = PlanSettings(programme="new", grouping_name="Circles", post_welcome=False,
                           other_programmes=frozenset({"mentor-2025"}))
    plan = plan_sync(observed(last_year), [circle(1, 2, 3), circle(4, 5)], allowed)
    assert len(plan.by_kind("add_member")) == 5
    renamed = other_circles("old")  # this programme's own circles under its former name
    with pytest.raises(UnsafePlan) as refused:
        plan_sync(observed((*last_year[:2], *(ObservedGroup(id=g.id + 100, name=g.name, idnumber=g.idnumber,
                                                             members=g.members) for g in renamed[:2]))),
                  [circle(1, 2, 3)], allowed)
    assert "of programme 'old'" in str(refused.value) and "mentor-2025" not in str(refused.value)
    assert '[sync] other_programmes = ["old"]' in (refused.value.hint or "")


def test_finding_4_allow_other_programmes_lets_the_plan_place_them() -> None:
    plan = plan_sync(observed(other_circles()), [circle(1, 2, 3)], PlanSettings(
        programme="new", grouping_name="Circles", post_welcome=False, allow_other_programmes=True
    ))
    assert len(plan.by_kind("add_member")) == 3


def test_finding_4_a_programme_with_other_people_or_a_foreign_group_is_no_reason_to_refuse() -> None:
    plan = plan_sync(observed(other_circles()), [circle(6, 7), circle(8, 9)], NEW)  # 6 is in "tutors" only
    assert len(plan.by_kind("add_member")) == 4


def test_finding_4_people_already_in_both_programmes_are_not_refused_again() -> None:
    mine = ObservedGroup(id=20, name="Circle: A (2)", idnumber=mentor_group_idnumber("new", 1),
                         members=frozenset({1, 2, 3}))
    plan = plan_sync(observed((*other_circles(), mine)), [circle(1, 2, 3)], NEW)
    assert plan.by_kind("add_member") == []
