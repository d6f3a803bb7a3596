"""Assignment grades lmsync wrote that no attendance figure backs any more (tester round 116, 11).

The configured assignment's attendance grade and comment (``lmsync.domain.assign_grades``) are planned only for
people with an attendance figure now. When the meetings and pairs behind one this store wrote are gone (an erased
mentor's meetings and pairing history went with them; a meeting taken back with ``lmsync meetings remove``), the
person may have no figure left: nothing was planned, and the assignment kept a grade and a comment ("1 of 2 meetings,
last 15 Oct") counting meetings with the erased person, a privacy leak. ``mod_assign_save_grades`` cannot empty a
grade (a negative grade is dropped, trap 20), so such a grade is written as 0 with ``UNBACKED_COMMENT``, as the
gradebook items' grades are (``lmsync.domain.grades_unbacked``; tester round 114a, 4).

Only grades this store can prove it wrote are planned so (its record ``written``, or its journal's ``legacy``), never
one a teacher saved last, never for someone not actively enrolled or no longer a participant (a mentee role), and
never for an erased person themself (Moodle keeps their own grade, as the erasure says).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from lmsync.domain.assign_grades import AssignGrade

#: The feedback comment an assignment grade with no attendance figure behind it any more is written with.
UNBACKED_COMMENT = "no meetings counted"


def unbacked_assign_grades(
    observed: Mapping[int, float | None],
    backed: Collection[int],
    *,
    written: Mapping[int, float],
    legacy: Collection[int],
    graded_by_others: Collection[int],
    participants: Collection[int],
    enrolled: Collection[int],
    erased: Collection[int],
    comment: str | None,
) -> list[AssignGrade]:
    """One ``AssignGrade(user, 0.0, comment)`` per grade the assignment holds that this store wrote and no
    attendance figure backs now.

    ``observed``: user id -> the grade Moodle's assignment holds (None: no grade); ``backed``: the users with an
    attendance grade planned now; ``written``/``legacy``: this store's proof it wrote a user's grade (its
    ``sent_assign_grades``; its journal from before it kept them); ``graded_by_others``: users whose grade someone
    other than lmsync's web-service user saved last; ``participants``: the assignment's people (the mentee roles);
    ``enrolled``: actively enrolled users; ``erased``: erased people; ``comment``: the feedback text to send (the
    HTML of ``UNBACKED_COMMENT``), None when the assignment takes no comments. Whether the grade and comment differ
    from those held is for ``plan_assignment_grades`` to judge, as for any grade. Sorted by user id; raises nothing.
    Source: tester round 116, 11.
    """
    return [
        AssignGrade(user_id, 0.0, comment)
        for user_id, held in sorted(observed.items())
        if held is not None and user_id not in backed and (user_id in written or user_id in legacy)
        and user_id not in graded_by_others and user_id in participants and user_id in enrolled
        and user_id not in erased
    ]


def unbacked_assign_note(name: str, count: int) -> str:
    """The plan's warning on ``count`` grades of the assignment ``name`` written as 0 (``unbacked_assign_grades``)."""
    return (f"assignment {name!r}: {count} attendance grade(s) lmsync wrote have no meeting left behind them (a Feedback "
            "meeting-log response corrected or deleted in Moodle, `lmsync meetings remove`, or an erasure): "
            f"written as 0 with the comment {UNBACKED_COMMENT!r}, as "
            "Moodle's web services cannot empty a grade")
