"""Tester round 103b, 2: a circle whose ID number was cleared or changed in Moodle gets it back on the group
the store records (``lmsync.domain.renumbered_circles``), unless that group was taken over or another group
holds the ID number; the plan shows the put-back as an ``update_group`` and says so."""

from __future__ import annotations

from lmsync.domain.circle_proof import CircleProof, disown
from lmsync.domain.operations import UpdateGroup
from lmsync.domain.plan import (
    Memory,
    Observation,
    ObservedGroup,
    Plan,
    PlanSettings,
    mentor_group_idnumber,
    plan_sync,
)
from lmsync.domain.renumbered_circles import with_idnumbers_back
from lmsync.domain.saved_plan import edited, sealed
from lmsync.domain.sync_state import DesiredCircle, ObservedDiscussion

P = "p"
A, B = mentor_group_idnumber(P, 10), mentor_group_idnumber(P, 20)
PROOF = CircleProof(recorded={A: frozenset({5}), B: frozenset({6})})


def _observation(*groups: ObservedGroup, grouping: int | None = 1) -> Observation:
    return Observation(course_id=2, grouping_id=grouping, groups=groups, active_user_ids=frozenset({10, 11, 20, 21}),
                       forum_id=3, discussions=tuple(ObservedDiscussion(id=35 + gid, groupid=gid, subject="Welcome", message="") for gid in (5, 6)))


def _circle(gid: int, idnumber: str, *members: int, in_grouping: bool = True) -> ObservedGroup:
    return ObservedGroup(id=gid, name=f"Circle {gid}", idnumber=idnumber, members=frozenset(members),
                         in_grouping=in_grouping)


def test_a_cleared_id_number_is_put_back_and_the_plan_writes_only_that() -> None:
    seen = with_idnumbers_back(_observation(_circle(5, "", 10, 11), _circle(6, B, 20, 21)), P, PROOF)
    assert seen.renumbered == {5: ""} and seen.groups[0].idnumber == A and seen.groups[0].members == {10, 11}
    settings = PlanSettings(programme=P, grouping_name="G", group_name_template="Circle {mentor_fullname}")
    circles = [DesiredCircle(10, "5", frozenset({11})), DesiredCircle(20, "6", frozenset({21}))]
    plan = plan_sync(disown(seen, P, PROOF), circles, settings, Memory(posted={A: 40, B: 41}))
    assert [(op.kind, op.key) for op in plan.operations] == [("update_group", f"update_group:{A}")], plan.operations
    (op,) = plan.operations
    assert isinstance(op, UpdateGroup) and op.idnumber_was == "" and op.name == "Circle 5"
    (said,) = [w for w in plan.warnings if "put back" in w]
    assert f"circle 'Circle 5' [{A}]: the group lmsync made for it (Moodle id 5) is still in the course, but its " \
           "ID number was cleared in Moodle" in said and "nothing is made again" in said


def test_no_put_back_when_another_group_holds_it_in_any_case_or_the_group_was_taken_over() -> None:
    teachers = ObservedGroup(id=9, name="Lab", idnumber=A.upper(), members=frozenset())
    assert with_idnumbers_back(_observation(_circle(5, ""), teachers), P, PROOF).renumbered == {}
    out = _circle(5, "lab-3", in_grouping=False)  # out of lmsync's grouping: taken over
    assert with_idnumbers_back(_observation(out), P, PROOF).renumbered == {}
    assert with_idnumbers_back(_observation(out, grouping=None), P, PROOF).renumbered == {5: "lab-3"}  # no grouping: no evidence
    other = mentor_group_idnumber("q", 10)  # another programme's circle ID number
    assert with_idnumbers_back(_observation(_circle(5, other)), P, PROOF).renumbered == {}
    ours = mentor_group_idnumber(P, 30)  # this programme's, no group of the store's for it: put back (round 104a, 1)
    assert with_idnumbers_back(_observation(_circle(5, ours)), P, PROOF).renumbered == {5: ours}
    twice = CircleProof(recorded={A: frozenset({5}), B: frozenset({5})})  # which one is a guess
    assert with_idnumbers_back(_observation(_circle(5, "")), P, twice).renumbered == {}


def test_a_plain_rename_keeps_its_saved_form_and_digest() -> None:
    """A plan saved before ``idnumber_was`` existed is not taken for an edited one (``saved_plan.edited``)."""
    plain = UpdateGroup(idnumber=A, name="Circle 5")
    assert plain.model_dump_json() == f'{{"kind":"update_group","idnumber":"{A}","name":"Circle 5","description":""}}'
    assert '"idnumber_was":""' in UpdateGroup(idnumber=A, name="Circle 5", idnumber_was="").model_dump_json()
    saved = sealed(Plan(programme=P, course_id=2, fingerprint="f", operations=[plain]))
    assert edited(Plan.model_validate_json(saved.model_dump_json())) is False


def test_a_renumbered_circle_no_longer_wanted_is_put_back_and_ended_as_any_owned_circle() -> None:
    """Tester round 104a, 1 changed this rule: it was left as it was, its members with it."""
    seen = disown(with_idnumbers_back(_observation(_circle(5, "", 10, 11), _circle(6, B, 20, 21)), P, PROOF), P, PROOF)
    settings = PlanSettings(programme=P, grouping_name="G", group_name_template="Circle {mentor_fullname}",
                            allow_delete=True)
    plan = plan_sync(seen, [DesiredCircle(20, "6", frozenset({21}))], settings, Memory(posted={B: 41}))
    assert [(op.kind, op.key) for op in plan.operations] == [
        ("update_group", f"update_group:{A}"), ("remove_member", f"remove_member:{A}:11"), ("delete_group", f"delete_group:{A}")]
