"""Tester finding 1: assignment grades are written only over a grade this store can prove it wrote.

A second store (an empty meeting history) computed zero attendance and overwrote, every cycle, the
grades the first store wrote (and a teacher's). ``plan_assignment_grades`` now takes this store's
proof, ``written`` (its ``sent_assign_grades``) and ``legacy`` (its journal, from before 0006).
"""

from __future__ import annotations

from lmsync.domain.assign_grades import AssignGrade, plan_assignment_grades

ENROLLED = frozenset({3, 4, 5, 9})


def plan(desired, observed, *, written=None, legacy=(), sent_comments=None, graded_by_others=()):
    return plan_assignment_grades(
        desired, observed, sent_comments or {}, ENROLLED, grademax=100, written=written, legacy=legacy,
        graded_by_others=graded_by_others,
    )


def written_users(result):
    return [g.user_id for r in result.requests for g in r.grades]


def test_tester_finding_1_a_person_without_a_grade_is_written():
    result = plan([AssignGrade(3, 50.0), AssignGrade(4, 25.0)], {3: None})  # 4: never graded at all
    assert written_users(result) == [3, 4] and result.refused == [] and result.rejected == []


def test_tester_finding_1_a_grade_this_store_wrote_and_moodle_still_holds_is_rewritten():
    result = plan([AssignGrade(3, 60.0)], {3: 50.0}, written={3: 50.0})
    assert written_users(result) == [3] and result.refused == []
    # Moodle's decimal(10,5) rounding is within the tolerance
    assert written_users(plan([AssignGrade(3, 60.0)], {3: 33.33333}, written={3: 33.333333})) == [3]


def test_tester_finding_1_a_grade_nobody_in_this_store_wrote_is_refused_and_left_as_it_is():
    result = plan([AssignGrade(3, 0.0), AssignGrade(4, 0.0)], {3: 7.5, 4: 80.0}, written={})
    assert result.requests == []
    assert [(r.key, r.user_id, r.value) for r in result.refused] == [("assignment", 3, 0.0), ("assignment", 4, 0.0)]
    reason = result.refused[0].reason
    assert reason.startswith("Moodle holds 7.5, saved by lmsync's web-service user but not written by this store")
    assert "another lmsync store's" in reason and "left as it is" in reason
    assert "a grade cleared in Moodle stays its clearer's" in reason and "clear the grade in Moodle" not in reason
    assert result.rejected == [] and result.unchanged == 0


def test_tester_finding_1_an_equal_grade_this_store_did_not_write_gets_no_comment_written_over_it():
    """Same grade, a comment this store never sent: writing it would still change another's feedback."""
    result = plan([AssignGrade(3, 50.0, "<p>2 of 4</p>")], {3: 50.0})
    assert result.requests == [] and [r.user_id for r in result.refused] == [3]
    # the store that did write it sends its new comment as before
    mine = plan([AssignGrade(3, 50.0, "<p>2 of 4</p>")], {3: 50.0}, written={3: 50.0},
                sent_comments={3: "<p>1 of 4</p>"})
    assert written_users(mine) == [3] and mine.refused == []


def test_tester_finding_1_a_grade_changed_in_moodle_since_this_store_wrote_it_is_refused():
    result = plan([AssignGrade(3, 60.0), AssignGrade(4, 60.0)], {3: 90.0, 4: 20.0}, written={3: 50.0, 4: 20.0})
    assert written_users(result) == [4]
    (refused,) = result.refused
    assert refused.user_id == 3
    assert refused.reason.startswith("Moodle holds 90, changed since this store wrote 50 by lmsync's web-service user")
    assert "a grade cleared in Moodle stays its clearer's" in refused.reason


def test_tester_finding_1_a_store_from_before_0006_adopts_the_grades_its_journal_shows_it_wrote():
    """No record yet, but the journal shows an accepted write to 3: whatever Moodle holds is adopted.
    A record always wins over the journal (4: changed since), and 5 is in neither."""
    result = plan(
        [AssignGrade(3, 60.0), AssignGrade(4, 60.0), AssignGrade(5, 60.0)],
        {3: 42.0, 4: 90.0, 5: 10.0},
        written={4: 50.0},
        legacy={3, 4},
    )
    assert written_users(result) == [3]
    assert [(r.user_id, r.reason.split(",")[0]) for r in result.refused] == [
        (4, "Moodle holds 90"),
        (5, "Moodle holds 10"),
    ]


def test_tester_finding_1_unchanged_grades_need_no_proof_and_validation_still_comes_first():
    result = plan([AssignGrade(3, 50.0), AssignGrade(4, 120.0), AssignGrade(78, 10.0)], {3: 50.0, 4: 7.0})
    assert result.unchanged == 1 and result.requests == [] and result.refused == []
    assert [(r.user_id, r.reason) for r in result.rejected] == [
        (4, "above the maximum 100"),
        (78, "not an active participant of the course"),
    ]


def test_round_17_6_a_grade_a_teacher_saved_last_is_kept_not_refused():
    """A teacher's grade (Moodle's grader is not the web-service user) is theirs: kept, not a refusal an
    admin must clear (every run exited 2 for good, tester round 17, 6). So is a row a teacher saved without a grade
    (5: only a feedback comment, tester round 122a, 1); someone nobody saved a row for (9) is written."""
    result = plan([AssignGrade(3, 60.0), AssignGrade(4, 60.0), AssignGrade(5, 60.0), AssignGrade(9, 60.0)],
                  {3: 90.0, 4: 50.0, 5: None}, written={4: 50.0}, graded_by_others={3, 4, 5})
    assert result.teacher_kept == [3, 4, 5] and result.refused == []
    assert written_users(result) == [9]
