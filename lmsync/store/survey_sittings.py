"""Which sittings the stored survey answers hold, without their answers (tester round 114a, 3).

A sitting is what one respondent answered to one instrument on one day about one relationship
(``instruments.score_waves``). Whether the stored wave scores still follow today's ``[waves]`` and
``[instruments]`` is judged from these keys alone (``service.scores_current``): one ``DISTINCT``
select, no answer value read.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select

from lmsync.store import schema
from lmsync.store.db import Store

_a = schema.survey_answers


def sitting_keys(
    store: Store, programme: str, instruments: Collection[str] | None = None
) -> set[tuple[int, str, date, int | None]]:
    """Each stored sitting of ``programme`` as (respondent id, instrument, day, about id or ``None``); with
    ``instruments``, only theirs."""
    query = select(_a.c.respondent_id, _a.c.instrument, _a.c.answer_date, _a.c.about_id).where(
        _a.c.programme == programme
    )
    if instruments is not None:
        query = query.where(_a.c.instrument.in_(sorted(set(instruments))))
    return {
        (int(person), name, date.fromisoformat(day), int(about) or None)
        for person, name, day, about in store.tuples(query.distinct())
    }
