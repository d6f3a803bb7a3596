"""The store's record of the grade items lmsync created: half of its proof of ownership.

Issue 10, point 6: an item in lmsync's itemnumber range is lmsync's only when it carries the
idnumber derived from the programme and metric **and** this table records that lmsync
created (or adopted) it at that itemnumber on that activity. Rows hold ids and numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, select

from lmsync.store.db import Store, from_row, now_iso
from lmsync.store.schema import grade_items

_g = grade_items


@dataclass(frozen=True)
class GradeItemRow:
    itemnumber: int
    metric: str
    idnumber: str
    item_id: int | None
    state: str  # sending | created | adopted
    sent_at: datetime
    confirmed_at: str | None


class GradeItemRecords:
    """Grade items of one programme on one activity (course id + course-module id)."""

    def __init__(self, store: Store, programme: str, course_id: int, cmid: int) -> None:
        self.store = store
        self.key = (programme, course_id, cmid)

    def _here(self) -> tuple[ColumnElement[bool], ...]:
        programme, course_id, cmid = self.key
        return (_g.c.programme == programme, _g.c.course_id == course_id, _g.c.cmid == cmid)

    def all(self) -> list[GradeItemRow]:
        rows = self.store.rows(select(_g).where(*self._here()).order_by(_g.c.itemnumber))
        return [from_row(GradeItemRow, row, sent_at=datetime.fromisoformat(row.sent_at)) for row in rows]

    def sending(self, itemnumber: int, metric: str, idnumber: str, *, state: str = "sending") -> None:
        """Before the request that creates (or adopts) the item goes out."""
        programme, course_id, cmid = self.key
        self.store.insert(
            _g,
            {
                "programme": programme,
                "course_id": course_id,
                "cmid": cmid,
                "itemnumber": itemnumber,
                "metric": metric,
                "idnumber": idnumber,
                "item_id": None,
                "state": state,
                "sent_at": now_iso(),
                "confirmed_at": None,
            },
            update=("metric", "idnumber", "item_id", "state", "sent_at", "confirmed_at"),
        )

    def confirm(self, itemnumber: int, item_id: int) -> None:
        """The item was read back (one item at the number, with the recorded idnumber)."""
        self.store.write(
            _g.update()
            .where(*self._here(), _g.c.itemnumber == itemnumber)
            .values(
                item_id=item_id,
                state=case((_g.c.state == "sending", "created"), else_=_g.c.state),
                confirmed_at=now_iso(),
            )
        )


def metrics_by_itemnumber(store: Store, programme: str) -> dict[int, set[str]]:
    """Itemnumber -> the metrics this store recorded items of at it, for ``programme`` on any course or activity
    (a person's export tells received means' writes apart by it: tester round 117a, 5)."""
    found: dict[int, set[str]] = {}
    for row in store.rows(select(_g.c.itemnumber, _g.c.metric).where(_g.c.programme == programme)):
        found.setdefault(row.itemnumber, set()).add(row.metric)
    return found
