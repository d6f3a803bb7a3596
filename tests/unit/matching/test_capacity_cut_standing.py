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


def test_round_132b_1_a_capacity_cut_keeps_the_pair_that_met_when_rematch_opens_the_mentor() -> None:
    """Tester round 132b, 1: with [matching] rematch naming the mentor (or "*"), a capacity cut moved the one pair
    that had met, and every move read "re-matching". The cut's order holds whatever rematch opens: the pair that met
    stays open to re-matching, the others move "over capacity", each warned of."""
    roster = {1: user(1, "m0001", "teacher", mentorcapacity="1"), 2: user(2, "m0002", "teacher", mentorcapacity="3"),
              11: user(11, "s0011", "student"), 12: user(12, "s0012", "student"), 13: user(13, "s0013", "student")}

    def standing(mentees: object) -> PairStanding:
        return PairStanding(meetings={(1, 13): 1})

    for rematch in (["m0001"], ["*"], []):
        config = Config.model_validate({"matching": {"rematch": rematch}})
        read = people_from_roster(roster, config, groups=[circle(1, 11, 12, 13, gid=1)], standing=standing)
        result = run_match(read.people, config, read.notices)
        moved = {a.mentee: (a.mentor, a.cause) for a in result.assignments if a.origin == "moved"}
        assert {a.mentee: a.mentor for a in result.assignments}["s0013"] == "m0001", rematch  # it met: it stays
        assert moved == {"s0011": ("m0002", "over capacity"), "s0012": ("m0002", "over capacity")}, (rematch, moved)
        assert sum("holds more mentees than their capacity" in w for w in result.warnings) == 2, result.warnings
