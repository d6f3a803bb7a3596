"""Tester round 94a, 2: an erasure withholds the mentor-side survey figures it changed.

A term of answers imported (every mentee about their mentor, every mentor about each of their mentees), then a
mentee unenrolled and erased: the erasure deleted their mentor's answers about them, and the report's mentor-side
row stayed shown with its mean moved (``relationship_satisfaction_mentor,mentor,T0,20,4.062,...`` became
``...,20,4.063,...``), the difference giving the deleted answers away. Its count of respondents stayed as it was
(the mentor still answered, about their other mentees), so the erasure now also counts each instrument's answers
per person answered about (``rater_checkpoints.SUBJECTS``), which the deleted answers lower.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from tests.flows.test_tester_round_77b_erasure import REPORT_WITHHELD, _at, erase, run, table
from tests.flows.test_tester_round_92a_2_erasure_withholds_only_what_it_changed import (
    MENTEE,
    MENTOR,
    PROGRAMME,
    home,
    import_on,
)

__all__ = ["home"]  # the fixture, as round 92a, 2 sets it up


def circles(home: Path) -> list[tuple[str, list[str]]]:
    """Each circle of the saved site with a mentee: (mentor, mentees), usernames, by the mentor's Moodle id."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    found = []
    for group in site.groups.values():
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None and group.members - {mentor}:
            found.append((mentor, sorted(group.members - {mentor})))
    return [(site.users[m].username, [site.users[e].username for e in mentees]) for m, mentees in sorted(found)]


def t0_rows(home: Path, folder: str) -> dict[str, list[str]]:
    """The report's T0 rows of ``relationship_satisfaction`` (CSV), by instrument."""
    run(home, "report", "--out", folder, "--format", "csv")
    return {row[0]: row for row in table(home / folder, "relationship_satisfaction")[1:] if row[2] == "T0"}


def test_tester_round_94a_2_erasing_a_mentee_withholds_the_mentor_side_figures_over_answers_about_them(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The mentor of a circle of several mentees answered about each; one mentee erased. The mentors' count of
    respondents is unchanged, yet their T0 figure is withheld as the mentees' is, with no count nor mean."""
    known = circles(home)
    mentor, mentees = next((m, e) for m, e in known if len(e) >= 2)
    rows = [(e, "2026-09-05", MENTEE, m) for m, es in known for e in es]
    rows += [(m, "2026-09-05", MENTOR, e) for m, es in known for e in es]
    import_on(home, monkeypatch, date(2026, 9, 10), "s0.csv", rows)
    _at(monkeypatch, date(2026, 10, 2), hour=9)  # the T0 wave closed
    before = t0_rows(home, "before")
    assert before[MENTOR][3] == str(len(known)) and before[MENTEE][3] not in ("", REPORT_WITHHELD)

    run(home, "emulator", "edit", "unenrol", mentees[0])
    run(home, "sync")
    erased = erase(home, mentees[0]).output
    assert "survey_answers" in erased

    after = t0_rows(home, "after")
    assert after[MENTEE][3] == REPORT_WITHHELD
    assert after[MENTOR] == [MENTOR, "mentor", "T0", REPORT_WITHHELD, *[""] * (len(after[MENTOR]) - 4)], after[MENTOR]
