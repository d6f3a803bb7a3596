"""Whether a programme holds any answer that could flag a pair by one side's own answers, on or before a day.

A pair is flagged by one side's own answers through a survey answer or a meeting rating (``domain.health``'s
``answered_by`` reasons). Where neither existed on a health snapshot's day, no pair can have been flagged so, and the
programme report shows the count of such pairs as 0 rather than withholding it (tester round 121a, 11: "fewer than 5
more at risk" on the day the pairs were made, before any meeting or survey).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lmsync.store.db import Store
from lmsync.store.schema import meetings, survey_answers


def any_answer_by(store: Store, programme: str, day: date) -> bool:
    """Whether ``programme`` holds a survey answer dated on or before ``day``, or a meeting rating of a meeting dated on
    or before it (any side, any value). Reads two rows at most; raises nothing of its own."""
    until = day.isoformat()
    answer = select(survey_answers.c.id).where(
        survey_answers.c.programme == programme, survey_answers.c.answer_date <= until).limit(1)
    rating = select(meetings.c.id).where(
        meetings.c.programme == programme, meetings.c.meeting_date <= until, meetings.c.rating.is_not(None)).limit(1)
    return bool(store.rows(answer)) or bool(store.rows(rating))
