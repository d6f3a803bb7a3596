"""Tester round 92a, 2: an erasure withholds only the figures it changed.

Erasing s0060, who had given no survey answer, then importing other mentees' answers dated before the erasure
day withheld every relationship-satisfaction figure of the programme for good ("withheld (who answered changed
after an erasure)"): the erasure had counted the sittings of every instrument, and the late answers changed the
counts. A figure the erasure did not change holds nothing of the erased person's to give back by difference, so
only the instruments the erasure deletes an answer of are counted (``rater_checkpoints``); on those a late answer
dated before the erasure is still withheld, as it was.

The tester's setup on the built-in emulator: a sync on 2026-09-01, answers imported, one person unenrolled,
synced and erased on 2026-09-15, late answers dated before that day imported on 2026-09-20, the report on
2026-10-02 (the T0 wave, 09-01 to 09-30, closed).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from tests.flows.test_tester_round_77b_erasure import REPORT_WITHHELD, WITHHELD, _at, erase, run, table

PROGRAMME = "mentor-2026"
MENTEE, MENTOR = "relationship_satisfaction_mentee", "relationship_satisfaction_mentor"
ITEMS = ("rs1", "rs2", "rs3", "rs4", "rs5")
TOML = f"""[programme]
name = "{PROGRAMME}"
course = "MENTOR-2026"
peer_mentor_cohort = "peer-mentors-2026"
[waves]
programme_start = 2026-09-01
[waves.windows]
T0 = {{ start = 2026-09-01, end = 2026-09-30 }}
[instruments.{MENTEE}]
[instruments.{MENTOR}]
"""

Pair = tuple[str, str]  # (mentor, mentee) usernames


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator's site synced on 2026-09-01 under the tester's configuration."""
    (cli_home / "lmsync.toml").write_text(TOML)
    _at(monkeypatch, date(2026, 9, 1), hour=9)
    run(cli_home, "sync")
    return cli_home


def pairs(home: Path) -> list[Pair]:
    """One (mentor, mentee) of each circle of the saved site, by the mentor's and then the mentee's Moodle id."""
    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    found = []
    for group in site.groups.values():
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None and group.members - {mentor}:
            found.append((mentor, min(group.members - {mentor})))
    return [(site.users[m].username, site.users[e].username) for m, e in sorted(found)]


def answers(home: Path, name: str, rows: list[tuple[str, str, str, str]]) -> Path:
    """A survey CSV of (respondent, day, instrument, about) sittings, each item answered 4."""
    path = home / name
    lines = ["respondent,date,instrument,item,value,about"]
    lines += [f"{who},{day},{inst},{item},4,{about}" for who, day, inst, about in rows for item in ITEMS]
    path.write_text("\n".join(lines) + "\n")
    return path


def mentees_rate(chosen: list[Pair], day: str) -> list[tuple[str, str, str, str]]:
    return [(mentee, day, MENTEE, mentor) for mentor, mentee in chosen]


def mentors_rate(chosen: list[Pair], day: str) -> list[tuple[str, str, str, str]]:
    return [(mentor, day, MENTOR, mentee) for mentor, mentee in chosen]


def import_on(home: Path, mp: pytest.MonkeyPatch, day: date, name: str, rows: list[tuple[str, str, str, str]]) -> None:
    _at(mp, day, hour=9)
    run(home, "import", "surveys", str(answers(home, name, rows)))


def erase_on_09_15(home: Path, mp: pytest.MonkeyPatch, who: str) -> None:
    """Unenrolled, synced and erased on 2026-09-15, as the tester did."""
    _at(mp, date(2026, 9, 15), hour=9)
    run(home, "emulator", "edit", "unenrol", who)
    run(home, "sync")
    erase(home, who)


def satisfaction(home: Path, mp: pytest.MonkeyPatch) -> dict[str, str]:
    """The report's T0 ``n`` per instrument on 2026-10-02 (the wave closed)."""
    _at(mp, date(2026, 10, 2), hour=9)
    run(home, "report", "--out", "rep", "--format", "csv")
    return {row[0]: row[3] for row in table(home / "rep", "relationship_satisfaction")[1:] if row[2] == "T0"}


def test_round_92a_2_erasing_someone_who_gave_no_answer_withholds_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tester's scenario: s0060 (no answer, none about them) erased, then answers dated before the erasure
    imported. Every figure is shown over everyone who answered, as without the erasure."""
    known = [p for p in pairs(home) if "s0060" not in p]
    import_on(home, monkeypatch, date(2026, 9, 10), "a.csv", mentees_rate(known[:6], "2026-09-05")
              + mentors_rate(known[:5], "2026-09-05"))
    erase_on_09_15(home, monkeypatch, "s0060")
    import_on(home, monkeypatch, date(2026, 9, 20), "b.csv", mentees_rate(known[6:8], "2026-09-12")
              + mentors_rate(known[5:6], "2026-09-12"))
    assert satisfaction(home, monkeypatch) == {MENTEE: "8", MENTOR: "6"}
    mentor, mentee = known[6]
    shown = run(home, "pair", "show", mentor, mentee).output
    assert WITHHELD not in shown and REPORT_WITHHELD not in shown, shown


def test_round_92a_2_erasing_a_mentee_who_answered_still_withholds_a_late_answers_figures(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The protection holds: a mentee who answered erased, then late answers dated before the erasure: the
    figure would give the erased mentee's answers back by difference, and stays withheld. (Two late answers: the
    programme-wide check compares a number of sittings, and one would bring it back to the erasure's six.)"""
    known = pairs(home)
    import_on(home, monkeypatch, date(2026, 9, 10), "a.csv", mentees_rate(known[:6], "2026-09-05"))
    erase_on_09_15(home, monkeypatch, known[0][1])
    import_on(home, monkeypatch, date(2026, 9, 20), "b.csv", mentees_rate(known[6:8], "2026-09-12"))
    assert satisfaction(home, monkeypatch)[MENTEE] == REPORT_WITHHELD


def test_round_92a_2_an_erasure_withholds_the_instrument_it_deleted_answers_of_not_the_others(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A mentee who answered the mentees' instrument only (their mentor gave no answer about them) erased, then
    late answers on both instruments dated before the erasure: the mentees' figure is withheld, the mentors' is
    shown over all six mentors (the erasure deleted none of its answers)."""
    known = pairs(home)
    erased, others = known[0], known[1:]
    import_on(home, monkeypatch, date(2026, 9, 10), "a.csv", mentees_rate(known[:6], "2026-09-05")
              + mentors_rate(others[:5], "2026-09-05"))
    erase_on_09_15(home, monkeypatch, erased[1])
    import_on(home, monkeypatch, date(2026, 9, 20), "b.csv", mentees_rate(known[6:8], "2026-09-12")
              + mentors_rate(others[5:6], "2026-09-12"))
    assert satisfaction(home, monkeypatch) == {MENTEE: REPORT_WITHHELD, MENTOR: "6"}
