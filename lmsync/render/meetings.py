"""``lmsync meetings list`` as a view: one row per stored meeting, oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lmsync.render.views import Column, Shown, Table
from lmsync.service.labels import People

COLUMNS = (
    Column("date"),
    Column("mentor"),
    Column("mentee"),
    Column("minutes", "min"),
    Column("attended", "came"),
    Column("rating"),
    Column("source"),
)


def meetings_view(rows: Sequence[Any], people: People) -> Table:
    """Date, mentor, mentee (``Name (username)``; JSON ``{"id", "username", "name"}``), minutes, attended,
    rating (1-5 or none) and source of each stored meeting (``lmsync.service.meetings.list_meetings`` rows)."""
    def person(user_id: int) -> Shown:
        return Shown(people.as_json(user_id), people.label(user_id))

    return Table(
        "meetings",
        COLUMNS,
        [
            {"date": m.date, "mentor": person(m.mentor_id), "mentee": person(m.mentee_id), "minutes": m.minutes,
             "attended": m.attended, "rating": m.rating, "source": m.source}
            for m in (row.meeting for row in rows)
        ],
        empty="no meetings stored",
        footer=f"{len(rows)} meeting(s)",
    )
