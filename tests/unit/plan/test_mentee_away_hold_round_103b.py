"""Tester round 103b, 1: a mentee suspended for a single day lost their mentor for good. A member of a circle whose
mentor is here, found not active (enrolment suspended, or account suspended), keeps their place for [sync]
away_mentor_hold_days from the first sync that found them away, as an away mentor's circle is held; then they
are removed as before, saying the hold is over. Pure rules: no Moodle."""

from __future__ import annotations

from datetime import date

from lmsync.domain.held_capacity import less_held
from lmsync.domain.held_mentees import away_members, member_holds
from lmsync.domain.people import Person
from lmsync.domain.plan import DesiredCircle, Memory, Observation, ObservedGroup, PlanSettings, plan_sync

SETTINGS = PlanSettings(programme="p1", grouping_name="Circles", post_welcome=False)
MENTOR, KEPT, OTHER = 10, 11, 12
CIRCLE = "lmsync:p1:mentor:10"


def _observation(active=frozenset({MENTOR, OTHER}), suspended=frozenset()) -> Observation:
    group = ObservedGroup(id=5, name="Circle: Ada", idnumber=CIRCLE, members=frozenset({MENTOR, KEPT, OTHER}),
                          in_grouping=True)
    return Observation(course_id=2, grouping_id=7, grouping_name="Circles", groups=(group,), active_user_ids=active,
                       suspended_user_ids=suspended, forum_id=None)


def test_a_suspended_mentee_holds_their_place_for_the_mentors_hold_days_then_goes():
    away = away_members(_observation(), "p1")
    assert away == {(CIRCLE, KEPT): MENTOR}
    # account suspended, enrolment active: away too (trap 41); the mentor away is the circle's own hold
    assert away_members(_observation(frozenset({MENTOR, KEPT, OTHER}), frozenset({KEPT})), "p1") == away
    assert away_members(_observation(frozenset({KEPT, OTHER})), "p1") == {}
    first = member_holds(away, {}, date(2026, 10, 2), 14)
    assert first.kept == {(CIRCLE, KEPT): (date(2026, 10, 2), date(2026, 10, 15))} and first.places() == {MENTOR: 1}
    assert first.away == {KEPT}
    later = member_holds(away, {KEPT: date(2026, 10, 2)}, date(2026, 10, 15), 14)
    assert later.kept and not later.ended
    over = member_holds(away, {KEPT: date(2026, 10, 2)}, date(2026, 10, 16), 14)
    assert not over.kept and over.ended == {(CIRCLE, KEPT): date(2026, 10, 15)} and over.away == {KEPT}
    assert not member_holds(away, {}, date(2026, 10, 2), 0).kept, "a hold of 0 days holds nothing"
    assert "kept: s0006 (11) suspended since 2026-10-02" in first.lines(lambda u: f"s0006 ({u})" if u == KEPT else "m")[0]


def test_the_plan_neither_removes_a_held_mentee_nor_says_nothing_once_the_hold_is_over():
    circle = DesiredCircle(mentor_id=MENTOR, mentor_name="Ada", mentee_ids=frozenset({OTHER}))
    observation = _observation()
    held = plan_sync(observation, [circle], SETTINGS, Memory(kept=frozenset({(CIRCLE, KEPT)})))
    assert not [op for op in held.operations if op.kind == "remove_member"], held.operations
    ended = plan_sync(observation, [circle], SETTINGS, Memory(place_ended={(CIRCLE, KEPT): date(2026, 10, 15)}))
    removed = [op for op in ended.operations if op.kind == "remove_member"]
    assert [op.user_id for op in removed] == [KEPT]
    assert removed[0].reason == ("not active in the course (unenrolled, or enrolment suspended); their place was held "
                                 "until 2026-10-15 ([sync] away_mentor_hold_days)")
    # a circle whose only mentee is held is still desired (an empty circle): kept as it is, not deleted
    alone = plan_sync(_observation(frozenset({MENTOR})), [DesiredCircle(MENTOR, "Ada", frozenset())],
                      SETTINGS, Memory(kept=frozenset({(CIRCLE, KEPT), (CIRCLE, OTHER)})))
    assert not alone.operations


def test_the_held_place_is_taken_from_the_mentors_room_never_an_active_mentees():
    mentors = [Person(id="m1", role="mentor", capacity=3, moodle_id=MENTOR),
               Person(id="m2", role="mentor", capacity=2, moodle_id=20),
               Person(id="m3", role="mentor", capacity=4, moodle_id=30)]
    # m1: 2 active and 1 held of 3: full; m2: 2 active and 1 held over a capacity of 2: no active mentee moves out
    out = less_held(mentors, {MENTOR: 1, 20: 1}, {"m1": 2, "m2": 2, "m3": 1})
    assert [p.capacity for p in out] == [2, 2, 4]
