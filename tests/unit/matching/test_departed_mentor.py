"""A mentee whose mentor is no longer here says whom they were with (tester round 50, 1).

On Moodle, a mentor whose account or enrolment is suspended (or who left) drops out of the
people, and their mentees read as newcomers: ``lmsync match`` said "matched anew" or a bare
"no capacity left", where the ``--people`` CSV path said "moved from m0002 (their mentor is no
longer among the mentors)". ``people_from_roster`` now gives ``People.departed``.
"""

from __future__ import annotations

from lmsync.config import Config
from lmsync.domain.matching import MENTOR_GONE
from lmsync.service.desire import people_from_roster
from lmsync.service.match import run_match
from lmsync.service.observe import RosterUser

from .test_people_state import circle, user


def roster() -> dict[int, RosterUser]:
    return {
        1: user(1, "m0001", "teacher", suspended=True, mentorcapacity="3"),  # account suspended: still in the roster
        # 2: m0002, enrolment suspended: not in the roster at all
        3: user(3, "m0003", "teacher", mentorcapacity="1"),
        4: user(4, "m0004", "teacher", mentorcapacity="1"),
        11: user(11, "s0011", "student"),
        12: user(12, "s0012", "student"),
        13: user(13, "s0013", "student"),
        14: user(14, "s0014", "student"),
    }


def test_round_50_1_a_mentee_of_a_mentor_no_longer_here_is_named_with_that_mentor() -> None:
    groups = [circle(1, 11, 12, gid=1), circle(2, 13, gid=2), circle(4, 14, gid=4)]
    asked: list[set[int]] = []

    def named(ids: object) -> dict[int, str]:
        asked.append(set(ids))  # type: ignore[call-overload]
        return {2: "m0002"}

    read = people_from_roster(roster(), Config(), groups=groups, named=named)
    assert read.people.departed == {"s0011": "m0001", "s0012": "m0001", "s0013": "m0002"}
    assert asked == [{2}], "only the mentor the roster cannot name is looked up, once"
    assert read.people.current == {"s0014": "m0004"}
    result = run_match(read.people, Config(), read.notices)
    # one place (m0003) for three mentees whose mentor left: one moves, two stay without a mentor
    moved = [a for a in result.assignments if a.mentee != "s0014"]
    assert len(moved) == 1 and moved[0].mentor == "m0003"
    assert (moved[0].origin, moved[0].cause) == ("moved", MENTOR_GONE)
    assert moved[0].previous == read.people.departed[moved[0].mentee]
    assert {(u.mentee, u.previous, u.cause) for u in result.unmatched} == {
        (m, read.people.departed[m], MENTOR_GONE) for m in {"s0011", "s0012", "s0013"} - {moved[0].mentee}
    }
    assert not [w for w in result.warnings if "not among the mentors" in w], "not a mistyped id: no warning each"


def test_round_50_1_without_a_lookup_the_mentor_is_named_by_moodle_id() -> None:
    read = people_from_roster(roster(), Config(), groups=[circle(2, 13, gid=2)])
    assert read.people.departed == {"s0013": "id:2"}


def test_round_50_1_a_mentee_also_in_a_live_circle_is_not_departed() -> None:
    read = people_from_roster(roster(), Config(), groups=[circle(1, 11, gid=1), circle(4, 11, gid=4)])
    assert read.people.current == {"s0011": "m0004"}
    assert read.people.departed == {}
