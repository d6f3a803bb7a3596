"""``lmsync meetings list`` as a view: one row per stored meeting, oldest first.

A coordinator's view, as ``lmsync pair show`` is, under its rule (``Meeting.coordinators_rating``): a
meeting's rating is shown only when the mentor gave it; any other meeting's, a mentee's (their verdict on the
mentor) or one whose side is not known, is ``withheld``, whether there is one or not (tester round 58, 6), and
``rated_by`` says whose each rating is (tester round 50, 11).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lmsync.render.views import JSON_CSV, Column, Shown, Table
from lmsync.service.labels import People

COLUMNS = (
    Column("date"),
    Column("mentor"),
    Column("mentee"),
    Column("minutes", "min"),
    Column("attended", "came"),
    Column("rating"),
    Column("rated_by", "rated by"),
    Column("rating_withheld", formats=JSON_CSV),
    Column("source"),
)


def _withheld(m: Any) -> bool:
    """Whether the rating column says ``withheld``: for every meeting the mentor did not rate, with a rating
    or not. Said only where a rating existed, it told whether a mentee had rated the meeting, which the
    exports keep to themselves (tester round 58, 6)."""
    return bool(m.rated_by != "mentor")


def _rating(m: Any) -> int | Shown | None:
    """The rating as a coordinator may see it: ``withheld`` (JSON and CSV: none) unless the mentor gave it."""
    return Shown(None, "withheld") if _withheld(m) else m.coordinators_rating


def meetings_view(rows: Sequence[Any], people: People) -> Table:
    """Date, mentor, mentee (``Name (username)``; JSON ``{"id", "username", "name"}``), minutes, attended,
    rating (1-5, none, or withheld: see the module), who rated it (``rated_by``: mentor, mentee, or none when
    not known), ``rating_withheld`` (JSON and CSV) and source of each stored meeting
    (``lmsync.service.meetings.list_meetings`` rows)."""
    def person(user_id: int) -> Shown:
        return Shown(people.as_json(user_id), people.label(user_id))

    meetings = [row.meeting for row in rows]
    withheld = sum(1 for m in meetings if _withheld(m))
    # "the rating of 6" read as a rating of 6 (tester round 85b, 6)
    note = (f"; any rating of {withheld} of them withheld: a mentee's rating is their verdict on the mentor and "
            "is never shown one by one, nor is one whose side (rated by) is not known" if withheld else "")
    return Table(
        "meetings",
        COLUMNS,
        [
            {"date": m.date, "mentor": person(m.mentor_id), "mentee": person(m.mentee_id), "minutes": m.minutes,
             "attended": m.attended, "rating": _rating(m), "rated_by": m.rated_by,
             "rating_withheld": _withheld(m), "source": m.source}
            for m in meetings
        ],
        empty="no meetings stored",
        footer=f"{len(rows)} meeting(s){note}",
    )
