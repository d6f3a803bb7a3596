"""Tester round 103a, 2, 3, 4, 5, 8: what ``lmsync match`` says of a re-matched move, of what it maximises,
of the shared_interests weight, and of preferences that can never be met."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import Config
from lmsync.config_sections import WeightsConfig
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.service.people_csv import load_people_csv

HEADER = "id,role,capacity,department,interests,year,languages,current_mentor,current_peer,preferences,needs,fullname\n"


def _match(tmp_path: Path, rows: str, toml: str, *args: str) -> str:
    people = tmp_path / "people.csv"
    people.write_text(HEADER + rows, encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text(toml, encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people), *args])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_round_103a_2_a_rematched_mentee_moved_to_free_a_seat_is_told_who_took_it(tmp_path: Path) -> None:
    # e1 loses with m1 (3 against 5 and the stickiness with m3) so that e3 gains 9 with m3: the total's choice
    rows = ("m1,mentor,1,Surgery,,,,,,,,Mentor One\nm3,mentor,1,Surgery,a;b;c;d,,en,,,,,Mentor Three\n"
            "e1,mentee,,Surgery,a;b,,,m3,,,,E1\ne3,mentee,,Surgery,a;b;c;d,,en,,,m3,a,E3\n")
    toml = '[matching]\nrematch = ["e1"]\n'
    text = _match(tmp_path, rows, toml)
    line = next(line for line in text.splitlines() if line.startswith("E1 (e1)"))
    assert "Mentor One (m1)" in line
    # the former mentor by label too (tester round 104b, 9)
    assert line.endswith("moved from Mentor Three (m3) (re-matching: Mentor Three (m3)'s place went to E3 (e3), which "
                         "the total score favours)")
    data = json.loads(_match(tmp_path, rows, toml, "--format", "json"))
    moved = next(a for a in data["assignments"] if a["mentee"] == "e1")
    assert moved["reasons"][-1] == "moved from m3 (re-matching: m3's place went to e3, which the total score favours)"
    assert moved["cause"] == "re-matching"  # the cause code is unchanged (the plan reads it)


def test_round_103a_2_a_move_away_from_a_mentor_with_room_names_nobody() -> None:
    # m3 keeps a free place after the match: e1 moved for a better mentor, not to make room
    from lmsync.domain.rematch_moves import places, with_places_said

    people = People(
        (Person("m1", "mentor", capacity=1, department="A", interests=frozenset({"x", "y"})),
         Person("m3", "mentor", capacity=3, department="A"),
         Person("e1", "mentee", department="A", interests=frozenset({"x", "y"})), Person("e3", "mentee", department="A")),
        current={"e1": "m3"}, rematch=frozenset({"e1"}),
    )
    settings = MatchSettings(weights=Weights(stickiness=1))
    result = match(people, settings)
    said = with_places_said(result.assignments, places(people.persons, settings))
    moved = next(a for a in said if a.mentee == "e1")
    assert (moved.mentor, moved.reasons[-1]) == ("m1", "moved from m3 (re-matching)")


def test_round_103a_2_a_pinned_or_returning_taker_is_said_as_such() -> None:
    from lmsync.domain.rematch_moves import moved_reason

    assert moved_reason("m3", [("e3", "pinned")]) == (
        "moved from m3 (re-matching: m3's place went to e3 (pinned there by [matching] pins))")
    assert moved_reason("m3", [("e3", "matched"), ("e4", "returned")], lambda i: f"{i.upper()} ({i})") == (
        "moved from M3 (m3) (re-matching: M3 (m3)'s places went to E3 (e3) and E4 (e4) (back with their mentor after a "
        "break), "
        "which the total score favours)")
    assert moved_reason("m3", []) == "moved from m3 (re-matching)"


def test_round_103a_3_help_does_not_call_the_match_stable(tmp_path: Path) -> None:
    top = CliRunner().invoke(main, ["--help"])
    own = CliRunner().invoke(main, ["match", "--help"])
    assert top.exit_code == own.exit_code == 0
    line = next(line for line in top.output.splitlines() if line.strip().startswith("match "))
    assert "stable" not in line and "best total score" in line
    said = " ".join(own.output.split())
    assert "explained, stable" not in said
    assert "existing pairs kept" in said
    assert 'not "stable" in the matching-theory sense' in said


def test_round_103a_4_the_summary_says_the_load_cost_the_optimum_pays(tmp_path: Path) -> None:
    rows = ("m1,mentor,3,Surgery,a,,,,,,,Mentor One\nm2,mentor,3,Surgery,,,,,,,,Mentor Two\n"
            "e1,mentee,,Surgery,a,,,,,,,E1\ne2,mentee,,Surgery,a,,,,,,,E2\ne3,mentee,,Surgery,a,,,,,,,E3\n")
    toml = "[matching.weights]\nshared_interests = 0.9\n"
    text = _match(tmp_path, rows, toml)
    # all three with m1 would total 11.7 but pay 1.5 (0 + 0.5 + 1.0): 10.2 < 10.3
    # to two decimals, told as rounded (tester round 114b, 6: it read 10.8008 and 10.3008)
    assert ("total score 10.8, less load-balance cost 0.5 ([matching] load_balance) = 10.3 maximised (scores rounded "
            "to 2 decimals; --format json has them unrounded); loads: m1=2, m2=1") in text
    data = json.loads(_match(tmp_path, rows, toml, "--format", "json"))
    assert (data["total_score"], data["load_cost"], data["objective"]) == (10.80078125, 0.5, 10.30078125)
    none = _match(tmp_path, rows, toml + "\n[matching]\nload_balance = 0\n")
    assert "total score 11.7 maximised (scores rounded to 2 decimals; --format json has them unrounded); loads: m1=3, m2=0" in none


def test_round_103a_5_shared_interests_is_documented_as_a_plain_count() -> None:
    described = WeightsConfig.model_fields["shared_interests"].description or ""
    assert "scaled by overlap" not in described.replace("not scaled by overlap", "")
    assert "times the number of interests mentor and mentee share" in described
    reference = (Path(__file__).parents[3] / "lmsync" / "CONFIGURATION.md").read_text(encoding="utf-8")
    assert f"| `shared_interests` | number | `1` | `LMSYNC_MATCHING_WEIGHTS_SHARED_INTERESTS` | {described} |" in reference
    # and it is a count: 12 shared interests score 12 times the weight
    twelve = frozenset(f"i{n}" for n in range(12))
    people = People((Person("m1", "mentor", capacity=1, interests=twelve), Person("e1", "mentee", interests=twelve)))
    result = match(people, MatchSettings(weights=Weights(same_department=0, shared_interests=0.5)))
    assert result.assignments[0].terms["shared_interests"] == 6.0


def test_round_103a_8_a_preference_that_can_never_be_met_is_a_notice(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(HEADER + "m1,mentor,0,Surgery,,,,,,,,\nm2,mentor,2,Surgery,,,,,,,,\n"
                      "x1,mentor;mentee,2,Surgery,,,,,,X1;m2,,\ne1,mentee,,Surgery,,,,,,M1;m2,,\n", encoding="utf-8")
    notices: list = []
    load_people_csv(people, Config(), notices)
    said = [(n.code, n.person, n.field, n.value) for n in notices]
    assert said == [("preference_self", "x1", "preferences", "x1"), ("preference_no_capacity", "e1", "preferences", "m1")]
    assert notices[0].message == (f"{people}:4: preferences: x1 names themself: nobody is matched with themselves, so "
                                  "that choice is not used: it takes no rank, and the choices after it move up")
    assert notices[1].message == (f"{people}:5: preferences: m1 has capacity 0 (takes no mentees), so e1's choice of "
                                  "them cannot be met in this run: it takes no rank, and the choices after it move up")
