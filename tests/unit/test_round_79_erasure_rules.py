"""Tester round 79, 1, 2 and 7, rule by rule: the pairing history records an erased person's pair from the day after
the erasure (``PairingHistory.follow_moodle``'s ``erased``, ``pairs_followed.erasure_gates``); an erased person's
assignment grade saved by lmsync is kept and named as written before the erasure (``assign_grades``); ``pair show``
says a mentee-side signal is withheld because of an erasure (``pair_history.withhold_mentee_side``)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from lmsync.domain.assign_grades import AssignGrade, plan_assignment_grades
from lmsync.service.grades import assignment_notes
from lmsync.service.pair_history import withhold_mentee_side
from lmsync.service.pairs_followed import erasure_gates
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from lmsync.store.snapshots import SnapshotRow

PROGRAMME = "p"
CIRCLE = f"lmsync:{PROGRAMME}:mentor:10"


# --- 79, 1 ----------------------------------------------------------------------------------------------------


def test_erasure_gates_open_from_the_programme_day_after_the_erasure() -> None:
    auckland = ZoneInfo("Pacific/Auckland")  # 13 hours ahead of UTC in December
    gates = erasure_gates({20: date(2026, 12, 4), 21: date(2026, 12, 1)}, date(2026, 12, 4), auckland)
    assert gates == {20: None, 21: "2026-12-01T11:00:00.000+00:00"}  # 2 December, 00:00 in Auckland
    assert erasure_gates({20: date(2026, 12, 4)}, date(2026, 12, 3), auckland) == {20: None}  # a clock behind
    assert erasure_gates({}, date(2026, 12, 4), auckland) == {}


def rows(store: Store) -> list[tuple[int, int, str, str | None]]:
    return [(p.mentor_id, p.mentee_id, p.joined_at, p.left_at) for p in PairingHistory(store, PROGRAMME).history()]


def test_a_pair_the_history_forgot_with_an_erasure_is_recorded_from_the_day_after_it() -> None:
    """Round 79, 1: the erasure deleted every row of mentee 20; Moodle still shows them in mentor 10's circle.
    Before: never recorded again (as a pair another store made). On the erasure's day nothing is recorded."""
    store = Store.memory()
    history = PairingHistory(store, PROGRAMME)
    history.record("add_member", [(CIRCLE, 21)], at="2026-09-01T09:00:00.000+00:00")
    shown = {(10, 20), (10, 21)}
    assert history.follow_moodle(shown, at="2026-12-04T18:00:00.000+00:00", erased={20: None}) == (0, 0)
    assert history.follow_moodle(shown, at="2026-12-05T09:00:00.000+00:00",
                                 erased={20: "2026-12-05T00:00:00.000+00:00"}) == (0, 1)
    assert rows(store)[-1] == (10, 20, "2026-12-05T09:00:00.000+00:00", None)
    assert history.follow_moodle(shown, erased={20: "2026-12-05T00:00:00.000+00:00"}) == (0, 0)  # once


def test_the_row_is_never_dated_before_the_day_after_the_erasure() -> None:
    """A wall clock behind the programme's day (the store's instants are the wall clock's): the row is dated
    at the start of the day after the erasure, never on the erasure's day."""
    store = Store.memory()
    history = PairingHistory(store, PROGRAMME)
    assert history.follow_moodle({(10, 20)}, at="2026-12-04T21:00:00.000+00:00",
                                 erased={20: "2026-12-05T00:00:00.000+00:00"}) == (0, 1)
    assert rows(store) == [(10, 20, "2026-12-05T00:00:00.000+00:00", None)]


def test_a_pair_holding_an_erased_mentor_waits_for_the_day_after_even_for_a_mentee_the_history_knows() -> None:
    """The mentee's earlier pair with another mentor made the pair "moved by hand" and opened it on the erasure's
    day; it waits for the next day as any pair of the erased person, and pairs of no one erased are as before."""
    store = Store.memory()
    history = PairingHistory(store, PROGRAMME)
    history.record("add_member", [("lmsync:p:mentor:11", 20)], at="2026-09-01T09:00:00.000+00:00")
    assert history.follow_moodle({(10, 20)}, at="2026-12-04T18:00:00.000+00:00", erased={10: None}) == (1, 0)
    assert history.follow_moodle({(10, 20)}, at="2026-12-06T09:00:00.000+00:00",
                                 erased={10: "2026-12-05T00:00:00.000+00:00"}) == (0, 1)
    assert history.follow_moodle({(10, 20), (12, 30)}, erased={10: None}) == (0, 0)  # 30: never named, no erasure


