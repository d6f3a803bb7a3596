"""Survey grades lmsync published that no stored answer backs any more: named, left as they are (tester round 122a, 4).

A Feedback response deleted in Moodle (Show responses > Delete entry) takes its answers and score out of the store at
the next Feedback read, so the report, health and ``person export`` drop it; the grade lmsync published from it stays
in the gradebook, and the plan said "no changes" of an item holding one grade more than it counted. A meeting figure
with nothing behind it is written as its empty value, 0 (``lmsync.domain.grades_unbacked``), since 0 attendance,
meetings or minutes is what no meeting means. A survey score has no such value: 0 is outside its scale (a 1-4 scale of
ten items sums to 10..40), so writing it would publish a score nobody could have given; and Moodle's web services cannot
empty a grade (``core_grades_update_grades`` takes a number for each). So such a grade is left as it is, and the plan
names each (key and person, never the value), with the way out: a teacher clears it in the gradebook (lmsync then
leaves that override alone), or the response is submitted again.

Left out: meeting figures (written as 0 instead), a mentor's received means (a published one stays as published:
``lmsync.domain.received_release``), grades a teacher overrode or locked, people not actively enrolled, an erased
person's own grades (theirs to delete in Moodle), and grades the plan already names as ``held`` or ``withheld`` after
an erasure (``grades_held``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

#: Why such a grade is left as it is, and what a teacher may do: the plan's reason for each.
UNANSWERED_REASON = (
    "published, no stored answer behind it any more (its Feedback response was deleted in Moodle, say): left as it "
    "is, as a survey score of 0 is outside its scale and Moodle's web services cannot empty a grade; clear it in "
    "the gradebook if it must go (lmsync leaves a teacher's grade alone), or have the response submitted again"
)


def unanswered_grades(
    shown: Mapping[tuple[str, int], float | None],
    *,
    survey_keys: Collection[str],
    backed: Collection[tuple[str, int]],
    teachers: Collection[tuple[str, int]],
    enrolled: Collection[int],
    erased: Collection[int],
    named: Collection[tuple[str, int]] = (),
) -> list[tuple[str, int]]:
    """(metric key, user id) of each grade ``shown`` on lmsync's own items (key, user -> the grade; None: no grade)
    for a key of ``survey_keys`` that no figure of ``backed`` (key, user) supports now.

    ``teachers``: (key, user) of grades a teacher overrode or locked; ``enrolled``: users with an active enrolment;
    ``erased``: erased people (their own grades are theirs); ``named``: (key, user) the plan names already (held or
    withheld after an erasure). Sorted; raises nothing. Source: tester round 122a, 4.
    """
    keys, backed, teachers, named = set(survey_keys), set(backed), set(teachers), set(named)
    return sorted(
        (key, user) for (key, user), grade in shown.items()
        if grade is not None and key in keys and (key, user) not in backed and (key, user) not in teachers
        and (key, user) not in named and user in enrolled and user not in erased
    )
