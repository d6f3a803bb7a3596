"""Tester round 118b, 1: a late answer after erasing someone whose sittings were all incomplete withholds nothing.

A mentee answered two of the five items of ``relationship_satisfaction_mentee`` (fewer than its ``min_answered``), so
their sitting was in no figure; their mentor's sitting about them on ``relationship_satisfaction_mentor`` was
incomplete too. They were erased, and then another mentee's answer dated before the erasure was imported (a lawful
late import): the report read ``relationship_satisfaction_mentee,mentee,T1,withheld (who answered changed after an
erasure)`` for good, where the same import on an untouched copy gave ``T1,12,2.933,...``. The erasure guard's scored
counts (``rater_checkpoints.scored_key``; tester round 116, 1) were compared with later recounts, which the late
scored answer changed, though the erasure deleted no scored sitting and so no figure could give anything of the
erased mentee's back. An instrument the erasure deleted no scored sitting of is counted with a marker that never
changes now (``rater_checkpoints.NOTHING_SCORED``), and its respondents' own counts are not written
(``respondent_checkpoints``): the mentor's own grade of the wave is not frozen either.

The setup of round 116, 1 on the built-in emulator (waves T0 in September, T1 in October): answers imported on
2026-09-10 and 2026-10-10, the mentee unenrolled, synced and erased on 2026-10-15, the late answers (dated
2026-10-12) imported on 2026-10-20, the report, ``pair show`` and the grades on 2026-11-02.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.flows.test_tester_round_77b_erasure import REPORT_WITHHELD, WITHHELD, _at, erase, run, table
from tests.flows.test_tester_round_92a_2_erasure_withholds_only_what_it_changed import ITEMS, MENTEE, MENTOR
from tests.flows.test_tester_round_94a_2_erasure_withholds_mentor_side import circles
from tests.flows.test_tester_round_116_1_erasing_an_incomplete_sitting import CONFIG
from tests.flows.test_tester_round_117a_own_survey_grades_after_erasure import _grades

Sitting = tuple[str, str, str, str, int]  # (respondent, day, instrument, about, items answered)
OWN_T1 = "satisfaction-mentor-T1"


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator's site synced on 2026-09-01 with waves T0 and T1 (round 116, 1's configuration)."""
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _at(monkeypatch, date(2026, 9, 1), hour=9)
    run(cli_home, "sync")
    return cli_home


def import_on(home: Path, mp: pytest.MonkeyPatch, day: date, name: str, rows: list[Sitting]) -> None:
    """A survey CSV of sittings, the first ``n`` items of each answered 3, imported on ``day``."""
    lines = ["respondent,date,instrument,item,value,about"]
    lines += [f"{who},{on},{inst},{item},3,{about}" for who, on, inst, about, n in rows for item in ITEMS[:n]]
    (home / name).write_text("\n".join(lines) + "\n")
    _at(mp, day, hour=9)
    run(home, "import", "surveys", str(home / name))


Cast = tuple[str, str, str, str]  # (the erased mentee's mentor, a mentee who stays, the late one's mentor, late)


def setup_term(home: Path, mp: pytest.MonkeyPatch, erased_items: int) -> Cast:
    """Every mentee rates their mentor and every mentor rates each mentee in T0 and T1 in full, but: in a circle of
    four or more, the first mentee (erased) and their mentor's sitting about them answer ``erased_items`` items in T0
    and none in T1; in another circle of three or more, a mentee (late) and their mentor's sitting about them miss T1; the first
    erased on 2026-10-15, then the late T1 sittings, dated 2026-10-12, imported on 2026-10-20."""
    known = circles(home)
    mentor, mentees = next((m, e) for m, e in known if len(e) >= 4)
    erased, stays = mentees[0], mentees[1]
    late_mentor, late = next((m, e[0]) for m, e in known if m != mentor and len(e) >= 3)

    def wave(day: str, skip: set[str]) -> list[Sitting]:
        rows: list[Sitting] = []
        for m, es in known:
            for e in es:
                if e not in skip:
                    n = erased_items if e == erased else 5
                    rows += [(e, day, MENTEE, m, n), (m, day, MENTOR, e, n)]
        return rows

    import_on(home, mp, date(2026, 9, 10), "t0.csv", wave("2026-09-05", set()))
    import_on(home, mp, date(2026, 10, 10), "t1.csv", wave("2026-10-05", {late, erased}))
    _at(mp, date(2026, 10, 15), hour=9)
    run(home, "emulator", "edit", "unenrol", erased)
    run(home, "sync")
    assert "survey_answers" in erase(home, erased).output
    import_on(home, mp, date(2026, 10, 20), "late.csv",
              [(late, "2026-10-12", MENTEE, late_mentor, 5), (late_mentor, "2026-10-12", MENTOR, late, 5)])
    _at(mp, date(2026, 11, 2), hour=9)
    return mentor, stays, late_mentor, late


