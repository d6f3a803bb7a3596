"""When a mentor's capacity falls below their pairs, the roster gives matching what the store knows
of those pairs: meetings (tester round 10, 4) and when lmsync paired them (tester round 50, 7), so
among equal meetings and fits the older pair stays."""

from __future__ import annotations

from lmsync.config import Config
from lmsync.domain.two_circles import PairStanding
from lmsync.service.desire import people_from_roster
from lmsync.service.match import run_match

from .test_people_state import circle, user


def test_round_50_7_the_store_s_pairing_dates_reach_the_capacity_cut() -> None:
    roster = {1: user(1, "m0001", "teacher", mentorcapacity="1"), 2: user(2, "m0002", "teacher", mentorcapacity="2"),
              11: user(11, "s0011", "student"), 12: user(12, "s0012", "student")}
    asked: list[set[int]] = []

    def standing(mentees: object) -> PairStanding:
        asked.append(set(mentees))  # type: ignore[call-overload]
        return PairStanding(since={(1, 11): "2026-12-03T10:00:00+00:00", (1, 12): "2026-09-01T09:00:00+00:00"})

    read = people_from_roster(roster, Config(), groups=[circle(1, 11, 12, gid=1)], standing=standing)
    assert asked == [{11, 12}]
    assert read.people.since == {"s0011": "2026-12-03T10:00:00+00:00", "s0012": "2026-09-01T09:00:00+00:00"}
    result = {a.mentee: (a.mentor, a.origin) for a in run_match(read.people, Config(), read.notices).assignments}
    assert result["s0012"] == ("m0001", "kept")  # paired in September: stays
    assert result["s0011"][0] == "m0002"  # paired this morning: moves (by id it stayed)
