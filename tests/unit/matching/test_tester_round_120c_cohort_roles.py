"""Tester round 120c, 1 and 4: a member of the peer-mentor cohort whose course role or circle says otherwise.

1: a cohort member with a mentor role (a non-editing teacher, to see their circle) and no mentee role was read as a
faculty mentor, silently: the year gap stopped applying. The cohort is the school's list of its peer mentors, so
they stay one, and a notice says so. 4: a mentee added to the cohort left their circle "placed in no circle"; a
notice now says they are a peer mentor now (``cohort_roles``).
"""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import Config, MatchingConfig, PrivacyConfig, ProgrammeConfig
from lmsync.domain.plan import ObservedGroup, mentor_group_idnumber
from lmsync.service.match import run_match
from lmsync.service.observe import RosterUser
from lmsync.service.roster import people_from_roster

PROGRAMME = Config().programme.name
COHORT = "peer-mentors-2026"
# ``cohort_roles``' codes, as a script reads them (and as this file reads them on lmsync before this round)
COHORT_MENTOR_ROLE, COHORT_MENTEE, PEER_MENTOR_NOW = "cohort_mentor_role", "cohort_mentee", "peer_mentor_now"


def _config(show_names: bool = True, **matching: Any) -> Config:
    return Config(programme=ProgrammeConfig(peer_mentor_cohort=COHORT), matching=MatchingConfig(**matching),
                  privacy=PrivacyConfig(show_names=show_names))


def _user(uid: int, username: str, roles: str, year: int | None = None, name: str = "") -> RosterUser:
    profile = {"yearofstudy": str(year)} if year is not None else {}
    return RosterUser(uid, username, username, name or username.upper(), f"{username}@example.org",
                      frozenset(roles.split("+")), profile, suspended=False)


def _circle(mentor: int, *members: int) -> ObservedGroup:
    return ObservedGroup(mentor, f"Circle {mentor}", mentor_group_idnumber(PROGRAMME, mentor),
                         frozenset({mentor, *members}), True)


def _roster(peer_roles: str) -> dict[int, RosterUser]:
    """A year-4 cohort member holding ``peer_roles``, a faculty mentor with no year, and mentees in years 2, 5, 6."""
    users = [_user(1, "p4", peer_roles, year=4, name="Pat Four"), _user(2, "m1", "teacher", name="Dr One"),
             _user(3, "s2", "student", year=2), _user(4, "s5", "student", year=5), _user(5, "s6", "student", year=6)]
    return {u.id: u for u in users}


@pytest.mark.parametrize("roles", ["teacher", "editingteacher", "editingteacher+teacher"])
def test_a_cohort_member_with_a_mentor_role_only_stays_a_peer_mentor_and_is_told(roles: str) -> None:
    read = people_from_roster(_roster(roles), _config(), peer_mentor_ids=frozenset({1}))
    people = read.people.by_id()
    assert people["p4"].role == "peer_mentor" and people["m1"].role == "mentor"
    (notice,) = [n for n in read.notices if n.person == "p4"]
    assert (notice.code, notice.outcome, notice.moodle_id, notice.value) == (
        COHORT_MENTOR_ROLE, "counted_as_peer_mentor", 1, ", ".join(sorted(roles.split("+"))))
    assert notice.message.startswith(f"Pat Four (p4) (Moodle id 1) is in the peer-mentor cohort {COHORT} and has a "
                                     f"mentor role ({notice.value}): they stay a peer mentor"), notice.message
    assert "year gap [1, 3]" in notice.message and "take them out of the cohort" in notice.message


def test_the_year_gap_applies_to_a_cohort_member_with_a_mentor_role() -> None:
    """Years 5 and 6 are not the year-4 peer mentor's: the faculty mentor takes them (it was p4, gap ignored)."""
    config = _config()
    read = people_from_roster(_roster("teacher"), config, peer_mentor_ids=frozenset({1}))
    result = run_match(read.people, config, read.notices)
    mentor_of = {a.mentee: a.mentor for a in result.assignments}
    assert mentor_of == {"s2": "p4", "s5": "m1", "s6": "m1"}, mentor_of