# --- 79, 2 ----------------------------------------------------------------------------------------------------


def test_an_erased_persons_grade_saved_by_lmsync_is_kept_as_written_before_the_erasure() -> None:
    desired = [AssignGrade(20, 50.0), AssignGrade(21, 50.0)]
    observed = {20: 33.33, 21: 33.33}
    plan = plan_assignment_grades(desired, observed, {}, {20, 21}, grademax=100, erased={20: date(2026, 12, 4)})
    assert [r.user_id for r in plan.erased_kept] == [20] and [r.user_id for r in plan.refused] == [21]
    assert "another lmsync store" in plan.refused[0].reason  # no erasure: as before
    kept = plan.erased_kept[0].reason
    assert kept.startswith("Moodle holds 33.33, saved by lmsync's web-service user: written by this store before "
                           "their erasure on 2026-12-04"), kept
    assert "another" not in kept and not plan.requests
    notes = assignment_notes(plan, "Attendance", who=lambda uid: f"person {uid}")
    assert notes[0].startswith("assignment 'Attendance', person 21: ") and notes[1].startswith(
        "assignment 'Attendance', person 20: Moodle holds 33.33, saved by lmsync's web-service user: written")
    alone = plan_assignment_grades(desired[:1], observed, {}, {20}, grademax=100, erased={20: date(2026, 12, 4)})
    assert not alone.refused and len(assignment_notes(alone, "Attendance")) == 1


def test_an_erased_persons_grade_this_store_wrote_since_follows_the_usual_rules() -> None:
    """Written again after the erasure (its record kept since): overwritten while Moodle holds it, refused when
    lmsync's user saved another value since; no grade at all: written."""
    erased = {20: date(2026, 12, 4)}
    same = plan_assignment_grades([AssignGrade(20, 50.0)], {20: 40.0}, {}, {20}, grademax=100, written={20: 40.0},
                                  erased=erased)
    assert same.grade_count == 1 and not same.erased_kept and not same.refused
    moved = plan_assignment_grades([AssignGrade(20, 50.0)], {20: 45.0}, {}, {20}, grademax=100, written={20: 40.0},
                                   erased=erased)
    assert len(moved.refused) == 1 and not moved.erased_kept
    none = plan_assignment_grades([AssignGrade(20, 50.0)], {20: None}, {}, {20}, grademax=100, erased=erased)
    assert none.grade_count == 1 and not none.erased_kept


# --- 79, 7 ----------------------------------------------------------------------------------------------------


def test_a_mentee_side_signal_withheld_after_an_erasure_says_so() -> None:
    row = SnapshotRow(date(2026, 11, 24), 10, 20, "at_risk", (
        ("no_meeting", "no meeting for 25 days (expected every 14)"),
        ("satisfaction_falling_mentee", "satisfaction falling by more than its usual wave-to-wave variation"),
    ), date(2026, 9, 1), date(2026, 10, 30))
    erased = withhold_mentee_side(row, 3, erased=True).reasons
    assert erased == (row.reasons[0], ("mentee_side_withheld", "a mentee-side signal (withheld: who answered about "
                                                               "this mentor changed after an erasure)"))
    few = withhold_mentee_side(row, 3).reasons
    assert few[1] == ("mentee_side_withheld", "a mentee-side signal (withheld: fewer than 3 of the mentor's mentees "
                                              "answered)")


def test_round_92a_5_a_withheld_signal_from_meeting_ratings_says_it_came_from_meeting_ratings() -> None:
    """``pair show`` said a mentee's low meeting ratings were withheld because "fewer than 3 of the mentor's mentees
    answered", survey words, while ``lmsync health`` named "meetings rated low by the mentee"."""
    row = SnapshotRow(date(2026, 10, 6), 10, 20, "watch", (
        ("meetings_rated_low_mentee", "meetings rated low by the mentee"),
        ("satisfaction_low_mentee", "satisfaction low (mentee side)"),
    ), date(2026, 9, 1), date(2026, 10, 1))
    few = withhold_mentee_side(row, 3).reasons
    assert few == (("mentee_side_withheld", "a signal from the mentee's ratings of meetings (withheld, as the "
                                            "mentee-side survey scores are: fewer than 3 of the mentor's mentees answered)"),
                   ("mentee_side_withheld", "a mentee-side signal (withheld: fewer than 3 of the mentor's mentees "
                                            "answered)"))
    assert all("rated low" not in text for _code, text in few)
