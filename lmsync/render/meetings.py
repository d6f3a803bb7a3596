"""``lmsync meetings list`` as a view: one row per stored meeting, oldest first.

A coordinator's view, as ``lmsync pair show`` is, under its rule (``Meeting.coordinators_rating``): a
meeting's rating is shown only when the mentor gave it; any other meeting's, a mentee's (their verdict on the
mentor) or one whose side is not known, is ``withheld``, whether there is one or not (tester round 58, 6), as is
a meeting the mentor logged without a rating (tester round 112b, 6): no rating cell is ever blank, and
``rated_by`` says whose each rating is (tester round 50, 11). Also the lines naming the rows an import replaced
(``replaced_lines``, tester round 105b, 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lmsync.render.views import JSON_CSV, Column, Shown, Table
from lmsync.service.import_replaced import ReplacedRow
from lmsync.service.labels import People
from lmsync.visible import visible

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
    exports keep to themselves (tester round 58, 6); a meeting of the mentor's side without a rating is one the
    mentor did not rate too, which the README, the footer and ``meetings list --help`` say, and a blank cell
    was the one rating value ``withheld`` was not (tester round 112b, 6)."""
    return m.coordinators_rating is None


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
    # "the rating of 6" read as a rating of 6 (tester round 85b, 6); "any rating of 3 of them withheld" read as "a
    # rating exists that I may not see" for meetings with none: it says what `withheld` covers (tester round 105b, 3)
    # "without telling which" while `rated by` said mentee: the rating column is what does not tell (round 106a, 6)
    note = (f"; {withheld} of them show the rating as withheld: every meeting the mentor did not rate, whether the "
            "mentee rated it (their verdict on the mentor, never shown one by one), its side (rated by) is not known, "
            "or nobody rated it; the rating column does not tell these apart" if withheld else "")
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


REPLACED_SHOWN = 20  # rows a replaced-values note names one by one; the rest are counted


def _change(field: str, was: Any, now: Any) -> str:
    """One changed field as words: ``45 min -> 40 min``, ``missed -> attended``, ``the mentor's rating 4 -> 3``."""
    if field == "minutes":
        return f"{was} min -> {now} min"
    if field == "attended":
        return f"{'attended' if was else 'missed'} -> {'attended' if now else 'missed'}"
    if field == "rating":
        return f"the mentor's rating {'none' if was is None else was} -> {'none' if now is None else now}"
    if field == "notes":
        return "the mentor's notes changed"
    return f"rated by {was or 'not known'} -> {now or 'not known'}"


def _stored_by(by: str | None, line: int | None) -> str:
    """Which file (or ``meetings add``, the Feedback meeting log) had stored the replaced values."""
    if by is None:
        return "who stored them is not known"
    if by == "meetings add":
        return "stored by `lmsync meetings add`"
    if by == "feedback":
        return "stored from the Feedback meeting log"
    return f"stored by {visible(by)}" + (f", line {line}" if line is not None else "")


def replaced_lines(rows: Sequence[ReplacedRow], people: People, *, shown: int = REPLACED_SHOWN) -> list[str]:
    """An import's replaced rows (``lmsync.service.import_replaced``), one line each, the first ``shown`` of them
    then ``... and N more``: ``  line 4: 2027-02-10, mentor Ann Smith (m0004), mentee s0015: 45 min -> 40 min,
    missed -> attended (stored by fix.csv, line 2)``; people as every view names them (``People.label``). Only
    the changes a coordinator may see are listed (tester round 105b, 2)."""
    out = []
    for r in rows[:shown]:
        where = f"line {r.line}" if r.line is not None else "a row"
        changes = ", ".join(_change(f, was, now) for f, was, now in zip(r.changed, r.was, r.now, strict=True))
        out.append(f"  {where}: {r.date.isoformat()}, mentor {people.label(r.mentor_id)}, mentee "
                   f"{people.label(r.mentee_id)}: {changes + ' ' if changes else ''}({_stored_by(r.by, r.by_line)})")
    if len(rows) > shown:
        out.append(f"  ... and {len(rows) - shown} more")
    return out
