"""Which Feedback response each stored Feedback row came from, counted (tester round 123b, 4).

A meeting row or survey answer read from Feedback keeps its response as its ``origin`` (``feedback:ATTEMPT``, since
tester round 88a, 2; plain ``feedback`` before). Moodle numbers responses across the whole site, so the responses an
activity holds tell whether the rows stored for a source came from it: after a rollover copy the configured activity
may be another one than the rows came from. Rows keep no course-module id.
"""

from __future__ import annotations

from sqlalchemy import func, select

from lmsync.store.db import Store
from lmsync.store.schema import meetings, survey_answers

PREFIX = "feedback:"


def rows_by_response(store: Store, programme: str, kind: str) -> dict[int | None, int]:
    """The rows of ``programme`` stored from Feedback for ``kind`` (``"meetings"``: the meeting log; else an
    instrument's name) -> how many, by the response (attempt id) each came from; ``None``: rows whose origin names
    no response (stored before tester round 88a, 2). Empty when none is stored."""
    table = meetings if kind == "meetings" else survey_answers
    where = [table.c.programme == programme, table.c.source == "feedback"]
    if kind != "meetings":
        where.append(table.c.instrument == kind)
    out: dict[int | None, int] = {}
    for origin, count in store.tuples(select(table.c.origin, func.count()).where(*where).group_by(table.c.origin)):
        text = origin or ""
        attempt = int(text[len(PREFIX):]) if text.startswith(PREFIX) and text[len(PREFIX):].isdigit() else None
        out[attempt] = out.get(attempt, 0) + int(count)
    return out
