"""Tester round 50: a mentor whose capacity is 0 (they opted out in their own profile) and the bad
``[matching]`` entries said all at once.

2. A pin naming such a mentor stopped every sync of the programme (exit 2): it waits, said, and the
   mentee is matched as any other meanwhile; what is a configuration error is still refused.
3. Their mentees were told a long catch-all reason: the match says their mentor opted out.
13. Only the first kind of bad entry (pins / forbids, then rematch) was reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import Config, load_config
from lmsync.domain.circle_leaving import leaving_a_circle_gone, left_without_words, moved_words
from lmsync.domain.compatibility import MatchSettings
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.errors import EXIT_ADMIN, ConfigError, InputError
from lmsync.render.formats import render
from lmsync.render.match import match_view
from lmsync.service.match import run_match
from lmsync.service.people_csv import load_people_csv

OPTED_OUT = "their mentor opted out (capacity 0)"  # Match.cause, Unmatched.cause
WAITS = ("pin s1 -> m0 waits: m0 has opted out (capacity 0), so s1 is matched as any other mentee meanwhile; the pin "
         "applies again once m0 has room (a capacity of 1 or more; take it out of [matching] pins if it should not)")


def people(m0_capacity: int = 0, **kw: object) -> People:
    persons = (Person("m0", "mentor", capacity=m0_capacity), Person("m1", "mentor", capacity=2),
               Person("s1", "mentee"), Person("s2", "mentee"))
    return People(persons, **kw)  # type: ignore[arg-type]


def test_pin_to_opted_out_mentor_waits_instead_of_stopping_the_match() -> None:
    result = match(people(pins=[("s1", "m0")]), MatchSettings())
    pairs = {a.mentee: (a.mentor, a.origin) for a in result.assignments}
    assert pairs == {"s1": ("m1", "matched"), "s2": ("m1", "matched")}  # matched as any other mentee
    assert WAITS in result.warnings
    # the pin applies again once the mentor has room
    back = match(people(1, pins=[("s1", "m0")]), MatchSettings())
    assert {a.mentee: (a.mentor, a.origin) for a in back.assignments}["s1"] == ("m0", "pinned")
    assert not any("waits" in w for w in back.warnings)


@pytest.mark.parametrize(("pins", "forbids", "says"), [
    ((("s1", "m0"), ("s1", "m1")), (), "s1 is pinned to two mentors (m0 and m1)"),
    ((("s1", "m0"),), (("s1", "m0"),), "pin s1 -> m0 contradicts a forbid"),
    ((("m0", "s1"),), (), "pin m0 -> s1: s1 is not a mentor (a pin is [mentee, mentor]: written the wrong way round?)"),
])
def test_pin_to_opted_out_mentor_that_is_a_configuration_error_is_still_refused(
    pins: tuple[tuple[str, str], ...], forbids: tuple[tuple[str, str], ...], says: str,
) -> None:
    with pytest.raises(InputError) as error:
        match(people(pins=pins, forbids=forbids), MatchSettings())
    assert says in error.value.message


def test_pin_to_opted_out_mentor_in_a_people_csv_waits_as_on_the_moodle_path(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,role,capacity\nm0,mentor,0\nm1,mentor,2\ns1,mentee,\ns2,mentee,\n", encoding="utf-8")
    config = load_config(None, environ={"LMSYNC_MATCHING_PINS": '[["s1", "m0"]]'})
    result = run_match(load_people_csv(path, config), config, people_file=path)
    assert {a.mentee: a.mentor for a in result.assignments} == {"s1": "m1", "s2": "m1"}
    assert WAITS in result.warnings
    config = load_config(None, environ={"LMSYNC_MATCHING_PINS": '[["s1", "m0"], ["s1", "m1"]]'})
    with pytest.raises(ConfigError) as error:  # two mentors for one mentee is still the coordinator's to correct
        run_match(load_people_csv(path, config), config, people_file=path)
    assert error.value.exit_code == EXIT_ADMIN and "s1 is pinned to two mentors (m0 and m1)" in error.value.message


def test_capacity_0_mentors_mentees_are_told_their_mentor_opted_out_placed_or_not() -> None:
    # m1 has room for one of m0's two mentees: one moves, one is left with no mentor
    persons = (Person("m0", "mentor", capacity=0), Person("m1", "mentor", capacity=1),
               Person("s1", "mentee"), Person("s2", "mentee"))
    result = match(People(persons, current={"s1": "m0", "s2": "m0"}), MatchSettings())
    (moved,), (left,) = result.assignments, result.unmatched
    assert (moved.origin, moved.previous, moved.cause) == ("moved", "m0", OPTED_OUT)
    assert "moved from m0 (their mentor opted out (capacity 0))" in moved.reasons
    assert (left.previous, left.cause) == ("m0", OPTED_OUT)
    text = " ".join(render(match_view(result), "text").split())
    assert (f"unmatched: {left.reason} (their pair with m0 ended: their mentor opted out (capacity 0))") in text
    # the plan's words: the cause, and no catch-all of why the circle goes
    assert moved_words(moved.cause) == "re-matched: their mentor opted out (capacity 0)"
    catch_all = ("has no mentee in the new match (every mentee re-matched, or marked not a good fit; or they mentor no "
                 "longer: capacity 0, another role, or out of the programme's mentor roles)")
    words = leaving_a_circle_gone(left_without_words(left.reason, cause=left.cause), catch_all)
    assert words == f"left with no mentor: their mentor opted out (capacity 0); {left.reason}"
    assert "no longer allowed" not in words and "every mentee re-matched" not in words


def test_every_bad_matching_entry_is_reported_in_one_error_and_nothing_is_applied() -> None:
    config = Config.model_validate({"matching": {
        "pins": [["m1", "s1"], ["s2", "m0"], ["s2", "m1"]],
        "forbids": [["s1", "zz9999"]],
        "rematch": ["nobody42"],
    }})
    with pytest.raises(ConfigError) as error:
        run_match(people(1), config)
    message = error.value.message
    for said in ("forbid s1 -> zz9999: nobody active in the programme has the username, idnumber, email or id 'zz9999'",
                 "rematch 'nobody42': nobody active in the programme has that username",
                 "pin m1 -> s1: s1 is not a mentor (a pin is [mentee, mentor]: written the wrong way round?)",
                 "s2 is pinned to two mentors (m0 and m1)"):
        assert said in message, message
    assert error.value.exit_code == EXIT_ADMIN
    assert "[matching] pins / forbids / rematch" in (error.value.hint or "")
    assert "LMSYNC_MATCHING_REMATCH" in (error.value.hint or "")


def test_every_bad_pin_is_reported_in_one_error() -> None:
    pins = (("s1", "m1"), ("s2", "m1"), ("s1", "m0"), ("s2", "s2"))
    with pytest.raises(InputError) as error:
        match(people(1, pins=pins, forbids=(("s2", "m1"),)), MatchSettings())
    message = error.value.message
    for said in ("s1 is pinned to two mentors (m1 and m0)", "pin s2 -> m1 contradicts a forbid",
                 "pin s2 -> s2: s2 is not a mentor"):
        assert said in message, message
