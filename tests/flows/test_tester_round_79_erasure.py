"""Tester round 79, 1, 2 and 7: `lmsync person erase --while-enrolled` on the demo's played term (round 77b's set-up:
the clock on 2026-12-04, the erasure's day; later runs on later days).

1. After erasing the enrolled mentee s0027 (Moodle id 29), later `lmsync run`s never recorded their pair in the
   pairing history again: `pair show m0001 s0027` had no "paired since" line. The same after erasing a mentor.
   Only what is dated on or before the erasure stays unstored: the pair Moodle shows is recorded from the next day.
2. After that erasure, `grades plan` said of s0027's attendance grade (written by this store before the erasure)
   "saved by lmsync's web-service user but not written by this store (another lmsync store's)", and every run's
   grades step exited 2. It says the grade was written before the erasure, and holds no run.
7. `pair show m0001 s0008` withheld a mentee-side signal "fewer than 3 of the mentor's mentees answered": three had;
   the count fell because of the erasure, and it says so, as the report does.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.flows.test_tester_round_77b_erasure import _at, erase, query, run, user_id
from tests.flows.test_tester_round_77b_erasure import home as home  # noqa: F401  (fixture)
from tests.flows.test_tester_round_77b_erasure import played as played  # noqa: F401  (fixture)

#: The term is the demo's SQLite store, copied and read back with sqlite3 (as round 77b's tests).
pytestmark = pytest.mark.sqlite_only("the term is the demo's SQLite store, copied and read with sqlite3")

ERASED_ON = date(2026, 12, 4)
NEXT_DAY = date(2026, 12, 5)


def history_of(home: Path, person: int) -> list[tuple[int, int, str, str | None, str]]:
    return query(home, "SELECT mentor_id, mentee_id, joined_at, left_at, source FROM pairing_history "
                       "WHERE mentor_id = ? OR mentee_id = ? ORDER BY id", person, person)


def run_on(home: Path, monkeypatch: pytest.MonkeyPatch, day: date, *extra: str) -> str:
    _at(monkeypatch, day)
    output: str = run(home, "run", *extra, ok=False).output
    assert "Traceback" not in output and re.search(r"run \w+: exit \d", output), output[-2000:]
    return output


def paired_since(home: Path, pair: tuple[int, int]) -> dict[str, str]:
    return dict(query(home, "SELECT day, paired_since FROM health_snapshots WHERE mentor_id = ? AND mentee_id = ?",
                      *pair))


# --- 79, 1 ----------------------------------------------------------------------------------------------------


def test_round_79_1_a_mentee_erased_while_enrolled_is_paired_again_in_the_history_from_the_next_day(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No row for mentee 29 after runs on later days, no "paired since" line in `pair show`. From the day after the
    erasure, the pair Moodle shows is recorded (once), dated after the erasure; nothing on the erasure's day."""
    mentee, mentor = user_id(home, "s0027"), user_id(home, "m0001")
    assert (mentor, mentee) in {(m, e) for m, e, _j, left, _s in history_of(home, mentee) if left is None}
    erase(home, "s0027", "--while-enrolled")
    assert history_of(home, mentee) == []
    run_on(home, monkeypatch, ERASED_ON)  # the erasure's day: nothing dated on it is stored again
    assert history_of(home, mentee) == []
    for day in (NEXT_DAY, date(2026, 12, 6), date(2026, 12, 7)):
        run_on(home, monkeypatch, day)
        rows = history_of(home, mentee)
        assert [(m, e, left, source) for m, e, _joined, left, source in rows] == [(mentor, mentee, None, "observed")]
        assert datetime.fromisoformat(rows[0][2]).date() == NEXT_DAY  # after the erasure's day, not on it
    shown = run(home, "pair", "show", "m0001", "s0027").output
    assert "paired since 2026-12-05" in shown, shown
    since = paired_since(home, (mentor, mentee))
    assert {since[d] for d in ("2026-12-05", "2026-12-06", "2026-12-07")} == {"2026-12-05"}, since  # it stays
    exported = json.loads(run(home, "person", "export", "s0027").stdout)
    assert [r["joined_at"][:10] for r in exported["pairing_history"]] == ["2026-12-05"]  # new, so theirs to export


