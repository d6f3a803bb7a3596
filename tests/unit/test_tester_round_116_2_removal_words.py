"""The run's sync line names each removal lmsync decides without a bare Moodle id and with its brackets closed
(tester round 116, 2: "Aoife Ahmed (s0018) from user #68's circle, left with no mentor (their mentor is not active
in the course (unenrolled, or enrolment suspended)" for a circle whose mentor was away)."""

from lmsync.domain.operations import Plan, RemoveMember
from lmsync.service.removal_words import removals_said

PROGRAMME = "mentoring-2026"


def test_a_removal_from_an_away_mentors_circle_names_no_bare_id_and_closes_its_brackets():
    reason = ("left with no mentor (their mentor is not active in the course (unenrolled, or enrolment suspended); "
              "no capacity left: all 11 allowed mentors are full)")
    plan = Plan(programme=PROGRAMME, course_id=2, fingerprint="f", operations=[
        RemoveMember(group=f"lmsync:{PROGRAMME}:mentor:68", user_id=91, reason=reason)])

    said = removals_said(plan, None, show_names=True)

    assert "#68" not in said and "#91" not in said
    assert said == (": a mentee (`lmsync plan` names them) from their mentor's circle, left with no mentor (their "
                    "mentor is not active in the course (unenrolled, or enrolment suspended))")
    assert said.count("(") == said.count(")")