def test_an_existing_pair_outside_the_gap_is_kept_with_a_warning() -> None:
    """A pair made while the cohort member counted as faculty (lmsync before this round) is kept, as a year edit's."""
    config = _config()
    read = people_from_roster(_roster("teacher"), config, peer_mentor_ids=frozenset({1}), groups=[_circle(1, 4)])
    result = run_match(read.people, config, read.notices)
    assert {a.mentee: a.mentor for a in result.assignments}["s5"] == "p4"
    # the people named as the warnings name them ("s5", or "S5 (s5)"): their words are not this round's
    assert any("s5" in w and "existing pair with" in w and "p4" in w and "outside the year gap [1, 3]" in w
               for w in result.warnings), result.warnings


@pytest.mark.parametrize(("decision", "role"), [("mentor", "mentor"), ("mentee", "peer_mentor")])
def test_a_cohort_member_with_both_roles_still_follows_dual_role(decision: str, role: str) -> None:
    """A mentee role too: a two-role person, whom ``[matching] dual_role`` decides (tester round 64, 5)."""
    read = people_from_roster(_roster("student+teacher"), _config(dual_role=decision), peer_mentor_ids=frozenset({1}))
    assert read.people.by_id()["p4"].role == role
    assert {n.code for n in read.notices if n.person == "p4"} == {"dual_role"}


def test_a_teacher_outside_the_cohort_is_a_faculty_mentor_with_no_notice() -> None:
    read = people_from_roster(_roster("teacher"), _config(), peer_mentor_ids=frozenset())
    assert read.people.by_id()["p4"].role == "mentor"
    assert not [n for n in read.notices if n.person == "p4"]


def test_a_mentee_added_to_the_cohort_is_told_they_leave_their_circle_as_a_peer_mentor_now() -> None:
    roster = _roster("teacher")
    roster[1] = _user(1, "p4", "student", year=4, name="Pat Four")
    read = people_from_roster(roster, _config(), peer_mentor_ids=frozenset({3}), groups=[_circle(2, 3)])
    assert read.people.by_id()["s2"].role == "peer_mentor"
    (notice,) = [n for n in read.notices if n.person == "s2"]
    assert (notice.code, notice.outcome, notice.moodle_id) == (COHORT_MENTEE, PEER_MENTOR_NOW, 3)
    assert (f"S2 (s2) (Moodle id 3) is in the peer-mentor cohort {COHORT} and a mentee in Dr One (m1)'s circle: "
            "a peer mentor now, they leave that circle") in notice.message, notice.message
    assert "take them out of the cohort" in notice.message
    assert read.people.current == {}  # not a mentee of m1 any more


def test_a_peer_mentor_is_named_by_username_alone_without_names() -> None:
    read = people_from_roster(_roster("teacher"), _config(show_names=False), peer_mentor_ids=frozenset({3}), groups=[_circle(2, 3)])
    (notice,) = [n for n in read.notices if n.person == "s2"]
    assert "in m1's circle" in notice.message and "Dr One" not in notice.message, notice.message


def test_in_triads_a_cohort_member_stays_a_mentee_of_their_circle_with_no_notice() -> None:
    """In triads a near-peer is a mentee of a faculty mentor too: nothing to leave, nothing said."""
    read = people_from_roster(_roster("teacher"), _config(structure="triads"), peer_mentor_ids=frozenset({3}),
                              groups=[_circle(2, 3)])
    assert read.people.by_id()["s2"].has_role("mentee")
    assert not [n for n in read.notices if n.person == "s2"]


def test_the_removal_reason_names_the_cohort_and_the_rule() -> None:
    from lmsync.service.cohort_roles import peer_now_reason

    assert peer_now_reason(_config()) == (f"a peer mentor now: in the peer-mentor cohort {COHORT}, and a peer mentor "
                                          "is no one's mentee with [matching] structure = \"pairs\"")


def test_a_two_role_cohort_member_counted_as_mentee_in_a_circle_is_told_they_leave_it() -> None:
    """``dual_role = "mentee"`` keeps them a peer mentor (round 64, 5): as a mentee added to the cohort, they leave
    the circle they were a mentee in; held by ``exclude``, their two-role notice alone speaks."""
    roster = _roster("teacher")
    roster[3] = _user(3, "s2", "student+teacher", year=2)
    read = people_from_roster(roster, _config(dual_role="mentee"), peer_mentor_ids=frozenset({3}), groups=[_circle(2, 3)])
    assert {n.code for n in read.notices if n.person == "s2"} == {"dual_role", COHORT_MENTEE}
    held = people_from_roster(roster, _config(), peer_mentor_ids=frozenset({3}), groups=[_circle(2, 3)])
    assert {n.code for n in held.notices if n.person == "s2"} == {"dual_role"}
