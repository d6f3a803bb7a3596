"""Tester round 121b, 1, 5 and 10: the peer-mentor cohort against two roles and a held circle (``cohort_roles``).

1: a mentee given a teacher role and added to the cohort (``dual_role = "exclude"``) was told "kept in their
circle", but was read as a peer mentor, so the plan removed them with an untrue reason: the two-role rules win, they
stay a mentee in their circle. 5: the notice of a mentee added to the cohort named a held circle "id:20's circle"
(its mentor's enrolment suspended, not in the roster): the site names the mentor. 10: the two-role notice of a
cohort member said ``dual_role = "mentor" or "mentee"`` without saying which keeps them a peer mentor.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from lmsync.config import Config, MatchingConfig, PrivacyConfig, ProgrammeConfig
from lmsync.domain.plan import ObservedGroup, mentor_group_idnumber
from lmsync.service.match import run_match
from lmsync.service.observe import RosterUser
from lmsync.service.roster import people_from_roster

PROGRAMME = Config().programme.name
COHORT = "peer-mentors-2026"
#: how a cohort member's two-role notice ends under ``exclude`` (tester round 121b, 10)
WHICH = ('until an admin decides ([matching] dual_role = "mentee" keeps them a peer mentor, the year gap applying; '
         '"mentor" counts them as a faculty mentor, with no year gap; either one for everyone in the programme with '
         'both roles)')


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


def _roster() -> dict[int, RosterUser]:
    """A faculty mentor, a mentee with a teacher role too (the cohort member), and another mentee."""
    users = [_user(2, "m1", "teacher", name="Dr One"), _user(3, "s2", "student+teacher", year=2, name="Sam Two"),
             _user(4, "s5", "student", year=5)]
    return {u.id: u for u in users}


def test_a_two_role_mentee_added_to_the_cohort_stays_a_mentee_in_their_circle_under_exclude() -> None:
    config = _config()
    read = people_from_roster(_roster(), config, peer_mentor_ids=frozenset({3}), groups=[_circle(2, 3)])
    person = read.people.by_id()["s2"]
    assert person.role == "mentee" and not person.has_role("peer_mentor"), person.role
    assert read.people.current == {"s2": "m1"}
    (notice,) = [n for n in read.notices if n.person == "s2"]  # the two-role notice alone: no "a peer mentor now"
    assert notice.code == "dual_role" and notice.outcome == "held_with_mentor"
    assert "kept in their circle while their mentor has room for them" in notice.message
    result = run_match(read.people, config, read.notices)
    assert {a.mentee: a.mentor for a in result.assignments}["s2"] == "m1"
    assert "s2" not in {u.mentee for u in result.unmatched}


def test_the_two_role_rules_win_as_when_not_in_the_cohort() -> None:
    """The same person outside the cohort is read the same way (the round-54 rule)."""
    inside = people_from_roster(_roster(), _config(), peer_mentor_ids=frozenset({3}), groups=[_circle(2, 3)])
    outside = people_from_roster(_roster(), _config(), peer_mentor_ids=frozenset(), groups=[_circle(2, 3)])
    assert inside.people.by_id()["s2"] == outside.people.by_id()["s2"]
    assert inside.people.current == outside.people.current == {"s2": "m1"}


def test_a_held_circle_whose_mentor_is_not_in_the_roster_is_named_by_the_site() -> None:
    roster = _roster()
    roster[3] = _user(3, "s2", "student", year=2, name="Sam Two")
    del roster[2]  # the mentor's enrolment suspended: not in the roster; their circle held
    asked: list[tuple[tuple[str, ...], str]] = []

    def site(fields: tuple[str, ...], value: str) -> dict[int, Any]:
        asked.append((fields, value))
        return {2: SimpleNamespace(id=2, username="m1", fullname="Dr One")}

    read = people_from_roster(roster, _config(), peer_mentor_ids=frozenset({3}), groups=[_circle(2, 3)],
                              held=frozenset({2}), site=site)
    (notice,) = [n for n in read.notices if n.person == "s2"]
    assert "a mentee in Dr One (m1)'s circle (held for its away mentor: when its hold ends)" in notice.message, \
        notice.message
    assert "id:2" not in notice.message and asked == [(("id",), "2")]
    hidden = people_from_roster(roster, _config(show_names=False), peer_mentor_ids=frozenset({3}),
                                groups=[_circle(2, 3)], held=frozenset({2}), site=site)
    (notice,) = [n for n in hidden.notices if n.person == "s2"]
    assert "a mentee in m1's circle" in notice.message and "Dr One" not in notice.message, notice.message


def test_a_cohort_member_held_by_exclude_is_told_which_dual_role_keeps_them_a_peer_mentor() -> None:
    roster = _roster()
    roster[3] = _user(3, "s2", "student+teacher", year=2, name="Sam Two")  # the mentor of a circle of their own
    read = people_from_roster(roster, _config(), peer_mentor_ids=frozenset({3}), groups=[_circle(3, 4)])
    (notice,) = [n for n in read.notices if n.person == "s2"]
    assert notice.message.endswith(f"kept as the mentor of their circle, no new mentees {WHICH}"), notice.message


def test_a_cohort_member_left_out_by_exclude_is_told_which_dual_role_keeps_them_a_peer_mentor() -> None:
    read = people_from_roster(_roster(), _config(), peer_mentor_ids=frozenset({3}))
    (notice,) = [n for n in read.notices if n.person == "s2"]
    assert f"in no circle, with no mentor, {WHICH}; " in notice.message, notice.message


def test_a_two_role_person_outside_the_cohort_keeps_the_words_of_before() -> None:
    read = people_from_roster(_roster(), _config(), peer_mentor_ids=frozenset(), groups=[_circle(2, 3)])
    (notice,) = [n for n in read.notices if n.person == "s2"]
    assert notice.message.endswith('until an admin decides ([matching] dual_role = "mentor" or "mentee")')
