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

A response edited down to too few answers (fewer than the instrument's ``min_answered`` share of its items) leaves
answers stored but no score either: its words say so ("1 of 3 items answered, 2 needed"), not that the response was
deleted, and the fix is the missing answers (``short_sittings``, ``unanswered_reason``; tester round 123b, 5).

Left out: meeting figures (written as 0 instead), a mentor's received means (a published one stays as published:
``lmsync.domain.received_release``), grades a teacher overrode or locked, people not actively enrolled, an erased
person's own grades (theirs to delete in Moodle), and grades the plan already names as ``held`` or ``withheld`` after
an erasure (``grades_held``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from lmsync.domain.instruments import Instrument, WaveScore

#: Why such a grade is left as it is, and what a teacher may do: the plan's reason for each.
UNANSWERED_REASON = (
    "published, no stored answer behind it any more (its Feedback response was deleted in Moodle, say): left as it "
    "is, as a survey score of 0 is outside its scale and Moodle's web services cannot empty a grade; clear it in "
    "the gradebook if it must go (lmsync leaves a teacher's grade alone), or have the response submitted again"
)
#: ``PlannedHeld.cause`` of an unanswered grade: no answer stored, or answers stored but too few for a score.
NO_ANSWER, TOO_FEW = "no_answer", "too_few_answers"


@dataclass(frozen=True)
class ShortSitting:
    """A person's stored sitting that makes no score: ``answered`` of ``items`` answered, ``required`` needed."""

    answered: int
    items: int
    required: int


def short_sittings(
    scores: Iterable[WaveScore], instruments: Mapping[str, Instrument]
) -> dict[tuple[str, int], ShortSitting]:
    """(metric key, person) -> the sitting with the most answers of each person's wave with no score: the key of
    their own grade (``<grade_name>-<wave>``) and of its change (``<grade_name>-change-<wave>``). ``scores``:
    ``score_waves``' (a wave's incomplete sitting stands when it has no complete one). Raises nothing. Source:
    tester round 123b, 5."""
    found: dict[tuple[str, int], ShortSitting] = {}
    for ws in scores:
        inst = instruments.get(ws.instrument)
        if inst is None or not inst.grade_name or ws.score.total is not None:
            continue
        short = ShortSitting(ws.score.answered, len(inst.items), ws.score.required)
        for key in (f"{inst.grade_name}-{ws.wave}", f"{inst.grade_name}-change-{ws.wave}"):
            seen = found.get((key, ws.respondent_id))
            if seen is None or short.answered > seen.answered:
                found[(key, ws.respondent_id)] = short
    return found


def unanswered_reason(short: ShortSitting | None) -> tuple[str, str]:
    """(cause, reason) of an unanswered grade: ``NO_ANSWER`` and ``UNANSWERED_REASON`` without a ``short`` sitting;
    with one, ``TOO_FEW`` and words saying how many items are answered and needed (tester round 123b, 5: an edited
    response read as deleted, and "submit it again" as the fix)."""
    if short is None:
        return NO_ANSWER, UNANSWERED_REASON
    return TOO_FEW, (
        f"published, its stored answers no longer make a score ({short.answered} of {short.items} items answered, "
        f"{short.required} needed: the response was edited, say): left as it is, as a survey score of 0 is outside "
        "its scale and Moodle's web services cannot empty a grade; clear it in the gradebook if it must go (lmsync "
        "leaves a teacher's grade alone), or have the missing items answered in the response"
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
