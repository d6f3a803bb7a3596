"""Tester round 128, 1 and 2: what a closed wave counted, judged against the answers stored now, and the words the
import and the run's Feedback line use for each kind of change (``domain.closed_sittings``, ``late_answers``).

The README promises a closed wave's figures "stay as they were when people leave or join later" and that "two daily
reports made while answers come in never differ by one person's answer" ("so no single rating can be read from the
difference"); the mentor qualities "per closed wave ... so two reports never differ by one mentee's ratings".
"""

from datetime import date

from lmsync.domain.closed_sittings import ClosedCount, WaveRecord, digest, judge
from lmsync.domain.waves import Wave
from lmsync.service.late_answers import Moved, Scores, late_by_wave, late_note

T0 = Wave("T0", date(2026, 9, 1), date(2026, 9, 30))
A = (46, "relationship_satisfaction_mentee", date(2026, 9, 15), "feedback", None)
B = (52, "relationship_satisfaction_mentee", date(2026, 9, 16), "feedback", None)
C = (12, "relationship_satisfaction_mentee", date(2026, 9, 17), "feedback", None)
ROWS = [("rs1", "3"), ("rs2", "3")]


def test_round_128_judge_sorts_counted_late_changed_and_removed_sittings():
    """A sitting still as recorded is counted; one stored after the record (ids above its mark) is late; one removed
    (a response deleted, or edited so its new date moved it out), or changed in place, is changed."""
    record = WaveRecord("2026-10-01T09:00:00+00:00", 20, {A: (2, digest(ROWS)), B: (2, digest(ROWS)),
                                                         C: (2, digest(ROWS))})
    now = {B: [(3, "rs1", "3"), (4, "rs2", "3")], C: [(5, "rs1", "3"), (6, "rs2", "5")],  # C: rs2 3 -> 5, same day
           (52, "relationship_satisfaction_mentee", date(2026, 9, 20), "csv", None): [(21, "rs1", "5")]}
    found = judge(record, now)
    assert found.counted == {B}
    assert found.late_people() == {52}
    assert found.changed == {A, C} and found.removed == {A}
    assert judge(record, {**now, B: [(3, "rs1", "3"), (4, "rs2", "3"), (22, "rs3", "1")]}).changed == {A, B, C}


def test_round_128_the_warning_says_which_kind_of_change_and_names_the_mentor_qualities():
    """Finding 1: a T0 response edited in Moodle after T0 closed was said as "answers stored after their survey wave
    closed" with the advice to import paper answers earlier; finding 2: the warning named only the wave means and
    the programme evaluation. Each kind is said by wave, with how many people, never who."""
    gone = Scores(closed={"T0": ClosedCount(changed=frozenset({A}), removed=frozenset({A}))})
    late = late_by_wave(Scores(closed={"T0": ClosedCount()}), gone, [T0], date(2026, 10, 4))
    assert late == {"T0": Moved(removed=1)}
    note = late_note(late, [T0])
    assert note is not None
    assert "answers a closed survey wave counted are no longer stored (a response deleted, or edited in Moodle so " \
           "that its new date moved it out of the wave), people per wave: T0 (closed 2026-09-30): 1" in note
    assert "withheld from now on" in note and "mentor qualities (programme-wide and per mentor)" in note
    assert "stored after" not in note and "import paper answers" not in note and "46" not in note
    stored = late_by_wave(Scores(closed={"T0": ClosedCount()}),
                          Scores(closed={"T0": ClosedCount(late=frozenset({B}))}), [T0], date(2026, 10, 4))
    said = late_note(stored, [T0])
    assert said is not None and "count in none of its figures" in said and "withheld" not in said
    assert late_by_wave(gone, gone, [T0], date(2026, 10, 4)) == {}  # said once, by the step that removed it
