"""Tester finding FIX-C on pure values: which of two circles is a mentee's established pair, and the
reason the plan gives for removing the hand-added membership."""

from __future__ import annotations

from lmsync.domain.plan import (
    DesiredCircle,
    Observation,
    ObservedGroup,
    PlanSettings,
    mentor_group_idnumber,
    plan_sync,
)
from lmsync.domain.two_circles import PairStanding

SETTINGS = PlanSettings(programme="p1", grouping_name="Circles", post_welcome=False)


def test_fix_c_rank_history_then_meetings_then_older_pairing_then_lower_group_id():
    mentee, ifeoma, valentina = 3, 10, 20
    best = lambda standing: min(  # noqa: E731
        ((ifeoma, 5), (valentina, 9)), key=lambda c: standing.rank(c[0], mentee, c[1])
    )[0]
    assert best(PairStanding()) == ifeoma, "nothing known: the older circle (lower group id)"
    assert best(PairStanding(meetings={(valentina, mentee): 2})) == valentina
    assert best(PairStanding(since={(valentina, mentee): "2026-08-30T10:00:00"})) == valentina
    both = {(ifeoma, mentee): "2026-11-01T10:00:00", (valentina, mentee): "2026-08-30T10:00:00"}
    assert best(PairStanding(since=both)) == valentina, "the longer-standing pairing"
    assert best(PairStanding(since=both, meetings={(ifeoma, mentee): 1})) == ifeoma, "meetings before age"


def test_fix_c_the_hand_added_membership_is_removed_with_its_own_reason():
    ifeoma, valentina, s0001, other = 10, 20, 3, 4
    observation = Observation(
        course_id=2,
        grouping_id=7,
        groups=(
            ObservedGroup(5, "Circle: Ifeoma Okafor", mentor_group_idnumber("p1", ifeoma),
                          frozenset({ifeoma, other, s0001}), in_grouping=True),
            ObservedGroup(9, "Circle: Valentina Rossi", mentor_group_idnumber("p1", valentina),
                          frozenset({valentina, s0001}), in_grouping=True),
        ),
        active_user_ids=frozenset({ifeoma, valentina, s0001, other}),
        grouping_name="Circles",
    )
    circles = [
        DesiredCircle(ifeoma, "Ifeoma Okafor", frozenset({other})),
        DesiredCircle(valentina, "Valentina Rossi", frozenset({s0001})),
    ]
    plan = plan_sync(observation, circles, SETTINGS)
    [removal] = plan.by_kind("remove_member")
    assert removal.destructive and (removal.group, removal.user_id) == (mentor_group_idnumber("p1", ifeoma), s0001)
    assert removal.reason == (
        "also in Ifeoma Okafor's circle, added by hand; stays in Valentina Rossi's, where the plan keeps them"
    )


def test_round_92b_5_the_warning_says_where_the_match_placed_the_mentee():
    """With no pairing history the older circle ranked first, and the warning said "kept with" its mentor; that circle
    was over capacity, the match placed the mentee in the other one, and the plan's removal said the opposite."""
    from lmsync.domain.matching import Match
    from lmsync.domain.two_circles import TwoCircles

    labels = {"s1": "Dmitri Kim (s0001)", "p16": "Jakob Chen (s0016)", "m11": "Valentina Zhang (m0011)",
              "m3": "Ada Obi (m0003)"}
    seen = TwoCircles("s1", ("p16", "m11"), labels, "neither pair is in lmsync's history or has meetings: the older circle")
    kept = seen.said([Match("s1", "p16", 1.0, {}, [])])
    assert "kept with Jakob Chen (s0016) (neither pair" in kept and "removed from Valentina Zhang (m0011)'s" in kept
    moved = seen.said([Match("s1", "m11", 1.0, {}, [])])
    assert "kept with Valentina Zhang (m0011), where the match placed them" in moved
    assert "removed from Jakob Chen (s0016)'s circle (Jakob Chen (s0016)'s circle ranked first" in moved
    assert "kept with Jakob Chen" not in moved
    elsewhere = seen.said([Match("s1", "m3", 1.0, {}, [])])
    assert "removed from Jakob Chen (s0016)'s, Valentina Zhang (m0011)'s circles" in elsewhere
    assert elsewhere.endswith("matched to Ada Obi (m0003)")
    assert seen.said([]).endswith("no mentor could take them (`lmsync match` says why)")
