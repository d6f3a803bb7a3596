"""The store's record of the grade items lmsync created: half of its proof of ownership.

Issue 10, point 6: an item in lmsync's itemnumber range is lmsync's only when it carries the
idnumber derived from the programme and metric **and** this table records that lmsync
created (or adopted) it at that itemnumber on that activity. Rows hold ids and numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lmsync.store.db import Store


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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

    def all(self) -> list[GradeItemRow]:
        rows = self.store.conn.execute(
            "SELECT * FROM grade_items WHERE programme = ? AND course_id = ? AND cmid = ? ORDER BY itemnumber",
            self.key,
        ).fetchall()
        return [
            GradeItemRow(
                itemnumber=row["itemnumber"],
                metric=row["metric"],
                idnumber=row["idnumber"],
                item_id=row["item_id"],
                state=row["state"],
                sent_at=datetime.fromisoformat(row["sent_at"]),
                confirmed_at=row["confirmed_at"],
            )
            for row in rows
        ]

    def sending(self, itemnumber: int, metric: str, idnumber: str, *, state: str = "sending") -> None:
        """Before the request that creates (or adopts) the item goes out."""
        self.store.conn.execute(
            "INSERT INTO grade_items (programme, course_id, cmid, itemnumber, metric, idnumber, item_id, state, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)"
            " ON CONFLICT (programme, course_id, cmid, itemnumber) DO UPDATE SET metric = excluded.metric,"
            " idnumber = excluded.idnumber, item_id = NULL, state = excluded.state, sent_at = excluded.sent_at,"
            " confirmed_at = NULL",
            (*self.key, itemnumber, metric, idnumber, state, _now()),
        )

    def confirm(self, itemnumber: int, item_id: int) -> None:
        """The item was read back (one item at the number, with the recorded idnumber)."""
        self.store.conn.execute(
            "UPDATE grade_items SET item_id = ?, state = CASE state WHEN 'sending' THEN 'created' ELSE state END,"
            " confirmed_at = ? WHERE programme = ? AND course_id = ? AND cmid = ? AND itemnumber = ?",
            (item_id, _now(), *self.key, itemnumber),
        )
