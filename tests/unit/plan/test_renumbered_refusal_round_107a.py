"""Tester round 107a, 7: the refusal's words when every group left alone is a circle this store made carrying
another circle's ID number (``circle_proof.renumbered_refusal``)."""

from __future__ import annotations

from lmsync.domain.circle_proof import CircleProof, disown, renumbered_refusal
from lmsync.domain.plan import Observation, ObservedGroup, mentor_group_idnumber

P = "p"
A, B, C = (mentor_group_idnumber(P, m) for m in (10, 20, 30))
PROOF = CircleProof(recorded={A: frozenset({5}), B: frozenset({6}), C: frozenset({7})})


def _group(gid: int, name: str, idnumber: str) -> ObservedGroup:
    return ObservedGroup(id=gid, name=name, idnumber=idnumber, members=frozenset(), in_grouping=True)


def _read(*groups: ObservedGroup) -> Observation:
    observation = Observation(course_id=2, grouping_id=1, groups=groups, active_user_ids=frozenset({10, 20, 30}))
    return disown(observation, P, PROOF)


def test_three_circles_moved_round_are_said_as_this_stores_with_clear_one_of_each_swap() -> None:
    observation = _read(_group(5, "Circle A", B), _group(6, "Circle B", C),
                        _group(7, "Circle C", A))
    what, fix = renumbered_refusal(observation, PROOF)
    assert what.startswith("3 circles this store made carry one another's ID numbers, swapped in Moodle: "), what
    assert f"group 'Circle A' (Moodle id 5) carries {B}, made as {A}" in what, what
    assert f"5's to {A}, 6's to {B}, 7's to {C}, clearing one first" in fix, fix
    assert "clear the ID number of one of them (one of each swap)" in fix and "[store] path" not in fix, fix


def test_a_group_this_store_never_made_among_them_keeps_the_general_words() -> None:
    observation = _read(_group(5, "Circle A", B), _group(6, "Circle B", A),
                        _group(9, "Teacher's", mentor_group_idnumber(P, 40)))
    assert len(observation.disowned) == 3
    assert renumbered_refusal(observation, PROOF) == ("", "")
    assert renumbered_refusal(_read(_group(5, "Circle A", A)), PROOF) == ("", "")  # none left
