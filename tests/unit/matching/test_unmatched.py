"""Why a mentee is left unmatched: said the same, in time per year of study, not per mentee.

An over-subscribed programme (more mentees than mentor places, common in a first year) leaves
thousands unmatched; each one's reason used to be a pass over every mentor: at 50,000 mentees
and 5,000 mentors, 113 million checks and two minutes of a 2.5-minute match (issue 15, speed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.domain.unmatched import UnmatchedReasons, unmatched_reason

from .helpers import mentee, mentor, peer


class _Counted(list[Person]):
    """The mentors, counting the passes made over them."""

    passes = 0

    def __iter__(self) -> Iterator[Person]:
        self.passes += 1
        return super().__iter__()


@given(st.randoms(use_true_random=False), st.sampled_from(["mentor", "peer"]))
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_each_reason_is_the_one_worked_out_alone(rnd: random.Random, kind: str) -> None:
    """Mentees of every year (and none), some also mentors, some named by forbids or "not a good
    fit" marks; mentors with and without room, peers of every year: the reason given through the
    per-year shortcut is the one a pass over every mentor gives."""
    years = [None, 1, 2, 3, 4, 5]
    mentors: list[Person] = []
    for j in range(rnd.randint(0, 6)):
        if rnd.random() < 0.5:
            mentors.append(peer(f"t{j}", rnd.choice([1, 2, 3, 4, 5]), capacity=rnd.randint(0, 1)))
        else:
            mentors.append(mentor(f"t{j}", rnd.randint(0, 1)))
    mentees = [mentee(f"s{i}", year=rnd.choice(years)) for i in range(rnd.randint(1, 8))]
    mentees += [m for m in mentors if rnd.random() < 0.3]  # a mentor who is a mentee too
    forbidden = {(s.id, t.id): rnd.choice(["forbidden", "marked not a good fit"])
                 for s in mentees for t in mentors if rnd.random() < 0.2}
    cap = {p.id: p.capacity for p in mentors}
    settings = MatchSettings(peer_year_gap_min=1, peer_year_gap_max=rnd.randint(1, 3))
    reasons = UnmatchedReasons(kind, mentors, cap, forbidden, settings)  # type: ignore[arg-type]
    for person in mentees:
        assert reasons(person) == unmatched_reason(kind, person, mentors, cap, forbidden, settings)  # type: ignore[arg-type]


def test_an_over_subscribed_circle_is_explained_per_year_not_per_mentee() -> None:
    """600 mentees of three years for 10 places: the mentors are gone through once per year (and
    once for the mentee a forbid names), not once per unmatched mentee."""
    listed = [mentor(f"t{j}", 1) for j in range(5)] + [peer(f"p{j}", 4, capacity=1) for j in range(5)]
    full = {p.id: 0 for p in listed}  # every place taken
    mentors = _Counted(listed)
    mentees = [mentee(f"s{i:03d}", year=1 + i % 3) for i in range(600)]
    reasons = UnmatchedReasons("mentor", mentors, full, {("s000", "t0"): "forbidden"}, MatchSettings())
    said = {reasons(person) for person in mentees}
    assert said == {"no mentor with capacity in the programme"}
    assert mentors.passes <= 1 + 2 * (3 + 1)  # who the mentors are; then two passes per year and for s000


def test_the_match_of_an_over_subscribed_programme_names_why() -> None:
    """Through ``match``: the mentees left over are told the places are full, a year-1 mentee whom
    no peer is senior enough for is told the gap."""
    people = People((mentor("t1", 2), *(mentee(f"s{i}", year=2) for i in range(5))))
    result = match(people, MatchSettings())
    assert len(result.assignments) == 2
    assert {u.reason for u in result.unmatched} == {"no capacity left: the one allowed mentor is full"}
    peers = People((peer("p1", 2, capacity=3), mentee("s1", year=2), mentee("s2", year=1)))
    left = {u.mentee: u.reason for u in match(peers, MatchSettings(peer_year_gap_min=1)).unmatched}
    assert left == {"s1": "no mentor within the year gap [1, 3] above year 2"}


def test_a_mentee_with_no_year_is_told_the_peer_places_need_one() -> None:
    """Tester round 46b, 4: a mentee whose year of study is not set was told "all mentors are full"
    while peer mentors still had room; the reason now says those places need a year."""
    people = People((mentor("t1", 1), peer("p1", 4, capacity=3), mentee("s1", year=2), mentee("s2"), mentee("s3")))
    result = match(people, MatchSettings(peer_year_gap_min=1))
    assert {a.mentee: a.mentor for a in result.assignments}["s1"] == "p1"
    left = {u.mentee: u.reason for u in result.unmatched}
    assert len(left) == 1 and set(left) < {"s2", "s3"}  # one of the two with no year has t1
    assert set(left.values()) == {("no capacity left: the one allowed mentor is full; 1 peer mentor(s) could not be chosen: "
                          "they need a year of study, and none is set for this mentee")}
    full = People((mentor("t1", 1), mentee("s0"), mentee("s1")))  # no peer: nothing to add
    assert {u.reason for u in match(full, MatchSettings()).unmatched} == {"no capacity left: the one allowed mentor is full"}
