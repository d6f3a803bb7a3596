"""Tester round 104b, 9: a re-matched mentee's move named the former mentor by id in ``lmsync match``'s text
(every view names a person ``Name (username)``), and a move the load-balance cost alone made read only
"moved from m1 (re-matching)", with no reason."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.circle_leaving import moved_words
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.match_result import MOVED_BY_PIN, REMATCHING, Match
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person
from lmsync.domain.rematch_moves import named_reasons

HEADER = "id,role,capacity,department,interests,year,languages,current_mentor,current_peer,preferences,needs,fullname\n"

#: e1, e2 and e3 with m1 (capacity 3); m2 as good a fit with room and nobody: moving e1 there loses the
#: stickiness weight (1) and saves the load-balance cost of m1's third mentee (2 x 2 = 4, less m2's none)
EVEN = ("m1,mentor,3,Surgery,,,,,,,,Mentor One\nm2,mentor,3,Surgery,,,,,,,,Mentor Two\n"
        "e1,mentee,,Surgery,,,,m1,,,,E1\ne2,mentee,,Surgery,,,,m1,,,,E2\ne3,mentee,,Surgery,,,,m1,,,,E3\n")
EVEN_TOML = '[matching]\nrematch = ["e1"]\nload_balance = 2\n[matching.weights]\nstickiness = 1\n'
BALANCED = ("(re-matching, to even out mentors' loads: their former mentor would have 3 mentees had they stayed, "
            "against 1 with their new mentor now; that saves 4 of load-balance cost ([matching] load_balance 2), "
            "more than the 1 of score they lose (the stickiness weight counted))")


def _match(tmp_path: Path, rows: str, toml: str, *args: str) -> str:
    people = tmp_path / "people.csv"
    people.write_text(HEADER + rows, encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text(toml, encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people), *args])
    assert out.exit_code == 0, out.output
    return out.stdout


def _line(text: str, start: str) -> str:
    return " ".join(next(line for line in text.splitlines() if line.startswith(start)).split())


def test_round_104b_9_a_move_the_load_balance_alone_made_says_so_with_the_loads(tmp_path: Path) -> None:
    text = _match(tmp_path, EVEN, EVEN_TOML)
    line = _line(text, "E1 (e1)")
    assert "Mentor Two (m2)" in line.split("moved from")[0]
    assert line.endswith(f"moved from Mentor One (m1) {BALANCED}")
    data = json.loads(_match(tmp_path, EVEN, EVEN_TOML, "--format", "json"))
    moved = next(a for a in data["assignments"] if a["mentee"] == "e1")
    assert (moved["mentor"], moved["origin"], moved["cause"]) == ("m2", "moved", REMATCHING)  # codes unchanged
    assert moved["reasons"][-1] == f"moved from m1 {BALANCED}"  # JSON: people by id
    # the plan's words of e1 leaving m1's circle, from the same reasons (what ``desire`` passes ``moved_words``)
    from lmsync.domain.rematch_moves import plan_words

    said = Match("e1", "m2", 0, {}, moved["reasons"], "mentor", "moved", "m1", REMATCHING)
    assert moved_words(REMATCHING, plan_words([said], str)[("mentor", "e1")]) == "re-matched, " + BALANCED[14:-1]
    plain = Match("e1", "m2", 0, {}, ["moved from m1 (re-matching)"], "mentor", "moved", "m1", REMATCHING)
    assert moved_words(REMATCHING, plan_words([plain], str).get(("mentor", "e1"), "")) == "re-matched"


def test_round_104b_9_equal_scores_moved_by_the_loads_say_no_score_is_lost() -> None:
    from lmsync.domain.rematch_moves import with_moves_said

    people = People(
        (Person("m1", "mentor", capacity=3, department="A"), Person("m2", "mentor", capacity=3, department="A"),
         *(Person(f"e{i}", "mentee", department="A") for i in (1, 2, 3))),
        current={"e1": "m1", "e2": "m1", "e3": "m1"}, rematch=frozenset({"e1"}),
    )
    settings = MatchSettings(weights=Weights(stickiness=0), load_balance=1)
    said = with_moves_said(match(people, settings).assignments, people, settings)
    moved = [a for a in said if a.origin == "moved"]
    assert len(moved) == 1 and moved[0].previous == "m1" and moved[0].mentor == "m2"
    assert moved[0].reasons[-1].endswith(
        "that saves 2 of load-balance cost ([matching] load_balance 1) at no loss of score (the stickiness weight "
        "counted))")


def test_round_104b_9_a_move_to_a_better_mentor_is_not_said_to_even_loads(tmp_path: Path) -> None:
    # m2 shares two interests, worth more than the stickiness weight: the score, not the loads, moved e1; it says
    # so (tester round 106a, 3: the plan read only "re-matched" of it)
    rows = EVEN.replace("m2,mentor,3,Surgery,,", "m2,mentor,3,Surgery,x;y,").replace("e1,mentee,,Surgery,,",
                                                                                    "e1,mentee,,Surgery,x;y,")
    text = _match(tmp_path, rows, EVEN_TOML.replace("load_balance = 2", "load_balance = 0"))
    assert _line(text, "E1 (e1)").endswith("moved from Mentor One (m1) (re-matching: their new mentor scores higher by "
                                           "more than the stickiness weight (1))")


def test_round_104b_9_the_former_mentor_is_named_as_views_name_people(tmp_path: Path) -> None:
    # as tester round 103a, 2's move: the place went to e3; the former mentor by label in the text, by id in JSON
    rows = ("m1,mentor,1,Surgery,,,,,,,,Mentor One\nm3,mentor,1,Surgery,a;b;c;d,,en,,,,,Mentor Three\n"
            "e1,mentee,,Surgery,a;b,,,m3,,,,E1\ne3,mentee,,Surgery,a;b;c;d,,en,,,m3,a,E3\n")
    toml = '[matching]\nrematch = ["e1"]\n'
    assert _line(_match(tmp_path, rows, toml), "E1 (e1)").endswith(
        "moved from Mentor Three (m3) (re-matching: Mentor Three (m3)'s place went to E3 (e3), which the total score "
        "favours)")
    hidden = _match(tmp_path, rows, toml + "[privacy]\nshow_names = false\n")
    assert _line(hidden, "e1").endswith("moved from m3 (re-matching: m3's place went to e3, which the total score favours)")
    assert "Mentor Three" not in hidden


def test_round_104b_9_every_move_names_its_former_mentor_by_label() -> None:
    label = {"m1": "Mentor One (m1)", "m3": "Mentor Three (m3)"}.get
    moves = [
        Match("e1", "m1", 3, {}, ["same department (A)", "moved from m3 (re-matching)"], "mentor", "moved", "m3", REMATCHING),
        Match("e2", "m1", 3, {}, [f"{MOVED_BY_PIN}: moved from m3"], "mentor", "pinned", "m3", MOVED_BY_PIN),
        Match("e4", "m1", 3, {}, ["moved from m3 (over capacity)"], "mentor", "moved", "m3", "over capacity"),
        Match("e5", "m3", 3, {}, ["existing pair kept"], "mentor", "kept"),
    ]
    named = named_reasons(moves, lambda i: label(i) or i)
    assert named == {
        ("mentor", "e1"): ["same department (A)", "moved from Mentor Three (m3) (re-matching)"],
        ("mentor", "e2"): [f"{MOVED_BY_PIN}: moved from Mentor Three (m3)"],
        ("mentor", "e4"): ["moved from Mentor Three (m3) (over capacity)"],
    }
