"""Tester round 117a, 1 and 5: a person's own survey grades after an erasure, and a mentor's export.

1 (privacy). A mentor answers ``relationship_satisfaction_mentor`` about each of their mentees; their own grade
``lmsync_satisfaction-mentor-T0`` is the mean of those answers. A mentee unenrolled and erased took the mentor's
answers about them, and the next push wrote the mentor's mean over the rest (3.4 -> 3.53): 4 x 3.4 - 3 x 3.53 =
3.0, the mentor's erased rating of the mentee, given back by difference. The grade keeps its published value
now, and ``grades plan`` says why; a grade not published before the erasure gets no first value.

5. ``person export MENTOR`` listed in its ``journal`` the grade writes of the mentor's received mean (their
mentees' ratings of them), which are written only when enough mentees answered: left out now.

The built-in emulator's site, synced on 2026-09-01 under the 92a, 2 tests' configuration with a second wave.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from tests.flows.test_tester_round_77b_erasure import _at, erase, run
from tests.flows.test_tester_round_92a_2_erasure_withholds_only_what_it_changed import (
    ITEMS,
    MENTEE,
    MENTOR,
    TOML,
)
from tests.flows.test_tester_round_94a_2_erasure_withholds_mentor_side import circles

OWN = "lmsync_satisfaction-mentor-T0"


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Synced on 2026-09-01 with waves T0 (September) and T1 (October)."""
    (cli_home / "lmsync.toml").write_text(TOML.replace(
        "T0 = { start = 2026-09-01, end = 2026-09-30 }",
        "T0 = { start = 2026-09-01, end = 2026-09-30 }\nT1 = { start = 2026-10-01, end = 2026-10-31 }"))
    _at(monkeypatch, date(2026, 9, 1), hour=9)
    run(cli_home, "sync")
    return cli_home


def _import(home: Path, rows: list[tuple[str, str, str, str, int]]) -> None:
    """(respondent, day, instrument, about, value) sittings, every item answered ``value``."""
    lines = ["respondent,date,instrument,item,value,about"]
    lines += [f"{who},{day},{inst},{item},{value},{about}" for who, day, inst, about, value in rows for item in ITEMS]
    (home / "s.csv").write_text("\n".join(lines) + "\n")
    run(home, "import", "surveys", "s.csv")


def _grades(home: Path, name: str) -> dict[str, float | None]:
    """username -> the final grade lmsync's item ``name`` holds in the emulator's saved state."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    item = next(i for i in site.grade_items.values() if i.itemname == name and (i.itemnumber or 0) >= 1000)
    return {site.users[uid].username: g.finalgrade for uid, g in item.grades.items()}


def _term(home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    """Every mentee rates their mentor 4, every mentor rates each mentee 4 but the first mentee of a circle of
    several, rated 2 (on 2026-09-05); the T0 wave closed. Returns that mentor and their mentees."""
    known = circles(home)
    mentor, mentees = next((m, e) for m, e in known if len(e) >= 3)
    rows = [(e, "2026-09-05", MENTEE, m, 4) for m, es in known for e in es]
    rows += [(m, "2026-09-05", MENTOR, e, 2 if e == mentees[0] else 4) for m, es in known for e in es]
    _at(monkeypatch, date(2026, 9, 10), hour=9)
    _import(home, rows)
    _at(monkeypatch, date(2026, 10, 2), hour=9)
    return mentor, mentees


def test_round_117a_1_erasing_a_mentee_keeps_their_mentors_own_grade_as_published(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    mentor, mentees = _term(home, monkeypatch)
    run(home, "grades", "push")
    before = _grades(home, OWN)
    published = before[mentor]
    assert published is not None and published < 4, published  # a 2 among the 4s

    run(home, "emulator", "edit", "unenrol", mentees[0])
    run(home, "sync")
    assert "survey_answers" in erase(home, mentees[0]).output
    plan = run(home, "grades", "plan").output
    assert "satisfaction-mentor-T0 for " in plan and "held: published value frozen" in plan, plan
    run(home, "grades", "push")
    assert _grades(home, OWN) == before  # not 4.0 for the mentor, which beside it gives the erased rating back

    data = json.loads(run(home, "grades", "plan", "--format", "json").output)
    held = [h for h in data["held_grades"] if h["key"] == "satisfaction-mentor-T0"]
    assert [h["state"] for h in held] == ["held"], data["held_grades"]


def test_round_117a_1_a_mentors_own_grade_not_published_before_the_erasure_gets_no_first_value(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    mentor, mentees = _term(home, monkeypatch)
    run(home, "emulator", "edit", "unenrol", mentees[0])
    run(home, "sync")
    erase(home, mentees[0])
    plan = run(home, "grades", "plan").output
    assert "withheld: answers behind this grade went with an erasure" in plan, plan
    run(home, "grades", "push")
    grades = _grades(home, OWN)
    assert grades.get(mentor) is None and grades, grades  # the others' written, theirs not


def test_round_117a_5_a_mentors_export_lists_no_grade_write_of_their_received_mean(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    mentor, _mentees = _term(home, monkeypatch)
    run(home, "grades", "push")
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    received = next(i for i in site.grade_items.values() if i.itemname == "lmsync_satisfaction-mentee-received-T0")
    own = next(i for i in site.grade_items.values() if i.itemname == OWN)
    mentor_id = next(uid for uid, u in site.users.items() if u.username == mentor)
    assert received.grades.get(mentor_id) is not None  # a mean of 3+ mentees was written

    export = json.loads(run(home, "person", "export", mentor).output)
    keys = {key for entry in export["journal"] for key in entry["keys"]}
    assert f"grade:{own.itemnumber}:{mentor_id}" in keys, keys  # their own grade's write stays
    assert f"grade:{received.itemnumber}:{mentor_id}" not in keys, keys
