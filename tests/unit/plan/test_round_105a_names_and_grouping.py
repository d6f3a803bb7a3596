"""Tester round 105a, 4 and 9b, pure: which grouping is read as lmsync's by the store's proof, and which circle
keeps its name when another group or a new circle would take it."""

from __future__ import annotations

from lmsync.domain.circle_names import unique_names
from lmsync.domain.plan import (
    DesiredCircle,
    Observation,
    ObservedGroup,
    PlanSettings,
    mentor_group_idnumber,
    plan_sync,
)
from lmsync.domain.renumbered_grouping import grouping_back

SETTINGS = PlanSettings(programme="p1", grouping_name="Circles", post_welcome=False, group_name_template="Circle: {mentor_fullname}")


def test_round_105a_4_the_oldest_grouping_the_store_made_is_lmsyncs_only_while_none_carries_its_id_number() -> None:
    assert grouping_back([(3, "x"), (1, "mentoring-groups")], "p1", {1, 3}) == (1, "mentoring-groups")
    assert grouping_back([(1, "")], "p1", {1}) == (1, "")
    assert grouping_back([(1, "mentoring-groups")], "p1", set()) is None  # not proved: left as it is
    assert grouping_back([(1, "mentoring-groups"), (2, "LMSYNC:P1")], "p1", {1}) is None  # MySQL: the same
    assert grouping_back([(1, "lmsync:other")], "p1", {1}) is None  # another programme's to keep


def test_round_105a_4_a_put_back_grouping_keeps_its_name_and_description_and_is_said() -> None:
    obs = Observation(course_id=2, grouping_id=1, groups=(), active_user_ids=frozenset(), grouping_name="Circles",
                      grouping_description="<p>mine</p>", grouping_idnumber_was="")
    plan = plan_sync(obs, [], SETTINGS)
    (op,) = plan.operations
    assert (op.kind, op.name, op.description, op.idnumber_was, op.name_was) == (  # type: ignore[union-attr]
        "update_grouping", "Circles", "<p>mine</p>", "", None)
    assert any("cleared in Moodle" in w and "put back" in w for w in plan.warnings), plan.warnings


def test_round_105a_9b_an_existing_circle_keeps_its_name_a_new_one_of_the_same_name_takes_a_suffix() -> None:
    old, new = mentor_group_idnumber("p1", 9), mentor_group_idnumber("p1", 5)
    obs = Observation(course_id=2, grouping_id=1, groups=(
        ObservedGroup(id=10, name="Circle: Sam Lee", idnumber=old, members=frozenset({9}), in_grouping=True),
        ObservedGroup(id=11, name="Circle: Sam Lee", idnumber="", members=frozenset()),  # a teacher's copy
    ), active_user_ids=frozenset({5, 9}))
    circles = [DesiredCircle(5, "Sam Lee", frozenset()), DesiredCircle(9, "Sam Lee", frozenset())]
    warnings: list[str] = []
    owned = {old: obs.groups[0]}
    names = unique_names(circles, SETTINGS, obs, owned, {old: "Circle: Sam Lee", new: "Circle: Sam Lee"}, warnings)
    assert names == {old: "Circle: Sam Lee", new: "Circle: Sam Lee (2)"}  # the new one, though its mentor id is lower
    assert len(warnings) == 1 and "Moodle id 11" in warnings[0] and f"[{old}]" in warnings[0], warnings
