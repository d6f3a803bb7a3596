"""Tester round 117b, 6: ``lmsync match`` did not say when a draw decided who went unmatched. Cat and Dan scored
the same (0) for Dr Two's last place; Dan got it and Cat read only "no capacity left: all 2 allowed mentors are
full". The README says such ties "go by a draw": the unmatched mentee's explanation now says so, naming the full
mentor and the placed mentees who scored the same (``draw_ties``), and only when one did."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.matching import match
from lmsync.domain.people import People, Person

HEADER = "id,role,capacity,department,interests,year,languages,current_mentor,current_peer,preferences,needs,fullname\n"
#: the tester's file: T1 (capacity 1) holds A, B and C; T2 has 2 places; D is new, with nothing in common
TESTER = ("T1,mentor,1,,,,,,,,,Dr One\nT2,mentor,2,,,,,,,,,Dr Two\nA,mentee,,,,,,T1,,,,Ann A\n"
          "B,mentee,,,,,,T1,,,,Bob B\nC,mentee,,,,,,T1,,,,Cat C\nD,mentee,,,,,,,,,,Dan D\n")
DRAW = "ties go by a draw (a hash of [programme] name and each person's id, the same on every run)"


def _match(tmp_path: Path, rows: str, *args: str) -> str:
    people = tmp_path / "people.csv"
    people.write_text(HEADER + rows, encoding="utf-8")
    config = tmp_path / "lmsync.toml"
    config.write_text('[programme]\nname = "mentoring-2026"\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["--config", str(config), "match", "--people", str(people), *args])
    assert out.exit_code == 0, out.output
    return out.stdout


def test_the_unmatched_mentee_is_told_a_tie_went_by_the_draw(tmp_path: Path) -> None:
    text = " ".join(_match(tmp_path, TESTER).split())
    assert ("Cat C (C) mentor unmatched: no capacity left: all 2 allowed mentors are full (their pair with Dr One (T1) "
            "ended: over capacity); a tie: they score 0 with Dr Two (T2), as Ann A (A) and Dan D (D) placed there do, "
            f"and {DRAW}") in text, text
    (left,) = json.loads(_match(tmp_path, TESTER, "--format", "json"))["unmatched"]
    assert left["reason"] == "no capacity left: all 2 allowed mentors are full"  # the plan counts by it: unchanged
    assert left["draw"] == {"mentor": "T2", "score": 0.0, "mentees": ["A", "D"], "more_mentors": 0}


def test_no_draw_is_said_when_the_placed_mentees_scored_more(tmp_path: Path) -> None:
    rows = ("T2,mentor,2,Surgery,,,,,,,,Dr Two\nA,mentee,,Surgery,,,,,,,,Ann A\nD,mentee,,Surgery,,,,,,,,Dan D\n"
            "C,mentee,,Medicine,,,,,,,,Cat C\n")
    text = _match(tmp_path, rows)
    line = next(line for line in text.splitlines() if line.startswith("Cat C (C)"))
    assert line.rstrip().endswith("unmatched: no capacity left: the one allowed mentor is full"), line
    assert "draw" not in line
    (left,) = json.loads(_match(tmp_path, rows, "--format", "json"))["unmatched"]
    assert left["draw"] is None


def test_a_kept_pair_is_not_a_draw_and_other_full_mentors_are_counted() -> None:
    # m1's place is a kept pair (no draw); m2 and m3 each took one new mentee scoring as s3 would: a draw
    people = People((Person("m1", "mentor", capacity=1), Person("m2", "mentor", capacity=1),
                     Person("m3", "mentor", capacity=1), *(Person(f"s{i}", "mentee") for i in range(4))),
                    current={"s0": "m1"})
    result = match(people, MatchSettings(weights=Weights(stickiness=5)))
    (left,) = result.unmatched
    assert left.draw is not None and left.draw.mentor == "m2" and left.draw.more_mentors == 1
    placed = {a.mentor: a.mentee for a in result.assignments}
    assert left.draw.mentees == (placed["m2"],) and left.draw.score == 0