def test_round_79_1_a_mentor_erased_while_enrolled_has_their_circles_pairs_recorded_again_from_the_next_day(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same after erasing the mentor m0001 with `--while-enrolled`: their circle's pairs, which Moodle still
    shows, were never recorded again."""
    mentor = user_id(home, "m0001")
    mentees = {e for m, e, _j, left, _s in history_of(home, mentor) if m == mentor and left is None}
    assert len(mentees) >= 2 and user_id(home, "s0008") in mentees  # the set-up: m0001's circle
    erase(home, "m0001", "--while-enrolled")
    run_on(home, monkeypatch, ERASED_ON)
    assert history_of(home, mentor) == []
    run_on(home, monkeypatch, NEXT_DAY)
    run_on(home, monkeypatch, date(2026, 12, 6))
    rows = history_of(home, mentor)
    assert {(m, e, left) for m, e, _joined, left, _s in rows} == {(mentor, e, None) for e in mentees}
    assert len(rows) == len(mentees) and {datetime.fromisoformat(r[2]).date() for r in rows} == {NEXT_DAY}
    shown = run(home, "pair", "show", "m0001", "s0008").output
    assert "paired since 2026-12-05" in shown, shown


# --- 79, 2 ----------------------------------------------------------------------------------------------------


def test_round_79_2_an_erased_mentees_attendance_grade_is_named_as_written_before_the_erasure_and_holds_no_run(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """"Moodle holds 33.33, saved by lmsync's web-service user but not written by this store (another lmsync
    store's)", and the grades step `admin` (exit 2) on every run. This store wrote it before the erasure took its
    record: said so, the grade left as it is, and the step is ok."""
    erase(home, "s0027", "--while-enrolled")
    run_on(home, monkeypatch, NEXT_DAY, "--allow-mass-nudge")
    ran = run_on(home, monkeypatch, date(2026, 12, 20), "--allow-mass-nudge")
    grades = next(line for line in ran.splitlines() if line.startswith("grades"))
    assert re.match(r"grades\s+ok\s", grades) and "left for an admin" not in grades, ran
    planned = run(home, "grades", "plan").output
    said = " ".join(planned.split())
    assert "another lmsync store" not in said, planned
    assert re.search(r"assignment 'Mentoring attendance', Rania Fernandes \(s0027\): Moodle holds [\d.]+, saved by "
                     r"lmsync's web-service user: written by this store before their erasure on 2026-12-04", said), said
    assert "keep it, or give their grade by hand in Moodle's grading page" in said, said
    assert "for lmsync to write" not in said, said  # clearing no longer hands a row back (round 122a, 1)
    pushed = run(home, "grades", "push")  # exit 0: nothing left for an admin
    assert "left for an admin" not in pushed.output, pushed.output


def test_round_79_2_the_erase_note_no_longer_promises_an_exit_2_for_the_grade(home: Path) -> None:
    said = " ".join(erase(home, "s0027", "--while-enrolled").output.split())
    assert "a push reports it (exit 2)" not in said, said
    assert "`lmsync grades plan` names it whenever the grade lmsync works out differs from it" in said, said


# --- 79, 7 ----------------------------------------------------------------------------------------------------


def test_round_79_7_pair_show_says_a_mentee_side_signal_is_withheld_because_of_the_erasure(home: Path) -> None:
    """Three of m0001's mentees answered; after s0027's erasure two answers are left, and `pair show m0001 s0008`
    said "withheld: fewer than 3 of the mentor's mentees answered". The reason is the erasure."""
    before = run(home, "pair", "show", "m0001", "s0008").output
    assert "mean over 3 mentee(s)" in before and "satisfaction falling" in before, before  # the set-up
    erase(home, "s0027", "--while-enrolled")
    shown = run(home, "pair", "show", "m0001", "s0008").output
    assert "fewer than 3 of the mentor's mentees answered" not in shown, shown
    assert "a mentee-side signal (withheld: who answered about this mentor changed after an erasure)" in shown, shown
    as_json = json.loads(run(home, "pair", "show", "m0001", "s0008", "--format", "json").output)
    reasons = json.dumps([row["reasons"] for row in as_json["status"]])
    assert "mentee_side_withheld" in reasons and "satisfaction_falling_mentee" not in reasons, reasons  # withheld