def waves(home: Path) -> dict[tuple[str, str], str]:
    """(instrument, wave) -> the report's ``n`` of ``relationship_satisfaction``."""
    run(home, "report", "--out", "rep", "--format", "csv")
    return {(row[0], row[2]): row[3] for row in table(home / "rep", "relationship_satisfaction")[1:]}


def held(home: Path) -> list[dict[str, object]]:
    """The grades plan's held grades of the mentors' own T1 grade."""
    data = json.loads(run(home, "grades", "plan", "--format", "json").output)
    return [h for h in data["held_grades"] if h["key"] == OWN_T1]


def test_round_118b_1_a_late_answer_after_erasing_incomplete_sittings_withholds_no_figure(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tester's case: the programme's figures of both instruments and waves stay shown with the late answers
    in, the means in ``pair show`` of the erased mentee's mentor and of the late mentee's mentor too."""
    mentor, stays, late_mentor, late = setup_term(home, monkeypatch, erased_items=2)
    found = waves(home)
    assert {found[(i, w)] for i in (MENTEE, MENTOR) for w in ("T0", "T1")} & {REPORT_WITHHELD, ""} == set(), found
    assert found[(MENTEE, "T1")] == found[(MENTEE, "T0")]  # the late answer in (the erased one never was)
    evaluation = [row[4] for row in table(home / "rep", "programme_evaluation")[1:] if row[0] == MENTEE]
    assert evaluation and REPORT_WITHHELD not in evaluation, evaluation
    for pair in ((mentor, stays), (late_mentor, late)):
        shown = run(home, "pair", "show", *pair).output
        assert WITHHELD not in shown and "mean over" in shown, shown


def test_round_118b_1_a_late_answer_after_erasing_incomplete_sittings_freezes_no_own_grade(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The mentor's own T1 grade (their sittings about their mentees): the erasure deleted only an incomplete one,
    so the late mentee's mentor's late sitting about them changes theirs lawfully; the push writes it."""
    _mentor, _stays, late_mentor, _late = setup_term(home, monkeypatch, erased_items=2)
    assert held(home) == []
    run(home, "grades", "push")
    assert _grades(home, f"lmsync_{OWN_T1}").get(late_mentor) is not None


def test_round_118b_1_a_late_answer_after_erasing_complete_sittings_withholds_what_the_erasure_changed(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The protection holds: the erased mentee's complete T0 sittings were in T0's figures and their mentor's mean,
    withheld. The late answers (dated before the erasure) withhold nothing the erasure did not change (tester round
    118b, 6): T1's figures, the late mentee's mentor's mean and that mentor's own T1 grade held nothing of the
    erased mentee's, and move with them as with any answer."""
    mentor, stays, late_mentor, late = setup_term(home, monkeypatch, erased_items=5)
    found = waves(home)
    assert {found[(i, "T0")] for i in (MENTEE, MENTOR)} == {REPORT_WITHHELD}, found
    assert REPORT_WITHHELD not in {found[(i, "T1")] for i in (MENTEE, MENTOR)}, found
    assert WITHHELD in run(home, "pair", "show", mentor, stays).output
    assert WITHHELD not in run(home, "pair", "show", late_mentor, late).output
    assert held(home) == []
