"""Tester round 73, 1: which groups carrying a circle idnumber are lmsync's (``lmsync.domain.circle_proof``); 2: the
pairs of a circle deleted in Moodle (``lmsync.domain.deleted_in_moodle``)."""

from __future__ import annotations

from lmsync.domain.circle_proof import CircleProof, disown, disowned_mentors, disowned_warnings
from lmsync.domain.plan import (
    Memory,
    Observation,
    ObservedGroup,
    PlanSettings,
    mentor_group_idnumber,
    plan_sync,
)
from lmsync.domain.sync_state import DesiredCircle

P = "p"
A, B = mentor_group_idnumber(P, 10), mentor_group_idnumber(P, 20)


def _observation(*groups: ObservedGroup) -> Observation:
    return Observation(course_id=2, grouping_id=1, groups=groups, active_user_ids=frozenset({10, 11, 12, 20, 21}))


def test_a_store_without_a_record_adopts_what_carries_the_idnumber() -> None:
    assert CircleProof().proves(A, {5}) and not CircleProof().holds_circles
    assert CircleProof(vouched=frozenset({A})).proves(B, {6})  # vouched alone is no record: adoption


def test_recorded_ids_prove_their_idnumber_and_its_duplicates_a_stranger_is_not_proved() -> None:
    proof = CircleProof(recorded={A: frozenset({5})})
    assert proof.proves(A, {5}) and proof.proves(A, {5, 9})  # a copy of a create that committed twice
    assert not proof.proves(A, {9})  # lmsync's group 5 is gone: a group made since is not its own
    assert not proof.proves(B, {6})
    assert CircleProof(recorded={A: frozenset({5})}, unsettled=frozenset({B})).proves(B, {6})  # lost answer
    vouched = CircleProof(recorded={A: frozenset({5})}, vouched=frozenset({A, B}))
    assert vouched.proves(B, {6}) and not vouched.proves(A, {9})  # vouched counts only while no id is recorded


def test_a_disowned_group_is_any_teachers_group_and_the_plan_leaves_it_alone() -> None:
    ours = ObservedGroup(id=5, name="Circle: A", idnumber=A, members=frozenset({10, 11}), in_grouping=True)
    theirs = ObservedGroup(id=6, name="Circle: B &amp; co", idnumber=B, members=frozenset({20, 11}))
    seen = disown(_observation(ours, theirs), P, CircleProof(recorded={A: frozenset({5})}))
    assert seen.groups[0] == ours and (seen.groups[1].idnumber, seen.groups[1].members) == ("", frozenset())
    assert seen.disowned == (theirs,) and disowned_mentors(seen, P) == {20}
    assert seen.fingerprint() != _observation(ours, theirs).fingerprint()
    (warning,) = disowned_warnings(seen)
    # named as Moodle shows it, not as its web services return it (tester round 117b, 5)
    assert f"group 'Circle: B & co' (Moodle id 6) carries the ID number {B}" in warning
    plan = plan_sync(seen, [DesiredCircle(10, "A", frozenset({11}))], PlanSettings(programme=P, grouping_name="G",
                     allow_delete=True, post_welcome=False), Memory())
    assert all(getattr(op, "group", getattr(op, "idnumber", "")) != B for op in plan.operations), plan.operations
    assert not plan.by_kind("remove_member") and not plan.by_kind("delete_group")


def test_round_73_2_pairs_of_a_deleted_circle_are_existing_pairs_unless_their_mentor_is_blocked() -> None:
    from lmsync.domain.deleted_in_moodle import with_deleted_circles
    from lmsync.domain.people import People, Person

    people = People(persons=(Person(id="m1", role="mentor", capacity=3, moodle_id=10),
                             Person(id="m2", role="mentor", capacity=3, moodle_id=20),
                             Person(id="s1", role="mentee", moodle_id=11), Person(id="s2", role="mentee", moodle_id=12),
                             Person(id="s3", role="mentee", moodle_id=13)),
                    current={"s2": "m2"})
    kept = with_deleted_circles(people, {11: 10, 12: 10, 13: 20}, blocked={20})
    assert dict(kept.current) == {"s1": "m1", "s2": "m2"}  # s2 is in a circle now; m2's circle cannot be made
    assert {p.id: p.capacity for p in kept.persons}["m2"] == 0
